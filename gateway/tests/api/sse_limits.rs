//! SSE stream limits, deterministically: a client that stops reading is cut once its live queue
//! (`SSE_QUEUE_BYTES`) overflows and then resumes with `Last-Event-ID` to get every remaining
//! beam exactly once; idle streams (`/events`, a batch with nothing happening) send `: ping`
//! comments at the configured `SSE_HEARTBEAT`.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::batch_client::{SseClient, beams, run_worker_with, test_worker_settings};
use crate::helpers::{TestApp, spawn_app_with, token, wait_until};
use crate::sse::{Received, follow_to_end, stream};

/// Beams in the slow client's batch: ~1.2 KB of SSE each, ~10 MB in all, far more than the
/// socket buffers between server and client can absorb (the server's send buffer autotunes to
/// at most `tcp_wmem` max, 4 MiB here; the client's receive buffer does not grow while unread).
const SLOW_BATCH: usize = 8_000;
/// Live bytes queued per SSE client in the slow-client test: a few emits' worth.
const QUEUE_BYTES: &str = "65536";
/// Beams per worker emit there: one emit's frames (~20 KB) fit in the queue, so the burst that
/// lands as the stream joins the hub is taken, not mistaken for a slow client.
const EMIT_SLICE: usize = 16;

/// The value of the unlabelled gauge or counter `name` in `/metrics` (0 when absent).
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.metrics().await;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[actix_web::test]
async fn a_client_that_stops_reading_is_cut_at_its_queue_bound_and_resumes_every_beam_once() {
    let app = spawn_app_with(&[("EMBEDDED_WORKERS", "0"), ("SSE_QUEUE_BYTES", QUEUE_BYTES)]).await;
    let alice = token("alice", "batch");
    let job = app.submit_ok(&beams(SLOW_BATCH), &alice).await;
    let channels = metric(&app, "beamstream_gateway_channels").await;
    let mut slow = stream(&app, &job, None, &alice).await;
    assert_eq!(slow.next().await.unwrap().event, "start");
    // Nothing is designed yet, so the stream reaches the head of history and follows the batch
    // channel live: results will come through its bounded queue, not paced history reads.
    wait_until("the stream follows the batch channel", || async {
        metric(&app, "beamstream_gateway_channels").await > channels
    })
    .await;

    // The client reads nothing while the whole batch is designed and fanned out.
    let stop = CancellationToken::new();
    let settings = design_worker::WorkerSettings {
        concurrency: 1,
        emit_slice: EMIT_SLICE,
        ..test_worker_settings()
    };
    run_worker_with(&app.broker, &stop, settings);
    app.wait_for_status(&job, "completed", &alice).await;
    let mut received = Received::default();
    received.read(&mut slow, None).await;

    assert!(received.terminal.is_none(), "cut before the end");
    let delivered = received.indices.len();
    assert!(delivered < SLOW_BATCH, "cut after {delivered} results");
    let cut = "slow consumer: reconnect with Last-Event-ID".to_owned();
    assert_eq!(slow.comments.last(), Some(&cut), "{:?}", slow.comments);
    let closes = metric(&app, "beamstream_gateway_slow_consumer_closes_total").await;
    assert!(
        (closes - 1.0).abs() < f64::EPSILON,
        "one slow close, got {closes}"
    );
    follow_to_end(&app, &job, &alice, &mut received).await;
    stop.cancel();
    received.assert_complete(SLOW_BATCH as u64);
}

/// The heartbeat interval of the idle-stream test.
const HEARTBEAT: Duration = Duration::from_millis(300);
/// How late a heartbeat may arrive on a busy machine; far below the 15 s default, so a stream
/// ignoring the setting still fails.
const HEARTBEAT_SLACK: Duration = Duration::from_secs(3);

/// Reads the next three blocks of `sse`: each must be a `: ping` comment, the k-th no earlier
/// than k intervals after `opened` (the stream's timer starts after the request was sent) and
/// not much later.
async fn assert_three_heartbeats(sse: &mut SseClient, opened: Instant) {
    for k in 1..=3u32 {
        let block = sse.next_block().await.expect("the idle stream stays open");
        let at = opened.elapsed();

        assert_eq!(block, ": ping\n\n", "heartbeat {k}");
        assert!(at >= HEARTBEAT * k, "heartbeat {k} after {at:?}: too early");
        assert!(
            at <= HEARTBEAT * k + HEARTBEAT_SLACK,
            "heartbeat {k} after {at:?}: not at the configured interval"
        );
    }
}

#[actix_web::test]
async fn idle_streams_send_comment_heartbeats_at_the_configured_interval() {
    let app = spawn_app_with(&[("SSE_HEARTBEAT", "300ms"), ("EMBEDDED_WORKERS", "0")]).await;
    let alice = token("alice", "batch");

    let opened = Instant::now();
    let mut events = app.open("GET", "/events", &[], "", &alice).await;
    assert_eq!(events.status, 200);
    assert_eq!(events.next_block().await.unwrap(), "retry: 2000\n\n");
    assert_three_heartbeats(&mut events, opened).await;

    // No worker: the batch stays queued, its stream idles after `start`.
    let job = app.submit_ok(&beams(3), &alice).await;
    let opened = Instant::now();
    let mut batch = stream(&app, &job, None, &alice).await;
    assert_eq!(batch.next().await.unwrap().event, "start");
    assert_three_heartbeats(&mut batch, opened).await;
}
