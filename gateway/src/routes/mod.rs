//! Every HTTP route of the gateway, listed in [`configure`]; handlers live in one module per
//! resource.

pub mod body;
pub mod config;
pub mod design;
pub mod health;

use actix_web::{HttpResponse, web};

use crate::GatewayError;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/api/v1/design", web::post().to(design::design))
        .route("/api/v1/config", web::get().to(config::get))
        .route("/api/v1/config", web::put().to(config::put))
        .route("/ws/design/{session_id}", web::get().to(crate::ws::upgrade))
        .default_service(web::to(not_found));
}

/// Shared state of type `T` from app data (a missing one is a wiring bug: 500).
pub fn app_data<T: 'static>(req: &actix_web::HttpRequest) -> Result<web::Data<T>, GatewayError> {
    req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
        let name = std::any::type_name::<T>();
        GatewayError::Internal(anyhow::anyhow!("{name} missing from app data"))
    })
}

/// Unknown paths get the JSON error body too.
async fn not_found() -> Result<HttpResponse, GatewayError> {
    Err(GatewayError::NotFound("no such route".to_owned()))
}
