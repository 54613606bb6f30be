//! One beam of a batch by index, in memory: the batch's [`ItemIndex`](crate::items::ItemIndex)
//! gives the offset, and the batch's log (never trimmed) the publication there.

use protocol::BatchId;
use tokio::time::Instant;

use super::MemoryBroker;
use crate::error::{BrokerError, Result};
use crate::items::BatchItem;

impl MemoryBroker {
    /// Beam `index` of batch `id`: its result, or why there is none.
    pub async fn batch_item(&self, id: BatchId, index: u32) -> Result<BatchItem> {
        let mut s = self.lock();
        let b = s
            .batch(id, Instant::now())
            .ok_or(BrokerError::BatchNotFound(id))?;
        if index >= b.counts.total {
            return Ok(BatchItem::OutOfRange {
                total: b.counts.total,
            });
        }
        let entries = &b.log.entries;
        let landed = b.items.offset(index).and_then(|offset| {
            let at = entries.binary_search_by_key(&offset, |p| p.offset).ok()?;
            Some(BatchItem::Landed {
                offset,
                payload: entries[at].payload.clone(),
            })
        });
        Ok(landed.unwrap_or(BatchItem::NotLanded { status: b.status }))
    }
}
