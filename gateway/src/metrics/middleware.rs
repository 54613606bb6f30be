//! HTTP request metrics: a count by method, matched route pattern and status, and a duration
//! histogram. The route label is the pattern (`/api/v1/batches/{id}`), never the raw path, so
//! label cardinality stays bounded; requests that match no route share one label.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::Metrics;
use super::names::UNMATCHED_ROUTE;

/// Middleware (for `actix_web::middleware::from_fn`) recording every request in the app's
/// [`Metrics`] (taken from app data; requests pass untouched when there is none).
pub async fn record_http(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // Computed from the app's resource map before routing; holding a clone of the request
    // across `next` would stop the router from writing its match info.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let method = req.method().clone();
    let started = Instant::now();
    let result = next.call(req).await;
    if let Some(metrics) = metrics {
        let status = match &result {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        observe(&metrics, &method, &route, status, started);
    }
    result
}

/// Counts one served request and records its duration (also for the WebSocket upgrades that
/// actix-http hands over before the app and its middleware).
pub fn observe(
    metrics: &Metrics,
    method: &Method,
    route: &str,
    status: StatusCode,
    started: Instant,
) {
    let method = method_label(method);
    metrics
        .http_requests
        .with_label_values(&[method, route, status.as_str()])
        .inc();
    metrics
        .http_seconds
        .with_label_values(&[method, route])
        .observe(started.elapsed().as_secs_f64());
}

/// Standard methods by name; anything else as `other` (bounded cardinality).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::test::{TestRequest, call_service, init_service};
    use actix_web::{App, HttpResponse};
    use prometheus::Registry;

    use super::*;

    #[actix_web::test]
    async fn requests_are_counted_by_route_pattern_not_raw_path() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let app = init_service(
            App::new()
                .app_data(web::Data::new(metrics.clone()))
                .wrap(from_fn(record_http))
                .route("/items/{id}", web::get().to(HttpResponse::Ok)),
        )
        .await;
        for uri in ["/items/1", "/items/2", "/nowhere"] {
            call_service(&app, TestRequest::get().uri(uri).to_request()).await;
        }
        let counted = |route: &str, status: &str| {
            metrics
                .http_requests
                .with_label_values(&["GET", route, status])
                .get()
        };
        assert_eq!(counted("/items/{id}", "200"), 2);
        assert_eq!(counted(UNMATCHED_ROUTE, "404"), 1);
        let observed = metrics
            .http_seconds
            .with_label_values(&["GET", "/items/{id}"]);
        assert_eq!(observed.get_sample_count(), 2);
    }

    #[test]
    fn unusual_methods_share_one_label() {
        let custom = Method::from_bytes(b"PURGE").unwrap();
        assert_eq!(method_label(&custom), "other");
        assert_eq!(method_label(&Method::POST), "POST");
    }
}
