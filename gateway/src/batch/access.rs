//! Who may touch a batch. A batch belongs to the token `sub` that submitted it (the broker
//! stores it as the batch's `owner`); only that user or a caller with the `admin` scope may
//! read its status or results, stream it, or cancel it.
//!
//! No existence leak: to a non-admin, a batch that does not exist (never submitted, or expired)
//! and a batch of someone else get the same answer, 403 `forbidden` with the same message, so
//! ids cannot be probed. An admin, who may read every batch, gets 404 for an unknown id.

use broker::{BatchState, Broker, BrokerError};
use protocol::BatchId;

use super::store_error;
use crate::GatewayError;
use crate::auth::{Principal, Scope};

/// The one message a non-admin gets for a batch that is not theirs or does not exist.
pub const NOT_YOURS: &str = "no batch with this id belongs to you";

/// The batch's state, when `principal` may read, stream or cancel it.
pub async fn authorize(
    broker: &Broker,
    principal: &Principal,
    id: BatchId,
) -> Result<BatchState, GatewayError> {
    let admin = principal.has(Scope::Admin);
    if !admin {
        principal.require(Scope::Batch)?;
    }
    match broker.status(id).await {
        Ok(state) if admin || state.owner == principal.user() => Ok(state),
        Ok(_) => Err(GatewayError::Forbidden(NOT_YOURS.to_owned())),
        Err(BrokerError::BatchNotFound(_)) if admin => {
            Err(GatewayError::NotFound(format!("batch {id} not found")))
        }
        Err(BrokerError::BatchNotFound(_)) => Err(GatewayError::Forbidden(NOT_YOURS.to_owned())),
        Err(e) => Err(store_error(e)),
    }
}

/// The batch id in a path, or 400 naming the rule.
pub fn parse_id(raw: &str) -> Result<BatchId, GatewayError> {
    raw.parse()
        .map_err(|e| GatewayError::BadRequest(format!("invalid batch id: {e}")))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use broker::{BatchSpec, BrokerSettings, ChunkSpec};

    use super::*;

    fn principal(sub: &str, scope: &str) -> Principal {
        let claims = serde_json::json!({"sub": sub, "exp": 4_000_000_000u64, "scope": scope});
        let claims: crate::auth::principal::Claims = serde_json::from_value(claims).unwrap();
        Principal::from(claims)
    }

    async fn submitted(broker: &Broker, owner: &str) -> BatchId {
        let id = BatchId::new();
        let spec = BatchSpec {
            id,
            owner: owner.to_owned(),
            chunks: vec![ChunkSpec {
                beam_count: 1,
                payload: bytes::Bytes::from_static(b"{}"),
            }],
            idempotency_key: None,
            retention: Duration::from_secs(60),
        };
        broker.submit(spec).await.unwrap();
        id
    }

    #[tokio::test]
    async fn the_owner_and_an_admin_may_read_and_nobody_else() {
        let broker = Broker::memory(BrokerSettings::default());
        let id = submitted(&broker, "alice").await;
        assert!(
            authorize(&broker, &principal("alice", "batch"), id)
                .await
                .is_ok()
        );
        assert!(
            authorize(&broker, &principal("root", "admin"), id)
                .await
                .is_ok()
        );
        let bob = authorize(&broker, &principal("bob", "batch"), id).await;
        assert!(matches!(bob, Err(GatewayError::Forbidden(m)) if m == NOT_YOURS));
    }

    #[tokio::test]
    async fn an_unknown_id_looks_foreign_to_a_user_and_missing_to_an_admin() {
        let broker = Broker::memory(BrokerSettings::default());
        let unknown = BatchId::new();
        let user = authorize(&broker, &principal("bob", "batch"), unknown).await;
        assert!(matches!(user, Err(GatewayError::Forbidden(m)) if m == NOT_YOURS));
        let admin = authorize(&broker, &principal("root", "admin"), unknown).await;
        assert!(matches!(admin, Err(GatewayError::NotFound(_))));
    }

    #[tokio::test]
    async fn a_token_without_the_batch_scope_is_refused_before_any_lookup() {
        let broker = Broker::memory(BrokerSettings::default());
        let id = submitted(&broker, "alice").await;
        let refused = authorize(&broker, &principal("alice", "design"), id).await;
        assert!(matches!(refused, Err(GatewayError::Auth(_))));
    }
}
