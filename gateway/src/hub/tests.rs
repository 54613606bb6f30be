//! The hub over the in-memory broker: one shared subscription per channel, the sender skipped,
//! the lone editor publishing nothing (and, in cluster mode, publishing only while another
//! gateway follows the session), config updates applied and fanned out, resume by replay.

use std::sync::Arc;
use std::time::Duration;

use broker::{Broker, BrokerSettings};
use bytes::Bytes;
use prometheus::Registry;
use protocol::{Channel, DesignConfig, SessionId, StoredEvent, StoredObject};
use serde_json::Value;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::config_store::ConfigStore;
use crate::connection::{Outbound, OutboundReceiver, outbound_queue};
use crate::design_defaults::DesignDefaults;
use crate::metrics::Metrics;
use crate::readiness::Readiness;

const BOUND: Duration = Duration::from_secs(10);

struct Fixture {
    broker: Broker,
    hub: HubHandle,
    defaults: Arc<DesignDefaults>,
    metrics: Metrics,
    _stop: tokio_util::sync::DropGuard,
}

async fn fixture(policy: SyncPolicy) -> Fixture {
    let broker = Broker::memory(BrokerSettings::default());
    let defaults = Arc::new(DesignDefaults::new(DesignConfig::default()));
    let config = ConfigStore::new(broker.clone(), defaults.clone());
    let metrics = Metrics::new(&Registry::new()).unwrap();
    let reporter = Readiness::new(true).broker_reporter();
    let (owner, hub) = Hub::new(broker.clone(), config, reporter, metrics.clone(), policy)
        .await
        .unwrap();
    let stop = CancellationToken::new();
    tokio::spawn(owner.run(stop.clone()));
    Fixture {
        broker,
        hub,
        defaults,
        metrics,
        _stop: stop.drop_guard(),
    }
}

fn session() -> Channel {
    Channel::Session(SessionId::try_from("s1".to_owned()).unwrap())
}

fn stored_result() -> StoredEvent {
    let parsed: protocol::ParsedBeam =
        serde_json::from_str(r#"{"width":300,"depth":500,"Mu":100}"#).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let stored = protocol::StoredResult::design(None, valid.record).unwrap();
    StoredEvent::Result(stored)
}

async fn next(rx: &mut OutboundReceiver) -> Value {
    match timeout(BOUND, rx.recv()).await.expect("bounded") {
        Outbound::Message(text) => serde_json::from_str(&text).unwrap(),
        Outbound::Overflowed => panic!("overflowed"),
    }
}

#[tokio::test]
async fn local_subscribers_share_one_channel_and_the_sender_is_skipped() {
    let f = fixture(SyncPolicy::LocalPresence).await;
    let (a_tx, mut a_rx) = outbound_queue(1 << 20);
    let (b_tx, mut b_rx) = outbound_queue(1 << 20);
    let a = f.hub.subscribe(session(), a_tx, None).await.unwrap();
    f.hub.subscribe(session(), b_tx, None).await.unwrap();
    assert_eq!(f.hub.followers(session()).await, 2);
    assert_eq!(f.metrics.channels.get(), 2, "config and the session");

    f.hub
        .publish_from(session(), stored_result(), Some(a.id))
        .unwrap();

    let got = next(&mut b_rx).await;
    assert_eq!(got["type"], "design_result");
    assert_eq!(got["channel"], "session:s1");
    assert_eq!(got["offset"], 1);
    assert!(got["result"]["tension"]["provided_mm2"].as_f64().unwrap() > 0.0);
    // The owner handled the publish before answering this, so anything for A is queued now.
    assert_eq!(f.hub.followers(session()).await, 2);
    assert_eq!(
        a_rx.try_recv(),
        None,
        "the sender does not get its own result"
    );
}

#[tokio::test]
async fn a_lone_editor_publishes_nothing() {
    let f = fixture(SyncPolicy::LocalPresence).await;
    let (tx, _rx) = outbound_queue(1 << 20);
    let me = f.hub.subscribe(session(), tx, None).await.unwrap();

    f.hub
        .publish_from(session(), stored_result(), Some(me.id))
        .unwrap();
    f.hub.followers(session()).await;

    assert_eq!(f.broker.position(&session()).await.unwrap().offset, 0);
    let skipped = f.metrics.session_syncs.with_label_values(&["skipped"]);
    assert_eq!(skipped.get(), 1);
}

#[tokio::test]
async fn a_sessions_audience_is_its_other_subscribers() {
    let f = fixture(SyncPolicy::LocalPresence).await;
    let (tx, _rx) = outbound_queue(1 << 20);
    let me = f.hub.subscribe(session(), tx, None).await.unwrap();
    assert!(!me.audience.may_listen(), "a lone editor has no audience");

    let (other_tx, _other_rx) = outbound_queue(1 << 20);
    let other = f.hub.subscribe(session(), other_tx, None).await.unwrap();
    assert!(
        me.audience.may_listen(),
        "set before the second subscriber is answered"
    );
    assert_eq!(other.audience, me.audience);

    f.hub.unsubscribe(session(), other.id).await;
    // Ordered after the unsubscribe on the owner.
    f.hub.followers(session()).await;
    assert!(!me.audience.may_listen());
}

/// Waits (bounded) until the hub's cached presence reports `shared` session channels.
async fn wait_shared(f: &Fixture, shared: i64) {
    let deadline = tokio::time::Instant::now() + BOUND;
    while f.metrics.sessions_shared.get() != shared {
        assert!(
            tokio::time::Instant::now() < deadline,
            "presence never became {shared}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn in_cluster_mode_a_session_is_published_only_while_another_gateway_follows_it() {
    let f = fixture(SyncPolicy::ClusterPresence).await;
    let (tx, _rx) = outbound_queue(1 << 20);
    let me = f.hub.subscribe(session(), tx, None).await.unwrap();
    let skipped = f.metrics.session_syncs.with_label_values(&["skipped"]);

    f.hub
        .publish_from(session(), stored_result(), Some(me.id))
        .unwrap();
    f.hub.followers(session()).await;
    assert_eq!((skipped.get(), f.metrics.sessions_shared.get()), (1, 0));

    // Another gateway's subscriber follows the session: seen at the next presence refresh.
    let (other, mut events) = f.broker.subscriber(8).await.unwrap();
    other.subscribe(&session()).await.unwrap();
    wait_shared(&f, 1).await;
    assert!(me.audience.may_listen(), "another gateway listens");
    f.hub
        .publish_from(session(), stored_result(), Some(me.id))
        .unwrap();
    let event = timeout(BOUND, events.recv()).await.unwrap().unwrap();
    let broker::Event::Message(message) = event else {
        panic!("a publication, got {event:?}")
    };
    assert_eq!(message.position.offset, 1);

    // It leaves: publishing stops again.
    other.unsubscribe(&session()).await.unwrap();
    wait_shared(&f, 0).await;
    f.hub
        .publish_from(session(), stored_result(), Some(me.id))
        .unwrap();
    f.hub.followers(session()).await;
    assert_eq!(skipped.get(), 2);
    assert_eq!(f.broker.position(&session()).await.unwrap().offset, 1);
}

#[tokio::test]
async fn a_config_publication_updates_the_defaults_and_reaches_every_follower() {
    let f = fixture(SyncPolicy::LocalPresence).await;
    let (tx, mut rx) = outbound_queue(1 << 20);
    f.hub.subscribe(Channel::Config, tx, None).await.unwrap();
    let config = DesignConfig {
        version: 1,
        fck: 30.0,
        ..DesignConfig::default()
    };
    let announcement = StoredEvent::Object(StoredObject::ConfigUpdated { config });

    f.broker
        .config_put(0, Bytes::from_static(b"{}"), announcement.encode().into())
        .await
        .unwrap();

    let got = next(&mut rx).await;
    assert_eq!(got["type"], "config_updated");
    assert_eq!(got["config"]["fck"], 30.0);
    assert_eq!(f.defaults.current().version, 1);
}

#[tokio::test]
async fn a_resuming_subscriber_gets_the_missed_publications_once() {
    let f = fixture(SyncPolicy::Always).await;
    let (early_tx, mut early_rx) = outbound_queue(1 << 20);
    let first = f.hub.subscribe(session(), early_tx, None).await.unwrap();
    for _ in 0..3 {
        f.hub
            .publish_from(session(), stored_result(), None)
            .unwrap();
    }
    for offset in 1..=3 {
        assert_eq!(next(&mut early_rx).await["offset"], offset);
    }
    let (tx, mut rx) = outbound_queue(1 << 20);
    let since = first.position.clone().unwrap();

    let resumed = f.hub.subscribe(session(), tx, Some(since)).await.unwrap();

    assert!(resumed.recovered);
    assert_eq!(resumed.position.unwrap().offset, 3);
    let offsets = [
        next(&mut rx).await,
        next(&mut rx).await,
        next(&mut rx).await,
    ]
    .map(|m| m["offset"].as_u64().unwrap());
    assert_eq!(offsets, [1, 2, 3]);
    f.hub
        .publish_from(session(), stored_result(), None)
        .unwrap();
    assert_eq!(
        next(&mut rx).await["offset"],
        4,
        "no duplicate before the next one"
    );
}

#[tokio::test]
async fn many_syncs_in_flight_reach_the_others_once_each_and_never_the_sender() {
    let f = fixture(SyncPolicy::Always).await;
    let (me_tx, mut me_rx) = outbound_queue(1 << 20);
    let (other_tx, mut other_rx) = outbound_queue(1 << 20);
    let me = f.hub.subscribe(session(), me_tx, None).await.unwrap();
    f.hub.subscribe(session(), other_tx, None).await.unwrap();

    for _ in 0..50 {
        f.hub
            .publish_from(session(), stored_result(), Some(me.id))
            .unwrap();
    }
    f.hub
        .publish_from(session(), stored_result(), None)
        .unwrap();

    for offset in 1..=51 {
        assert_eq!(next(&mut other_rx).await["offset"], offset);
    }
    // Identical payloads are interchangeable: the sender gets exactly one of the 51, the one
    // it did not send.
    let mine = next(&mut me_rx).await["offset"].as_u64().unwrap();
    assert!((1..=51).contains(&mine));
    assert_eq!(me_rx.try_recv(), None);
}
