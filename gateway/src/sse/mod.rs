//! Server-sent event streams: `GET /stream/batch/{job_id}` and `POST /stream/batch-design`
//! ([`batch`]), and `GET /events` ([`events`], the `config` and `designs` channels).
//!
//! Every event's `id` is the channel position it comes from (`<epoch>:<offset>`), so an
//! `EventSource` that reconnects — to any gateway — sends it back as `Last-Event-ID` and resumes
//! exactly after it. A stream opens with a `retry:` hint, sends comment heartbeats while idle,
//! and a batch stream ends after its terminal event (`complete` or `cancelled`).
//!
//! Live events come through the hub (one broker subscription per channel per gateway) into the
//! stream's own byte-bounded queue; a client too slow for it is cut (a comment says so, the
//! response ends) and resumes with `Last-Event-ID`. A gap is replayed from history page by page
//! at the client's pace ([`crate::replay`]) before the stream joins the hub.

pub mod batch;
pub mod events;
pub mod frame;
mod subscription;

use std::convert::Infallible;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use broker::Broker;
use bytes::Bytes;
use futures_util::Stream;

pub use subscription::Subscription;

use crate::GatewayError;
use crate::hub::HubHandle;
use crate::metrics::Metrics;
use crate::routes::app_data;
use crate::settings::Settings;

/// `X-Accel-Buffering: no`: proxies (nginx) must not buffer an event stream.
const NO_PROXY_BUFFERING: (HeaderName, HeaderValue) = (
    HeaderName::from_static("x-accel-buffering"),
    HeaderValue::from_static("no"),
);

/// What every SSE stream needs, from app data.
#[derive(Clone)]
pub struct SseContext {
    /// History reads and batch status.
    pub broker: web::Data<Broker>,
    /// Live publications.
    pub hub: web::Data<HubHandle>,
    /// Pacing and limits.
    pub settings: web::Data<Settings>,
    /// Slow-consumer cuts are counted with the WebSocket's.
    pub metrics: web::Data<Metrics>,
}

impl actix_web::FromRequest for SseContext {
    type Error = GatewayError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(context(req))
    }
}

fn context(req: &HttpRequest) -> Result<SseContext, GatewayError> {
    Ok(SseContext {
        broker: app_data(req)?,
        hub: app_data(req)?,
        settings: app_data(req)?,
        metrics: app_data(req)?,
    })
}

/// The `Last-Event-ID` header, if the client sent one (an empty one counts as none).
pub fn last_event_id(req: &HttpRequest) -> Result<Option<&str>, GatewayError> {
    let Some(value) = req.headers().get("last-event-id") else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| GatewayError::BadRequest("Last-Event-ID must be ASCII".to_owned()))?
        .trim();
    Ok((!text.is_empty()).then_some(text))
}

/// A 200 `text/event-stream` response over `chunks`.
pub fn response<S>(chunks: S) -> HttpResponse
where
    S: Stream<Item = Result<Bytes, Infallible>> + 'static,
{
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/event-stream"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(NO_PROXY_BUFFERING)
        .streaming(chunks)
}
