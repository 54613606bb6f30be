//! `ws-design` and `ws-idle` against a tiny in-test WebSocket server that answers design
//! requests in the gateway's reply shape. The assertions are on counts only: timing belongs
//! to benchmarks, not tests.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use loadtest::cli::{DesignSettings, IdleSettings, Target};
use loadtest::process::Pid;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Every test finishes within this, or fails.
const TEST_BOUND: Duration = Duration::from_secs(30);

/// How the test server answers a design request.
#[derive(Clone, Copy)]
enum Answer {
    Design,
    Error,
}

/// Starts the server on a free loopback port; it acks each connection, then answers every
/// frame carrying a `request_id`.
async fn spawn_server(answer: Answer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp, answer));
        }
    });
    addr
}

async fn serve(tcp: tokio::net::TcpStream, answer: Answer) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let ack = json!({"type": "connection_ack", "session_id": "s", "connection_id": "c", "config_version": 1});
    if ws.send(Message::text(ack.to_string())).await.is_err() {
        return;
    }
    while let Some(Ok(frame)) = ws.next().await {
        let Message::Text(text) = frame else { continue };
        let request: Value = serde_json::from_str(&text).unwrap();
        let id = request["request_id"].clone();
        let reply = match answer {
            Answer::Design => {
                json!({"type": "design_result", "request_id": id, "data": {"status": "ok"}})
            }
            Answer::Error => {
                json!({"type": "error", "request_id": id, "code": "rate_limited", "message": "slow down"})
            }
        };
        if ws.send(Message::text(reply.to_string())).await.is_err() {
            return;
        }
    }
}

fn target(addr: SocketAddr) -> Target {
    Target {
        addr,
        token: Some("test-token".to_owned()),
        sources: Some(2),
        connect_rate: 1000,
        session_prefix: "t".to_owned(),
    }
}

fn design_settings(addr: SocketAddr, rate: Option<f64>) -> DesignSettings {
    DesignSettings {
        target: target(addr),
        sessions: 3,
        rate,
        duration: Duration::from_millis(800),
        warmup: Duration::ZERO,
        drain: Duration::from_secs(2),
        max_requests: Some(10),
        server_pid: Some(Pid::current()),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn closed_loop_sessions_send_their_requests_and_every_reply_is_counted() {
    let addr = spawn_server(Answer::Design).await;
    let settings = design_settings(addr, None);

    let report = tokio::time::timeout(TEST_BOUND, loadtest::design::run(&settings))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(report.connections.opened, 3);
    assert_eq!((report.sent, report.timed, report.ok), (30, 30, 30));
    assert_eq!(
        (report.lost, report.error_replies, report.disconnected),
        (0, 0, 0)
    );
    assert_eq!(report.latency.count, 30);
    assert!(report.server_cpu.is_some());
}

#[tokio::test(flavor = "current_thread")]
async fn open_loop_error_replies_are_counted_as_errors_not_successes() {
    let addr = spawn_server(Answer::Error).await;
    let settings = design_settings(addr, Some(40.0));

    let report = tokio::time::timeout(TEST_BOUND, loadtest::design::run(&settings))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(report.mode, "open");
    assert_eq!((report.sent, report.timed), (30, 30));
    assert_eq!((report.ok, report.error_replies, report.lost), (0, 30, 0));
}

#[tokio::test(flavor = "current_thread")]
async fn idle_connections_are_opened_held_and_counted() {
    let addr = spawn_server(Answer::Design).await;
    let settings = IdleSettings {
        target: target(addr),
        connections: 20,
        settle: Duration::from_millis(50),
        hold: Duration::from_millis(50),
        server_pid: Pid::current(),
    };

    let report = tokio::time::timeout(TEST_BOUND, loadtest::idle::run(&settings))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        (report.connections.opened, report.connections.failed),
        (20, 0)
    );
    assert_eq!(report.still_open, 20);
    assert_eq!(report.connections.sources, ["127.0.0.1", "127.0.0.2"]);
}
