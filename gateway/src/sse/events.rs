//! `GET /events`: the `config` and `designs` channels over SSE (`config_updated` when the
//! design defaults change, `new_design` when a design is saved or a batch finishes).
//!
//! One stream follows two channels, so an event's `id` holds both positions:
//! `<config epoch>:<offset>,<designs epoch>:<offset>` — the channel of the event at its own
//! position, the other at the last one handled (empty before the broker answered). A client
//! resuming with it gets what both channels published after those positions (these histories
//! are short: about `channel_history` entries, so the hub replays them in one go); a position
//! history no longer holds gets a `recovery` event and the stream goes on from the head.

use bytes::Bytes;
use protocol::{Channel, Position};
use tokio::time::{Instant, MissedTickBehavior, interval_at};

use super::frame::{self, LiveEvent};
use super::{SseContext, Subscription};
use crate::GatewayError;
use crate::connection::{Outbound, OutboundReceiver, outbound_queue};

/// The channels `/events` follows, in `id` order.
const CHANNELS: [Channel; 2] = [Channel::Config, Channel::Designs];

/// The `/events` stream of one client.
pub struct EventsStream {
    rx: OutboundReceiver,
    _subscriptions: Vec<Subscription>,
    /// Last position handled per channel of [`CHANNELS`].
    at: [Option<Position>; 2],
    heartbeat: tokio::time::Interval,
    opening: Vec<u8>,
    ctx: SseContext,
}

/// Reads `Last-Event-ID` as the two positions of an `/events` id.
pub fn parse_id(id: &str) -> Result<[Option<Position>; 2], GatewayError> {
    let bad = |why: String| GatewayError::BadRequest(format!("Last-Event-ID: {why}"));
    let (config, designs) = id
        .split_once(',')
        .ok_or_else(|| bad("expected `<config position>,<designs position>`".to_owned()))?;
    let read = |part: &str| -> Result<Option<Position>, GatewayError> {
        if part.is_empty() {
            return Ok(None);
        }
        part.parse().map(Some).map_err(|e| bad(format!("{e}")))
    };
    Ok([read(config)?, read(designs)?])
}

impl EventsStream {
    /// Follows both channels through the hub, replaying after `since` where given.
    pub async fn open(ctx: SseContext, since: [Option<Position>; 2]) -> Result<Self, GatewayError> {
        let (tx, rx) = outbound_queue(ctx.settings.streams.sse_queue_bytes);
        let mut opening = Vec::new();
        frame::retry(&mut opening, ctx.settings.streams.sse_retry.as_millis());
        let mut at = since.clone();
        let mut subscriptions = Vec::with_capacity(2);
        for (i, channel) in CHANNELS.iter().enumerate() {
            let subscribed = ctx
                .hub
                .subscribe(channel.clone(), tx.clone(), since[i].clone())
                .await
                .map_err(|e| GatewayError::Unavailable {
                    message: format!("cannot follow `{channel}`: {e}"),
                    retry_after: Some(std::time::Duration::from_secs(1)),
                })?;
            let hub = (**ctx.hub).clone();
            subscriptions.push(Subscription::new(hub, channel.clone(), subscribed.id));
            if since[i].is_none() || !subscribed.recovered {
                at[i] = subscribed.position.clone();
            }
            if let (false, Some(head)) = (subscribed.recovered, &subscribed.position) {
                frame::recovery(&mut opening, &id(&at), channel, head);
            }
        }
        let every = ctx.settings.streams.sse_heartbeat;
        let mut heartbeat = interval_at(Instant::now() + every, every);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Ok(Self {
            rx,
            _subscriptions: subscriptions,
            at,
            heartbeat,
            opening,
            ctx,
        })
    }

    /// The response's next bytes; `None` when the client was too slow and is cut.
    pub async fn next_chunk(&mut self) -> Option<Bytes> {
        let mut out = std::mem::take(&mut self.opening);
        while out.is_empty() {
            let next = tokio::select! {
                next = self.rx.recv() => next,
                _ = self.heartbeat.tick() => {
                    frame::comment(&mut out, "ping");
                    break;
                }
            };
            match next {
                Outbound::Message(text) => self.write(&text, &mut out),
                Outbound::Overflowed => {
                    self.ctx.metrics.slow_consumer_closes.inc();
                    return None;
                }
            }
        }
        Some(Bytes::from(out))
    }

    fn write(&mut self, text: &str, out: &mut Vec<u8>) {
        let Some(live) = LiveEvent::parse(text) else {
            return;
        };
        let Some(slot) = CHANNELS.iter().position(|c| *c == live.channel) else {
            return;
        };
        let duplicate = self.at[slot]
            .as_ref()
            .is_some_and(|at| at.epoch == live.position.epoch && live.position.offset <= at.offset);
        if duplicate {
            return;
        }
        self.at[slot] = Some(live.position.clone());
        frame::event(out, &id(&self.at), &live.kind, &live.data);
    }
}

/// The `id` of an `/events` event: both positions, comma-separated.
fn id(at: &[Option<Position>; 2]) -> String {
    let part = |p: &Option<Position>| p.as_ref().map(ToString::to_string).unwrap_or_default();
    format!("{},{}", part(&at[0]), part(&at[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_id_round_trips_with_either_part_empty() {
        let at = [Some("c1:4".parse().unwrap()), None];
        assert_eq!(id(&at), "c1:4,");
        assert_eq!(parse_id("c1:4,").unwrap(), at);
        assert!(parse_id("c1:4").is_err());
        assert!(parse_id("c1:x,d:1").is_err());
    }
}
