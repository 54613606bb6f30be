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
//! - [`design`] and [`design_defaults`]: inline design with the defaults in force;
//!   [`config_store`]: those defaults in the broker's config store (load, compare-and-set).
//! - [`drawing`]: a designed beam's section drawing (SVG) and 3D mesh (STL), pure.
//! - [`backend`]: the broker (Redis, or in memory when embedded), the hub and, embedded, the
//!   in-process design-worker ([`embedded`]); [`broker_limiter`]: the REST limiter on the
//!   broker's GCRA store.
//! - [`hub`]: one broker subscription per channel, fanned out to every local connection.
//! - [`routes`]: every HTTP route, listed in one function.
//! - [`startup`]: [`startup::Application`]: build, serve, drain.
//! - [`shutdown`]: SIGTERM/Ctrl-C as a cancellation token.
//! - [`ws`]: the interactive WebSocket `/ws/design/{session_id}`.
//! - [`batch`]: batch submission, ownership and results; [`sse`]: batch and `/events` streams;
//!   [`replay`]: a resuming client's paced replay from channel history.
#![forbid(unsafe_code)]

pub mod auth;
pub mod backend;
pub mod batch;
pub mod broker_limiter;
pub mod config_store;
pub mod connection;
pub mod design;
pub mod design_defaults;
pub mod drawing;
pub mod embedded;
pub mod error;
pub mod hub;
pub mod metrics;
pub mod rate_limit;
pub mod readiness;
pub mod registry;
pub mod replay;
pub mod routes;
pub mod settings;
pub mod shutdown;
pub mod sse;
pub mod startup;
pub mod telemetry;
pub mod ws;

pub use error::GatewayError;
pub use settings::Settings;
