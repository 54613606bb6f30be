//! Batches in the gateway, shared by REST (`/api/v1/batches`), SSE (`/stream/…`) and the
//! WebSocket's `submit_batch`/`cancel_batch`/`subscribe`:
//!
//! - [`submit`]: parse (JSON array or CSV), validate every row before anything is queued, split
//!   into job chunks and hand them to the broker in one atomic step.
//! - [`access`]: the ownership rule — a batch belongs to its submitter's `sub`; only they or an
//!   `admin` may read, stream or cancel it, and an unknown id answers exactly like a foreign one.
//! - [`results`]: pages of results (and the CSV export) rebuilt from the batch channel's history.

pub mod access;
pub mod results;
pub mod submit;

pub use access::{NOT_YOURS, authorize};
pub use submit::{Accepted, BatchInput, submit};

use broker::BrokerError;

use crate::GatewayError;

/// A broker failure as the client sees it: 503 when retrying may help (Redis down), else a 500
/// whose cause is logged.
pub fn store_error(error: BrokerError) -> GatewayError {
    if error.is_retryable() {
        GatewayError::Unavailable {
            message: format!("the batch store is unavailable: {error}"),
            retry_after: Some(std::time::Duration::from_secs(1)),
        }
    } else {
        GatewayError::Internal(anyhow::Error::new(error))
    }
}
