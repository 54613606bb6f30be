//! The batch queue over Redis: submit, fetch/claim, emit, ack, heartbeat, reap, cancel, status.

use std::time::Duration;

use bytes::Bytes;
use protocol::{BatchId, Epoch, Position};
use redis::{AsyncCommands, Script, ScriptInvocation, Value};

use super::{RedisBroker, reply};
use crate::batch::{
    BatchSpec, BatchState, BatchStatus, BeamResult, Claim, EmitOutcome, Reaped, Submitted,
};
use crate::element::Element;
use crate::error::{BrokerError, Result};

/// Extra time a fetch waits for BLMOVE's reply beyond the server-side timeout.
const BLOCKING_GRACE: Duration = Duration::from_secs(2);

/// What the claim script decided for one taken chunk.
enum ClaimStep {
    Claimed(Claim),
    Dropped,
}

impl RedisBroker {
    /// Stores the batch and enqueues its chunks in one script; idempotent on the key.
    pub async fn submit(&self, spec: BatchSpec) -> Result<Submitted> {
        let total = spec.total_beams()?;
        let keys = &self.inner.keys;
        let [meta, _, _] = keys.batch_keys(spec.id);
        let idem = spec.idempotency_key.as_deref().unwrap_or("");
        let mut inv = self.inner.scripts.submit.prepare_invoke();
        inv.key(&meta)
            .key(keys.pending())
            .key(keys.idempotency(idem))
            .arg(spec.id.to_string())
            .arg(&spec.owner)
            .arg(total)
            .arg(Self::millis(spec.retention).max(1))
            .arg(Self::new_epoch())
            .arg(u8::from(spec.idempotency_key.is_some()))
            .arg(Self::millis(self.inner.settings.idempotency_ttl).max(1));
        let mut first_beam = 0;
        for (i, chunk) in spec.chunks.iter().enumerate() {
            let element = Element {
                batch: spec.id,
                // At most MAX_BEAMS_PER_BATCH chunks (each holds a beam), so the index fits.
                chunk_index: i as u32,
                first_beam,
                beam_count: chunk.beam_count,
                payload: chunk.payload.clone(),
            };
            inv.arg(element.encode().as_ref());
            first_beam += chunk.beam_count;
        }
        let items = reply::array(inv.invoke_async(&mut self.conn()).await?)?;
        let id = reply::text(&items[0])?
            .parse()
            .map_err(|_| BrokerError::Unexpected("stored batch id".into()))?;
        Ok(Submitted {
            id,
            created: reply::int(&items[1])? == 1,
        })
    }

    /// Waits up to `timeout` for a chunk, moves it into `worker`'s processing list and claims it.
    ///
    /// Chunks of cancelled, finished or expired batches are dropped on the way; poison chunks go
    /// to the dead list. `None` when nothing came in time.
    pub async fn fetch(&self, worker: &str, timeout: Duration) -> Result<Option<Claim>> {
        let deadline = tokio::time::Instant::now() + timeout;
        // Fetching is a sign of life: a worker that never heartbeats is still reapable.
        self.beat(worker).await?;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(raw) = self.blocking_move(worker, left).await? else {
                return Ok(None);
            };
            if let ClaimStep::Claimed(claim) = self.claim(worker, raw).await? {
                return Ok(Some(claim));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// BLMOVE pending → the worker's list on a dedicated connection.
    async fn blocking_move(&self, worker: &str, wait: Duration) -> Result<Option<Bytes>> {
        let keys = &self.inner.keys;
        let mut conn = tokio::time::timeout(wait + BLOCKING_GRACE, self.inner.pool.get())
            .await
            .map_err(|_| BrokerError::Pool("no blocking connection free in time".into()))?
            .map_err(|e| BrokerError::Pool(e.to_string()))?;
        // BLMOVE takes seconds as a float; 0 would block forever, so wait at least 1 ms.
        let secs = wait.as_secs_f64().max(0.001);
        let mut cmd = redis::cmd("BLMOVE");
        cmd.arg(keys.pending())
            .arg(keys.proc(worker))
            .arg("LEFT")
            .arg("RIGHT")
            .arg(secs);
        match tokio::time::timeout(wait + BLOCKING_GRACE, cmd.query_async::<Value>(&mut *conn))
            .await
        {
            Ok(Ok(Value::Nil)) => Ok(None),
            Ok(Ok(v)) => reply::bytes(v).map(Some),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => {
                // The reply may still arrive on this connection: never reuse it. The chunk (if
                // the move happened) sits in the worker's list; `recover_own` finds it.
                drop(deadpool_redis::Connection::take(conn));
                Err(BrokerError::Timeout("BLMOVE"))
            }
        }
    }

    /// Runs the claim script for a chunk now in `worker`'s list, then drops or dead-letters it.
    async fn claim(&self, worker: &str, raw: Bytes) -> Result<ClaimStep> {
        let e = Element::decode(&raw)?;
        let keys = &self.inner.keys;
        let items = reply::array(
            self.batch_script(&self.inner.scripts.claim, e.batch)
                .arg(e.chunk_index)
                .arg(self.inner.settings.max_attempts)
                .arg(e.first_beam)
                .arg(e.beam_count)
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        match reply::text(&items[0])?.as_str() {
            "ok" => Ok(ClaimStep::Claimed(Claim {
                worker: worker.to_owned(),
                batch: e.batch,
                chunk_index: e.chunk_index,
                first_beam: e.first_beam,
                beam_count: e.beam_count,
                attempt: reply::uint(&items[1])?,
                payload: e.payload,
                element: raw,
            })),
            "dead" => {
                tracing::warn!(batch = %e.batch, chunk = e.chunk_index, "poison chunk dead-lettered");
                let _: Value = self
                    .inner
                    .scripts
                    .deadletter
                    .key(keys.proc(worker))
                    .key(keys.dead())
                    .arg(raw.as_ref())
                    .invoke_async(&mut self.conn())
                    .await?;
                // A poison chunk may have been the batch's last.
                self.announce_if_completed(e.batch).await?;
                Ok(ClaimStep::Dropped)
            }
            "drop" => {
                // A chunk of a completed batch comes back only when its worker died before the
                // ack, perhaps before announcing: announce now (a repeat is a no-op).
                self.announce_if_completed(e.batch).await?;
                self.remove(worker, &raw).await?;
                Ok(ClaimStep::Dropped)
            }
            "gone" => {
                self.remove(worker, &raw).await?;
                Ok(ClaimStep::Dropped)
            }
            other => Err(BrokerError::Unexpected(format!("claim: {other}"))),
        }
    }

    /// Self-audit at worker start: claims every chunk already in `worker`'s own processing list
    /// (a BLMOVE whose reply was lost, or a crash before the ack) and returns them.
    pub async fn recover_own(&self, worker: &str) -> Result<Vec<Claim>> {
        let raws: Vec<Vec<u8>> = self
            .conn()
            .lrange(self.inner.keys.proc(worker), 0, -1)
            .await?;
        let mut claims = Vec::new();
        for raw in raws {
            if let ClaimStep::Claimed(c) = self.claim(worker, raw.into()).await? {
                claims.push(c);
            }
        }
        Ok(claims)
    }

    /// Lands results of a claimed chunk (fenced, deduplicated, counted, published: one script).
    pub async fn emit(&self, claim: &Claim, results: &[BeamResult]) -> Result<EmitOutcome> {
        crate::batch::check_in_chunk(claim, results)?;
        let mut inv = self.batch_script(&self.inner.scripts.emit, claim.batch);
        inv.arg(claim.chunk_index)
            .arg(claim.attempt)
            .arg(crate::items::runs_arg(results));
        for r in results {
            inv.arg(r.index).arg(u8::from(r.ok)).arg(r.payload.as_ref());
        }
        let items = reply::array(inv.invoke_async(&mut self.conn()).await?)?;
        match reply::text(&items[0])?.as_str() {
            "ok" => {
                let status = reply::text(&items[3])?.parse()?;
                // The completing emit (or its retry) announces the batch on `designs` before
                // the worker may ack: see `crate::designs` for the exactly-once argument.
                if status == BatchStatus::Completed {
                    self.announce_if_completed(claim.batch).await?;
                }
                Ok(EmitOutcome::Accepted {
                    appended: reply::uint(&items[1])?,
                    skipped: reply::uint(&items[2])?,
                    status,
                })
            }
            "fenced" => Ok(EmitOutcome::Fenced),
            "cancelled" => Ok(EmitOutcome::Cancelled),
            "gone" => Err(BrokerError::BatchNotFound(claim.batch)),
            other => Err(BrokerError::Unexpected(format!("emit: {other}"))),
        }
    }

    /// An invocation of a `batch_lib` script on batch `id`: its four keys (meta, done bitmap,
    /// stream, items index; all expire together when the batch ends) and its pub/sub channel.
    fn batch_script<'a>(&self, script: &'a Script, id: BatchId) -> ScriptInvocation<'a> {
        let keys = &self.inner.keys;
        let [meta, done, stream] = keys.batch_keys(id);
        let mut inv = script.prepare_invoke();
        inv.key(meta)
            .key(done)
            .key(stream)
            .key(keys.batch_index(id))
            .arg(keys.batch_pubsub(id));
        inv
    }

    /// Removes the claimed chunk from the worker's processing list (after its last emit).
    pub async fn ack(&self, claim: &Claim) -> Result<()> {
        self.remove(&claim.worker, &claim.element).await
    }

    async fn remove(&self, worker: &str, raw: &Bytes) -> Result<()> {
        let _: i64 = self
            .conn()
            .lrem(self.inner.keys.proc(worker), 1, raw.as_ref())
            .await?;
        Ok(())
    }

    /// Records `worker` alive (server clock) and reports the status of the batches it holds
    /// (`None`: expired or unknown). A pending cancel of one of them takes effect here.
    pub async fn heartbeat(
        &self,
        worker: &str,
        held: &[BatchId],
    ) -> Result<Vec<(BatchId, Option<BatchStatus>)>> {
        self.beat(worker).await?;
        let mut out = Vec::with_capacity(held.len());
        for id in held {
            let status: String = self
                .batch_script(&self.inner.scripts.observe, *id)
                .invoke_async(&mut self.conn())
                .await?;
            out.push((*id, (status != "gone").then(|| status.parse()).transpose()?));
        }
        Ok(out)
    }

    /// Scores `worker` in the heartbeat set with the server's clock.
    async fn beat(&self, worker: &str) -> Result<()> {
        let _: i64 = self
            .inner
            .scripts
            .heartbeat
            .key(self.inner.keys.workers())
            .arg(worker)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(())
    }

    /// One reaper pass, unless another ran in this interval (`None`): dead workers' chunks go
    /// back to the head of the queue.
    pub async fn reap(&self) -> Result<Option<Reaped>> {
        let keys = &self.inner.keys;
        let s = &self.inner.settings;
        let items = reply::array(
            self.inner
                .scripts
                .reap
                .key(keys.workers())
                .key(keys.pending())
                .key(keys.reaper_lock())
                .arg(keys.proc_prefix())
                .arg(Self::millis(s.dead_after))
                .arg(Self::millis(s.reap_interval).max(1))
                .invoke_async(&mut self.conn())
                .await?,
        )?;
        let workers = reply::int(&items[0])?;
        if workers < 0 {
            return Ok(None);
        }
        let reaped = Reaped {
            workers: reply::uint(&items[0])?,
            chunks: reply::uint(&items[1])?,
        };
        if reaped.chunks > 0 {
            tracing::info!(
                workers = reaped.workers,
                chunks = reaped.chunks,
                "reaped dead workers"
            );
        }
        Ok(Some(reaped))
    }

    /// A worker leaving on purpose: hands back every chunk it holds (to the head of the queue)
    /// and leaves the registry. Returns the number of chunks handed back.
    pub async fn retire(&self, worker: &str) -> Result<u32> {
        let keys = &self.inner.keys;
        let moved: u32 = self
            .inner
            .scripts
            .retire
            .key(keys.proc(worker))
            .key(keys.pending())
            .key(keys.workers())
            .arg(worker)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(moved)
    }

    /// Cancels a batch: queued → cancelled now; running → cancelling. Returns the new status.
    pub async fn cancel(&self, id: BatchId) -> Result<BatchStatus> {
        let status: String = self
            .batch_script(&self.inner.scripts.cancel, id)
            .invoke_async(&mut self.conn())
            .await?;
        if status == "gone" {
            return Err(BrokerError::BatchNotFound(id));
        }
        status.parse()
    }

    /// A batch's metadata and progress.
    pub async fn status(&self, id: BatchId) -> Result<BatchState> {
        let [meta, _, _] = self.inner.keys.batch_keys(id);
        let fields = [
            "owner", "status", "total", "done", "failed", "epoch", "offset",
        ];
        let v: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(&meta)
            .arg(&fields[..])
            .query_async(&mut self.conn())
            .await?;
        let [
            Some(owner),
            Some(status),
            Some(total),
            Some(done),
            Some(failed),
            Some(epoch),
            Some(offset),
        ] = <[Option<String>; 7]>::try_from(v)
            .map_err(|_| BrokerError::Unexpected("HMGET arity".into()))?
        else {
            return Err(BrokerError::BatchNotFound(id));
        };
        let num = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| BrokerError::Unexpected(format!("batch field `{s}`")))
        };
        Ok(BatchState {
            id,
            owner,
            status: status.parse()?,
            total: num(&total)? as u32,
            done: num(&done)? as u32,
            failed: num(&failed)? as u32,
            position: Position {
                epoch: Epoch::new(&epoch)
                    .map_err(|e| BrokerError::Unexpected(format!("stored epoch: {e}")))?,
                offset: num(&offset)?,
            },
        })
    }

    /// Chunks in the dead list, oldest first, as `(batch, chunk index)`.
    pub async fn dead_letters(&self) -> Result<Vec<(BatchId, u32)>> {
        let raws: Vec<Vec<u8>> = self.conn().lrange(self.inner.keys.dead(), 0, -1).await?;
        raws.into_iter()
            .map(|r| Element::decode(&r.into()).map(|e| (e.batch, e.chunk_index)))
            .collect()
    }

    /// Chunks waiting in the queue (for autoscaling by queue length).
    pub async fn pending_len(&self) -> Result<u64> {
        Ok(self.conn().llen(self.inner.keys.pending()).await?)
    }
}
