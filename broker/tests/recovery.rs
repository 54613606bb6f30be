//! Failure and recovery: dead workers reaped, zombies fenced, history lost. Both implementations
//! (the in-memory twin with tokio's paused clock), plus Redis-only cases.

mod common;

use std::time::Duration;

use broker::{BatchStatus, Broker, BrokerSettings, EmitOutcome, RateLimit};
use bytes::Bytes;
use common::{bounded, eventually, fetch, history_texts, results_for, spec};
use protocol::{Channel, Position};
use testkit::RedisServer;

fn settings() -> BrokerSettings {
    BrokerSettings {
        dead_after: Duration::from_millis(300),
        reap_interval: Duration::from_millis(1),
        ..BrokerSettings::default()
    }
}

/// w1 claims a chunk, lands half of it and goes silent; w2 reaps it, re-runs it and finishes
/// the batch; w1 wakes up as a zombie and is fenced. Every beam lands exactly once.
async fn dead_worker_is_reaped_and_the_batch_completes_with_every_beam_once(b: Broker) {
    let s = spec(2, 4);
    let id = s.id;
    b.submit(s).await.unwrap();
    // w1 never heartbeats: its fetch registers it.
    let zombie = fetch(&b, "w1").await;
    b.emit(&zombie, &results_for(&zombie)[..2]).await.unwrap();

    let reaped = eventually(Duration::from_secs(20), || async {
        b.heartbeat("w2", &[]).await.unwrap();
        b.reap().await.unwrap().filter(|r| r.chunks > 0)
    })
    .await;
    assert_eq!((reaped.workers, reaped.chunks), (1, 1));

    let mut attempts = Vec::new();
    for _ in 0..2 {
        let claim = fetch(&b, "w2").await;
        attempts.push((claim.chunk_index, claim.attempt));
        b.emit(&claim, &results_for(&claim)).await.unwrap();
        b.ack(&claim).await.unwrap();
    }
    assert_eq!(
        attempts,
        [(zombie.chunk_index, 2), (1 - zombie.chunk_index, 1)]
    );
    assert_eq!(
        b.emit(&zombie, &results_for(&zombie)).await.unwrap(),
        EmitOutcome::Fenced
    );
    let state = b.status(id).await.unwrap();
    assert_eq!((state.status, state.done), (BatchStatus::Completed, 8));
    let texts = history_texts(&b, &Channel::Batch(id)).await;
    let mut beams: Vec<&String> = texts.iter().filter(|t| t.starts_with("beam-")).collect();
    beams.sort();
    beams.dedup();
    assert_eq!(beams.len(), 8, "each beam exactly once: {texts:?}");
    assert_eq!(texts.iter().filter(|t| t.starts_with("beam-")).count(), 8);
}

/// History lost (FLUSHALL in Redis, `forget_history` in memory): a new epoch starts and a reader
/// holding an old position learns it cannot recover.
async fn lost_history_starts_a_new_epoch_and_readers_cannot_recover(
    b: Broker,
    lose: impl FnOnce(),
) {
    let ch = Channel::Config;
    for i in 0..3 {
        b.publish(&ch, Bytes::from(format!("c{i}"))).await.unwrap();
    }
    let before = b.position(&ch).await.unwrap();

    lose();
    let read = b
        .history(
            &ch,
            Some(&Position {
                epoch: before.epoch.clone(),
                offset: 1,
            }),
            10,
        )
        .await
        .unwrap();
    let next = b.publish(&ch, Bytes::from_static(b"fresh")).await.unwrap();

    assert!(!read.recovered);
    assert_ne!(read.position.epoch, before.epoch);
    assert_eq!(read.position.offset, 0);
    assert_eq!(
        next,
        Position {
            epoch: read.position.epoch.clone(),
            offset: 1
        }
    );
}

#[tokio::test(start_paused = true)]
async fn memory_dead_worker_is_reaped_and_the_batch_completes_with_every_beam_once() {
    let b = Broker::memory(settings());
    bounded(dead_worker_is_reaped_and_the_batch_completes_with_every_beam_once(b)).await;
}

#[tokio::test]
async fn redis_dead_worker_is_reaped_and_the_batch_completes_with_every_beam_once() {
    let (_server, b) = common::redis(settings()).await;
    bounded(dead_worker_is_reaped_and_the_batch_completes_with_every_beam_once(b)).await;
}

#[tokio::test]
async fn memory_lost_history_starts_a_new_epoch_and_readers_cannot_recover() {
    let Broker::Memory(m) = Broker::memory(settings()) else {
        unreachable!()
    };
    let b = Broker::Memory(m.clone());
    bounded(lost_history_starts_a_new_epoch_and_readers_cannot_recover(
        b,
        || m.forget_history(),
    ))
    .await;
}

#[tokio::test]
async fn redis_lost_history_starts_a_new_epoch_and_readers_cannot_recover() {
    let (server, b) = common::redis(settings()).await;
    bounded(lost_history_starts_a_new_epoch_and_readers_cannot_recover(
        b,
        || server.flushall(),
    ))
    .await;
}

#[tokio::test]
async fn redis_reaper_runs_once_per_interval_across_clients() {
    bounded(async {
        let server = RedisServer::start();
        let slow = BrokerSettings {
            reap_interval: Duration::from_secs(3600),
            ..settings()
        };
        let a = common::connect(&server, slow.clone()).await;
        let b = common::connect(&server, slow).await;

        let first = a.reap().await.unwrap();
        let second = b.reap().await.unwrap();

        assert_eq!(first, Some(broker::Reaped::default()));
        assert_eq!(second, None, "the other client's pass holds the interval");
    })
    .await;
}

#[tokio::test]
async fn redis_lost_blmove_reply_leaves_the_chunk_for_the_self_audit() {
    bounded(async {
        let (server, b) = common::redis(settings()).await;
        let s = spec(1, 2);
        let id = s.id;
        b.submit(s).await.unwrap();
        // A client that sends BLMOVE and never reads the reply (its timeout fired, it died).
        let proc_key = "test:{q:design}:proc:w1";
        let args = [
            "BLMOVE",
            "test:{q:design}:pending",
            proc_key,
            "LEFT",
            "RIGHT",
            "0",
        ];
        let mut frame = format!("*{}\r\n", args.len());
        for a in args {
            frame.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        let mut lost = tokio::net::TcpStream::connect(("127.0.0.1", server.port()))
            .await
            .unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut lost, frame.as_bytes())
            .await
            .unwrap();
        eventually(Duration::from_secs(10), || async {
            let len = server.command(&["LLEN", proc_key]).unwrap();
            (len == testkit::Reply::Int(1)).then_some(())
        })
        .await;
        drop(lost);

        let found = b.recover_own("w1").await.unwrap();

        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].batch, found[0].attempt, found[0].beam_count),
            (id, 1, 2)
        );
        b.emit(&found[0], &results_for(&found[0])).await.unwrap();
        b.ack(&found[0]).await.unwrap();
        assert_eq!(b.status(id).await.unwrap().status, BatchStatus::Completed);
        assert_eq!(
            server.command(&["LLEN", proc_key]).unwrap(),
            testkit::Reply::Int(0)
        );
    })
    .await;
}

#[tokio::test]
async fn redis_rate_limit_budget_holds_across_two_independent_clients() {
    bounded(async {
        let server = RedisServer::start();
        let a = common::connect(&server, settings()).await;
        let b = common::connect(&server, settings()).await;
        let limit = RateLimit {
            limit: 10,
            period: Duration::from_secs(3600),
        };

        let mut allowed = 0;
        for i in 0..30 {
            let client = if i % 2 == 0 { &a } else { &b };
            allowed += u32::from(
                client
                    .rate_check("ip:10.0.0.1", limit, 1)
                    .await
                    .unwrap()
                    .allowed,
            );
        }

        assert_eq!(allowed, 10);
    })
    .await;
}
