//! Submitting a batch: read every row (JSON array or CSV with a header), validate them all with
//! the defaults in force, and only when every row is valid split the records into job chunks
//! and hand them to the broker, which stores the metadata and enqueues every chunk in one atomic
//! step. A rejected batch queues nothing: its 422 lists each bad row by `index` with the field
//! and the rule broken. Parsing, validation and chunk encoding are CPU work (a million rows is
//! about a second), so they run on the blocking pool, never on the async workers.

use std::sync::Arc;

use broker::{BatchSpec, Broker, BrokerError, ChunkSpec};
use bytes::Bytes;
use protocol::batch::Validation;
use protocol::{BatchId, BeamRecord, DecodeError, DesignConfig, ParsedBeam};

use super::store_error;
use crate::GatewayError;
use crate::settings::Batches;

/// Longest idempotency key accepted, in bytes.
pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 255;

/// The beams of a batch as they arrived.
#[derive(Debug)]
pub enum BatchInput {
    /// A JSON array of beam objects (raw body).
    Json(Bytes),
    /// CSV with a header row of beam field names (raw body or a `csv` field).
    Csv(Bytes),
    /// Beam objects already read (the WebSocket's `beams`).
    Parsed(Vec<ParsedBeam>),
}

/// A batch the broker holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// Its id.
    pub id: BatchId,
    /// Beams in it.
    pub total: u64,
    /// False when the idempotency key named an earlier batch (nothing new was queued).
    pub created: bool,
}

/// Validates and queues a batch owned by `owner`. `idempotency_key` is scoped to the owner, so
/// two users can never collide on (or learn of) each other's keys.
pub async fn submit(
    broker: &Broker,
    limits: &Batches,
    config: Arc<DesignConfig>,
    owner: &str,
    input: BatchInput,
    idempotency_key: Option<&str>,
) -> Result<Accepted, GatewayError> {
    let key = idempotency_key.map(checked_key).transpose()?;
    let id = BatchId::new();
    let limits = *limits;
    let prepared = tokio::task::spawn_blocking(move || prepare(id, input, &config, &limits))
        .await
        .map_err(|e| GatewayError::Internal(anyhow::Error::new(e)))??;
    let spec = BatchSpec {
        id,
        owner: owner.to_owned(),
        chunks: prepared.chunks,
        idempotency_key: key.map(|k| format!("{owner}:{k}")),
        retention: limits.retention,
    };
    let submitted = broker.submit(spec).await.map_err(store_error)?;
    if submitted.created {
        tracing::info!(job_id = %id, beams = prepared.total, user = owner, "batch queued");
        return Ok(Accepted {
            id,
            total: prepared.total,
            created: true,
        });
    }
    // The key named an earlier batch: answer with it, as the first request was answered.
    let earlier = broker.status(submitted.id).await.map_err(|e| match e {
        BrokerError::BatchNotFound(_) => GatewayError::Conflict(
            "the batch of this idempotency key has expired; use a new key".to_owned(),
        ),
        other => store_error(other),
    })?;
    Ok(Accepted {
        id: submitted.id,
        total: u64::from(earlier.total),
        created: false,
    })
}

fn checked_key(key: &str) -> Result<&str, GatewayError> {
    let printable = key.bytes().all(|b| b.is_ascii_graphic());
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_BYTES || !printable {
        return Err(GatewayError::BadRequest(format!(
            "Idempotency-Key must be 1..={MAX_IDEMPOTENCY_KEY_BYTES} printable ASCII characters"
        )));
    }
    Ok(key)
}

/// What goes to the broker.
struct Prepared {
    total: u64,
    chunks: Vec<ChunkSpec>,
}

fn prepare(
    id: BatchId,
    input: BatchInput,
    config: &DesignConfig,
    limits: &Batches,
) -> Result<Prepared, GatewayError> {
    let records = validated(input, config, limits)?;
    let total = records.len() as u64;
    let chunks = protocol::batch::chunks(id, config.version, records, limits.chunk_size)
        .into_iter()
        .map(|chunk| ChunkSpec {
            // A chunk holds at most `chunk_size` beams, itself bounded by the batch cap.
            beam_count: u32::try_from(chunk.beams.len()).unwrap_or(u32::MAX),
            payload: chunk.encode().into(),
        })
        .collect();
    Ok(Prepared { total, chunks })
}

/// Every row read and validated: the records to queue. CSV is validated row by row as it is
/// read, so a million-row batch is never held as parsed beams (~0.5 KB each).
fn validated(
    input: BatchInput,
    config: &DesignConfig,
    limits: &Batches,
) -> Result<Vec<BeamRecord>, GatewayError> {
    let too_many = |got: usize| GatewayError::TooManyBeams {
        got,
        limit: limits.max_beams,
    };
    let beams = match input {
        BatchInput::Csv(bytes) => {
            let text = text(&bytes)?;
            // Room for every row at once (at most the cap): no regrowing a million records.
            let lines = text.bytes().filter(|&b| b == b'\n').count();
            let mut validation = Validation::new(config, lines.min(limits.max_beams));
            let rows = protocol::csv::read_beams(text, |beam| {
                // Past the cap rows are only counted: the answer is 413, not their errors.
                if validation.rows() < limits.max_beams as u64 {
                    validation.push(&beam);
                }
            })
            .map_err(GatewayError::Validation)?;
            let rows = usize::try_from(rows).unwrap_or(usize::MAX);
            if rows > limits.max_beams {
                return Err(too_many(rows));
            }
            return validation.finish().map_err(GatewayError::Validation);
        }
        BatchInput::Json(bytes) => {
            protocol::batch::parse_json_beams(text(&bytes)?).map_err(|e| match e {
                DecodeError::Invalid(errors) => GatewayError::Validation(errors),
                other => GatewayError::BadRequest(other.to_string()),
            })?
        }
        BatchInput::Parsed(beams) => beams,
    };
    if beams.len() > limits.max_beams {
        return Err(too_many(beams.len()));
    }
    protocol::batch::validate(&beams, config).map_err(GatewayError::Validation)
}

/// The body as text, read in place (a copy of a 35 MB body is 35 MB of fresh pages).
fn text(bytes: &Bytes) -> Result<&str, GatewayError> {
    std::str::from_utf8(bytes)
        .map_err(|e| GatewayError::BadRequest(format!("the batch is not UTF-8 text: {e}")))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use broker::BrokerSettings;

    use super::*;

    const LIMITS: Batches = Batches {
        max_beams: 3,
        max_body_bytes: 1 << 20,
        chunk_size: 2,
        retention: Duration::from_secs(60),
    };

    fn json(text: &str) -> BatchInput {
        BatchInput::Json(Bytes::from(text.to_owned()))
    }

    async fn run(
        input: BatchInput,
        key: Option<&str>,
        broker: &Broker,
    ) -> Result<Accepted, GatewayError> {
        let config = Arc::new(DesignConfig::default());
        submit(broker, &LIMITS, config, "alice", input, key).await
    }

    #[tokio::test]
    async fn valid_rows_are_queued_in_chunks_of_the_configured_size() {
        let broker = Broker::memory(BrokerSettings::default());
        let body = r#"[{"width":300,"depth":500,"Mu":100},{"width":300,"depth":500,"Mu":120},{"width":230,"depth":450,"Mu":60}]"#;
        let accepted = run(json(body), None, &broker).await.unwrap();
        assert_eq!((accepted.total, accepted.created), (3, true));
        assert_eq!(broker.pending_len().await.unwrap(), 2);
        let state = broker.status(accepted.id).await.unwrap();
        assert_eq!((state.owner.as_str(), state.total), ("alice", 3));
    }

    #[tokio::test]
    async fn one_bad_row_rejects_the_batch_by_index_and_queues_nothing() {
        let broker = Broker::memory(BrokerSettings::default());
        let csv = "width,depth,Mu\n300,500,100\n300,-5,100\n";
        let refused = run(BatchInput::Csv(Bytes::from(csv)), None, &broker).await;
        let Err(GatewayError::Validation(errors)) = refused else {
            panic!("expected 422, got {refused:?}");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].index, errors[0].field.as_str()),
            (Some(1), "depth")
        );
        assert_eq!(broker.pending_len().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn too_many_beams_and_malformed_json_are_refused_before_validation() {
        let broker = Broker::memory(BrokerSettings::default());
        let four = format!("[{}]", [r#"{"width":300}"#; 4].join(","));
        let over = run(json(&four), None, &broker).await;
        assert!(matches!(
            over,
            Err(GatewayError::TooManyBeams { got: 4, limit: 3 })
        ));
        let malformed = run(json("[{"), None, &broker).await;
        assert!(matches!(malformed, Err(GatewayError::BadRequest(_))));
        let not_array = run(json(r#"{"width":300}"#), None, &broker).await;
        assert!(matches!(not_array, Err(GatewayError::Validation(_))));
    }

    #[tokio::test]
    async fn a_repeated_idempotency_key_answers_with_the_first_batch() {
        let broker = Broker::memory(BrokerSettings::default());
        let body = r#"[{"width":300,"depth":500,"Mu":100}]"#;
        let first = run(json(body), Some("k-1"), &broker).await.unwrap();
        let again = run(json(body), Some("k-1"), &broker).await.unwrap();
        assert_eq!((again.id, again.total, again.created), (first.id, 1, false));
        assert_eq!(broker.pending_len().await.unwrap(), 1);
        let bad_key = run(json(body), Some("has space"), &broker).await;
        assert!(matches!(bad_key, Err(GatewayError::BadRequest(_))));
    }
}
