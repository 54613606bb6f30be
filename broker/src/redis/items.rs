//! One beam of a batch by index, over Redis: `item.lua` reads the run holding the beam from the
//! items index (`{b:ID}:idx`, one ZREVRANGEBYSCORE) and the one stream entry holding its offset
//! (one XREVRANGE … COUNT 1): O(log n) whatever the batch's size.

use protocol::BatchId;

use super::{RedisBroker, reply};
use crate::error::{BrokerError, Result};
use crate::items::BatchItem;

impl RedisBroker {
    /// Beam `index` of batch `id`: its result, or why there is none.
    pub async fn batch_item(&self, id: BatchId, index: u32) -> Result<BatchItem> {
        let keys = &self.inner.keys;
        let [meta, _, stream] = keys.batch_keys(id);
        let items = reply::array(
            self.inner
                .scripts
                .item
                .key(&meta)
                .key(&stream)
                .key(keys.batch_index(id))
                .arg(index)
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        let field = |i: usize| {
            items
                .get(i)
                .ok_or_else(|| BrokerError::Unexpected(format!("item reply has no field {i}")))
        };
        match reply::text(field(0)?)?.as_str() {
            "ok" => Ok(BatchItem::Landed {
                offset: reply::uint(field(1)?)?,
                payload: reply::bytes(field(2)?.clone())?,
            }),
            "missing" => Ok(BatchItem::NotLanded {
                status: reply::text(field(1)?)?.parse()?,
            }),
            "range" => Ok(BatchItem::OutOfRange {
                total: reply::uint(field(1)?)?,
            }),
            "gone" => Err(BrokerError::BatchNotFound(id)),
            other => Err(BrokerError::Unexpected(format!("item: {other}"))),
        }
    }
}
