//! What the gateway runs on besides HTTP: the broker (in memory when no Redis URL is set —
//! embedded mode — Redis otherwise), the design defaults loaded from its config store, the hub
//! that follows channels and reports the subscriber's health to `/readyz`, and in embedded mode
//! the in-process design-worker. Built once by [`Backend::start`]; stopped by cancelling
//! [`Backend::stop`] once the HTTP server is down.

use std::sync::Arc;

use anyhow::Context;
use broker::{Broker, BrokerSettings};
use protocol::DesignConfig;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config_store::ConfigStore;
use crate::design_defaults::DesignDefaults;
use crate::embedded;
use crate::hub::{Hub, HubHandle, SyncPolicy};
use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::settings::Settings;

/// The broker and the tasks running on it.
pub struct Backend {
    /// The broker (Redis or in memory).
    pub broker: Broker,
    /// The design defaults in force, shared with every route and connection.
    pub defaults: Arc<DesignDefaults>,
    /// The config store over the broker.
    pub config: ConfigStore,
    /// The hub's handle.
    pub hub: HubHandle,
    /// Cancel to stop the hub and the embedded worker.
    pub stop: CancellationToken,
}

impl Backend {
    /// Connects the broker, loads the design defaults, starts the hub (and the embedded worker)
    /// on `tasks`.
    pub async fn start(
        settings: &Settings,
        metrics: &Metrics,
        readiness: &Readiness,
        tasks: &TaskTracker,
    ) -> anyhow::Result<Self> {
        let broker = connect(settings).await?;
        let defaults = Arc::new(DesignDefaults::new(DesignConfig::default()));
        let config = ConfigStore::new(broker.clone(), defaults.clone());
        let loaded = config
            .reload()
            .await
            .context("cannot load the design defaults")?;
        tracing::info!(version = loaded.version, "design defaults loaded");
        let policy = if settings.is_cluster() {
            SyncPolicy::ClusterPresence
        } else {
            SyncPolicy::LocalPresence
        };
        let reporter = readiness.broker_reporter();
        let (hub, handle) = Hub::new(
            broker.clone(),
            config.clone(),
            reporter,
            metrics.clone(),
            policy,
        )
        .await
        .context("cannot subscribe to the broker")?;
        let stop = CancellationToken::new();
        tasks.spawn(hub.run(stop.clone()));
        if !settings.is_cluster() {
            embedded::spawn_worker(&broker, settings, metrics, tasks, stop.clone())?;
        }
        Ok(Self {
            broker,
            defaults,
            config,
            hub: handle,
            stop,
        })
    }
}

async fn connect(settings: &Settings) -> anyhow::Result<Broker> {
    let broker_settings = BrokerSettings::default();
    match &settings.redis_url {
        None => Ok(Broker::memory(broker_settings)),
        Some(url) => Broker::redis(url, &settings.key_prefix, broker_settings)
            .await
            .context("cannot connect to Redis"),
    }
}
