//! [`Worker`]: the fetch loops, the heartbeat and the reaper over one [`Broker`], and the drain.
//!
//! `concurrency` fetch loops each hold at most one chunk. A loop checks the shutdown token
//! before every fetch and never abandons a fetch midway (a BLMOVE reply dropped on the floor
//! would strand its chunk), so an idle worker stops within one `fetch_timeout`. On shutdown the
//! loops finish their chunk (every emit is idempotent, so finishing is always safe) until
//! `shutdown_deadline`; past it, a chunk still in flight stops between two slices. The heartbeat
//! keeps beating while the chunks drain, so a draining worker is never reaped under its own
//! feet. Then the worker retires: the broker hands any chunk it still holds back to the head of
//! the queue and removes it from the registry in one step.

use std::sync::Arc;
use std::time::Duration;

use broker::{Broker, BrokerError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::backoff::Backoff;
use crate::designer::Designer;
use crate::health::Health;
use crate::inflight::InFlight;
use crate::metrics::Metrics;
use crate::settings::WorkerSettings;
use crate::{chunk, heartbeat, reaper};

/// How long the loops get to notice the hard deadline before the worker returns without them.
const ABANDON_GRACE: Duration = Duration::from_secs(1);
/// How long the last heartbeat or reaper call may take once the loops are done.
const BACKGROUND_GRACE: Duration = Duration::from_secs(2);
/// How long retiring (hand back and deregister) may keep retrying.
const RETIRE_BOUND: Duration = Duration::from_secs(3);

/// State every task of one worker shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) broker: Broker,
    pub(crate) settings: WorkerSettings,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) health: Health,
    pub(crate) inflight: InFlight,
    pub(crate) designer: Designer,
}

impl Shared {
    /// Records a broker call's outcome in the health state and the error counter.
    pub(crate) fn observe<T>(&self, result: &Result<T, BrokerError>) {
        match result {
            Ok(_) => self.health.ok(),
            Err(
                e @ (BrokerError::Connection(_) | BrokerError::Pool(_) | BrokerError::Redis(_)),
            ) => {
                self.metrics.redis_errors.inc();
                self.health.failed(&e.to_string());
                tracing::warn!(error = %e, "broker call failed; retrying");
            }
            // Logical outcomes say nothing about Redis's health.
            Err(_) => {}
        }
    }
}

/// A batch worker: build it with a broker, run it until the shutdown token fires.
#[derive(Debug, Clone)]
pub struct Worker {
    shared: Arc<Shared>,
}

impl Worker {
    /// A worker over `broker`; metrics and health are shared with whoever serves them.
    pub fn new(
        broker: Broker,
        settings: WorkerSettings,
        metrics: Arc<Metrics>,
        health: Health,
    ) -> Self {
        let designer = Designer::new(settings.design_threads);
        Self {
            shared: Arc::new(Shared {
                broker,
                settings,
                metrics,
                health,
                inflight: InFlight::new(),
                designer,
            }),
        }
    }

    /// The worker's id (its processing list and heartbeat entry).
    pub fn id(&self) -> &str {
        &self.shared.settings.id
    }

    /// Runs until `shutdown` fires and the chunks in flight are finished (or the deadline hit).
    pub async fn run(self, shutdown: CancellationToken) {
        let span = tracing::info_span!("worker", worker = %self.id());
        self.run_inner(shutdown).instrument(span).await;
    }

    async fn run_inner(self, shutdown: CancellationToken) {
        let shared = self.shared;
        let hard = CancellationToken::new();
        let loops = TaskTracker::new();
        for n in 0..shared.settings.concurrency {
            let (s, stop, hard) = (shared.clone(), shutdown.clone(), hard.clone());
            loops.spawn(fetch_loop(s, n, stop, hard));
        }
        loops.close();
        let background = CancellationToken::new();
        let tasks = TaskTracker::new();
        tasks.spawn(heartbeat::run(shared.clone(), background.clone()));
        tasks.spawn(reaper::run(shared.clone(), background.clone()));
        tasks.close();
        tracing::info!(concurrency = shared.settings.concurrency, "worker started");

        let drained = drain(&shared, &loops, &shutdown, &hard).await;
        background.cancel();
        let _ = tokio::time::timeout(BACKGROUND_GRACE, tasks.wait()).await;
        if drained {
            retire(&shared).await;
        } else {
            // A loop still inside a fetch could land a chunk in the processing list after a
            // retire had deregistered the worker, where no reaper would look: keep the registry
            // entry instead, and let it expire so the reaper returns everything.
            tracing::warn!("fetch loops stuck; the reaper returns their chunks after dead-after");
        }
        tracing::info!(left_in_flight = shared.inflight.len(), "worker stopped");
    }
}

/// Waits for the loops to stop after `shutdown`, cancelling `hard` at the deadline; true when
/// every loop has returned.
async fn drain(
    shared: &Shared,
    loops: &TaskTracker,
    shutdown: &CancellationToken,
    hard: &CancellationToken,
) -> bool {
    let deadline = async {
        shutdown.cancelled().await;
        tracing::info!(in_flight = shared.inflight.len(), "draining");
        tokio::time::sleep(shared.settings.shutdown_deadline).await;
    };
    tokio::select! {
        _ = loops.wait() => true,
        _ = deadline => {
            tracing::warn!(in_flight = shared.inflight.len(), "shutdown deadline reached");
            hard.cancel();
            tokio::time::timeout(ABANDON_GRACE, loops.wait()).await.is_ok()
        }
    }
}

/// Leaves on purpose: hands the chunks still held back to the head of the queue (a chunk left
/// at the deadline is taken up at once instead of after `dead-after`) and deregisters. If Redis
/// does not answer in time, the registry entry expires and the reaper does the same later.
async fn retire(shared: &Shared) {
    let mut backoff = Backoff::new();
    let give_up = CancellationToken::new();
    let attempts = async {
        loop {
            let r = shared.broker.retire(&shared.settings.id).await;
            shared.observe(&r);
            match r {
                Ok(n) => return Some(n),
                Err(e) if e.is_retryable() && backoff.wait(&give_up).await => {}
                Err(_) => return None,
            }
        }
    };
    match tokio::time::timeout(RETIRE_BOUND, attempts).await {
        Ok(Some(n)) => {
            shared.metrics.chunks_handed_back.inc_by(u64::from(n));
            tracing::info!(handed_back = n, "retired");
        }
        _ => tracing::warn!("retire failed; the reaper returns any chunk after dead-after"),
    }
}

/// One fetch loop: process fetched chunks until shutdown. Loop 0 audits the worker's own
/// processing list at start; any loop audits it again after a failed fetch, since a BLMOVE whose
/// reply was lost may have moved a chunk there that nobody claimed.
async fn fetch_loop(
    shared: Arc<Shared>,
    n: usize,
    shutdown: CancellationToken,
    hard: CancellationToken,
) {
    let mut audit = n == 0;
    let mut backoff = Backoff::new();
    while !shutdown.is_cancelled() {
        if audit && !recover(&shared, &shutdown, &hard).await {
            break;
        }
        audit = false;
        let s = &shared.settings;
        let fetched = shared.broker.fetch(&s.id, s.fetch_timeout).await;
        shared.observe(&fetched);
        match fetched {
            Ok(Some(claim)) => {
                backoff.reset();
                chunk::process(&shared, claim, &hard).await;
            }
            Ok(None) => backoff.reset(),
            Err(_) => {
                audit = true;
                if !backoff.wait(&shutdown).await {
                    break;
                }
            }
        }
    }
}

/// Re-claims and processes the chunks in this worker's own processing list (a restart with the
/// same id after a crash, or a fetch whose reply was lost). A chunk another loop of this worker
/// still processes is re-claimed too: that loop's next emit is fenced and it lets go, so the
/// chunk is finished exactly once. False when shutdown came before Redis answered.
async fn recover(shared: &Shared, shutdown: &CancellationToken, hard: &CancellationToken) -> bool {
    let mut backoff = Backoff::new();
    let claims = loop {
        let r = shared.broker.recover_own(&shared.settings.id).await;
        shared.observe(&r);
        match r {
            Ok(claims) => break claims,
            Err(_) if backoff.wait(shutdown).await => continue,
            Err(_) => return false,
        }
    };
    if !claims.is_empty() {
        tracing::info!(chunks = claims.len(), "recovering own chunks");
    }
    for claim in claims {
        chunk::process(shared, claim, hard).await;
    }
    true
}
