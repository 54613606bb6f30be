//! The versioned design defaults in the broker's config store, as this gateway sees them:
//! [`ConfigStore::reload`] reads the stored document into [`DesignDefaults`] (at start and on
//! every broker reconnection), [`ConfigStore::put`] is the admin's compare-and-set that also
//! announces `config_updated` on the `config` channel (in the same broker step), and
//! [`validate`] says whether a proposed config can design beams at all.

use std::sync::Arc;

use broker::{Broker, BrokerError};
use bytes::Bytes;
use protocol::validation::ValidationError;
use protocol::{DesignConfig, ParsedBeam, StoredEvent, StoredObject};

use crate::design_defaults::DesignDefaults;

/// The config's wire fields (a config error on any other beam field comes from a combination).
const CONFIG_FIELDS: [&str; 9] = [
    "length",
    "fck",
    "fy",
    "exposure",
    "support",
    "bars",
    "stirrup_dia",
    "stirrup_legs",
    "aggregate",
];

/// Why a config change was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigPutError {
    /// Another change landed first: re-read and retry.
    #[error("the config changed meanwhile: expected version {expected}, stored {current}")]
    Conflict {
        /// The version the change was based on.
        expected: u64,
        /// The version stored now.
        current: u64,
    },
    /// The broker failed.
    #[error(transparent)]
    Broker(BrokerError),
}

/// The config store and the defaults in force on this gateway.
#[derive(Debug, Clone)]
pub struct ConfigStore {
    broker: Broker,
    defaults: Arc<DesignDefaults>,
}

impl ConfigStore {
    /// A store over `broker`, installing what it reads into `defaults`.
    pub fn new(broker: Broker, defaults: Arc<DesignDefaults>) -> Self {
        Self { broker, defaults }
    }

    /// The config in force here.
    pub fn current(&self) -> Arc<DesignConfig> {
        self.defaults.current()
    }

    /// Reads the stored config and installs it if newer; returns the config in force.
    pub async fn reload(&self) -> Result<Arc<DesignConfig>, BrokerError> {
        if let Some((version, data)) = self.broker.config_get().await? {
            match serde_json::from_slice::<DesignConfig>(&data) {
                Ok(config) => {
                    self.apply(DesignConfig { version, ..config });
                }
                Err(e) => tracing::error!(version, error = %e, "stored config unreadable; kept"),
            }
        }
        Ok(self.defaults.current())
    }

    /// Installs `config` if it is newer than the one in force.
    pub fn apply(&self, config: DesignConfig) -> bool {
        let version = config.version;
        let installed = self.defaults.replace(config);
        if installed {
            tracing::info!(version, "design defaults updated");
        }
        installed
    }

    /// Stores `proposed` if the stored version is still `proposed.version`, announcing it on
    /// the `config` channel; returns the stored config with its new version. On a conflict the
    /// stored config is reloaded first.
    pub async fn put(&self, proposed: DesignConfig) -> Result<DesignConfig, ConfigPutError> {
        let expected = proposed.version;
        let stored = DesignConfig {
            version: expected + 1,
            ..proposed
        };
        // unwrap: a DesignConfig serialises infallibly (string keys, finite numbers or null).
        let data = Bytes::from(serde_json::to_vec(&stored).unwrap());
        let announcement = StoredEvent::Object(StoredObject::ConfigUpdated {
            config: stored.clone(),
        });
        match self
            .broker
            .config_put(expected, data, Bytes::from(announcement.encode()))
            .await
        {
            Ok((version, _)) => {
                let stored = DesignConfig { version, ..stored };
                self.apply(stored.clone());
                Ok(stored)
            }
            Err(BrokerError::VersionConflict { expected, current }) => {
                // The caller may have read a version this gateway missed: catch up, so that
                // its next read here is current.
                if let Err(e) = self.reload().await {
                    tracing::warn!(error = %e, "config reload after a conflict failed");
                }
                Err(ConfigPutError::Conflict { expected, current })
            }
            Err(other) => Err(ConfigPutError::Broker(other)),
        }
    }
}

/// Checks that `config` can design an ordinary beam (300 × 600 mm, 50 kN·m): every default it
/// supplies must pass the same rules as a beam's own fields. Errors name the config's fields.
pub fn validate(config: &DesignConfig) -> Result<(), Vec<ValidationError>> {
    let probe = serde_json::json!({"width": 300, "depth": 600, "Mu": 50});
    // unwrap: the probe is a literal object with valid fields.
    let parsed: ParsedBeam = serde_json::from_value(probe).unwrap();
    let Err(errors) = parsed.validate(config) else {
        return Ok(());
    };
    Err(errors.into_iter().map(config_error).collect())
}

fn config_error(error: ValidationError) -> ValidationError {
    let head = error.field.split(['[', '.']).next().unwrap_or_default();
    if CONFIG_FIELDS.contains(&head) {
        return error;
    }
    let message = format!(
        "a 300 × 600 mm probe beam fails with these defaults: {}: {}",
        error.field, error.message
    );
    ValidationError::new("config", message)
}

#[cfg(test)]
mod tests {
    use broker::BrokerSettings;

    use super::*;

    fn store() -> ConfigStore {
        let broker = Broker::memory(BrokerSettings::default());
        ConfigStore::new(
            broker,
            Arc::new(DesignDefaults::new(DesignConfig::default())),
        )
    }

    #[tokio::test]
    async fn a_put_bumps_the_version_installs_it_and_a_stale_put_conflicts() {
        let store = store();
        let proposed = DesignConfig {
            fck: 30.0,
            ..DesignConfig::default()
        };
        let stored = store.put(proposed.clone()).await.unwrap();
        assert_eq!((stored.version, stored.fck), (1, 30.0));
        assert_eq!(store.current().version, 1);
        let stale = store.put(proposed).await.unwrap_err();
        assert!(matches!(
            stale,
            ConfigPutError::Conflict {
                expected: 0,
                current: 1
            }
        ));
    }

    #[tokio::test]
    async fn a_conflict_brings_a_stale_gateway_up_to_date() {
        let broker = Broker::memory(BrokerSettings::default());
        let stale = Arc::new(DesignDefaults::new(DesignConfig::default()));
        let first = ConfigStore::new(
            broker.clone(),
            Arc::new(DesignDefaults::new(DesignConfig::default())),
        );
        let second = ConfigStore::new(broker, stale.clone());
        first.put(DesignConfig::default()).await.unwrap();

        let refused = second.put(DesignConfig::default()).await;

        assert!(matches!(
            refused,
            Err(ConfigPutError::Conflict { current: 1, .. })
        ));
        assert_eq!(stale.current().version, 1);
    }

    #[tokio::test]
    async fn another_gateway_reloads_what_one_stored() {
        let broker = Broker::memory(BrokerSettings::default());
        let defaults = |_| Arc::new(DesignDefaults::new(DesignConfig::default()));
        let first = ConfigStore::new(broker.clone(), defaults(1));
        let second = ConfigStore::new(broker, defaults(2));
        let proposed = DesignConfig {
            fy: 415.0,
            ..DesignConfig::default()
        };
        first.put(proposed).await.unwrap();
        let reloaded = second.reload().await.unwrap();
        assert_eq!((reloaded.version, reloaded.fy), (1, 415.0));
    }

    #[test]
    fn defaults_that_cannot_design_a_beam_are_refused_by_field() {
        assert_eq!(validate(&DesignConfig::default()), Ok(()));
        let bad = DesignConfig {
            fck: 7.0,
            ..DesignConfig::default()
        };
        let errors = validate(&bad).unwrap_err();
        assert_eq!(errors[0].field, "fck", "{errors:?}");
    }
}
