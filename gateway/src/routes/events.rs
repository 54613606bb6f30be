//! `GET /events`: the `config` and `designs` channels over SSE for any authenticated caller
//! (`config_updated`, `new_design`), resuming after `Last-Event-ID` (see [`crate::sse::events`]).

use actix_web::{HttpRequest, HttpResponse};

use crate::GatewayError;
use crate::auth::Authenticated;
use crate::sse::events::{EventsStream, parse_id};
use crate::sse::{SseContext, last_event_id, response};

/// `GET /events`.
pub async fn events(
    req: HttpRequest,
    Authenticated(_principal): Authenticated,
    ctx: SseContext,
) -> Result<HttpResponse, GatewayError> {
    let since = match last_event_id(&req)? {
        Some(id) => parse_id(id)?,
        None => [None, None],
    };
    let stream = EventsStream::open(ctx, since).await?;
    Ok(response(futures_util::stream::unfold(
        stream,
        |mut stream| async move {
            let chunk = stream.next_chunk().await?;
            Some((Ok(chunk), stream))
        },
    )))
}
