//! The worker loop in-process over the in-memory broker, as the gateway's embedded mode runs
//! it: slices and progress, shutdown with and without time to finish, own-chunk recovery and
//! cancellation.

mod common;

use std::sync::Arc;
use std::time::Duration;

use broker::{BatchStatus, Broker, BrokerSettings};
use common::{Tally, bounded, stream, valid_batch, wait_for, wait_progress, wait_terminal};
use design_worker::{Health, Metrics, Worker, WorkerSettings};
use protocol::{StoredEvent, StoredObject};
use tokio_util::sync::CancellationToken;

/// A memory broker that reaps quickly.
fn memory() -> Broker {
    Broker::memory(BrokerSettings {
        dead_after: Duration::from_millis(300),
        reap_interval: Duration::from_millis(50),
        ..BrokerSettings::default()
    })
}

fn settings(id: &str, emit_slice: usize) -> WorkerSettings {
    WorkerSettings {
        id: id.into(),
        concurrency: 1,
        design_threads: 1,
        emit_slice,
        heartbeat_interval: Duration::from_millis(50),
        reaper_interval: Duration::from_millis(50),
        fetch_timeout: Duration::from_millis(50),
        shutdown_deadline: Duration::from_secs(30),
    }
}

/// A running worker: its stop token, its task and its metrics.
struct Running {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    metrics: Arc<Metrics>,
}

fn start(broker: &Broker, settings: WorkerSettings) -> Running {
    let metrics = Arc::new(Metrics::new(&prometheus::Registry::new()).unwrap());
    let worker = Worker::new(broker.clone(), settings, metrics.clone(), Health::new());
    let stop = CancellationToken::new();
    let task = tokio::spawn(worker.run(stop.clone()));
    Running {
        stop,
        task,
        metrics,
    }
}

impl Running {
    async fn stop(self) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(60), self.task)
            .await
            .expect("worker stopped in time")
            .expect("worker task");
    }
}

#[tokio::test]
async fn a_batch_is_designed_in_slices_with_progress_after_each_emit() {
    bounded(async {
        let broker = memory();
        let id = broker.submit(valid_batch(2_000, 256)).await.unwrap().id;
        let w = start(&broker, settings("solo", 100));

        let state = wait_terminal(&broker, id, Duration::from_secs(60)).await;

        assert_eq!(state.status, BatchStatus::Completed);
        let tally = Tally::of(&stream(&broker, id).await, 2_000);
        tally.assert_exactly_once();
        assert!(tally.completed());
        // 7 chunks of 256 and one of 208, each emitted as 100 + 100 + rest: 8 × 3 emits.
        assert_eq!(tally.progress, 24);
        assert_eq!(w.metrics.beams_designed.get(), 2_000);
        assert_eq!(w.metrics.chunks_processed.get(), 8);
        w.stop().await;
    })
    .await;
}

#[tokio::test]
async fn shutdown_mid_chunk_finishes_the_chunk_before_returning() {
    bounded(async {
        let broker = memory();
        let id = broker.submit(valid_batch(6_000, 3_000)).await.unwrap().id;
        let w = start(&broker, settings("drainer", 20));
        wait_progress(&broker, id, 1).await;

        w.stop().await;

        let state = broker.status(id).await.unwrap();
        assert_eq!(state.done % 3_000, 0, "a partial chunk: {}", state.done);
        assert!(broker.recover_own("drainer").await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_chunk_left_at_the_deadline_is_handed_back_and_finished_by_another_worker() {
    bounded(async {
        let broker = memory();
        let id = broker.submit(valid_batch(5_000, 5_000)).await.unwrap().id;
        let mut hasty = settings("hasty", 10);
        hasty.shutdown_deadline = Duration::from_millis(1);
        let w = start(&broker, hasty);
        wait_progress(&broker, id, 1).await;
        let metrics = w.metrics.clone();

        w.stop().await;

        // Handed back at once by the retire, not by a reaper.
        assert!(broker.status(id).await.unwrap().done < 5_000);
        assert_eq!(metrics.chunks_handed_back.get(), 1);
        assert_eq!(broker.pending_len().await.unwrap(), 1);
        let other = start(&broker, settings("other", 500));
        let state = wait_terminal(&broker, id, Duration::from_secs(60)).await;
        assert_eq!(state.status, BatchStatus::Completed);
        Tally::of(&stream(&broker, id).await, 5_000).assert_exactly_once();
        assert_eq!(other.metrics.chunks_reaped.get(), 0);
        assert_eq!(other.metrics.claim_attempt.get_sample_sum(), 2.0);
        other.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_restarted_worker_recovers_the_chunk_left_in_its_own_list() {
    bounded(async {
        let broker = memory();
        let id = broker.submit(valid_batch(600, 300)).await.unwrap().id;
        let left = broker
            .fetch("stable-id", Duration::from_secs(5))
            .await
            .unwrap()
            .expect("a chunk");

        let w = start(&broker, settings("stable-id", 128));
        let state = wait_terminal(&broker, id, Duration::from_secs(60)).await;

        assert_eq!(state.status, BatchStatus::Completed);
        Tally::of(&stream(&broker, id).await, 600).assert_exactly_once();
        assert_eq!(w.metrics.claim_attempt.get_sample_count(), 2);
        assert_eq!(left.attempt, 1);
        w.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_cancel_stops_the_chunk_in_flight_and_releases_it() {
    bounded(async {
        let broker = memory();
        let id = broker.submit(valid_batch(20_000, 20_000)).await.unwrap().id;
        let w = start(&broker, settings("w", 10));
        wait_progress(&broker, id, 1).await;

        broker.cancel(id).await.unwrap();

        let state = wait_terminal(&broker, id, Duration::from_secs(60)).await;
        assert_eq!(state.status, BatchStatus::Cancelled);
        wait_for(
            "the chunk to be released",
            Duration::from_secs(30),
            || async { (w.metrics.chunks_in_flight.get() == 0).then_some(()) },
        )
        .await;
        assert!(broker.recover_own("w").await.unwrap().is_empty());
        let tally = Tally::of(&stream(&broker, id).await, 20_000);
        assert_eq!(tally.duplicates(), 0);
        assert!(matches!(
            tally.last,
            Some(StoredEvent::Object(StoredObject::Cancelled { .. }))
        ));
        assert_eq!(w.metrics.chunks_processed.get(), 1, "stopped and acked");
        w.stop().await;
    })
    .await;
}

/// A worker on its own thread and runtime, so it keeps running whatever blocks the test's.
struct Elsewhere {
    stop: CancellationToken,
    thread: std::thread::JoinHandle<()>,
    metrics: Arc<Metrics>,
}

fn start_elsewhere(broker: &Broker, settings: WorkerSettings) -> Elsewhere {
    let metrics = Arc::new(Metrics::new(&prometheus::Registry::new()).unwrap());
    let worker = Worker::new(broker.clone(), settings, metrics.clone(), Health::new());
    let stop = CancellationToken::new();
    let token = stop.clone();
    let thread = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(worker.run(token));
    });
    Elsewhere {
        stop,
        thread,
        metrics,
    }
}

#[tokio::test]
async fn heartbeats_keep_flowing_while_a_long_slice_is_designed() {
    bounded(async {
        // Arrange: one slice of 100,000 beams (seconds of design work in a debug build) on this
        // single-threaded runtime, and a watcher on another thread whose reaper takes the chunk
        // if the busy worker's heartbeats stop for `dead_after` (1 s).
        let broker = Broker::memory(BrokerSettings {
            dead_after: Duration::from_secs(1),
            reap_interval: Duration::from_millis(50),
            ..BrokerSettings::default()
        });
        let id = broker
            .submit(valid_batch(100_000, 100_000))
            .await
            .unwrap()
            .id;
        let busy = start(&broker, settings("busy", 100_000));
        wait_for(
            "the chunk to be claimed",
            Duration::from_secs(30),
            || async { (busy.metrics.chunks_in_flight.get() == 1).then_some(()) },
        )
        .await;
        let watcher = start_elsewhere(&broker, settings("watcher", 100));

        // Act
        let state = wait_terminal(&broker, id, Duration::from_secs(100)).await;

        // Assert: nothing was reaped or fenced; the busy worker landed every beam once.
        assert_eq!(state.status, BatchStatus::Completed);
        assert_eq!(watcher.metrics.chunks_reaped.get(), 0);
        assert_eq!(busy.metrics.emits_fenced.get(), 0);
        assert_eq!(busy.metrics.beams_designed.get(), 100_000);
        Tally::of(&stream(&broker, id).await, 100_000).assert_exactly_once();
        busy.stop().await;
        watcher.stop.cancel();
        tokio::task::spawn_blocking(move || watcher.thread.join())
            .await
            .unwrap()
            .expect("watcher thread");
    })
    .await;
}
