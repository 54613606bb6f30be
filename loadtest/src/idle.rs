//! The `ws-idle` scenario: open N WebSocket connections, keep them idle, and report the
//! gateway's resident memory per connection from `/proc/<pid>/status`.
//!
//! Each connection is held by its own task from the moment it opens, reading (and so
//! answering the gateway's protocol pings: tungstenite queues the pong when it reads a ping
//! and sends it on the next read) until the hold ends. A ramp of 100,000 connections at the
//! default pace takes longer than the gateway's heartbeat timeout, so holding cannot wait for
//! the ramp to finish.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::cli::IdleSettings;
use crate::dialer::{Dialer, WsStream};
use crate::fd_limit;
use crate::process::Pid;
use crate::report::{Connections, IdleReport};

/// Runs the scenario and reports.
pub async fn run(settings: &IdleSettings) -> anyhow::Result<IdleReport> {
    fd_limit::raise(fd_limit::needed_for(settings.connections))?;
    let t = &settings.target;
    let dialer = Arc::new(Dialer::for_target(t, settings.connections)?);
    let rss_before = settings.server_pid.rss_kib()?;
    let ramp = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let (holders, connections) = open_all(&dialer, settings, stop_rx).await;
    let connect_s = ramp.elapsed().as_secs_f64();
    tokio::time::sleep(settings.settle).await;
    let rss_after = settings.server_pid.rss_kib()?;
    let loadgen_rss_kib = Pid::current().rss_kib()?;
    tokio::time::sleep(settings.hold).await;
    let _ = stop_tx.send(true);
    let mut still_open = 0;
    for holder in holders {
        still_open += usize::from(holder.await.unwrap_or(false));
    }
    let per_connection =
        (rss_after as f64 - rss_before as f64) * 1024.0 / connections.opened.max(1) as f64;
    Ok(IdleReport {
        scenario: "ws-idle",
        connections,
        still_open,
        server_rss_before_kib: rss_before,
        server_rss_after_kib: rss_after,
        server_rss_per_connection_bytes: per_connection.round(),
        loadgen_rss_kib,
        hold_s: settings.hold.as_secs_f64(),
        connect_s,
    })
}

/// Opens every connection at the dialer's pace, each handed to its holder task as soon as
/// it is open; returns the holders and the tally once every attempt has finished.
async fn open_all(
    dialer: &Arc<Dialer>,
    settings: &IdleSettings,
    stop: watch::Receiver<bool>,
) -> (Vec<JoinHandle<bool>>, Connections) {
    let t = &settings.target;
    let (outcome_tx, mut outcome_rx) = mpsc::channel(settings.connections.max(1));
    let mut pace = tokio::time::interval(Duration::from_secs(1) / t.connect_rate.max(1));
    let mut holders = Vec::with_capacity(settings.connections);
    for index in 0..settings.connections {
        pace.tick().await;
        let session = format!("{}-idle-{index}", t.session_prefix);
        let (dialer, stop, outcome) = (Arc::clone(dialer), stop.clone(), outcome_tx.clone());
        holders.push(tokio::spawn(async move {
            let opened = dialer.connect(index, &session).await;
            let _ = outcome
                .send(opened.as_ref().err().map(ToString::to_string))
                .await;
            drop(outcome);
            match opened {
                Ok(ws) => hold(ws, stop).await,
                Err(_) => false,
            }
        }));
    }
    let mut connections = Connections {
        wanted: settings.connections,
        sources: dialer.sources().iter().map(ToString::to_string).collect(),
        ..Connections::default()
    };
    for _ in 0..settings.connections {
        match outcome_rx.recv().await.flatten() {
            None => connections.opened += 1,
            Some(e) => {
                connections.failed += 1;
                connections.first_error.get_or_insert(e);
            }
        }
    }
    (holders, connections)
}

/// Reads until told to stop (true: the connection was still open) or the connection ends.
async fn hold(mut ws: WsStream, mut stop: watch::Receiver<bool>) -> bool {
    loop {
        tokio::select! {
            _ = stop.changed() => return true,
            frame = ws.next() => match frame {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return false,
                Some(Ok(_)) => {}
            },
        }
    }
}
