//! `save: true` on a WebSocket `design_beam`, over real sockets: the reply carries the saved id
//! and links, `GET /api/v1/designs/{id}` returns the design, and another connection following
//! `designs` receives its `new_design` — on the embedded app, and on Redis across two gateways.
//! Also: the seeds' `action` dialect saves too, no `save` stores nothing, and a store failure is
//! an `unavailable` error on a connection that stays open.

use serde_json::{Value, json};
use testkit::RedisServer;

use crate::batch_client::expected;
use crate::helpers::{TestApp, spawn_app, spawn_cluster_app, token, unique_prefix};
use crate::ws_client::{WsAuth, WsClient};

const BEAM: &str =
    r#"{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500,"id":"B7"}"#;

/// A connection of `user` on `session`, past its `connection_ack`.
async fn connect(app: &TestApp, session: &str, user: &str) -> WsClient {
    let bearer = token(user, "design");
    let mut ws = app
        .ws(session, WsAuth::Header(&bearer), None)
        .await
        .unwrap();
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws
}

/// A connection following the `designs` channel from its head.
async fn designs_follower(app: &TestApp) -> WsClient {
    let mut ws = connect(app, "watcher", "bob").await;
    ws.send(r#"{"type":"subscribe","request_id":"f","channel":"designs"}"#)
        .await;
    let subscribed = ws.recv_type("subscribed").await;
    assert_eq!(subscribed["channel"], "designs");
    ws
}

/// Saves [`BEAM`] over a WebSocket on `editor_app`, reads it back over REST on `reader_app`, and
/// checks the follower (connected to `reader_app`) got its announcement.
async fn save_read_back_and_announce(editor_app: &TestApp, reader_app: &TestApp) {
    let mut follower = designs_follower(reader_app).await;
    let mut editor = connect(editor_app, "editor", "alice").await;

    editor
        .send(format!(
            r#"{{"type":"design_beam","request_id":"s-1","params":{BEAM},"save":true}}"#
        ))
        .await;

    let reply = editor.recv_type("design_result").await;
    assert_eq!(reply["request_id"], "s-1");
    assert_eq!(reply["data"], expected(BEAM));
    let id = reply["saved"]["id"]
        .as_str()
        .expect("a saved id")
        .to_owned();
    let base = format!("/api/v1/designs/{id}");
    let links = json!({"self": base, "section": format!("{base}/section.svg"),
                       "mesh": format!("{base}/mesh.stl")});
    assert_eq!(reply["saved"]["links"], links);

    let stored = reader_app.get(&base, Some(&token("carol", "design"))).await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    let stored = stored.json();
    assert_eq!(stored["owner"], "alice");
    assert_eq!(stored["result"], expected(BEAM));
    assert_eq!(stored["links"], links);

    let announced = follower.recv_type("new_design").await;
    assert_eq!(announced["channel"], "designs");
    assert_eq!(announced["id"], id.as_str());
    assert_eq!(announced["kind"], "design");
    assert_eq!(announced["status"], reply["data"]["status"]);
    assert_eq!(announced["mesh"], links["mesh"]);
}

#[actix_web::test]
async fn save_true_over_a_websocket_is_stored_readable_and_announced_embedded() {
    let app = spawn_app().await;
    save_read_back_and_announce(&app, &app).await;
}

#[actix_web::test]
async fn save_true_over_a_websocket_is_stored_readable_and_announced_across_gateways_on_redis() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let a = spawn_cluster_app(&redis, &prefix, &[]).await;
    let b = spawn_cluster_app(&redis, &prefix, &[]).await;
    save_read_back_and_announce(&a, &b).await;
}

/// The ids in `GET /api/v1/designs`, newest first.
async fn listed(app: &TestApp) -> Vec<Value> {
    let list = app
        .get("/api/v1/designs", Some(&token("carol", "design")))
        .await
        .json();
    list["designs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect()
}

#[actix_web::test]
async fn the_action_dialect_saves_too_and_without_save_nothing_is_stored() {
    let app = spawn_app().await;
    let mut ws = connect(&app, "seed", "alice").await;

    ws.send(format!(r#"{{"type":"design_beam","params":{BEAM}}}"#))
        .await;
    let plain = ws.recv_type("design_result").await;
    ws.send(format!(
        r#"{{"action":"design","beam":{BEAM},"save":true}}"#
    ))
    .await;
    let action = ws.recv_type("design_result").await;

    assert_eq!(plain.get("saved"), None, "no `save`, no `saved`");
    assert_eq!(action["session_id"], "seed");
    assert_eq!(action["result"], expected(BEAM));
    let id = action["saved"]["id"].clone();
    assert_eq!(listed(&app).await, [id], "only the saved design is stored");
}

#[actix_web::test]
async fn a_store_failure_is_an_unavailable_error_and_the_connection_stays_open() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let app = spawn_cluster_app(&redis, &prefix, &[]).await;
    let mut ws = connect(&app, "editor", "alice").await;
    // A save sequence that is not a number makes the store script's INCR fail.
    let seq = format!("{prefix}{{c:designs}}:seq");
    redis.command(&["SET", &seq, "not-a-number"]).unwrap();

    ws.send(format!(
        r#"{{"type":"design_beam","request_id":9,"params":{BEAM},"save":true}}"#
    ))
    .await;
    let failed = ws.recv().await;
    ws.send(format!(
        r#"{{"type":"design_beam","request_id":10,"params":{BEAM}}}"#
    ))
    .await;
    let next = ws.recv_type("design_result").await;

    assert_eq!(failed["type"], "error", "{failed}");
    assert_eq!(failed["code"], "unavailable");
    assert_eq!(failed["request_id"], 9);
    assert_eq!(next["request_id"], 10, "the connection still designs");
    assert_eq!(next["data"], expected(BEAM));
    assert_eq!(listed(&app).await, Vec::<Value>::new());
}
