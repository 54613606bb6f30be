//! `/ws/design/{session_id}` end to end: ack, both dialects, errors that keep the connection,
//! first-message auth, refusals before and after the upgrade, frame cap, drain.

use protocol::{DesignConfig, DesignResult, ParsedBeam};
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, token};
use crate::ws_client::WsAuth;

const BEAM: &str = r#"{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500}"#;

fn engine_result() -> Value {
    let parsed: ParsedBeam = serde_json::from_str(BEAM).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let design = beam_design::design(&valid.beam);
    serde_json::to_value(DesignResult::new(&design, None, valid.record.assumed)).unwrap()
}

#[actix_web::test]
async fn both_dialects_are_designed_inline_after_the_ack() {
    let app = spawn_app().await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();

    let ack = ws.recv().await;
    assert_eq!(ack["type"], "connection_ack");
    assert_eq!(ack["session_id"], "s-1");
    assert!(ack["expires_at"].as_u64().is_some());

    ws.send(format!(
        r#"{{"type":"design_beam","request_id":1,"params":{BEAM}}}"#
    ))
    .await;
    let canonical = ws.recv().await;
    assert_eq!(canonical["type"], "design_result");
    assert_eq!(canonical["request_id"], 1);
    assert_eq!(canonical["data"], engine_result());

    ws.send(format!(r#"{{"action":"design","beam":{BEAM}}}"#))
        .await;
    let action = ws.recv().await;
    assert_eq!(action["session_id"], "s-1");
    assert_eq!(action["result"], engine_result());
}

#[actix_web::test]
async fn the_ack_carries_session_node_heartbeat_protocol_version_and_limits_from_the_settings() {
    let app = spawn_app_with(&[
        ("NODE_ID", "gw-ack"),
        ("HEARTBEAT_INTERVAL", "7s"),
        ("HEARTBEAT_TIMEOUT", "3s"),
        ("MAX_FRAME_BYTES", "32768"),
        ("WS_MESSAGES_PER_SEC", "12"),
        ("MAX_SUBSCRIPTIONS_PER_CONNECTION", "5"),
        ("OUTBOUND_QUEUE_BYTES", "524288"),
    ])
    .await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-ack", WsAuth::Header(&token), None).await.unwrap();

    let ack = ws.recv().await;

    assert_eq!(ack["type"], "connection_ack");
    assert_eq!(ack["session_id"], "s-ack");
    assert_eq!(ack["node_id"], "gw-ack");
    assert!(
        ack["connection_id"]
            .as_str()
            .unwrap()
            .starts_with("gw-ack-")
    );
    assert_eq!(ack["protocol_version"], protocol::PROTOCOL_VERSION);
    assert_eq!(ack["protocol_version"], 1);
    assert_eq!(ack["heartbeat_interval_ms"], 7000);
    assert_eq!(ack["heartbeat_timeout_ms"], 3000);
    assert_eq!(ack["config_version"], 0);
    assert_eq!(
        ack["limits"],
        serde_json::json!({
            "max_frame_bytes": 32768,
            "messages_per_second": 12,
            "subscriptions": 5,
            "outbound_queue_bytes": 524288
        })
    );
    let decoded = protocol::ServerMessage::decode(&ack.to_string());
    assert!(
        decoded.is_ok(),
        "the ack decodes as a ServerMessage: {decoded:?}"
    );
}

#[actix_web::test]
async fn bad_messages_get_errors_and_the_connection_stays_open() {
    let app = spawn_app().await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();
    ws.recv().await;

    ws.send(r#"{"type":"design_beam","params":"#).await;
    assert_eq!(ws.recv().await["code"], "bad_request");
    ws.send(r#"{"type":"design_beam","request_id":2,"params":{"width":-1}}"#)
        .await;
    let invalid = ws.recv().await;
    assert_eq!(invalid["type"], "validation_error");
    assert_eq!(invalid["request_id"], 2);

    ws.send(r#"{"type":"ping","request_id":3}"#).await;
    assert_eq!(
        ws.recv().await,
        serde_json::json!({"type": "pong", "request_id": 3})
    );
}

#[actix_web::test]
async fn browsers_authenticate_with_the_first_message() {
    let app = spawn_app().await;
    let mut ws = app.ws("s-1", WsAuth::None, None).await.unwrap();
    let token = token("user-1", "design");
    ws.send(format!(
        r#"{{"type":"auth","request_id":"a","token":"{token}"}}"#
    ))
    .await;
    let ack = ws.recv().await;
    assert_eq!(ack["type"], "connection_ack");
    assert_eq!(ack["request_id"], "a");
}

#[actix_web::test]
async fn a_bad_first_message_token_closes_with_bad_token() {
    let app = spawn_app().await;
    let mut ws = app.ws("s-1", WsAuth::None, None).await.unwrap();
    ws.send(r#"{"type":"auth","token":"not.a.jwt"}"#).await;
    assert_eq!(ws.close_code().await, 4500);
}

#[actix_web::test]
async fn no_auth_before_the_deadline_closes_with_bad_request() {
    let app = spawn_app_with(&[("AUTH_DEADLINE", "200ms")]).await;
    let mut ws = app.ws("s-1", WsAuth::None, None).await.unwrap();
    assert_eq!(ws.close_code().await, 4502);
}

#[actix_web::test]
async fn bad_tokens_origins_and_full_sessions_are_refused_before_the_upgrade() {
    let app = spawn_app_with(&[("ALLOWED_ORIGINS", "https://app.example")]).await;
    let good = token("user-1", "design");
    let forged = format!("{}x", token("user-1", "design"));
    assert_eq!(
        app.ws("s-1", WsAuth::Header(&forged), None).await.err(),
        Some(401)
    );
    assert_eq!(
        app.ws("s-1", WsAuth::Header(&token("u", "batch")), None)
            .await
            .err(),
        Some(403)
    );
    let evil = Some("https://evil.example");
    assert_eq!(
        app.ws("s-1", WsAuth::Header(&good), evil).await.err(),
        Some(403)
    );

    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(
            app.ws("s-1", WsAuth::Header(&good), Some("https://app.example"))
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        app.ws("s-1", WsAuth::Header(&good), None).await.err(),
        Some(429)
    );
}

#[actix_web::test]
async fn an_oversize_frame_closes_with_1009() {
    let app = spawn_app_with(&[("MAX_FRAME_BYTES", "1024")]).await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();
    ws.recv().await;
    ws.send(format!(
        r#"{{"type":"ping","request_id":"{}"}}"#,
        "x".repeat(2048)
    ))
    .await;
    assert_eq!(ws.close_code().await, 1009);
}

#[actix_web::test]
async fn draining_tells_the_client_and_closes_with_the_reconnect_code() {
    let app = spawn_app().await;
    let token = token("user-1", "design");
    let mut ws = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();
    ws.recv().await;

    app.begin_shutdown();

    let notice = ws.recv().await;
    assert_eq!(notice["type"], "server_shutting_down");
    assert_eq!(ws.close_code().await, 4000);
    drop(ws);
    app.stopped().await.expect("clean stop");
}

#[actix_web::test]
async fn insecure_mode_serves_a_token_less_first_frame_as_anonymous() {
    let app = spawn_app_with(&[("INSECURE_ALLOW_NO_AUTH", "true")]).await;
    let mut ws = app.ws("s-1", WsAuth::None, None).await.unwrap();
    ws.send(format!(r#"{{"action":"design","beam":{BEAM}}}"#))
        .await;
    let ack = ws.recv().await;
    assert_eq!(ack["type"], "connection_ack");
    assert!(
        ack.get("expires_at").is_none(),
        "anonymous callers have no token to expire"
    );
    assert_eq!(ws.recv().await["result"], engine_result());
}

#[actix_web::test]
async fn a_full_session_closes_a_first_message_connection_with_connection_limit() {
    let app = spawn_app_with(&[("MAX_CONNECTIONS_PER_SESSION", "1")]).await;
    let token = token("user-1", "design");
    let mut first = app.ws("s-1", WsAuth::Header(&token), None).await.unwrap();
    first.recv().await;
    let mut second = app.ws("s-1", WsAuth::None, None).await.unwrap();
    second
        .send(format!(r#"{{"type":"auth","token":"{token}"}}"#))
        .await;
    assert_eq!(second.close_code().await, 4503);
}
