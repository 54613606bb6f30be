//! [`BrokerError`]: the one error type of the broker.
//!
//! Callers branch on [`BrokerError::is_retryable`]: connection trouble is worth retrying (Redis
//! restarts, failovers); logical outcomes (a conflict, an unknown batch) are not.

use protocol::BatchId;

/// Everything a broker operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// Redis could not be reached or the connection dropped mid-request. Retryable.
    #[error("redis connection lost: {0}")]
    Connection(#[source] redis::RedisError),
    /// Redis answered with an error (script error, OOM under `noeviction`, wrong type).
    #[error("redis error: {0}")]
    Redis(#[source] redis::RedisError),
    /// A blocking call got no reply in time; its connection was discarded. Retryable (after a
    /// `recover_own`, since the command may have taken effect).
    #[error("no reply in time: {0}")]
    Timeout(&'static str),
    /// No blocking connection could be taken from the pool. Retryable.
    #[error("blocking connection pool: {0}")]
    Pool(String),
    /// The batch does not exist (never submitted, or its retention expired).
    #[error("batch {0} not found")]
    BatchNotFound(BatchId),
    /// The batch spec breaks a rule (no chunk, an empty chunk, too many beams).
    #[error("invalid batch: {0}")]
    InvalidBatch(String),
    /// An emitted beam index lies outside the claimed chunk.
    #[error("beam {index} is outside chunk {chunk_index} (beams {first}..{end})")]
    BeamOutOfChunk {
        /// The chunk claimed.
        chunk_index: u32,
        /// The offending beam index.
        index: u32,
        /// First beam of the chunk.
        first: u32,
        /// One past the last beam of the chunk.
        end: u32,
    },
    /// A compare-and-set lost: the stored version is not the expected one.
    #[error("version conflict: expected {expected}, stored {current}")]
    VersionConflict {
        /// The version the caller based its change on.
        expected: u64,
        /// The version stored now.
        current: u64,
    },
    /// Redis replied with something the broker's scripts never produce (a bug or a foreign key).
    #[error("unexpected reply: {0}")]
    Unexpected(String),
}

impl BrokerError {
    /// True when the same call may succeed later (connection trouble), false for logical errors.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Connection(_) | Self::Pool(_) | Self::Timeout(_))
    }
}

impl From<redis::RedisError> for BrokerError {
    fn from(e: redis::RedisError) -> Self {
        if e.is_io_error()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_timeout()
        {
            Self::Connection(e)
        } else {
            Self::Redis(e)
        }
    }
}

/// The broker's result type.
pub type Result<T, E = BrokerError> = std::result::Result<T, E>;
