//! `POST /api/v1/design`: the REST twin of the WebSocket's `design_beam`. The body is one beam
//! object (the same fields as `design_beam`'s `params`, seeds' names and units); the answer is
//! the same design result JSON as `design_result`'s `data`. Errors: 400 malformed JSON, 401/403
//! token or scope, 413 body over the frame cap, 422 every invalid field, 429 over the caller's
//! REST rate limit (with the `X-RateLimit-*` headers, also sent on success). With `"save": true`
//! in the body the design is also saved and the answer is `POST /api/v1/designs`'s 201.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use protocol::ParsedBeam;

use super::body::read_capped;
use super::{app_data, designs};
use crate::GatewayError;
use crate::auth::{Authenticated, Scope};
use crate::design::design_beam;
use crate::design_defaults::DesignDefaults;
use crate::metrics::Metrics;
use crate::rate_limit::RestRateLimit;
use crate::settings::Settings;

/// `POST /api/v1/design`.
pub async fn design(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    payload: web::Payload,
    state: DesignState,
) -> Result<HttpResponse, GatewayError> {
    principal.require(Scope::Design)?;
    let peer = req.peer_addr().map(|a| a.ip());
    let rate = state
        .rest_limit
        .admit(&principal, peer, &state.metrics)
        .await?;
    let body = read_capped(payload, state.settings.limits.max_frame_bytes).await?;
    let (beam_only, save) = designs::take_save_flag(&body)?;
    let parsed: ParsedBeam = serde_json::from_slice(beam_only.as_deref().unwrap_or(&body))
        .map_err(|e| GatewayError::BadRequest(format!("malformed JSON: {e}")))?;
    let config = state.defaults.current();
    let designed =
        design_beam(&parsed, &config, &state.metrics).map_err(GatewayError::Validation)?;
    let mut response = if save {
        // `save: true`: the same 201 as `POST /api/v1/designs`.
        let broker = app_data::<broker::Broker>(&req)?;
        designs::save(&broker, &principal, &designed).await?
    } else {
        HttpResponse::Ok().json(designed.result())
    };
    if let Some(rate) = rate {
        rate.write_headers(response.headers_mut());
    }
    Ok(response)
}

/// What the design route reads from app data.
pub struct DesignState {
    settings: web::Data<Settings>,
    defaults: web::Data<DesignDefaults>,
    metrics: web::Data<Metrics>,
    rest_limit: web::Data<RestRateLimit>,
}

impl FromRequest for DesignState {
    type Error = GatewayError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_app_data(req))
    }
}

impl DesignState {
    fn from_app_data(req: &HttpRequest) -> Result<Self, GatewayError> {
        Ok(Self {
            settings: app_data(req)?,
            defaults: app_data(req)?,
            metrics: app_data(req)?,
            rest_limit: app_data(req)?,
        })
    }
}
