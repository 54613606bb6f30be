//! The designs store: saved designs, newest first, and the `designs` feed that announces them.
//!
//! A saved design is its id (minted by the caller, a UUID), its owner, the server's time of the
//! save and an opaque record (the gateway stores protocol's compact `StoredResult`: the beam as
//! designed plus its verdict, rebuilt into a full result by re-running the design). Saving
//! stores the record, indexes it and publishes the caller's announcement on the `designs`
//! channel in ONE step (one Lua script; one lock in memory), so a follower never sees a
//! `new_design` whose design cannot be read, and a design is never stored unannounced.
//!
//! Only the most recent [`BrokerSettings::designs_kept`](crate::BrokerSettings) designs are
//! kept: each save that goes past the bound deletes the oldest ones, index and record together.
//! Every save takes the next value of a store-wide sequence; lists page newest first by it
//! (`before` = the last sequence seen), so pages are stable while designs are added.
//!
//! A batch that completes is announced on the same channel (`new_design`, kind `batch`) exactly
//! once: the completing emit announces it before returning, a dedupe key makes a repeat a no-op,
//! and a worker that died between the emit and the announcement leaves its chunk un-acked, so
//! the claim that drops that chunk later announces it instead (see `docs/designs.md`).

use bytes::Bytes;
use protocol::event::NewDesign;
use protocol::{BatchId, Position, StoredEvent, StoredObject};
use uuid::Uuid;

/// Default bound on the designs kept (the oldest beyond it are deleted on save).
pub const DEFAULT_DESIGNS_KEPT: usize = 10_000;

/// Most designs one list page returns.
pub const MAX_DESIGNS_PAGE: usize = 1000;

/// A design to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignSpec {
    /// Its id (the caller mints it; saving an id twice stores and announces it once).
    pub id: Uuid,
    /// Who saved it (the JWT `sub`).
    pub owner: String,
    /// The opaque record (the gateway's compact stored result).
    pub record: Bytes,
}

/// A design as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDesign {
    /// Its id.
    pub id: Uuid,
    /// Who saved it.
    pub owner: String,
    /// When it was saved: Unix time in ms, from the broker's clock (Redis `TIME`).
    pub created_ms: u64,
    /// Its place in the store-wide save order (1 = first save ever); the list cursor.
    pub seq: u64,
    /// The record as saved.
    pub record: Bytes,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDesign {
    /// The design as stored (the earlier copy when the id was already saved).
    pub design: StoredDesign,
    /// False when the id was already stored: nothing was written or announced.
    pub created: bool,
    /// Position of the announcement on the `designs` channel (`None` when not created).
    pub position: Option<Position>,
}

/// One page of the designs list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DesignPage {
    /// The designs, newest first.
    pub designs: Vec<StoredDesign>,
    /// Pass as `before` to read the next (older) page; `None` on the last page.
    pub next: Option<u64>,
}

/// The `new_design` announcement of a completed batch, as stored on the `designs` channel.
pub(crate) fn batch_announcement(id: BatchId) -> Bytes {
    let event = StoredEvent::Object(StoredObject::NewDesign(NewDesign::batch(id, "completed")));
    Bytes::from(event.encode())
}

/// A page's limit clamped to `1..=MAX_DESIGNS_PAGE`.
pub(crate) fn page_limit(limit: usize) -> usize {
    limit.clamp(1, MAX_DESIGNS_PAGE)
}
