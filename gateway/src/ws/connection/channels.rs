//! Client-driven channels: `subscribe` (with an optional `(epoch, offset)` to resume after) and
//! `unsubscribe`, for `batch:{id}` (owner or admin, as over REST), `config`, `designs`, and
//! `session:{id}` only for the connection's own session (another session is refused: a session
//! is an editing context, not a feed). The per-connection cap (`subscriptions` in
//! `connection_ack`) counts the channels a client asked for; the two followed for it from the
//! start (its session and `config`) are not counted. Subscribing to a channel already followed
//! replaces that subscription (a resume from the given position).
//!
//! Order on the wire: replies queued before, then `subscribed {recovered, epoch, offset}`, then
//! the replayed publications, then live ones; see `resume`.

use protocol::client::{Subscribe, Unsubscribe};
use protocol::server::Unsubscribed;
use protocol::{Channel, ErrorCode, Position, RequestId, ServerMessage};
use tokio::time::timeout;

use super::{Connection, Flow};
use crate::GatewayError;
use crate::batch::{authorize, store_error};
use crate::ws::reply::{ChannelRequest, error};

mod batches;
mod resume;

/// Longest wait for one broker or hub call made for a request.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl Connection {
    /// Serves a channel or batch request.
    pub(super) async fn on_channel(&mut self, request: ChannelRequest) -> Flow {
        match request {
            ChannelRequest::Subscribe(m) => self.subscribe(m).await,
            ChannelRequest::Unsubscribe(m) => self.unsubscribe(m).await,
            ChannelRequest::SubmitBatch(m) => self.submit_batch(m).await,
            ChannelRequest::CancelBatch(m) => self.cancel_batch(m).await,
            ChannelRequest::SaveDesign(save) => self.save_design(*save).await,
        }
    }

    async fn subscribe(&mut self, m: Subscribe) -> Flow {
        let since = m.since();
        let request_id = m.request_id;
        if let Err(e) = self.may_follow(&m.channel).await {
            return self.send(&gateway_error(request_id, e));
        }
        if !self.is_followed(&m.channel) && self.at_cap(&m.channel) {
            let message = format!(
                "this connection follows {} channels, its cap",
                self.client_subscriptions()
            );
            let reply = error(request_id, ErrorCode::TooManySubscriptions, &message);
            return self.send(&reply);
        }
        self.follow_from(m.channel, since, request_id).await
    }

    /// Whether the caller may follow `channel`.
    async fn may_follow(&self, channel: &Channel) -> Result<(), GatewayError> {
        match channel {
            Channel::Batch(id) => {
                let check = authorize(&self.ctx.broker, &self.principal, *id);
                match timeout(CALL_TIMEOUT, check).await {
                    Ok(result) => result.map(drop),
                    Err(_) => Err(unavailable()),
                }
            }
            Channel::Session(id) if id != &*self.session_id => Err(GatewayError::Forbidden(
                "only this connection's own session channel may be followed".to_owned(),
            )),
            Channel::Session(_) | Channel::Config | Channel::Designs => Ok(()),
        }
    }

    fn is_followed(&self, channel: &Channel) -> bool {
        self.followed.iter().any(|(c, _)| c == channel)
    }

    /// Channels the client asked for (not its session or `config`, followed for it).
    fn client_subscriptions(&self) -> usize {
        self.followed
            .iter()
            .filter(|(c, _)| !counts_free(c))
            .count()
    }

    fn at_cap(&self, channel: &Channel) -> bool {
        let cap = self.ctx.settings.limits.subscriptions_per_connection;
        !counts_free(channel) && self.client_subscriptions() >= cap
    }

    /// Follows `channel` after `since` (its head when `None`), replacing a subscription to it.
    async fn follow_from(
        &mut self,
        channel: Channel,
        since: Option<Position>,
        request_id: Option<RequestId>,
    ) -> Flow {
        let since = match since {
            Some(since) => since,
            None => match timeout(CALL_TIMEOUT, self.ctx.broker.position(&channel)).await {
                Ok(Ok(head)) => head,
                Ok(Err(e)) => return self.send(&gateway_error(request_id, store_error(e))),
                Err(_) => return self.send(&gateway_error(request_id, unavailable())),
            },
        };
        self.leave(&channel).await;
        self.resume(channel, since, request_id).await
    }

    async fn unsubscribe(&mut self, m: Unsubscribe) -> Flow {
        if matches!(m.channel, Channel::Session(_)) {
            let message = "the session channel is followed for the connection's lifetime";
            return self.send(&error(m.request_id, ErrorCode::BadRequest, message));
        }
        self.leave(&m.channel).await;
        self.send(&ServerMessage::Unsubscribed(Unsubscribed {
            request_id: m.request_id,
            channel: m.channel,
        }))
    }

    /// Stops following `channel` here, if it was followed.
    async fn leave(&mut self, channel: &Channel) {
        if let Some(at) = self.followed.iter().position(|(c, _)| c == channel) {
            let (channel, id) = self.followed.remove(at);
            self.ctx.hub.unsubscribe(channel, id).await;
        }
    }

    /// Records a new subscription; the session's stays first (the sync publishes as it).
    fn record(&mut self, channel: Channel, id: crate::hub::SubscriptionId) {
        if matches!(channel, Channel::Session(_)) {
            self.followed.insert(0, (channel, id));
        } else {
            self.followed.push((channel, id));
        }
    }
}

/// Channels followed for every connection, outside the subscription cap.
fn counts_free(channel: &Channel) -> bool {
    matches!(channel, Channel::Session(_) | Channel::Config)
}

/// 503 for a broker that did not answer in time.
fn unavailable() -> GatewayError {
    GatewayError::Unavailable {
        message: "the broker did not answer in time".to_owned(),
        retry_after: None,
    }
}

/// A gateway error as a WebSocket reply: `validation_error` with every field, or `error` with
/// the protocol's code (an internal error's cause is logged, never sent).
fn gateway_error(request_id: Option<RequestId>, e: GatewayError) -> ServerMessage {
    match e {
        GatewayError::Validation(errors) => {
            ServerMessage::ValidationError(protocol::server::ValidationErrorReply {
                request_id,
                errors,
            })
        }
        GatewayError::Internal(cause) => {
            tracing::error!(error.chain = ?cause, "request failed");
            error(request_id, ErrorCode::Internal, "internal error")
        }
        other => error(request_id, other.code(), &other.to_string()),
    }
}
