//! Redis subscriptions under failure: a Redis restart with a subscriber attached, and a wedged
//! subscription caught by the self-publish probe.

mod common;

use std::time::Duration;

use broker::{BrokerSettings, Event, Subscriber};
use bytes::Bytes;
use common::{bounded, eventually, next_event};
use protocol::{Channel, SessionId};
use testkit::Persistence;

fn session() -> Channel {
    Channel::Session("s-restart".parse::<SessionId>().unwrap())
}

/// What a gateway does: deliver contiguous offsets once, skipping duplicates.
fn deliver(delivered: &mut Vec<u64>, offset: u64) {
    let last = delivered.last().copied().unwrap_or(0);
    if offset == last + 1 {
        delivered.push(offset);
    } else {
        assert!(offset <= last, "gap: {offset} after {last}");
    }
}

#[tokio::test]
async fn redis_restart_surfaces_the_disconnection_resubscribes_and_catch_up_has_no_gap() {
    bounded(async {
        let (mut server, b) = common::redis_with(Persistence::Aof, BrokerSettings::default()).await;
        let ch = session();
        let (sub, mut rx) = b.subscriber(64).await.unwrap();
        sub.subscribe(&ch).await.unwrap();
        let mut delivered = Vec::new();
        let p1 = b.publish(&ch, Bytes::from_static(b"m1")).await.unwrap();
        let Event::Message(m) = next_event(&mut rx).await else {
            panic!("expected m1")
        };
        deliver(&mut delivered, m.position.offset);

        server.kill();
        assert_eq!(next_event(&mut rx).await, Event::Disconnected);
        assert!(!sub.health().connected);
        server.restart();
        // Published while the subscriber may not be back yet: only the catch-up can see it.
        eventually(Duration::from_secs(20), || async {
            b.publish(&ch, Bytes::from_static(b"m2")).await.ok()
        })
        .await;
        loop {
            match next_event(&mut rx).await {
                Event::Reconnected => break,
                Event::Message(m) => deliver(&mut delivered, m.position.offset),
                other => panic!("unexpected {other:?}"),
            }
        }
        let last = p1.epoch.clone();
        let since = protocol::Position {
            epoch: last,
            offset: *delivered.last().unwrap(),
        };
        let catch_up = b.history(&ch, Some(&since), 100).await.unwrap();
        for p in &catch_up.publications {
            deliver(&mut delivered, p.offset);
        }
        let p3 = b.publish(&ch, Bytes::from_static(b"m3")).await.unwrap();
        loop {
            let Event::Message(m) = next_event(&mut rx).await else {
                panic!("expected m3")
            };
            deliver(&mut delivered, m.position.offset);
            if m.position == p3 {
                break;
            }
        }

        assert!(catch_up.recovered, "AOF kept the history: same epoch");
        assert_eq!(catch_up.position.epoch, p1.epoch);
        assert_eq!(delivered, [1, 2, 3]);
        assert!(sub.health().connected);
    })
    .await;
}

#[tokio::test]
async fn redis_wedged_subscription_is_reported_by_the_probe() {
    bounded(async {
        let settings = BrokerSettings {
            probe_interval: Duration::from_millis(50),
            ..BrokerSettings::default()
        };
        let (_server, b) = common::redis(settings).await;
        let (sub, _rx) = b.subscriber(8).await.unwrap();
        let Subscriber::Redis(redis_sub) = &sub else {
            panic!("redis subscriber expected")
        };
        assert!(sub.health().is_healthy());

        redis_sub.wedge_for_test().await.unwrap();

        eventually(Duration::from_secs(10), || async {
            (!sub.health().delivering).then_some(())
        })
        .await;
        assert!(
            sub.health().connected,
            "publishes still succeed: connected but not delivering"
        );
    })
    .await;
}

#[tokio::test]
async fn a_plain_redis_url_without_a_protocol_parameter_still_subscribes() {
    bounded(async {
        // Operators write `redis://host:6379`; subscriptions need RESP3, which the broker forces.
        let server = testkit::RedisServer::start();
        let url = format!("redis://127.0.0.1:{}", server.port());
        let b = broker::Broker::redis(&url, "plain-url:", BrokerSettings::default())
            .await
            .unwrap();
        let ch = session();
        let (sub, mut rx) = b.subscriber(8).await.unwrap();
        sub.subscribe(&ch).await.unwrap();
        let published = b.publish(&ch, Bytes::from_static(b"hello")).await.unwrap();
        let Event::Message(m) = next_event(&mut rx).await else {
            panic!("expected the publication")
        };
        assert_eq!(m.position, published);
        assert_eq!(&m.payload[..], b"hello");
    })
    .await;
}
