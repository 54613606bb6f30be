//! Cluster-wide presence for session sync: two gateways on one Redis publish a session's
//! results only while another gateway (or another local tab) follows the session.

use protocol::{Channel, SessionId};
use testkit::RedisServer;

use crate::helpers::{TestApp, spawn_cluster_app, unique_prefix, wait_until};
use crate::sync::{assert_nothing_else_queued, design, open};

/// Waits (bounded) until `app`'s `/metrics` contains `line`.
pub(crate) async fn wait_for_metric(app: &TestApp, line: &str) {
    wait_until(line, || async { app.metrics().await.contains(line) }).await;
}

fn session(name: &str) -> Channel {
    Channel::Session(SessionId::try_from(name.to_owned()).unwrap())
}

async fn offset(app: &TestApp, channel: &Channel) -> u64 {
    app.broker.position(channel).await.unwrap().offset
}

#[actix_web::test]
async fn a_lone_editor_publishes_only_while_a_tab_of_its_session_is_open_on_another_gateway() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let first = spawn_cluster_app(&redis, &prefix, &[]).await;
    let second = spawn_cluster_app(&redis, &prefix, &[]).await;
    let channel = session("solo");
    let mut editor = open(&first, "solo").await;

    // Alone: nothing reaches Redis's session channel.
    design(&mut editor, 1).await;
    design(&mut editor, 2).await;
    wait_for_metric(&first, r#"session_syncs_total{outcome="skipped"} 2"#).await;
    assert_eq!(offset(&first, &channel).await, 0);
    assert!(
        first
            .metrics()
            .await
            .contains("beamstream_gateway_sessions_shared 0")
    );

    // A tab opens on the other gateway: that gateway learned of the editor before its ack.
    let mut tab = open(&second, "solo").await;
    let metrics = second.metrics().await;
    assert!(
        metrics.contains("beamstream_gateway_sessions_shared 1"),
        "{metrics}"
    );
    let from_tab = design(&mut tab, 3).await;
    let synced = editor.recv_type("design_result").await;
    assert_eq!(
        (synced["offset"].as_u64(), &synced["result"]),
        (Some(1), &from_tab["data"])
    );

    // The editor's gateway publishes once its presence refresh has seen the tab.
    wait_for_metric(&first, "beamstream_gateway_sessions_shared 1").await;
    let from_editor = design(&mut editor, 4).await;
    let synced = tab.recv_type("design_result").await;
    assert_eq!(synced["channel"], "session:solo");
    assert_eq!(
        (synced["offset"].as_u64(), &synced["result"]),
        (Some(2), &from_editor["data"])
    );
    assert_nothing_else_queued(&mut editor).await;
    assert_nothing_else_queued(&mut tab).await;

    // The tab closes: publishing stops again.
    tab.close().await;
    wait_for_metric(&first, "beamstream_gateway_sessions_shared 0").await;
    design(&mut editor, 5).await;
    wait_for_metric(&first, r#"session_syncs_total{outcome="skipped"} 3"#).await;
    assert_eq!(offset(&first, &channel).await, 2);
    assert_nothing_else_queued(&mut editor).await;
}

#[actix_web::test]
async fn two_tabs_on_one_gateway_sync_without_asking_redis_about_other_gateways() {
    let redis = RedisServer::start();
    let first = spawn_cluster_app(&redis, &unique_prefix(), &[]).await;
    let channel = session("local");
    let mut editor = open(&first, "local").await;
    let mut viewer = open(&first, "local").await;

    let reply = design(&mut editor, 1).await;

    let synced = viewer.recv_type("design_result").await;
    assert_eq!(
        (synced["offset"].as_u64(), &synced["result"]),
        (Some(1), &reply["data"])
    );
    assert!(
        first
            .metrics()
            .await
            .contains("beamstream_gateway_sessions_shared 0")
    );
    assert_eq!(offset(&first, &channel).await, 1);
    assert_nothing_else_queued(&mut editor).await;
}
