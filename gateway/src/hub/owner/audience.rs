//! Each followed channel's [`Audience`]: whether anyone but a publication's sender may listen,
//! by the sync policy. The owner keeps it current; connections read it before handing a design
//! result to the hub, so a lone editor's design costs no cross-thread hand-off (the hub's exact
//! decision still applies to everything handed over).
//!
//! It may only err towards `true` (a stale `true` costs one hand-off the hub then skips; a
//! stale `false` would lose a sync), so every change that can make it `true` updates it at once:
//! a second local subscriber, another gateway seen following, the broker subscriber down.
//! Changes towards `false` may wait for the next health tick.

use protocol::Channel;

use super::{Hub, SyncPolicy};
use crate::hub::channel::ChannelState;

impl Hub {
    /// Recomputes `channel`'s audience.
    pub(super) fn refresh_audience(&self, channel: &Channel) {
        if let Some(state) = self.channels.get(channel) {
            state.audience().set(self.may_listen(channel, state));
        }
    }

    /// Recomputes every followed channel's audience.
    pub(super) fn refresh_audiences(&self) {
        for (channel, state) in &self.channels {
            state.audience().set(self.may_listen(channel, state));
        }
    }

    /// Whether a subscriber's publication on `channel` may reach anyone else.
    fn may_listen(&self, channel: &Channel, state: &ChannelState) -> bool {
        let others_here = state.len() >= 2;
        match self.policy {
            SyncPolicy::LocalPresence => others_here,
            SyncPolicy::ClusterPresence => others_here || self.followed_elsewhere(channel),
            SyncPolicy::Always => true,
        }
    }
}
