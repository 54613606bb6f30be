//! A subscription that resumes after a position: the replies already queued are written first,
//! then `subscribed`, then the gap from history page by page straight to the socket (each write
//! waits for the socket, so a long gap is paced by the client and never piles up in the
//! outbound queue), then the connection joins the hub from the last replayed position for the
//! few publications that landed meanwhile and everything live.
//!
//! `recovered: false` (history gone, another epoch, or a gap over `RESUME_MAX_GAP`) replays
//! nothing and continues from the channel's head; the client reloads over REST. If the hub
//! cannot replay the last stretch, the connection closes with 4002 (`insufficient_state`,
//! reconnectable): resubscribing fills the gap.

use bytes::Bytes;
use bytestring::ByteString;
use protocol::server::Subscribed;
use protocol::{Channel, CloseCode, Position, RequestId, ServerMessage, StoredEvent};
use tokio::time::{Instant, timeout};

use super::super::{Connection, Flow, WRITE_TIMEOUT};
use super::{CALL_TIMEOUT, gateway_error, unavailable};
use crate::connection::Outbound;
use crate::replay::{Page, Replay};

impl Connection {
    /// Subscribes to `channel` after `since`, replaying the gap.
    pub(super) async fn resume(
        &mut self,
        channel: Channel,
        since: Position,
        request_id: Option<RequestId>,
    ) -> Flow {
        if let Err(flow) = self.write_queued().await {
            return flow;
        }
        let broker = (**self.ctx.broker).clone();
        let mut replay = Replay::new(broker, channel.clone(), since);
        let max_gap = self.ctx.settings.streams.resume_max_gap;
        let first = match timeout(CALL_TIMEOUT, replay.first_page(max_gap)).await {
            Ok(Ok(page)) => page,
            Ok(Err(e)) => {
                return self.send(&gateway_error(request_id, crate::batch::store_error(e)));
            }
            Err(_) => return self.send(&gateway_error(request_id, unavailable())),
        };
        let (recovered, head) = match &first {
            Page::Read { head, .. } => (true, head.clone()),
            Page::Lost { head } => (false, head.clone()),
        };
        let subscribed = ServerMessage::Subscribed(Subscribed {
            request_id: request_id.clone(),
            channel: channel.clone(),
            recovered,
            epoch: head.epoch.clone(),
            offset: head.offset,
        });
        if let Err(flow) = self.write_now(ByteString::from(subscribed.encode())).await {
            return flow;
        }
        if let Err(flow) = self.replay_pages(&mut replay, first).await {
            return flow;
        }
        self.last_seen = Instant::now();
        self.join(channel, replay.position().clone()).await
    }

    /// Writes the first page and every later one until the channel's head.
    async fn replay_pages(&mut self, replay: &mut Replay, first: Page) -> Result<(), Flow> {
        let mut page = first;
        loop {
            let Page::Read {
                publications,
                at_head,
                ..
            } = page
            else {
                return Ok(());
            };
            self.write_publications(replay.channel(), &publications)
                .await?;
            if at_head {
                return Ok(());
            }
            if self.shutdown.is_cancelled() {
                return Err(self.on_shutdown());
            }
            page = match timeout(CALL_TIMEOUT, replay.next_page()).await {
                Ok(Ok(page)) => page,
                // History stopped answering mid-replay: the client resubscribes from what it got.
                Ok(Err(_)) | Err(_) => return Err(insufficient_state()),
            };
        }
    }

    async fn write_publications(
        &mut self,
        channel: &Channel,
        publications: &[(Position, Bytes)],
    ) -> Result<(), Flow> {
        for (position, payload) in publications {
            let mut frame = Vec::new();
            let written = StoredEvent::decode(payload).and_then(|event| {
                protocol::publication::write_ws_frame(&mut frame, channel, position, &event)
            });
            if let Err(e) = written {
                tracing::warn!(%channel, %position, error = %e, "unreadable publication skipped");
                continue;
            }
            // The protocol's writer produces JSON text only.
            let text = String::from_utf8(frame).map_err(|_| insufficient_state())?;
            self.write_now(ByteString::from(text)).await?;
        }
        Ok(())
    }

    /// Follows `channel` through the hub from `at` (the last publication written).
    async fn join(&mut self, channel: Channel, at: Position) -> Flow {
        let sink = self.outbound_tx.clone();
        let subscribe = self
            .ctx
            .hub
            .subscribe(channel.clone(), sink, Some(at.clone()));
        let subscribed = match timeout(CALL_TIMEOUT, subscribe).await {
            Ok(Ok(subscribed)) => subscribed,
            Ok(Err(_)) | Err(_) => return insufficient_state(),
        };
        // Not recovered with the hub ahead of us means its replay failed; the hub merely behind
        // our own history read is fine (its frames up to `at` are already written, and the hub
        // skips what this subscriber had).
        let behind = subscribed
            .position
            .as_ref()
            .is_some_and(|p| p.epoch == at.epoch && p.offset <= at.offset);
        self.record(channel, subscribed.id);
        if subscribed.recovered || behind {
            Flow::Continue
        } else {
            insufficient_state()
        }
    }

    /// Writes what is queued (replies due before the subscription), keeping the order.
    async fn write_queued(&mut self) -> Result<(), Flow> {
        loop {
            match self.outbound.try_recv() {
                Some(Outbound::Message(text)) => self.write_now(text).await?,
                Some(Outbound::Overflowed) => {
                    self.ctx.metrics.slow_consumer_closes.inc();
                    let reason = "outbound queue overflow".to_owned();
                    return Err(Flow::Close(CloseCode::SlowConsumer, reason));
                }
                None => return Ok(()),
            }
        }
    }

    /// Writes one frame to the socket now, bounded like every write.
    async fn write_now(&mut self, text: ByteString) -> Result<(), Flow> {
        let bytes = text.len() as u64;
        match timeout(WRITE_TIMEOUT, self.socket.text(&text)).await {
            Err(_) => {
                self.ctx.metrics.slow_consumer_closes.inc();
                let reason = "socket write timed out".to_owned();
                Err(Flow::Close(CloseCode::SlowConsumer, reason))
            }
            Ok(Err(_)) => Err(Flow::Gone),
            Ok(Ok(())) => {
                self.ctx.metrics.messages_out.inc();
                self.ctx.metrics.bytes_out.inc_by(bytes);
                Ok(())
            }
        }
    }
}

fn insufficient_state() -> Flow {
    let reason = "publications could not be replayed; resubscribe".to_owned();
    Flow::Close(CloseCode::InsufficientState, reason)
}
