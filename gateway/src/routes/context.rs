//! [`RestContext`]: what the REST routes of designs, items and batches read from app data, and
//! the caller's REST rate allowance.

use actix_web::{HttpRequest, web};
use broker::Broker;

use super::app_data;
use crate::GatewayError;
use crate::auth::Principal;
use crate::design_defaults::DesignDefaults;
use crate::metrics::Metrics;
use crate::rate_limit::{RateLimitStatus, RestRateLimit};
use crate::settings::Settings;

/// The shared state a REST route needs (an extractor, or built from a request).
pub struct RestContext {
    /// The broker: batches, the designs store.
    pub broker: web::Data<Broker>,
    /// Caps and retention.
    pub settings: web::Data<Settings>,
    /// Design defaults in force.
    pub defaults: web::Data<DesignDefaults>,
    /// The cluster-wide REST rate limit.
    pub rest_limit: web::Data<RestRateLimit>,
    /// Metrics.
    pub metrics: web::Data<Metrics>,
}

impl actix_web::FromRequest for RestContext {
    type Error = GatewayError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Self::from_app_data(req))
    }
}

impl RestContext {
    /// The context from `req`'s app data.
    pub fn from_app_data(req: &HttpRequest) -> Result<Self, GatewayError> {
        Ok(Self {
            broker: app_data(req)?,
            settings: app_data(req)?,
            defaults: app_data(req)?,
            rest_limit: app_data(req)?,
            metrics: app_data(req)?,
        })
    }

    /// Charges one request to the caller's REST allowance.
    pub async fn admit(
        &self,
        req: &HttpRequest,
        principal: &Principal,
    ) -> Result<Option<RateLimitStatus>, GatewayError> {
        let peer = req.peer_addr().map(|a| a.ip());
        self.rest_limit.admit(principal, peer, &self.metrics).await
    }
}
