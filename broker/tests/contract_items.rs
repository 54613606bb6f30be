//! The contract suite, batch items side: beam `i` of a batch by index, on the in-memory twin
//! and a real Redis, plus Redis-only checks of the index key itself (one member per run, none
//! for a duplicate, expiry with the batch).

mod common;

use std::time::Duration;

use broker::{BatchItem, BatchStatus, BeamResult, Broker, BrokerError, BrokerSettings, Claim};
use bytes::Bytes;
use common::{eventually, fetch, results_for, spec};
use protocol::{BatchId, Channel};
use testkit::Reply;

fn settings() -> BrokerSettings {
    BrokerSettings::default()
}

contract!(
    items_across_chunks_slices_and_stream_entries_are_found_with_their_offsets,
    an_index_not_yet_emitted_is_not_landed_and_one_past_the_end_is_out_of_range,
    a_reemitted_duplicate_keeps_the_first_result_and_offset,
    beams_emitted_out_of_order_are_each_found,
    an_unknown_batch_is_not_found,
    retention_expiry_removes_the_items_with_the_batch,
);

/// The results of beams `range` (payload `beam-i`, every 5th a failure).
fn results(claim: &Claim, range: std::ops::Range<u32>) -> Vec<BeamResult> {
    results_for(claim)
        .into_iter()
        .filter(|r| range.contains(&r.index))
        .collect()
}

/// Beam `index`'s landed result as `(offset, payload text)`; panics on anything else.
async fn landed(b: &Broker, id: BatchId, index: u32) -> (u64, String) {
    match b.batch_item(id, index).await.expect("batch_item") {
        BatchItem::Landed { offset, payload } => {
            (offset, String::from_utf8(payload.to_vec()).unwrap())
        }
        other => panic!("beam {index}: expected a landed result, got {other:?}"),
    }
}

/// Every beam of `0..total` is found with payload `beam-i`, at the offset the channel's history
/// holds that payload.
async fn assert_all_found(b: &Broker, id: BatchId, total: u32) {
    let history = b
        .history(&Channel::Batch(id), None, 1_000_000)
        .await
        .unwrap();
    for i in 0..total {
        let (offset, payload) = landed(b, id, i).await;
        assert_eq!(payload, format!("beam-{i}"));
        let at = history
            .publications
            .iter()
            .find(|p| p.offset == offset)
            .expect("the offset is in the history");
        assert_eq!(
            at.payload,
            Bytes::from(format!("beam-{i}")),
            "offset of beam {i}"
        );
    }
}

async fn items_across_chunks_slices_and_stream_entries_are_found_with_their_offsets(b: Broker) {
    // Chunks of 1,500 beams: one emit of a whole chunk spans two stream entries (1,000 each).
    let s = spec(3, 1_500);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claims = [
        fetch(&b, "w1").await,
        fetch(&b, "w1").await,
        fetch(&b, "w2").await,
    ];
    // The last chunk first, in one emit; the first in three slices; the middle one whole.
    b.emit(&claims[2], &results_for(&claims[2])).await.unwrap();
    for range in [0..100, 100..1_200, 1_200..1_500] {
        b.emit(&claims[0], &results(&claims[0], range))
            .await
            .unwrap();
    }
    b.emit(&claims[1], &results_for(&claims[1])).await.unwrap();

    assert_eq!(b.status(id).await.unwrap().status, BatchStatus::Completed);
    assert_all_found(&b, id, 4_500).await;
}

async fn an_index_not_yet_emitted_is_not_landed_and_one_past_the_end_is_out_of_range(b: Broker) {
    let s = spec(2, 10);
    let id = s.id;
    b.submit(s).await.unwrap();
    assert_eq!(
        b.batch_item(id, 3).await.unwrap(),
        BatchItem::NotLanded {
            status: BatchStatus::Queued
        }
    );
    let claim = fetch(&b, "w1").await;
    b.emit(&claim, &results(&claim, 0..5)).await.unwrap();

    assert_eq!(landed(&b, id, 4).await.1, "beam-4");
    for not_yet in [5, 9, 10, 19] {
        assert_eq!(
            b.batch_item(id, not_yet).await.unwrap(),
            BatchItem::NotLanded {
                status: BatchStatus::Running
            },
            "beam {not_yet}"
        );
    }
    for outside in [20, u32::MAX] {
        assert_eq!(
            b.batch_item(id, outside).await.unwrap(),
            BatchItem::OutOfRange { total: 20 }
        );
    }
}

async fn a_reemitted_duplicate_keeps_the_first_result_and_offset(b: Broker) {
    let s = spec(1, 10);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "w1").await;
    b.emit(&claim, &results(&claim, 0..6)).await.unwrap();
    let before: Vec<_> = landed_all(&b, id, 0..6).await;

    // A retried emit overlapping what landed, with different bytes for the duplicates.
    let mut again = results(&claim, 3..10);
    for r in again.iter_mut().filter(|r| r.index < 6) {
        r.payload = Bytes::from_static(b"duplicate");
    }
    b.emit(&claim, &again).await.unwrap();
    b.emit(&claim, &again).await.unwrap();

    assert_eq!(
        landed_all(&b, id, 0..6).await,
        before,
        "duplicates change nothing"
    );
    assert_all_found(&b, id, 10).await;
}

/// `landed` for each beam of `range`.
async fn landed_all(b: &Broker, id: BatchId, range: std::ops::Range<u32>) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    for i in range {
        out.push(landed(b, id, i).await);
    }
    out
}

async fn beams_emitted_out_of_order_are_each_found(b: Broker) {
    let s = spec(1, 12);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "w1").await;
    let mut shuffled = results_for(&claim);
    shuffled.reverse();
    shuffled.swap(0, 5);
    b.emit(&claim, &shuffled[..7]).await.unwrap();
    b.emit(&claim, &shuffled[7..]).await.unwrap();
    assert_all_found(&b, id, 12).await;
}

async fn an_unknown_batch_is_not_found(b: Broker) {
    let unknown = BatchId::new();
    let err = b.batch_item(unknown, 0).await.unwrap_err();
    assert!(
        matches!(err, BrokerError::BatchNotFound(id) if id == unknown),
        "{err}"
    );
}

async fn retention_expiry_removes_the_items_with_the_batch(b: Broker) {
    let mut s = spec(1, 4);
    s.retention = Duration::from_millis(300);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "w1").await;
    b.emit(&claim, &results_for(&claim)).await.unwrap();
    assert_eq!(
        landed(&b, id, 2).await.1,
        "beam-2",
        "readable while retained"
    );

    eventually(Duration::from_secs(10), || async {
        matches!(
            b.batch_item(id, 2).await,
            Err(BrokerError::BatchNotFound(_))
        )
        .then_some(())
    })
    .await;
}

/// An integer reply of a raw command on `server`.
fn int(server: &testkit::RedisServer, args: &[&str]) -> i64 {
    match server.command(args).expect(args[0]) {
        Reply::Int(n) => n,
        other => panic!("{args:?}: {other:?}"),
    }
}

#[tokio::test]
async fn redis_index_holds_one_member_per_run_none_for_duplicates_and_expires_with_the_batch() {
    common::bounded(async {
        let (server, b) = common::redis(settings()).await;
        let mut s = spec(1, 100);
        s.retention = Duration::from_millis(400);
        let id = s.id;
        let idx = format!("test:{{b:{id}}}:idx");
        b.submit(s).await.unwrap();
        let claim = fetch(&b, "w1").await;

        b.emit(&claim, &results(&claim, 0..40)).await.unwrap();
        assert_eq!(
            int(&server, &["ZCARD", &idx]),
            1,
            "one emit in order: one run"
        );
        b.emit(&claim, &results(&claim, 0..40)).await.unwrap();
        assert_eq!(
            int(&server, &["ZCARD", &idx]),
            1,
            "a duplicate adds nothing"
        );
        b.emit(&claim, &results(&claim, 30..60)).await.unwrap();
        assert_eq!(
            int(&server, &["ZCARD", &idx]),
            2,
            "only the new beams 40..60 are a run"
        );
        assert_eq!(
            int(&server, &["PTTL", &idx]),
            -1,
            "no TTL while the batch runs"
        );

        b.emit(&claim, &results(&claim, 60..100)).await.unwrap();
        let ttl = int(&server, &["PTTL", &idx]);
        assert!(
            (1..=400).contains(&ttl),
            "the retention TTL of the batch: {ttl}"
        );
        eventually(Duration::from_secs(10), || async {
            (int(&server, &["EXISTS", &idx]) == 0).then_some(())
        })
        .await;
        let meta = format!("test:{{b:{id}}}:meta");
        assert_eq!(int(&server, &["EXISTS", &meta]), 0, "gone with the batch");
    })
    .await;
}
