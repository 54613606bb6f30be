//! What a subscriber receives: [`Event`]s on a bounded queue, and its [`SubscriberHealth`].
//!
//! Delivery is at-most-once (pub/sub): every event that signals a possible loss —
//! [`Event::Disconnected`], [`Event::Reconnected`], [`Event::Lagged`] — tells the caller to do a
//! catch-up read of each followed channel from its last position (the history is the truth).

use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use protocol::{Channel, Position};
use tokio::sync::mpsc;

/// One publication delivered live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The channel it was published on.
    pub channel: Channel,
    /// Its position (epoch and offset).
    pub position: Position,
    /// The payload as published.
    pub payload: Bytes,
}

/// What a subscriber's receiver yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A live publication.
    Message(Message),
    /// The connection to the broker dropped; publications may be missed until `Reconnected`.
    Disconnected,
    /// The connection is back and every subscription is restored: catch up from history now.
    Reconnected,
    /// The event queue overflowed and events were dropped: catch up from history.
    Lagged,
}

/// How a subscriber is doing, for readiness checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriberHealth {
    /// The connection is up (no disconnection since the last reconnection).
    pub connected: bool,
    /// The last self-publish probe came back in time; false means a wedged subscription:
    /// publishes succeed but nothing is delivered.
    pub delivering: bool,
}

impl SubscriberHealth {
    /// Connected and delivering.
    pub fn is_healthy(self) -> bool {
        self.connected && self.delivering
    }
}

/// The sending side of a subscriber's bounded queue. When full, events are dropped and one
/// [`Event::Lagged`] is queued as soon as there is room again, so a loss is never silent.
#[derive(Debug)]
pub(crate) struct EventSink {
    tx: mpsc::Sender<Event>,
    lagged: AtomicBool,
}

impl EventSink {
    /// A sink and its receiver, holding at most `capacity` events (at least 1).
    pub(crate) fn new(capacity: usize) -> (Self, mpsc::Receiver<Event>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let sink = Self {
            tx,
            lagged: AtomicBool::new(false),
        };
        (sink, rx)
    }

    /// Queues `event` without waiting; on a full queue, drops it and remembers the loss.
    pub(crate) fn push(&self, event: Event) {
        if self.lagged.load(Ordering::Acquire) {
            match self.tx.try_send(Event::Lagged) {
                Ok(()) => self.lagged.store(false, Ordering::Release),
                Err(_) => return,
            }
        }
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(event) {
            self.lagged.store(true, Ordering::Release);
        }
    }

    /// True once the receiver is dropped.
    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_sink_drops_events_then_reports_one_lag() {
        let (sink, mut rx) = EventSink::new(2);
        sink.push(Event::Reconnected);
        sink.push(Event::Disconnected);
        sink.push(Event::Reconnected); // dropped: queue full
        assert_eq!(rx.recv().await, Some(Event::Reconnected));
        assert_eq!(rx.recv().await, Some(Event::Disconnected));
        sink.push(Event::Disconnected);
        assert_eq!(rx.recv().await, Some(Event::Lagged));
        assert_eq!(rx.recv().await, Some(Event::Disconnected));
        assert!(rx.try_recv().is_err());
    }
}
