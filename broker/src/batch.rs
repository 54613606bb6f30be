//! Batch types of the queue contract: what is submitted, claimed, emitted and reported.
//!
//! Chunk payloads and beam results are opaque bytes: the gateway encodes chunks, a worker decodes
//! them and encodes its results. The broker only counts beams and orders results.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use protocol::{BatchId, Position};

use crate::error::BrokerError;

/// Most beams one batch may hold (the done bitmap is `total / 8` bytes).
pub const MAX_BEAMS_PER_BATCH: u32 = 10_000_000;

/// A batch to enqueue: its metadata and its chunks, in beam order.
#[derive(Debug, Clone)]
pub struct BatchSpec {
    /// The batch's id (the caller mints it, usually [`BatchId::new`]).
    pub id: BatchId,
    /// Who owns the batch (the JWT `sub`); only stored and reported.
    pub owner: String,
    /// The chunks; chunk `i` holds the beams right after those of chunk `i - 1`.
    pub chunks: Vec<ChunkSpec>,
    /// A client-supplied key: a second submit with the same key returns the first batch's id.
    pub idempotency_key: Option<String>,
    /// How long the finished batch (metadata, results) stays readable after its last event.
    pub retention: Duration,
}

impl BatchSpec {
    /// Total beams over all chunks, after checking every chunk holds at least one beam.
    pub fn total_beams(&self) -> Result<u32, BrokerError> {
        if self.chunks.is_empty() {
            return Err(BrokerError::InvalidBatch(
                "a batch needs at least one chunk".into(),
            ));
        }
        let mut total: u64 = 0;
        for (i, chunk) in self.chunks.iter().enumerate() {
            if chunk.beam_count == 0 {
                return Err(BrokerError::InvalidBatch(format!(
                    "chunk {i} holds no beam"
                )));
            }
            total += u64::from(chunk.beam_count);
        }
        if total > u64::from(MAX_BEAMS_PER_BATCH) {
            return Err(BrokerError::InvalidBatch(format!(
                "{total} beams exceed the limit of {MAX_BEAMS_PER_BATCH}"
            )));
        }
        // A u64 at most MAX_BEAMS_PER_BATCH fits a u32.
        Ok(total as u32)
    }
}

/// One chunk of a batch: how many beams it holds and its opaque payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSpec {
    /// Beams in this chunk (at least 1).
    pub beam_count: u32,
    /// The encoded beams; only a worker reads it.
    pub payload: Bytes,
}

/// What [`submit`](crate::Broker::submit) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submitted {
    /// The batch's id: the spec's, or the first batch's when the idempotency key was seen.
    pub id: BatchId,
    /// False when the idempotency key matched an earlier batch (nothing was enqueued).
    pub created: bool,
}

/// Lifecycle of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchStatus {
    /// Submitted; no chunk claimed yet.
    Queued,
    /// A worker claimed a chunk.
    Running,
    /// Cancel requested while running; becomes `Cancelled` when a worker next touches it.
    Cancelling,
    /// Cancelled; the `cancelled` event is the last one.
    Cancelled,
    /// Every beam landed; the `complete` event is the last one.
    Completed,
}

impl BatchStatus {
    /// The stored name (`queued`, `running`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Cancelling => "cancelling",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    /// True for `Cancelled` and `Completed`: no more events will follow.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Cancelled | Self::Completed)
    }

    /// True when workers should stop working on the batch (`Cancelling` or terminal).
    pub fn stops_work(self) -> bool {
        self == Self::Cancelling || self.is_terminal()
    }
}

impl fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BatchStatus {
    type Err = BrokerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "cancelling" => Self::Cancelling,
            "cancelled" => Self::Cancelled,
            "completed" => Self::Completed,
            other => return Err(BrokerError::Unexpected(format!("batch status `{other}`"))),
        })
    }
}

/// A batch's metadata and progress, as [`status`](crate::Broker::status) reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchState {
    /// The batch.
    pub id: BatchId,
    /// Its owner.
    pub owner: String,
    /// Its lifecycle state.
    pub status: BatchStatus,
    /// Beams in the batch.
    pub total: u32,
    /// Beams with a result (succeeded or failed).
    pub done: u32,
    /// Beams whose result is a failure (a subset of `done`).
    pub failed: u32,
    /// The batch channel's current position.
    pub position: Position,
}

/// A chunk a worker holds: the fencing token and what to design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The worker holding the chunk.
    pub worker: String,
    /// The batch.
    pub batch: BatchId,
    /// The chunk's position in the batch (0-based).
    pub chunk_index: u32,
    /// Index of the chunk's first beam in the batch.
    pub first_beam: u32,
    /// Beams in the chunk: indices `first_beam..first_beam + beam_count`.
    pub beam_count: u32,
    /// The fencing token: 1 on the first claim, +1 on each re-claim; only the latest may emit.
    pub attempt: u32,
    /// The chunk's payload.
    pub payload: Bytes,
    /// The queue element as stored (the ack removes exactly this element).
    pub(crate) element: Bytes,
}

/// One beam's result, as a worker emits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeamResult {
    /// The beam's index in the batch.
    pub index: u32,
    /// False when the beam failed (counted in `failed`).
    pub ok: bool,
    /// The encoded event appended to the batch channel.
    pub payload: Bytes,
}

/// What an emit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitOutcome {
    /// Results were considered; `appended` are new, `skipped` had landed before.
    Accepted {
        /// Results appended to the batch channel.
        appended: u32,
        /// Results skipped because their beam already had one.
        skipped: u32,
        /// The batch's status after the emit (`Completed` when this emit landed the last beam).
        status: BatchStatus,
    },
    /// The claim's attempt is not the latest: the chunk was reaped and re-claimed. Nothing written.
    Fenced,
    /// The batch is cancelled (or was cancelling and is now cancelled). Nothing written.
    Cancelled,
}

/// What one reaper pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reaped {
    /// Workers whose heartbeat had stopped, now removed from the registry.
    pub workers: u32,
    /// Chunks moved from their processing lists back to the head of the queue.
    pub chunks: u32,
}

/// Fails when a result's beam lies outside the claimed chunk (a worker bug).
pub(crate) fn check_in_chunk(claim: &Claim, results: &[BeamResult]) -> Result<(), BrokerError> {
    let end = claim.first_beam + claim.beam_count;
    match results
        .iter()
        .find(|r| r.index < claim.first_beam || r.index >= end)
    {
        Some(r) => Err(BrokerError::BeamOutOfChunk {
            chunk_index: claim.chunk_index,
            index: r.index,
            first: claim.first_beam,
            end,
        }),
        None => Ok(()),
    }
}
