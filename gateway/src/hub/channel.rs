//! One followed channel inside the hub: the last position delivered, and the local sinks (each
//! connection's outbound queue) with the offset each has already received. Pure bookkeeping, no
//! I/O: the owner asks [`ChannelState::classify`] what an arriving publication is (next in line,
//! a duplicate, a gap to repair from history, or a new epoch) and fans frames out with
//! [`ChannelState::fan_out`].

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytestring::ByteString;
use protocol::Position;

use super::SubscriptionId;
use crate::connection::{OutboundSender, PushError, Wakeups};

/// What an arriving publication is, relative to what was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// The next offset: deliver it.
    Next,
    /// Already delivered (a catch-up read got there first, or our own publication echoed back).
    Duplicate,
    /// Offsets are missing before it: read history after `after`, then it.
    Gap {
        /// The last position delivered.
        after: Position,
    },
    /// The channel's history restarted (new epoch): deliver it and follow the new epoch.
    NewEpoch,
}

/// One local subscriber of a channel.
#[derive(Debug)]
struct Sink {
    tx: OutboundSender,
    /// Offsets up to this one (in the channel's current epoch) were delivered or skipped.
    after: u64,
}

/// A channel followed by this gateway.
#[derive(Debug, Default)]
pub struct ChannelState {
    /// The last position delivered to the sinks (`None` until known).
    position: Option<Position>,
    sinks: HashMap<SubscriptionId, Sink>,
    audience: Audience,
}

/// Whether anyone but a publication's sender may listen to a channel (see the hub owner's
/// `audience` module): set by the hub, read by connections without a hand-off. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Audience(Arc<AtomicBool>);

impl Audience {
    /// An audience that may always listen (until the hub says otherwise).
    pub fn anyone() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }

    /// Whether a publication may reach someone else.
    pub fn may_listen(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub(crate) fn set(&self, may_listen: bool) {
        self.0.store(may_listen, Ordering::Release);
    }
}

impl Default for Audience {
    fn default() -> Self {
        Self::anyone()
    }
}

impl PartialEq for Audience {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Audience {}

impl ChannelState {
    /// A channel whose publications up to `position` are accounted for.
    pub fn at(position: Position) -> Self {
        Self {
            position: Some(position),
            sinks: HashMap::new(),
            audience: Audience::anyone(),
        }
    }

    /// Who may listen, as the hub last computed it.
    pub fn audience(&self) -> &Audience {
        &self.audience
    }

    /// The last position delivered.
    pub fn position(&self) -> Option<&Position> {
        self.position.as_ref()
    }

    /// Local subscribers.
    pub fn len(&self) -> usize {
        self.sinks.len()
    }

    /// Whether nobody here follows the channel.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }

    /// Whether a subscriber other than `me` follows the channel here.
    pub fn has_other_than(&self, me: Option<SubscriptionId>) -> bool {
        self.sinks.keys().any(|id| Some(*id) != me)
    }

    /// Adds a subscriber that has already received every offset up to `after`.
    pub fn add(&mut self, id: SubscriptionId, tx: OutboundSender, after: u64) {
        self.sinks.insert(id, Sink { tx, after });
    }

    /// Removes a subscriber; whether it was there.
    pub fn remove(&mut self, id: SubscriptionId) -> bool {
        self.sinks.remove(&id).is_some()
    }

    /// What `position` is relative to what was delivered.
    pub fn classify(&self, position: &Position) -> Arrival {
        let Some(last) = &self.position else {
            return Arrival::Next;
        };
        if last.epoch != position.epoch {
            Arrival::NewEpoch
        } else if position.offset <= last.offset {
            Arrival::Duplicate
        } else if position.offset == last.offset + 1 {
            Arrival::Next
        } else {
            Arrival::Gap {
                after: last.clone(),
            }
        }
    }

    /// Records `position` as delivered (the caller has classified it as `Next` or `NewEpoch`).
    pub fn advance(&mut self, position: Position) {
        let new_epoch = self
            .position
            .as_ref()
            .is_some_and(|p| p.epoch != position.epoch);
        if new_epoch {
            for sink in self.sinks.values_mut() {
                sink.after = 0;
            }
        }
        self.position = Some(position);
    }

    /// Jumps to `position` without delivering what lies before it (history lost).
    pub fn reset(&mut self, position: Position) {
        for sink in self.sinks.values_mut() {
            sink.after = position.offset;
        }
        self.position = Some(position);
    }

    /// Pushes `frame` (the publication at `offset`) to every sink that has not had it, except
    /// `exclude`. Returns the subscribers whose connection is gone (to forget) and how many
    /// queues overflowed (those connections close themselves as slow consumers).
    pub fn fan_out(
        &mut self,
        offset: u64,
        frame: &ByteString,
        exclude: Option<SubscriptionId>,
    ) -> FanOut {
        let mut report = FanOut::default();
        // Frames are queued first and the receivers woken after, one list per worker thread
        // (see `connection::lane`): no cross-thread wake-up per subscriber.
        let mut wakeups = Wakeups::default();
        for (id, sink) in &mut self.sinks {
            if sink.after >= offset {
                continue;
            }
            sink.after = offset;
            if Some(*id) == exclude {
                continue;
            }
            match sink.tx.push_quiet(frame.clone()) {
                Ok(wake) => {
                    report.delivered += 1;
                    if wake {
                        wakeups.add(&sink.tx);
                    }
                }
                Err(PushError::Overflow) => report.overflowed += 1,
                Err(PushError::Closed) => report.gone.push(*id),
            }
        }
        wakeups.send();
        for id in &report.gone {
            self.sinks.remove(id);
        }
        report
    }
}

/// What one fan-out did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FanOut {
    /// Frames queued.
    pub delivered: usize,
    /// Queues that overflowed (their connections close as slow consumers).
    pub overflowed: usize,
    /// Subscribers whose connection had ended (removed).
    pub gone: Vec<SubscriptionId>,
}

#[cfg(test)]
mod tests {
    use protocol::Epoch;

    use super::*;
    use crate::connection::{Outbound, outbound_queue};

    fn at(epoch: &str, offset: u64) -> Position {
        Position {
            epoch: Epoch::new(epoch).unwrap(),
            offset,
        }
    }

    #[test]
    fn arrivals_are_next_duplicate_gap_or_new_epoch() {
        let state = ChannelState::at(at("e1", 4));
        assert_eq!(state.classify(&at("e1", 5)), Arrival::Next);
        assert_eq!(state.classify(&at("e1", 4)), Arrival::Duplicate);
        assert_eq!(state.classify(&at("e1", 2)), Arrival::Duplicate);
        assert_eq!(
            state.classify(&at("e1", 7)),
            Arrival::Gap { after: at("e1", 4) }
        );
        assert_eq!(state.classify(&at("e2", 1)), Arrival::NewEpoch);
    }

    #[test]
    fn each_sink_gets_each_offset_once_and_the_excluded_sender_none() {
        let mut state = ChannelState::at(at("e1", 0));
        let (a_tx, mut a_rx) = outbound_queue(1024);
        let (b_tx, mut b_rx) = outbound_queue(1024);
        state.add(SubscriptionId(1), a_tx, 0);
        state.add(SubscriptionId(2), b_tx, 0);
        let frame = ByteString::from("one");
        let first = state.fan_out(1, &frame, Some(SubscriptionId(1)));
        let again = state.fan_out(1, &frame, None);
        assert_eq!(first.delivered, 1);
        assert_eq!(again.delivered, 0, "offset 1 was already accounted for");
        assert_eq!(b_rx.try_recv(), Some(Outbound::Message(frame)));
        assert_eq!(b_rx.try_recv(), None);
        assert_eq!(
            a_rx.try_recv(),
            None,
            "the sender does not get its own result"
        );
    }

    #[test]
    fn an_overflowing_sink_is_reported_and_the_others_still_receive() {
        let mut state = ChannelState::at(at("e1", 0));
        let (slow_tx, _slow_rx) = outbound_queue(4);
        let (fast_tx, mut fast_rx) = outbound_queue(1024);
        state.add(SubscriptionId(1), slow_tx, 0);
        state.add(SubscriptionId(2), fast_tx, 0);
        let report = state.fan_out(1, &ByteString::from("too long"), None);
        assert_eq!((report.delivered, report.overflowed), (1, 1));
        assert!(matches!(fast_rx.try_recv(), Some(Outbound::Message(_))));
    }

    #[test]
    fn a_closed_sink_is_forgotten_and_a_new_epoch_restarts_offsets() {
        let mut state = ChannelState::at(at("e1", 9));
        let (gone_tx, gone_rx) = outbound_queue(64);
        let (live_tx, mut live_rx) = outbound_queue(64);
        state.add(SubscriptionId(1), gone_tx, 9);
        state.add(SubscriptionId(2), live_tx, 9);
        drop(gone_rx);
        state.advance(at("e2", 1));
        let report = state.fan_out(1, &ByteString::from("x"), None);
        assert_eq!(report.gone, vec![SubscriptionId(1)]);
        assert_eq!(state.len(), 1);
        assert!(matches!(live_rx.try_recv(), Some(Outbound::Message(_))));
    }
}
