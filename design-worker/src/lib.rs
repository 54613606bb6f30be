//! beamstream's batch worker: fetch chunks from the broker's queue, design every beam off the
//! async runtime, emit results in slices, ack; heartbeat, reap, drain on shutdown.
//!
//! A library, so the gateway runs [`Worker`]s in-process over the in-memory broker in its
//! embedded mode, and a thin `design-worker` binary for the cluster.
//!
//! Map:
//! - [`worker`]: [`Worker`], the fetch loops and the drain; `chunk` processes one claimed
//!   chunk (decode, design, emit in slices, ack); `heartbeat` and `reaper` are its background
//!   tasks; the chunks held and their stop tokens live in [`inflight`].
//! - [`designer`]: [`Designer`], payload → results on blocking threads.
//! - [`backoff`]: retry pacing with jitter; [`health`]: Redis reachability for `/healthz`.
//! - [`metrics`]: metric names and handles; [`server`]: the `/metrics` + `/healthz` endpoint.
//! - [`settings`]: [`Settings`] from env vars and flags; [`startup`]: [`Application`], a worker
//!   process; for `main`, logging in [`telemetry`] and the shutdown token in [`signal`].
//! - [`error`] holds [`WorkerError`], the crate's one error type.
//!
//! Behaviour, settings and failure modes are documented in `docs/worker.md`.
#![forbid(unsafe_code)]

pub mod backoff;
mod chunk;
pub mod designer;
pub mod error;
pub mod health;
mod heartbeat;
pub mod inflight;
pub mod metrics;
mod reaper;
pub mod server;
pub mod settings;
pub mod signal;
pub mod startup;
pub mod telemetry;
pub mod worker;

pub use designer::Designer;
pub use error::WorkerError;
pub use health::Health;
pub use metrics::Metrics;
pub use settings::{LogFormat, Settings, WorkerSettings};
pub use startup::Application;
pub use worker::Worker;
