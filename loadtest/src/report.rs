//! The JSON reports each scenario prints on stdout, and their one-line human summaries for
//! stderr.

use serde::Serialize;

use crate::latency::Summary;
use crate::process::CpuUsage;

/// How many connections opened, and why the first failure failed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Connections {
    /// Connections asked for.
    pub wanted: usize,
    /// Connections opened (and acknowledged, with a token).
    pub opened: usize,
    /// Connections that failed.
    pub failed: usize,
    /// The first failure's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// Source addresses used.
    pub sources: Vec<String>,
}

/// CPU time of a process over the measured window, per request.
#[derive(Debug, Clone, Serialize)]
pub struct CpuPerRequest {
    /// The raw window.
    #[serde(flatten)]
    pub usage: CpuUsage,
    /// `cpu_us` divided by the timed requests.
    pub us_per_request: f64,
}

/// `ws-design`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct DesignReport {
    /// `"ws-design"`.
    pub scenario: &'static str,
    /// `closed` or `open`.
    pub mode: &'static str,
    /// Sessions (one connection each).
    pub sessions: usize,
    /// Open loop: requests per second per session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_per_session: Option<f64>,
    /// Open loop: the total scheduled rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_rate: Option<f64>,
    /// Length of the measured window, s.
    pub duration_s: f64,
    /// Warm-up before it, s.
    pub warmup_s: f64,
    /// Connection outcome.
    pub connections: Connections,
    /// Requests sent, warm-up included.
    pub sent: u64,
    /// Timed requests answered (any reply).
    pub timed: u64,
    /// Timed requests answered with `design_result`.
    pub ok: u64,
    /// `error` replies.
    pub error_replies: u64,
    /// `validation_error` replies.
    pub validation_errors: u64,
    /// Requests never answered.
    pub lost: u64,
    /// Sessions whose connection ended early.
    pub disconnected: u64,
    /// The first early end's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_disconnect: Option<String>,
    /// Timed replies per second of the measured window.
    pub achieved_rate: f64,
    /// Round trips of timed requests (open loop: from the scheduled send time).
    pub latency: Summary,
    /// Open loop: round trips from the actual send time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_latency: Option<Summary>,
    /// Open loop: actual send time minus scheduled send time (the generator's own lateness:
    /// tokio's 1 ms timer granularity plus any queueing in the generator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_lag: Option<Summary>,
    /// The gateway's CPU over the measured window (with `--server-pid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu: Option<CpuPerRequest>,
    /// The generator's own CPU over the measured window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loadgen_cpu: Option<CpuPerRequest>,
}

impl DesignReport {
    /// One line for a person.
    pub fn human(&self) -> String {
        let cpu = self.server_cpu.as_ref().map_or(String::new(), |c| {
            format!(", gateway {:.1} µs CPU/request", c.us_per_request)
        });
        format!(
            "ws-design {} {} sessions: {:.0} req/s, p50 {} µs, p99 {} µs, p99.9 {} µs, max {} µs; \
             {} errors, {} lost, {} disconnected, {} connect failures{cpu}",
            self.mode,
            self.sessions,
            self.achieved_rate,
            self.latency.p50_us,
            self.latency.p99_us,
            self.latency.p999_us,
            self.latency.max_us,
            self.error_replies + self.validation_errors,
            self.lost,
            self.disconnected,
            self.connections.failed,
        )
    }
}

/// `ws-idle`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// `"ws-idle"`.
    pub scenario: &'static str,
    /// Connection outcome.
    pub connections: Connections,
    /// Connections still open at the end of the hold.
    pub still_open: usize,
    /// The gateway's RSS before connecting, KiB.
    pub server_rss_before_kib: u64,
    /// The gateway's RSS with every connection open and settled, KiB.
    pub server_rss_after_kib: u64,
    /// `(after − before) / opened`, bytes.
    pub server_rss_per_connection_bytes: f64,
    /// The generator's RSS with every connection open, KiB.
    pub loadgen_rss_kib: u64,
    /// How long the connections were held, s.
    pub hold_s: f64,
    /// How long opening them took, s.
    pub connect_s: f64,
}

impl IdleReport {
    /// One line for a person.
    pub fn human(&self) -> String {
        format!(
            "ws-idle {} of {} connections: gateway RSS {} → {} KiB, {:.0} bytes per connection; \
             {} still open after {:.0} s",
            self.connections.opened,
            self.connections.wanted,
            self.server_rss_before_kib,
            self.server_rss_after_kib,
            self.server_rss_per_connection_bytes,
            self.still_open,
            self.hold_s,
        )
    }
}

/// `ws-fanout`'s report.
#[derive(Debug, Clone, Serialize)]
pub struct FanoutReport {
    /// `"ws-fanout"`.
    pub scenario: &'static str,
    /// How subscribers follow the channel: `session` (same session) or `subscribe`.
    pub follow: &'static str,
    /// The channel followed.
    pub channel: String,
    /// Subscriber connection outcome.
    pub connections: Connections,
    /// Publications per second.
    pub rate: f64,
    /// Publications sent in the measured window.
    pub published: u64,
    /// Publications whose publish request was refused (`error`/`validation_error`).
    pub publish_errors: u64,
    /// Deliveries expected (`published × subscribers`).
    pub expected: u64,
    /// Deliveries of timed publications received.
    pub delivered: u64,
    /// Subscribers whose connection ended early (or whose `subscribe` was refused).
    pub disconnected: u64,
    /// The first early end's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_disconnect: Option<String>,
    /// Publish (scheduled time) → delivery latency.
    pub latency: Summary,
    /// The gateway's CPU from the first publication to the last delivery (`--server-pid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu: Option<CpuUsage>,
    /// The generator's own CPU over the same window.
    pub loadgen_cpu: CpuUsage,
}

impl FanoutReport {
    /// One line for a person.
    pub fn human(&self) -> String {
        format!(
            "ws-fanout {} subscribers of {}: {} of {} deliveries, p50 {} µs, p99 {} µs, max {} µs",
            self.connections.opened,
            self.channel,
            self.delivered,
            self.expected,
            self.latency.p50_us,
            self.latency.p99_us,
            self.latency.max_us,
        )
    }
}
