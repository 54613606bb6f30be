//! The reaper task: returns dead workers' chunks to the queue and samples the queue gauges.
//!
//! Every worker runs one; the broker lets at most one pass per reap interval through
//! cluster-wide, so a fleet of workers reaps no more often than one would. The same tick
//! samples the queue length, the dead list and the beams/s gauge.

use std::sync::Arc;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::worker::Shared;

/// Runs a pass every `reaper_interval` until `stop` fires.
pub(crate) async fn run(shared: Arc<Shared>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(shared.settings.reaper_interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => pass(&shared).await,
        }
    }
}

/// One reaper pass and one gauge sample.
async fn pass(shared: &Shared) {
    let m = &shared.metrics;
    let reaped = shared.broker.reap().await;
    shared.observe(&reaped);
    if let Ok(Some(r)) = reaped {
        m.chunks_reaped.inc_by(u64::from(r.chunks));
    }
    let pending = shared.broker.pending_len().await;
    shared.observe(&pending);
    if let Ok(n) = pending {
        m.queue_length.set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    let dead = shared.broker.dead_letters().await;
    shared.observe(&dead);
    if let Ok(dead) = dead {
        m.dead_lettered
            .set(i64::try_from(dead.len()).unwrap_or(i64::MAX));
    }
    m.sample_rate();
}
