//! Registry tests with fake connections (tasks holding a registration) and paused time.

use prometheus::Registry;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::time::{advance, timeout};

use super::*;

const BOUND: Duration = Duration::from_secs(60);

fn caps() -> ConnectionCaps {
    ConnectionCaps {
        per_session: 3,
        per_user: 5,
        per_node: 8,
        new_per_sec: 1_000,
    }
}

fn start(caps: ConnectionCaps) -> (RegistryHandle, Metrics) {
    let metrics = Metrics::new(&Registry::new()).unwrap();
    let (registry, handle) = ConnectionRegistry::new(caps, metrics.clone());
    tokio::spawn(registry.run());
    (handle, metrics)
}

async fn register(
    handle: &RegistryHandle,
    session: &str,
    user: &str,
) -> Result<Registration, ConnectionRejected> {
    timeout(BOUND, handle.register(session, user))
        .await
        .unwrap()
}

/// A fake connection: waits to be told to go, reports when, then unregisters (unless stuck).
fn fake_connection(
    handle: RegistryHandle,
    registration: Registration,
    told: UnboundedSender<Duration>,
    stuck: bool,
) {
    let started = Instant::now();
    tokio::spawn(async move {
        registration.shutdown.cancelled().await;
        let _ = told.send(started.elapsed());
        if !stuck {
            handle.unregister(registration.id).await;
        }
    });
}

#[tokio::test(start_paused = true)]
async fn a_session_takes_three_connections_and_a_fourth_after_one_leaves() {
    let (handle, metrics) = start(caps());
    let mut live = Vec::new();
    for user in ["a", "b", "c"] {
        live.push(register(&handle, "s1", user).await.unwrap());
    }
    assert_eq!(
        register(&handle, "s1", "d").await.unwrap_err(),
        ConnectionRejected::SessionFull
    );
    handle.unregister(live.pop().unwrap().id).await;
    assert!(register(&handle, "s1", "d").await.is_ok());
    let rejected = metrics
        .connections_rejected
        .with_label_values(&["session_full"])
        .get();
    assert_eq!(rejected, 1);
}

#[tokio::test(start_paused = true)]
async fn users_and_the_node_have_their_own_caps() {
    let (handle, metrics) = start(caps());
    for n in 0..5 {
        register(&handle, &format!("u-{n}"), "alice").await.unwrap();
    }
    assert_eq!(
        register(&handle, "u-5", "alice").await.unwrap_err(),
        ConnectionRejected::UserFull
    );
    for n in 0..3 {
        register(&handle, &format!("n-{n}"), &format!("user-{n}"))
            .await
            .unwrap();
    }
    assert_eq!(
        register(&handle, "n-9", "bob").await.unwrap_err(),
        ConnectionRejected::NodeFull
    );
    let stats = timeout(BOUND, handle.stats()).await.unwrap().unwrap();
    assert_eq!(
        stats,
        RegistryStats {
            connections: 8,
            sessions: 8,
            users: 4
        }
    );
    assert_eq!(metrics.connections.get(), 8);
    assert_eq!(metrics.sessions.get(), 8);
}

#[tokio::test(start_paused = true)]
async fn new_connections_per_second_are_capped_and_refill() {
    let (handle, _) = start(ConnectionCaps {
        new_per_sec: 2,
        ..caps()
    });
    register(&handle, "s1", "a").await.unwrap();
    register(&handle, "s2", "a").await.unwrap();
    assert_eq!(
        register(&handle, "s3", "a").await.unwrap_err(),
        ConnectionRejected::TooManyNewConnections
    );
    advance(Duration::from_millis(500)).await;
    assert!(register(&handle, "s3", "a").await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn unregistering_twice_or_an_unknown_id_changes_nothing() {
    let (handle, metrics) = start(caps());
    let kept = register(&handle, "s1", "a").await.unwrap();
    let gone = register(&handle, "s1", "b").await.unwrap();
    handle.unregister(gone.id).await;
    handle.unregister(gone.id).await;
    let stats = timeout(BOUND, handle.stats()).await.unwrap().unwrap();
    assert_eq!(
        stats,
        RegistryStats {
            connections: 1,
            sessions: 1,
            users: 1
        }
    );
    assert_eq!(metrics.connections.get(), 1);
    assert_ne!(kept.id, gone.id);
}

#[tokio::test(start_paused = true)]
async fn drain_tells_connections_in_paced_batches_and_ends_when_all_are_gone() {
    let (handle, metrics) = start(caps());
    let (told_tx, mut told_rx) = unbounded_channel();
    for n in 0..5 {
        let registration = register(&handle, &format!("s{n}"), &format!("u{n}"))
            .await
            .unwrap();
        fake_connection(handle.clone(), registration, told_tx.clone(), false);
    }
    let plan = DrainPlan {
        grace: Duration::from_secs(10),
        batch: 2,
        pace: Duration::from_millis(100),
    };

    let report = timeout(BOUND, handle.drain(plan)).await.unwrap();

    assert_eq!(
        report,
        DrainReport {
            told: 5,
            remaining: 0
        }
    );
    let mut told_at = Vec::new();
    while let Ok(at) = told_rx.try_recv() {
        told_at.push(at.as_millis());
    }
    assert_eq!(
        told_at,
        [0, 0, 100, 100, 200],
        "two per step, 100 ms apart (virtual time)"
    );
    assert_eq!(metrics.connections.get(), 0);
}

#[tokio::test(start_paused = true)]
async fn drain_refuses_new_connections_and_gives_up_on_stuck_ones_at_the_grace() {
    let (handle, _) = start(caps());
    let (told_tx, mut told_rx) = unbounded_channel();
    let stuck = register(&handle, "s1", "u1").await.unwrap();
    fake_connection(handle.clone(), stuck, told_tx, true);
    let plan = DrainPlan {
        grace: Duration::from_secs(3),
        batch: 10,
        pace: Duration::from_millis(100),
    };
    let started = Instant::now();

    let drain = tokio::spawn({
        let handle = handle.clone();
        async move { handle.drain(plan).await }
    });
    timeout(BOUND, told_rx.recv()).await.unwrap().unwrap();
    let refused = register(&handle, "s2", "u2").await.unwrap_err();
    let report = timeout(BOUND, drain).await.unwrap().unwrap();

    assert_eq!(refused, ConnectionRejected::Draining);
    assert_eq!(
        report,
        DrainReport {
            told: 1,
            remaining: 1
        }
    );
    assert_eq!(
        started.elapsed(),
        plan.grace,
        "ends exactly at the grace (virtual time)"
    );
}

#[tokio::test(start_paused = true)]
async fn draining_an_idle_gateway_ends_at_once() {
    let (handle, _) = start(caps());
    let plan = DrainPlan {
        grace: Duration::from_secs(30),
        batch: 10,
        pace: Duration::from_millis(100),
    };
    let started = Instant::now();
    let report = timeout(BOUND, handle.drain(plan)).await.unwrap();
    assert_eq!(
        report,
        DrainReport {
            told: 0,
            remaining: 0
        }
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[test]
fn rejections_map_to_429_or_503() {
    use actix_web::ResponseError;
    let status = |r: ConnectionRejected| GatewayError::from(r).status_code().as_u16();
    assert_eq!(status(ConnectionRejected::SessionFull), 429);
    assert_eq!(status(ConnectionRejected::UserFull), 429);
    assert_eq!(status(ConnectionRejected::NodeFull), 503);
    assert_eq!(status(ConnectionRejected::TooManyNewConnections), 503);
    assert_eq!(status(ConnectionRejected::Draining), 503);
}

#[tokio::test(start_paused = true)]
async fn after_a_drain_the_registry_refuses_everyone_as_draining() {
    let (handle, _) = start(caps());
    let plan = DrainPlan {
        grace: Duration::from_secs(1),
        batch: 1,
        pace: Duration::from_millis(10),
    };
    timeout(BOUND, handle.drain(plan)).await.unwrap();
    assert_eq!(
        register(&handle, "s1", "u1").await.unwrap_err(),
        ConnectionRejected::Draining
    );
    assert_eq!(
        timeout(BOUND, handle.stats()).await.unwrap(),
        None,
        "the owner has stopped"
    );
}
