//! The only payloads the broker writes itself: batch progress and the terminal event.
//!
//! The Redis scripts build the same bytes in Lua (see `scripts/batch_lib.lua`); the in-memory twin
//! builds them here. Their shape is protocol's stored batch event (`type` first, then counters):
//!
//! - `{"type":"progress","done":D,"failed":F,"total":T}` after each emit that landed beams;
//! - `{"type":"complete","status":"completed","total":T,"succeeded":S,"failed":F}` when the last
//!   beam lands;
//! - `{"type":"cancelled","status":"cancelled","total":T,"succeeded":S,"failed":F}` when a cancel
//!   takes effect.

use bytes::Bytes;

/// Counters of a batch at the moment an event is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) total: u32,
    pub(crate) done: u32,
    pub(crate) failed: u32,
}

/// The progress event appended after an emit.
pub(crate) fn progress(c: Counts) -> Bytes {
    format!(
        r#"{{"type":"progress","done":{},"failed":{},"total":{}}}"#,
        c.done, c.failed, c.total
    )
    .into()
}

/// The terminal event: `complete` when `cancelled` is false, else `cancelled`.
pub(crate) fn terminal(c: Counts, cancelled: bool) -> Bytes {
    let (kind, status) = if cancelled {
        ("cancelled", "cancelled")
    } else {
        ("complete", "completed")
    };
    format!(
        r#"{{"type":"{kind}","status":"{status}","total":{},"succeeded":{},"failed":{}}}"#,
        c.total,
        c.done - c.failed,
        c.failed
    )
    .into()
}
