//! The table of every configuration key: name (`BEAMSTREAM_<NAME>`, flag `--<name>`), default
//! and meaning. `--help` prints it; docs/ copies it.

/// One configuration key.
#[derive(Debug)]
pub(crate) struct Key {
    /// Env var suffix after `BEAMSTREAM_`; the flag is its lowercase with `-` for `_`.
    pub(crate) name: &'static str,
    /// Default as text, `None` when the setting is optional.
    pub(crate) default: Option<&'static str>,
    /// A flag that needs no value (`--insecure-allow-no-auth`).
    pub(crate) switch: bool,
    /// A value never echoed back in errors.
    pub(crate) secret: bool,
    /// One line for `--help`.
    pub(crate) help: &'static str,
}

impl Key {
    /// The command-line flag without its leading `--`.
    pub(crate) fn flag(&self) -> String {
        self.name.to_ascii_lowercase().replace('_', "-")
    }
}

const fn key(name: &'static str, default: Option<&'static str>, help: &'static str) -> Key {
    Key {
        name,
        default,
        switch: false,
        secret: false,
        help,
    }
}

pub(crate) const LISTEN_ADDR: &str = "LISTEN_ADDR";
pub(crate) const NODE_ID: &str = "NODE_ID";
pub(crate) const WORKERS: &str = "WORKERS";
pub(crate) const REDIS_URL: &str = "REDIS_URL";
pub(crate) const KEY_PREFIX: &str = "KEY_PREFIX";
pub(crate) const EMBEDDED_WORKERS: &str = "EMBEDDED_WORKERS";
pub(crate) const JWT_SECRET: &str = "JWT_SECRET";
pub(crate) const JWT_PUBLIC_KEY_PATH: &str = "JWT_PUBLIC_KEY_PATH";
pub(crate) const JWT_ALGORITHM: &str = "JWT_ALGORITHM";
pub(crate) const JWT_ISSUER: &str = "JWT_ISSUER";
pub(crate) const JWT_AUDIENCE: &str = "JWT_AUDIENCE";
pub(crate) const JWT_LEEWAY: &str = "JWT_LEEWAY";
pub(crate) const INSECURE_ALLOW_NO_AUTH: &str = "INSECURE_ALLOW_NO_AUTH";
pub(crate) const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
pub(crate) const MAX_FRAME_BYTES: &str = "MAX_FRAME_BYTES";
pub(crate) const MAX_CONNECTIONS_PER_SESSION: &str = "MAX_CONNECTIONS_PER_SESSION";
pub(crate) const MAX_CONNECTIONS_PER_USER: &str = "MAX_CONNECTIONS_PER_USER";
pub(crate) const MAX_CONNECTIONS_PER_NODE: &str = "MAX_CONNECTIONS_PER_NODE";
pub(crate) const MAX_NEW_CONNECTIONS_PER_SEC: &str = "MAX_NEW_CONNECTIONS_PER_SEC";
pub(crate) const MAX_SUBSCRIPTIONS_PER_CONNECTION: &str = "MAX_SUBSCRIPTIONS_PER_CONNECTION";
pub(crate) const OUTBOUND_QUEUE_BYTES: &str = "OUTBOUND_QUEUE_BYTES";
pub(crate) const REST_REQUESTS_PER_MINUTE: &str = "REST_REQUESTS_PER_MINUTE";
pub(crate) const WS_MESSAGES_PER_SEC: &str = "WS_MESSAGES_PER_SEC";
pub(crate) const HEARTBEAT_INTERVAL: &str = "HEARTBEAT_INTERVAL";
pub(crate) const HEARTBEAT_TIMEOUT: &str = "HEARTBEAT_TIMEOUT";
pub(crate) const AUTH_DEADLINE: &str = "AUTH_DEADLINE";
pub(crate) const TOKEN_EXPIRING_LEAD: &str = "TOKEN_EXPIRING_LEAD";
pub(crate) const DRAIN_GRACE: &str = "DRAIN_GRACE";
pub(crate) const DRAIN_BATCH: &str = "DRAIN_BATCH";
pub(crate) const DRAIN_PACE: &str = "DRAIN_PACE";
pub(crate) const LOG_FORMAT: &str = "LOG_FORMAT";
pub(crate) const MAX_BATCH_BEAMS: &str = "MAX_BATCH_BEAMS";
pub(crate) const MAX_BATCH_BODY_BYTES: &str = "MAX_BATCH_BODY_BYTES";
pub(crate) const BATCH_CHUNK_SIZE: &str = "BATCH_CHUNK_SIZE";
pub(crate) const BATCH_RETENTION: &str = "BATCH_RETENTION";
pub(crate) const SSE_HEARTBEAT: &str = "SSE_HEARTBEAT";
pub(crate) const SSE_RETRY: &str = "SSE_RETRY";
pub(crate) const SSE_PROGRESS_INTERVAL: &str = "SSE_PROGRESS_INTERVAL";
pub(crate) const RESUME_MAX_GAP: &str = "RESUME_MAX_GAP";
pub(crate) const SSE_QUEUE_BYTES: &str = "SSE_QUEUE_BYTES";

/// Every key the gateway reads, in `--help` order.
pub(crate) static KEYS: &[Key] = &[
    key(
        LISTEN_ADDR,
        Some("127.0.0.1:8080"),
        "address to listen on (port 0 picks a free port)",
    ),
    key(
        NODE_ID,
        None,
        "this gateway's id in logs, metrics and connection_ack [default: random]",
    ),
    key(WORKERS, Some("0"), "HTTP worker threads (0 = one per core)"),
    key(
        REDIS_URL,
        None,
        "Redis URL: set = cluster mode; unset = embedded in-memory broker",
    ),
    key(
        KEY_PREFIX,
        Some(""),
        "prefix of every Redis key; must match the design-workers'",
    ),
    key(
        EMBEDDED_WORKERS,
        Some("2"),
        "embedded mode: chunks designed at once by the in-process design-worker (0 = none)",
    ),
    Key {
        secret: true,
        ..key(JWT_SECRET, None, "HS256 shared secret (at least 32 bytes)")
    },
    key(
        JWT_PUBLIC_KEY_PATH,
        None,
        "PEM public key file for RS256/ES256 tokens",
    ),
    key(
        JWT_ALGORITHM,
        None,
        "HS256|RS256|ES256 [default: HS256 with a secret, RS256 with a key]",
    ),
    key(JWT_ISSUER, None, "required `iss` claim, checked when set"),
    key(JWT_AUDIENCE, None, "required `aud` claim, checked when set"),
    key(JWT_LEEWAY, Some("30s"), "clock skew allowed on exp/nbf"),
    Key {
        switch: true,
        ..key(
            INSECURE_ALLOW_NO_AUTH,
            Some("false"),
            "allow requests without a token (anonymous)",
        )
    },
    key(
        ALLOWED_ORIGINS,
        Some(""),
        "WebSocket Origin allow-list, comma-separated (`*` = any; empty = same host only)",
    ),
    key(
        MAX_FRAME_BYTES,
        Some("65536"),
        "largest WebSocket frame accepted (bigger closes with 1009)",
    ),
    key(
        MAX_CONNECTIONS_PER_SESSION,
        Some("3"),
        "live connections per design session",
    ),
    key(
        MAX_CONNECTIONS_PER_USER,
        Some("32"),
        "live connections per user (token `sub`)",
    ),
    key(
        MAX_CONNECTIONS_PER_NODE,
        Some("100000"),
        "live connections on this gateway (503 beyond)",
    ),
    key(
        MAX_NEW_CONNECTIONS_PER_SEC,
        Some("1000"),
        "new WebSocket connections per second on this gateway",
    ),
    key(
        MAX_SUBSCRIPTIONS_PER_CONNECTION,
        Some("64"),
        "channel subscriptions per connection",
    ),
    key(
        OUTBOUND_QUEUE_BYTES,
        Some("1048576"),
        "bytes queued to one slow client before it is closed",
    ),
    key(
        REST_REQUESTS_PER_MINUTE,
        Some("600"),
        "REST requests per user per minute, cluster-wide",
    ),
    key(
        WS_MESSAGES_PER_SEC,
        Some("50"),
        "WebSocket messages per connection per second",
    ),
    key(
        HEARTBEAT_INTERVAL,
        Some("25s"),
        "time between protocol pings",
    ),
    key(
        HEARTBEAT_TIMEOUT,
        Some("10s"),
        "close when no pong arrives this long after a ping",
    ),
    key(
        AUTH_DEADLINE,
        Some("10s"),
        "time for a WebSocket's first `auth` message",
    ),
    key(
        TOKEN_EXPIRING_LEAD,
        Some("60s"),
        "send `token_expiring` this long before `exp`",
    ),
    key(DRAIN_GRACE, Some("25s"), "SIGTERM to exit, at most"),
    key(
        DRAIN_BATCH,
        Some("500"),
        "connections told to reconnect per drain step",
    ),
    key(DRAIN_PACE, Some("100ms"), "time between drain steps"),
    key(LOG_FORMAT, Some("pretty"), "log format: json|pretty"),
    key(
        MAX_BATCH_BEAMS,
        Some("1000000"),
        "beams in one batch (413 beyond)",
    ),
    key(
        MAX_BATCH_BODY_BYTES,
        Some("134217728"),
        "bytes of one batch request body, JSON or CSV (413 beyond)",
    ),
    key(
        BATCH_CHUNK_SIZE,
        Some("512"),
        "beams per queued job chunk (what one worker claims at a time)",
    ),
    key(
        BATCH_RETENTION,
        Some("24h"),
        "how long a finished batch's status and results stay readable",
    ),
    key(
        SSE_HEARTBEAT,
        Some("15s"),
        "SSE comment heartbeat on an idle stream",
    ),
    key(
        SSE_RETRY,
        Some("2s"),
        "SSE `retry:` hint: how long an EventSource waits before reconnecting",
    ),
    key(
        SSE_PROGRESS_INTERVAL,
        Some("250ms"),
        "at most one SSE `progress` event per this interval (the others are coalesced)",
    ),
    key(
        SSE_QUEUE_BYTES,
        Some("4194304"),
        "bytes of live events queued to one SSE client before it is cut (it resumes)",
    ),
    key(
        RESUME_MAX_GAP,
        Some("1000000"),
        "publications a resuming client may have replayed; beyond, `recovered: false` (use REST)",
    ),
];
