//! `submit_batch` and `cancel_batch` over WebSocket, with REST's rules: scope `batch`, every row
//! validated before anything is queued (`validation_error` lists the bad rows by `index`), the
//! beam cap, and owner-or-admin for cancelling.
//!
//! A submitted batch is followed at once from its first publication: `batch_accepted`, then
//! `subscribed` (same `request_id`), then every event of the batch; the subscription counts
//! against the cap, which is checked before anything is queued.

use bytes::Bytes;
use protocol::client::{CancelBatch, SubmitBatch};
use protocol::server::{BatchAccepted, BatchCancelled};
use protocol::{Channel, ErrorCode, Position, ServerMessage};
use tokio::time::timeout;

use super::super::{Connection, Flow};
use super::{CALL_TIMEOUT, gateway_error, unavailable};
use crate::auth::Scope;
use crate::batch::{BatchInput, authorize, store_error, submit};
use crate::routes::batches::cancel_batch;
use crate::ws::reply::error;

impl Connection {
    pub(super) async fn submit_batch(&mut self, m: SubmitBatch) -> Flow {
        let request_id = m.request_id.clone();
        if let Err(e) = self.principal.require(Scope::Batch) {
            return self.send(&gateway_error(request_id, e.into()));
        }
        if self.client_subscriptions() >= self.ctx.settings.limits.subscriptions_per_connection {
            let message = "the subscription cap is reached: unsubscribe before submitting";
            return self.send(&error(request_id, ErrorCode::TooManySubscriptions, message));
        }
        let input = match (m.beams, m.csv) {
            (Some(beams), _) => BatchInput::Parsed(beams),
            (None, Some(csv)) => BatchInput::Csv(Bytes::from(csv)),
            // The decoder refuses a submit without exactly one of the two.
            (None, None) => BatchInput::Parsed(Vec::new()),
        };
        let config = self.ctx.defaults.current();
        let limits = self.ctx.settings.batches;
        let user = self.principal.user().to_owned();
        let accepted = submit(&self.ctx.broker, &limits, config, &user, input, None).await;
        let accepted = match accepted {
            Ok(accepted) => accepted,
            Err(e) => return self.send(&gateway_error(request_id, e)),
        };
        let channel = Channel::Batch(accepted.id);
        self.send(&ServerMessage::BatchAccepted(BatchAccepted {
            request_id: request_id.clone(),
            batch_id: accepted.id,
            channel: channel.clone(),
            total_beams: accepted.total,
        }));
        let state = match timeout(CALL_TIMEOUT, self.ctx.broker.status(accepted.id)).await {
            Ok(Ok(state)) => state,
            Ok(Err(e)) => return self.send(&gateway_error(request_id, store_error(e))),
            Err(_) => return self.send(&gateway_error(request_id, unavailable())),
        };
        let from_start = Position::start(state.position.epoch);
        self.resume(channel, from_start, request_id).await
    }

    pub(super) async fn cancel_batch(&mut self, m: CancelBatch) -> Flow {
        let request_id = m.request_id;
        let cancelled = async {
            authorize(&self.ctx.broker, &self.principal, m.batch_id).await?;
            cancel_batch(&self.ctx.broker, m.batch_id).await
        };
        let outcome = match timeout(CALL_TIMEOUT, cancelled).await {
            Ok(outcome) => outcome,
            Err(_) => Err(unavailable()),
        };
        let reply = match outcome {
            Ok(status) => {
                let user = self.principal.user();
                tracing::info!(job_id = %m.batch_id, %user, %status, "batch cancel requested");
                ServerMessage::BatchCancelled(BatchCancelled {
                    request_id,
                    batch_id: m.batch_id,
                })
            }
            Err(e) => gateway_error(request_id, e),
        };
        self.send(&reply)
    }
}
