//! The heartbeat task: keeps this worker alive in the broker's registry and stops the chunks
//! of batches that stopped.
//!
//! Each beat reports the batches held (see [`InFlight`](crate::inflight::InFlight)); the broker
//! answers their status, and a pending cancel takes effect right there. A batch that is
//! cancelled, completed or gone stops its chunks here, so a cancel is observed within one
//! emit (the emit script refuses) or one heartbeat, whichever comes first.

use std::sync::Arc;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::worker::Shared;

/// Beats every `heartbeat_interval` until `stop` fires.
pub(crate) async fn run(shared: Arc<Shared>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(shared.settings.heartbeat_interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => beat(&shared).await,
        }
    }
}

/// One beat: mark alive, stop the chunks of stopped batches.
async fn beat(shared: &Shared) {
    let held = shared.inflight.batches();
    let r = shared.broker.heartbeat(&shared.settings.id, &held).await;
    shared.observe(&r);
    let Ok(statuses) = r else { return };
    for (batch, status) in statuses {
        if status.is_none_or(|s| s.stops_work()) {
            tracing::info!(%batch, ?status, "batch stopped; stopping its chunks");
            shared.inflight.stop_batch(batch);
        }
    }
}
