//! The contract suite: every test runs against the in-memory twin and a real Redis.

mod common;

use std::time::Duration;

use broker::{
    BatchStatus, BeamResult, Broker, BrokerError, BrokerSettings, EmitOutcome, Event, RateLimit,
};
use bytes::Bytes;
use common::{fetch, history_texts, next_event, results_for, spec};
use protocol::{BatchId, Channel, Position, SessionId};

fn settings() -> BrokerSettings {
    BrokerSettings {
        max_attempts: 3,
        channel_history: 5,
        ..BrokerSettings::default()
    }
}

fn session(name: &str) -> Channel {
    Channel::Session(name.parse::<SessionId>().unwrap())
}

/// Generates `memory::<test>` and `redis::<test>` for each contract test.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    let broker = broker::Broker::memory(super::settings());
                    crate::common::bounded(super::$name(broker)).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test]
                async fn $name() {
                    let (_server, broker) = crate::common::redis(super::settings()).await;
                    crate::common::bounded(super::$name(broker)).await;
                }
            )*
        }
    };
}

contract!(
    batch_completes_with_every_beam_exactly_once_then_progress_and_complete,
    same_idempotency_key_returns_the_first_batch_and_enqueues_nothing,
    duplicated_results_are_skipped_not_appended_twice,
    reclaimed_chunk_fences_the_stale_attempt,
    cancel_while_queued_ends_the_batch_and_drops_its_chunks,
    cancel_while_running_takes_effect_on_the_next_emit,
    cancel_while_running_takes_effect_on_the_next_heartbeat,
    poison_chunk_goes_to_the_dead_list_and_its_beams_count_as_failed,
    results_outside_the_claimed_chunk_are_refused,
    history_replays_from_a_position_and_refuses_a_foreign_epoch,
    trimmed_history_cannot_be_recovered,
    unknown_batch_is_not_found,
    subscriber_receives_publications_in_order_until_unsubscribed,
    config_put_is_compare_and_set_and_announces_on_the_config_channel,
    rate_limit_allows_a_burst_of_limit_then_refuses,
);

async fn batch_completes_with_every_beam_exactly_once_then_progress_and_complete(b: Broker) {
    let s = spec(3, 4);
    let id = s.id;
    assert!(b.submit(s).await.unwrap().created);
    assert_eq!(b.status(id).await.unwrap().status, BatchStatus::Queued);

    for _ in 0..3 {
        let claim = fetch(&b, "w1").await;
        assert_eq!(claim.attempt, 1);
        assert_eq!(
            claim.payload,
            Bytes::from(format!("chunk-{}", claim.chunk_index))
        );
        let out = b.emit(&claim, &results_for(&claim)).await.unwrap();
        let EmitOutcome::Accepted {
            appended: 4,
            skipped: 0,
            status,
        } = out
        else {
            panic!("unexpected {out:?}");
        };
        assert_eq!(status == BatchStatus::Completed, claim.chunk_index == 2);
        b.ack(&claim).await.unwrap();
    }

    let state = b.status(id).await.unwrap();
    assert_eq!(
        (state.status, state.total, state.done, state.failed),
        (BatchStatus::Completed, 12, 12, 2)
    );
    assert_eq!(state.owner, "alice");
    let texts = history_texts(&b, &Channel::Batch(id)).await;
    let beams: Vec<&String> = texts.iter().filter(|t| t.starts_with("beam-")).collect();
    let mut sorted: Vec<String> = beams.iter().map(|s| s.to_string()).collect();
    sorted.sort_by_key(|t| t[5..].parse::<u32>().unwrap());
    assert_eq!(
        sorted,
        (0..12).map(|i| format!("beam-{i}")).collect::<Vec<_>>()
    );
    assert_eq!(texts.len(), 12 + 3 + 1);
    assert_eq!(
        texts[4],
        r#"{"type":"progress","done":4,"failed":0,"total":12}"#
    );
    assert_eq!(
        texts.last().unwrap(),
        r#"{"type":"complete","status":"completed","total":12,"succeeded":10,"failed":2}"#
    );
    assert_eq!(state.position.offset, 16);
    assert!(
        b.fetch("w1", Duration::from_millis(50))
            .await
            .unwrap()
            .is_none()
    );
}

async fn same_idempotency_key_returns_the_first_batch_and_enqueues_nothing(b: Broker) {
    let mut first = spec(2, 1);
    first.idempotency_key = Some("req-42".into());
    let mut second = spec(5, 1);
    second.idempotency_key = Some("req-42".into());
    let first_id = first.id;

    let a = b.submit(first).await.unwrap();
    let again = b.submit(second.clone()).await.unwrap();

    assert!(a.created && !again.created);
    assert_eq!(again.id, first_id);
    assert_eq!(b.pending_len().await.unwrap(), 2);
    assert!(matches!(
        b.status(second.id).await,
        Err(BrokerError::BatchNotFound(_))
    ));
}

async fn duplicated_results_are_skipped_not_appended_twice(b: Broker) {
    let s = spec(1, 3);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "w1").await;
    let results = results_for(&claim);

    let first = b.emit(&claim, &results[..2]).await.unwrap();
    let again = b.emit(&claim, &results).await.unwrap();

    assert_eq!(
        first,
        EmitOutcome::Accepted {
            appended: 2,
            skipped: 0,
            status: BatchStatus::Running
        }
    );
    assert_eq!(
        again,
        EmitOutcome::Accepted {
            appended: 1,
            skipped: 2,
            status: BatchStatus::Completed
        }
    );
    let texts = history_texts(&b, &Channel::Batch(id)).await;
    assert_eq!(texts.iter().filter(|t| t.starts_with("beam-")).count(), 3);
    assert_eq!(b.status(id).await.unwrap().done, 3);
}

async fn reclaimed_chunk_fences_the_stale_attempt(b: Broker) {
    let s = spec(1, 2);
    let id = s.id;
    b.submit(s).await.unwrap();
    let stale = fetch(&b, "w1").await;

    let fresh = b.recover_own("w1").await.unwrap();

    assert_eq!(fresh.len(), 1);
    assert_eq!(fresh[0].attempt, 2);
    assert_eq!(
        b.emit(&stale, &results_for(&stale)).await.unwrap(),
        EmitOutcome::Fenced
    );
    assert_eq!(b.status(id).await.unwrap().done, 0);
    let out = b.emit(&fresh[0], &results_for(&fresh[0])).await.unwrap();
    assert!(matches!(out, EmitOutcome::Accepted { appended: 2, .. }));
}

async fn cancel_while_queued_ends_the_batch_and_drops_its_chunks(b: Broker) {
    let s = spec(2, 2);
    let id = s.id;
    b.submit(s).await.unwrap();

    assert_eq!(b.cancel(id).await.unwrap(), BatchStatus::Cancelled);

    assert_eq!(b.status(id).await.unwrap().status, BatchStatus::Cancelled);
    assert!(
        b.fetch("w1", Duration::from_millis(50))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(b.pending_len().await.unwrap(), 0);
    let texts = history_texts(&b, &Channel::Batch(id)).await;
    assert_eq!(
        texts,
        [r#"{"type":"cancelled","status":"cancelled","total":4,"succeeded":0,"failed":0}"#]
    );
    assert_eq!(b.cancel(id).await.unwrap(), BatchStatus::Cancelled);
}

async fn cancel_while_running_takes_effect_on_the_next_emit(b: Broker) {
    let s = spec(2, 2);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "w1").await;
    b.emit(&claim, &results_for(&claim)[..1]).await.unwrap();

    assert_eq!(b.cancel(id).await.unwrap(), BatchStatus::Cancelling);
    assert_eq!(
        b.emit(&claim, &results_for(&claim)).await.unwrap(),
        EmitOutcome::Cancelled
    );

    let state = b.status(id).await.unwrap();
    assert_eq!((state.status, state.done), (BatchStatus::Cancelled, 1));
    let texts = history_texts(&b, &Channel::Batch(id)).await;
    assert_eq!(
        texts.last().unwrap(),
        r#"{"type":"cancelled","status":"cancelled","total":4,"succeeded":1,"failed":0}"#
    );
    assert!(
        b.fetch("w2", Duration::from_millis(50))
            .await
            .unwrap()
            .is_none()
    );
}

async fn cancel_while_running_takes_effect_on_the_next_heartbeat(b: Broker) {
    let s = spec(1, 2);
    let id = s.id;
    b.submit(s).await.unwrap();
    let _claim = fetch(&b, "w1").await;
    let unknown = BatchId::new();

    b.cancel(id).await.unwrap();
    let seen = b.heartbeat("w1", &[id, unknown]).await.unwrap();

    assert_eq!(seen, [(id, Some(BatchStatus::Cancelled)), (unknown, None)]);
    assert_eq!(b.status(id).await.unwrap().status, BatchStatus::Cancelled);
}

async fn poison_chunk_goes_to_the_dead_list_and_its_beams_count_as_failed(b: Broker) {
    let s = spec(1, 3);
    let id = s.id;
    b.submit(s).await.unwrap();
    let first = fetch(&b, "w1").await;
    let mut attempts = vec![first.attempt];

    for _ in 0..3 {
        attempts.extend(b.recover_own("w1").await.unwrap().iter().map(|c| c.attempt));
    }

    assert_eq!(
        attempts,
        [1, 2, 3],
        "the fourth claim is past max_attempts = 3"
    );
    assert_eq!(b.dead_letters().await.unwrap(), [(id, 0)]);
    assert!(b.recover_own("w1").await.unwrap().is_empty());
    let state = b.status(id).await.unwrap();
    assert_eq!(
        (state.status, state.done, state.failed),
        (BatchStatus::Completed, 3, 3)
    );
}

async fn results_outside_the_claimed_chunk_are_refused(b: Broker) {
    b.submit(spec(2, 2)).await.unwrap();
    let claim = fetch(&b, "w1").await;
    let outside = BeamResult {
        index: 3,
        ok: true,
        payload: Bytes::from_static(b"x"),
    };

    let err = b.emit(&claim, &[outside]).await.unwrap_err();

    assert!(matches!(
        err,
        BrokerError::BeamOutOfChunk {
            index: 3,
            first: 0,
            end: 2,
            ..
        }
    ));
    assert!(!err.is_retryable());
}

async fn history_replays_from_a_position_and_refuses_a_foreign_epoch(b: Broker) {
    let ch = session("s-history");
    let start = b.position(&ch).await.unwrap();
    assert_eq!(start.offset, 0);
    for i in 1..=4 {
        let p = b.publish(&ch, Bytes::from(format!("m{i}"))).await.unwrap();
        assert_eq!(
            p,
            Position {
                epoch: start.epoch.clone(),
                offset: i
            }
        );
    }

    let since2 = b
        .history(
            &ch,
            Some(&Position {
                epoch: start.epoch.clone(),
                offset: 2,
            }),
            10,
        )
        .await
        .unwrap();
    let limited = b.history(&ch, Some(&start), 1).await.unwrap();
    let current = b.history(&ch, Some(&since2.position), 10).await.unwrap();
    let foreign = Position {
        epoch: protocol::Epoch::new("other").unwrap(),
        offset: 2,
    };
    let lost = b.history(&ch, Some(&foreign), 10).await.unwrap();
    let ahead = b
        .history(
            &ch,
            Some(&Position {
                epoch: start.epoch.clone(),
                offset: 9,
            }),
            10,
        )
        .await
        .unwrap();

    assert!(since2.recovered);
    let offsets: Vec<u64> = since2.publications.iter().map(|p| p.offset).collect();
    assert_eq!(offsets, [3, 4]);
    assert_eq!(since2.publications[1].payload, Bytes::from_static(b"m4"));
    assert_eq!(limited.publications.len(), 1);
    assert_eq!(limited.publications[0].payload, Bytes::from_static(b"m1"));
    assert!(current.recovered && current.publications.is_empty());
    assert!(!lost.recovered && lost.publications.is_empty());
    assert_eq!(lost.position.offset, 4);
    assert!(!ahead.recovered);
}

async fn trimmed_history_cannot_be_recovered(b: Broker) {
    let ch = Channel::Designs;
    let epoch = b.position(&ch).await.unwrap().epoch;
    for i in 1..=400 {
        b.publish(&ch, Bytes::from(format!("d{i}"))).await.unwrap();
    }

    let old = b
        .history(
            &ch,
            Some(&Position {
                epoch: epoch.clone(),
                offset: 1,
            }),
            10,
        )
        .await
        .unwrap();
    let recent = b
        .history(&ch, Some(&Position { epoch, offset: 397 }), 10)
        .await
        .unwrap();

    assert!(!old.recovered, "offset 2 was trimmed (history keeps ~5)");
    assert!(recent.recovered);
    let offsets: Vec<u64> = recent.publications.iter().map(|p| p.offset).collect();
    assert_eq!(offsets, [398, 399, 400]);
}

async fn unknown_batch_is_not_found(b: Broker) {
    let id = BatchId::new();
    let ch = Channel::Batch(id);
    assert!(matches!(b.status(id).await, Err(BrokerError::BatchNotFound(x)) if x == id));
    assert!(matches!(
        b.cancel(id).await,
        Err(BrokerError::BatchNotFound(_))
    ));
    assert!(matches!(
        b.history(&ch, None, 10).await,
        Err(BrokerError::BatchNotFound(_))
    ));
    assert!(matches!(
        b.publish(&ch, Bytes::new()).await,
        Err(BrokerError::BatchNotFound(_))
    ));
}

async fn subscriber_receives_publications_in_order_until_unsubscribed(b: Broker) {
    let ch = session("s-live");
    let other = session("s-other");
    let (sub, mut rx) = b.subscriber(64).await.unwrap();
    sub.subscribe(&ch).await.unwrap();
    let s = spec(1, 2);
    let batch = Channel::Batch(s.id);
    b.submit(s).await.unwrap();
    sub.subscribe(&batch).await.unwrap();

    let p1 = b.publish(&ch, Bytes::from_static(b"one")).await.unwrap();
    b.publish(&other, Bytes::from_static(b"not followed"))
        .await
        .unwrap();
    let p2 = b.publish(&ch, Bytes::from_static(b"two")).await.unwrap();
    let claim = fetch(&b, "w1").await;
    b.emit(&claim, &results_for(&claim)).await.unwrap();

    let mut got = Vec::new();
    for _ in 0..6 {
        match next_event(&mut rx).await {
            Event::Message(m) => got.push((m.channel, m.position.offset, m.payload)),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got[0], (ch.clone(), p1.offset, Bytes::from_static(b"one")));
    assert_eq!(got[1], (ch.clone(), p2.offset, Bytes::from_static(b"two")));
    let batch_offsets: Vec<u64> = got[2..]
        .iter()
        .map(|(c, o, _)| {
            assert_eq!(c, &batch);
            *o
        })
        .collect();
    assert_eq!(batch_offsets, [1, 2, 3, 4], "two beams, progress, complete");
    assert!(sub.health().is_healthy());

    sub.unsubscribe(&ch).await.unwrap();
    b.publish(&ch, Bytes::from_static(b"three")).await.unwrap();
    let marker = b
        .publish(&batch, Bytes::from_static(b"after"))
        .await
        .unwrap();
    match next_event(&mut rx).await {
        Event::Message(m) => assert_eq!((m.channel, m.position), (batch, marker)),
        other => panic!("unexpected {other:?}"),
    }
}

async fn config_put_is_compare_and_set_and_announces_on_the_config_channel(b: Broker) {
    let (sub, mut rx) = b.subscriber(8).await.unwrap();
    sub.subscribe(&Channel::Config).await.unwrap();
    assert_eq!(b.config_get().await.unwrap(), None);

    let (v1, p1) = b
        .config_put(
            0,
            Bytes::from_static(b"{\"cover\":25}"),
            Bytes::from_static(b"v1"),
        )
        .await
        .unwrap();
    let stale = b
        .config_put(0, Bytes::from_static(b"{}"), Bytes::from_static(b"lost"))
        .await;
    let (v2, p2) = b
        .config_put(
            1,
            Bytes::from_static(b"{\"cover\":30}"),
            Bytes::from_static(b"v2"),
        )
        .await
        .unwrap();

    assert_eq!((v1, v2), (1, 2));
    assert!(matches!(
        stale,
        Err(BrokerError::VersionConflict {
            expected: 0,
            current: 1
        })
    ));
    assert_eq!(
        b.config_get().await.unwrap(),
        Some((2, Bytes::from_static(b"{\"cover\":30}")))
    );
    assert_eq!((p1.offset, p2.offset), (1, 2));
    for expected in [b"v1", b"v2"] {
        match next_event(&mut rx).await {
            Event::Message(m) => assert_eq!(
                (m.channel, &m.payload[..]),
                (Channel::Config, &expected[..])
            ),
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn rate_limit_allows_a_burst_of_limit_then_refuses(b: Broker) {
    let limit = RateLimit {
        limit: 3,
        period: Duration::from_secs(3600),
    };

    let mut seen = Vec::new();
    for _ in 0..4 {
        let d = b.rate_check("user:alice", limit, 1).await.unwrap();
        seen.push((d.allowed, d.remaining, d.limit));
    }
    let refused = b.rate_check("user:alice", limit, 1).await.unwrap();
    let other = b.rate_check("user:bob", limit, 1).await.unwrap();

    assert_eq!(
        seen,
        [(true, 2, 3), (true, 1, 3), (true, 0, 3), (false, 0, 3)]
    );
    let retry = refused.retry_after.expect("refused carries retry_after");
    assert!(
        retry > Duration::from_secs(1000) && retry <= Duration::from_secs(1200),
        "{retry:?}"
    );
    assert!(refused.reset_after > Duration::from_secs(3000));
    assert!(other.allowed);
}
