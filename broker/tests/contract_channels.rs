//! The contract suite, channel and store side: every test runs against the in-memory twin and
//! a real Redis.

mod common;

use std::time::Duration;

use broker::{Broker, BrokerError, BrokerSettings, Event, RateLimit};
use bytes::Bytes;
use common::{fetch, history_texts, next_event, results_for, spec};
use protocol::{BatchId, Channel, Position, SessionId};

fn settings() -> BrokerSettings {
    BrokerSettings {
        channel_history: 5,
        ..BrokerSettings::default()
    }
}

fn session(name: &str) -> Channel {
    Channel::Session(name.parse::<SessionId>().unwrap())
}

contract!(
    history_replays_from_a_position_and_refuses_a_foreign_epoch,
    trimmed_history_cannot_be_recovered,
    unknown_batch_is_not_found,
    subscriber_receives_publications_in_order_until_unsubscribed,
    config_put_is_compare_and_set_and_announces_on_the_config_channel,
    rate_limit_allows_a_burst_of_limit_then_refuses,
    history_of_a_large_chunk_pages_across_its_stream_entries,
    followers_count_live_subscribers_per_channel_and_forget_a_dropped_one,
);

async fn followers_count_live_subscribers_per_channel_and_forget_a_dropped_one(b: Broker) {
    let (shared, alone, nobody) = (session("f-shared"), session("f-alone"), session("f-none"));
    let asked = [shared.clone(), alone.clone(), nobody.clone()];
    assert_eq!(b.followers(&asked).await.unwrap(), [0, 0, 0]);
    assert!(b.followers(&[]).await.unwrap().is_empty());
    let (first, _rx1) = b.subscriber(8).await.unwrap();
    let (second, _rx2) = b.subscriber(8).await.unwrap();

    first.subscribe(&shared).await.unwrap();
    first.subscribe(&alone).await.unwrap();
    second.subscribe(&shared).await.unwrap();
    // Subscribing twice through one subscriber is still one follower.
    second.subscribe(&shared).await.unwrap();
    assert_eq!(b.followers(&asked).await.unwrap(), [2, 1, 0]);

    second.unsubscribe(&shared).await.unwrap();
    assert_eq!(b.followers(&asked).await.unwrap(), [1, 1, 0]);

    // A subscriber that goes away (a crashed gateway's connection closes) stops counting.
    drop(first);
    common::eventually(Duration::from_secs(10), || async {
        (b.followers(&asked).await.unwrap() == [0, 0, 0]).then_some(())
    })
    .await;
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

async fn history_of_a_large_chunk_pages_across_its_stream_entries(b: Broker) {
    let s = spec(1, 2500);
    let ch = Channel::Batch(s.id);
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "w1").await;
    b.emit(&claim, &results_for(&claim)).await.unwrap();
    let epoch = b.position(&ch).await.unwrap().epoch;

    let mut pages = Vec::new();
    for (since, limit) in [(995, 10), (1999, 3), (2499, 5)] {
        let at = Position {
            epoch: epoch.clone(),
            offset: since,
        };
        let h = b.history(&ch, Some(&at), limit).await.unwrap();
        assert!(h.recovered);
        pages.push(
            h.publications
                .iter()
                .map(|p| p.offset)
                .collect::<Vec<u64>>(),
        );
        let first = &h.publications[0];
        if since < 2500 {
            assert_eq!(first.payload, Bytes::from(format!("beam-{since}")));
        }
    }

    assert_eq!(pages[0], (996..=1005).collect::<Vec<u64>>());
    assert_eq!(pages[1], [2000, 2001, 2002]);
    assert_eq!(
        pages[2],
        [2500, 2501, 2502],
        "last beam, progress, complete"
    );
    assert_eq!(history_texts(&b, &ch).await.len(), 2502);
}

/// Memory only: its delivery is synchronous, so a full queue is deterministic. (The Redis
/// subscriber shares the same bounded sink, whose overflow rule is unit-tested.)
#[tokio::test]
async fn memory_full_subscriber_queue_reports_lagged_and_history_fills_the_gap() {
    common::bounded(async {
        let b = Broker::memory(settings());
        let ch = session("s-slow");
        let (sub, mut rx) = b.subscriber(2).await.unwrap();
        sub.subscribe(&ch).await.unwrap();
        for i in 1..=4 {
            b.publish(&ch, Bytes::from(format!("m{i}"))).await.unwrap();
        }

        let mut seen = Vec::new();
        for _ in 0..2 {
            let Event::Message(m) = next_event(&mut rx).await else {
                panic!("message")
            };
            seen.push(m.position);
        }
        let last = b.publish(&ch, Bytes::from_static(b"m5")).await.unwrap();
        assert_eq!(next_event(&mut rx).await, Event::Lagged);
        let gap = b.history(&ch, Some(&seen[1]), 10).await.unwrap();

        let offsets: Vec<u64> = gap.publications.iter().map(|p| p.offset).collect();
        assert!(gap.recovered);
        assert_eq!(offsets, [3, 4, 5]);
        assert_eq!(gap.position, last);
    })
    .await;
}
