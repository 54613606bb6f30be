//! A connection's channels: it follows its session's channel and `config` through the hub
//! (into its own outbound queue) and hands each of its design results to the hub for the
//! session's other connections.

use protocol::Channel;

use super::Connection;
use crate::hub::HubError;

impl Connection {
    /// Follows the session's channel and `config`; without the broker the connection still
    /// designs, it only misses other tabs' results and config updates.
    pub(super) async fn follow_channels(&mut self) {
        let session = Channel::Session((*self.session_id).clone());
        for channel in [session, Channel::Config] {
            let sink = self.outbound_tx.clone();
            match self.ctx.hub.subscribe(channel.clone(), sink, None).await {
                Ok(subscribed) => {
                    if matches!(channel, Channel::Session(_)) {
                        self.session_audience = subscribed.audience;
                    }
                    self.followed.push((channel, subscribed.id));
                }
                Err(e) => tracing::warn!(%channel, error = %e, "cannot follow channel"),
            }
        }
    }

    /// Hands a design result to the hub for the session's other connections.
    pub(super) fn sync(&self, event: protocol::StoredEvent) {
        let Some((channel, id)) = self
            .followed
            .first()
            .filter(|(c, _)| matches!(c, Channel::Session(_)))
        else {
            return;
        };
        if !self.session_audience.may_listen() {
            // What the hub would decide, without handing it over (no cross-thread wake-up).
            let syncs = &self.ctx.metrics.session_syncs;
            syncs.with_label_values(&["skipped"]).inc();
            return;
        }
        match self.ctx.hub.publish_from(channel.clone(), event, Some(*id)) {
            Ok(()) => {}
            Err(HubError::Overloaded) => {
                let syncs = &self.ctx.metrics.session_syncs;
                syncs.with_label_values(&["dropped"]).inc();
            }
            Err(e) => tracing::debug!(error = %e, "session sync not published"),
        }
    }
}
