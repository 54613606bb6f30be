//! The designs store in memory: the same contract as Redis's (`crate::designs`), every
//! operation under the broker's one lock, so a save and its announcement are one step.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use protocol::{BatchId, Channel};
use tokio::time::Instant;
use uuid::Uuid;

use super::{MemoryBroker, State};
use crate::batch::BatchStatus;
use crate::designs::{self, DesignPage, DesignSpec, SavedDesign, StoredDesign};
use crate::error::Result;

/// Above this many remembered batch announcements, an announcement first forgets expired ones.
const ANNOUNCED_SWEEP_AT: usize = 10_000;

/// Saved designs and the batches already announced.
#[derive(Debug, Default)]
pub(super) struct Designs {
    by_id: HashMap<Uuid, StoredDesign>,
    /// Save sequence → id: the newest-first index.
    recent: BTreeMap<u64, Uuid>,
    seq: u64,
    /// Batches announced, until their retention ends (the dedupe keys of Redis).
    announced: HashMap<BatchId, Instant>,
}

/// Unix time now, in ms (the analogue of Redis `TIME`).
fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl State {
    /// Announces batch `id` on `designs` if it completed and was not announced yet. Called
    /// whenever a batch's channel is appended to, so the completing step announces it.
    pub(super) fn announce_if_completed(&mut self, id: BatchId, now: Instant) {
        let Some(b) = self.batches.get(&id) else {
            return;
        };
        if b.status != BatchStatus::Completed {
            return;
        }
        let until = now + b.retention;
        let announced = &mut self.designs.announced;
        if announced.len() > ANNOUNCED_SWEEP_AT {
            announced.retain(|_, t| *t > now);
        }
        if announced.get(&id).is_some_and(|t| *t > now) {
            return;
        }
        announced.insert(id, until);
        let channel = Channel::Designs;
        let log = self
            .channels
            .entry(channel.clone())
            .or_insert_with(super::Log::new);
        let messages = log.append(
            &channel,
            vec![designs::batch_announcement(id)],
            Some(self.channel_history),
        );
        self.deliver(&channel, messages);
    }
}

impl MemoryBroker {
    /// Stores `spec`, keeps the most recent `designs_kept`, and publishes `announcement` on the
    /// `designs` channel, in one step. An id already stored changes nothing.
    pub async fn design_save(&self, spec: &DesignSpec, announcement: Bytes) -> Result<SavedDesign> {
        let settings = &self.inner.settings;
        let mut s = self.lock();
        if let Some(existing) = s.designs.by_id.get(&spec.id) {
            return Ok(SavedDesign {
                design: existing.clone(),
                created: false,
                position: None,
            });
        }
        let d = &mut s.designs;
        d.seq += 1;
        let design = StoredDesign {
            id: spec.id,
            owner: spec.owner.clone(),
            created_ms: unix_ms(),
            seq: d.seq,
            record: spec.record.clone(),
        };
        d.by_id.insert(spec.id, design.clone());
        d.recent.insert(design.seq, spec.id);
        while d.recent.len() > settings.designs_kept.max(1) {
            if let Some((_, old)) = d.recent.pop_first() {
                d.by_id.remove(&old);
            }
        }
        let position = s.publish(&Channel::Designs, announcement, settings, Instant::now())?;
        Ok(SavedDesign {
            design,
            created: true,
            position: Some(position),
        })
    }

    /// The design `id`, if stored.
    pub async fn design_get(&self, id: Uuid) -> Result<Option<StoredDesign>> {
        Ok(self.lock().designs.by_id.get(&id).cloned())
    }

    /// Saved designs, newest first, older than sequence `before`, at most `limit`.
    pub async fn design_list(&self, before: Option<u64>, limit: usize) -> Result<DesignPage> {
        let limit = designs::page_limit(limit);
        let s = self.lock();
        let d = &s.designs;
        let mut older = d.recent.range(..before.unwrap_or(u64::MAX)).rev();
        let designs: Vec<StoredDesign> = older
            .by_ref()
            .take(limit)
            .filter_map(|(_, id)| d.by_id.get(id).cloned())
            .collect();
        let next = match older.next() {
            Some(_) => designs.last().map(|l| l.seq),
            None => None,
        };
        Ok(DesignPage { designs, next })
    }
}
