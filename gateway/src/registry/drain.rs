//! Draining on shutdown: every live connection is told to go (its shutdown token is cancelled:
//! it sends `server_shutting_down` and closes with the reconnectable code) in paced batches, so
//! the fleet's other gateways absorb the reconnections gradually, and the drain ends when the
//! last connection is gone or the grace period is over, whichever comes first.

use std::collections::VecDeque;

use tokio::sync::oneshot;
use tokio::time::{Duration, Instant};

use super::ConnectionId;
use crate::settings;

/// How to drain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainPlan {
    /// Drain start to giving up on connections still open.
    pub grace: Duration,
    /// Connections told per step (at least one).
    pub batch: usize,
    /// Time between steps.
    pub pace: Duration,
}

/// How a drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    /// Connections told to go.
    pub told: usize,
    /// Connections still registered when the drain ended (0 unless the grace ran out).
    pub remaining: usize,
}

impl From<&settings::Drain> for DrainPlan {
    fn from(drain: &settings::Drain) -> Self {
        Self {
            grace: drain.grace,
            batch: drain.batch,
            pace: drain.pace,
        }
    }
}

impl DrainPlan {
    /// The pace used for `connections`: as configured, unless the steps would take more than half
    /// the grace period; then faster, so that every client is told in the first half and has the
    /// second half to close cleanly.
    pub fn pace_for(&self, connections: usize) -> Duration {
        let steps = connections.div_ceil(self.batch.max(1));
        if steps <= 1 {
            return self.pace;
        }
        let gaps = u32::try_from(steps - 1).unwrap_or(u32::MAX);
        let budget = self.grace / 2;
        match self.pace.checked_mul(gaps) {
            Some(total) if total <= budget => self.pace,
            _ => budget / gaps,
        }
    }
}

/// A drain in progress, driven by the registry's owner loop.
#[derive(Debug)]
pub(super) struct DrainState {
    pending: VecDeque<ConnectionId>,
    batch: usize,
    pace: Duration,
    next_step: Instant,
    deadline: Instant,
    pub(super) told: usize,
    waiters: Vec<oneshot::Sender<DrainReport>>,
}

impl DrainState {
    /// Starts draining `connections` (in registration order) now.
    pub(super) fn new(plan: DrainPlan, mut connections: Vec<ConnectionId>) -> Self {
        connections.sort_unstable();
        let now = Instant::now();
        Self {
            pace: plan.pace_for(connections.len()),
            pending: connections.into(),
            batch: plan.batch.max(1),
            next_step: now,
            deadline: now + plan.grace,
            told: 0,
            waiters: Vec::new(),
        }
    }

    /// Adds someone to tell when the drain ends.
    pub(super) fn notify_on_end(&mut self, waiter: oneshot::Sender<DrainReport>) {
        self.waiters.push(waiter);
    }

    /// When the next batch is due, if any is left.
    pub(super) fn next_step_at(&self) -> Option<Instant> {
        (!self.pending.is_empty()).then_some(self.next_step)
    }

    /// When the drain gives up.
    pub(super) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The connections of the step that is due, scheduling the next one.
    pub(super) fn take_step(&mut self) -> Vec<ConnectionId> {
        let n = self.batch.min(self.pending.len());
        self.next_step += self.pace;
        self.pending.drain(..n).collect()
    }

    /// Ends the drain, reporting to every waiter.
    pub(super) fn finish(self, remaining: usize) {
        let report = DrainReport {
            told: self.told,
            remaining,
        };
        for waiter in self.waiters {
            // A waiter that gave up waiting needs no report.
            let _ = waiter.send(report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(grace_ms: u64, batch: usize, pace_ms: u64) -> DrainPlan {
        DrainPlan {
            grace: Duration::from_millis(grace_ms),
            batch,
            pace: Duration::from_millis(pace_ms),
        }
    }

    #[test]
    fn the_configured_pace_is_kept_when_it_fits_in_half_the_grace() {
        assert_eq!(
            plan(10_000, 100, 100).pace_for(1_000),
            Duration::from_millis(100)
        );
        assert_eq!(
            plan(10_000, 100, 100).pace_for(50),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn the_pace_quickens_so_every_client_is_told_in_half_the_grace() {
        // 101 steps, 100 gaps, 5 s of budget: 50 ms apart instead of 100 ms.
        assert_eq!(
            plan(10_000, 10, 100).pace_for(1_010),
            Duration::from_millis(50)
        );
    }
}
