//! One batch's SSE stream: `start` (fresh streams), then the channel's history page by page at
//! the client's pace, then live events through the hub, until the terminal event.
//!
//! - Fresh (no `Last-Event-ID`): `start` with id `<epoch>:0`, then every publication from the
//!   batch's first; so a client that opens the stream late still gets every beam.
//! - Resumed: everything after `Last-Event-ID`, exactly once. A position history cannot replay
//!   (another epoch, expired, or more than `RESUME_MAX_GAP` behind) gets a `recovery` event
//!   pointing at the REST results, and the stream goes on from the channel's head.
//! - `progress` is coalesced: at most one per `SSE_PROGRESS_INTERVAL` (the rest are skipped; the
//!   terminal event carries the final counts), so a million-beam batch does not send thousands.
//! - Redis unavailable: the stream stays open (heartbeats) and retries; it never ends without
//!   a terminal event except when the client is too slow for its queue (then it resumes).

use broker::BatchState;
use bytes::Bytes;
use protocol::{BatchId, Channel, Position, StoredEvent, StoredObject};
use tokio::time::{Duration, Instant, MissedTickBehavior, interval_at, timeout};

use super::frame::{self, LiveEvent};
use super::{SseContext, Subscription};
use crate::connection::{Outbound, OutboundReceiver, outbound_queue};
use crate::replay::{Page, Replay};

/// Longest wait for one broker or hub call before the stream retries.
const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// Pause before retrying after a failed call (Redis down or restarting).
const RETRY_PAUSE: Duration = Duration::from_millis(250);
/// Live frames written in one response chunk at most.
const LIVE_BATCH: usize = 256;
/// History events written in one response chunk at most: a history page (up to
/// `replay::PAGE` results, ~1.4 KB each as events) is written in several chunks, so a
/// replaying stream holds at most ~0.7 MB of formatted events at a time.
const REPLAY_BATCH: usize = 500;

/// Where the stream stands.
enum Phase {
    Replaying(Replay),
    /// At the head of history: join the hub from the last position written.
    Joining,
    Live(OutboundReceiver, Subscription),
    Done,
}

/// Progress coalescing: the first event, then at most one per interval.
struct Coalescer {
    every: Duration,
    last: Option<Instant>,
}

impl Coalescer {
    fn admit(&mut self) -> bool {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < self.every)
        {
            return false;
        }
        self.last = Some(now);
        true
    }
}

/// The stream of one batch; [`BatchStream::next_chunk`] gives the response's next bytes.
pub struct BatchStream {
    ctx: SseContext,
    id: BatchId,
    channel: Channel,
    /// The last position handled (written, or skipped as coalesced progress).
    at: Position,
    phase: Phase,
    progress: Coalescer,
    heartbeat: tokio::time::Interval,
    /// Bytes due before anything else (the opening `retry:` and `start`).
    opening: Vec<u8>,
    /// A resume whose gap is still to be checked against `RESUME_MAX_GAP` (a fresh stream asked
    /// for the whole batch and is never refused).
    check_gap: bool,
    /// Joined the hub and nothing taken from the queue yet: an overflow now comes from the
    /// hub's replay of what landed while we joined, not from a slow client.
    just_joined: bool,
    /// The history page being written (`backlog[next..]` still to go) and whether it reached
    /// the channel's head.
    backlog: Vec<(Position, Bytes)>,
    next: usize,
    backlog_at_head: bool,
}

impl BatchStream {
    /// A stream of the batch `state` (already authorized) resuming after `last_event_id`, or
    /// from the start without one.
    pub fn new(ctx: SseContext, state: &BatchState, last_event_id: Option<Position>) -> Self {
        let streams = ctx.settings.streams;
        let mut opening = Vec::new();
        frame::retry(&mut opening, streams.sse_retry.as_millis());
        let check_gap = last_event_id.is_some();
        let at = match last_event_id {
            Some(position) => position,
            None => {
                let epoch = &state.position.epoch;
                frame::start(&mut opening, epoch, state.id, u64::from(state.total));
                Position::start(epoch.clone())
            }
        };
        let channel = Channel::Batch(state.id);
        let replay = Replay::new((**ctx.broker).clone(), channel.clone(), at.clone());
        let every = streams.sse_heartbeat;
        let mut heartbeat = interval_at(Instant::now() + every, every);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            id: state.id,
            channel,
            at,
            phase: Phase::Replaying(replay),
            progress: Coalescer {
                every: streams.progress_interval,
                last: None,
            },
            heartbeat,
            opening,
            check_gap,
            just_joined: false,
            backlog: Vec::new(),
            next: 0,
            backlog_at_head: false,
            ctx,
        }
    }

    /// The response's next bytes; `None` once the stream is over.
    pub async fn next_chunk(&mut self) -> Option<Bytes> {
        let mut out = std::mem::take(&mut self.opening);
        loop {
            let phase = std::mem::replace(&mut self.phase, Phase::Done);
            self.phase = match phase {
                Phase::Replaying(replay) => self.replay(replay, &mut out).await,
                Phase::Joining => self.join(&mut out).await,
                Phase::Live(rx, subscription) => self.live(rx, subscription, &mut out).await,
                Phase::Done if out.is_empty() => return None,
                Phase::Done => Phase::Done,
            };
            if !out.is_empty() {
                return Some(Bytes::from(out));
            }
        }
    }

    /// The next events of the history page in hand, or the next page of history (the first
    /// one checks the gap is replayable).
    async fn replay(&mut self, mut replay: Replay, out: &mut Vec<u8>) -> Phase {
        if self.next < self.backlog.len() {
            return self.write_backlog(replay, out);
        }
        let max_gap = self.ctx.settings.streams.resume_max_gap;
        let check_gap = self.check_gap;
        let read = async {
            if check_gap {
                replay.first_page(max_gap).await
            } else {
                replay.next_page().await
            }
        };
        let read = timeout(CALL_TIMEOUT, read).await;
        if matches!(read, Ok(Ok(_))) {
            self.check_gap = false;
        }
        match read {
            Ok(Ok(Page::Read {
                publications,
                at_head,
                ..
            })) => {
                (self.backlog, self.next, self.backlog_at_head) = (publications, 0, at_head);
                self.write_backlog(replay, out)
            }
            Ok(Ok(Page::Lost { head })) => {
                tracing::info!(job_id = %self.id, from = %self.at, %head, "resume not recoverable");
                frame::recovery(out, &head.to_string(), &self.channel, &head);
                self.at = head;
                Phase::Joining
            }
            Ok(Err(_)) | Err(_) => self.pause(out, Phase::Replaying(replay)).await,
        }
    }

    /// Writes the next events of the page in hand; where the stream goes after them.
    fn write_backlog(&mut self, replay: Replay, out: &mut Vec<u8>) -> Phase {
        let page = std::mem::take(&mut self.backlog);
        let end = page.len().min(self.next + REPLAY_BATCH);
        let ended = self.write_stored(&page[self.next..end], out);
        let drained = end == page.len();
        if !(ended || drained) {
            (self.backlog, self.next) = (page, end);
        }
        match (ended, drained, self.backlog_at_head) {
            (true, _, _) => Phase::Done,
            (false, true, true) => Phase::Joining,
            (false, _, _) => Phase::Replaying(replay),
        }
    }

    /// Writes stored publications; whether the terminal event was among them.
    fn write_stored(&mut self, publications: &[(Position, Bytes)], out: &mut Vec<u8>) -> bool {
        for (position, payload) in publications {
            self.at = position.clone();
            let event = match StoredEvent::decode(payload) {
                Ok(event) => event,
                Err(e) => {
                    tracing::warn!(job_id = %self.id, %position, error = %e, "unreadable publication skipped");
                    continue;
                }
            };
            let terminal = match &event {
                StoredEvent::Object(StoredObject::Progress { .. }) if !self.progress.admit() => {
                    continue;
                }
                StoredEvent::Object(
                    StoredObject::Complete { .. } | StoredObject::Cancelled { .. },
                ) => true,
                _ => false,
            };
            frame::stored(out, &self.channel, position, &event);
            if terminal {
                return true;
            }
        }
        false
    }

    /// Joins the hub from the last position, unless the batch is already over there.
    async fn join(&mut self, out: &mut Vec<u8>) -> Phase {
        let status = timeout(CALL_TIMEOUT, self.ctx.broker.status(self.id)).await;
        match status {
            Ok(Ok(state))
                if state.status.is_terminal() && self.at.offset >= state.position.offset =>
            {
                return Phase::Done;
            }
            Ok(Ok(_)) => {}
            Ok(Err(broker::BrokerError::BatchNotFound(_))) => return Phase::Done,
            Ok(Err(_)) | Err(_) => return self.pause(out, Phase::Joining).await,
        }
        let (tx, rx) = outbound_queue(self.ctx.settings.streams.sse_queue_bytes);
        let since = Some(self.at.clone());
        let subscribed = timeout(
            CALL_TIMEOUT,
            self.ctx.hub.subscribe(self.channel.clone(), tx, since),
        )
        .await;
        let Ok(Ok(subscribed)) = subscribed else {
            return self.pause(out, Phase::Joining).await;
        };
        let subscription = Subscription::new(
            (**self.ctx.hub).clone(),
            self.channel.clone(),
            subscribed.id,
        );
        // Not recovered with the hub ahead of us means its replay failed: read it ourselves.
        // (The hub merely behind our own history read is fine: its frames are duplicates.)
        let behind = subscribed
            .position
            .as_ref()
            .is_some_and(|p| p.epoch == self.at.epoch && p.offset <= self.at.offset);
        if subscribed.recovered || behind {
            self.just_joined = true;
            Phase::Live(rx, subscription)
        } else {
            drop(subscription);
            let replay = Replay::new(
                (**self.ctx.broker).clone(),
                self.channel.clone(),
                self.at.clone(),
            );
            self.pause(out, Phase::Replaying(replay)).await
        }
    }

    /// Live frames from the hub (several per chunk when they queue up), or a heartbeat.
    async fn live(
        &mut self,
        mut rx: OutboundReceiver,
        sub: Subscription,
        out: &mut Vec<u8>,
    ) -> Phase {
        let next = tokio::select! {
            next = rx.recv() => next,
            _ = self.heartbeat.tick() => {
                frame::comment(out, "ping");
                return Phase::Live(rx, sub);
            }
        };
        let mut next = Some(next);
        for _ in 0..LIVE_BATCH {
            let Some(item) = next.take().or_else(|| rx.try_recv()) else {
                break;
            };
            match item {
                Outbound::Overflowed if self.just_joined => {
                    tracing::debug!(job_id = %self.id, at = %self.at, "join gap over the queue: replaying");
                    return self.rewind();
                }
                Outbound::Overflowed => {
                    self.ctx.metrics.slow_consumer_closes.inc();
                    tracing::info!(job_id = %self.id, at = %self.at, "slow SSE client cut");
                    frame::comment(out, "slow consumer: reconnect with Last-Event-ID");
                    return Phase::Done;
                }
                Outbound::Message(text) => {
                    self.just_joined = false;
                    match self.write_live(&text, out) {
                        Flow::Next => {}
                        Flow::Ended => return Phase::Done,
                        Flow::Gap => return self.rewind(),
                    }
                }
            }
        }
        Phase::Live(rx, sub)
    }

    fn write_live(&mut self, text: &str, out: &mut Vec<u8>) -> Flow {
        let Some(live) = LiveEvent::parse(text) else {
            return Flow::Next;
        };
        if live.position.epoch != self.at.epoch || live.position.offset <= self.at.offset {
            return Flow::Next;
        }
        if live.position.offset > self.at.offset + 1 {
            return Flow::Gap;
        }
        self.at = live.position.clone();
        if live.kind == "progress" && !self.progress.admit() {
            return Flow::Next;
        }
        frame::event(out, &live.position.to_string(), &live.kind, &live.data);
        if live.is_terminal() {
            Flow::Ended
        } else {
            Flow::Next
        }
    }

    /// Back to history from the last position (the hub skipped something).
    fn rewind(&self) -> Phase {
        let broker = (**self.ctx.broker).clone();
        Phase::Replaying(Replay::new(broker, self.channel.clone(), self.at.clone()))
    }

    /// Waits before retrying `then`, keeping the response alive with a heartbeat.
    async fn pause(&mut self, out: &mut Vec<u8>, then: Phase) -> Phase {
        tokio::time::sleep(RETRY_PAUSE).await;
        frame::comment(out, "waiting for the broker");
        then
    }
}

/// What one live frame did to the stream.
enum Flow {
    Next,
    Ended,
    Gap,
}
