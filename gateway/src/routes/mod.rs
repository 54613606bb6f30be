//! Every HTTP route of the gateway, listed in [`configure`]; handlers live in one module per
//! resource.

pub mod batches;
pub mod body;
pub mod config;
pub mod context;
pub mod design;
pub mod designs;
pub mod events;
pub mod health;
pub mod items;
pub mod stream;
pub mod ui;

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
        .route("/api/v1/designs", web::post().to(designs::create))
        .route("/api/v1/designs", web::get().to(designs::list))
        .route("/api/v1/designs/{id}", web::get().to(designs::get))
        .route(
            "/api/v1/designs/{id}/section.svg",
            web::get().to(designs::section_svg),
        )
        .route(
            "/api/v1/designs/{id}/mesh.stl",
            web::get().to(designs::mesh_stl),
        )
        .route("/api/v1/batches", web::post().to(batches::create))
        .route("/api/v1/batches/{id}", web::get().to(batches::status))
        .route("/api/v1/batches/{id}", web::delete().to(batches::cancel))
        .route(
            "/api/v1/batches/{id}/results",
            web::get().to(batches::results::results),
        )
        .route(
            "/api/v1/batches/{id}/results.csv",
            web::get().to(batches::results::results_csv),
        )
        .route(
            "/api/v1/batches/{id}/items/{index}",
            web::get().to(items::get),
        )
        .route(
            "/api/v1/batches/{id}/items/{index}/section.svg",
            web::get().to(items::section_svg),
        )
        .route(
            "/api/v1/batches/{id}/items/{index}/mesh.stl",
            web::get().to(items::mesh_stl),
        )
        .route(
            "/stream/batch-design",
            web::post().to(stream::submit_and_stream),
        )
        .route("/stream/batch/{job_id}", web::get().to(stream::batch))
        .route("/events", web::get().to(events::events))
        .route("/ws/design/{session_id}", web::get().to(crate::ws::upgrade));
    // The browser UI: `/` and the page's scripts and stylesheet.
    for path in ui::paths() {
        cfg.route(path, web::get().to(ui::asset));
    }
    cfg.default_service(web::to(not_found));
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
