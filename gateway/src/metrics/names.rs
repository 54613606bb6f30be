//! Every metric name and label the gateway exports, in one place (dashboards and alerts depend
//! on them; renaming one is a breaking change).

/// Gauge: live WebSocket connections on this node.
pub const CONNECTIONS: &str = "beamstream_gateway_connections";
/// Gauge: design sessions with at least one live connection on this node.
pub const SESSIONS: &str = "beamstream_gateway_sessions";
/// Counter: WebSocket messages received.
pub const MESSAGES_IN: &str = "beamstream_gateway_messages_received_total";
/// Counter: WebSocket messages sent.
pub const MESSAGES_OUT: &str = "beamstream_gateway_messages_sent_total";
/// Counter: WebSocket payload bytes sent.
pub const BYTES_OUT: &str = "beamstream_gateway_bytes_sent_total";
/// Counter: beams designed inline (WebSocket and REST).
pub const DESIGNS: &str = "beamstream_gateway_designs_total";
/// Histogram: time to design one beam inline, seconds.
pub const DESIGN_SECONDS: &str = "beamstream_gateway_design_duration_seconds";
/// Counter: requests answered with a validation error.
pub const VALIDATION_ERRORS: &str = "beamstream_gateway_validation_errors_total";
/// Counter by [`REASON`]: refused tokens.
pub const AUTH_FAILURES: &str = "beamstream_gateway_auth_failures_total";
/// Counter by [`TRANSPORT`]: requests or messages refused by a rate limit.
pub const RATE_LIMITED: &str = "beamstream_gateway_rate_limited_total";
/// Counter by [`REASON`]: connections refused by a connection cap or drain.
pub const CONNECTIONS_REJECTED: &str = "beamstream_gateway_connections_rejected_total";
/// Counter by [`CODE`]: WebSocket closes by close code.
pub const DISCONNECTS: &str = "beamstream_gateway_disconnects_total";
/// Counter: connections closed because their outbound queue overflowed.
pub const SLOW_CONSUMER_CLOSES: &str = "beamstream_gateway_slow_consumer_closes_total";
/// Counter by [`METHOD`], [`ROUTE`], [`STATUS`]: HTTP requests served.
pub const HTTP_REQUESTS: &str = "beamstream_gateway_http_requests_total";
/// Histogram by [`METHOD`], [`ROUTE`]: HTTP request duration, seconds.
pub const HTTP_SECONDS: &str = "beamstream_gateway_http_request_duration_seconds";
/// Gauge: channels this gateway follows (one broker subscription each).
pub const CHANNELS: &str = "beamstream_gateway_channels";
/// Counter: channel publications fanned out to local subscribers (live and caught up).
pub const CHANNEL_PUBLICATIONS: &str = "beamstream_gateway_channel_publications_total";
/// Counter by [`REASON`]: channel catch-ups from history (`gap`, `reconnected`, `lagged`,
/// `lost` when the history could not be replayed).
pub const CHANNEL_RECOVERIES: &str = "beamstream_gateway_channel_recoveries_total";
/// Counter by [`OUTCOME`]: session sync publications (`published`, `skipped` when nobody else
/// follows the session, `dropped` when the hub was full, `failed`).
pub const SESSION_SYNCS: &str = "beamstream_gateway_session_syncs_total";
/// Gauge: followed session channels that another gateway follows too (cluster mode; their
/// results are published), as last refreshed.
pub const SESSIONS_SHARED: &str = "beamstream_gateway_sessions_shared";

/// Label: why (auth failure reason, rejection reason).
pub const REASON: &str = "reason";
/// Label: `rest` or `ws`.
pub const TRANSPORT: &str = "transport";
/// Label: WebSocket close code.
pub const CODE: &str = "code";
/// Label: what happened.
pub const OUTCOME: &str = "outcome";
/// Label: HTTP method.
pub const METHOD: &str = "method";
/// Label: matched route pattern (`/api/v1/batches/{id}`), never the raw path.
pub const ROUTE: &str = "route";
/// Label: HTTP status code.
pub const STATUS: &str = "status";

/// [`ROUTE`] value of requests that matched no route (keeps label cardinality bounded).
pub const UNMATCHED_ROUTE: &str = "unmatched";
