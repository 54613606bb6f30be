//! The gateway's one [`Settings`], loaded in one place ([`Settings::load`]) from `BEAMSTREAM_*`
//! environment variables and `--flags`, every key with a documented default (see [`usage`]).
//! Loading reports every bad value at once. Tests call [`Settings::from_sources`] with their own
//! pairs and never touch the process environment.
//!
//! - `keys`: the table of keys and defaults.
//! - `source`: raw values and error-collecting parsing.
//! - [`value`]: the small value types (durations, origins, log format).
//! - [`jwt`]: token verification settings and the auth rules of cluster and embedded modes.

mod jwt;
mod keys;
mod source;
pub mod value;

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

pub use jwt::{AuthSettings, JwtAlgorithm, JwtKey, JwtSettings};
pub use source::{ENV_PREFIX, usage};
pub use value::{AllowedOrigins, HumanDuration, LogFormat};

use keys::*;
use source::Values;

/// Everything the gateway is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub listen_addr: SocketAddr,
    /// This gateway's id (logs, metrics, `connection_ack`).
    pub node_id: String,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Redis URL; `None` runs embedded with the in-memory broker.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key (must match the design-workers'); tests use one per test.
    pub key_prefix: String,
    /// Embedded mode: chunks the in-process design-worker designs at once (0: no worker).
    pub embedded_workers: usize,
    /// Who may connect and how tokens are checked.
    pub auth: AuthSettings,
    /// Origins allowed to open WebSockets.
    pub allowed_origins: AllowedOrigins,
    /// Caps on frames, connections, queues and rates.
    pub limits: Limits,
    /// Protocol ping interval and pong timeout.
    pub heartbeat: Heartbeat,
    /// Time for a WebSocket's first `auth` message.
    pub auth_deadline: Duration,
    /// How long before `exp` a connection is sent `token_expiring`.
    pub token_expiring_lead: Duration,
    /// SIGTERM behaviour.
    pub drain: Drain,
    /// Log output format.
    pub log_format: LogFormat,
    /// Batch submission caps and how batches are queued and kept.
    pub batches: Batches,
    /// Streams: SSE pacing and how far a resuming client may be replayed.
    pub streams: Streams,
}

/// Batches (`POST /api/v1/batches`, `POST /stream/batch-design`, WebSocket `submit_batch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batches {
    /// Beams in one batch; more is refused with 413 (default 1,000,000).
    pub max_beams: usize,
    /// Bytes of one batch request body; more is refused with 413 (default 128 MiB).
    pub max_body_bytes: usize,
    /// Beams per queued job chunk (default 512).
    pub chunk_size: usize,
    /// How long a finished batch stays readable (default 24 h).
    pub retention: Duration,
}

/// Channel streams over SSE and WebSocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streams {
    /// Comment heartbeat on an idle SSE stream (default 15 s).
    pub sse_heartbeat: Duration,
    /// The SSE `retry:` hint (default 2 s).
    pub sse_retry: Duration,
    /// At most one SSE `progress` event per this interval (default 250 ms).
    pub progress_interval: Duration,
    /// Live bytes queued to one SSE client before it is cut (default 4 MiB: a batch emit
    /// arrives as a burst of a whole chunk, about 0.5 MB expanded at 512 beams).
    pub sse_queue_bytes: usize,
    /// Publications one resume may replay; a larger gap answers `recovered: false`
    /// (default 1,000,000).
    pub resume_max_gap: u64,
}

/// Caps; every one configurable (`--help` lists the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest WebSocket frame in bytes (default 64 KiB).
    pub max_frame_bytes: usize,
    /// Live connections per design session (default 3).
    pub connections_per_session: usize,
    /// Live connections per user (default 32).
    pub connections_per_user: usize,
    /// Live connections on this node (default 100,000).
    pub connections_per_node: usize,
    /// New connections per second on this node (default 1,000).
    pub new_connections_per_sec: u32,
    /// Channel subscriptions per connection (default 64).
    pub subscriptions_per_connection: usize,
    /// Bytes queued to one client before it is closed as a slow consumer (default 1 MiB).
    pub outbound_queue_bytes: usize,
    /// REST requests per user per minute, cluster-wide (default 600).
    pub rest_requests_per_minute: u32,
    /// WebSocket messages per connection per second (default 50).
    pub ws_messages_per_sec: u32,
}

/// Protocol heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// Time between pings (default 25 s).
    pub interval: Duration,
    /// Close when no pong arrives this long after a ping (default 10 s).
    pub timeout: Duration,
}

/// Drain on SIGTERM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drain {
    /// SIGTERM to exit, at most (default 25 s, inside Kubernetes' 30 s).
    pub grace: Duration,
    /// Connections told to reconnect per step (default 500).
    pub batch: usize,
    /// Time between steps (default 100 ms).
    pub pace: Duration,
}

/// One bad configuration value or combination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `BEAMSTREAM_<NAME>` (or the offending argument).
    pub key: String,
    /// What is wrong, never echoing a secret.
    pub message: String,
}

impl ConfigError {
    fn new(key: &str, message: &str) -> Self {
        Self {
            key: key.to_owned(),
            message: message.to_owned(),
        }
    }

    fn for_key(key: &keys::Key, message: String) -> Self {
        Self {
            key: format!("{ENV_PREFIX}{} / --{}", key.name, key.flag()),
            message,
        }
    }
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `--help` was given; the payload is the usage text.
    #[error("{0}")]
    Help(String),
    /// Every bad value found.
    #[error("invalid configuration:{}", list(.0))]
    Invalid(Vec<ConfigError>),
}

fn list(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(|e| format!("\n  {}: {}", e.key, e.message))
        .collect()
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl Settings {
    /// Loads from the process environment and command line. The only place that reads them.
    pub fn load() -> Result<Self, SettingsError> {
        Self::from_sources(std::env::vars(), std::env::args().skip(1))
    }

    /// Loads from the given `(name, value)` environment pairs and arguments (no program name).
    pub fn from_sources<E, A>(env: E, args: A) -> Result<Self, SettingsError>
    where
        E: IntoIterator<Item = (String, String)>,
        A: IntoIterator<Item = String>,
    {
        let mut v = Values::collect(env, args)?;
        let listen_addr: SocketAddr = v.get(LISTEN_ADDR);
        let redis_url: Option<String> = v.get_opt(REDIS_URL);
        let auth = jwt::resolve(&mut v, listen_addr, redis_url.is_some());
        let settings = Settings {
            listen_addr,
            node_id: v.get_opt(NODE_ID).unwrap_or_else(random_node_id),
            workers: v.get(WORKERS),
            redis_url,
            key_prefix: v.get(KEY_PREFIX),
            embedded_workers: v.get(EMBEDDED_WORKERS),
            auth,
            allowed_origins: v.get(ALLOWED_ORIGINS),
            limits: limits(&mut v),
            heartbeat: Heartbeat {
                interval: v.get::<HumanDuration>(HEARTBEAT_INTERVAL).0,
                timeout: v.get::<HumanDuration>(HEARTBEAT_TIMEOUT).0,
            },
            auth_deadline: v.get::<HumanDuration>(AUTH_DEADLINE).0,
            token_expiring_lead: v.get::<HumanDuration>(TOKEN_EXPIRING_LEAD).0,
            drain: Drain {
                grace: v.get::<HumanDuration>(DRAIN_GRACE).0,
                batch: v.get(DRAIN_BATCH),
                pace: v.get::<HumanDuration>(DRAIN_PACE).0,
            },
            log_format: v.get(LOG_FORMAT),
            batches: Batches {
                max_beams: v.get(MAX_BATCH_BEAMS),
                max_body_bytes: v.get(MAX_BATCH_BODY_BYTES),
                chunk_size: v.get(BATCH_CHUNK_SIZE),
                retention: v.get::<HumanDuration>(BATCH_RETENTION).0,
            },
            streams: Streams {
                sse_heartbeat: v.get::<HumanDuration>(SSE_HEARTBEAT).0,
                sse_retry: v.get::<HumanDuration>(SSE_RETRY).0,
                progress_interval: v.get::<HumanDuration>(SSE_PROGRESS_INTERVAL).0,
                sse_queue_bytes: v.get(SSE_QUEUE_BYTES),
                resume_max_gap: v.get(RESUME_MAX_GAP),
            },
        };
        check_ranges(&mut v, &settings);
        v.finish()?;
        Ok(settings)
    }

    /// Whether a Redis URL is configured (cluster mode) rather than the embedded broker.
    pub fn is_cluster(&self) -> bool {
        self.redis_url.is_some()
    }
}

fn limits(v: &mut Values) -> Limits {
    Limits {
        max_frame_bytes: v.get(MAX_FRAME_BYTES),
        connections_per_session: v.get(MAX_CONNECTIONS_PER_SESSION),
        connections_per_user: v.get(MAX_CONNECTIONS_PER_USER),
        connections_per_node: v.get(MAX_CONNECTIONS_PER_NODE),
        new_connections_per_sec: v.get(MAX_NEW_CONNECTIONS_PER_SEC),
        subscriptions_per_connection: v.get(MAX_SUBSCRIPTIONS_PER_CONNECTION),
        outbound_queue_bytes: v.get(OUTBOUND_QUEUE_BYTES),
        rest_requests_per_minute: v.get(REST_REQUESTS_PER_MINUTE),
        ws_messages_per_sec: v.get(WS_MESSAGES_PER_SEC),
    }
}

/// Rules on single values that their types cannot express (zero caps, zero intervals).
fn check_ranges(v: &mut Values, s: &Settings) {
    let l = &s.limits;
    let positive = [
        (MAX_FRAME_BYTES, l.max_frame_bytes as u64),
        (
            MAX_CONNECTIONS_PER_SESSION,
            l.connections_per_session as u64,
        ),
        (MAX_CONNECTIONS_PER_USER, l.connections_per_user as u64),
        (MAX_CONNECTIONS_PER_NODE, l.connections_per_node as u64),
        (
            MAX_NEW_CONNECTIONS_PER_SEC,
            l.new_connections_per_sec.into(),
        ),
        (OUTBOUND_QUEUE_BYTES, l.outbound_queue_bytes as u64),
        (REST_REQUESTS_PER_MINUTE, l.rest_requests_per_minute.into()),
        (WS_MESSAGES_PER_SEC, l.ws_messages_per_sec.into()),
        (DRAIN_BATCH, s.drain.batch as u64),
        (HEARTBEAT_INTERVAL, s.heartbeat.interval.as_millis() as u64),
        (HEARTBEAT_TIMEOUT, s.heartbeat.timeout.as_millis() as u64),
        (AUTH_DEADLINE, s.auth_deadline.as_millis() as u64),
        (MAX_BATCH_BEAMS, s.batches.max_beams as u64),
        (MAX_BATCH_BODY_BYTES, s.batches.max_body_bytes as u64),
        (BATCH_CHUNK_SIZE, s.batches.chunk_size as u64),
        (BATCH_RETENTION, s.batches.retention.as_millis() as u64),
        (SSE_HEARTBEAT, s.streams.sse_heartbeat.as_millis() as u64),
        (SSE_QUEUE_BYTES, s.streams.sse_queue_bytes as u64),
    ];
    for (name, value) in positive {
        if value == 0 {
            v.reject(name, "must be greater than zero");
        }
    }
    let most = u64::from(broker::batch::MAX_BEAMS_PER_BATCH);
    if s.batches.max_beams as u64 > most {
        v.reject(
            MAX_BATCH_BEAMS,
            format!("must be at most {most} (the broker's limit)"),
        );
    }
}

fn random_node_id() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("gw-{}", &id[..8])
}

#[cfg(test)]
mod tests;
