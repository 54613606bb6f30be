//! The browser UI (`web/` at the workspace root), compiled into the binary so a gateway image
//! needs no files beside it. Served at `/` with a strict Content-Security-Policy: the page may
//! only load its own scripts and styles and talk to its own origin (HTTP and WebSocket).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

use crate::GatewayError;

/// Every file of the UI: (URL path, content type, contents).
const ASSETS: [(&str, &str, &str); 7] = [
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../../../web/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/app.js"),
    ),
    (
        "/connection.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/connection.js"),
    ),
    (
        "/section.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/section.js"),
    ),
    (
        "/batch.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/batch.js"),
    ),
    (
        "/figures.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../web/figures.js"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_str!("../../../web/style.css"),
    ),
];

/// No inline script or style, no third-party origin; `connect-src` names ws:/wss: because not
/// every browser counts a same-host WebSocket as `'self'`; blob: is the CSV export download.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

/// The paths the UI is served at (for the route list).
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|(path, _, _)| *path)
}

/// Serves one UI file. Revalidated on every load (`no-cache`): the files are small and a
/// redeployed gateway must never serve a page that mixes two versions of the scripts.
pub async fn asset(req: HttpRequest) -> Result<HttpResponse, GatewayError> {
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(path, _, _)| *path == req.path())
        .ok_or_else(|| GatewayError::NotFound("no such file".to_owned()))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(*body))
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::test as actix_test;
    use actix_web::{App, web};

    use super::*;

    #[actix_web::test]
    async fn every_ui_file_is_served_with_its_type_and_the_security_headers() {
        let app = actix_test::init_service(App::new().configure(|cfg| {
            for path in paths() {
                cfg.route(path, web::get().to(asset));
            }
        }))
        .await;
        for (path, content_type, body) in ASSETS {
            let response = actix_test::call_service(
                &app,
                actix_test::TestRequest::get().uri(path).to_request(),
            )
            .await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            assert_eq!(
                header("content-type").as_deref(),
                Some(content_type),
                "{path}"
            );
            assert_eq!(
                header("content-security-policy").as_deref(),
                Some(CONTENT_SECURITY_POLICY)
            );
            assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
            assert_eq!(
                actix_test::read_body(response).await,
                body.as_bytes(),
                "{path}"
            );
        }
    }

    #[test]
    fn the_page_loads_only_files_that_are_served() {
        let page = ASSETS[0].2;
        for script in ["/app.js", "/style.css"] {
            assert!(page.contains(script), "index.html refers to {script}");
        }
        // Every module app.js imports is served too (a missing one breaks the page silently).
        let app = ASSETS[1].2;
        for module in app.lines().filter_map(|l| l.strip_prefix("import ")) {
            let file = module
                .rsplit('"')
                .nth(1)
                .unwrap_or_default()
                .trim_start_matches('.');
            assert!(
                paths().any(|p| p == file),
                "app.js imports {file}, which is not served"
            );
        }
    }
}
