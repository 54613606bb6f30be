//! `save: true` on `design_beam`: the design is stored through the same path as
//! `POST /api/v1/designs` (`routes::designs::store`: the designs store plus `new_design` on the
//! `designs` channel, in one broker step), and the reply carries `saved {id, links}`. A store
//! that fails or hangs gets an `error` (`unavailable`) and the connection stays open; the design
//! is then not synced to the session's other tabs either, since its requester got no result.

use protocol::ErrorCode;
use protocol::server::Saved;
use tokio::time::{Duration, timeout};

use super::{Connection, Flow};
use crate::routes::designs;
use crate::ws::reply::{SaveDesign, error, sync_event};

/// Longest wait for the store: the loop serves nothing else meanwhile (as for channel requests),
/// so a hung broker must not hold the connection.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);

impl Connection {
    /// Stores the design, then sends its reply with `saved` and syncs it; or an `error`.
    pub(super) async fn save_design(&mut self, save: SaveDesign) -> Flow {
        let SaveDesign {
            request_id,
            reply,
            designed,
        } = save;
        let store = designs::store(&self.ctx.broker, &self.principal, &designed);
        let failure = match timeout(STORE_TIMEOUT, store).await {
            Ok(Ok(stored)) => {
                let n = &stored.announcement;
                let saved = Saved {
                    id: n.id.clone(),
                    links: n.links(),
                };
                let flow = self.send(&reply.with_saved(saved));
                self.sync(sync_event(designed));
                return flow;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {STORE_TIMEOUT:?}"),
        };
        tracing::warn!(error = %failure, "design not saved: designs store unavailable");
        let message = "the designs store is unavailable: the design was not saved; retry later";
        self.send(&error(request_id, ErrorCode::Unavailable, message))
    }
}
