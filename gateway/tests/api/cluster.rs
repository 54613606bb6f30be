//! Cluster mode on a private redis-server (testkit, never 6379), each test under its own key
//! prefix: two gateways on one Redis share session results, config changes and REST rate
//! limits; a slow reader is closed alone; `/readyz` follows Redis's health.

use bytes::Bytes;
use protocol::{Channel, DesignConfig, ParsedBeam, SessionId, StoredEvent, StoredResult};
use serde_json::json;
use testkit::RedisServer;

use crate::helpers::{spawn_cluster_app, token, unique_prefix, wait_until};
use crate::presence::wait_for_metric;
use crate::sync::{BEAM, assert_nothing_else_queued, design, expected, open};

#[actix_web::test]
async fn a_session_open_on_two_gateways_receives_each_others_results() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let first = spawn_cluster_app(&redis, &prefix, &[]).await;
    let second = spawn_cluster_app(&redis, &prefix, &[]).await;
    let mut on_first = open(&first, "pair").await;
    let mut on_second = open(&second, "pair").await;
    // The first gateway learns of the second's follower at its next presence refresh.
    wait_for_metric(&first, "beamstream_gateway_sessions_shared 1").await;

    let reply = design(&mut on_first, 1).await;
    let synced = on_second.recv_type("design_result").await;
    assert_eq!(synced["channel"], "session:pair");
    assert_eq!(synced["result"], reply["data"]);

    let back = design(&mut on_second, 2).await;
    let synced_back = on_first.recv_type("design_result").await;
    assert_eq!(synced_back["channel"], "session:pair");
    assert_eq!(synced_back["offset"], 2);
    assert_eq!(synced_back["result"], back["data"]);
    assert_nothing_else_queued(&mut on_first).await;
    assert_nothing_else_queued(&mut on_second).await;
}

#[actix_web::test]
async fn a_config_put_on_one_gateway_reaches_clients_of_the_other() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let first = spawn_cluster_app(&redis, &prefix, &[]).await;
    let second = spawn_cluster_app(&redis, &prefix, &[]).await;
    let mut client = open(&second, "cfg").await;
    let admin = token("root", "admin");
    let mut config = first.get("/api/v1/config", Some(&admin)).await.json();
    config["fy"] = json!(415.0);

    let stored = first.put("/api/v1/config", &config, &admin).await;

    assert_eq!(stored.status, 200, "{}", stored.text);
    let pushed = client.recv_type("config_updated").await;
    assert_eq!(pushed["config"]["fy"], 415.0);
    assert_eq!(pushed["config"]["version"], 1);
    let on_second = second.get("/api/v1/config", Some(&admin)).await.json();
    assert_eq!(on_second["version"], 1);
    let fe415 = DesignConfig {
        fy: 415.0,
        ..DesignConfig::default()
    };
    assert_eq!(design(&mut client, 1).await["data"], expected(&fe415));
    let third = spawn_cluster_app(&redis, &prefix, &[]).await;
    let loaded = third.get("/api/v1/config", Some(&admin)).await.json();
    assert_eq!(loaded["fy"], 415.0, "a new gateway loads the stored config");
}

#[actix_web::test]
async fn a_gateway_reloads_the_config_when_its_broker_subscription_reconnects() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let app = spawn_cluster_app(&redis, &prefix, &[]).await;
    let admin = token("root", "admin");
    // A change stored without its announcement: only a reload can find it.
    let changed = DesignConfig {
        version: 1,
        fck: 35.0,
        ..DesignConfig::default()
    };
    let data = serde_json::to_string(&changed).unwrap();
    let doc = format!("{prefix}{{c:config}}:doc");
    redis
        .command(&["HSET", &doc, "version", "1", "data", &data])
        .unwrap();
    assert_eq!(
        app.get("/api/v1/config", Some(&admin)).await.json()["version"],
        0
    );

    redis
        .command(&["CLIENT", "KILL", "TYPE", "pubsub"])
        .unwrap();

    wait_until("the config is reloaded", || async {
        app.get("/api/v1/config", Some(&admin)).await.json()["fck"] == 35.0
    })
    .await;
    let reconnected = r#"beamstream_gateway_channel_recoveries_total{reason="reconnected"}"#;
    assert!(app.metrics().await.contains(reconnected));
}

#[actix_web::test]
async fn rest_rate_limits_hold_across_two_gateways_with_their_headers() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let limit = [("REST_REQUESTS_PER_MINUTE", "3")];
    let first = spawn_cluster_app(&redis, &prefix, &limit).await;
    let second = spawn_cluster_app(&redis, &prefix, &limit).await;

    let mut remaining = Vec::new();
    for app in [&first, &second, &first] {
        let reply = app.design(BEAM).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.header("x-ratelimit-limit"), "3");
        remaining.push(reply.header("x-ratelimit-remaining").to_owned());
    }
    let refused = second.design(BEAM).await;

    assert_eq!(remaining, ["2", "1", "0"]);
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.json(),
        json!({"detail": "Rate limit exceeded. Please slow down."})
    );
    assert_eq!(refused.header("x-ratelimit-remaining"), "0");
    let retry_after: u64 = refused.header("retry-after").parse().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let reset: u64 = refused.header("x-ratelimit-reset").parse().unwrap();
    assert!((1..=60).contains(&reset), "{reset}");
    let other = token("user-2", "design");
    let other_user = first.post("/api/v1/design", BEAM, Some(&other)).await;
    assert_eq!(other_user.status, 200, "another user has its own allowance");
}

fn stored_result() -> Bytes {
    let parsed: ParsedBeam = serde_json::from_str(BEAM).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let stored = StoredResult::design(None, valid.record).unwrap();
    Bytes::from(StoredEvent::Result(stored).encode())
}

/// Publications per round of the flood; the reading client drains each round before the next,
/// so only the client that stopped reading ever falls behind.
const ROUND: usize = 100;
/// Upper bound on rounds (far more than the socket buffers of a stalled reader hold).
const MAX_ROUNDS: usize = 400;

#[actix_web::test]
async fn a_client_that_stops_reading_is_closed_as_a_slow_consumer_while_another_keeps_receiving() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let queue = [("OUTBOUND_QUEUE_BYTES", "262144")];
    let app = spawn_cluster_app(&redis, &prefix, &queue).await;
    let mut stalled = open(&app, "flood").await;
    let mut reader = open(&app, "flood").await;
    let channel = Channel::Session(SessionId::try_from("flood".to_owned()).unwrap());
    let payload = stored_result();
    let closed = "beamstream_gateway_slow_consumer_closes_total 1";

    let mut received = 0;
    let mut rounds = 0;
    while !app.metrics().await.contains(closed) {
        assert!(rounds < MAX_ROUNDS, "the stalled client was never closed");
        rounds += 1;
        for _ in 0..ROUND {
            app.broker.publish(&channel, payload.clone()).await.unwrap();
        }
        for _ in 0..ROUND {
            let message = reader.recv_type("design_result").await;
            received += 1;
            assert_eq!(message["offset"], received);
        }
    }

    assert_eq!(stalled.close_code().await, 4001);
    app.broker.publish(&channel, payload).await.unwrap();
    let after = reader.recv_type("design_result").await;
    assert_eq!(after["offset"], received + 1, "the reader keeps receiving");
}

#[actix_web::test]
async fn a_publication_lost_by_pub_sub_is_repaired_from_history_in_order() {
    let redis = RedisServer::start();
    let prefix = unique_prefix();
    let app = spawn_cluster_app(&redis, &prefix, &[]).await;
    let mut client = open(&app, "gap").await;
    let channel = Channel::Session(SessionId::try_from("gap".to_owned()).unwrap());
    let payload = stored_result();
    app.broker.publish(&channel, payload.clone()).await.unwrap();
    assert_eq!(client.recv_type("design_result").await["offset"], 1);

    // Offset 2 lands in the history but its PUBLISH never arrives (pub/sub is at-most-once).
    let text = std::str::from_utf8(&payload).unwrap();
    let meta = format!("{prefix}{{s:gap}}:meta");
    let stream = format!("{prefix}{{s:gap}}:stream");
    redis.command(&["HINCRBY", &meta, "offset", "1"]).unwrap();
    redis.command(&["XADD", &stream, "0-2", "d", text]).unwrap();
    app.broker.publish(&channel, payload).await.unwrap();

    let repaired = client.recv_type("design_result").await;
    let next = client.recv_type("design_result").await;
    assert_eq!(
        (repaired["offset"].as_u64(), next["offset"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(repaired["result"], next["result"]);
    assert_nothing_else_queued(&mut client).await;
    let metrics = app.metrics().await;
    let gap = r#"beamstream_gateway_channel_recoveries_total{reason="gap"} 1"#;
    assert!(metrics.contains(gap), "{metrics}");
}

#[actix_web::test]
async fn a_connection_opened_while_redis_is_down_follows_its_session_once_redis_is_back() {
    let mut redis = RedisServer::start();
    let prefix = unique_prefix();
    let first = spawn_cluster_app(&redis, &prefix, &[]).await;
    redis.kill();
    wait_until("unready without redis", || async {
        first.readyz().await.status == 503
    })
    .await;
    let mut early = open(&first, "late").await;

    redis.restart();

    wait_until("the session is followed", || async {
        first
            .metrics()
            .await
            .contains("beamstream_gateway_channels 2")
    })
    .await;
    let second = spawn_cluster_app(&redis, &prefix, &[]).await;
    let mut other = open(&second, "late").await;
    let reply = design(&mut other, 1).await;
    let synced = early.recv_type("design_result").await;
    assert_eq!(synced["result"], reply["data"]);
}

#[actix_web::test]
async fn readyz_fails_while_redis_is_down_and_recovers_when_it_is_back() {
    let mut redis = RedisServer::start();
    let app = spawn_cluster_app(&redis, &unique_prefix(), &[]).await;
    wait_until("ready at start", || async {
        app.readyz().await.status == 200
    })
    .await;

    redis.kill();
    wait_until("unready without redis", || async {
        app.readyz().await.status == 503
    })
    .await;
    let reply = app.readyz().await;
    assert_eq!(reply.json()["error"]["message"], "broker unavailable");

    redis.restart();
    wait_until("ready again", || async { app.readyz().await.status == 200 }).await;
}
