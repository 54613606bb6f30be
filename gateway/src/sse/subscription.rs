//! [`Subscription`]: a stream's hub subscription, left when the stream is dropped (the client
//! went away or the stream ended), so a finished batch's channel is not followed forever.

use protocol::Channel;

use crate::hub::{HubHandle, SubscriptionId};

/// A hub subscription owned by one stream.
#[derive(Debug)]
pub struct Subscription {
    hub: HubHandle,
    channel: Channel,
    id: SubscriptionId,
}

impl Subscription {
    /// Owns subscription `id` of `channel`.
    pub fn new(hub: HubHandle, channel: Channel, id: SubscriptionId) -> Self {
        Self { hub, channel, id }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Unsubscribing waits for room in the hub's queue: do it beside the dropping task.
        // Outside a runtime (process exit) the hub is gone too and there is nothing to leave.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (hub, channel, id) = (self.hub.clone(), self.channel.clone(), self.id);
            runtime.spawn(async move { hub.unsubscribe(channel, id).await });
        }
    }
}
