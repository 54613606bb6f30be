//! Processing one claimed chunk: decode, design slice by slice, emit each slice, ack.
//!
//! How a chunk ends decides what happens to its queue element:
//!
//! | end | why | element |
//! |---|---|---|
//! | done | every slice landed | acked |
//! | stopped | the batch was cancelled, completed or expired (emit reply or heartbeat) | acked |
//! | fenced | the chunk was reaped and re-claimed: the newer claim owns it | left alone |
//! | abandoned | the shutdown deadline passed, or a broker bug | left in the processing list (handed back when the worker retires) |
//!
//! A fenced chunk is not acked because the element's bytes are the same in every attempt:
//! removing it could remove the newer claim's element if this very worker holds it again.
//! Emits are retried with backoff while Redis is away; the broker's done bitmap and fencing
//! make a repeated emit harmless, so the chunk stays consistent whatever reply was lost.

use std::time::Instant;

use broker::{BeamResult, BrokerError, Claim, EmitOutcome};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::backoff::Backoff;
use crate::designer;
use crate::inflight::Entry;
use crate::worker::Shared;

/// How a chunk's processing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Done,
    Stopped,
    Fenced,
    Abandoned,
}

/// Processes `claim` to its end; `hard` fires at the shutdown deadline.
pub(crate) async fn process(shared: &Shared, claim: Claim, hard: &CancellationToken) {
    let span = tracing::info_span!(
        "chunk",
        batch = %claim.batch,
        chunk = claim.chunk_index,
        attempt = claim.attempt
    );
    async {
        let m = &shared.metrics;
        m.claim_attempt.observe(f64::from(claim.attempt));
        m.chunks_in_flight.inc();
        let entry = shared.inflight.enter(claim.batch);
        let end = run(shared, &claim, &entry, hard).await;
        drop(entry);
        match end {
            End::Done | End::Stopped => {
                if ack(shared, &claim, hard).await {
                    m.chunks_processed.inc();
                }
            }
            End::Fenced => tracing::info!("chunk re-claimed elsewhere; dropped"),
            End::Abandoned => tracing::warn!("chunk left in the processing list"),
        }
        m.chunks_in_flight.dec();
        tracing::debug!(?end, "chunk ended");
    }
    .instrument(span)
    .await
}

/// Designs and emits every slice of the chunk, unless something stops it.
async fn run(shared: &Shared, claim: &Claim, entry: &Entry, hard: &CancellationToken) -> End {
    let (beams, missing) = match shared.designer.decode(claim.payload.clone()).await {
        Ok(beams) => (
            beams,
            "chunk payload holds fewer beams than its claim".to_owned(),
        ),
        Err(why) => {
            tracing::error!(%why, "unreadable chunk: every beam fails");
            (Vec::new(), why)
        }
    };
    let mut beams = beams.into_iter();
    let end = claim.first_beam + claim.beam_count;
    let mut next = claim.first_beam;
    while next < end {
        if entry.stopped().is_cancelled() {
            return End::Stopped;
        }
        if hard.is_cancelled() {
            return End::Abandoned;
        }
        // A slice size past u32 would exceed any chunk anyway.
        let n = u32::try_from(shared.settings.emit_slice)
            .unwrap_or(u32::MAX)
            .min(end - next);
        let records: Vec<_> = beams.by_ref().take(n as usize).collect();
        let started = Instant::now();
        let mut results = shared.designer.design(next, records).await;
        let designed = results.len() as u32;
        results.extend((next + designed..next + n).map(|i| designer::failure(i, &missing)));
        shared
            .metrics
            .design_seconds
            .observe(started.elapsed().as_secs_f64());
        if let Some(stop) = emit(shared, claim, &results, hard).await {
            return stop;
        }
        next += n;
    }
    End::Done
}

/// Emits one slice, retrying while Redis is away; `Some` when the chunk must stop.
async fn emit(
    shared: &Shared,
    claim: &Claim,
    results: &[BeamResult],
    hard: &CancellationToken,
) -> Option<End> {
    let mut backoff = Backoff::new();
    loop {
        let started = Instant::now();
        let r = shared.broker.emit(claim, results).await;
        shared.observe(&r);
        match r {
            Ok(EmitOutcome::Accepted { status, .. }) => {
                let m = &shared.metrics;
                m.emit_seconds.observe(started.elapsed().as_secs_f64());
                let ok = results.iter().filter(|r| r.ok).count() as u64;
                m.beams_designed.inc_by(ok);
                m.beams_failed.inc_by(results.len() as u64 - ok);
                return status.stops_work().then_some(End::Stopped);
            }
            Ok(EmitOutcome::Fenced) => {
                shared.metrics.emits_fenced.inc();
                return Some(End::Fenced);
            }
            Ok(EmitOutcome::Cancelled) | Err(BrokerError::BatchNotFound(_)) => {
                return Some(End::Stopped);
            }
            Err(e) if is_bug(&e) => {
                tracing::error!(error = %e, "emit refused; chunk left for recovery");
                return Some(End::Abandoned);
            }
            Err(_) if backoff.wait(hard).await => {}
            Err(_) => return Some(End::Abandoned),
        }
    }
}

/// Removes the chunk from the processing list, retrying while Redis is away; false when the
/// deadline passed first.
async fn ack(shared: &Shared, claim: &Claim, hard: &CancellationToken) -> bool {
    let mut backoff = Backoff::new();
    loop {
        let r = shared.broker.ack(claim).await;
        shared.observe(&r);
        match r {
            Ok(()) => return true,
            Err(e) if is_bug(&e) => {
                tracing::error!(error = %e, "ack refused");
                return false;
            }
            Err(_) if backoff.wait(hard).await => {}
            Err(_) => return false,
        }
    }
}

/// Errors no retry can fix (a broker or worker bug).
fn is_bug(e: &BrokerError) -> bool {
    matches!(
        e,
        BrokerError::BeamOutOfChunk { .. }
            | BrokerError::Unexpected(_)
            | BrokerError::InvalidBatch(_)
            | BrokerError::VersionConflict { .. }
    )
}
