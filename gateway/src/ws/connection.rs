//! One WebSocket connection: one task, one `select!` over the shutdown token, incoming frames,
//! the outbound queue, the heartbeat tick and the token's expiry; cleanup after the loop.
//! Replies go through the byte-bounded outbound queue like every other message, so a client
//! that floods requests without reading is closed as a slow consumer, alone. The connection
//! follows its session's channel and `config` through the hub (into the same queue) before its
//! `connection_ack` is written, and hands each design result to the hub for the session's
//! other connections.

use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytestring::ByteString;
use protocol::server::{ServerShuttingDown, TokenExpiring};
use protocol::{Channel, CloseCode, RequestId, ServerMessage, SessionId};

mod ack;
mod channels;
mod follow;
mod save;
use futures_util::future::Either;
use tokio::time::{Duration, Instant, MissedTickBehavior, interval_at, sleep_until, timeout};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::WsContext;
use super::handshake::{self, Admitted, Handshake, Refusal};
use super::reply::{ChannelRequest, ReplyContext, Response, respond};
use super::socket::{Message, ProtocolError, Socket};
use crate::auth::Principal;
use crate::connection::{
    MessageBudget, Outbound, OutboundReceiver, OutboundSender, Verdict, outbound_queue, within,
};
use crate::hub::{Audience, SubscriptionId};
use crate::registry::ConnectionId;

/// A write the socket cannot take within this long is a slow consumer too (the socket's own
/// buffers are full, so the outbound queue cannot drain).
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Queued messages written after a turn of the loop before it looks at its other events again.
const WRITES_PER_TURN: usize = 32;
/// The close code answering a client's close frame.
const NORMAL_CLOSURE: u16 = 1000;
/// Suggested reconnection delay in `server_shutting_down` (clients add jitter).
const RECONNECT_AFTER_MS: u64 = 1_000;

/// Why the loop ended.
enum Flow {
    Continue,
    Close(CloseCode, String),
    /// The client sent its close frame: ours answers it.
    ClientClosed,
    /// The client vanished: nothing more to send.
    Gone,
}

/// A live, admitted connection.
pub struct Connection {
    ctx: WsContext,
    id: ConnectionId,
    session_id: Arc<SessionId>,
    principal: Principal,
    socket: Socket,
    outbound_tx: OutboundSender,
    outbound: OutboundReceiver,
    budget: MessageBudget,
    shutdown: CancellationToken,
    last_seen: Instant,
    expiry_warned: bool,
    /// Channels followed through the hub; the first is the session's.
    followed: Vec<(Channel, SubscriptionId)>,
    /// Whether the session's other connections may hear a result (the hub keeps it current):
    /// a lone editor's design is then not handed to the hub at all.
    session_audience: Audience,
}

impl Connection {
    /// Admits the connection (first-message auth when needed), then serves it to the end.
    ///
    /// Written as futures built by plain functions (`async move` blocks over the arguments)
    /// rather than `async fn`s: an `async fn` keeps a second copy of every argument it moves,
    /// and these futures are what every idle connection holds (see `Connection::start`).
    pub fn serve(
        ctx: WsContext,
        handshake: Handshake,
        socket: Socket,
    ) -> Either<impl Future<Output = ()>, impl Future<Output = ()>> {
        let Handshake {
            session_id,
            principal,
        } = handshake;
        match principal {
            // A token came with the upgrade: the connection is admitted already.
            Some((principal, registration)) => Either::Left(Self::start(
                ctx,
                session_id,
                principal,
                registration,
                socket,
                None,
                None,
            )),
            None => Either::Right(Self::admit_then_serve(ctx, session_id, socket)),
        }
    }

    /// First-message auth, then the connection (or its refusal).
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn keeps a second copy of its arguments in every connection's future"
    )]
    fn admit_then_serve(
        ctx: WsContext,
        session_id: Arc<SessionId>,
        mut socket: Socket,
    ) -> impl Future<Output = ()> {
        async move {
            match handshake::admit(&ctx, &session_id, &mut socket).await {
                Ok(admitted) => {
                    let Admitted {
                        principal,
                        registration,
                        request_id,
                        pending,
                    } = admitted;
                    Self::start(
                        ctx,
                        session_id,
                        principal,
                        registration,
                        socket,
                        request_id,
                        pending,
                    )
                    .await;
                }
                Err(refusal) => refuse(&ctx, socket, refusal).await,
            }
        }
    }

    /// An admitted connection served to the end, in its `ws` span.
    fn start(
        ctx: WsContext,
        session_id: Arc<SessionId>,
        principal: Principal,
        registration: crate::registry::Registration,
        socket: Socket,
        ack_request_id: Option<RequestId>,
        pending: Option<ByteString>,
    ) -> impl Future<Output = ()> {
        let span = tracing::info_span!("ws", conn_id = %registration.id,
            session = %session_id, user = %principal.user());
        let connection = Self::new(ctx, session_id, principal, registration, socket);
        connection.run(ack_request_id, pending).instrument(span)
    }

    fn new(
        ctx: WsContext,
        session_id: Arc<SessionId>,
        principal: Principal,
        registration: crate::registry::Registration,
        socket: Socket,
    ) -> Self {
        let (outbound_tx, outbound) = outbound_queue(ctx.settings.limits.outbound_queue_bytes);
        let budget = MessageBudget::new(ctx.settings.limits.ws_messages_per_sec, Instant::now());
        Self {
            ctx,
            id: registration.id,
            session_id,
            principal,
            socket,
            outbound_tx,
            outbound,
            budget,
            shutdown: registration.shutdown,
            last_seen: Instant::now(),
            expiry_warned: false,
            followed: Vec::new(),
            session_audience: Audience::anyone(),
        }
    }

    /// Serves the connection, then ends it (`self` is held once, in the block).
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn keeps a second copy of its arguments in every connection's future"
    )]
    fn run(
        mut self,
        ack_request_id: Option<RequestId>,
        pending: Option<ByteString>,
    ) -> impl Future<Output = ()> {
        async move {
            let flow = self.serve_loop(ack_request_id, pending).await;
            Box::pin(self.finish(flow)).await;
        }
    }

    /// The connection's life: the ack, the follows, then the loop; why it ended.
    async fn serve_loop(
        &mut self,
        ack_request_id: Option<RequestId>,
        pending: Option<ByteString>,
    ) -> Flow {
        tracing::info!("connected");
        let mut flow = self.send(&self.ack(ack_request_id));
        // Boxed, like `finish` and channel requests: run once, they would otherwise size every
        // idle connection's task.
        Box::pin(self.follow_channels()).await;
        if let (Flow::Continue, Some(text)) = (&flow, pending) {
            flow = self.on_text(&text).await;
        }
        let every = self.ctx.settings.heartbeat.interval;
        let mut heartbeat = interval_at(Instant::now() + every, every);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // One timer for the token's expiry events, reset only when they change (not one timer
        // entry per turn of the loop).
        let expiry_timer = sleep_until(Instant::now());
        tokio::pin!(expiry_timer);
        let mut expiry_for = None;
        // Registered with the token once, not again on every turn of the loop.
        let shutdown = self.shutdown.clone().cancelled_owned();
        tokio::pin!(shutdown);
        while let Flow::Continue = flow {
            let key = (self.principal.expires_at(), self.expiry_warned);
            if expiry_for != Some(key) {
                expiry_for = Some(key);
                if let Some(at) = self.next_expiry_event() {
                    expiry_timer.as_mut().reset(at);
                }
            }
            let expires = key.0.is_some();
            // In order: what ends the connection, the timers (so a busy client cannot starve
            // its token's expiry), then the socket and the queue (drained after every turn).
            flow = tokio::select! {
                biased;
                () = &mut shutdown => self.on_shutdown(),
                () = &mut expiry_timer, if expires => self.on_expiry(),
                _ = heartbeat.tick() => Box::pin(self.on_heartbeat()).await,
                frame = self.socket.recv() => self.on_frame(frame).await,
                next = self.outbound.recv() => self.on_outbound(next).await,
            };
            // Write what this turn queued (a request's reply, usually) before waiting again:
            // one wake-up per request, not one to read it and another to answer it.
            for _ in 0..WRITES_PER_TURN {
                let Flow::Continue = flow else { break };
                let Some(next) = self.outbound.try_recv() else {
                    break;
                };
                flow = self.on_outbound(next).await;
            }
        }
        flow
    }

    /// Queues a message; an overflow is noticed by the loop on its next turn.
    fn send(&self, message: &ServerMessage) -> Flow {
        self.send_encoded(ByteString::from(message.encode()))
    }

    /// Queues an encoded message.
    fn send_encoded(&self, text: ByteString) -> Flow {
        // Overflow and Closed both surface through the receiver: the loop closes the connection.
        let _ = self.outbound_tx.push(text);
        Flow::Continue
    }

    async fn on_frame(&mut self, frame: Option<Result<Message, ProtocolError>>) -> Flow {
        let message = match frame {
            None => return Flow::Gone,
            Some(Ok(message)) => message,
            Some(Err(ProtocolError::Overflow)) => {
                return Flow::Close(CloseCode::MessageTooBig, "frame too big".to_owned());
            }
            Some(Err(e)) => return Flow::Close(CloseCode::BadRequest, e.to_string()),
        };
        self.last_seen = Instant::now();
        match message {
            Message::Text(text) => self.on_text(&text).await,
            // Boxed, like every rare path: its state would size every connection's task.
            Message::Ping(bytes) => Box::pin(self.on_ping(bytes)).await,
            Message::Pong(_) => Flow::Continue,
            // The close handshake: answer with a close frame (RFC 6455 §5.5.1).
            Message::Close(_) => Flow::ClientClosed,
            Message::Binary(_) | Message::Continuation => Flow::Close(
                CloseCode::BadRequest,
                "only unfragmented text frames are accepted".to_owned(),
            ),
        }
    }

    async fn on_text(&mut self, text: &str) -> Flow {
        match self.answer(text) {
            Ok(flow) => flow,
            // Boxed: a rare request whose future would otherwise size every connection's task.
            Err(request) => Box::pin(self.on_channel(request)).await,
        }
    }

    /// Serves `text` at once, or hands back the channel request it is.
    fn answer(&mut self, text: &str) -> Result<Flow, ChannelRequest> {
        self.ctx.metrics.messages_in.inc();
        if let Some(flow) = self.over_budget() {
            return Ok(flow);
        }
        let config = self.ctx.defaults.current();
        let ctx = ReplyContext {
            session_id: &self.session_id,
            principal: &self.principal,
            config: &config,
            authenticator: &self.ctx.authenticator,
            metrics: &self.ctx.metrics,
        };
        Ok(match respond(text, &ctx) {
            Response::Reply(reply) => self.send(&reply),
            Response::Designed { reply, sync } => {
                let flow = self.send_encoded(reply);
                self.sync(sync);
                flow
            }
            Response::Refreshed(principal, reply) => {
                self.principal = principal;
                self.expiry_warned = false;
                self.send(&reply)
            }
            Response::Channel(request) => return Err(request),
        })
    }

    /// `None` when the message is within budget, else what to do instead of serving it.
    fn over_budget(&mut self) -> Option<Flow> {
        // The frame's arrival time (set by `on_frame`): one clock read per frame.
        match self.budget.check(self.last_seen) {
            Verdict::Allowed => None,
            Verdict::Refused => {
                self.ctx
                    .metrics
                    .rate_limited
                    .with_label_values(&["ws"])
                    .inc();
                let message = "message rate limit exceeded";
                let reply = super::reply::error(None, protocol::ErrorCode::RateLimited, message);
                Some(self.send(&reply))
            }
            Verdict::Abusive => Some(Flow::Close(
                CloseCode::BadRequest,
                "message rate limit ignored".to_owned(),
            )),
        }
    }

    async fn on_outbound(&mut self, next: Outbound) -> Flow {
        let text = match next {
            Outbound::Message(text) => text,
            Outbound::Overflowed => {
                self.ctx.metrics.slow_consumer_closes.inc();
                return Flow::Close(
                    CloseCode::SlowConsumer,
                    "outbound queue overflow".to_owned(),
                );
            }
        };
        // Most frames go out at once; waiting for a full socket is the rare path, boxed so its
        // state does not size every idle connection's task.
        match self.socket.try_text(&text) {
            Ok(true) => {}
            Ok(false) => {
                let flow = Box::pin(self.finish_write()).await;
                if !matches!(flow, Flow::Continue) {
                    return flow;
                }
            }
            Err(_) => return Flow::Gone,
        }
        self.ctx.metrics.messages_out.inc();
        self.ctx.metrics.bytes_out.inc_by(text.len() as u64);
        Flow::Continue
    }

    /// Waits for the socket to take the rest of a frame, within the write timeout; an overflow
    /// meanwhile wins (a socket that does not drain must not hide it behind a long write).
    async fn finish_write(&mut self) -> Flow {
        let reason = tokio::select! {
            written = within(WRITE_TIMEOUT, self.socket.flush()) => match written {
                Ok(Ok(())) => return Flow::Continue,
                Ok(Err(_)) => return Flow::Gone,
                Err(_) => "socket write timed out",
            },
            () = self.outbound.overflowed() => "outbound queue overflow",
        };
        self.ctx.metrics.slow_consumer_closes.inc();
        Flow::Close(CloseCode::SlowConsumer, reason.to_owned())
    }

    async fn on_ping(&mut self, bytes: bytes::Bytes) -> Flow {
        written(within(WRITE_TIMEOUT, self.socket.pong(&bytes)).await)
    }

    async fn on_heartbeat(&mut self) -> Flow {
        let heartbeat = self.ctx.settings.heartbeat;
        if self.last_seen.elapsed() >= heartbeat.interval {
            self.socket.release_idle_buffer();
        }
        if self.last_seen.elapsed() > heartbeat.interval + heartbeat.timeout {
            return Flow::Close(
                CloseCode::Stale,
                "no pong within the heartbeat timeout".to_owned(),
            );
        }
        written(within(WRITE_TIMEOUT, self.socket.ping(b"")).await)
    }

    fn on_shutdown(&mut self) -> Flow {
        let notice = ServerMessage::ServerShuttingDown(ServerShuttingDown {
            reconnect_after_ms: RECONNECT_AFTER_MS,
        });
        // Queued behind the replies already due; `finish` flushes them before closing.
        self.send(&notice);
        Flow::Close(CloseCode::Shutdown, "server shutting down".to_owned())
    }

    /// When the token next needs attention: the `token_expiring` warning, then expiry.
    fn next_expiry_event(&self) -> Option<Instant> {
        let expires_at = self.principal.expires_at()?;
        let now_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let until_expiry = Duration::from_secs(expires_at.saturating_sub(now_unix));
        let lead = self.ctx.settings.token_expiring_lead;
        let wait = if self.expiry_warned {
            until_expiry
        } else {
            until_expiry.saturating_sub(lead)
        };
        Some(Instant::now() + wait)
    }

    fn on_expiry(&mut self) -> Flow {
        if self.expiry_warned {
            return Flow::Close(CloseCode::TokenExpired, "token expired".to_owned());
        }
        self.expiry_warned = true;
        let expires_at = self.principal.expires_at().unwrap_or_default();
        self.send(&ServerMessage::TokenExpiring(TokenExpiring { expires_at }))
    }

    /// Ends the connection: the close frame first (after what is queued, unless the client
    /// is the slow one), then the bookkeeping, then the lingering close.
    async fn finish(mut self, flow: Flow) {
        let code = match flow {
            Flow::Close(code, reason) => {
                if code != CloseCode::SlowConsumer {
                    self.flush().await;
                }
                self.socket.close(code.code(), &reason).await;
                code.code().to_string()
            }
            Flow::ClientClosed => {
                self.socket.close(NORMAL_CLOSURE, "").await;
                "client".to_owned()
            }
            Flow::Gone | Flow::Continue => "client".to_owned(),
        };
        tracing::info!(close = %code, "disconnected");
        self.ctx
            .metrics
            .disconnects
            .with_label_values(&[&code])
            .inc();
        for (channel, id) in self.followed.drain(..) {
            self.ctx.hub.unsubscribe(channel, id).await;
        }
        self.ctx.registry.unregister(self.id).await;
        self.socket.linger().await;
    }

    /// Writes what is still queued (replies due before a close), each write bounded.
    async fn flush(&mut self) {
        while let Some(Outbound::Message(text)) = self.outbound.try_recv() {
            let written = timeout(WRITE_TIMEOUT, self.socket.text(&text)).await;
            if !matches!(written, Ok(Ok(()))) {
                break;
            }
        }
    }
}

/// What a bounded control-frame write means for the connection.
fn written(outcome: Result<std::io::Result<()>, crate::connection::deadline::TimedOut>) -> Flow {
    match outcome {
        Ok(Ok(())) => Flow::Continue,
        Ok(Err(_)) => Flow::Gone,
        Err(_) => Flow::Close(CloseCode::SlowConsumer, "socket write timed out".to_owned()),
    }
}

/// Closes a connection that was not admitted, counting the close.
async fn refuse(ctx: &WsContext, mut socket: Socket, refusal: Refusal) {
    if let Refusal::Close(code, reason) = refusal {
        let label = code.code().to_string();
        ctx.metrics.disconnects.with_label_values(&[&label]).inc();
        socket.close(code.code(), &reason).await;
        socket.linger().await;
    }
}
