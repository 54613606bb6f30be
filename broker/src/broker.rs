//! [`Broker`] and [`Subscriber`]: the one contract, dispatching to Redis or the in-memory twin.
//!
//! An enum rather than a trait object: two implementations, known at compile time, native
//! `async fn` without boxing. Every method has the same meaning on both; see each
//! implementation's methods for how it is done there.

use std::time::Duration;

use bytes::Bytes;
use protocol::{BatchId, Channel, Position};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::batch::{
    BatchSpec, BatchState, BatchStatus, BeamResult, Claim, EmitOutcome, Reaped, Submitted,
};
use crate::designs::{DesignPage, DesignSpec, SavedDesign, StoredDesign};
use crate::error::Result;
use crate::history::History;
use crate::items::BatchItem;
use crate::memory::{MemoryBroker, MemorySubscriber};
use crate::rate_limit::{RateDecision, RateLimit};
use crate::redis::{RedisBroker, RedisSubscriber};
use crate::settings::BrokerSettings;
use crate::subscription::{Event, SubscriberHealth};

/// The broker: Redis for a cluster, in-memory for one process. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Broker {
    /// Over Redis.
    Redis(RedisBroker),
    /// In this process.
    Memory(MemoryBroker),
}

macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            Broker::Redis(b) => b.$method($($arg),*).await,
            Broker::Memory(b) => b.$method($($arg),*).await,
        }
    };
}

impl Broker {
    /// An in-memory broker.
    pub fn memory(settings: BrokerSettings) -> Self {
        Self::Memory(MemoryBroker::new(settings))
    }

    /// A Redis broker on `url`, every key under `prefix`.
    pub async fn redis(url: &str, prefix: &str, settings: BrokerSettings) -> Result<Self> {
        RedisBroker::connect(url, prefix, settings)
            .await
            .map(Self::Redis)
    }

    /// The settings in force.
    pub fn settings(&self) -> &BrokerSettings {
        match self {
            Self::Redis(b) => b.settings(),
            Self::Memory(b) => b.settings(),
        }
    }

    /// Stores a batch and enqueues its chunks atomically; a known idempotency key returns the
    /// first batch's id and enqueues nothing.
    pub async fn submit(&self, spec: BatchSpec) -> Result<Submitted> {
        dispatch!(self.submit(spec))
    }

    /// Waits up to `timeout` for a chunk and claims it for `worker` (attempt = fencing token).
    /// Chunks of cancelled/finished batches are dropped; poison chunks go to the dead list.
    pub async fn fetch(&self, worker: &str, timeout: Duration) -> Result<Option<Claim>> {
        dispatch!(self.fetch(worker, timeout))
    }

    /// Self-audit at worker start: claims the chunks already in `worker`'s processing list.
    pub async fn recover_own(&self, worker: &str) -> Result<Vec<Claim>> {
        dispatch!(self.recover_own(worker))
    }

    /// Lands results: rejects a stale attempt or a cancelled batch, skips beams already landed,
    /// appends the rest plus progress (and `complete` after the last beam), publishes.
    pub async fn emit(&self, claim: &Claim, results: &[BeamResult]) -> Result<EmitOutcome> {
        dispatch!(self.emit(claim, results))
    }

    /// Removes a finished chunk from the worker's processing list.
    pub async fn ack(&self, claim: &Claim) -> Result<()> {
        dispatch!(self.ack(claim))
    }

    /// Marks `worker` alive; returns the status of each held batch (`None`: gone). A pending
    /// cancel takes effect here.
    pub async fn heartbeat(
        &self,
        worker: &str,
        held: &[BatchId],
    ) -> Result<Vec<(BatchId, Option<BatchStatus>)>> {
        dispatch!(self.heartbeat(worker, held))
    }

    /// One reaper pass (`None` when another ran within the reap interval).
    pub async fn reap(&self) -> Result<Option<Reaped>> {
        dispatch!(self.reap())
    }

    /// A worker leaving on purpose (SIGTERM): hands back every chunk it still holds to the head
    /// of the queue and leaves the registry. Returns the number of chunks handed back.
    pub async fn retire(&self, worker: &str) -> Result<u32> {
        dispatch!(self.retire(worker))
    }

    /// Cancels a batch: queued → cancelled; running → cancelling. Returns the new status.
    pub async fn cancel(&self, id: BatchId) -> Result<BatchStatus> {
        dispatch!(self.cancel(id))
    }

    /// A batch's metadata and progress.
    pub async fn status(&self, id: BatchId) -> Result<BatchState> {
        dispatch!(self.status(id))
    }

    /// Beam `index` of batch `id`: its emitted result, or why there is none (not landed, out
    /// of range). Looked up through the batch's items index, never by scanning its channel
    /// (see [`crate::items`]). `BatchNotFound` for an unknown or expired batch.
    pub async fn batch_item(&self, id: BatchId, index: u32) -> Result<BatchItem> {
        dispatch!(self.batch_item(id, index))
    }

    /// The dead list, oldest first, as `(batch, chunk index)`.
    pub async fn dead_letters(&self) -> Result<Vec<(BatchId, u32)>> {
        dispatch!(self.dead_letters())
    }

    /// Chunks waiting in the queue.
    pub async fn pending_len(&self) -> Result<u64> {
        dispatch!(self.pending_len())
    }

    /// Publishes on a channel; returns the publication's position.
    pub async fn publish(&self, channel: &Channel, payload: Bytes) -> Result<Position> {
        dispatch!(self.publish(channel, payload))
    }

    /// Publications after `since` (from the start when `None`), at most `limit`, and whether
    /// the gap could be recovered.
    pub async fn history(
        &self,
        channel: &Channel,
        since: Option<&Position>,
        limit: usize,
    ) -> Result<History> {
        dispatch!(self.history(channel, since, limit))
    }

    /// A channel's current position.
    pub async fn position(&self, channel: &Channel) -> Result<Position> {
        dispatch!(self.position(channel))
    }

    /// How many subscribers (one per gateway: each holds one broker subscriber) follow each of
    /// `channels` right now, cluster-wide, in the same order. Derived from live subscriptions,
    /// so a crashed subscriber stops counting when its connection goes, and there is no state to
    /// expire or rebuild after a restart. One round trip for the whole list.
    pub async fn followers(&self, channels: &[Channel]) -> Result<Vec<u64>> {
        dispatch!(self.followers(channels))
    }

    /// A subscriber and its bounded event receiver.
    pub async fn subscriber(&self, capacity: usize) -> Result<(Subscriber, mpsc::Receiver<Event>)> {
        match self {
            Self::Redis(b) => {
                let (s, rx) = b.subscriber(capacity).await?;
                Ok((Subscriber::Redis(s), rx))
            }
            Self::Memory(b) => {
                let (s, rx) = b.subscriber(capacity).await?;
                Ok((Subscriber::Memory(s), rx))
            }
        }
    }

    /// The config document and its version (`None` before the first put).
    pub async fn config_get(&self) -> Result<Option<(u64, Bytes)>> {
        dispatch!(self.config_get())
    }

    /// Compare-and-set of the config document; publishes `announcement` on `config`.
    pub async fn config_put(
        &self,
        expected: u64,
        data: Bytes,
        announcement: Bytes,
    ) -> Result<(u64, Position)> {
        dispatch!(self.config_put(expected, data, announcement))
    }

    /// Saves a design and publishes `announcement` on `designs` in one step, keeping the most
    /// recent `designs_kept`; an id already saved changes nothing (see [`crate::designs`]).
    pub async fn design_save(&self, spec: &DesignSpec, announcement: Bytes) -> Result<SavedDesign> {
        dispatch!(self.design_save(spec, announcement))
    }

    /// A saved design (`None`: never saved, or trimmed).
    pub async fn design_get(&self, id: Uuid) -> Result<Option<StoredDesign>> {
        dispatch!(self.design_get(id))
    }

    /// Saved designs newest first, older than sequence `before`, at most `limit` (1..=1000).
    pub async fn design_list(&self, before: Option<u64>, limit: usize) -> Result<DesignPage> {
        dispatch!(self.design_list(before, limit))
    }

    /// Takes `cost` from `key`'s budget (GCRA).
    pub async fn rate_check(&self, key: &str, limit: RateLimit, cost: u32) -> Result<RateDecision> {
        dispatch!(self.rate_check(key, limit, cost))
    }
}

/// A subscription handle of either implementation.
#[derive(Debug)]
pub enum Subscriber {
    /// Over Redis pub/sub.
    Redis(RedisSubscriber),
    /// In this process.
    Memory(MemorySubscriber),
}

impl Subscriber {
    /// Starts receiving `channel`'s publications.
    pub async fn subscribe(&self, channel: &Channel) -> Result<()> {
        match self {
            Self::Redis(s) => s.subscribe(channel).await,
            Self::Memory(s) => s.subscribe(channel).await,
        }
    }

    /// Stops receiving `channel`'s publications.
    pub async fn unsubscribe(&self, channel: &Channel) -> Result<()> {
        match self {
            Self::Redis(s) => s.unsubscribe(channel).await,
            Self::Memory(s) => s.unsubscribe(channel).await,
        }
    }

    /// Connection and delivery health.
    pub fn health(&self) -> SubscriberHealth {
        match self {
            Self::Redis(s) => s.health(),
            Self::Memory(s) => s.health(),
        }
    }
}
