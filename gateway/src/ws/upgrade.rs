//! Upgrade requests (`Upgrade: websocket`), from actix-http's upgrade hook: the raw request and
//! the socket, before any response. The checks are the route's ([`super::precheck`]) plus the
//! handshake and registration; a refusal is a plain HTTP response (JSON error body, as the REST
//! routes give) and the socket is closed; an admitted upgrade gets its `101` and the socket goes
//! to a connection task on this worker ([`super::socket::Socket`]). Like every request, an
//! upgrade is counted in the HTTP metrics and logged with its request id, never its token.

use std::time::{Duration, Instant};

use actix_codec::{Encoder as _, Framed};
use actix_http::body::{BodySize, BoxBody, MessageBody as _};
use actix_http::header::HeaderValue;
use actix_http::{ConnectionType, Request, Response, h1, ws};
use actix_web::ResponseError as _;
use bytes::BytesMut;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tracing::Instrument as _;

use super::connection::Connection;
use super::handshake::Handshake;
use super::socket::Socket;
use super::{WsContext, precheck, register};
use crate::GatewayError;
use crate::metrics::middleware::observe;
use crate::metrics::names::UNMATCHED_ROUTE;
use crate::telemetry::{REQUEST_ID_HEADER, http_span};

/// The interactive WebSocket's route, as the HTTP metrics label it.
pub const ROUTE: &str = "/ws/design/{session_id}";
/// Its path before the session id.
const PREFIX: &str = "/ws/design/";
/// How long the response to an upgrade request may take to write.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves one upgrade request (the service actix-http calls with it).
pub async fn serve(
    ctx: WsContext,
    req: Request,
    framed: Framed<TcpStream, h1::Codec>,
) -> Result<(), actix_web::Error> {
    let request_id = uuid::Uuid::now_v7();
    let query = req.uri().query().unwrap_or("");
    let span = http_span(&request_id, req.method(), req.path(), query);
    let started = Instant::now();
    async move {
        let session = req.path().strip_prefix(PREFIX).filter(|s| !s.contains('/'));
        let route = if session.is_some() {
            ROUTE
        } else {
            UNMATCHED_ROUTE
        };
        let admitted = match session {
            Some(session) => admit(&ctx, &req, session).await,
            None => Err(GatewayError::NotFound(format!(
                "no WebSocket endpoint at {}",
                req.path()
            ))),
        };
        let status = match admitted {
            Ok((handshake, response)) => {
                let status = response.status();
                if let Some((io, read_buf)) = respond(framed, response, &request_id).await {
                    let socket = Socket::new(io, read_buf, ctx.settings.limits.max_frame_bytes);
                    // Tied to this worker's thread, like the socket: it runs on its local set.
                    let tasks = ctx.tasks.clone();
                    tasks.spawn_local(Connection::serve(ctx.clone(), handshake, socket));
                }
                status
            }
            Err(error) => {
                let response = Response::from(error.error_response());
                let status = response.status();
                if let Some((mut io, _)) = respond(framed, response, &request_id).await {
                    let _ = timeout(RESPONSE_TIMEOUT, io.shutdown()).await;
                }
                tracing::warn!(%error, "upgrade refused");
                status
            }
        };
        observe(&ctx.metrics, req.method(), route, status, started);
        let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::info!(status = status.as_u16(), elapsed_ms, "request served");
        Ok(())
    }
    .instrument(span)
    .await
}

/// The route's checks, the handshake and the registration; the `101` to send on success.
async fn admit(
    ctx: &WsContext,
    req: &Request,
    session: &str,
) -> Result<(Handshake, Response<BoxBody>), GatewayError> {
    let query = req.uri().query().unwrap_or("");
    let (session_id, early) = precheck(session, &req.head().headers, query, ctx)?;
    if let Some(principal) = &early {
        tracing::Span::current().record("user", principal.user());
    }
    // The handshake is checked before registering, so a bad upgrade leaks no registration;
    // nothing has been sent yet, so a refused registration still answers with plain HTTP.
    let response = ws::handshake(req.head())
        .map_err(|e| GatewayError::BadRequest(format!("not a WebSocket upgrade: {e}")))?
        .finish()
        .map_into_boxed_body();
    let registration = match &early {
        Some(principal) => Some(register(ctx, &session_id, principal).await?),
        None => None,
    };
    let handshake = Handshake {
        session_id: std::sync::Arc::new(session_id),
        principal: early.zip(registration),
    };
    Ok((handshake, response))
}

/// Writes `response` (with the request id) on the socket; the socket and the bytes read past
/// the request, unless the write failed or timed out.
async fn respond(
    framed: Framed<TcpStream, h1::Codec>,
    mut response: Response<BoxBody>,
    request_id: &uuid::Uuid,
) -> Option<(TcpStream, BytesMut)> {
    if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let upgrading = response.head().upgrade();
    if !upgrading {
        response
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    let (response, body) = response.into_parts();
    let body = body.try_into_bytes().unwrap_or_default();
    let mut parts = framed.into_parts();
    let size = if upgrading {
        BodySize::None
    } else {
        BodySize::Sized(body.len() as u64)
    };
    let encoded = parts
        .codec
        .encode(h1::Message::Item((response, size)), &mut parts.write_buf)
        .and_then(|()| {
            if body.is_empty() {
                Ok(())
            } else {
                parts
                    .codec
                    .encode(h1::Message::Chunk(Some(body)), &mut parts.write_buf)
            }
        })
        .and_then(|()| {
            parts
                .codec
                .encode(h1::Message::Chunk(None), &mut parts.write_buf)
        });
    if let Err(error) = encoded {
        tracing::warn!(%error, "could not encode the upgrade response");
        return None;
    }
    match timeout(RESPONSE_TIMEOUT, parts.io.write_all(&parts.write_buf)).await {
        Ok(Ok(())) => Some((parts.io, parts.read_buf)),
        _ => None,
    }
}
