//! `GET /api/v1/config` and `PUT /api/v1/config`: the versioned design defaults applied to every
//! later design on every gateway.
//!
//! - GET (any authenticated caller): the config in force, `DesignConfig` JSON with its `version`.
//! - PUT (`admin` scope): a whole `DesignConfig` whose `version` is the one the change is based
//!   on (compare-and-set). 200 with the stored config and its new version; 409 when another
//!   change landed first (re-read, retry); 400 malformed JSON; 422 unknown or mistyped fields,
//!   or defaults that cannot design a beam; 503 when the broker is unavailable. A change is
//!   announced as `config_updated` on the `config` channel, in the same broker step, and every
//!   gateway pushes it to its WebSocket clients.

use actix_web::{HttpRequest, HttpResponse, web};
use protocol::DesignConfig;
use protocol::validation::ValidationError;

use super::body::read_capped;
use crate::GatewayError;
use crate::auth::{Authenticated, Scope};
use crate::config_store::{ConfigPutError, ConfigStore, validate};
use crate::metrics::Metrics;
use crate::rate_limit::{RateLimitStatus, RestRateLimit};
use crate::settings::Settings;

/// `GET /api/v1/config`.
pub async fn get(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    config: web::Data<ConfigStore>,
    rest_limit: web::Data<RestRateLimit>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, GatewayError> {
    let peer = req.peer_addr().map(|a| a.ip());
    let rate = rest_limit.admit(&principal, peer, &metrics).await?;
    Ok(with_rate(HttpResponse::Ok().json(&*config.current()), rate))
}

/// `PUT /api/v1/config`.
pub async fn put(
    req: HttpRequest,
    Authenticated(principal): Authenticated,
    payload: web::Payload,
    state: ConfigState,
) -> Result<HttpResponse, GatewayError> {
    principal.require(Scope::Admin)?;
    let peer = req.peer_addr().map(|a| a.ip());
    let rate = state
        .rest_limit
        .admit(&principal, peer, &state.metrics)
        .await?;
    let body = read_capped(payload, state.settings.limits.max_frame_bytes).await?;
    let proposed = parse(&body)?;
    validate(&proposed).map_err(GatewayError::Validation)?;
    let stored = state.config.put(proposed).await.map_err(|e| match e {
        ConfigPutError::Conflict { .. } => GatewayError::Conflict(e.to_string()),
        ConfigPutError::Broker(e) => GatewayError::Unavailable {
            message: format!("the config store is unavailable: {e}"),
            retry_after: None,
        },
    })?;
    tracing::info!(version = stored.version, user = %principal.user(), "design defaults changed");
    Ok(with_rate(HttpResponse::Ok().json(&stored), rate))
}

/// A config from JSON: 400 when it is not JSON, 422 when fields are unknown or mistyped.
fn parse(body: &[u8]) -> Result<DesignConfig, GatewayError> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            GatewayError::Validation(vec![ValidationError::new("config", e.to_string())])
        } else {
            GatewayError::BadRequest(format!("malformed JSON: {e}"))
        }
    })
}

fn with_rate(mut response: HttpResponse, rate: Option<RateLimitStatus>) -> HttpResponse {
    if let Some(rate) = rate {
        rate.write_headers(response.headers_mut());
    }
    response
}

/// What `PUT /api/v1/config` reads from app data.
pub struct ConfigState {
    settings: web::Data<Settings>,
    config: web::Data<ConfigStore>,
    rest_limit: web::Data<RestRateLimit>,
    metrics: web::Data<Metrics>,
}

impl actix_web::FromRequest for ConfigState {
    type Error = GatewayError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Self::from_app_data(req))
    }
}

impl ConfigState {
    fn from_app_data(req: &HttpRequest) -> Result<Self, GatewayError> {
        Ok(Self {
            settings: super::app_data(req)?,
            config: super::app_data(req)?,
            rest_limit: super::app_data(req)?,
            metrics: super::app_data(req)?,
        })
    }
}
