//! The hub: this gateway's fan-out of channel publications to its connections. One owner task
//! ([`Hub::run`], in `owner`) holds the gateway's ONE broker subscriber and, per followed
//! channel, ONE subscription shared by every local subscriber ([`channel::ChannelState`]); it
//! is reached through a cloneable [`HubHandle`] (the registry's owner/handle pattern).
//!
//! - Delivery goes into each connection's byte-bounded outbound queue; a full queue closes that
//!   connection as a slow consumer and nobody else waits.
//! - Every delivery keeps its position: offsets must arrive contiguously per channel, a gap is
//!   repaired from history, duplicates are dropped, and a broker `Disconnected`/`Reconnected`
//!   or `Lagged` event catches every channel up from history (the stream is the truth).
//! - Subscribing is resume-ready: subscribe first, then read the position (and, with a client
//!   position, replay history to that subscriber alone), so live publications queued meanwhile
//!   merge without duplicates.
//! - The `config` channel is always followed: its publications update the design defaults, and
//!   a reconnection reloads them from the config store.
//! - Publishing goes through the owner ([`HubHandle::publish_from`]), which starts the publish
//!   without waiting for it; the first of the broker's echo, a catch-up read or the publish's
//!   completion delivers it locally without the sender, and the others are duplicates. It is
//!   published only when someone else may listen ([`SyncPolicy`]): another local connection of
//!   the session, or, in cluster mode, another gateway following the session's channel (the
//!   broker's live follower count, cached and refreshed beside the owner).
//! - The owner reports the subscriber's health to `/readyz`.

mod channel;
pub mod frame;
mod owner;
mod pending;

use protocol::{Channel, Position, StoredEvent};
use tokio::sync::{mpsc, oneshot};

pub use channel::{Arrival, Audience, ChannelState, FanOut};
pub use owner::{Hub, SyncPolicy};

use crate::connection::OutboundSender;

/// Commands waiting for the owner. Subscriptions wait for room; a session sync publication that
/// finds the queue full is dropped (counted): the design was answered, other tabs miss one
/// live result and see it in the channel's history.
const COMMAND_QUEUE: usize = 4096;

/// Identifies one local subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub(crate) u64);

/// A subscription made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    /// Its id (to unsubscribe and to publish as).
    pub id: SubscriptionId,
    /// The channel's position when the subscriber joined (after any replay); `None` while the
    /// broker is down (the hub subscribes once it is back; live publications follow then).
    pub position: Option<Position>,
    /// Whether every publication after the requested position was replayed (true when none
    /// was requested).
    pub recovered: bool,
    /// Whether a publication of this subscriber's may reach anyone else: check it before
    /// [`HubHandle::publish_from`] to skip the hand-off when nobody listens.
    pub audience: Audience,
}

/// Why the hub could not do something.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The broker failed.
    #[error(transparent)]
    Broker(#[from] broker::BrokerError),
    /// The broker did not answer in time (Redis down or restarting).
    #[error("the broker is unavailable")]
    BrokerUnavailable,
    /// The hub has stopped (shutdown).
    #[error("the hub has stopped")]
    Stopped,
    /// The hub is too busy to take a publication.
    #[error("the hub is overloaded")]
    Overloaded,
}

#[expect(
    clippy::large_enum_variant,
    reason = "the hot variant is the large one (a session sync); boxing it would add an allocation per design"
)]
pub(crate) enum Command {
    Subscribe {
        channel: Channel,
        sink: OutboundSender,
        since: Option<Position>,
        reply: oneshot::Sender<Result<Subscribed, HubError>>,
    },
    Unsubscribe {
        channel: Channel,
        id: SubscriptionId,
    },
    Publish {
        channel: Channel,
        event: StoredEvent,
        from: Option<SubscriptionId>,
    },
    Followers {
        channel: Channel,
        reply: oneshot::Sender<usize>,
    },
}

/// The cloneable way in to the hub.
#[derive(Debug, Clone)]
pub struct HubHandle {
    commands: mpsc::Sender<Command>,
}

impl HubHandle {
    /// Follows `channel` into `sink`; with `since`, first replays what came after it.
    pub async fn subscribe(
        &self,
        channel: Channel,
        sink: OutboundSender,
        since: Option<Position>,
    ) -> Result<Subscribed, HubError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Subscribe {
            channel,
            sink,
            since,
            reply,
        };
        self.commands
            .send(command)
            .await
            .map_err(|_| HubError::Stopped)?;
        answer.await.map_err(|_| HubError::Stopped)?
    }

    /// Stops following (idempotent).
    pub async fn unsubscribe(&self, channel: Channel, id: SubscriptionId) {
        // A stopped hub follows nothing any more.
        let _ = self
            .commands
            .send(Command::Unsubscribe { channel, id })
            .await;
    }

    /// Publishes `event` on `channel` as subscriber `from` (who will not receive it), if the
    /// sync policy says someone else may be listening; it is encoded only then. Never waits.
    pub fn publish_from(
        &self,
        channel: Channel,
        event: StoredEvent,
        from: Option<SubscriptionId>,
    ) -> Result<(), HubError> {
        let command = Command::Publish {
            channel,
            event,
            from,
        };
        self.commands.try_send(command).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => HubError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => HubError::Stopped,
        })
    }

    /// Local subscribers of `channel` (0 when the hub has stopped).
    pub async fn followers(&self, channel: Channel) -> usize {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Followers { channel, reply })
            .await
            .is_err()
        {
            return 0;
        }
        answer.await.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests;
