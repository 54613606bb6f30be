//! `/healthz`, `/readyz`, `/metrics`, unknown routes.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let reply = app.healthz().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
}

#[actix_web::test]
async fn an_embedded_gateway_is_ready_at_start() {
    let app = spawn_app().await;
    let reply = app.readyz().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ready");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    app.healthz().await;
    app.healthz().await;
    app.get("/no/such/path", None).await;
    let text = app.metrics().await;
    let line =
        r#"beamstream_gateway_http_requests_total{method="GET",route="/healthz",status="200"} 2"#;
    assert!(text.contains(line), "{text}");
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(text.contains("beamstream_gateway_connections 0"), "{text}");
}

#[actix_web::test]
async fn unknown_routes_get_a_json_404() {
    let app = spawn_app().await;
    let reply = app.get("/nope", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "not_found");
}
