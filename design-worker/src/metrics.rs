//! [`Metrics`]: the worker's Prometheus metrics, registered in a registry passed in.
//!
//! Every name is a constant of [`names`]; nothing is global, so several workers (or a gateway
//! running workers in-process) register in their own registries in one test binary.

use std::sync::Mutex;
use std::time::Instant;

use prometheus::{Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry};

/// Metric names, in one place.
pub mod names {
    /// Chunks designed, emitted and acked (or stopped by a cancel).
    pub const CHUNKS_PROCESSED: &str = "beamstream_worker_chunks_processed_total";
    /// Beams designed successfully and emitted.
    pub const BEAMS_DESIGNED: &str = "beamstream_worker_beams_designed_total";
    /// Beams emitted as `error` entries (refused by the engine or an unreadable chunk).
    pub const BEAMS_FAILED: &str = "beamstream_worker_beams_failed_total";
    /// Beams per second over the last reaper interval.
    pub const BEAMS_PER_SECOND: &str = "beamstream_worker_beams_per_second";
    /// Seconds to design one emit slice (on a blocking thread).
    pub const DESIGN_SECONDS: &str = "beamstream_worker_design_slice_seconds";
    /// Seconds one emit took (the broker's script round trip).
    pub const EMIT_SECONDS: &str = "beamstream_worker_emit_seconds";
    /// Chunks this worker's reaper passes moved back to the queue.
    pub const CHUNKS_REAPED: &str = "beamstream_worker_chunks_reaped_total";
    /// The attempt (fencing token) of each claimed chunk: >1 means a retry.
    pub const CLAIM_ATTEMPT: &str = "beamstream_worker_claim_attempt";
    /// Chunks in the dead list (poison chunks past max attempts).
    pub const DEAD_LETTERED: &str = "beamstream_worker_dead_lettered_chunks";
    /// Chunks waiting in the queue (autoscaling signal).
    pub const QUEUE_LENGTH: &str = "beamstream_worker_queue_length";
    /// Broker calls that failed on Redis (connection lost, Redis error reply).
    pub const REDIS_ERRORS: &str = "beamstream_worker_redis_errors_total";
    /// Emits the broker fenced (the chunk was re-claimed elsewhere).
    pub const EMITS_FENCED: &str = "beamstream_worker_emits_fenced_total";
    /// Chunks handed back to the queue when the worker retired (left at the shutdown deadline).
    pub const CHUNKS_HANDED_BACK: &str = "beamstream_worker_chunks_handed_back_total";
    /// Chunks in flight right now.
    pub const CHUNKS_IN_FLIGHT: &str = "beamstream_worker_chunks_in_flight";
}

/// Handles on every metric of a worker.
#[derive(Debug)]
pub struct Metrics {
    /// See [`names::CHUNKS_PROCESSED`].
    pub chunks_processed: IntCounter,
    /// See [`names::BEAMS_DESIGNED`].
    pub beams_designed: IntCounter,
    /// See [`names::BEAMS_FAILED`].
    pub beams_failed: IntCounter,
    /// See [`names::BEAMS_PER_SECOND`].
    pub beams_per_second: Gauge,
    /// See [`names::DESIGN_SECONDS`].
    pub design_seconds: Histogram,
    /// See [`names::EMIT_SECONDS`].
    pub emit_seconds: Histogram,
    /// See [`names::CHUNKS_REAPED`].
    pub chunks_reaped: IntCounter,
    /// See [`names::CLAIM_ATTEMPT`].
    pub claim_attempt: Histogram,
    /// See [`names::DEAD_LETTERED`].
    pub dead_lettered: IntGauge,
    /// See [`names::QUEUE_LENGTH`].
    pub queue_length: IntGauge,
    /// See [`names::REDIS_ERRORS`].
    pub redis_errors: IntCounter,
    /// See [`names::EMITS_FENCED`].
    pub emits_fenced: IntCounter,
    /// See [`names::CHUNKS_HANDED_BACK`].
    pub chunks_handed_back: IntCounter,
    /// See [`names::CHUNKS_IN_FLIGHT`].
    pub chunks_in_flight: IntGauge,
    /// The last rate sample: when, and the beams counted then.
    last_sample: Mutex<(Instant, u64)>,
}

/// Buckets for slice design times: 50 µs … 1 s.
const DESIGN_BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 1.0,
];
/// Buckets for emit round trips: 100 µs … 5 s.
const EMIT_BUCKETS: &[f64] = &[
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0,
];
/// Buckets for claim attempts.
const ATTEMPT_BUCKETS: &[f64] = &[1.0, 2.0, 3.0, 4.0, 5.0, 10.0];

impl Metrics {
    /// Creates every metric and registers it in `registry`.
    pub fn new(registry: &Registry) -> Result<Self, prometheus::Error> {
        let m = Self {
            chunks_processed: counter(names::CHUNKS_PROCESSED, "Chunks processed")?,
            beams_designed: counter(names::BEAMS_DESIGNED, "Beams designed and emitted")?,
            beams_failed: counter(names::BEAMS_FAILED, "Beams emitted as errors")?,
            beams_per_second: Gauge::new(names::BEAMS_PER_SECOND, "Beams/s, last interval")?,
            design_seconds: histogram(
                names::DESIGN_SECONDS,
                "Design time of a slice",
                DESIGN_BUCKETS,
            )?,
            emit_seconds: histogram(names::EMIT_SECONDS, "Emit round trip", EMIT_BUCKETS)?,
            chunks_reaped: counter(names::CHUNKS_REAPED, "Chunks reaped back to the queue")?,
            claim_attempt: histogram(
                names::CLAIM_ATTEMPT,
                "Attempt of each claim",
                ATTEMPT_BUCKETS,
            )?,
            dead_lettered: IntGauge::new(names::DEAD_LETTERED, "Chunks in the dead list")?,
            queue_length: IntGauge::new(names::QUEUE_LENGTH, "Chunks waiting in the queue")?,
            redis_errors: counter(names::REDIS_ERRORS, "Failed broker calls")?,
            emits_fenced: counter(names::EMITS_FENCED, "Emits fenced by a newer claim")?,
            chunks_handed_back: counter(names::CHUNKS_HANDED_BACK, "Chunks handed back on retire")?,
            chunks_in_flight: IntGauge::new(names::CHUNKS_IN_FLIGHT, "Chunks in flight")?,
            last_sample: Mutex::new((Instant::now(), 0)),
        };
        m.register(registry)?;
        Ok(m)
    }

    fn register(&self, registry: &Registry) -> Result<(), prometheus::Error> {
        let all: [Box<dyn prometheus::core::Collector>; 14] = [
            Box::new(self.chunks_processed.clone()),
            Box::new(self.beams_designed.clone()),
            Box::new(self.beams_failed.clone()),
            Box::new(self.beams_per_second.clone()),
            Box::new(self.design_seconds.clone()),
            Box::new(self.emit_seconds.clone()),
            Box::new(self.chunks_reaped.clone()),
            Box::new(self.claim_attempt.clone()),
            Box::new(self.dead_lettered.clone()),
            Box::new(self.queue_length.clone()),
            Box::new(self.redis_errors.clone()),
            Box::new(self.emits_fenced.clone()),
            Box::new(self.chunks_handed_back.clone()),
            Box::new(self.chunks_in_flight.clone()),
        ];
        all.into_iter().try_for_each(|c| registry.register(c))
    }

    /// Updates the beams/s gauge from the beams counted since the last call.
    pub fn sample_rate(&self) {
        let beams = self.beams_designed.get() + self.beams_failed.get();
        let now = Instant::now();
        // A poisoned lock only holds a plain sample, still meaningful.
        let mut last = self.last_sample.lock().unwrap_or_else(|p| p.into_inner());
        let secs = now.duration_since(last.0).as_secs_f64();
        if secs > 0.0 {
            self.beams_per_second
                .set(beams.saturating_sub(last.1) as f64 / secs);
        }
        *last = (now, beams);
    }
}

fn counter(name: &str, help: &str) -> Result<IntCounter, prometheus::Error> {
    IntCounter::with_opts(Opts::new(name, help))
}

fn histogram(name: &str, help: &str, buckets: &[f64]) -> Result<Histogram, prometheus::Error> {
    Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_workers_register_in_their_own_registries() {
        let (a, b) = (Registry::new(), Registry::new());
        let m = Metrics::new(&a).unwrap();
        Metrics::new(&b).unwrap();
        m.beams_designed.inc_by(7);
        let families = a.gather();
        let designed = families
            .iter()
            .find(|f| f.name() == names::BEAMS_DESIGNED)
            .unwrap();
        assert_eq!(designed.get_metric()[0].get_counter().get_value(), 7.0);
        assert!(Metrics::new(&a).is_err(), "a second registration clashes");
    }
}
