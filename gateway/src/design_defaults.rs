//! The design defaults (cover, grades, bars, stirrups…) in force on this gateway, applied to
//! every beam that leaves a field out. Read on every design; replaced when an admin's change
//! arrives (the broker's config channel feeds [`DesignDefaults::replace`]).

use std::sync::{Arc, RwLock};

use protocol::DesignConfig;

/// The current [`DesignConfig`], shared by every route and connection.
#[derive(Debug)]
pub struct DesignDefaults {
    current: RwLock<Arc<DesignConfig>>,
}

impl DesignDefaults {
    /// Starts with `config`.
    pub fn new(config: DesignConfig) -> Self {
        Self {
            current: RwLock::new(Arc::new(config)),
        }
    }

    /// The config in force now.
    pub fn current(&self) -> Arc<DesignConfig> {
        // A poisoned lock still holds a complete Arc: replacing it is a single assignment.
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Installs `config` if it is newer than the one in force (updates may arrive out of order
    /// after a reconnection); returns whether it was installed.
    pub fn replace(&self, config: DesignConfig) -> bool {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if config.version <= current.version {
            return false;
        }
        *current = Arc::new(config);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_newer_versions_replace_the_defaults() {
        let defaults = DesignDefaults::new(DesignConfig::default());
        let v2 = DesignConfig {
            version: 2,
            fck: 30.0,
            ..DesignConfig::default()
        };
        assert!(defaults.replace(v2));
        let stale = DesignConfig {
            version: 1,
            fck: 20.0,
            ..DesignConfig::default()
        };
        assert!(!defaults.replace(stale));
        assert_eq!(defaults.current().fck, 30.0);
        assert_eq!(defaults.current().version, 2);
    }
}
