//! `POST /api/v1/design`: results equal the engine's, and every error has its status and body.

use protocol::{DesignConfig, DesignResult, ParsedBeam};
use serde_json::Value;

use crate::helpers::{spawn_app, token};

const BEAM: &str =
    r#"{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500,"id":"B1"}"#;

/// What the engine says about `beam`, as the wire JSON.
fn engine_result(beam: &str) -> Value {
    let parsed: ParsedBeam = serde_json::from_str(beam).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let design = beam_design::design(&valid.beam);
    let result = DesignResult::new(&design, valid.record.id.as_deref(), valid.record.assumed);
    serde_json::to_value(result).unwrap()
}

#[actix_web::test]
async fn a_valid_beam_gets_the_engines_design() {
    let app = spawn_app().await;
    let reply = app.design(BEAM).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body, engine_result(BEAM));
    assert_eq!(body["id"], "B1");
    assert_eq!(body["mode"], "design");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("beamstream_gateway_designs_total 1"),
        "{metrics}"
    );
}

#[actix_web::test]
async fn an_invalid_beam_gets_422_listing_every_field() {
    let app = spawn_app().await;
    let reply = app
        .design(r#"{"width":-300,"depth":500,"Mu":150,"Vu":100,"fck":22,"widht":1}"#)
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for field in ["width", "fck", "widht"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
}

#[actix_web::test]
async fn malformed_json_gets_400() {
    let app = spawn_app().await;
    let reply = app.design(r#"{"width": 300,"#).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "bad_request");
}

#[actix_web::test]
async fn a_body_over_the_cap_gets_413() {
    let app = spawn_app().await;
    let padding = "x".repeat(70 * 1024);
    let reply = app.design(&format!(r#"{{"id":"{padding}"}}"#)).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["error"]["code"], "payload_too_large");
}

#[actix_web::test]
async fn a_missing_or_bad_token_gets_401_and_is_counted() {
    let app = spawn_app().await;
    let missing = app.post("/api/v1/design", BEAM, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["error"]["code"], "unauthorized");
    let forged = format!("{}x", token("user-1", "design"));
    assert_eq!(
        app.post("/api/v1/design", BEAM, Some(&forged)).await.status,
        401
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"auth_failures_total{reason="missing_token"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"auth_failures_total{reason="bad_signature"} 1"#),
        "{metrics}"
    );
}

#[actix_web::test]
async fn a_token_without_the_design_scope_gets_403() {
    let app = spawn_app().await;
    let reply = app
        .post("/api/v1/design", BEAM, Some(&token("user-1", "batch")))
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"]["code"], "forbidden");
}

#[actix_web::test]
async fn the_seeds_query_token_is_accepted() {
    let app = spawn_app().await;
    let path = format!("/api/v1/design?token={}", token("user-1", "design"));
    assert_eq!(app.post(&path, BEAM, None).await.status, 200);
}

/// A limiter that refuses everyone, with a fixed status; or fails, when `broken`.
struct Fixed {
    broken: bool,
}

impl gateway::rate_limit::RateLimiter for Fixed {
    fn check<'a>(
        &'a self,
        _key: &'a str,
        limit: u32,
        _period: std::time::Duration,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<gateway::rate_limit::RateLimitStatus>>
    {
        Box::pin(async move {
            anyhow::ensure!(!self.broken, "limiter store down");
            Ok(gateway::rate_limit::RateLimitStatus {
                limit,
                remaining: 0,
                reset_after: std::time::Duration::from_millis(2500),
                retry_after: Some(std::time::Duration::from_millis(1500)),
            })
        })
    }
}

#[actix_web::test]
async fn an_injected_limiter_refuses_with_429_and_a_broken_one_lets_requests_through() {
    use gateway::startup::Seams;

    use crate::helpers::spawn_app_with_seams;

    let seams = |broken| Seams {
        rate_limiter: Some(std::sync::Arc::new(Fixed { broken })),
    };
    let refusing = spawn_app_with_seams(&[], seams(false)).await;
    let refused = refusing.design(BEAM).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), "2");
    assert_eq!(refused.header("x-ratelimit-reset"), "3");
    assert_eq!(refused.header("x-ratelimit-limit"), "600");

    let failing = spawn_app_with_seams(&[], seams(true)).await;
    let served = failing.design(BEAM).await;
    assert_eq!(served.status, 200, "the limit fails open");
    assert!(!served.headers.contains_key("x-ratelimit-limit"));
}
