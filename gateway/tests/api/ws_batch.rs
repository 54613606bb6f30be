//! Batches over WebSocket: `submit_batch` followed to `complete`, a 20,000-beam subscription cut
//! on one gateway and resumed on another with `(epoch, offset)`, a resume history cannot serve
//! (`recovered: false`, REST still complete), ownership, the own-session rule and the cap.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use testkit::RedisServer;

use crate::batch_client::{beam, beams, expected, two_gateways_and_a_worker};
use crate::helpers::{TestApp, spawn_app, spawn_app_with, token};
use crate::ws_client::{WsAuth, WsClient};

/// A connected client of user `sub` (scopes `design batch`), past its ack.
async fn connect(app: &TestApp, session: &str, sub: &str) -> WsClient {
    let token = token(sub, "design batch");
    let mut ws = app.ws(session, WsAuth::Header(&token), None).await.unwrap();
    assert_eq!(ws.recv().await["type"], "connection_ack");
    ws
}

/// What a batch channel delivered over WebSocket.
#[derive(Default)]
struct Followed {
    indices: Vec<u64>,
    epoch: Option<String>,
    offset: u64,
    terminal: Option<Value>,
}

impl Followed {
    /// Reads batch-channel frames until `more` results arrived or the terminal event; the
    /// close code when the server closed the connection first (it must be a reconnect code).
    async fn read(&mut self, ws: &mut WsClient, more: Option<usize>) -> Result<(), u16> {
        let goal = more.map(|n| self.indices.len() + n);
        while self.terminal.is_none() && goal.is_none_or(|g| self.indices.len() < g) {
            let frame = match ws.recv_or_close().await {
                Ok(frame) => frame,
                Err(code) => {
                    assert!((4000..4500).contains(&code), "closed for good with {code}");
                    return Err(code);
                }
            };
            let Some(channel) = frame["channel"].as_str() else {
                continue;
            };
            assert!(channel.starts_with("batch:"), "{frame}");
            self.record(&frame);
        }
        Ok(())
    }

    fn record(&mut self, frame: &Value) {
        let offset = frame["offset"].as_u64().unwrap();
        assert_eq!(
            offset,
            self.offset + 1,
            "in order, no gap, no duplicate: {frame}"
        );
        self.offset = offset;
        self.epoch = frame["epoch"].as_str().map(str::to_owned);
        match frame["type"].as_str().unwrap() {
            "design_result" => self.indices.push(frame["index"].as_u64().unwrap()),
            "error" => self.indices.push(frame["beam_index"].as_u64().unwrap()),
            "complete" | "cancelled" => self.terminal = Some(frame.clone()),
            _ => {}
        }
    }

    /// Follows `job` on `app` to its terminal event from the last position, reconnecting and
    /// resubscribing after a reconnectable close (a slow consumer), as a real client does.
    async fn follow_to_end(&mut self, app: &TestApp, job: &str) {
        for _ in 0..20 {
            let mut ws = connect(app, "reader", "alice").await;
            let resume = json!({"type": "subscribe", "request_id": "resume",
                "channel": format!("batch:{job}"), "epoch": self.epoch, "offset": self.offset});
            ws.send(resume.to_string()).await;
            let subscribed = ws.recv_type("subscribed").await;
            assert_eq!(subscribed["recovered"], true, "{subscribed}");
            assert_eq!(subscribed["request_id"], "resume");
            if self.read(&mut ws, None).await.is_ok() {
                return;
            }
        }
        panic!("the batch did not reach its terminal event in 20 connections");
    }

    fn assert_complete(&self, total: u64) {
        let unique: BTreeSet<u64> = self.indices.iter().copied().collect();
        assert_eq!(self.indices.len() as u64, total, "no duplicate");
        assert_eq!(unique, (0..total).collect(), "no gap");
        let terminal = self.terminal.as_ref().expect("the terminal event");
        assert_eq!(terminal["type"], "complete");
        assert_eq!(terminal["summary"]["succeeded"], total);
    }
}

#[actix_web::test]
async fn submit_batch_answers_accepted_then_streams_every_result_to_complete() {
    let app = spawn_app().await;
    let mut ws = connect(&app, "s-1", "alice").await;
    let message = json!({"type": "submit_batch", "request_id": "b-1",
        "beams": serde_json::from_str::<Value>(&beams(120)).unwrap()});

    ws.send(message.to_string()).await;

    let accepted = ws.recv().await;
    assert_eq!(accepted["type"], "batch_accepted", "{accepted}");
    assert_eq!(
        (
            accepted["request_id"].as_str(),
            accepted["total_beams"].as_u64()
        ),
        (Some("b-1"), Some(120))
    );
    let channel = accepted["channel"].as_str().unwrap().to_owned();
    let subscribed = ws.recv().await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
    assert_eq!(
        (
            subscribed["channel"].as_str(),
            subscribed["recovered"].as_bool()
        ),
        (Some(channel.as_str()), Some(true))
    );
    let mut followed = Followed::default();
    followed.read(&mut ws, None).await.unwrap();
    followed.assert_complete(120);
    let status = app
        .get(
            &format!("/api/v1/batches/{}", accepted["batch_id"].as_str().unwrap()),
            Some(&token("alice", "batch")),
        )
        .await;
    assert_eq!(status.json()["status"], "completed");
}

#[actix_web::test]
async fn a_20000_beam_subscription_cut_on_one_gateway_resumes_on_another_with_epoch_and_offset() {
    let redis = RedisServer::start();
    let (a, b, stop) = two_gateways_and_a_worker(&redis).await;
    let job = a.submit_ok(&beams(20_000), &token("alice", "batch")).await;
    let epoch = a
        .get(
            &format!("/api/v1/batches/{job}"),
            Some(&token("alice", "batch")),
        )
        .await
        .json()["position"]
        .as_str()
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .to_owned();

    let mut on_a = connect(&a, "reader", "alice").await;
    on_a.send(json!({"type": "subscribe", "channel": format!("batch:{job}"), "epoch": epoch, "offset": 0}).to_string()).await;
    assert_eq!(on_a.recv_type("subscribed").await["recovered"], true);
    let mut followed = Followed::default();
    followed.read(&mut on_a, Some(4_000)).await.unwrap();
    on_a.close().await;
    // On B with (epoch, offset), resubscribing (to B) after a reconnectable close.
    followed.follow_to_end(&b, &job).await;

    stop.cancel();
    followed.assert_complete(20_000);
}

#[actix_web::test]
async fn a_resume_history_cannot_serve_answers_recovered_false_and_rest_has_every_result() {
    let app = spawn_app_with(&[("RESUME_MAX_GAP", "50")]).await;
    let alice = token("alice", "batch");
    let job = app.submit_ok(&beams(600), &alice).await;
    app.wait_for_status(&job, "completed", &alice).await;
    let status = app
        .get(&format!("/api/v1/batches/{job}"), Some(&alice))
        .await
        .json();
    let (epoch, head) = status["position"]
        .as_str()
        .unwrap()
        .split_once(':')
        .unwrap();
    let mut ws = connect(&app, "late", "alice").await;

    let channel = format!("batch:{job}");
    ws.send(
        json!({"type": "subscribe", "channel": channel, "epoch": epoch, "offset": 3}).to_string(),
    )
    .await;
    let too_far = ws.recv_type("subscribed").await;
    ws.send(
        json!({"type": "subscribe", "channel": channel, "epoch": "gone1", "offset": 3}).to_string(),
    )
    .await;
    let other_epoch = ws.recv_type("subscribed").await;

    for reply in [&too_far, &other_epoch] {
        assert_eq!(reply["recovered"], false, "{reply}");
        assert_eq!(
            (reply["epoch"].as_str(), reply["offset"].to_string()),
            (Some(epoch), head.to_owned())
        );
    }
    let results = app.all_results(&job, &alice, 1000).await;
    let indices: BTreeSet<u64> = results.iter().map(|(i, _)| *i).collect();
    assert_eq!((results.len(), indices.len()), (600, 600));
    let (index, item) = &results[0];
    assert_eq!(
        item["result"],
        expected(&beam(usize::try_from(*index).unwrap()))
    );
}

#[actix_web::test]
async fn another_user_cannot_subscribe_to_or_cancel_a_batch_nor_follow_another_session() {
    let app = spawn_app_with(&[
        ("EMBEDDED_WORKERS", "0"),
        ("MAX_SUBSCRIPTIONS_PER_CONNECTION", "1"),
    ])
    .await;
    let job = app.submit_ok(&beams(3), &token("alice", "batch")).await;
    let mut bob = connect(&app, "bob-tab", "bob").await;

    bob.send(
        json!({"type": "subscribe", "request_id": 1, "channel": format!("batch:{job}")})
            .to_string(),
    )
    .await;
    let subscribe = bob.recv().await;
    bob.send(json!({"type": "cancel_batch", "request_id": 2, "batch_id": job}).to_string())
        .await;
    let cancel = bob.recv().await;
    bob.send(
        json!({"type": "subscribe", "request_id": 3, "channel": "session:alice-tab"}).to_string(),
    )
    .await;
    let session = bob.recv().await;
    bob.send(json!({"type": "subscribe", "request_id": 4, "channel": "designs"}).to_string())
        .await;
    let designs = bob.recv().await;
    bob.send(json!({"type": "subscribe", "request_id": 5, "channel": format!("batch:{}", uuid::Uuid::now_v7())}).to_string()).await;
    let unknown = bob.recv().await;

    for reply in [&subscribe, &cancel, &session, &unknown] {
        assert_eq!(
            (reply["type"].as_str(), reply["code"].as_str()),
            (Some("error"), Some("forbidden")),
            "{reply}"
        );
    }
    assert_eq!(
        subscribe["message"], unknown["message"],
        "no existence leak"
    );
    assert_eq!(designs["type"], "subscribed", "{designs}");
    let mut alice = connect(&app, "alice-tab", "alice").await;
    alice
        .send(json!({"type": "subscribe", "request_id": 6, "channel": "designs"}).to_string())
        .await;
    assert_eq!(alice.recv().await["type"], "subscribed");
    alice
        .send(
            json!({"type": "subscribe", "request_id": 7, "channel": format!("batch:{job}")})
                .to_string(),
        )
        .await;
    let capped = alice.recv().await;
    assert_eq!(capped["code"], "too_many_subscriptions", "{capped}");
    alice
        .send(json!({"type": "cancel_batch", "request_id": 8, "batch_id": job}).to_string())
        .await;
    assert_eq!(alice.recv_type("batch_cancelled").await["request_id"], 8);
}
