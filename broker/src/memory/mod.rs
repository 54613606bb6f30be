//! The in-memory twin: [`MemoryBroker`], the embedded default of a one-process deployment.
//!
//! Same contract and guarantees as Redis inside one process: every operation runs under one
//! mutex (the analogue of a Lua script's atomicity), a [`Notify`] wakes blocked fetches, time is
//! tokio's clock (so tests can pause it), expiry is checked on access. Nothing survives the
//! process — that is the difference, and why a cluster uses Redis.

mod channel;
mod designs;
mod items;
mod queue;
mod store;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use protocol::{BatchId, Channel, Epoch, Position};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::batch::BatchStatus;
use crate::event::{self, Counts};
use crate::history::Publication;
use crate::items::ItemIndex;
use crate::settings::BrokerSettings;
use crate::subscription::{Event, EventSink, Message};

pub use channel::MemorySubscriber;

/// The in-memory broker. Cheap to clone; clones share state.
#[derive(Debug, Clone)]
pub struct MemoryBroker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    /// Signalled when chunks are pushed to the pending queue.
    queued: Notify,
    settings: BrokerSettings,
    /// Origin of the rate limiter's clock.
    started: Instant,
}

/// Everything, guarded by one mutex.
#[derive(Debug, Default)]
struct State {
    pending: VecDeque<Bytes>,
    processing: HashMap<String, Vec<Bytes>>,
    workers: HashMap<String, Instant>,
    dead: Vec<Bytes>,
    idempotency: HashMap<String, (BatchId, Instant)>,
    reaped_at: Option<Instant>,
    batches: HashMap<BatchId, BatchRec>,
    channels: HashMap<Channel, Log>,
    subscribers: HashMap<Channel, HashMap<u64, Arc<EventSink>>>,
    next_subscriber: u64,
    config: Option<(u64, Bytes)>,
    rates: HashMap<String, (f64, Instant)>,
    designs: designs::Designs,
    /// `BrokerSettings::channel_history`, for publications made without the settings at hand.
    channel_history: usize,
}

/// A channel's history: epoch, last offset, retained publications, expiry.
#[derive(Debug)]
struct Log {
    epoch: Epoch,
    offset: u64,
    entries: VecDeque<Publication>,
    expires_at: Option<Instant>,
}

impl Log {
    fn new() -> Self {
        Self {
            epoch: Epoch::random(),
            offset: 0,
            entries: VecDeque::new(),
            expires_at: None,
        }
    }

    fn position(&self) -> Position {
        Position {
            epoch: self.epoch.clone(),
            offset: self.offset,
        }
    }

    /// Appends payloads at the next offsets (trimming to `max_len` when given); returns the
    /// messages to deliver.
    fn append(
        &mut self,
        channel: &Channel,
        payloads: Vec<Bytes>,
        max_len: Option<usize>,
    ) -> Vec<Message> {
        let mut out = Vec::with_capacity(payloads.len());
        for payload in payloads {
            self.offset += 1;
            self.entries.push_back(Publication {
                offset: self.offset,
                payload: payload.clone(),
            });
            out.push(Message {
                channel: channel.clone(),
                position: self.position(),
                payload,
            });
        }
        if let Some(max) = max_len {
            while self.entries.len() > max {
                self.entries.pop_front();
            }
        }
        out
    }
}

/// A batch: metadata, per-chunk attempts, the done bitmap and its channel's history.
#[derive(Debug)]
struct BatchRec {
    owner: String,
    status: BatchStatus,
    counts: Counts,
    attempts: HashMap<u32, u32>,
    done_bits: Vec<u64>,
    log: Log,
    /// Beam → offset of its result (`crate::items`); dropped with the batch.
    items: ItemIndex,
    retention: Duration,
    expires_at: Option<Instant>,
}

impl BatchRec {
    /// Sets beam `index`'s bit; true when it was clear (the beam is new).
    fn mark_done(&mut self, index: u32) -> bool {
        let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
        let was_clear = self.done_bits[word] & bit == 0;
        self.done_bits[word] |= bit;
        was_clear
    }

    /// Counts `landed` new beams (`failed` of them failures) and returns the events to append:
    /// progress, and the terminal event when the last beam landed.
    fn land(
        &mut self,
        landed: u32,
        failed: u32,
        mut payloads: Vec<Bytes>,
        now: Instant,
    ) -> Vec<Bytes> {
        self.counts.done += landed;
        self.counts.failed += failed;
        payloads.push(event::progress(self.counts));
        if self.counts.done >= self.counts.total {
            self.finish(BatchStatus::Completed, &mut payloads, now);
        }
        payloads
    }

    /// Ends the batch: terminal event, status, retention expiry.
    fn finish(&mut self, status: BatchStatus, payloads: &mut Vec<Bytes>, now: Instant) {
        payloads.push(event::terminal(
            self.counts,
            status == BatchStatus::Cancelled,
        ));
        self.status = status;
        self.expires_at = Some(now + self.retention);
    }
}

impl State {
    /// The live batch `id`, dropping it first if its retention expired.
    fn batch(&mut self, id: BatchId, now: Instant) -> Option<&mut BatchRec> {
        if self
            .batches
            .get(&id)
            .is_some_and(|b| b.expires_at.is_some_and(|t| t <= now))
        {
            self.batches.remove(&id);
        }
        self.batches.get_mut(&id)
    }

    /// Appends `payloads` to batch `id`'s channel and delivers them to its subscribers.
    fn append_batch(&mut self, id: BatchId, payloads: Vec<Bytes>) {
        let channel = Channel::Batch(id);
        let Some(b) = self.batches.get_mut(&id) else {
            return;
        };
        let messages = b.log.append(&channel, payloads, None);
        self.deliver(&channel, messages);
        // The step that completes a batch announces it on `designs` (memory has no crash
        // window between the two, so this is its whole exactly-once story).
        self.announce_if_completed(id, Instant::now());
    }

    /// Cancels batch `id` now (status, `cancelled` event, retention) and delivers the event.
    fn cancel_now(&mut self, id: BatchId, now: Instant) {
        let Some(b) = self.batches.get_mut(&id) else {
            return;
        };
        let mut payloads = Vec::new();
        b.finish(BatchStatus::Cancelled, &mut payloads, now);
        self.append_batch(id, payloads);
    }

    /// Queues `messages` on every subscriber of `channel`, forgetting closed ones.
    fn deliver(&mut self, channel: &Channel, messages: Vec<Message>) {
        let Some(subs) = self.subscribers.get_mut(channel) else {
            return;
        };
        subs.retain(|_, sink| !sink.is_closed());
        for sink in subs.values() {
            for m in &messages {
                sink.push(Event::Message(m.clone()));
            }
        }
    }
}

impl MemoryBroker {
    /// An empty broker.
    pub fn new(settings: BrokerSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    channel_history: settings.channel_history,
                    ..State::default()
                }),
                queued: Notify::new(),
                settings,
                started: Instant::now(),
            }),
        }
    }

    /// The settings this broker runs with.
    pub fn settings(&self) -> &BrokerSettings {
        &self.inner.settings
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // unwrap: no code panics while holding the lock (every step is infallible arithmetic and
        // collection updates), so it is never poisoned.
        self.inner.state.lock().unwrap()
    }
}
