//! [`BrokerSettings`]: the tunables both implementations share, with production defaults.

use std::time::Duration;

/// Queue and channel tunables. `Default` gives the production values.
#[derive(Debug, Clone)]
pub struct BrokerSettings {
    /// Claims of one chunk after which it is poison and goes to the dead list.
    pub max_attempts: u32,
    /// A worker whose last heartbeat is older than this is dead and gets reaped.
    pub dead_after: Duration,
    /// At most one reaper pass runs per interval, cluster-wide.
    pub reap_interval: Duration,
    /// History kept for non-batch channels (approximate `MAXLEN`); batch streams are never trimmed.
    pub channel_history: usize,
    /// Session channels expire after this long without a publication.
    pub session_ttl: Duration,
    /// How long an idempotency key remembers its batch.
    pub idempotency_ttl: Duration,
    /// Period of the subscriber's self-publish probe.
    pub probe_interval: Duration,
    /// Saved designs kept; a save beyond it deletes the oldest (see [`crate::designs`]).
    pub designs_kept: usize,
}

impl Default for BrokerSettings {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            dead_after: Duration::from_secs(30),
            reap_interval: Duration::from_secs(10),
            channel_history: 1000,
            session_ttl: Duration::from_secs(3600),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            probe_interval: Duration::from_secs(1),
            designs_kept: crate::designs::DEFAULT_DESIGNS_KEPT,
        }
    }
}
