//! Prometheus metrics. Names live in [`names`]; [`Metrics`] registers them in a registry that is
//! passed in (never a global), so several applications run side by side in one test binary.
//! [`middleware`] records HTTP requests by matched route.

pub mod middleware;
pub mod names;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

use names::*;

/// Design latency buckets, seconds: a design takes microseconds.
const DESIGN_BUCKETS: &[f64] = &[
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2,
];
/// HTTP latency buckets, seconds.
const HTTP_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Every gateway metric, registered in one registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Live WebSocket connections.
    pub connections: IntGauge,
    /// Sessions with a live connection here.
    pub sessions: IntGauge,
    /// WebSocket messages received.
    pub messages_in: IntCounter,
    /// WebSocket messages sent.
    pub messages_out: IntCounter,
    /// WebSocket bytes sent.
    pub bytes_out: IntCounter,
    /// Beams designed inline.
    pub designs: IntCounter,
    /// Inline design time, seconds.
    pub design_seconds: Histogram,
    /// Validation errors answered.
    pub validation_errors: IntCounter,
    /// Refused tokens by reason.
    pub auth_failures: IntCounterVec,
    /// Rate-limited requests by transport.
    pub rate_limited: IntCounterVec,
    /// Refused connections by reason.
    pub connections_rejected: IntCounterVec,
    /// Closes by close code.
    pub disconnects: IntCounterVec,
    /// Slow-consumer closes.
    pub slow_consumer_closes: IntCounter,
    /// Channels followed.
    pub channels: IntGauge,
    /// Channel publications fanned out.
    pub channel_publications: IntCounter,
    /// Channel catch-ups by reason.
    pub channel_recoveries: IntCounterVec,
    /// Session sync publications by outcome.
    pub session_syncs: IntCounterVec,
    /// Session channels another gateway follows too.
    pub sessions_shared: IntGauge,
    /// HTTP requests by method, route and status.
    pub http_requests: IntCounterVec,
    /// HTTP duration by method and route.
    pub http_seconds: HistogramVec,
}

impl Metrics {
    /// Creates and registers every metric in `registry`.
    pub fn new(r: &Registry) -> Result<Self, prometheus::Error> {
        Ok(Self {
            registry: r.clone(),
            connections: gauge(r, CONNECTIONS, "Live WebSocket connections")?,
            sessions: gauge(r, SESSIONS, "Design sessions with a live connection")?,
            messages_in: counter(r, MESSAGES_IN, "WebSocket messages received")?,
            messages_out: counter(r, MESSAGES_OUT, "WebSocket messages sent")?,
            bytes_out: counter(r, BYTES_OUT, "WebSocket payload bytes sent")?,
            designs: counter(r, DESIGNS, "Beams designed inline")?,
            design_seconds: histogram(
                r,
                DESIGN_SECONDS,
                "Inline design time per beam",
                DESIGN_BUCKETS,
            )?,
            validation_errors: counter(r, VALIDATION_ERRORS, "Validation errors answered")?,
            auth_failures: counter_vec(r, AUTH_FAILURES, "Refused tokens", &[REASON])?,
            rate_limited: counter_vec(r, RATE_LIMITED, "Rate-limited requests", &[TRANSPORT])?,
            connections_rejected: counter_vec(
                r,
                CONNECTIONS_REJECTED,
                "Refused connections",
                &[REASON],
            )?,
            disconnects: counter_vec(r, DISCONNECTS, "WebSocket closes by code", &[CODE])?,
            slow_consumer_closes: counter(r, SLOW_CONSUMER_CLOSES, "Slow-consumer closes")?,
            channels: gauge(r, CHANNELS, "Channels followed")?,
            sessions_shared: gauge(
                r,
                SESSIONS_SHARED,
                "Session channels another gateway follows too",
            )?,
            channel_publications: counter(
                r,
                CHANNEL_PUBLICATIONS,
                "Channel publications fanned out",
            )?,
            channel_recoveries: counter_vec(
                r,
                CHANNEL_RECOVERIES,
                "Channel catch-ups from history",
                &[REASON],
            )?,
            session_syncs: counter_vec(r, SESSION_SYNCS, "Session sync publications", &[OUTCOME])?,
            http_requests: counter_vec(
                r,
                HTTP_REQUESTS,
                "HTTP requests",
                &[METHOD, ROUTE, STATUS],
            )?,
            http_seconds: histogram_vec(
                r,
                HTTP_SECONDS,
                "HTTP request duration",
                &[METHOD, ROUTE],
            )?,
        })
    }

    /// The registry these metrics live in (the embedded design-worker registers its own there).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry in Prometheus text format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        // Lossless: the text encoder writes UTF-8 only.
        Ok(String::from_utf8_lossy(&buffer).into_owned())
    }
}

fn counter(r: &Registry, name: &str, help: &str) -> Result<IntCounter, prometheus::Error> {
    let metric = IntCounter::new(name, help)?;
    r.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn counter_vec(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntCounterVec, prometheus::Error> {
    let metric = IntCounterVec::new(Opts::new(name, help), labels)?;
    r.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn gauge(r: &Registry, name: &str, help: &str) -> Result<IntGauge, prometheus::Error> {
    let metric = IntGauge::new(name, help)?;
    r.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn histogram(
    r: &Registry,
    name: &str,
    help: &str,
    buckets: &[f64],
) -> Result<Histogram, prometheus::Error> {
    let metric = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec()))?;
    r.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn histogram_vec(
    r: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<HistogramVec, prometheus::Error> {
    let opts = HistogramOpts::new(name, help).buckets(HTTP_BUCKETS.to_vec());
    let metric = HistogramVec::new(opts, labels)?;
    r.register(Box::new(metric.clone()))?;
    Ok(metric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_apps_register_in_their_own_registries() {
        let first = Metrics::new(&Registry::new()).unwrap();
        let second = Metrics::new(&Registry::new()).unwrap();
        first.designs.inc();
        assert_eq!(first.designs.get(), 1);
        assert_eq!(second.designs.get(), 0);
    }

    #[test]
    fn registering_twice_in_one_registry_is_an_error() {
        let registry = Registry::new();
        Metrics::new(&registry).unwrap();
        assert!(Metrics::new(&registry).is_err());
    }

    #[test]
    fn rendering_shows_labelled_counters() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        metrics
            .auth_failures
            .with_label_values(&["token_expired"])
            .inc();
        metrics.disconnects.with_label_values(&["4008"]).inc_by(2);
        let text = metrics.render().unwrap();
        assert!(
            text.contains(r#"beamstream_gateway_auth_failures_total{reason="token_expired"} 1"#)
        );
        assert!(text.contains(r#"beamstream_gateway_disconnects_total{code="4008"} 2"#));
    }
}
