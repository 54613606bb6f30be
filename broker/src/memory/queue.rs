//! The batch queue in memory: the same steps as the Redis scripts, under one mutex.

use std::time::Duration;

use bytes::Bytes;
use protocol::BatchId;
use tokio::time::Instant;

use super::{BatchRec, Log, MemoryBroker, State};
use crate::batch::{
    BatchSpec, BatchState, BatchStatus, BeamResult, Claim, EmitOutcome, Reaped, Submitted,
    check_in_chunk,
};
use crate::element::Element;
use crate::error::{BrokerError, Result};
use crate::event::Counts;

/// Most dead workers one reaper pass handles (as the Redis script).
const REAP_BATCH: usize = 100;

/// Removes the first element equal to `raw` from `list` (LREM count 1).
fn remove_one(list: &mut Vec<Bytes>, raw: &Bytes) {
    if let Some(i) = list.iter().position(|e| e == raw) {
        list.remove(i);
    }
}

impl State {
    /// The claim step for `raw`, already in `worker`'s processing list.
    fn claim(
        &mut self,
        worker: &str,
        raw: Bytes,
        max_attempts: u32,
        now: Instant,
    ) -> Result<Option<Claim>> {
        let e = Element::decode(&raw)?;
        let drop_it = |s: &mut State| {
            remove_one(s.processing.entry(worker.to_owned()).or_default(), &raw);
            Ok(None)
        };
        let Some(b) = self.batch(e.batch, now) else {
            return drop_it(self);
        };
        match b.status {
            BatchStatus::Cancelling => {
                self.cancel_now(e.batch, now);
                return drop_it(self);
            }
            BatchStatus::Cancelled | BatchStatus::Completed => return drop_it(self),
            BatchStatus::Queued | BatchStatus::Running => {}
        }
        let attempt = b.attempts.entry(e.chunk_index).or_insert(0);
        *attempt += 1;
        let attempt = *attempt;
        if attempt > max_attempts {
            tracing::warn!(batch = %e.batch, chunk = e.chunk_index, "poison chunk dead-lettered");
            let lost = (e.first_beam..e.first_beam + e.beam_count)
                .filter(|i| b.mark_done(*i))
                .count() as u32;
            if lost > 0 {
                let payloads = b.land(lost, lost, Vec::new(), now);
                self.append_batch(e.batch, payloads);
            }
            remove_one(self.processing.entry(worker.to_owned()).or_default(), &raw);
            self.dead.push(raw);
            return Ok(None);
        }
        if b.status == BatchStatus::Queued {
            b.status = BatchStatus::Running;
        }
        Ok(Some(Claim {
            worker: worker.to_owned(),
            batch: e.batch,
            chunk_index: e.chunk_index,
            first_beam: e.first_beam,
            beam_count: e.beam_count,
            attempt,
            payload: e.payload,
            element: raw,
        }))
    }

    /// Status of a batch seen by a heartbeat; a pending cancel takes effect.
    fn observe(&mut self, id: BatchId, now: Instant) -> Option<BatchStatus> {
        let status = self.batch(id, now)?.status;
        if status == BatchStatus::Cancelling {
            self.cancel_now(id, now);
            return Some(BatchStatus::Cancelled);
        }
        Some(status)
    }
}

impl MemoryBroker {
    /// Stores the batch and enqueues its chunks atomically; idempotent on the key.
    pub async fn submit(&self, spec: BatchSpec) -> Result<Submitted> {
        let total = spec.total_beams()?;
        let now = Instant::now();
        let mut s = self.lock();
        if let Some(key) = &spec.idempotency_key {
            match s.idempotency.get(key) {
                Some((id, until)) if *until > now => {
                    return Ok(Submitted {
                        id: *id,
                        created: false,
                    });
                }
                _ => {
                    let until = now + self.inner.settings.idempotency_ttl;
                    s.idempotency.insert(key.clone(), (spec.id, until));
                }
            }
        }
        if s.batch(spec.id, now).is_some() {
            return Ok(Submitted {
                id: spec.id,
                created: false,
            });
        }
        let rec = BatchRec {
            owner: spec.owner.clone(),
            status: BatchStatus::Queued,
            counts: Counts {
                total,
                done: 0,
                failed: 0,
            },
            attempts: Default::default(),
            done_bits: vec![0; (total as usize).div_ceil(64)],
            log: Log::new(),
            items: Default::default(),
            retention: spec.retention,
            expires_at: None,
        };
        s.batches.insert(spec.id, rec);
        let mut first_beam = 0;
        for (i, chunk) in spec.chunks.into_iter().enumerate() {
            let element = Element {
                batch: spec.id,
                chunk_index: i as u32,
                first_beam,
                beam_count: chunk.beam_count,
                payload: chunk.payload,
            };
            first_beam += element.beam_count;
            s.pending.push_back(element.encode());
        }
        drop(s);
        self.inner.queued.notify_waiters();
        Ok(Submitted {
            id: spec.id,
            created: true,
        })
    }

    /// Waits up to `timeout` for a chunk, moves it to `worker`'s processing list and claims it.
    pub async fn fetch(&self, worker: &str, timeout: Duration) -> Result<Option<Claim>> {
        let deadline = Instant::now() + timeout;
        // Fetching is a sign of life: a worker that never heartbeats is still reapable.
        self.lock()
            .workers
            .insert(worker.to_owned(), Instant::now());
        loop {
            let notified = self.inner.queued.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let taken = {
                let mut s = self.lock();
                match s.pending.pop_front() {
                    Some(raw) => {
                        s.processing
                            .entry(worker.to_owned())
                            .or_default()
                            .push(raw.clone());
                        let max = self.inner.settings.max_attempts;
                        Some(s.claim(worker, raw, max, Instant::now())?)
                    }
                    None => None,
                }
            };
            match taken {
                Some(Some(claim)) => return Ok(Some(claim)),
                Some(None) => continue,
                None => {}
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(None);
            }
        }
    }

    /// Self-audit at worker start: claims every chunk already in `worker`'s processing list.
    pub async fn recover_own(&self, worker: &str) -> Result<Vec<Claim>> {
        let mut s = self.lock();
        let held = s.processing.get(worker).cloned().unwrap_or_default();
        let max = self.inner.settings.max_attempts;
        let mut claims = Vec::new();
        for raw in held {
            if let Some(c) = s.claim(worker, raw, max, Instant::now())? {
                claims.push(c);
            }
        }
        Ok(claims)
    }

    /// Lands results of a claimed chunk: fenced, deduplicated, counted, delivered.
    pub async fn emit(&self, claim: &Claim, results: &[BeamResult]) -> Result<EmitOutcome> {
        check_in_chunk(claim, results)?;
        let now = Instant::now();
        let mut s = self.lock();
        let b = s
            .batch(claim.batch, now)
            .ok_or(BrokerError::BatchNotFound(claim.batch))?;
        match b.status {
            BatchStatus::Cancelled => return Ok(EmitOutcome::Cancelled),
            BatchStatus::Cancelling => {
                s.cancel_now(claim.batch, now);
                return Ok(EmitOutcome::Cancelled);
            }
            _ => {}
        }
        if b.attempts.get(&claim.chunk_index) != Some(&claim.attempt) {
            return Ok(EmitOutcome::Fenced);
        }
        let (mut payloads, mut beams, mut failed) = (Vec::new(), Vec::new(), 0);
        for r in results {
            if b.mark_done(r.index) {
                payloads.push(r.payload.clone());
                beams.push(r.index);
                failed += u32::from(!r.ok);
            }
        }
        let landed = payloads.len() as u32;
        let skipped = results.len() as u32 - landed;
        if landed > 0 {
            // The results go to the next offsets, ahead of the progress event.
            b.items.record(b.log.offset + 1, beams);
            let events = b.land(landed, failed, payloads, now);
            let status = b.status;
            s.append_batch(claim.batch, events);
            return Ok(EmitOutcome::Accepted {
                appended: landed,
                skipped,
                status,
            });
        }
        Ok(EmitOutcome::Accepted {
            appended: 0,
            skipped,
            status: b.status,
        })
    }

    /// Removes the claimed chunk from the worker's processing list.
    pub async fn ack(&self, claim: &Claim) -> Result<()> {
        let mut s = self.lock();
        if let Some(list) = s.processing.get_mut(&claim.worker) {
            remove_one(list, &claim.element);
        }
        Ok(())
    }

    /// Records `worker` alive and reports the status of the batches it holds.
    pub async fn heartbeat(
        &self,
        worker: &str,
        held: &[BatchId],
    ) -> Result<Vec<(BatchId, Option<BatchStatus>)>> {
        let now = Instant::now();
        let mut s = self.lock();
        s.workers.insert(worker.to_owned(), now);
        Ok(held.iter().map(|id| (*id, s.observe(*id, now))).collect())
    }

    /// One reaper pass unless one ran in this interval: dead workers' chunks go back to the
    /// head of the queue.
    pub async fn reap(&self) -> Result<Option<Reaped>> {
        let now = Instant::now();
        let settings = &self.inner.settings;
        let mut s = self.lock();
        if s.reaped_at
            .is_some_and(|t| now < t + settings.reap_interval)
        {
            return Ok(None);
        }
        s.reaped_at = Some(now);
        let dead: Vec<String> = s
            .workers
            .iter()
            .filter(|(_, seen)| **seen + settings.dead_after <= now)
            .map(|(w, _)| w.clone())
            .take(REAP_BATCH)
            .collect();
        let mut reaped = Reaped::default();
        for worker in dead {
            s.workers.remove(&worker);
            let held = s.processing.remove(&worker).unwrap_or_default();
            reaped.workers += 1;
            reaped.chunks += held.len() as u32;
            for raw in held.into_iter().rev() {
                s.pending.push_front(raw);
            }
        }
        drop(s);
        if reaped.chunks > 0 {
            self.inner.queued.notify_waiters();
        }
        Ok(Some(reaped))
    }

    /// A worker leaving on purpose: hands back every chunk it holds (to the head of the queue)
    /// and leaves the registry. Returns the number of chunks handed back.
    pub async fn retire(&self, worker: &str) -> Result<u32> {
        let mut s = self.lock();
        s.workers.remove(worker);
        let held = s.processing.remove(worker).unwrap_or_default();
        let moved = held.len() as u32;
        for raw in held.into_iter().rev() {
            s.pending.push_front(raw);
        }
        drop(s);
        if moved > 0 {
            self.inner.queued.notify_waiters();
        }
        Ok(moved)
    }

    /// Cancels a batch: queued → cancelled now; running → cancelling.
    pub async fn cancel(&self, id: BatchId) -> Result<BatchStatus> {
        let now = Instant::now();
        let mut s = self.lock();
        let status = s
            .batch(id, now)
            .ok_or(BrokerError::BatchNotFound(id))?
            .status;
        match status {
            BatchStatus::Queued => {
                s.cancel_now(id, now);
                Ok(BatchStatus::Cancelled)
            }
            BatchStatus::Running => {
                if let Some(b) = s.batch(id, now) {
                    b.status = BatchStatus::Cancelling;
                }
                Ok(BatchStatus::Cancelling)
            }
            other => Ok(other),
        }
    }

    /// A batch's metadata and progress.
    pub async fn status(&self, id: BatchId) -> Result<BatchState> {
        let mut s = self.lock();
        let b = s
            .batch(id, Instant::now())
            .ok_or(BrokerError::BatchNotFound(id))?;
        Ok(BatchState {
            id,
            owner: b.owner.clone(),
            status: b.status,
            total: b.counts.total,
            done: b.counts.done,
            failed: b.counts.failed,
            position: b.log.position(),
        })
    }

    /// Chunks in the dead list, oldest first, as `(batch, chunk index)`.
    pub async fn dead_letters(&self) -> Result<Vec<(BatchId, u32)>> {
        let s = self.lock();
        s.dead
            .iter()
            .map(|r| Element::decode(r).map(|e| (e.batch, e.chunk_index)))
            .collect()
    }

    /// Chunks waiting in the queue.
    pub async fn pending_len(&self) -> Result<u64> {
        Ok(self.lock().pending.len() as u64)
    }
}
