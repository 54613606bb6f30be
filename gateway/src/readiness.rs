//! Whether this gateway should receive traffic (`/readyz`): not while draining, and not while its
//! broker is unhealthy. Draining is set by the shutdown sequence; broker health is fed through a
//! [`BrokerHealthReporter`] (the seam the broker's health watcher plugs into).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared readiness flags; cheap to clone.
#[derive(Debug, Clone)]
pub struct Readiness {
    inner: Arc<Flags>,
}

#[derive(Debug)]
struct Flags {
    draining: AtomicBool,
    broker_healthy: AtomicBool,
}

/// Why the gateway is not ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    /// Shutting down: no new connections.
    #[error("draining")]
    Draining,
    /// The broker reported itself unhealthy (or has not reported yet).
    #[error("broker unavailable")]
    BrokerUnavailable,
}

/// Reports broker health into [`Readiness`]; handed to whatever watches the broker.
#[derive(Debug, Clone)]
pub struct BrokerHealthReporter {
    inner: Arc<Flags>,
}

impl Readiness {
    /// Ready unless draining; the broker starts healthy when `broker_healthy_at_start` (the
    /// embedded broker), else not until its watcher first reports (Redis).
    pub fn new(broker_healthy_at_start: bool) -> Self {
        Self {
            inner: Arc::new(Flags {
                draining: AtomicBool::new(false),
                broker_healthy: AtomicBool::new(broker_healthy_at_start),
            }),
        }
    }

    /// Marks the gateway as draining, for good.
    pub fn start_draining(&self) {
        self.inner.draining.store(true, Ordering::SeqCst);
    }

    /// Whether draining has started.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::SeqCst)
    }

    /// The handle the broker's health watcher reports through.
    pub fn broker_reporter(&self) -> BrokerHealthReporter {
        BrokerHealthReporter {
            inner: self.inner.clone(),
        }
    }

    /// `Ok` when ready, else the first reason not to be (draining wins).
    pub fn check(&self) -> Result<(), NotReady> {
        if self.is_draining() {
            return Err(NotReady::Draining);
        }
        if !self.inner.broker_healthy.load(Ordering::SeqCst) {
            return Err(NotReady::BrokerUnavailable);
        }
        Ok(())
    }
}

impl BrokerHealthReporter {
    /// Records the broker's latest health.
    pub fn report(&self, healthy: bool) {
        self.inner.broker_healthy.store(healthy, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draining_makes_the_gateway_unready_for_good() {
        let readiness = Readiness::new(true);
        assert_eq!(readiness.check(), Ok(()));
        readiness.start_draining();
        assert_eq!(readiness.check(), Err(NotReady::Draining));
        readiness.broker_reporter().report(true);
        assert_eq!(readiness.check(), Err(NotReady::Draining));
    }

    #[test]
    fn broker_health_reports_flip_readiness() {
        let readiness = Readiness::new(false);
        assert_eq!(readiness.check(), Err(NotReady::BrokerUnavailable));
        let reporter = readiness.broker_reporter();
        reporter.report(true);
        assert_eq!(readiness.check(), Ok(()));
        reporter.report(false);
        assert_eq!(readiness.check(), Err(NotReady::BrokerUnavailable));
    }
}
