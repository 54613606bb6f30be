//! [`Application`]: a worker process assembled from its [`Settings`] — the metrics endpoint,
//! the Redis broker and the [`Worker`] — and run until the shutdown token fires.
//!
//! `main` and the process tests build the same `Application`. Redis being down at start is not
//! fatal: the worker keeps retrying with backoff (and `/healthz` says why) until it connects.

use std::net::SocketAddr;
use std::sync::Arc;

use broker::Broker;
use prometheus::Registry;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::backoff::Backoff;
use crate::error::WorkerError;
use crate::health::Health;
use crate::metrics::Metrics;
use crate::server::Endpoint;
use crate::settings::Settings;
use crate::worker::Worker;

/// A worker process, built and ready to run.
#[derive(Debug)]
pub struct Application {
    settings: Settings,
    listener: TcpListener,
    registry: Registry,
    metrics: Arc<Metrics>,
    health: Health,
}

impl Application {
    /// Registers the metrics and binds the metrics/health listener.
    pub async fn build(settings: Settings) -> Result<Self, WorkerError> {
        let registry = Registry::new();
        let metrics = Arc::new(Metrics::new(&registry)?);
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| WorkerError::Listen {
                    addr: settings.listen,
                    source,
                })?;
        Ok(Self {
            settings,
            listener,
            registry,
            metrics,
            health: Health::new(),
        })
    }

    /// Where `/metrics` and `/healthz` answer.
    pub fn metrics_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves metrics, connects to Redis and runs the worker until `shutdown` and the drain end.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), WorkerError> {
        let endpoint_stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        let endpoint = Endpoint {
            registry: self.registry.clone(),
            health: self.health.clone(),
        };
        tasks.spawn(endpoint.serve(self.listener, endpoint_stop.clone()));
        tasks.close();
        let outcome = match connect(&self.settings, &self.health, &shutdown).await {
            Ok(Some(broker)) => {
                let worker = Worker::new(
                    broker,
                    self.settings.worker.clone(),
                    self.metrics.clone(),
                    self.health.clone(),
                );
                worker.run(shutdown).await;
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        endpoint_stop.cancel();
        tasks.wait().await;
        outcome
    }
}

/// Connects to Redis, retrying while it is unreachable; `None` when shutdown came first.
async fn connect(
    settings: &Settings,
    health: &Health,
    shutdown: &CancellationToken,
) -> Result<Option<Broker>, WorkerError> {
    let mut backoff = Backoff::new();
    loop {
        let attempt = Broker::redis(
            &settings.redis_url,
            &settings.key_prefix,
            settings.broker_settings(),
        )
        .await;
        match attempt {
            Ok(broker) => {
                health.ok();
                return Ok(Some(broker));
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!(error = %e, "redis unreachable; retrying");
                health.failed(&e.to_string());
                if !backoff.wait(shutdown).await {
                    return Ok(None);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}
