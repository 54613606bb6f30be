//! Operations endpoints: `/healthz` (the process is alive), `/readyz` (send traffic here: not
//! draining, broker healthy) and `/metrics` (Prometheus text format).

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::GatewayError;
use crate::metrics::Metrics;
use crate::readiness::Readiness;

/// Prometheus text exposition content type.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /healthz`: 200 while the process serves HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /readyz`: 200 when ready, else 503 with the reason.
pub async fn readyz(readiness: web::Data<Readiness>) -> Result<HttpResponse, GatewayError> {
    readiness
        .check()
        .map_err(|reason| GatewayError::Unavailable {
            message: reason.to_string(),
            retry_after: None,
        })?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

/// `GET /metrics`: every metric of this gateway.
pub async fn metrics(metrics: web::Data<Metrics>) -> Result<HttpResponse, GatewayError> {
    let text = metrics.render().map_err(anyhow::Error::from)?;
    Ok(HttpResponse::Ok().content_type(PROMETHEUS_TEXT).body(text))
}
