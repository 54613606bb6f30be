//! SSE batch streams and `/events`: a fresh stream (embedded), a 20,000-beam stream cut on one
//! gateway and resumed on another with `Last-Event-ID` (Redis, external workers), three clients
//! streaming through a Redis restart, a resume too far behind (`recovery`, then REST has
//! everything), and `/events` resuming after a config change it missed.

use std::collections::BTreeSet;

use serde_json::json;
use testkit::{Persistence, RedisServer};
use tokio_util::sync::CancellationToken;

use crate::batch_client::{
    SseClient, SseEvent, beam, beams, expected, run_worker, two_gateways_and_a_worker,
};
use crate::helpers::{TestApp, spawn_app, spawn_cluster_app, token, unique_prefix, wait_until};

/// What a batch stream delivered, checked as it arrives.
#[derive(Default)]
pub(crate) struct Received {
    /// Beam indices with a result or an error, in arrival order.
    pub(crate) indices: Vec<u64>,
    /// The last id seen.
    pub(crate) last_id: Option<String>,
    /// The last offset seen (ids must increase by channel position).
    pub(crate) last_offset: Option<u64>,
    /// The terminal event, once seen.
    pub(crate) terminal: Option<SseEvent>,
    /// Progress events seen.
    pub(crate) progress: usize,
}

impl Received {
    /// Records `event`; panics when ids go backwards or repeat.
    pub(crate) fn record(&mut self, event: SseEvent) {
        let offset = event.offset();
        if let Some(last) = self.last_offset {
            assert!(
                offset > last,
                "id {offset} after {last}: duplicate or out of order"
            );
        }
        self.last_offset = Some(offset);
        self.last_id = event.id.clone();
        match event.event.as_str() {
            "design_result" => self.indices.push(event.data["index"].as_u64().unwrap()),
            "error" => self
                .indices
                .push(event.data["beam_index"].as_u64().unwrap()),
            "progress" => self.progress += 1,
            "complete" | "cancelled" => self.terminal = Some(event),
            _ => {}
        }
    }

    /// Reads `stream` until it ends or `stop_after` more results arrived.
    pub(crate) async fn read(&mut self, stream: &mut SseClient, stop_after: Option<usize>) {
        let goal = stop_after.map(|n| self.indices.len() + n);
        while let Some(event) = stream.next().await {
            self.record(event);
            if goal.is_some_and(|goal| self.indices.len() >= goal) {
                return;
            }
        }
    }

    /// Every index of a `total`-beam batch exactly once, and the terminal event.
    pub(crate) fn assert_complete(&self, total: u64) {
        let unique: BTreeSet<u64> = self.indices.iter().copied().collect();
        assert_eq!(self.indices.len() as u64, total, "no duplicate");
        assert_eq!(unique, (0..total).collect(), "no gap");
        let terminal = self.terminal.as_ref().expect("the terminal event arrived");
        assert_eq!(terminal.event, "complete");
        assert_eq!(terminal.data["summary"]["succeeded"], total);
    }
}

/// `GET /stream/batch/{job}` on `app`, resuming after `last_id` when given.
pub(crate) async fn stream(
    app: &TestApp,
    job: &str,
    last_id: Option<&str>,
    bearer: &str,
) -> SseClient {
    let headers: Vec<(&str, &str)> = last_id
        .map(|id| ("last-event-id", id))
        .into_iter()
        .collect();
    let client = app
        .open("GET", &format!("/stream/batch/{job}"), &headers, "", bearer)
        .await;
    assert_eq!(client.status, 200);
    assert_eq!(client.headers["content-type"], "text/event-stream");
    client
}

#[actix_web::test]
async fn submit_and_stream_sends_start_every_result_and_complete_then_ends() {
    let app = spawn_app().await;
    let alice = token("alice", "batch");

    let mut sse = app
        .open(
            "POST",
            "/stream/batch-design",
            &[("content-type", "application/json")],
            beams(300),
            &alice,
        )
        .await;

    assert_eq!(sse.status, 200);
    let start = sse.next().await.unwrap();
    assert_eq!(start.event, "start");
    assert_eq!(start.offset(), 0);
    assert_eq!(start.data["total_beams"], 300);
    assert_eq!(start.data["job_id"], sse.headers["x-job-id"].as_str());
    assert_eq!(sse.retry, Some(2000));
    let mut received = Received::default();
    let mut first_result = None;
    while let Some(event) = sse.next().await {
        if event.event == "design_result" && first_result.is_none() {
            first_result = Some(event.clone());
        }
        received.record(event);
    }
    received.assert_complete(300);
    assert!(received.progress >= 1, "progress is reported");
    assert!(
        received.progress < 300 / 64,
        "progress is coalesced, not per beam or chunk"
    );
    let first = first_result.unwrap();
    let i = usize::try_from(first.data["index"].as_u64().unwrap()).unwrap();
    assert_eq!(first.data["result"], expected(&beam(i)));
}

#[actix_web::test]
async fn a_20000_beam_stream_cut_on_one_gateway_resumes_on_another_with_last_event_id() {
    let redis = RedisServer::start();
    let (a, b, stop) = two_gateways_and_a_worker(&redis).await;
    let alice = token("alice", "batch");
    let job = a.submit_ok(&beams(20_000), &alice).await;

    let mut received = Received::default();
    let mut on_a = stream(&a, &job, None, &alice).await;
    received.read(&mut on_a, Some(4_000)).await;
    drop(on_a);
    // On B with `Last-Event-ID`, reconnecting (to B) as an EventSource does if it is cut.
    follow_to_end(&b, &job, &alice, &mut received).await;

    stop.cancel();
    received.assert_complete(20_000);
}

#[actix_web::test]
async fn a_resume_too_far_behind_gets_recovery_and_rest_still_has_every_result() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let a = spawn_cluster_app(&redis, &prefix, &[]).await;
    // Gateway B replays at most 50 publications to a resuming client: "history expired".
    let b = spawn_cluster_app(&redis, &prefix, &[("RESUME_MAX_GAP", "50")]).await;
    let stop = CancellationToken::new();
    run_worker(&a.broker, &stop);
    let alice = token("alice", "batch");
    let job = a.submit_ok(&beams(2_000), &alice).await;
    let mut received = Received::default();
    let mut on_a = stream(&a, &job, None, &alice).await;
    received.read(&mut on_a, Some(10)).await;
    drop(on_a);
    a.wait_for_status(&job, "completed", &alice).await;

    let mut on_b = stream(&b, &job, received.last_id.as_deref(), &alice).await;

    let recovery = on_b.next().await.unwrap();
    assert_eq!(recovery.event, "recovery");
    assert_eq!(recovery.data["recovered"], false);
    assert_eq!(
        recovery.data["results"],
        format!("/api/v1/batches/{job}/results")
    );
    assert_eq!(
        on_b.next().await,
        None,
        "the batch is over: nothing after the head"
    );
    let results = b.all_results(&job, &alice, 700).await;
    let indices: BTreeSet<u64> = results.iter().map(|(i, _)| *i).collect();
    assert_eq!((results.len(), indices.len()), (2_000, 2_000));
    stop.cancel();
}

#[actix_web::test]
async fn events_stream_config_changes_and_resume_after_the_last_event_id() {
    let app = spawn_app().await;
    let (reader, root) = (token("viewer", "design"), token("root", "admin"));
    let mut events = app.open("GET", "/events", &[], "", &reader).await;
    assert_eq!(events.status, 200);
    let mut config = app.get("/api/v1/config", Some(&root)).await.json();
    config["fck"] = json!(30.0);
    assert_eq!(app.put("/api/v1/config", &config, &root).await.status, 200);

    let first = events.next().await.unwrap();

    assert_eq!(first.event, "config_updated");
    assert_eq!(first.data["config"]["fck"], 30.0);
    let id = first.id.clone().unwrap();
    let (config_part, _designs_part) = id.split_once(',').expect("both positions");
    assert!(config_part.ends_with(":1"), "{id}");
    drop(events);
    config["version"] = json!(1);
    config["fy"] = json!(415.0);
    assert_eq!(app.put("/api/v1/config", &config, &root).await.status, 200);
    let mut resumed = app
        .open("GET", "/events", &[("last-event-id", &id)], "", &reader)
        .await;
    let missed = resumed.next().await.unwrap();
    assert_eq!(missed.event, "config_updated");
    assert_eq!(missed.data["config"]["fy"], 415.0);
    assert_eq!(missed.data["config"]["version"], 2);
}

/// Follows a batch to its terminal event, reconnecting with `Last-Event-ID` whenever the stream
/// ends early (a client cut as a slow consumer) or is refused (Redis still down: the gateway is
/// not ready).
pub(crate) async fn follow_to_end(app: &TestApp, job: &str, bearer: &str, received: &mut Received) {
    for _ in 0..50 {
        if received.terminal.is_some() {
            return;
        }
        let headers: Vec<(&str, &str)> = received
            .last_id
            .as_deref()
            .map(|id| ("last-event-id", id))
            .into_iter()
            .collect();
        let mut sse = app
            .open("GET", &format!("/stream/batch/{job}"), &headers, "", bearer)
            .await;
        if sse.status != 200 {
            wait_until("the gateway is ready again", || async {
                app.readyz().await.status == 200
            })
            .await;
            continue;
        }
        received.read(&mut sse, None).await;
    }
    panic!("the stream did not reach its terminal event in 50 connections");
}

#[actix_web::test]
async fn three_clients_streaming_through_a_redis_restart_finish_without_gap_or_duplicate() {
    let redis = RedisServer::start_with(Persistence::Aof);
    let (a, b, stop) = two_gateways_and_a_worker(&redis).await;
    let alice = token("alice", "batch");
    let job = a.submit_ok(&beams(6_000), &alice).await;
    let mut clients = [
        Received::default(),
        Received::default(),
        Received::default(),
    ];
    let mut streams = [
        stream(&a, &job, None, &alice).await,
        stream(&a, &job, None, &alice).await,
        stream(&b, &job, None, &alice).await,
    ];
    for (client, sse) in clients.iter_mut().zip(streams.iter_mut()) {
        client.read(sse, Some(300)).await;
    }
    assert!(
        clients.iter().all(|c| c.terminal.is_none()),
        "the batch still runs"
    );

    let redis = tokio::task::spawn_blocking(move || {
        let mut redis = redis;
        redis.restart();
        redis
    })
    .await
    .unwrap();
    let [first, second, third] = &mut clients;
    let [s1, s2, s3] = &mut streams;
    tokio::join!(
        first.read(s1, None),
        second.read(s2, None),
        third.read(s3, None)
    );
    tokio::join!(
        follow_to_end(&a, &job, &alice, first),
        follow_to_end(&a, &job, &alice, second),
        follow_to_end(&b, &job, &alice, third),
    );

    stop.cancel();
    for client in &clients {
        client.assert_complete(6_000);
    }
    drop(redis);
}
