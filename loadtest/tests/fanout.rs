//! `ws-fanout` against a tiny in-test server that does what the gateway's multi-client sync
//! does: a design request is answered to its sender and published, with the beam, to every
//! other connection. Counts only, no timing.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use loadtest::cli::{FanoutSettings, Follow, Target};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

/// Every test finishes within this, or fails.
const TEST_BOUND: Duration = Duration::from_secs(30);

/// Starts the server; every connection shares one session channel.
async fn spawn_session_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (channel, _) = broadcast::channel::<(u64, String)>(1024);
    let ids = AtomicU64::new(0);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let id = ids.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(serve(tcp, id, channel.clone()));
        }
    });
    addr
}

async fn serve(tcp: tokio::net::TcpStream, me: u64, channel: broadcast::Sender<(u64, String)>) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let mut published = channel.subscribe();
    let ack = json!({"type": "connection_ack", "session_id": "s", "connection_id": me, "config_version": 1});
    if ws.send(Message::text(ack.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(Message::Text(text))) = frame else { return };
                let request: Value = serde_json::from_str(&text).unwrap();
                let reply = json!({"type": "design_result", "request_id": request["request_id"], "data": {}});
                let publication = json!({"type": "design_result", "channel": "session:s", "epoch": "e", "offset": 1, "beam": request["params"], "result": {}});
                let _ = channel.send((me, publication.to_string()));
                if ws.send(Message::text(reply.to_string())).await.is_err() { return; }
            }
            Ok((from, text)) = published.recv() => {
                if from != me && ws.send(Message::text(text)).await.is_err() { return; }
            }
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_subscriber_receives_every_timed_publication() {
    let addr = spawn_session_server().await;
    let settings = FanoutSettings {
        target: Target {
            addr,
            token: Some("test-token".to_owned()),
            sources: None,
            connect_rate: 1000,
            session_prefix: "t".to_owned(),
        },
        subscribers: 4,
        rate: 50.0,
        duration: Duration::from_millis(400),
        warmup: Duration::from_millis(100),
        drain: Duration::from_secs(5),
        follow: Follow::Session,
        session: "s".to_owned(),
        server_pid: None,
    };

    let report = tokio::time::timeout(TEST_BOUND, loadtest::fanout::run(&settings))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(report.connections.opened, 4);
    assert_eq!(report.published, 20);
    assert_eq!((report.expected, report.delivered), (80, 80));
    assert_eq!((report.publish_errors, report.disconnected), (0, 0));
}
