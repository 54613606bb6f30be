//! Channels in memory: publish, history, position, and [`MemorySubscriber`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use protocol::{Channel, Position};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Log, MemoryBroker, State};
use crate::error::{BrokerError, Result};
use crate::history::History;
use crate::settings::BrokerSettings;
use crate::subscription::{Event, EventSink, SubscriberHealth};

impl Log {
    /// Publications after `since` (from the start when `None`), at most `limit`.
    fn read(&self, since: Option<&Position>, limit: usize) -> History {
        let position = self.position();
        let lost = |position| History {
            position,
            publications: Vec::new(),
            recovered: false,
        };
        let since = match since {
            None => 0,
            Some(p) if p.epoch == self.epoch => p.offset,
            Some(_) => return lost(position),
        };
        if since > self.offset {
            return lost(position);
        }
        if since < self.offset && self.entries.front().is_none_or(|e| e.offset > since + 1) {
            return lost(position);
        }
        let publications = self
            .entries
            .iter()
            .skip_while(|e| e.offset <= since)
            .take(limit)
            .cloned()
            .collect();
        History {
            position,
            publications,
            recovered: true,
        }
    }
}

impl State {
    /// The history of `channel`: a batch's own (error if unknown), else the channel's, created
    /// with a new epoch when missing or expired.
    fn log(
        &mut self,
        channel: &Channel,
        settings: &BrokerSettings,
        now: Instant,
    ) -> Result<&mut Log> {
        if let Channel::Batch(id) = channel {
            return Ok(&mut self
                .batch(*id, now)
                .ok_or(BrokerError::BatchNotFound(*id))?
                .log);
        }
        if self
            .channels
            .get(channel)
            .is_some_and(|l| l.expires_at.is_some_and(|t| t <= now))
        {
            self.channels.remove(channel);
        }
        let log = self
            .channels
            .entry(channel.clone())
            .or_insert_with(Log::new);
        if let Channel::Session(_) = channel
            && log.expires_at.is_none()
        {
            log.expires_at = Some(now + settings.session_ttl);
        }
        Ok(log)
    }

    /// Publishes one payload on `channel` and delivers it.
    pub(super) fn publish(
        &mut self,
        channel: &Channel,
        payload: Bytes,
        settings: &BrokerSettings,
        now: Instant,
    ) -> Result<Position> {
        let batch = matches!(channel, Channel::Batch(_));
        let log = self.log(channel, settings, now)?;
        let max_len = (!batch).then_some(settings.channel_history);
        let messages = log.append(channel, vec![payload], max_len);
        if let Channel::Session(_) = channel {
            log.expires_at = Some(now + settings.session_ttl);
        }
        let position = log.position();
        self.deliver(channel, messages);
        Ok(position)
    }
}

impl MemoryBroker {
    /// Publishes `payload` on `channel`: next offset, appended to history, delivered.
    pub async fn publish(&self, channel: &Channel, payload: Bytes) -> Result<Position> {
        let mut s = self.lock();
        s.publish(channel, payload, &self.inner.settings, Instant::now())
    }

    /// Publications after `since` (from the start of history when `None`), at most `limit`.
    pub async fn history(
        &self,
        channel: &Channel,
        since: Option<&Position>,
        limit: usize,
    ) -> Result<History> {
        let mut s = self.lock();
        Ok(s.log(channel, &self.inner.settings, Instant::now())?
            .read(since, limit))
    }

    /// The channel's current position.
    pub async fn position(&self, channel: &Channel) -> Result<Position> {
        let mut s = self.lock();
        Ok(s.log(channel, &self.inner.settings, Instant::now())?
            .position())
    }

    /// Subscribers following each of `channels` (see [`crate::Broker::followers`]).
    pub async fn followers(&self, channels: &[Channel]) -> Result<Vec<u64>> {
        let s = self.lock();
        Ok(channels
            .iter()
            .map(|c| s.subscribers.get(c).map_or(0, |subs| subs.len() as u64))
            .collect())
    }

    /// Drops the history of every channel and batch, as a Redis FLUSHALL would: the next read
    /// starts a new epoch. For tests of the recovery path and for operators resetting state.
    pub fn forget_history(&self) {
        let mut s = self.lock();
        s.channels.clear();
        s.batches.clear();
        s.designs = super::designs::Designs::default();
    }

    /// A new subscriber and its event receiver (holding at most `capacity`).
    pub async fn subscriber(
        &self,
        capacity: usize,
    ) -> Result<(MemorySubscriber, mpsc::Receiver<Event>)> {
        let (sink, rx) = EventSink::new(capacity);
        let id = {
            let mut s = self.lock();
            s.next_subscriber += 1;
            s.next_subscriber
        };
        let sub = MemorySubscriber {
            broker: self.clone(),
            id,
            sink: Arc::new(sink),
            channels: Mutex::new(HashSet::new()),
        };
        Ok((sub, rx))
    }
}

/// A subscriber of the in-memory broker. It never disconnects; a full queue yields
/// [`Event::Lagged`]. Dropping it unsubscribes everything.
#[derive(Debug)]
pub struct MemorySubscriber {
    broker: MemoryBroker,
    id: u64,
    sink: Arc<EventSink>,
    channels: Mutex<HashSet<Channel>>,
}

impl MemorySubscriber {
    /// Starts receiving `channel`'s publications.
    pub async fn subscribe(&self, channel: &Channel) -> Result<()> {
        let mut s = self.broker.lock();
        let subs = s.subscribers.entry(channel.clone()).or_default();
        subs.insert(self.id, Arc::clone(&self.sink));
        // unwrap: the lock is only held for set updates that cannot panic.
        self.channels.lock().unwrap().insert(channel.clone());
        Ok(())
    }

    /// Stops receiving `channel`'s publications.
    pub async fn unsubscribe(&self, channel: &Channel) -> Result<()> {
        let mut s = self.broker.lock();
        if let Some(subs) = s.subscribers.get_mut(channel) {
            subs.remove(&self.id);
        }
        // unwrap: the lock is only held for set updates that cannot panic.
        self.channels.lock().unwrap().remove(channel);
        Ok(())
    }

    /// Always connected and delivering: there is no connection to lose.
    pub fn health(&self) -> SubscriberHealth {
        SubscriberHealth {
            connected: true,
            delivering: true,
        }
    }
}

impl Drop for MemorySubscriber {
    fn drop(&mut self) {
        let mut s = self.broker.lock();
        // unwrap: the lock is only held for set updates that cannot panic.
        for channel in self.channels.lock().unwrap().drain() {
            if let Some(subs) = s.subscribers.get_mut(&channel) {
                subs.remove(&self.id);
            }
        }
    }
}
