//! The job chunk a design-worker pulls from the queue: [`JobChunk`].
//!
//! One JSON object per chunk (typically 256–1024 beams):
//! `{"batch_id":"<uuid>","chunk":3,"first_index":1536,"config_version":7,"beams":[[…],[…]]}`.
//! Each beam is a [`BeamRecord`] array with every default already applied by the gateway when
//! it validated the batch, so a worker needs no config: `config_version` only records which
//! version those defaults came from (for traces and audits). Beam `k` of the chunk is beam
//! `first_index + k` of the batch. A typical record is 40–60 bytes, so a 512-beam chunk is
//! about 25 KB in Redis.

use serde::{Deserialize, Serialize};

use crate::channel::BatchId;
use crate::frame::DecodeError;
use crate::record::BeamRecord;

/// A slice of a batch for one worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobChunk {
    /// The batch.
    pub batch_id: BatchId,
    /// 0-based number of this chunk in the batch.
    pub chunk: u32,
    /// Batch index of the first beam of the chunk.
    pub first_index: u64,
    /// Version of the design config the defaults came from.
    pub config_version: u64,
    /// The beams, defaults applied.
    pub beams: Vec<BeamRecord>,
}

impl JobChunk {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        // unwrap: serialises infallibly (string keys; non-finite floats become null).
        serde_json::to_vec(self).unwrap()
    }

    /// Reads stored bytes. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        serde_json::from_slice(bytes).map_err(|e| DecodeError::from_json(&e))
    }

    /// The beams with their batch indices.
    pub fn indexed(&self) -> impl Iterator<Item = (u64, &BeamRecord)> {
        (self.first_index..).zip(self.beams.iter())
    }
}
