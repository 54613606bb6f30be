//! This gateway's own publications in flight. The owner does not wait for a publish: it records
//! the payload and its sender here, and whichever comes first — the broker's echo, a catch-up
//! read or the publish's own completion — delivers it without that sender, matched by payload.
//! Two identical payloads in flight on one channel are interchangeable: each sender then misses
//! one of two identical results, which is the same thing.

use std::collections::HashMap;

use protocol::Channel;

use super::SubscriptionId;

/// Payloads published by local subscribers and not yet delivered, per channel.
#[derive(Debug, Default)]
pub(super) struct Pending {
    by_channel: HashMap<Channel, Vec<(bytes::Bytes, SubscriptionId)>>,
}

impl Pending {
    /// Records that `from` published `payload` on `channel`.
    pub(super) fn add(&mut self, channel: Channel, payload: bytes::Bytes, from: SubscriptionId) {
        self.by_channel
            .entry(channel)
            .or_default()
            .push((payload, from));
    }

    /// The sender of `payload` on `channel`, if it is ours and still pending (forgotten now).
    pub(super) fn take(&mut self, channel: &Channel, payload: &[u8]) -> Option<SubscriptionId> {
        let entries = self.by_channel.get_mut(channel)?;
        let at = entries.iter().position(|(p, _)| p.as_ref() == payload)?;
        let (_, from) = entries.swap_remove(at);
        if entries.is_empty() {
            self.by_channel.remove(channel);
        }
        Some(from)
    }

    /// Forgets a channel nobody follows any more.
    pub(super) fn forget(&mut self, channel: &Channel) {
        self.by_channel.remove(channel);
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[test]
    fn a_pending_payload_is_matched_once_and_only_on_its_channel() {
        let mut pending = Pending::default();
        pending.add(Channel::Config, Bytes::from_static(b"a"), SubscriptionId(1));
        pending.add(Channel::Config, Bytes::from_static(b"b"), SubscriptionId(2));
        assert_eq!(pending.take(&Channel::Designs, b"a"), None);
        assert_eq!(
            pending.take(&Channel::Config, b"b"),
            Some(SubscriptionId(2))
        );
        assert_eq!(pending.take(&Channel::Config, b"b"), None);
        pending.forget(&Channel::Config);
        assert_eq!(pending.take(&Channel::Config, b"a"), None);
    }
}
