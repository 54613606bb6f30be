//! A connection's outbound queue, bounded in BYTES. Producers (replies, channel fan-out) never
//! wait: a push that would exceed the bound marks the connection as a slow consumer, drops what
//! it had queued, and the connection's loop closes it with the reconnectable slow-consumer code
//! (the client recovers from channel history). Nobody else is slowed by one slow reader.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytestring::ByteString;
use tokio::sync::Notify;

use super::lane::{self, Lane};

/// Creates a queue holding at most `max_bytes` of payload, woken through the current thread's
/// [`Lane`] when it has one (make it on the thread that runs its receiver).
pub fn outbound_queue(max_bytes: usize) -> (OutboundSender, OutboundReceiver) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        notify: Notify::new(),
        max_bytes,
        lane: lane::current(),
    });
    (
        OutboundSender {
            shared: shared.clone(),
        },
        OutboundReceiver { shared },
    )
}

/// Why a push was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The queue is over its byte bound: the connection is being closed as a slow consumer.
    #[error("the connection's outbound queue is full")]
    Overflow,
    /// The connection is gone.
    #[error("the connection is closed")]
    Closed,
}

/// What the connection's loop takes from its queue next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// A text frame to send.
    Message(ByteString),
    /// The queue overflowed: close with the slow-consumer code now.
    Overflowed,
}

/// The producing side; cheap to clone (one per channel subscription, one for replies).
#[derive(Debug, Clone)]
pub struct OutboundSender {
    shared: Arc<Shared>,
}

/// The consuming side, owned by the connection's loop.
#[derive(Debug)]
pub struct OutboundReceiver {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
    max_bytes: usize,
    /// The worker thread whose task receives (fan-out wakes it from there).
    lane: Option<Lane>,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<ByteString>,
    bytes: usize,
    overflowed: bool,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a panic mid-push; the queue's fields are still consistent
        // (each push/pop updates them together before any call that can panic).
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl OutboundSender {
    /// Queues `message` without waiting.
    pub fn push(&self, message: ByteString) -> Result<(), PushError> {
        self.push_quiet(message)?;
        self.wake();
        Ok(())
    }

    /// Queues `message` without waking the receiver; `true` when the caller must [`wake`] it
    /// (the queue was empty: a receiver may be waiting). An overflow wakes it at once.
    ///
    /// [`wake`]: OutboundSender::wake
    pub fn push_quiet(&self, message: ByteString) -> Result<bool, PushError> {
        let mut state = self.shared.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if state.overflowed {
            return Err(PushError::Overflow);
        }
        if state.bytes + message.len() > self.shared.max_bytes {
            state.overflowed = true;
            state.queue.clear();
            state.bytes = 0;
            drop(state);
            self.wake();
            return Err(PushError::Overflow);
        }
        let was_empty = state.queue.is_empty();
        state.bytes += message.len();
        state.queue.push_back(message);
        Ok(was_empty)
    }

    /// Wakes the receiver (it then takes everything queued).
    pub fn wake(&self) {
        // notify_one stores a permit when nobody waits, so a receiver between its try_recv and
        // its wait still wakes; a receiver that drains a non-empty queue needs no new wake-up.
        self.shared.notify.notify_one();
    }

    /// The worker thread whose task receives, if it has a lane.
    pub fn lane(&self) -> Option<&Lane> {
        self.shared.lane.as_ref()
    }

    /// Payload bytes waiting.
    pub fn queued_bytes(&self) -> usize {
        self.shared.lock().bytes
    }
}

impl OutboundReceiver {
    /// The next thing to do: waits until a message is queued or the queue overflows.
    /// Cancel-safe: nothing is taken from the queue unless it is returned.
    pub async fn recv(&mut self) -> Outbound {
        loop {
            if let Some(next) = self.try_recv() {
                return next;
            }
            // notify_one stores a permit when nobody waits, so a push between try_recv and
            // here still wakes us.
            self.shared.notify.notified().await;
        }
    }

    /// Returns once the queue has overflowed (nothing is taken from it): a connection blocked
    /// writing to a socket that does not drain races its write against this.
    pub async fn overflowed(&self) {
        while !self.shared.lock().overflowed {
            // A push's wake-up may land here instead of in `recv`; `recv` looks at the queue
            // before it waits, so nothing queued is missed.
            self.shared.notify.notified().await;
        }
    }

    /// The next thing to do, if any, without waiting.
    pub fn try_recv(&mut self) -> Option<Outbound> {
        let mut state = self.shared.lock();
        if state.overflowed {
            return Some(Outbound::Overflowed);
        }
        let message = state.queue.pop_front()?;
        state.bytes -= message.len();
        Some(Outbound::Message(message))
    }
}

impl Drop for OutboundReceiver {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.closed = true;
        state.queue.clear();
        state.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::timeout;

    use super::*;

    const BOUND: Duration = Duration::from_secs(5);

    fn text(n: usize) -> ByteString {
        ByteString::from("x".repeat(n))
    }

    #[tokio::test]
    async fn messages_come_out_in_order_and_free_their_bytes() {
        let (tx, mut rx) = outbound_queue(100);
        tx.push(ByteString::from("one")).unwrap();
        tx.push(ByteString::from("three")).unwrap();
        assert_eq!(tx.queued_bytes(), 8);
        assert_eq!(rx.recv().await, Outbound::Message("one".into()));
        assert_eq!(rx.recv().await, Outbound::Message("three".into()));
        assert_eq!(tx.queued_bytes(), 0);
    }

    #[tokio::test]
    async fn the_byte_bound_is_inclusive_and_the_next_byte_overflows() {
        let (tx, mut rx) = outbound_queue(10);
        tx.push(text(6)).unwrap();
        tx.push(text(4)).unwrap();
        assert_eq!(tx.push(text(1)), Err(PushError::Overflow));
        assert_eq!(
            tx.push(text(1)),
            Err(PushError::Overflow),
            "stays overflowed"
        );
        assert_eq!(
            rx.recv().await,
            Outbound::Overflowed,
            "close before draining the backlog"
        );
    }

    #[tokio::test]
    async fn a_slow_reader_never_blocks_producers_or_other_connections() {
        let (slow_tx, _slow_rx) = outbound_queue(64);
        let (fast_tx, mut fast_rx) = outbound_queue(64);
        let mut results = Vec::new();
        for _ in 0..10 {
            results.push(slow_tx.push(text(16)));
            fast_tx.push(text(16)).unwrap();
            let got = timeout(BOUND, fast_rx.recv()).await.unwrap();
            assert_eq!(got, Outbound::Message(text(16)));
        }
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
        assert!(results[4..].iter().all(|r| *r == Err(PushError::Overflow)));
    }

    #[tokio::test]
    async fn a_waiting_receiver_wakes_on_push_and_on_overflow() {
        let (tx, mut rx) = outbound_queue(8);
        let (first_tx, first_rx) = tokio::sync::oneshot::channel();
        let waiting = tokio::spawn(async move {
            let _ = first_tx.send(rx.recv().await);
            rx.recv().await
        });
        tx.push(text(8)).unwrap();
        let first = timeout(BOUND, first_rx).await.unwrap().unwrap();
        assert_eq!(first, Outbound::Message(text(8)));
        assert_eq!(tx.push(text(9)), Err(PushError::Overflow));
        let second = timeout(BOUND, waiting).await.unwrap().unwrap();
        assert_eq!(second, Outbound::Overflowed);
    }

    #[tokio::test]
    async fn pushing_to_a_dropped_connection_fails_closed() {
        let (tx, rx) = outbound_queue(8);
        drop(rx);
        assert_eq!(tx.push(text(1)), Err(PushError::Closed));
    }
}
