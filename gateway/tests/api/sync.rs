//! Embedded mode: multi-client sync of a session's results and config changes pushed to every
//! WebSocket client, over the in-memory broker.

use protocol::{DesignConfig, DesignResult, ParsedBeam};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, token, wait_until};
use crate::ws_client::{WsAuth, WsClient};

pub(crate) const BEAM: &str = r#"{"width":300,"depth":500,"Mu":150,"Vu":100}"#;

/// The engine's result for `BEAM` under `config`.
pub(crate) fn expected(config: &DesignConfig) -> Value {
    let parsed: ParsedBeam = serde_json::from_str(BEAM).unwrap();
    let valid = parsed.validate(config).unwrap();
    let design = beam_design::design(&valid.beam);
    serde_json::to_value(DesignResult::new(&design, None, valid.record.assumed)).unwrap()
}

/// Connects to `session` on `app` and reads the ack.
pub(crate) async fn open(app: &crate::helpers::TestApp, session: &str) -> WsClient {
    let token = token("user-1", "design");
    let mut ws = app.ws(session, WsAuth::Header(&token), None).await.unwrap();
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws
}

/// Sends `BEAM` as `design_beam` and returns the sender's reply.
pub(crate) async fn design(ws: &mut WsClient, request_id: u64) -> serde_json::Value {
    ws.send(format!(
        r#"{{"type":"design_beam","request_id":{request_id},"params":{BEAM}}}"#
    ))
    .await;
    ws.recv_type("design_result").await
}

/// The sender's next message after a `ping` is its `pong`: nothing else was queued for it.
pub(crate) async fn assert_nothing_else_queued(ws: &mut WsClient) {
    ws.send(r#"{"type":"ping","request_id":"p"}"#).await;
    let next = ws.recv().await;
    assert_eq!(next["type"], "pong", "unexpected message: {next}");
}

#[actix_web::test]
async fn another_tab_of_the_session_receives_the_result_and_the_sender_only_its_reply() {
    let app = spawn_app().await;
    let mut editor = open(&app, "shared").await;
    let mut viewer = open(&app, "shared").await;
    let mut elsewhere = open(&app, "other").await;

    let reply = design(&mut editor, 7).await;

    let synced = viewer.recv_type("design_result").await;
    assert_eq!(synced["channel"], "session:shared");
    assert_eq!(synced["offset"], 1);
    assert_eq!(synced["result"], reply["data"]);
    assert_eq!(synced["beam"]["width"], 300.0);
    assert_nothing_else_queued(&mut editor).await;
    assert_nothing_else_queued(&mut elsewhere).await;
}

#[actix_web::test]
async fn a_config_change_reaches_every_client_and_applies_to_later_designs() {
    let app = spawn_app().await;
    let mut ws = open(&app, "cfg").await;
    let admin = token("root", "admin");
    let mut config = app.get("/api/v1/config", Some(&admin)).await.json();
    assert_eq!(config["version"], 0);
    config["fck"] = json!(30.0);

    let stored = app.put("/api/v1/config", &config, &admin).await;

    assert_eq!(stored.status, 200, "{}", stored.text);
    assert_eq!(stored.json()["version"], 1);
    let pushed = ws.recv_type("config_updated").await;
    assert_eq!(pushed["channel"], "config");
    assert_eq!(pushed["config"]["fck"], 30.0);
    assert_eq!(pushed["config"]["version"], 1);
    let reply = design(&mut ws, 1).await;
    let m30 = DesignConfig {
        fck: 30.0,
        ..DesignConfig::default()
    };
    assert_eq!(reply["data"], expected(&m30));
    assert_ne!(reply["data"], expected(&DesignConfig::default()));
    assert_eq!(
        app.get("/api/v1/config", Some(&admin)).await.json()["fck"],
        30.0
    );
}

#[actix_web::test]
async fn config_changes_need_admin_the_current_version_and_valid_values() {
    let app = spawn_app().await;
    let admin = token("root", "admin");
    let config = app.get("/api/v1/config", Some(&admin)).await.json();
    let designer = token("user-1", "design");
    assert_eq!(
        app.put("/api/v1/config", &config, &designer).await.status,
        403
    );

    let mut bad = config.clone();
    bad["fck"] = json!(7.0);
    let refused = app.put("/api/v1/config", &bad, &admin).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json()["error"]["fields"][0]["field"], "fck");
    let mut unknown = config.clone();
    unknown["colour"] = json!("red");
    assert_eq!(
        app.put("/api/v1/config", &unknown, &admin).await.status,
        422
    );

    assert_eq!(app.put("/api/v1/config", &config, &admin).await.status, 200);
    let stale = app.put("/api/v1/config", &config, &admin).await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.json()["error"]["code"], "conflict");
}

#[actix_web::test]
async fn a_lone_editor_publishes_nothing_on_its_session_channel() {
    let app = spawn_app().await;
    let mut editor = open(&app, "alone").await;

    design(&mut editor, 1).await;
    design(&mut editor, 2).await;
    assert_nothing_else_queued(&mut editor).await;

    let skipped = r#"beamstream_gateway_session_syncs_total{outcome="skipped"} 2"#;
    wait_until("both syncs were considered", || async {
        app.metrics().await.contains(skipped)
    })
    .await;
    let channel = protocol::Channel::Session("alone".parse().unwrap());
    assert_eq!(app.broker.position(&channel).await.unwrap().offset, 0);
}
