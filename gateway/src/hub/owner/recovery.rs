//! The owner's recovery paths: replaying a gap to one resuming subscriber, catching every
//! followed channel up after a gap, a reconnection or a lag (the stream is the truth; pub/sub
//! is at-most-once), and following later the channels the broker could not subscribe while down.

use protocol::{Channel, Position};

use super::super::channel::ChannelState;
use super::super::frame::client_frame;
use super::{HISTORY_PAGE, Hub, bounded};
use crate::connection::OutboundSender;
use crate::hub::HubError;

impl Hub {
    /// Sends `sink` what `channel` published after `since`, up to `until`; whether all of it
    /// could be replayed.
    pub(super) async fn replay(
        &self,
        channel: &Channel,
        since: &Position,
        until: &Position,
        sink: &OutboundSender,
    ) -> bool {
        if since.epoch != until.epoch || since.offset > until.offset {
            return false;
        }
        let mut at = since.clone();
        while at.offset < until.offset {
            let page = match bounded(self.broker.history(channel, Some(&at), HISTORY_PAGE)).await {
                Ok(page) if page.recovered && !page.publications.is_empty() => page,
                Ok(_) => return false,
                Err(e) => {
                    tracing::warn!(%channel, error = %e, "history replay failed");
                    return false;
                }
            };
            for publication in page.publications {
                if publication.offset > until.offset {
                    break;
                }
                at.offset = publication.offset;
                if let Ok(frame) = client_frame(channel, &at, &publication.payload) {
                    // An overflow closes the connection as a slow consumer; nothing more to do.
                    let _ = sink.push(frame);
                }
            }
        }
        true
    }

    pub(super) async fn catch_up_all(&mut self, reason: &str) {
        self.count_recovery(reason);
        let channels: Vec<Channel> = self.channels.keys().cloned().collect();
        for channel in channels {
            self.catch_up(&channel).await;
        }
    }

    /// Reads `channel`'s history after the last delivered position and delivers it.
    pub(super) async fn catch_up(&mut self, channel: &Channel) {
        loop {
            let Some(after) = self
                .channels
                .get(channel)
                .and_then(ChannelState::position)
                .cloned()
            else {
                return;
            };
            let read = self.broker.history(channel, Some(&after), HISTORY_PAGE);
            let page = match bounded(read).await {
                Ok(page) => page,
                Err(e) => {
                    // The next reconnection or gap retries.
                    tracing::warn!(%channel, error = %e, "catch-up read failed");
                    return;
                }
            };
            if !page.recovered {
                self.history_lost(channel, page.position).await;
                return;
            }
            let Some(last) = page.publications.last().map(|p| p.offset) else {
                return;
            };
            for publication in page.publications {
                let position = Position {
                    epoch: page.position.epoch.clone(),
                    offset: publication.offset,
                };
                self.deliver(channel, position, &publication.payload);
            }
            if last >= page.position.offset {
                return;
            }
        }
    }

    /// The channel's history restarted or was trimmed past us: follow from `position` on.
    async fn history_lost(&mut self, channel: &Channel, position: Position) {
        self.count_recovery("lost");
        tracing::warn!(%channel, %position, "channel history lost; following from its position");
        if let Some(state) = self.channels.get_mut(channel) {
            state.reset(position);
        }
        if *channel == Channel::Config
            && let Err(e) = bounded(self.config.reload()).await
        {
            tracing::warn!(error = %e, "config reload failed");
        }
    }

    /// Subscribes the channels whose subscription failed while the broker was down.
    pub(super) async fn retry_follows(&mut self) {
        let channels: Vec<Channel> = self.unfollowed.iter().cloned().collect();
        for channel in channels {
            match self.follow(&channel).await {
                Ok(()) => tracing::info!(%channel, "channel followed after all"),
                Err(e) => {
                    tracing::debug!(%channel, error = %e, "channel still not followed");
                    return;
                }
            }
        }
    }

    /// Follows `channel`; when the broker is down, a plain follow waits (the channel is
    /// subscribed once the broker is back) while a `resume` fails, needing the position now.
    pub(super) async fn follow_or_wait(
        &mut self,
        channel: &Channel,
        resume: bool,
    ) -> Result<(), HubError> {
        match self.follow(channel).await {
            Ok(()) => Ok(()),
            Err(e) if resume => Err(e),
            Err(e) => {
                tracing::warn!(%channel, error = %e, "channel followed once the broker is back");
                self.channels
                    .insert(channel.clone(), ChannelState::default());
                self.unfollowed.insert(channel.clone());
                self.publish_gauge();
                Ok(())
            }
        }
    }
}
