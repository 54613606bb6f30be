//! One design session: a WebSocket that sends design requests and times their replies.
//!
//! Closed loop sends the next request when the previous reply arrives (it measures queueing
//! under saturation, not latency). Open loop sends on a fixed schedule whatever the replies do,
//! and times each reply from the request's *scheduled* send time, so a stalled sender or a
//! slow server shows up as latency instead of silently lowering the rate (coordinated
//! omission). Requests scheduled before the warm-up ends are sent but not timed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::Notify;
use tokio::time::{Instant, sleep_until, timeout_at};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::dialer::WsStream;
use crate::latency::Samples;
use crate::mix::BeamMix;
use crate::reply::{ReplyHead, ReplyKind};

/// How a session paces its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// One request in flight, the next sent when its reply arrives.
    Closed,
    /// One request every `period`, on schedule.
    Open {
        /// Time between scheduled sends.
        period: Duration,
    },
}

/// When a run starts, starts counting, stops sending and gives up on replies.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// When sessions start (open-loop sessions start at their own phase after it).
    pub start: Instant,
    /// Requests scheduled before this are not timed (warm-up).
    pub measure_from: Instant,
    /// No request is sent at or after this.
    pub stop: Instant,
    /// Replies still missing at this time are counted lost.
    pub give_up: Instant,
    /// At most this many requests per session.
    pub max_requests: Option<u64>,
    /// Closed or open loop.
    pub pacing: Pacing,
}

/// What one session saw.
#[derive(Debug, Default)]
pub struct SessionStats {
    /// Round trips of timed requests (open loop: from the scheduled send time).
    pub samples: Samples,
    /// Open loop: round trips from the actual send time (the server's share).
    pub service: Samples,
    /// Open loop: how late each timed request left against its schedule (the generator's
    /// timer granularity, 1 ms in tokio, and its own queueing).
    pub send_lag: Samples,
    /// Requests sent (timed or not).
    pub sent: u64,
    /// Replies of timed requests that were `design_result`.
    pub ok: u64,
    /// Replies of type `error` (e.g. `rate_limited`).
    pub error_replies: u64,
    /// Replies of type `validation_error`.
    pub validation_errors: u64,
    /// Requests with no reply by `give_up` (or when the connection ended).
    pub lost: u64,
    /// The connection ended before the run did; the close code and reason when one came.
    pub disconnected: Option<String>,
}

/// An open-loop session's first scheduled send and the bell the pacer rings at each one.
#[derive(Debug, Clone)]
pub struct SendClock {
    /// The first scheduled send.
    pub first: Instant,
    /// Rung by the [`crate::pacer`] at every scheduled send.
    pub bell: Arc<Notify>,
}

/// What one incoming frame means to a session.
enum Incoming {
    Reply { id: u64, kind: ReplyKind },
    Ignored,
    Ended(String),
}

/// Runs one session to completion on `ws`; request ids start at `first_id`.
pub async fn run(
    ws: WsStream,
    mix: Arc<BeamMix>,
    schedule: Schedule,
    clock: Option<SendClock>,
    first_id: u64,
) -> SessionStats {
    let mut session = Session {
        ws,
        mix,
        schedule,
        next_id: first_id,
        stats: SessionStats::default(),
    };
    match schedule.pacing {
        Pacing::Closed => session.closed_loop().await,
        Pacing::Open { period } => match clock {
            Some(clock) => session.open_loop(clock, period).await,
            None => session.ended("open loop without a send clock".to_owned(), 0),
        },
    }
    let _ = session.ws.close(None).await;
    session.stats
}

struct Session {
    ws: WsStream,
    mix: Arc<BeamMix>,
    schedule: Schedule,
    next_id: u64,
    stats: SessionStats,
}

impl Session {
    fn may_send(&self, at: Instant) -> bool {
        at < self.schedule.stop
            && self
                .schedule
                .max_requests
                .is_none_or(|m| self.stats.sent < m)
    }

    async fn send_next(&mut self) -> Result<u64, tungstenite::Error> {
        let id = self.next_id;
        self.ws.send(Message::text(self.mix.frame(id))).await?;
        self.next_id += 1;
        self.stats.sent += 1;
        Ok(id)
    }

    async fn closed_loop(&mut self) {
        sleep_until(self.schedule.start).await;
        while self.may_send(Instant::now()) {
            let sent_at = Instant::now();
            let id = match self.send_next().await {
                Ok(id) => id,
                Err(e) => return self.ended(e.to_string(), 0),
            };
            loop {
                let frame = match timeout_at(self.schedule.give_up, self.ws.next()).await {
                    Ok(frame) => frame,
                    Err(_) => {
                        self.stats.lost += 1;
                        return;
                    }
                };
                match classify(frame) {
                    Incoming::Reply { id: got, kind } if got == id => {
                        self.completed(kind, sent_at);
                        break;
                    }
                    Incoming::Reply { .. } | Incoming::Ignored => {}
                    Incoming::Ended(why) => return self.ended(why, 1),
                }
            }
        }
    }

    async fn open_loop(&mut self, clock: SendClock, period: Duration) {
        let mut next = clock.first;
        // (request id, scheduled send, actual send)
        let mut in_flight: VecDeque<(u64, Instant, Instant)> = VecDeque::new();
        let give_up = sleep_until(self.schedule.give_up);
        tokio::pin!(give_up);
        loop {
            let sending = self.may_send(next);
            if !sending && in_flight.is_empty() {
                return;
            }
            tokio::select! {
                biased;
                frame = self.ws.next() => match classify(frame) {
                    Incoming::Reply { id, kind } => self.on_reply(&mut in_flight, id, kind),
                    Incoming::Ignored => {}
                    Incoming::Ended(why) => return self.ended(why, in_flight.len()),
                },
                _ = clock.bell.notified(), if sending => {
                    // Send everything due by now: after a stall, late requests go out at once
                    // and keep their scheduled times.
                    while self.may_send(next) && next <= Instant::now() {
                        let sent = Instant::now();
                        match self.send_next().await {
                            Ok(id) => in_flight.push_back((id, next, sent)),
                            Err(e) => return self.ended(e.to_string(), in_flight.len() + 1),
                        }
                        next += period;
                    }
                }
                _ = &mut give_up => {
                    self.stats.lost += in_flight.len() as u64;
                    return;
                }
            }
        }
    }

    fn on_reply(
        &mut self,
        in_flight: &mut VecDeque<(u64, Instant, Instant)>,
        id: u64,
        kind: ReplyKind,
    ) {
        let Some(at) = in_flight.iter().position(|(i, ..)| *i == id) else {
            return;
        };
        // unwrap: `at` was just found in the queue.
        let (_, scheduled, sent) = in_flight.remove(at).unwrap();
        self.completed(kind, scheduled);
        if scheduled >= self.schedule.measure_from {
            self.stats.service.record(sent.elapsed());
            self.stats.send_lag.record(sent - scheduled);
        }
    }

    /// A reply arrived for a request scheduled at `since` (closed loop: sent at `since`).
    fn completed(&mut self, kind: ReplyKind, since: Instant) {
        match kind {
            ReplyKind::ValidationError => self.stats.validation_errors += 1,
            ReplyKind::DesignResult => {
                if since >= self.schedule.measure_from {
                    self.stats.ok += 1;
                }
            }
            _ => self.stats.error_replies += 1,
        }
        if since >= self.schedule.measure_from {
            self.stats.samples.record(since.elapsed());
        }
    }

    fn ended(&mut self, why: String, unanswered: usize) {
        self.stats.lost += unanswered as u64;
        self.stats.disconnected = Some(why);
    }
}

/// Sorts an incoming frame into a reply (any frame echoing a request id, publications
/// excepted), something to ignore, or the end of the connection.
fn classify(frame: Option<Result<Message, tungstenite::Error>>) -> Incoming {
    match frame {
        Some(Ok(Message::Text(text))) => match ReplyHead::parse(&text) {
            Some(ReplyHead {
                kind,
                request_id: Some(id),
            }) if kind != ReplyKind::Publication && kind != ReplyKind::ConnectionAck => {
                Incoming::Reply { id, kind }
            }
            _ => Incoming::Ignored,
        },
        Some(Ok(Message::Close(frame))) => Incoming::Ended(frame.map_or_else(
            || "closed without a code".to_owned(),
            |f| format!("closed {} {}", u16::from(f.code), f.reason),
        )),
        Some(Ok(_)) => Incoming::Ignored,
        Some(Err(e)) => Incoming::Ended(e.to_string()),
        None => Incoming::Ended("connection ended".to_owned()),
    }
}
