//! Helpers shared by the broker's integration tests: brokers on a private Redis or in memory,
//! batch specs, result builders, and a time bound for every test.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::time::Duration;

use broker::{BatchSpec, BeamResult, Broker, BrokerSettings, ChunkSpec, Claim, Event};
use bytes::Bytes;
use protocol::BatchId;
use testkit::{Persistence, RedisServer};
use tokio::sync::mpsc;

/// Every test finishes within this bound or fails.
pub const TEST_BOUND: Duration = Duration::from_secs(60);

/// Runs `f` and fails the test if it takes longer than [`TEST_BOUND`].
pub async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_BOUND, f)
        .await
        .expect("test exceeded its time bound")
}

/// A private Redis and a broker on it (RESP3, unique key prefix).
pub async fn redis(settings: BrokerSettings) -> (RedisServer, Broker) {
    redis_with(Persistence::None, settings).await
}

/// As [`redis`], choosing the server's persistence.
pub async fn redis_with(
    persistence: Persistence,
    settings: BrokerSettings,
) -> (RedisServer, Broker) {
    let server = RedisServer::start_with(persistence);
    let broker = connect(&server, settings).await;
    (server, broker)
}

/// Another independent client of `server` (own connections, same key prefix).
pub async fn connect(server: &RedisServer, settings: BrokerSettings) -> Broker {
    Broker::redis(&server.url(), "test:", settings)
        .await
        .expect("connect to test redis")
}

/// A batch of `chunks` chunks of `per_chunk` beams; chunk payloads name their index.
pub fn spec(chunks: u32, per_chunk: u32) -> BatchSpec {
    BatchSpec {
        id: BatchId::new(),
        owner: "alice".into(),
        chunks: (0..chunks)
            .map(|i| ChunkSpec {
                beam_count: per_chunk,
                payload: Bytes::from(format!("chunk-{i}")),
            })
            .collect(),
        idempotency_key: None,
        retention: Duration::from_secs(3600),
    }
}

/// One result per beam of the claim; beam `i`'s payload is `beam-i`, every 5th fails.
pub fn results_for(claim: &Claim) -> Vec<BeamResult> {
    (claim.first_beam..claim.first_beam + claim.beam_count)
        .map(|i| BeamResult {
            index: i,
            ok: i % 5 != 4,
            payload: Bytes::from(format!("beam-{i}")),
        })
        .collect()
}

/// Fetches with a short wait, failing the test when nothing comes.
pub async fn fetch(broker: &Broker, worker: &str) -> Claim {
    broker
        .fetch(worker, Duration::from_secs(5))
        .await
        .expect("fetch")
        .expect("a chunk was queued")
}

/// Payloads of a channel's whole history, as text.
pub async fn history_texts(broker: &Broker, channel: &protocol::Channel) -> Vec<String> {
    let h = broker
        .history(channel, None, 1_000_000)
        .await
        .expect("history");
    assert!(h.recovered, "history from the start must be complete");
    let offsets: Vec<u64> = h.publications.iter().map(|p| p.offset).collect();
    let expected: Vec<u64> = (1..=h.position.offset).collect();
    assert_eq!(offsets, expected, "offsets must be contiguous from 1");
    h.publications
        .iter()
        .map(|p| String::from_utf8(p.payload.to_vec()).expect("utf-8"))
        .collect()
}

/// Receives the next event, failing after a bound.
pub async fn next_event(rx: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("an event in time")
        .expect("subscriber alive")
}

/// Calls `check` every few milliseconds until it returns `Some`, failing after `bound`.
pub async fn eventually<T, F, Fut>(bound: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met in {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Generates, in the calling test file, `memory::<test>` and `redis::<test>` for each contract test.
#[macro_export]
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    let broker = broker::Broker::memory(super::settings());
                    $crate::common::bounded(super::$name(broker)).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test]
                async fn $name() {
                    let (_server, broker) = $crate::common::redis(super::settings()).await;
                    $crate::common::bounded(super::$name(broker)).await;
                }
            )*
        }
    };
}
