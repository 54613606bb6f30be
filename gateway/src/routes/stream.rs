//! SSE batch streams: `POST /stream/batch-design` submits a batch (the body of
//! `POST /api/v1/batches`) and streams it in the same response; `GET /stream/batch/{job_id}`
//! streams an existing batch, resuming after `Last-Event-ID`. Events, ids and resume rules are
//! in [`crate::sse::batch`]; who may stream is [`crate::batch::access`]'s rule.

use actix_web::{HttpRequest, HttpResponse, web};
use protocol::Position;

use super::batches::accept;
use super::context::RestContext;
use crate::GatewayError;
use crate::auth::Authenticated;
use crate::batch::access::parse_id;
use crate::batch::{authorize, store_error};
use crate::sse::batch::BatchStream;
use crate::sse::{SseContext, last_event_id, response};

/// `POST /stream/batch-design`.
pub async fn submit_and_stream(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    payload: web::Payload,
    batches: RestContext,
    ctx: SseContext,
) -> Result<HttpResponse, GatewayError> {
    let (accepted, _rate) = accept(&req, &principal, payload, &batches).await?;
    let state = ctx.broker.status(accepted.id).await.map_err(store_error)?;
    let mut response = stream(ctx, &state, None);
    let id = accepted.id.to_string();
    if let Ok(value) = id.parse() {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-job-id"),
            value,
        );
    }
    Ok(response)
}

/// `GET /stream/batch/{job_id}`.
pub async fn batch(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    path: web::Path<String>,
    ctx: SseContext,
) -> Result<HttpResponse, GatewayError> {
    let id = parse_id(&path)?;
    let since = last_event_id(&req)?
        .map(|text| {
            text.parse::<Position>()
                .map_err(|e| GatewayError::BadRequest(format!("Last-Event-ID: {e}")))
        })
        .transpose()?;
    let state = authorize(&ctx.broker, &principal, id).await?;
    Ok(stream(ctx, &state, since))
}

fn stream(ctx: SseContext, state: &broker::BatchState, since: Option<Position>) -> HttpResponse {
    let stream = BatchStream::new(ctx, state, since);
    response(futures_util::stream::unfold(
        stream,
        |mut stream| async move {
            let chunk = stream.next_chunk().await?;
            Some((Ok(chunk), stream))
        },
    ))
}
