//! Session sync publishing: the policy's decision (per design, no broker round trip), the
//! publish started beside the owner, and its completion delivered locally.

use broker::BrokerError;
use bytes::Bytes;
use protocol::{Channel, Position, StoredEvent};

use super::{Hub, MAX_IN_FLIGHT, SyncPolicy};
use crate::hub::SubscriptionId;

/// A publish that finished.
pub(super) struct Completion {
    channel: Channel,
    payload: Bytes,
    result: Result<Position, BrokerError>,
}

impl Hub {
    /// Starts publishing `payload` for `from`, unless nobody else may be listening.
    pub(super) fn publish(
        &mut self,
        channel: Channel,
        event: StoredEvent,
        from: Option<SubscriptionId>,
    ) {
        let others_here = self
            .channels
            .get(&channel)
            .is_some_and(|state| state.has_other_than(from));
        let someone_listens = match self.policy {
            SyncPolicy::LocalPresence => others_here,
            SyncPolicy::ClusterPresence => others_here || self.followed_elsewhere(&channel),
            SyncPolicy::Always => true,
        };
        if !someone_listens {
            self.count_sync("skipped");
            return;
        }
        if self.in_flight >= MAX_IN_FLIGHT {
            self.count_sync("dropped");
            return;
        }
        let payload = Bytes::from(event.encode());
        if let Some(from) = from {
            self.pending.add(channel.clone(), payload.clone(), from);
        }
        self.in_flight += 1;
        let broker = self.broker.clone();
        let done = self.completions_tx.clone();
        tokio::spawn(async move {
            let result = broker.publish(&channel, payload.clone()).await;
            let completion = Completion {
                channel,
                payload,
                result,
            };
            // The owner has stopped: nobody is left to deliver to.
            let _ = done.send(completion).await;
        });
    }

    pub(super) async fn on_published(&mut self, done: Completion) {
        self.in_flight -= 1;
        match done.result {
            Ok(position) => {
                self.count_sync("published");
                self.on_message(done.channel, position, &done.payload).await;
            }
            Err(e) => {
                self.pending.take(&done.channel, &done.payload);
                self.count_sync("failed");
                tracing::warn!(channel = %done.channel, error = %e, "session sync publish failed");
            }
        }
    }

    fn count_sync(&self, outcome: &str) {
        self.metrics
            .session_syncs
            .with_label_values(&[outcome])
            .inc();
    }
}
