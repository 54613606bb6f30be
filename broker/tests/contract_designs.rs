//! The contract suite, designs store side: every test runs against the in-memory twin and a
//! real Redis (plus one Redis-only test of the dead-worker announcement path).

mod common;

use broker::{Broker, BrokerSettings, DesignSpec, EmitOutcome, Event};
use bytes::Bytes;
use common::{fetch, history_texts, next_event, results_for, spec};
use protocol::event::NewDesign;
use protocol::{BatchId, Channel, StoredEvent, StoredObject};
use uuid::Uuid;

/// Kept designs bounded low so trimming is exercised.
const KEPT: usize = 4;

fn settings() -> BrokerSettings {
    BrokerSettings {
        designs_kept: KEPT,
        ..BrokerSettings::default()
    }
}

fn design(owner: &str, record: &str) -> DesignSpec {
    DesignSpec {
        id: Uuid::now_v7(),
        owner: owner.to_owned(),
        record: Bytes::from(record.to_owned()),
    }
}

fn announcement(spec: &DesignSpec) -> Bytes {
    let event = NewDesign::design(&spec.id.to_string(), "PASS");
    Bytes::from(StoredEvent::Object(StoredObject::NewDesign(event)).encode())
}

/// The `new_design` events on the `designs` channel, in order.
async fn feed(b: &Broker) -> Vec<NewDesign> {
    history_texts(b, &Channel::Designs)
        .await
        .iter()
        .map(
            |text| match StoredEvent::decode(text.as_bytes()).expect("a stored event") {
                StoredEvent::Object(StoredObject::NewDesign(n)) => n,
                other => panic!("not a new_design: {other:?}"),
            },
        )
        .collect()
}

contract!(
    a_saved_design_is_read_back_with_its_owner_time_and_record,
    saving_publishes_the_announcement_on_the_designs_channel_in_the_same_step,
    saving_an_id_twice_stores_and_announces_it_once,
    the_list_pages_newest_first_by_cursor,
    only_the_most_recent_designs_are_kept_index_and_record_together,
    a_completed_batch_is_announced_once_whatever_is_emitted_again,
    a_chunk_of_a_completed_batch_coming_back_is_not_announced_twice,
);

async fn a_saved_design_is_read_back_with_its_owner_time_and_record(b: Broker) {
    let spec = design("alice", "[null,0,300,450,5000,150]");
    let before = now_ms();
    let saved = b.design_save(&spec, announcement(&spec)).await.unwrap();
    assert!(saved.created);
    let got = b.design_get(spec.id).await.unwrap().expect("stored");
    assert_eq!(got, saved.design);
    assert_eq!(got.owner, "alice");
    assert_eq!(got.record, spec.record);
    assert_eq!(got.seq, 1);
    assert!(got.created_ms + 5_000 >= before && got.created_ms <= now_ms() + 5_000);
    assert_eq!(b.design_get(Uuid::now_v7()).await.unwrap(), None);
}

async fn saving_publishes_the_announcement_on_the_designs_channel_in_the_same_step(b: Broker) {
    let (sub, mut rx) = b.subscriber(16).await.unwrap();
    sub.subscribe(&Channel::Designs).await.unwrap();
    let spec = design("alice", "r1");
    let saved = b.design_save(&spec, announcement(&spec)).await.unwrap();
    let position = saved.position.expect("announced");
    assert_eq!(position.offset, 1);
    let Event::Message(m) = next_event(&mut rx).await else {
        panic!("expected the announcement");
    };
    assert_eq!(m.channel, Channel::Designs);
    assert_eq!(m.position, position);
    assert_eq!(m.payload, announcement(&spec));
    let feed = feed(&b).await;
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].id, spec.id.to_string());
    assert_eq!(
        feed[0].mesh,
        format!("/api/v1/designs/{}/mesh.stl", spec.id)
    );
}

async fn saving_an_id_twice_stores_and_announces_it_once(b: Broker) {
    let spec = design("alice", "first");
    let first = b.design_save(&spec, announcement(&spec)).await.unwrap();
    let again = DesignSpec {
        record: Bytes::from_static(b"second"),
        ..spec.clone()
    };
    let second = b.design_save(&again, announcement(&again)).await.unwrap();
    assert!(!second.created);
    assert_eq!(second.position, None);
    assert_eq!(second.design, first.design);
    assert_eq!(
        b.design_get(spec.id).await.unwrap().unwrap().record,
        "first"
    );
    assert_eq!(feed(&b).await.len(), 1);
    assert_eq!(b.design_list(None, 10).await.unwrap().designs.len(), 1);
}

async fn the_list_pages_newest_first_by_cursor(b: Broker) {
    let specs: Vec<DesignSpec> = (0..3).map(|i| design("bob", &format!("r{i}"))).collect();
    for s in &specs {
        b.design_save(s, announcement(s)).await.unwrap();
    }
    let first = b.design_list(None, 2).await.unwrap();
    let ids: Vec<Uuid> = first.designs.iter().map(|d| d.id).collect();
    assert_eq!(ids, [specs[2].id, specs[1].id]);
    assert_eq!(first.next, Some(first.designs[1].seq));
    let second = b.design_list(first.next, 2).await.unwrap();
    let ids: Vec<Uuid> = second.designs.iter().map(|d| d.id).collect();
    assert_eq!(ids, [specs[0].id]);
    assert_eq!(second.next, None);
    let whole = b.design_list(None, 3).await.unwrap();
    assert_eq!(whole.designs.len(), 3);
    assert_eq!(whole.next, None, "an exactly full page is the last one");
    // A limit of 0 still reads one design (limits are clamped to 1..=1000).
    assert_eq!(b.design_list(None, 0).await.unwrap().designs.len(), 1);
}

async fn only_the_most_recent_designs_are_kept_index_and_record_together(b: Broker) {
    let specs: Vec<DesignSpec> = (0..KEPT + 2)
        .map(|i| design("carol", &format!("r{i}")))
        .collect();
    for s in &specs {
        b.design_save(s, announcement(s)).await.unwrap();
    }
    for gone in &specs[..2] {
        assert_eq!(b.design_get(gone.id).await.unwrap(), None);
    }
    let page = b.design_list(None, 100).await.unwrap();
    let ids: Vec<Uuid> = page.designs.iter().map(|d| d.id).collect();
    let kept: Vec<Uuid> = specs[2..].iter().rev().map(|s| s.id).collect();
    assert_eq!(ids, kept);
    assert_eq!(page.next, None);
    // The feed still announced every save (it has its own bounded history).
    assert_eq!(feed(&b).await.len(), KEPT + 2);
}

async fn a_completed_batch_is_announced_once_whatever_is_emitted_again(b: Broker) {
    let s = spec(2, 3);
    let id = s.id;
    b.submit(s).await.unwrap();
    let first = fetch(&b, "w1").await;
    let second = fetch(&b, "w1").await;
    b.emit(&first, &results_for(&first)).await.unwrap();
    assert!(
        feed(&b).await.is_empty(),
        "not announced before it completes"
    );
    let last = b.emit(&second, &results_for(&second)).await.unwrap();
    assert!(matches!(last, EmitOutcome::Accepted { appended: 3, .. }));
    // A retried emit (its reply was lost) finds the batch completed and announces nothing new.
    b.emit(&second, &results_for(&second)).await.unwrap();
    assert_eq!(feed(&b).await, [NewDesign::batch(id, "completed")]);
}

async fn a_chunk_of_a_completed_batch_coming_back_is_not_announced_twice(b: Broker) {
    let s = spec(1, 2);
    let id = s.id;
    b.submit(s).await.unwrap();
    let claim = fetch(&b, "dies").await;
    b.emit(&claim, &results_for(&claim)).await.unwrap();
    // The worker died before its ack: its chunk is still in its list; claiming it drops it.
    assert!(b.recover_own("dies").await.unwrap().is_empty());
    assert_eq!(feed(&b).await, [NewDesign::batch(id, "completed")]);
}

/// Redis only: a worker killed between the completing emit script and the announcement (the
/// announcement's dedupe key never written, nothing published) — the claim that drops its
/// returned chunk announces the batch.
#[tokio::test]
async fn redis_a_worker_dead_before_announcing_is_covered_by_the_claim_that_drops_its_chunk() {
    let (server, b) = common::redis(settings()).await;
    common::bounded(async {
        let s = spec(1, 2);
        let id: BatchId = s.id;
        b.submit(s).await.unwrap();
        let claim = fetch(&b, "dies").await;
        b.emit(&claim, &results_for(&claim)).await.unwrap();
        // Undo the announcement, as if the process had died before making it.
        let key = format!("test:{{c:designs}}:batch:{id}");
        server.command(&["DEL", &key]).unwrap();
        server
            .command(&["DEL", "test:{c:designs}:meta", "test:{c:designs}:stream"])
            .unwrap();
        assert!(b.recover_own("dies").await.unwrap().is_empty());
        assert_eq!(feed(&b).await, [NewDesign::batch(id, "completed")]);
    })
    .await;
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}
