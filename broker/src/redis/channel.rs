//! Channels over Redis: publish, history, position (each one script).

use std::collections::HashMap;

use bytes::Bytes;
use protocol::{Channel, Epoch, Position};
use redis::Value;

use super::{RedisBroker, reply};
use crate::error::{BrokerError, Result};
use crate::history::{History, Publication};

impl RedisBroker {
    /// Publishes `payload` on `channel`: next offset, appended to history, PUBLISHed.
    pub async fn publish(&self, channel: &Channel, payload: Bytes) -> Result<Position> {
        let k = self.inner.keys.channel(channel, &self.inner.settings);
        let items = reply::array(
            self.inner
                .scripts
                .publish
                .key(&k.meta)
                .key(&k.stream)
                .arg(&k.pubsub)
                .arg(payload.as_ref())
                .arg(k.maxlen)
                .arg(Self::millis(k.ttl))
                .arg(u8::from(k.create))
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        position(channel, &items)
    }

    /// Publications after `since` (from the start of history when `None`), at most `limit`.
    pub async fn history(
        &self,
        channel: &Channel,
        since: Option<&Position>,
        limit: usize,
    ) -> Result<History> {
        let k = self.inner.keys.channel(channel, &self.inner.settings);
        let (epoch, offset) = since.map_or(("", 0), |p| (p.epoch.as_str(), p.offset));
        let items = reply::array(
            self.inner
                .scripts
                .history
                .key(&k.meta)
                .key(&k.stream)
                .arg(epoch)
                .arg(offset)
                .arg(limit)
                .arg(u8::from(k.create))
                .arg(Self::millis(k.ttl))
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        let position = position(channel, &items)?;
        let recovered = reply::int(&items[2])? == 1;
        let mut publications = Vec::with_capacity((items.len() - 3) / 2);
        let mut rest = items.into_iter().skip(3);
        while let (Some(off), Some(payload)) = (rest.next(), rest.next()) {
            publications.push(Publication {
                offset: reply::uint(&off)?,
                payload: reply::bytes(payload)?,
            });
        }
        Ok(History {
            position,
            publications,
            recovered,
        })
    }

    /// The channel's current position (starting a new epoch if its history is lost).
    pub async fn position(&self, channel: &Channel) -> Result<Position> {
        Ok(self.history(channel, None, 0).await?.position)
    }
}

impl RedisBroker {
    /// Subscribers following each of `channels`: one `PUBSUB NUMSUB` over their pub/sub names
    /// (see [`crate::Broker::followers`]). Redis answers from its live subscriptions, O(N) in
    /// the channels asked about, never a scan of the keyspace.
    pub async fn followers(&self, channels: &[Channel]) -> Result<Vec<u64>> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = channels
            .iter()
            .map(|c| self.inner.keys.channel(c, &self.inner.settings).pubsub)
            .collect();
        // RESP3 answers a map, RESP2 a flat list of pairs: a HashMap reads both.
        let counts: HashMap<String, u64> = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(&names)
            .query_async(&mut self.conn())
            .await?;
        Ok(names
            .iter()
            .map(|n| counts.get(n).copied().unwrap_or(0))
            .collect())
    }
}

/// Reads `{epoch, offset, …}` (or `{'gone'}` for a batch that does not exist).
fn position(channel: &Channel, items: &[Value]) -> Result<Position> {
    if items.len() == 1 {
        return Err(match channel {
            Channel::Batch(id) => BrokerError::BatchNotFound(*id),
            _ => BrokerError::Unexpected("channel script answered gone".into()),
        });
    }
    let epoch = Epoch::new(&reply::text(&items[0])?)
        .map_err(|e| BrokerError::Unexpected(format!("stored epoch: {e}")))?;
    Ok(Position {
        epoch,
        offset: reply::uint(&items[1])?,
    })
}
