//! A batch's results for clients that poll instead of stream, read from the batch channel's
//! history (the stream is the truth): each stored compact result is expanded by re-running the
//! design (`StoredEvent::expand`), failures come back as `{index, error}`, and progress or
//! terminal events are skipped. Pages follow the channel's offsets, so the cursor is stable
//! while the batch runs: `after` is the last offset read and `next` the one to ask with, `null`
//! once the page reached the channel's current end. Results come in the order they landed (not
//! by index); every item carries its `index`.

use broker::Broker;
use bytes::Bytes;
use protocol::csv::{error_row, result_row};
use protocol::event::ChannelEvent;
use protocol::{BatchId, BeamParams, Channel, DesignResult, Position, StoredEvent};
use serde::Serialize;

use super::store_error;
use crate::GatewayError;

/// Default publications read per page.
pub const DEFAULT_PAGE: usize = 1000;
/// Largest `limit` a page may ask for.
pub const MAX_PAGE: usize = 5000;

/// One beam's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[expect(
    clippy::large_enum_variant,
    reason = "pages are almost all results; boxing them would add an allocation per item"
)]
pub enum ResultItem {
    /// The beam was designed.
    Designed {
        /// 0-based position in the batch.
        index: u64,
        /// The beam as the client sent it.
        beam: BeamParams,
        /// Its design.
        result: DesignResult,
    },
    /// The beam could not be designed.
    Failed {
        /// 0-based position in the batch.
        index: u64,
        /// Why.
        error: String,
    },
}

impl ResultItem {
    /// The beam's index in the batch.
    pub fn index(&self) -> u64 {
        match self {
            Self::Designed { index, .. } | Self::Failed { index, .. } => *index,
        }
    }

    /// The item's row of the CSV export.
    pub fn csv_row(&self) -> String {
        match self {
            Self::Designed {
                index,
                beam,
                result,
            } => result_row(*index, beam, result),
            Self::Failed { index, error } => error_row(*index, error),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The results read, in channel order.
    pub items: Vec<ResultItem>,
    /// The offset to ask for next (`after=`), or `None` at the channel's current end.
    pub next: Option<u64>,
}

/// Up to `limit` publications of batch `id` after channel offset `after`, in `epoch`.
pub async fn page(
    broker: &Broker,
    id: BatchId,
    epoch: &protocol::Epoch,
    after: u64,
    limit: usize,
) -> Result<Page, GatewayError> {
    let since = Position {
        epoch: epoch.clone(),
        offset: after,
    };
    let channel = Channel::Batch(id);
    let history = broker
        .history(&channel, Some(&since), limit.clamp(1, MAX_PAGE))
        .await
        .map_err(store_error)?;
    if !history.recovered {
        return Err(GatewayError::NotFound(format!(
            "no results after offset {after}: the batch's history is at {}",
            history.position
        )));
    }
    let last = history.publications.last().map(|p| p.offset);
    let items = history
        .publications
        .iter()
        .filter_map(|p| item(&channel, &p.payload))
        .collect();
    let next = last.filter(|last| *last < history.position.offset);
    Ok(Page { items, next })
}

/// The result item a stored publication holds, if it is one (progress and terminal events are
/// not); an unreadable payload is logged and skipped.
fn item(channel: &Channel, payload: &Bytes) -> Option<ResultItem> {
    let event = match StoredEvent::decode(payload).and_then(|e| e.expand(channel)) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(%channel, error = %e, "unreadable stored result skipped");
            return None;
        }
    };
    match event {
        ChannelEvent::DesignResult {
            index,
            beam,
            result,
        } => Some(ResultItem::Designed {
            index: index.unwrap_or(0),
            beam,
            result,
        }),
        ChannelEvent::Error { beam_index, error } => Some(ResultItem::Failed {
            index: beam_index,
            error,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use broker::{BatchSpec, BeamResult, BrokerSettings, ChunkSpec};
    use protocol::{DesignConfig, StoredResult};

    use super::*;

    /// A batch of `n` beams designed and emitted through the broker as a worker would.
    async fn finished_batch(broker: &Broker, n: u32) -> BatchId {
        let parsed: protocol::ParsedBeam =
            serde_json::from_str(r#"{"width":300,"depth":500,"Mu":100}"#).unwrap();
        let record = parsed.validate(&DesignConfig::default()).unwrap().record;
        let id = BatchId::new();
        let spec = BatchSpec {
            id,
            owner: "alice".into(),
            chunks: vec![ChunkSpec {
                beam_count: n,
                payload: Bytes::from_static(b"{}"),
            }],
            idempotency_key: None,
            retention: Duration::from_secs(60),
        };
        broker.submit(spec).await.unwrap();
        let claim = broker
            .fetch("w", Duration::from_secs(1))
            .await
            .unwrap()
            .unwrap();
        let results: Vec<BeamResult> = (0..n)
            .map(|i| {
                let stored = StoredResult::design(Some(u64::from(i)), record.clone()).unwrap();
                BeamResult {
                    index: i,
                    ok: true,
                    payload: StoredEvent::Result(stored).encode().into(),
                }
            })
            .collect();
        broker.emit(&claim, &results).await.unwrap();
        id
    }

    #[tokio::test]
    async fn pages_walk_the_channel_and_skip_progress_and_terminal_events() {
        let broker = Broker::memory(BrokerSettings::default());
        let id = finished_batch(&broker, 5).await;
        let epoch = broker.status(id).await.unwrap().position.epoch;
        let first = page(&broker, id, &epoch, 0, 3).await.unwrap();
        let indices: Vec<u64> = first.items.iter().map(ResultItem::index).collect();
        assert_eq!(indices, [0, 1, 2]);
        assert_eq!(first.next, Some(3));
        let rest = page(&broker, id, &epoch, 3, 100).await.unwrap();
        let indices: Vec<u64> = rest.items.iter().map(ResultItem::index).collect();
        assert_eq!(indices, [3, 4], "progress and complete are not results");
        assert_eq!(rest.next, None);
        let row = rest.items[0].csv_row();
        assert!(row.starts_with("3,,PASS,design,300,500,"), "{row}");
    }
}
