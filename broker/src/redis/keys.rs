//! [`Keys`]: every Redis key and pub/sub channel name the broker uses, in one place.
//!
//! Hash tags keep related keys in one Cluster slot: the queue `{q:design}` (pending, processing
//! lists, workers, dead list, reaper lock, idempotency keys), each batch `{b:ID}`, each session
//! `{s:ID}`, the global channels `{c:config}` and `{c:designs}`. An optional prefix before the tag
//! isolates deployments (and tests) sharing one Redis.

use std::time::Duration;

use protocol::{BatchId, Channel};

use crate::settings::BrokerSettings;

/// The key names of one deployment.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

/// Keys and publication rules of one channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelKeys {
    /// Hash `{epoch, offset}` (for a batch: the batch's meta hash).
    pub(crate) meta: String,
    /// Stream of publications; entry `0-<offset>` holds publications from that offset on.
    pub(crate) stream: String,
    /// Pub/sub channel.
    pub(crate) pubsub: String,
    /// Whether publishing may create the channel (false for batches: the batch must exist).
    pub(crate) create: bool,
    /// Approximate MAXLEN (0: never trimmed — batch streams).
    pub(crate) maxlen: usize,
    /// TTL refreshed on each publication (zero: none).
    pub(crate) ttl: Duration,
}

impl Keys {
    /// Keys under `prefix` (may be empty).
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    fn queue(&self, name: &str) -> String {
        format!("{}{{q:design}}:{name}", self.prefix)
    }

    /// The list of chunks waiting for a worker.
    pub(crate) fn pending(&self) -> String {
        self.queue("pending")
    }

    /// Prefix of the per-worker processing lists (the reaper appends worker ids).
    pub(crate) fn proc_prefix(&self) -> String {
        self.queue("proc:")
    }

    /// The processing list of `worker`.
    pub(crate) fn proc(&self, worker: &str) -> String {
        format!("{}{worker}", self.proc_prefix())
    }

    /// Sorted set of worker heartbeats (score: server time, ms).
    pub(crate) fn workers(&self) -> String {
        self.queue("workers")
    }

    /// List of poison chunks.
    pub(crate) fn dead(&self) -> String {
        self.queue("dead")
    }

    /// The reaper's once-per-interval lock.
    pub(crate) fn reaper_lock(&self) -> String {
        self.queue("reaper")
    }

    /// An idempotency key's record.
    pub(crate) fn idempotency(&self, key: &str) -> String {
        self.queue(&format!("idem:{key}"))
    }

    fn batch(&self, id: BatchId, name: &str) -> String {
        format!("{}{{b:{id}}}:{name}", self.prefix)
    }

    /// `[meta, done, stream]` of a batch, the KEYS of every batch script.
    pub(crate) fn batch_keys(&self, id: BatchId) -> [String; 3] {
        [
            self.batch(id, "meta"),
            self.batch(id, "done"),
            self.batch(id, "stream"),
        ]
    }

    /// The batch's items index: zset of runs of landed beams (`crate::items`).
    pub(crate) fn batch_index(&self, id: BatchId) -> String {
        self.batch(id, "idx")
    }

    /// The batch's pub/sub channel.
    pub(crate) fn batch_pubsub(&self, id: BatchId) -> String {
        self.batch(id, "ch")
    }

    /// Keys and rules of `channel`.
    pub(crate) fn channel(&self, channel: &Channel, settings: &BrokerSettings) -> ChannelKeys {
        let p = &self.prefix;
        let (tag, create, maxlen, ttl) = match channel {
            Channel::Batch(id) => {
                return ChannelKeys {
                    meta: self.batch(*id, "meta"),
                    stream: self.batch(*id, "stream"),
                    pubsub: self.batch_pubsub(*id),
                    create: false,
                    maxlen: 0,
                    ttl: Duration::ZERO,
                };
            }
            Channel::Session(id) => (
                format!("{{s:{id}}}"),
                true,
                settings.channel_history,
                settings.session_ttl,
            ),
            Channel::Config => (
                "{c:config}".into(),
                true,
                settings.channel_history,
                Duration::ZERO,
            ),
            Channel::Designs => (
                "{c:designs}".into(),
                true,
                settings.channel_history,
                Duration::ZERO,
            ),
        };
        ChannelKeys {
            meta: format!("{p}{tag}:meta"),
            stream: format!("{p}{tag}:stream"),
            pubsub: format!("{p}{tag}:ch"),
            create,
            maxlen,
            ttl,
        }
    }

    /// The versioned config document.
    pub(crate) fn config_doc(&self) -> String {
        format!("{}{{c:config}}:doc", self.prefix)
    }

    fn designs(&self, name: &str) -> String {
        format!("{}{{c:designs}}:{name}", self.prefix)
    }

    /// The saved designs' index: sorted set of id → save sequence.
    pub(crate) fn designs_recent(&self) -> String {
        self.designs("recent")
    }

    /// The saved designs' sequence counter.
    pub(crate) fn designs_seq(&self) -> String {
        self.designs("seq")
    }

    /// Prefix of the saved designs' hashes (the save script deletes trimmed ones by id).
    pub(crate) fn design_prefix(&self) -> String {
        self.designs("d:")
    }

    /// A saved design's hash `{o owner, t created ms, s seq, r record}`.
    pub(crate) fn design(&self, id: &uuid::Uuid) -> String {
        format!("{}{id}", self.design_prefix())
    }

    /// The dedupe key of a completed batch's announcement on the `designs` channel.
    pub(crate) fn batch_announced(&self, id: BatchId) -> String {
        self.designs(&format!("batch:{id}"))
    }

    /// A rate limiter's state.
    pub(crate) fn rate(&self, key: &str) -> String {
        format!("{}{{r:{key}}}", self.prefix)
    }

    /// A subscriber's private probe channel.
    pub(crate) fn probe(&self, id: &str) -> String {
        format!("{}{{p:probe}}:{id}", self.prefix)
    }
}
