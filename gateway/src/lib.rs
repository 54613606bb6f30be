//! beamstream's gateway: the actix-web front door (REST, WebSocket, SSE) that authenticates,
//! limits, designs interactive beams inline and streams channel events, with metrics and drain.
//!
//! - [`settings`]: the one [`Settings`], from `BEAMSTREAM_*` env vars and flags.
//! - [`auth`]: JWT verification, scopes, token transport.
//! - [`error`]: [`GatewayError`] and its one mapping to HTTP responses.
//! - [`rate_limit`]: rate-limit decisions as HTTP headers.
//! - [`metrics`]: Prometheus metrics in a registry passed in.
//! - [`telemetry`]: the tracing subscriber and request spans.
//! - [`readiness`]: `/readyz` flags (draining, broker health).
//! - [`registry`]: the live connections, their caps, and drain.
//! - [`connection`]: one connection's outbound queue and message budget.
//! - [`design`] and [`design_defaults`]: inline design with the defaults in force.
//! - [`routes`]: every HTTP route, listed in one function.
//! - [`startup`]: [`startup::Application`]: build, serve, drain.
//! - [`shutdown`]: SIGTERM/Ctrl-C as a cancellation token.
//! - [`ws`]: the interactive WebSocket `/ws/design/{session_id}`.
#![forbid(unsafe_code)]

pub mod auth;
pub mod connection;
pub mod design;
pub mod design_defaults;
pub mod error;
pub mod metrics;
pub mod rate_limit;
pub mod readiness;
pub mod registry;
pub mod routes;
pub mod settings;
pub mod shutdown;
pub mod startup;
pub mod telemetry;
pub mod ws;

pub use error::GatewayError;
pub use settings::Settings;
