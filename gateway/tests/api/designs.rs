//! Saved designs over REST, on the embedded app and on Redis: a save is announced on `designs`
//! to a follower, then listed, read back, drawn (SVG) and meshed (STL).

use broker::Event;
use protocol::event::NewDesign;
use protocol::{Channel, DesignConfig, DesignResult, ParsedBeam, StoredEvent, StoredObject};
use serde_json::Value;
use testkit::RedisServer;

use crate::helpers::{BOUND, TestApp, spawn_app, spawn_cluster_app, token, unique_prefix};

const BEAM: &str =
    r#"{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500,"id":"B1"}"#;

/// The engine's result for `beam`, as the wire JSON.
fn engine_result(beam: &str) -> (Value, beam_design::Design) {
    let parsed: ParsedBeam = serde_json::from_str(beam).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let design = beam_design::design(&valid.beam);
    let result = DesignResult::new(&design, valid.record.id.as_deref(), valid.record.assumed);
    (serde_json::to_value(result).unwrap(), design)
}

/// The whole flow on `app`: save, announcement to a follower, list, get, svg, stl.
async fn save_follow_list_get_draw(app: &TestApp) {
    let (follower, mut events) = app.broker.subscriber(16).await.unwrap();
    follower.subscribe(&Channel::Designs).await.unwrap();

    let saved = app
        .post("/api/v1/designs", BEAM, Some(&token("alice", "design")))
        .await;
    assert_eq!(saved.status, 201, "{}", saved.text);
    let body = saved.json();
    let id = body["id"].as_str().unwrap().to_owned();
    let (expected, design) = engine_result(BEAM);
    assert_eq!(body["result"], expected);
    assert_eq!(body["owner"], "alice");
    assert_eq!(saved.header("location"), format!("/api/v1/designs/{id}"));
    assert_eq!(
        body["links"]["mesh"],
        format!("/api/v1/designs/{id}/mesh.stl")
    );

    let event = tokio::time::timeout(BOUND, events.recv())
        .await
        .unwrap()
        .unwrap();
    let Event::Message(m) = event else {
        panic!("expected the announcement, got {event:?}")
    };
    let StoredEvent::Object(StoredObject::NewDesign(n)) = StoredEvent::decode(&m.payload).unwrap()
    else {
        panic!("not a new_design")
    };
    assert_eq!(n, NewDesign::design(&id, design.status.as_str()));

    let list = app
        .get("/api/v1/designs?limit=5", Some(&token("bob", "batch")))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let list = list.json();
    assert_eq!(list["designs"][0]["id"], id.as_str());
    assert_eq!(list["designs"][0]["label"], "B1");

    let one = app
        .get(
            &format!("/api/v1/designs/{id}"),
            Some(&token("bob", "batch")),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    let one = one.json();
    assert_eq!(one["result"], expected);
    assert_eq!(one["beam"]["Mu"], 150.0);

    let (status, media, svg) = app
        .get_bytes(
            &format!("/api/v1/designs/{id}/section.svg"),
            &token("reader", "design"),
        )
        .await;
    assert_eq!((status, media.as_str()), (200, "image/svg+xml"));
    let svg = String::from_utf8(svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let bars = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    let designed_bars =
        design.tension.bars.count() + design.compression.map_or(0, |c| c.bars.count());
    assert_eq!(bars, usize::from(designed_bars));

    let (status, media, stl) = app
        .get_bytes(
            &format!("/api/v1/designs/{id}/mesh.stl"),
            &token("reader", "design"),
        )
        .await;
    assert_eq!((status, media.as_str()), (200, "model/stl"));
    let count = u32::from_le_bytes(stl[80..84].try_into().unwrap()) as usize;
    assert!(count > 12, "concrete, bars and stirrups");
    assert_eq!(stl.len(), 84 + 50 * count);
}

#[actix_web::test]
async fn a_saved_design_is_announced_listed_read_drawn_and_meshed_embedded() {
    let app = spawn_app().await;
    save_follow_list_get_draw(&app).await;
}

#[actix_web::test]
async fn a_saved_design_is_announced_listed_read_drawn_and_meshed_on_redis() {
    let redis = RedisServer::start();
    let app = spawn_cluster_app(&redis, &unique_prefix(), &[]).await;
    save_follow_list_get_draw(&app).await;
}

#[actix_web::test]
async fn save_true_on_a_design_request_saves_it_and_the_list_pages_newest_first() {
    let app = spawn_app().await;
    let plain = app.design(BEAM).await;
    assert_eq!(plain.status, 200, "without `save` nothing is stored");
    let mut ids = Vec::new();
    for _ in 0..3 {
        let with_save = BEAM.replacen('{', r#"{"save":true,"#, 1);
        let reply = app.design(&with_save).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        ids.push(reply.json()["id"].as_str().unwrap().to_owned());
    }
    let reader = token("reader", "design");
    let first = app
        .get("/api/v1/designs?limit=2", Some(&reader))
        .await
        .json();
    let page: Vec<&str> = first["designs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()]);
    let cursor = first["next"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/designs?limit=2&cursor={cursor}"),
            Some(&reader),
        )
        .await
        .json();
    assert_eq!(second["designs"][0]["id"], ids[0].as_str());
    assert_eq!(second["designs"].as_array().unwrap().len(), 1);
    assert_eq!(second["next"], Value::Null);
}

#[actix_web::test]
async fn unknown_designs_bad_cursors_bad_flags_and_missing_scopes_are_refused() {
    let app = spawn_app().await;
    let reader = token("reader", "design");
    let missing = format!("/api/v1/designs/{}", uuid::Uuid::now_v7());
    assert_eq!(app.get(&missing, Some(&reader)).await.status, 404);
    assert_eq!(
        app.get("/api/v1/designs/not-a-uuid/mesh.stl", Some(&reader))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/designs?cursor=x", Some(&reader))
            .await
            .status,
        400
    );
    assert_eq!(app.get("/api/v1/designs", None).await.status, 401);
    let batch_only = app
        .post("/api/v1/designs", BEAM, Some(&token("u", "batch")))
        .await;
    assert_eq!(batch_only.status, 403);
    let bad_flag = app
        .design(&BEAM.replacen('{', r#"{"save":"yes","#, 1))
        .await;
    assert_eq!(bad_flag.status, 422, "{}", bad_flag.text);
    let invalid = app
        .post("/api/v1/designs", r#"{"width":-1}"#, Some(&reader))
        .await;
    assert_eq!(invalid.status, 422);
    // Nothing was saved by the refused requests.
    let list = app.get("/api/v1/designs", Some(&reader)).await.json();
    assert_eq!(list["designs"], Value::Array(Vec::new()));
}
