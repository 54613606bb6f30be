//! REST batches (embedded mode, in-process worker): submit, status, paged results, CSV export,
//! cancel, limits, idempotency, and the ownership rule.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::batch_client::{beam, beams, expected};
use crate::helpers::{spawn_app, spawn_app_with, token};

#[actix_web::test]
async fn a_json_batch_is_accepted_designed_and_paged_by_its_owner() {
    let app = spawn_app().await;
    let alice = token("alice", "batch");

    let reply = app.submit(&beams(50), &alice).await;

    assert_eq!(reply.status, 202, "{}", reply.text);
    let body = reply.json();
    let job = body["job_id"].as_str().unwrap().to_owned();
    assert_eq!(body["total"], 50);
    assert_eq!(body["links"]["stream"], format!("/stream/batch/{job}"));
    assert_eq!(reply.header("location"), format!("/api/v1/batches/{job}"));
    app.wait_for_status(&job, "completed", &alice).await;
    let status = app
        .get(&format!("/api/v1/batches/{job}"), Some(&alice))
        .await
        .json();
    assert_eq!(
        (status["done"].as_u64(), status["failed"].as_u64()),
        (Some(50), Some(0))
    );
    assert_eq!(status["percent"], 100.0);
    let results = app.all_results(&job, &alice, 20).await;
    let by_index: BTreeMap<u64, Value> = results.iter().cloned().collect();
    assert_eq!(results.len(), 50, "each beam exactly once");
    assert_eq!(
        by_index.keys().copied().collect::<Vec<_>>(),
        (0..50).collect::<Vec<_>>()
    );
    for (index, item) in &by_index {
        let i = usize::try_from(*index).unwrap();
        assert_eq!(item["result"], expected(&beam(i)), "beam {i}");
        assert_eq!(item["beam"]["id"], format!("B{i}"));
    }
}

#[actix_web::test]
async fn three_bad_rows_among_a_thousand_are_listed_and_nothing_is_queued() {
    // No worker: anything queued would stay in the queue for the assertion to see.
    let app = spawn_app_with(&[("EMBEDDED_WORKERS", "0")]).await;
    let alice = token("alice", "batch");
    let mut rows: Vec<String> = (0..1000).map(beam).collect();
    rows[17] = r#"{"width":300,"depth":-500,"Mu":100}"#.to_owned();
    rows[512] = r#"{"width":300,"depth":500,"Mu":100,"fck":22}"#.to_owned();
    rows[999] = r#"{"widht":300,"depth":500,"Mu":100}"#.to_owned();

    let reply = app.submit(&format!("[{}]", rows.join(",")), &alice).await;

    assert_eq!(reply.status, 422, "{}", reply.text);
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "validation_failed");
    let fields = error["fields"].as_array().unwrap();
    let rows_named: Vec<(u64, &str)> = fields
        .iter()
        .map(|f| (f["index"].as_u64().unwrap(), f["field"].as_str().unwrap()))
        .collect();
    assert!(rows_named.contains(&(17, "depth")), "{rows_named:?}");
    assert!(rows_named.contains(&(512, "fck")), "{rows_named:?}");
    assert!(rows_named.contains(&(999, "widht")), "{rows_named:?}");
    let mut indices: Vec<u64> = rows_named.iter().map(|(i, _)| *i).collect();
    indices.dedup();
    assert_eq!(indices, [17, 512, 999]);
    assert!(
        fields
            .iter()
            .all(|f| !f["message"].as_str().unwrap().is_empty())
    );
    assert_eq!(app.broker.pending_len().await.unwrap(), 0, "nothing queued");
    app.submit_ok(&beams(3), &alice).await;
    assert_eq!(
        app.broker.pending_len().await.unwrap(),
        1,
        "a valid batch is queued"
    );
}

#[actix_web::test]
async fn another_user_cannot_read_stream_or_cancel_a_batch_and_an_unknown_id_looks_the_same() {
    let app = spawn_app_with(&[("EMBEDDED_WORKERS", "0")]).await;
    let (alice, bob, root) = (
        token("alice", "batch"),
        token("bob", "batch"),
        token("root", "admin"),
    );
    let job = app.submit_ok(&beams(5), &alice).await;
    let unknown = uuid::Uuid::now_v7().to_string();

    for id in [job.as_str(), unknown.as_str()] {
        let status = app.get(&format!("/api/v1/batches/{id}"), Some(&bob)).await;
        let results = app
            .get(&format!("/api/v1/batches/{id}/results"), Some(&bob))
            .await;
        let stream = app.get(&format!("/stream/batch/{id}"), Some(&bob)).await;
        let cancel = app
            .call("DELETE", &format!("/api/v1/batches/{id}"), &[], "", &bob)
            .await;
        for reply in [&status, &results, &stream, &cancel] {
            assert_eq!(reply.status, 403, "{id}: {}", reply.text);
            assert_eq!(
                reply.json(),
                status.json(),
                "one answer for foreign and unknown ids"
            );
        }
    }
    let as_admin = app
        .get(&format!("/api/v1/batches/{job}"), Some(&root))
        .await;
    assert_eq!(
        (as_admin.status, as_admin.json()["owner"].as_str()),
        (200, Some("alice"))
    );
    let unknown_to_admin = app
        .get(&format!("/api/v1/batches/{unknown}"), Some(&root))
        .await;
    assert_eq!(unknown_to_admin.status, 404);
    let still = app
        .get(&format!("/api/v1/batches/{job}"), Some(&alice))
        .await
        .json();
    assert_eq!(still["status"], "queued", "bob's cancel changed nothing");
}

#[actix_web::test]
async fn csv_in_comes_back_as_a_csv_export_of_the_same_beams() {
    let app = spawn_app().await;
    let alice = token("alice", "batch");
    let mut csv = String::from("id,width,depth,length,Mu,Vu,fck,fy\n");
    for i in 0..30 {
        let id = if i % 7 == 0 {
            format!("\"B{i}, level 2\"")
        } else {
            format!("B{i}")
        };
        csv.push_str(&format!(
            "{id},300,{},5000,{},60,25,500\n",
            450 + i * 5,
            80 + i
        ));
    }
    let reply = app
        .call(
            "POST",
            "/api/v1/batches",
            &[("content-type", "text/csv")],
            csv,
            &alice,
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let job = reply.json()["job_id"].as_str().unwrap().to_owned();
    app.wait_for_status(&job, "completed", &alice).await;

    let export = app
        .get(
            &format!("/api/v1/batches/{job}/results?format=csv"),
            Some(&alice),
        )
        .await;

    assert_eq!(export.status, 200);
    assert!(export.header("content-type").starts_with("text/csv"));
    let mut lines = export.text.lines();
    assert_eq!(lines.next(), Some(protocol::csv::EXPORT_HEADER));
    let mut rows: Vec<Vec<String>> = lines.map(split_csv).collect();
    rows.sort_by_key(|r| r[0].parse::<u64>().unwrap());
    assert_eq!(rows.len(), 30);
    for (i, row) in rows.iter().enumerate() {
        let beam = format!(
            r#"{{"width":300,"depth":{},"length":5000,"Mu":{},"Vu":60,"fck":25,"fy":500}}"#,
            450 + i * 5,
            80 + i
        );
        let want = expected(&beam);
        let id = if i % 7 == 0 {
            format!("B{i}, level 2")
        } else {
            format!("B{i}")
        };
        assert_eq!(row[0], i.to_string());
        assert_eq!(row[1], id);
        assert_eq!(row[2], want["status"].as_str().unwrap());
        assert_eq!(row[5].parse::<f64>().unwrap(), (450 + i * 5) as f64);
        assert_eq!(row[7].parse::<f64>().unwrap(), (80 + i) as f64);
        assert_eq!(
            row[11].parse::<f64>().unwrap(),
            want["d_mm"].as_f64().unwrap()
        );
        assert_eq!(row[12], want["tension"]["bars"].as_str().unwrap());
    }
    let alias = app
        .get(&format!("/api/v1/batches/{job}/results.csv"), Some(&alice))
        .await;
    assert_eq!(alias.text.lines().count(), 31);
}

/// One CSV row's cells (RFC 4180 quoting).
fn split_csv(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[actix_web::test]
async fn limits_refuse_big_batches_with_413_and_a_repeated_key_returns_the_first_batch() {
    let app = spawn_app_with(&[
        ("EMBEDDED_WORKERS", "0"),
        ("MAX_BATCH_BEAMS", "10"),
        ("MAX_BATCH_BODY_BYTES", "4000"),
    ])
    .await;
    let alice = token("alice", "batch");

    let too_many = app.submit(&beams(11), &alice).await;
    let too_big = app
        .submit(&format!("[{}]", vec![beam(1); 80].join(",")), &alice)
        .await;
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "order-7"),
    ];
    let first = app
        .call("POST", "/api/v1/batches", &headers, beams(2), &alice)
        .await;
    let again = app
        .call("POST", "/api/v1/batches", &headers, beams(2), &alice)
        .await;
    let no_scope = app.submit(&beams(2), &token("alice", "design")).await;

    assert_eq!(too_many.status, 413, "{}", too_many.text);
    assert_eq!(too_many.json()["error"]["code"], "payload_too_large");
    assert_eq!(too_big.status, 413, "{}", too_big.text);
    assert_eq!((first.status, again.status), (202, 202));
    assert_eq!(first.json()["job_id"], again.json()["job_id"]);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(
        app.broker.pending_len().await.unwrap(),
        1,
        "the repeat queued nothing"
    );
    assert_eq!(no_scope.status, 403);
}

#[actix_web::test]
async fn a_cancelled_batch_reports_cancelled_and_a_completed_one_cannot_be_cancelled() {
    let idle = spawn_app_with(&[("EMBEDDED_WORKERS", "0")]).await;
    let alice = token("alice", "batch");
    let job = idle.submit_ok(&beams(4), &alice).await;

    let cancelled = idle
        .call("DELETE", &format!("/api/v1/batches/{job}"), &[], "", &alice)
        .await;

    assert_eq!(cancelled.status, 202, "{}", cancelled.text);
    assert_eq!(cancelled.json()["status"], "cancelled");
    let status = idle
        .get(&format!("/api/v1/batches/{job}"), Some(&alice))
        .await
        .json();
    assert_eq!(status["status"], "cancelled");
    let busy = spawn_app().await;
    let done = busy.submit_ok(&beams(4), &alice).await;
    busy.wait_for_status(&done, "completed", &alice).await;
    let refused = busy
        .call(
            "DELETE",
            &format!("/api/v1/batches/{done}"),
            &[],
            "",
            &alice,
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
}
