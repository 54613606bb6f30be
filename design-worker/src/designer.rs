//! [`Designer`]: turns a chunk payload into beam results, on blocking threads.
//!
//! Decoding a chunk and designing a slice are CPU work (about a microsecond per beam for the
//! design, a little more for JSON), so they run under `spawn_blocking`, at most
//! `design_threads` at once (a semaphore), and the async runtime stays free for heartbeats and
//! I/O. Each beam becomes protocol's compact stored result, or an `error` entry naming the
//! wire field and the rule it breaks when the engine refuses it (a beam that bypassed the
//! gateway's validation, or an engine newer than the gateway's).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use beam_design::Beam;
use broker::BeamResult;
use bytes::Bytes;
use protocol::stored::StoredStatus;
use protocol::{BeamRecord, JobChunk, StoredEvent, StoredObject, StoredResult};
use tokio::sync::Semaphore;

/// A chunk's beams, or why it cannot be read (every beam of it then fails).
pub type Decoded = Result<Vec<BeamRecord>, String>;

/// Runs decode and design work off the async runtime, a bounded number at once.
#[derive(Debug, Clone)]
pub struct Designer {
    permits: Arc<Semaphore>,
}

impl Designer {
    /// At most `threads` (≥ 1) blocking jobs at once.
    pub fn new(threads: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(threads.max(1))),
        }
    }

    /// Decodes a chunk payload on a blocking thread.
    pub async fn decode(&self, payload: Bytes) -> Decoded {
        self.blocking(move || decode(&payload)).await
    }

    /// Designs `beams` (batch indices from `first_index`) on a blocking thread.
    pub async fn design(&self, first_index: u32, beams: Vec<BeamRecord>) -> Vec<BeamResult> {
        self.blocking(move || design_slice(first_index, beams))
            .await
    }

    async fn blocking<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        // unwrap: the semaphore is never closed.
        let _permit = self.permits.acquire().await.unwrap();
        match tokio::task::spawn_blocking(work).await {
            Ok(v) => v,
            // Design panics are caught per beam (see `design_slice`); anything else is a bug
            // of this crate, surfaced where it happened.
            Err(e) => std::panic::resume_unwind(
                e.try_into_panic()
                    .unwrap_or_else(|e| Box::new(e.to_string())),
            ),
        }
    }
}

/// Reads a job chunk's beams.
pub fn decode(payload: &[u8]) -> Decoded {
    JobChunk::decode(payload)
        .map(|c| c.beams)
        .map_err(|e| format!("unreadable chunk: {e}"))
}

/// Designs each beam: beam `k` of `beams` is batch index `first_index + k`.
///
/// A panic of the engine on one beam (a bug: the engine is property-tested not to) becomes an
/// `error` entry for that beam instead of killing the fetch loop with its chunk held.
pub fn design_slice(first_index: u32, beams: Vec<BeamRecord>) -> Vec<BeamResult> {
    (first_index..)
        .zip(beams)
        .map(|(index, record)| {
            std::panic::catch_unwind(AssertUnwindSafe(|| design_one(index, record)))
                .unwrap_or_else(|_| failure(index, ENGINE_PANIC))
        })
        .collect()
}

/// The `error` text of a beam the engine panicked on.
pub const ENGINE_PANIC: &str = "internal error: the design engine failed on this beam";

/// One beam's result: its compact stored form, or an `error` entry with field and rule.
pub fn design_one(index: u32, record: BeamRecord) -> BeamResult {
    match Beam::try_from(&record.input) {
        Ok(beam) => {
            let status = StoredStatus(beam_design::design(&beam).status);
            let stored = StoredResult {
                index: Some(u64::from(index)),
                status,
                record,
            };
            BeamResult {
                index,
                ok: true,
                payload: StoredEvent::Result(stored).encode().into(),
            }
        }
        Err(invalid) => {
            let why = protocol::validation::from_invalid_beam(&invalid)
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            failure(index, &why)
        }
    }
}

/// An `error` entry for beam `index`.
pub fn failure(index: u32, why: &str) -> BeamResult {
    let event = StoredObject::Error {
        beam_index: u64::from(index),
        error: why.to_owned(),
    };
    BeamResult {
        index,
        ok: false,
        payload: StoredEvent::Object(event).encode().into(),
    }
}

#[cfg(test)]
mod tests {
    use beam_design::BeamInput;

    use super::*;

    fn record(fck: f64) -> BeamRecord {
        BeamRecord {
            input: BeamInput {
                width_mm: 300.0,
                depth_mm: 500.0,
                span_mm: 5000.0,
                mu_knm: 120.0,
                vu_kn: Some(80.0),
                fck_mpa: fck,
                fy_mpa: 500.0,
                ..BeamInput::default()
            },
            ..BeamRecord::default()
        }
    }

    #[test]
    fn a_valid_beam_becomes_a_stored_result_at_its_index() {
        let r = design_one(41, record(25.0));
        assert!(r.ok);
        assert_eq!(r.index, 41);
        let StoredEvent::Result(stored) = StoredEvent::decode(&r.payload).unwrap() else {
            panic!("not a result");
        };
        assert_eq!(stored.index, Some(41));
        assert_eq!(stored.record, record(25.0));
        let expected = beam_design::design(&Beam::try_from(&record(25.0).input).unwrap());
        assert_eq!(stored.status.0, expected.status);
    }

    #[test]
    fn an_invalid_beam_becomes_an_error_naming_field_and_rule() {
        let r = design_one(7, record(22.0));
        assert!(!r.ok);
        let event = StoredEvent::decode(&r.payload).unwrap();
        let StoredEvent::Object(StoredObject::Error { beam_index, error }) = event else {
            panic!("not an error: {event:?}");
        };
        assert_eq!(beam_index, 7);
        assert!(error.starts_with("fck: "), "{error}");
        assert!(error.contains("22"), "{error}");
    }

    #[test]
    fn an_unreadable_chunk_says_why() {
        let err = decode(b"{not json").unwrap_err();
        assert!(err.starts_with("unreadable chunk"), "{err}");
    }

    #[tokio::test]
    async fn slices_are_designed_off_the_runtime_in_index_order() {
        let designer = Designer::new(1);
        let results = designer.design(10, vec![record(25.0), record(22.0)]).await;
        let summary: Vec<(u32, bool)> = results.iter().map(|r| (r.index, r.ok)).collect();
        assert_eq!(summary, vec![(10, true), (11, false)]);
    }
}
