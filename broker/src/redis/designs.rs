//! The designs store over Redis: save (with its announcement), get, list, and the announcement
//! of a completed batch. Every key shares the `{c:designs}` hash tag with the `designs`
//! channel, so each script stays in one Cluster slot.

use bytes::Bytes;
use protocol::{BatchId, Channel, Epoch, Position};
use redis::Value;
use uuid::Uuid;

use super::{RedisBroker, reply};
use crate::designs::{self, DesignPage, DesignSpec, SavedDesign, StoredDesign};
use crate::error::{BrokerError, Result};

impl RedisBroker {
    /// Stores `spec`, keeps the most recent `designs_kept`, and publishes `announcement` on the
    /// `designs` channel, in one script. An id already stored changes nothing.
    pub async fn design_save(&self, spec: &DesignSpec, announcement: Bytes) -> Result<SavedDesign> {
        let keys = &self.inner.keys;
        let ch = keys.channel(&Channel::Designs, &self.inner.settings);
        let items = reply::array(
            self.inner
                .scripts
                .design_save
                .key(keys.designs_recent())
                .key(keys.designs_seq())
                .key(keys.design(&spec.id))
                .key(&ch.meta)
                .key(&ch.stream)
                .arg(&ch.pubsub)
                .arg(spec.id.to_string())
                .arg(&spec.owner)
                .arg(spec.record.as_ref())
                .arg(announcement.as_ref())
                .arg(self.inner.settings.designs_kept.max(1))
                .arg(ch.maxlen)
                .arg(keys.design_prefix())
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        let mut fields = items.into_iter();
        let created = reply::int(&next(&mut fields)?)? == 1;
        let design = stored(spec.id, &mut fields)?;
        let position = if created {
            let epoch = Epoch::new(&reply::text(&next(&mut fields)?)?)
                .map_err(|e| BrokerError::Unexpected(format!("stored epoch: {e}")))?;
            let offset = reply::uint(&next(&mut fields)?)?;
            Some(Position { epoch, offset })
        } else {
            None
        };
        Ok(SavedDesign {
            design,
            created,
            position,
        })
    }

    /// The design `id`, if stored (never saved, or trimmed: `None`).
    pub async fn design_get(&self, id: Uuid) -> Result<Option<StoredDesign>> {
        let fields: Vec<Value> = redis::cmd("HMGET")
            .arg(self.inner.keys.design(&id))
            .arg(&["s", "t", "o", "r"][..])
            .query_async(&mut self.conn())
            .await?;
        if matches!(fields.first(), None | Some(Value::Nil)) {
            return Ok(None);
        }
        stored(id, &mut fields.into_iter()).map(Some)
    }

    /// Saved designs, newest first, older than sequence `before` (from the newest when `None`),
    /// at most `limit` (clamped to 1..=[`designs::MAX_DESIGNS_PAGE`]).
    pub async fn design_list(&self, before: Option<u64>, limit: usize) -> Result<DesignPage> {
        let keys = &self.inner.keys;
        let items = reply::array(
            self.inner
                .scripts
                .design_list
                .key(keys.designs_recent())
                .arg(before.map_or_else(String::new, |b| b.to_string()))
                .arg(designs::page_limit(limit))
                .arg(keys.design_prefix())
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        let mut fields = items.into_iter();
        let next_seq = reply::text(&next(&mut fields)?)?;
        let mut page = DesignPage {
            designs: Vec::new(),
            next: next_seq.parse().ok(),
        };
        while let Some(id) = fields.next() {
            let id = reply::text(&id)?
                .parse()
                .map_err(|_| BrokerError::Unexpected("stored design id".into()))?;
            page.designs.push(stored(id, &mut fields)?);
        }
        Ok(page)
    }

    /// Announces batch `id` on the `designs` channel if it completed, once per batch (a
    /// dedupe key lives as long as the batch is retained). Called by every path that can see a
    /// batch completed without knowing whether it was announced: the completing emit (and its
    /// retries) and a claim that drops a chunk of a completed batch (its worker died after
    /// the emit). True when this call published.
    pub(crate) async fn announce_if_completed(&self, id: BatchId) -> Result<bool> {
        let keys = &self.inner.keys;
        let [meta, _, _] = keys.batch_keys(id);
        let (status, ret): (Option<String>, Option<u64>) = redis::cmd("HMGET")
            .arg(&meta)
            .arg(&["status", "ret"][..])
            .query_async(&mut self.conn())
            .await?;
        if status.as_deref() != Some("completed") {
            return Ok(false);
        }
        let ch = keys.channel(&Channel::Designs, &self.inner.settings);
        let items = reply::array(
            self.inner
                .scripts
                .design_announce
                .key(keys.batch_announced(id))
                .key(&ch.meta)
                .key(&ch.stream)
                .arg(&ch.pubsub)
                .arg(designs::batch_announcement(id).as_ref())
                .arg(ret.unwrap_or(1).max(1))
                .arg(ch.maxlen)
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        Ok(reply::int(&items[0])? == 1)
    }
}

/// The next reply element, or an `Unexpected` error when the reply is short.
fn next(fields: &mut impl Iterator<Item = Value>) -> Result<Value> {
    fields
        .next()
        .ok_or_else(|| BrokerError::Unexpected("design reply too short".into()))
}

/// Reads `seq, created ms, owner, record` into a design `id`.
fn stored(id: Uuid, fields: &mut impl Iterator<Item = Value>) -> Result<StoredDesign> {
    Ok(StoredDesign {
        id,
        seq: reply::uint(&next(fields)?)?,
        created_ms: reply::uint(&next(fields)?)?,
        owner: reply::text(&next(fields)?)?,
        record: reply::bytes(next(fields)?)?,
    })
}
