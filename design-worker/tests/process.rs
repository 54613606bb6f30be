//! Real `design-worker` processes against a real, private redis-server: kill -9, SIGTERM,
//! Redis restarts, cancels and bad beams. Every index must land exactly once.

mod common;

use std::time::Duration;

use broker::{BatchStatus, Broker, BrokerSettings};
use common::{
    Tally, WorkerProcess, bad_beam, batch, beam, bounded, stream, valid_batch, wait_for,
    wait_progress, wait_terminal,
};
use protocol::{StoredEvent, StoredObject};
use testkit::{Persistence, RedisServer};

/// Key prefix of every test deployment.
const PREFIX: &str = "wt:";
/// Small slices and one chunk at a time: a chunk stays in flight long enough to be caught.
const SLOW: &[(&str, &str)] = &[
    ("BEAMSTREAM_EMIT_SLICE", "50"),
    ("BEAMSTREAM_CONCURRENCY", "1"),
];
/// Long enough for any batch of these tests on a loaded 2-core machine.
const FINISH: Duration = Duration::from_secs(90);

async fn redis(persistence: Persistence) -> (RedisServer, Broker) {
    let server = RedisServer::start_with(persistence);
    let broker = Broker::redis(&server.url(), PREFIX, BrokerSettings::default())
        .await
        .expect("connect to test redis");
    (server, broker)
}

/// Chunks in `worker`'s processing list.
fn held(server: &RedisServer, worker: &str) -> i64 {
    let key = format!("{PREFIX}{{q:design}}:proc:{worker}");
    server
        .command(&["LLEN", &key])
        .ok()
        .and_then(|r| r.as_text())
        .and_then(|t| t.parse().ok())
        .unwrap_or(-1)
}

/// True while `worker` is in the heartbeat registry.
fn registered(server: &RedisServer, worker: &str) -> bool {
    let key = format!("{PREFIX}{{q:design}}:workers");
    let score = server.command(&["ZSCORE", &key, worker]).expect("ZSCORE");
    score != testkit::Reply::Nil
}

/// Waits until `worker` holds a chunk while the batch has made progress.
async fn wait_mid_chunk(
    server: &RedisServer,
    broker: &Broker,
    id: protocol::BatchId,
    worker: &str,
) {
    wait_for("a worker mid-chunk", FINISH, || async {
        let s = broker.status(id).await.ok()?;
        (s.done > 0 && s.done < s.total && held(server, worker) > 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_loses_no_beam_and_lands_none_twice() {
    bounded(async {
        // Arrange
        let (server, broker) = redis(Persistence::None).await;
        let id = broker.submit(valid_batch(20_000, 500)).await.unwrap().id;
        let mut victim = WorkerProcess::spawn(&server.url(), PREFIX, "victim", SLOW);
        let survivor = WorkerProcess::spawn(&server.url(), PREFIX, "survivor", SLOW);

        // Act
        wait_mid_chunk(&server, &broker, id, "victim").await;
        victim.kill9().await;
        assert_eq!(
            held(&server, "victim"),
            1,
            "the victim died holding a chunk"
        );

        // Assert
        let state = wait_terminal(&broker, id, FINISH).await;
        assert_eq!(state.status, BatchStatus::Completed);
        assert_eq!((state.done, state.failed), (20_000, 0));
        let tally = Tally::of(&stream(&broker, id).await, 20_000);
        tally.assert_exactly_once();
        assert_eq!(tally.results, 20_000);
        assert!(tally.completed());
        assert_eq!(held(&server, "victim"), 0, "the victim's chunk was reaped");
        let reaped = survivor
            .metric("beamstream_worker_chunks_reaped_total")
            .await;
        assert_eq!(
            reaped,
            Some(1.0),
            "the survivor's reaper returned the chunk"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_chunk_finishes_the_chunk_and_exits_zero_in_time() {
    bounded(async {
        // Arrange
        let (server, broker) = redis(Persistence::None).await;
        let id = broker.submit(valid_batch(20_000, 2_000)).await.unwrap().id;
        let deadline = [("BEAMSTREAM_SHUTDOWN_DEADLINE", "10s")];
        let mut w = WorkerProcess::spawn(
            &server.url(),
            PREFIX,
            "drained",
            &[SLOW, &deadline].concat(),
        );

        // Act
        wait_mid_chunk(&server, &broker, id, "drained").await;
        w.terminate().await;
        let status = w.exit_status(Duration::from_secs(12)).await;

        // Assert: exited cleanly, its chunk finished (whole chunks only), nothing left held.
        assert!(status.success(), "exit status {status:?}");
        assert_eq!(held(&server, "drained"), 0);
        assert!(
            !registered(&server, "drained"),
            "still registered after retiring"
        );
        let after = broker.status(id).await.unwrap();
        assert_eq!(after.done % 2_000, 0, "a partial chunk: {}", after.done);
        let _next = WorkerProcess::spawn(&server.url(), PREFIX, "next", &[]);
        let state = wait_terminal(&broker, id, FINISH).await;
        assert_eq!(state.status, BatchStatus::Completed);
        let tally = Tally::of(&stream(&broker, id).await, 20_000);
        tally.assert_exactly_once();
        assert!(tally.completed());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_past_the_deadline_hands_the_chunk_back_at_once_and_deregisters() {
    bounded(async {
        // Arrange: one big chunk, no time to finish it, and a reaper too slow to matter.
        let (server, broker) = redis(Persistence::None).await;
        let id = broker.submit(valid_batch(20_000, 20_000)).await.unwrap().id;
        let hasty = [
            ("BEAMSTREAM_SHUTDOWN_DEADLINE", "1ms"),
            ("BEAMSTREAM_DEAD_AFTER", "600s"),
        ];
        let mut w = WorkerProcess::spawn(&server.url(), PREFIX, "hasty", &[SLOW, &hasty].concat());
        wait_mid_chunk(&server, &broker, id, "hasty").await;

        // Act
        w.terminate().await;
        let status = w.exit_status(Duration::from_secs(10)).await;

        // Assert: exit 0, the chunk back in the queue at once, the worker out of the registry.
        assert!(status.success(), "exit status {status:?}");
        assert_eq!(held(&server, "hasty"), 0);
        assert_eq!(broker.pending_len().await.unwrap(), 1);
        assert!(
            !registered(&server, "hasty"),
            "still registered after retiring"
        );
        let partial = broker.status(id).await.unwrap().done;
        assert!(partial < 20_000, "the chunk finished anyway");
        let _next = WorkerProcess::spawn(&server.url(), PREFIX, "next", &[]);
        let state = wait_terminal(&broker, id, FINISH).await;
        assert_eq!(state.status, BatchStatus::Completed);
        let tally = Tally::of(&stream(&broker, id).await, 20_000);
        tally.assert_exactly_once();
        assert!(tally.completed());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_batch_still_lands_every_beam_once() {
    bounded(async {
        // Arrange: persistence on, as in production.
        let (mut server, broker) = redis(Persistence::Aof).await;
        let id = broker.submit(valid_batch(20_000, 500)).await.unwrap().id;
        let a = WorkerProcess::spawn(&server.url(), PREFIX, "a", SLOW);
        let _b = WorkerProcess::spawn(&server.url(), PREFIX, "b", SLOW);
        wait_progress(&broker, id, 1).await;

        // Act: Redis goes away (health turns red), then comes back with its data.
        server.kill();
        wait_for("unhealthy while redis is down", FINISH, || async {
            (a.healthz().await == Some(503)).then_some(())
        })
        .await;
        server.restart();

        // Assert
        wait_for("healthy again", FINISH, || async {
            (a.healthz().await == Some(200)).then_some(())
        })
        .await;
        let state = wait_terminal(&broker, id, FINISH).await;
        assert_eq!(state.status, BatchStatus::Completed);
        assert_eq!(state.done, 20_000);
        let tally = Tally::of(&stream(&broker, id).await, 20_000);
        tally.assert_exactly_once();
        assert!(tally.completed());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_mid_batch_stops_the_workers_and_ends_the_stream_with_cancelled() {
    bounded(async {
        // Arrange
        let (server, broker) = redis(Persistence::None).await;
        let id = broker.submit(valid_batch(20_000, 500)).await.unwrap().id;
        let _a = WorkerProcess::spawn(&server.url(), PREFIX, "a", SLOW);
        let _b = WorkerProcess::spawn(&server.url(), PREFIX, "b", SLOW);
        wait_mid_chunk(&server, &broker, id, "a").await;

        // Act
        broker.cancel(id).await.unwrap();

        // Assert: terminal, the queue drained, nothing held, `cancelled` last, no duplicate.
        let state = wait_terminal(&broker, id, FINISH).await;
        assert_eq!(state.status, BatchStatus::Cancelled);
        wait_for("workers to let go of the batch", FINISH, || async {
            let pending = broker.pending_len().await.ok()?;
            (pending == 0 && held(&server, "a") == 0 && held(&server, "b") == 0).then_some(())
        })
        .await;
        let events = stream(&broker, id).await;
        let tally = Tally::of(&events, 20_000);
        assert_eq!(tally.duplicates(), 0);
        assert!(tally.results < 20_000, "the batch ran to the end");
        let Some(StoredEvent::Object(StoredObject::Cancelled { succeeded, .. })) = tally.last
        else {
            panic!("last event is not `cancelled`: {:?}", tally.last);
        };
        assert_eq!(succeeded, tally.results);
        assert_eq!(
            broker.status(id).await.unwrap().done,
            state.done,
            "beams landed after the cancel"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_beams_become_error_entries_with_field_and_rule_and_the_rest_design() {
    bounded(async {
        // Arrange: beams the gateway would have refused, slipped into the chunks.
        let (server, broker) = redis(Persistence::None).await;
        let bad = [(3, 22.0), (500, 100.0), (999, 22.0)];
        let records = (0..1_000)
            .map(|i| match bad.iter().find(|(at, _)| *at == i) {
                Some((_, fck)) => bad_beam(i, *fck),
                None => beam(i),
            })
            .collect();
        let id = broker.submit(batch(records, 256)).await.unwrap().id;

        // Act
        let w = WorkerProcess::spawn(&server.url(), PREFIX, "w", &[]);

        // Assert
        let state = wait_terminal(&broker, id, FINISH).await;
        assert_eq!(state.status, BatchStatus::Completed);
        assert_eq!((state.done, state.failed), (1_000, 3));
        let tally = Tally::of(&stream(&broker, id).await, 1_000);
        tally.assert_exactly_once();
        assert_eq!(tally.results, 997);
        assert!(tally.completed());
        let mut errors = tally.errors.clone();
        errors.sort();
        let indices: Vec<u64> = errors.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, vec![3, 500, 999]);
        for ((_, message), (_, fck)) in errors.iter().zip(bad) {
            assert!(message.starts_with("fck: "), "{message}");
            assert!(message.contains(&format!("{fck}")), "{message}");
        }
        assert_eq!(
            w.metric("beamstream_worker_beams_designed_total").await,
            Some(997.0)
        );
        assert_eq!(
            w.metric("beamstream_worker_beams_failed_total").await,
            Some(3.0)
        );
    })
    .await;
}

#[tokio::test]
async fn bad_settings_are_all_reported_and_the_process_exits_non_zero() {
    bounded(async {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_design-worker"))
            .args(["--concurrency", "zero", "--bogus", "--log-format=xml"])
            .env("BEAMSTREAM_LOG_FORMAT", "pretty")
            .output()
            .await
            .expect("run design-worker");

        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        for part in ["`concurrency`", "--bogus", "`log-format`"] {
            assert!(stderr.contains(part), "{part} missing from: {stderr}");
        }
    })
    .await;
}
