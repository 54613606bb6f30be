//! Stores over Redis: the versioned config document and the GCRA rate limiter.

use std::time::Duration;

use bytes::Bytes;
use protocol::{Channel, Epoch, Position};

use super::{RedisBroker, reply};
use crate::error::{BrokerError, Result};
use crate::rate_limit::{RateDecision, RateLimit};

impl RedisBroker {
    /// The config document and its version (`None` before the first put).
    pub async fn config_get(&self) -> Result<Option<(u64, Bytes)>> {
        let (version, data): (Option<u64>, Option<Vec<u8>>) = redis::cmd("HMGET")
            .arg(self.inner.keys.config_doc())
            .arg(&["version", "data"][..])
            .query_async(&mut self.conn())
            .await?;
        Ok(version.zip(data).map(|(v, d)| (v, d.into())))
    }

    /// Compare-and-set: stores `data` as version `expected + 1` if the stored version is
    /// `expected` (0: none yet), and publishes `announcement` on the `config` channel atomically.
    pub async fn config_put(
        &self,
        expected: u64,
        data: Bytes,
        announcement: Bytes,
    ) -> Result<(u64, Position)> {
        let k = self
            .inner
            .keys
            .channel(&Channel::Config, &self.inner.settings);
        let items = reply::array(
            self.inner
                .scripts
                .config_put
                .key(self.inner.keys.config_doc())
                .key(&k.meta)
                .key(&k.stream)
                .arg(&k.pubsub)
                .arg(expected)
                .arg(data.as_ref())
                .arg(announcement.as_ref())
                .arg(k.maxlen)
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        if reply::text(&items[0])? == "conflict" {
            return Err(BrokerError::VersionConflict {
                expected,
                current: reply::uint(&items[1])?,
            });
        }
        let epoch = Epoch::new(&reply::text(&items[2])?)
            .map_err(|e| BrokerError::Unexpected(format!("stored epoch: {e}")))?;
        let position = Position {
            epoch,
            offset: reply::uint(&items[3])?,
        };
        Ok((reply::uint(&items[1])?, position))
    }

    /// Takes `cost` from `key`'s budget under `limit` (cluster-wide, server clock).
    pub async fn rate_check(&self, key: &str, limit: RateLimit, cost: u32) -> Result<RateDecision> {
        let period_us = u64::try_from(limit.period.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        let items = reply::array(
            self.inner
                .scripts
                .gcra
                .key(self.inner.keys.rate(key))
                .arg(limit.limit.max(1))
                .arg(period_us)
                .arg(cost)
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        let micros = |i: usize| -> Result<Duration> {
            Ok(Duration::from_micros(reply::int(&items[i])?.max(0) as u64))
        };
        let allowed = reply::int(&items[0])? == 1;
        Ok(RateDecision {
            allowed,
            limit: limit.limit,
            remaining: reply::uint(&items[1])?,
            reset_after: micros(2)?,
            retry_after: if allowed { None } else { Some(micros(3)?) },
        })
    }
}
