//! WebSocket connections to the gateway's `/ws/design/{session_id}`, spread over several
//! loopback source addresses and paced.
//!
//! One source address gives at most ~28,000 ephemeral ports towards one server address, so
//! large runs bind each socket to one of `127.0.0.1 … 127.0.0.k` before connecting. Only
//! loopback targets are accepted: this tool never sends traffic off the machine. Buffers are
//! small (4 KiB reads, writes go straight out) so the generator's own memory stays modest at
//! 100,000 connections.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

use crate::cli::Target;
use crate::reply::{ReplyHead, ReplyKind};

/// A client WebSocket over plain TCP.
pub type WsStream = WebSocketStream<TcpStream>;

/// Connections per source address before another address is used.
pub const CONNECTIONS_PER_SOURCE: usize = 20_000;
/// How long a connection may wait for `connection_ack` after the upgrade.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the TCP connect plus the WebSocket handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Read buffer per connection.
const READ_BUFFER_BYTES: usize = 4096;

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DialError {
    /// The target is not a loopback address.
    #[error("{0} is not a loopback address; loadgen only targets 127.0.0.0/8 or [::1]")]
    NotLoopback(SocketAddr),
    /// Socket setup or TCP connect failed.
    #[error("connect: {0}")]
    Io(#[from] std::io::Error),
    /// The WebSocket handshake failed (e.g. the gateway answered 401, 429 or 503).
    #[error("handshake: {0}")]
    Handshake(#[from] tungstenite::Error),
    /// The gateway closed the connection instead of acknowledging it.
    #[error("closed before connection_ack: {0}")]
    Refused(String),
    /// No `connection_ack` in time.
    #[error("no connection_ack within {ACK_TIMEOUT:?}")]
    NoAck,
    /// The TCP connect and handshake took too long.
    #[error("no WebSocket handshake within {HANDSHAKE_TIMEOUT:?}")]
    HandshakeTimeout,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Dialer {
    server: SocketAddr,
    token: Option<String>,
    sources: Vec<IpAddr>,
    connect_rate: u32,
}

impl Dialer {
    /// A dialer for `server` using enough source addresses for `connections` sockets (or
    /// exactly `sources` when given), opening at most `connect_rate` connections per second.
    pub fn new(
        server: SocketAddr,
        token: Option<String>,
        connections: usize,
        sources: Option<usize>,
        connect_rate: u32,
    ) -> Result<Self, DialError> {
        if !server.ip().is_loopback() {
            return Err(DialError::NotLoopback(server));
        }
        let wanted = sources.unwrap_or(connections.div_ceil(CONNECTIONS_PER_SOURCE));
        let sources = match server.ip() {
            IpAddr::V4(_) => (0..wanted.clamp(1, 250))
                .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + i as u8)))
                .collect(),
            IpAddr::V6(_) => vec![server.ip()],
        };
        Ok(Self {
            server,
            token,
            sources,
            connect_rate: connect_rate.max(1),
        })
    }

    /// A dialer for the command line's target, sized for `connections` sockets.
    pub fn for_target(target: &Target, connections: usize) -> Result<Self, DialError> {
        Self::new(
            target.addr,
            target.token.clone(),
            connections,
            target.sources,
            target.connect_rate,
        )
    }

    /// The source addresses in use.
    pub fn sources(&self) -> &[IpAddr] {
        &self.sources
    }

    /// Opens connection number `index` to session `session`. With a token, waits for the
    /// gateway's `connection_ack` so a refused connection is reported, not counted as open.
    pub async fn connect(&self, index: usize, session: &str) -> Result<WsStream, DialError> {
        let mut ws = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.handshake(index, session))
            .await
            .map_err(|_| DialError::HandshakeTimeout)??;
        if self.token.is_some() {
            tokio::time::timeout(ACK_TIMEOUT, await_ack(&mut ws))
                .await
                .map_err(|_| DialError::NoAck)??;
        }
        Ok(ws)
    }

    /// TCP connect from this connection's source address, then the WebSocket upgrade.
    async fn handshake(&self, index: usize, session: &str) -> Result<WsStream, DialError> {
        let source = self.sources[index % self.sources.len()];
        let socket = match source {
            IpAddr::V4(_) => TcpSocket::new_v4()?,
            IpAddr::V6(_) => TcpSocket::new_v6()?,
        };
        socket.bind(SocketAddr::new(source, 0))?;
        let tcp = socket.connect(self.server).await?;
        tcp.set_nodelay(true)?;
        let mut request =
            format!("ws://{}/ws/design/{session}", self.server).into_client_request()?;
        if let Some(token) = &self.token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|e| tungstenite::Error::HttpFormat(e.into()))?;
            request.headers_mut().insert("authorization", value);
        }
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER_BYTES)
            .write_buffer_size(0);
        let (ws, _) = client_async_with_config(request, tcp, Some(config)).await?;
        Ok(ws)
    }

    /// Opens one connection per entry of `sessions`, paced at the connect rate and running
    /// concurrently; results come back in the order of `sessions`.
    pub async fn connect_all(
        self: &Arc<Self>,
        sessions: Vec<String>,
    ) -> Vec<Result<WsStream, DialError>> {
        let mut pace = tokio::time::interval(Duration::from_secs(1) / self.connect_rate);
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut pending: Vec<JoinHandle<Result<WsStream, DialError>>> =
            Vec::with_capacity(sessions.len());
        for (index, session) in sessions.into_iter().enumerate() {
            pace.tick().await;
            let dialer = Arc::clone(self);
            pending.push(tokio::spawn(async move {
                dialer.connect(index, &session).await
            }));
        }
        let mut opened = Vec::with_capacity(pending.len());
        for task in pending {
            opened.push(
                task.await
                    .unwrap_or_else(|e| Err(DialError::Io(std::io::Error::other(e.to_string())))),
            );
        }
        opened
    }
}

/// Reads frames until `connection_ack`; a close or an `error` frame is a refusal.
async fn await_ack(ws: &mut WsStream) -> Result<(), DialError> {
    while let Some(frame) = ws.next().await {
        match frame? {
            Message::Text(text) => match ReplyHead::parse(&text).map(|h| h.kind) {
                Some(ReplyKind::ConnectionAck) => return Ok(()),
                Some(ReplyKind::Error) => return Err(DialError::Refused(text.to_string())),
                _ => {}
            },
            Message::Close(frame) => {
                let why = frame.map_or_else(
                    || "no close frame".to_owned(),
                    |f| format!("{} {}", u16::from(f.code), f.reason),
                );
                return Err(DialError::Refused(why));
            }
            _ => {}
        }
    }
    Err(DialError::Refused("connection ended".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_loopback_target_is_refused() {
        let target: SocketAddr = "10.0.0.1:8080".parse().unwrap();
        assert!(matches!(
            Dialer::new(target, None, 1, None, 100),
            Err(DialError::NotLoopback(_))
        ));
    }

    #[test]
    fn large_runs_spread_over_several_source_addresses() {
        let target: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let dialer = Dialer::new(target, None, 100_000, None, 100).unwrap();
        let sources: Vec<String> = dialer.sources().iter().map(|s| s.to_string()).collect();
        assert_eq!(
            sources,
            [
                "127.0.0.1",
                "127.0.0.2",
                "127.0.0.3",
                "127.0.0.4",
                "127.0.0.5"
            ]
        );
    }
}
