//! beamstream's lean load generator (`loadgen`): it measures the gateway from outside, over
//! real loopback sockets, at rates k6 cannot reach on two cores.
//!
//! The map:
//! - [`cli`]: the subcommands and their settings, parsed from flags in one place.
//! - [`dialer`]: WebSocket connections spread over several 127.0.0.x source addresses, paced.
//! - [`mix`]: the realistic beam mix and the request frames built from it.
//! - [`reply`]: the few top-level fields of a server frame the generator reads.
//! - [`latency`]: per-request samples and their percentiles.
//! - [`session`]: one design session's loop, closed or open (scheduled) loop.
//! - [`pacer`]: the open loop's precise send clock (an OS thread; tokio timers tick in ms).
//! - [`design`]: the `ws-design` scenario: many sessions, one report.
//! - [`idle`]: the `ws-idle` scenario: idle connections and the server's RSS per connection.
//! - [`fanout`]: the `ws-fanout` scenario: publish-to-delivery latency across subscribers.
//! - [`process`]: a process's CPU time and RSS from `/proc` (the `cpu` subcommand too).
//! - [`fd_limit`]: raising this process's open-file limit.
//! - [`report`]: the JSON reports and their one-line human summaries.
#![forbid(unsafe_code)]

pub mod cli;
pub mod design;
pub mod dialer;
pub mod fanout;
pub mod fd_limit;
pub mod idle;
pub mod latency;
pub mod mix;
pub mod pacer;
pub mod process;
pub mod reply;
pub mod report;
pub mod session;
