//! Cluster presence for session sync ([`SyncPolicy::ClusterPresence`]): which followed session
//! channels some OTHER gateway follows too, so a lone editor's designs are never published.
//!
//! The answer comes from the broker's live subscriptions ([`broker::Broker::followers`], Redis
//! `PUBSUB NUMSUB`): every gateway holds one broker subscription per followed channel, so a
//! count above one (ourselves) means another gateway has a connection of that session. It is
//! cached here, read per design without a round trip, and refreshed
//! - when this gateway starts following a session channel (right after its SUBSCRIBE, before the
//!   new connection's `connection_ack` is written): a new tab's own designs are published at once;
//! - every [`PRESENCE_REFRESH`] for every followed session channel, in a task beside the owner
//!   ([`PRESENCE_BATCH`] channels per round trip), so the owner never waits on it.
//!
//! While the subscriber is disconnected our own subscription may be missing from the count, so
//! the answer is unknown and the hub publishes (fails open: extra traffic, never a missed result).

use protocol::Channel;
use tokio::time::Duration;

use super::{Hub, SyncPolicy, bounded};

/// How often the cached presence of every followed session channel is refreshed. Also the
/// longest a newly opened tab on another gateway waits before this gateway publishes for it.
pub(crate) const PRESENCE_REFRESH: Duration = Duration::from_millis(500);
/// Session channels asked about per `PUBSUB NUMSUB`.
const PRESENCE_BATCH: usize = 1000;

/// Followers of each asked channel, or why the refresh failed.
pub(super) type PresenceAnswer = Result<Vec<(Channel, u64)>, String>;

impl Hub {
    /// Whether a gateway other than this one follows `channel` (as last refreshed).
    pub(super) fn followed_elsewhere(&self, channel: &Channel) -> bool {
        !self.subscriber.health().connected || self.elsewhere.contains(channel)
    }

    /// Learns at once whether another gateway follows the session channel just followed.
    pub(super) async fn learn_presence(&mut self, channel: &Channel) {
        if self.policy != SyncPolicy::ClusterPresence || !matches!(channel, Channel::Session(_)) {
            return;
        }
        let answer = bounded(self.broker.followers(std::slice::from_ref(channel))).await;
        match answer {
            Ok(counts) if counts.first().is_some_and(|n| *n <= 1) => {
                self.elsewhere.remove(channel);
            }
            Ok(_) => {
                self.elsewhere.insert(channel.clone());
            }
            Err(e) => {
                tracing::warn!(%channel, error = %e, "presence unknown; publishing its results");
                self.elsewhere.insert(channel.clone());
            }
        }
        self.refresh_audience(channel);
        self.shared_gauge();
    }

    /// Starts refreshing the presence of every followed session channel, unless a refresh is
    /// still running.
    pub(super) fn refresh_presence(&mut self) {
        if self.policy != SyncPolicy::ClusterPresence || self.refreshing {
            return;
        }
        let sessions: Vec<Channel> = self
            .channels
            .keys()
            .filter(|c| matches!(c, Channel::Session(_)))
            .cloned()
            .collect();
        if sessions.is_empty() {
            return;
        }
        self.refreshing = true;
        let broker = self.broker.clone();
        let done = self.presence_tx.clone();
        tokio::spawn(async move {
            let mut answer = Vec::with_capacity(sessions.len());
            for batch in sessions.chunks(PRESENCE_BATCH) {
                match bounded(broker.followers(batch)).await {
                    Ok(counts) => answer.extend(batch.iter().cloned().zip(counts)),
                    Err(e) => {
                        // The owner has stopped: nobody is left to tell.
                        let _ = done.send(Err(e.to_string())).await;
                        return;
                    }
                }
            }
            let _ = done.send(Ok(answer)).await;
        });
    }

    /// Applies a refresh to the channels still followed (a failed one keeps the last answer).
    pub(super) fn on_presence(&mut self, answer: PresenceAnswer) {
        self.refreshing = false;
        let counts = match answer {
            Ok(counts) => counts,
            Err(e) => {
                tracing::debug!(error = %e, "presence refresh failed; keeping the last answer");
                return;
            }
        };
        for (channel, followers) in counts {
            if !self.channels.contains_key(&channel) {
                continue;
            }
            if followers > 1 {
                self.elsewhere.insert(channel);
            } else {
                self.elsewhere.remove(&channel);
            }
        }
        self.refresh_audiences();
        self.shared_gauge();
    }

    /// Reports how many followed session channels another gateway follows too.
    pub(super) fn shared_gauge(&self) {
        let shared = i64::try_from(self.elsewhere.len()).unwrap_or(i64::MAX);
        self.metrics.sessions_shared.set(shared);
    }
}
