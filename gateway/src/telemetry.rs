//! Logging: the `tracing` subscriber, installed once by `main` (tests install none, so they stay
//! silent unless they ask), writing to stderr (stdout carries only the startup banner), and the request middleware that gives every HTTP request a span with
//! its request id, method, path and redacted query. Spans carry `conn_id`, `user` and `request_id`,
//! never a token: `?token=` values are replaced before anything is recorded.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::layer::{Layered, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, reload};

use crate::auth::transport::redact_query;
use crate::settings::LogFormat;

/// Response header carrying the request id (also in every log line of the request).
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Filter used when `RUST_LOG` is unset.
const DEFAULT_FILTER: &str = "info";

type Base = Layered<EnvFilter, Registry>;
type BoxedLayer = Box<dyn Layer<Base> + Send + Sync>;

/// The installed subscriber; lets `main` switch the format once settings are loaded (logging
/// starts before settings so that their errors are logged too).
pub struct Telemetry {
    format: reload::Handle<BoxedLayer, Base>,
}

/// Installs the global subscriber, human-readable until [`Telemetry::set_format`] is called.
pub fn init() -> Result<Telemetry, tracing_subscriber::util::TryInitError> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let (layer, format) = reload::Layer::new(fmt_layer(LogFormat::Pretty));
    tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init()?;
    Ok(Telemetry { format })
}

impl Telemetry {
    /// Switches the output format.
    pub fn set_format(&self, format: LogFormat) -> Result<(), reload::Error> {
        self.format.reload(fmt_layer(format))
    }
}

fn fmt_layer(format: LogFormat) -> BoxedLayer {
    match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed(),
    }
}

/// The `http` span a request runs in: its id, method, path and query with any token redacted
/// (the user is recorded once known). Shared by the app's requests and the WebSocket upgrades,
/// which actix-http hands over before the app.
pub fn http_span(
    request_id: &uuid::Uuid,
    method: &actix_web::http::Method,
    path: &str,
    query: &str,
) -> tracing::Span {
    tracing::info_span!(
        "http",
        request_id = %request_id,
        method = %method,
        path = %path,
        query = %redact_query(query),
        user = tracing::field::Empty,
    )
}

/// Middleware (for `actix_web::middleware::from_fn`): runs the request inside an `http` span
/// with a fresh request id (returned as `X-Request-Id`), and logs its outcome.
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = uuid::Uuid::now_v7();
    let span = http_span(&request_id, req.method(), req.path(), req.query_string());
    let started = Instant::now();
    let mut result = next.call(req).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    let _entered = span.enter();
    match &mut result {
        Ok(response) => {
            tracing::info!(
                status = response.status().as_u16(),
                elapsed_ms,
                "request served"
            );
            if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
        }
        Err(error) => tracing::warn!(%error, elapsed_ms, "request failed"),
    }
    result
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[actix_web::test]
    async fn request_logs_carry_a_request_id_and_never_the_query_token() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_writer(captured.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .wrap(from_fn(request_span))
                .route("/ws", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/ws?token=secret.jwt.value&x=1")
            .to_request();
        let response = test::call_service(&app, request).await;

        let request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .unwrap()
            .to_str()
            .unwrap();
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("request served"), "{logs}");
        assert!(logs.contains(request_id), "{logs}");
        assert!(logs.contains("token=REDACTED&x=1"), "{logs}");
        assert!(!logs.contains("secret.jwt.value"), "{logs}");
    }
}
