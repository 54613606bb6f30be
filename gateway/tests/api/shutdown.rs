//! Shutdown: readiness flips at once, connections are told to go, new ones are refused, and the
//! app stops within the grace period even when a connection never leaves.

use gateway::registry::ConnectionRejected;
use tokio::time::timeout;

use crate::helpers::{BOUND, spawn_app, spawn_app_with};

#[actix_web::test]
async fn readyz_fails_while_draining_and_the_app_stops_when_connections_leave() {
    let app = spawn_app().await;
    let connection = app.registry.register("session-1", "user-1").await.unwrap();
    assert_eq!(app.readyz().await.status, 200);

    app.begin_shutdown();
    timeout(BOUND, connection.shutdown.cancelled())
        .await
        .expect("told to go");

    let reply = app.readyz().await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["error"]["message"], "draining");
    assert_eq!(app.healthz().await.status, 200, "alive while draining");
    let refused = app
        .registry
        .register("session-2", "user-2")
        .await
        .unwrap_err();
    assert_eq!(refused, ConnectionRejected::Draining);

    app.registry.unregister(connection.id).await;
    app.stopped().await.expect("clean stop");
}

#[actix_web::test]
async fn the_app_stops_within_the_grace_period_when_a_connection_never_leaves() {
    let app = spawn_app_with(&[("DRAIN_GRACE", "300ms")]).await;
    let stuck = app.registry.register("session-1", "user-1").await.unwrap();

    app.begin_shutdown();

    app.stopped()
        .await
        .expect("stops despite the stuck connection");
    assert!(stuck.shutdown.is_cancelled());
}
