//! [`Health`]: whether the worker can reach Redis right now, as `/healthz` reports it.
//!
//! Every broker call reports its outcome here: a connection error makes the worker unhealthy
//! until the next call that succeeds. Logical refusals (a fenced emit, an unknown batch) say
//! nothing about Redis and do not count.

use std::sync::{Arc, Mutex};

/// Shared health state; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Health {
    last_error: Arc<Mutex<Option<String>>>,
}

impl Health {
    /// A fresh state: healthy until a call fails.
    pub fn new() -> Self {
        Self::default()
    }

    /// A broker call succeeded.
    pub fn ok(&self) {
        let mut last = self.lock();
        if last.is_some() {
            tracing::info!("redis reachable again");
            *last = None;
        }
    }

    /// A broker call failed for a reason Redis's health explains.
    pub fn failed(&self, why: &str) {
        *self.lock() = Some(why.to_owned());
    }

    /// `None` when healthy, else the last error.
    pub fn problem(&self) -> Option<String> {
        self.lock().clone()
    }

    /// True when the last broker call succeeded.
    pub fn is_healthy(&self) -> bool {
        self.lock().is_none()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // A poisoned lock only means a panic elsewhere while holding a plain Option: the value
        // is still meaningful.
        self.last_error.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_lasts_until_the_next_success() {
        let h = Health::new();
        assert!(h.is_healthy());
        h.failed("connection refused");
        assert_eq!(h.problem().as_deref(), Some("connection refused"));
        h.ok();
        assert!(h.is_healthy());
    }
}
