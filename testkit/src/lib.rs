//! Test harness shared by every crate's tests: a private `redis-server`.
//!
//! - [`server`]: [`RedisServer`] starts `redis-server` on a free loopback port (never 6379) in
//!   its own temporary directory, waits until it answers `PING`, and kills it on drop. It can be
//!   killed and restarted on the same port, optionally with its data kept (AOF, as in production).
//! - [`resp`]: a minimal blocking RESP client the harness uses to ping, flush and inspect the
//!   server, so tests can run admin commands (`INFO memory`, `CLIENT PAUSE`) without a driver.
//!
//! This crate has no dependencies and no async: a test can start a server from any runtime.
#![forbid(unsafe_code)]

pub mod resp;
pub mod server;

pub use resp::{Reply, RespError};
pub use server::{Persistence, RedisServer};
