//! The live connections of this gateway, held by one owner task ([`ConnectionRegistry::run`])
//! and reached through a cloneable [`RegistryHandle`] (actix chat-actorless `ChatServer` style):
//! registration enforces the connection caps (per session, per user, per node, new connections
//! per second), counts feed the metrics, and [`drain`] tells every connection to go on shutdown.

pub mod drain;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::time::{Duration, Instant, sleep_until};
use tokio_util::sync::CancellationToken;

pub use drain::{DrainPlan, DrainReport};

use crate::GatewayError;
use crate::connection::TokenBucket;
use crate::metrics::Metrics;
use crate::settings::Limits;
use drain::DrainState;

/// Commands waiting for the owner task; senders wait when it is full (backpressure on upgrades).
const COMMAND_QUEUE: usize = 1024;

/// The connection caps the registry enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionCaps {
    /// Live connections per session.
    pub per_session: usize,
    /// Live connections per user.
    pub per_user: usize,
    /// Live connections on this node.
    pub per_node: usize,
    /// New connections per second on this node.
    pub new_per_sec: u32,
}

impl From<&Limits> for ConnectionCaps {
    fn from(limits: &Limits) -> Self {
        Self {
            per_session: limits.connections_per_session,
            per_user: limits.connections_per_user,
            per_node: limits.connections_per_node,
            new_per_sec: limits.new_connections_per_sec,
        }
    }
}

/// Identifies one connection on this node (`conn_id` in logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}", self.0)
    }
}

/// An admitted connection: its id, and the token cancelled when it must go (drain).
#[derive(Debug)]
pub struct Registration {
    /// The connection's id; pass it to [`RegistryHandle::unregister`] when it ends.
    pub id: ConnectionId,
    /// Cancelled when the gateway tells this connection to go.
    pub shutdown: CancellationToken,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionRejected {
    /// The gateway is draining.
    #[error("the gateway is shutting down")]
    Draining,
    /// More new connections per second than allowed on this node.
    #[error("too many new connections, try again shortly")]
    TooManyNewConnections,
    /// This node is at its connection cap.
    #[error("this gateway is at its connection limit")]
    NodeFull,
    /// The session has its maximum of live connections.
    #[error("this session has too many live connections")]
    SessionFull,
    /// The user has its maximum of live connections.
    #[error("this user has too many live connections")]
    UserFull,
}

impl ConnectionRejected {
    /// Metric label.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Draining => "draining",
            Self::TooManyNewConnections => "connection_rate",
            Self::NodeFull => "node_full",
            Self::SessionFull => "session_full",
            Self::UserFull => "user_full",
        }
    }
}

impl From<ConnectionRejected> for GatewayError {
    fn from(rejected: ConnectionRejected) -> Self {
        let retry_after = match rejected {
            ConnectionRejected::SessionFull | ConnectionRejected::UserFull => {
                return GatewayError::TooManyConnections(rejected.to_string());
            }
            ConnectionRejected::TooManyNewConnections => Some(Duration::from_secs(1)),
            ConnectionRejected::NodeFull | ConnectionRejected::Draining => None,
        };
        GatewayError::Unavailable {
            message: rejected.to_string(),
            retry_after,
        }
    }
}

/// Counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryStats {
    /// Live connections.
    pub connections: usize,
    /// Sessions with a live connection.
    pub sessions: usize,
    /// Users with a live connection.
    pub users: usize,
}

enum Command {
    Register {
        session: Arc<str>,
        user: Arc<str>,
        reply: oneshot::Sender<Result<Registration, ConnectionRejected>>,
    },
    Unregister(ConnectionId),
    Drain {
        plan: DrainPlan,
        reply: oneshot::Sender<DrainReport>,
    },
    Stats(oneshot::Sender<RegistryStats>),
}

/// The cloneable way in to the registry.
#[derive(Debug, Clone)]
pub struct RegistryHandle {
    commands: mpsc::Sender<Command>,
}

impl RegistryHandle {
    /// Admits a connection of `user` to `session`, or says why not.
    pub async fn register(
        &self,
        session: &str,
        user: &str,
    ) -> Result<Registration, ConnectionRejected> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Register {
            session: session.into(),
            user: user.into(),
            reply,
        };
        // The owner stops once a drain has ended: refuse as draining.
        self.ask(command, answer)
            .await
            .unwrap_or(Err(ConnectionRejected::Draining))
    }

    /// Forgets a connection (idempotent); call once its loop has ended.
    pub async fn unregister(&self, id: ConnectionId) {
        // A stopped owner has nothing left to forget.
        let _ = self.commands.send(Command::Unregister(id)).await;
    }

    /// Tells every connection to go, in paced batches, and waits for the drain to end.
    pub async fn drain(&self, plan: DrainPlan) -> DrainReport {
        let (reply, answer) = oneshot::channel();
        let command = Command::Drain { plan, reply };
        let told_nobody = DrainReport {
            told: 0,
            remaining: 0,
        };
        self.ask(command, answer).await.unwrap_or(told_nobody)
    }

    /// Current counts (`None` if the owner has stopped).
    pub async fn stats(&self) -> Option<RegistryStats> {
        let (reply, answer) = oneshot::channel();
        self.ask(Command::Stats(reply), answer).await
    }

    async fn ask<T>(&self, command: Command, answer: oneshot::Receiver<T>) -> Option<T> {
        self.commands.send(command).await.ok()?;
        answer.await.ok()
    }
}

struct Entry {
    session: Arc<str>,
    user: Arc<str>,
    shutdown: CancellationToken,
}

/// The owner of every live connection's entry. Run it with [`ConnectionRegistry::run`].
pub struct ConnectionRegistry {
    commands: mpsc::Receiver<Command>,
    caps: ConnectionCaps,
    metrics: Metrics,
    connections: HashMap<ConnectionId, Entry>,
    sessions: HashMap<Arc<str>, usize>,
    users: HashMap<Arc<str>, usize>,
    next_id: u64,
    admission: TokenBucket,
    draining: bool,
    drain: Option<DrainState>,
}

mod owner;

#[cfg(test)]
mod tests;
