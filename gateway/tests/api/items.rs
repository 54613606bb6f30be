//! Batch items over REST, on the embedded app and on Redis: a batch submitted through
//! `POST /api/v1/batches` runs to completion, then one beam from the middle of a later chunk is
//! read (`items/{index}`), drawn (`section.svg`) and meshed (`mesh.stl`); the owner rule holds;
//! a beam without a result, an index out of range and an error row each answer as documented.

use serde_json::Value;
use testkit::RedisServer;
use tokio_util::sync::CancellationToken;

use crate::batch_client::{beam, beams, expected, run_worker};
use crate::helpers::{BOUND, TestApp, spawn_app_with, spawn_cluster_app, token, unique_prefix};

/// Beams per chunk in these tests, so a 350-beam batch has four chunks.
const CHUNK: &str = "100";
/// An index in the middle of the third chunk.
const MIDDLE_OF_A_LATER_CHUNK: usize = 250;

/// Bars in a result: every group of the tension and the compression steel.
fn bar_count(result: &Value) -> u64 {
    ["tension", "compression"]
        .iter()
        .filter_map(|face| result[face]["groups"].as_array())
        .flatten()
        .map(|g| g["count"].as_u64().unwrap())
        .sum()
}

/// The whole flow on `app`, whose workers design the batch.
async fn a_later_item_is_read_drawn_meshed_and_kept_from_others(app: &TestApp) {
    let alice = token("alice", "batch");
    let job = app.submit_ok(&beams(350), &alice).await;
    app.wait_for_status(&job, "completed", &alice).await;
    let i = MIDDLE_OF_A_LATER_CHUNK;
    let path = format!("/api/v1/batches/{job}/items/{i}");

    let item = app.get(&path, Some(&alice)).await;
    assert_eq!(item.status, 200, "{}", item.text);
    let item = item.json();
    assert_eq!(item["index"], i);
    assert_eq!(item["job_id"], job.as_str());
    assert_eq!(item["result"], expected(&beam(i)));
    assert_eq!(item["beam"]["Mu"], (60 + i % 90) as f64, "the beam as sent");
    assert_eq!(item["beam"]["id"], format!("B{i}"));
    assert_eq!(item["links"]["section"], format!("{path}/section.svg"));

    let (status, media, svg) = app.get_bytes(&format!("{path}/section.svg"), &alice).await;
    assert_eq!((status, media.as_str()), (200, "image/svg+xml"));
    let svg = String::from_utf8(svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(circles as u64, bar_count(&item["result"]));
    assert!(circles >= 2, "a designed beam has bars: {circles}");

    let (status, media, stl) = app.get_bytes(&format!("{path}/mesh.stl"), &alice).await;
    assert_eq!((status, media.as_str()), (200, "model/stl"));
    let triangles = u32::from_le_bytes(stl[80..84].try_into().unwrap()) as usize;
    assert!(triangles > 12, "concrete, bars and stirrups");
    assert_eq!(stl.len(), 84 + 50 * triangles);

    let bob = token("bob", "batch");
    for suffix in ["", "/section.svg", "/mesh.stl"] {
        let foreign = app.get(&format!("{path}{suffix}"), Some(&bob)).await;
        assert_eq!(foreign.status, 403, "{suffix}: {}", foreign.text);
        assert_eq!(foreign.json()["error"]["code"], "forbidden");
    }
    let admin = app.get(&path, Some(&token("root", "admin"))).await;
    assert_eq!(admin.status, 200, "an admin reads every batch");

    let outside = app
        .get(&format!("/api/v1/batches/{job}/items/350"), Some(&alice))
        .await;
    assert_eq!(outside.status, 404);
    let message = outside.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("out of range"), "{message}");
    assert!(message.contains("350 beams"), "{message}");
    for malformed in ["abc", "-1", "1.5"] {
        let reply = app
            .get(
                &format!("/api/v1/batches/{job}/items/{malformed}"),
                Some(&alice),
            )
            .await;
        assert_eq!(reply.status, 404, "{malformed}: {}", reply.text);
    }
}

#[actix_web::test]
async fn a_batch_item_is_read_drawn_and_meshed_by_its_owner_only_embedded() {
    let app = spawn_app_with(&[("BATCH_CHUNK_SIZE", CHUNK)]).await;
    a_later_item_is_read_drawn_meshed_and_kept_from_others(&app).await;
}

#[actix_web::test]
async fn a_batch_item_is_read_drawn_and_meshed_by_its_owner_only_on_redis() {
    let redis = RedisServer::start();
    let app = spawn_cluster_app(&redis, &unique_prefix(), &[("BATCH_CHUNK_SIZE", CHUNK)]).await;
    let stop = CancellationToken::new();
    run_worker(&app.broker, &stop);
    a_later_item_is_read_drawn_meshed_and_kept_from_others(&app).await;
    stop.cancel();
}

/// Designs every queued chunk of `app`'s broker as a worker would, except that beam `failing`
/// comes back as an `error` row (the engine refusing it), then acks.
async fn work_with_one_error_row(app: &TestApp, chunks: usize, failing: u32) {
    for _ in 0..chunks {
        let claim = app
            .broker
            .fetch("hand-worker", BOUND)
            .await
            .unwrap()
            .expect("a queued chunk");
        let beams = design_worker::designer::decode(&claim.payload).unwrap();
        let mut results = design_worker::designer::design_slice(claim.first_beam, beams);
        for r in results.iter_mut().filter(|r| r.index == failing) {
            *r = design_worker::designer::failure(failing, "fck: refused by the engine");
        }
        app.broker.emit(&claim, &results).await.unwrap();
        app.broker.ack(&claim).await.unwrap();
    }
}

#[actix_web::test]
async fn an_item_without_a_result_yet_is_404_and_an_error_row_shows_its_error() {
    let app = spawn_app_with(&[("BATCH_CHUNK_SIZE", CHUNK), ("EMBEDDED_WORKERS", "0")]).await;
    let alice = token("alice", "batch");
    let job = app.submit_ok(&beams(250), &alice).await;
    let path = format!("/api/v1/batches/{job}/items/150");

    let early = app.get(&path, Some(&alice)).await;
    assert_eq!(early.status, 404);
    let message = early.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("no result yet"), "{message}");

    work_with_one_error_row(&app, 3, 150).await;
    app.wait_for_status(&job, "completed", &alice).await;

    let failed = app.get(&path, Some(&alice)).await;
    assert_eq!(failed.status, 200, "{}", failed.text);
    let failed = failed.json();
    assert_eq!(failed["index"], 150);
    assert_eq!(failed["error"], "fck: refused by the engine");
    assert!(failed.get("result").is_none(), "{failed}");
    let (status, _, _) = app.get_bytes(&format!("{path}/section.svg"), &alice).await;
    assert_eq!(status, 404, "an error row has no drawing");

    let neighbour = app
        .get(&format!("/api/v1/batches/{job}/items/151"), Some(&alice))
        .await;
    assert_eq!(neighbour.json()["result"], expected(&beam(151)));
}
