//! Embedded mode's batch workers: the design-worker library's [`Worker`] run in this process
//! over the in-memory broker, so one command serves batches with no Redis and no other process.
//! Its metrics join the gateway's registry; it stops with the gateway, finishing the chunks in
//! flight within half the drain grace period.

use std::sync::Arc;

use broker::Broker;
use design_worker::{Health, Worker, WorkerSettings};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::metrics::Metrics;
use crate::settings::Settings;

/// Starts the in-process worker (`settings.embedded_workers` chunks at once) on `tasks`; it
/// stops when `stop` is cancelled. Does nothing when `embedded_workers` is 0.
pub fn spawn_worker(
    broker: &Broker,
    settings: &Settings,
    metrics: &Metrics,
    tasks: &TaskTracker,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    if settings.embedded_workers == 0 {
        return Ok(());
    }
    let worker_settings = WorkerSettings {
        id: format!("{}-embedded", settings.node_id),
        concurrency: settings.embedded_workers,
        shutdown_deadline: settings.drain.grace / 2,
        ..WorkerSettings::default()
    };
    let worker_metrics = Arc::new(design_worker::Metrics::new(metrics.registry())?);
    let worker = Worker::new(
        broker.clone(),
        worker_settings,
        worker_metrics,
        Health::new(),
    );
    tracing::info!(
        worker = worker.id(),
        concurrency = settings.embedded_workers,
        "embedded design-worker started"
    );
    tasks.spawn(worker.run(stop));
    Ok(())
}
