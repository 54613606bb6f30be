//! `POST /api/v1/design`: the REST twin of the WebSocket's `design_beam`. The body is one beam
//! object (the same fields as `design_beam`'s `params`, seeds' names and units); the answer is
//! the same design result JSON as `design_result`'s `data`. Errors: 400 malformed JSON, 401/403
//! token or scope, 413 body over the frame cap, 422 every invalid field.

use actix_web::{HttpResponse, web};
use protocol::ParsedBeam;

use super::body::read_capped;
use crate::GatewayError;
use crate::auth::{Authenticated, Scope};
use crate::design::design_beam;
use crate::design_defaults::DesignDefaults;
use crate::metrics::Metrics;
use crate::settings::Settings;

/// `POST /api/v1/design`.
pub async fn design(
    Authenticated(principal): Authenticated,
    payload: web::Payload,
    settings: web::Data<Settings>,
    defaults: web::Data<DesignDefaults>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, GatewayError> {
    principal.require(Scope::Design)?;
    let body = read_capped(payload, settings.limits.max_frame_bytes).await?;
    let parsed: ParsedBeam = serde_json::from_slice(&body)
        .map_err(|e| GatewayError::BadRequest(format!("malformed JSON: {e}")))?;
    let designed =
        design_beam(&parsed, &defaults.current(), &metrics).map_err(GatewayError::Validation)?;
    Ok(HttpResponse::Ok().json(designed.result()))
}
