//! WebSocket limits over time: the message budget, the heartbeat, the token's expiry.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use crate::helpers::{TEST_SECRET, spawn_app_with, token};
use crate::ws_client::WsAuth;

#[actix_web::test]
async fn messages_over_budget_get_errors_and_persistent_abusers_are_closed() {
    let app = spawn_app_with(&[("WS_MESSAGES_PER_SEC", "2")]).await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();
    ws.recv().await;

    for n in 0..5 {
        ws.send(format!(r#"{{"type":"ping","request_id":{n}}}"#))
            .await;
    }

    assert_eq!(ws.recv().await["type"], "pong");
    assert_eq!(ws.recv().await["type"], "pong");
    for _ in 0..2 {
        let refused = ws.recv().await;
        assert_eq!(refused["type"], "error");
        assert_eq!(refused["code"], "rate_limited");
    }
    assert_eq!(
        ws.close_code().await,
        4502,
        "the fifth message is one refusal too many"
    );
}

#[actix_web::test]
async fn a_silent_client_is_closed_as_stale() {
    let app = spawn_app_with(&[
        ("HEARTBEAT_INTERVAL", "100ms"),
        ("HEARTBEAT_TIMEOUT", "100ms"),
    ])
    .await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();
    ws.recv().await;
    assert_eq!(ws.close_code().await, 4004);
}

#[actix_web::test]
async fn an_expiring_token_is_warned_about_then_the_connection_closes() {
    let app = spawn_app_with(&[("TOKEN_EXPIRING_LEAD", "60s")]).await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"sub": "user-1", "scope": "design", "exp": now + 1});
    let key = EncodingKey::from_secret(TEST_SECRET.as_bytes());
    let short_lived = jsonwebtoken::encode(&Header::default(), &claims, &key).unwrap();
    let mut ws = app
        .ws("s-1", WsAuth::Header(&short_lived), None)
        .await
        .unwrap();
    assert_eq!(ws.recv().await["type"], "connection_ack");

    let warning = ws.recv().await;
    assert_eq!(warning["type"], "token_expiring");
    assert_eq!(warning["expires_at"], now + 1);
    assert_eq!(ws.close_code().await, 4003);
}
