//! Stores in memory: the versioned config document and the GCRA rate limiter.

use bytes::Bytes;
use protocol::{Channel, Position};
use tokio::time::Instant;

use super::MemoryBroker;
use crate::error::{BrokerError, Result};
use crate::rate_limit::{self, RateDecision, RateLimit};

/// Above this many tracked keys, a check first forgets the keys whose budget is whole again.
const RATE_SWEEP_AT: usize = 10_000;

impl MemoryBroker {
    /// The config document and its version (`None` before the first put).
    pub async fn config_get(&self) -> Result<Option<(u64, Bytes)>> {
        Ok(self.lock().config.clone())
    }

    /// Compare-and-set: stores `data` as version `expected + 1` if the stored version is
    /// `expected` (0: none yet), and publishes `announcement` on the `config` channel atomically.
    pub async fn config_put(
        &self,
        expected: u64,
        data: Bytes,
        announcement: Bytes,
    ) -> Result<(u64, Position)> {
        let mut s = self.lock();
        let current = s.config.as_ref().map_or(0, |(v, _)| *v);
        if current != expected {
            return Err(BrokerError::VersionConflict { expected, current });
        }
        s.config = Some((current + 1, data));
        let position = s.publish(
            &Channel::Config,
            announcement,
            &self.inner.settings,
            Instant::now(),
        )?;
        Ok((current + 1, position))
    }

    /// Takes `cost` from `key`'s budget under `limit`.
    pub async fn rate_check(&self, key: &str, limit: RateLimit, cost: u32) -> Result<RateDecision> {
        let now = Instant::now();
        let now_us = now.duration_since(self.inner.started).as_micros() as f64;
        let mut s = self.lock();
        if s.rates.len() > RATE_SWEEP_AT {
            s.rates.retain(|_, (_, until)| *until > now);
        }
        let tat = s
            .rates
            .get(key)
            .filter(|(_, until)| *until > now)
            .map(|(tat, _)| *tat);
        let (decision, new_tat) = rate_limit::decide(limit, cost, tat, now_us);
        if let Some(t) = new_tat {
            s.rates
                .insert(key.to_owned(), (t, now + decision.reset_after));
        }
        Ok(decision)
    }
}
