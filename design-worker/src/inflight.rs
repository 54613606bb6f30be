//! [`InFlight`]: the chunks this worker holds right now, and how to stop them.
//!
//! The heartbeat reports the batches held here to the broker and cancels the chunks of any
//! batch that stopped (cancelled, completed elsewhere, expired). A chunk registers when it
//! starts and leaves when its [`Entry`] drops, whatever way its processing ended.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use protocol::BatchId;
use tokio_util::sync::CancellationToken;

/// The registry of chunks in flight; clones share it.
#[derive(Debug, Clone, Default)]
pub struct InFlight {
    inner: Arc<Mutex<Registry>>,
}

#[derive(Debug, Default)]
struct Registry {
    next: u64,
    chunks: HashMap<u64, (BatchId, CancellationToken)>,
}

/// One chunk's registration; leaves the registry on drop.
#[derive(Debug)]
pub struct Entry {
    owner: InFlight,
    key: u64,
    stop: CancellationToken,
}

impl Entry {
    /// Fires when the chunk's batch stopped: finish the current emit and stop.
    pub fn stopped(&self) -> &CancellationToken {
        &self.stop
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.owner.lock().chunks.remove(&self.key);
    }
}

impl InFlight {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a chunk of `batch`.
    pub fn enter(&self, batch: BatchId) -> Entry {
        let stop = CancellationToken::new();
        let mut r = self.lock();
        let key = r.next;
        r.next += 1;
        r.chunks.insert(key, (batch, stop.clone()));
        Entry {
            owner: self.clone(),
            key,
            stop,
        }
    }

    /// The distinct batches held.
    pub fn batches(&self) -> Vec<BatchId> {
        let mut ids: Vec<BatchId> = self.lock().chunks.values().map(|(b, _)| *b).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Stops every chunk of `batch`.
    pub fn stop_batch(&self, batch: BatchId) {
        for (b, stop) in self.lock().chunks.values() {
            if *b == batch {
                stop.cancel();
            }
        }
    }

    /// Chunks held.
    pub fn len(&self) -> usize {
        self.lock().chunks.len()
    }

    /// True when no chunk is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // A poisoned lock only means a panic elsewhere; the map itself is still consistent
        // (every mutation is a single insert or remove).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_a_batch_stops_only_its_chunks_and_entries_leave_on_drop() {
        let held = InFlight::new();
        let (a, b) = (BatchId::new(), BatchId::new());
        let a1 = held.enter(a);
        let a2 = held.enter(a);
        let b1 = held.enter(b);
        assert_eq!(held.batches().len(), 2);
        held.stop_batch(a);
        assert!(a1.stopped().is_cancelled() && a2.stopped().is_cancelled());
        assert!(!b1.stopped().is_cancelled());
        drop((a1, a2));
        assert_eq!(held.batches(), vec![b]);
        drop(b1);
        assert!(held.is_empty());
    }
}
