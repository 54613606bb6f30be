//! The contract suite, queue side: every test runs against the in-memory twin and a real Redis.

mod common;

use std::time::Duration;

use broker::{BatchStatus, BeamResult, Broker, BrokerError, BrokerSettings, EmitOutcome};
use bytes::Bytes;
use common::{fetch, history_texts, results_for, spec};
use protocol::{BatchId, Channel, Position, StoredEvent, StoredObject};

fn settings() -> BrokerSettings {
    BrokerSettings {
        max_attempts: 3,
        ..BrokerSettings::default()
    }
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
    broker_written_events_decode_with_protocols_stored_event_decoder,
    retiring_worker_hands_its_chunks_back_in_order_and_is_fenced,
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
    let since = Position {
        epoch: state.position.epoch.clone(),
        offset: 2,
    };
    let page = b
        .history(&Channel::Batch(id), Some(&since), 3)
        .await
        .unwrap();
    let offsets: Vec<u64> = page.publications.iter().map(|p| p.offset).collect();
    assert!(page.recovered);
    assert_eq!(
        offsets,
        [3, 4, 5],
        "a page may start and end inside one chunk's results"
    );
    assert_eq!(page.publications[2].payload, Bytes::from(texts[4].clone()));
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

async fn broker_written_events_decode_with_protocols_stored_event_decoder(b: Broker) {
    let done = spec(2, 5);
    let (done_id, cancelled) = (done.id, spec(1, 3));
    let cancelled_id = cancelled.id;
    b.submit(done).await.unwrap();
    for _ in 0..2 {
        let claim = fetch(&b, "w1").await;
        b.emit(&claim, &results_for(&claim)).await.unwrap();
    }
    b.submit(cancelled).await.unwrap();
    b.cancel(cancelled_id).await.unwrap();

    let decode = |t: &String| match StoredEvent::decode(t.as_bytes()) {
        Ok(StoredEvent::Object(o)) => o,
        other => panic!("`{t}` decoded as {other:?}"),
    };
    let done_events: Vec<StoredObject> = history_texts(&b, &Channel::Batch(done_id))
        .await
        .iter()
        .filter(|t| !t.starts_with("beam-"))
        .map(decode)
        .collect();
    let cancelled_events: Vec<StoredObject> = history_texts(&b, &Channel::Batch(cancelled_id))
        .await
        .iter()
        .map(decode)
        .collect();

    assert_eq!(
        done_events,
        [
            StoredObject::Progress {
                done: 5,
                failed: 1,
                total: 10
            },
            StoredObject::Progress {
                done: 10,
                failed: 2,
                total: 10
            },
            StoredObject::Complete {
                status: "completed".into(),
                total: 10,
                succeeded: 8,
                failed: 2
            },
        ]
    );
    assert_eq!(
        cancelled_events,
        [StoredObject::Cancelled {
            status: "cancelled".into(),
            total: 3,
            succeeded: 0,
            failed: 0
        }]
    );
}

async fn retiring_worker_hands_its_chunks_back_in_order_and_is_fenced(b: Broker) {
    b.submit(spec(3, 2)).await.unwrap();
    let first = fetch(&b, "w1").await;
    let second = fetch(&b, "w1").await;

    let handed_back = b.retire("w1").await.unwrap();

    assert_eq!(handed_back, 2);
    assert_eq!(b.pending_len().await.unwrap(), 3);
    let order: Vec<(u32, u32)> = [
        fetch(&b, "w2").await,
        fetch(&b, "w2").await,
        fetch(&b, "w2").await,
    ]
    .iter()
    .map(|c| (c.chunk_index, c.attempt))
    .collect();
    assert_eq!(
        order,
        [(first.chunk_index, 2), (second.chunk_index, 2), (2, 1)]
    );
    assert_eq!(
        b.emit(&first, &results_for(&first)).await.unwrap(),
        EmitOutcome::Fenced
    );
    assert_eq!(b.retire("w1").await.unwrap(), 0);
}
