//! Channel events as clients see them, over WebSocket ([`Publication`]) and SSE ([`sse_frame`]).
//!
//! | event | channel | fields |
//! |---|---|---|
//! | `start` | batch | `job_id`, `total_beams` |
//! | `progress` | batch | `current` (beams finished, failed included), `total`, `failed`, `percent` (0–100, 1 decimal) |
//! | `design_result` | batch, session | `index` (batch only), `beam`, `result` |
//! | `error` | batch | `beam_index`, `error` (why that beam has no result) |
//! | `complete` | batch | `status` (`completed`), `summary {total, succeeded, failed}` |
//! | `cancelled` | batch | `status` (`cancelled`), `summary {total, succeeded, failed}` |
//! | `config_updated` | config | `config` (the new [`DesignConfig`]) |
//! | `new_design` | designs | `id`, `kind`, `status`, `mesh`, `section` |
//!
//! Over WebSocket an event is one frame: its fields plus `type`, `channel`, `epoch`, `offset`.
//! Over SSE it is `id: <epoch>:<offset>`, `event: <type>` and `data: <the event JSON>`.

use serde::{Deserialize, Serialize};

use crate::beam::BeamParams;
use crate::channel::{BatchId, Channel, Epoch, Position};
use crate::config::DesignConfig;
use crate::result::DesignResult;

/// Counters of a finished (or cancelled) batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// Beams in the batch.
    pub total: u64,
    /// Beams with a result.
    pub succeeded: u64,
    /// Beams with an `error` event instead.
    pub failed: u64,
}

/// An event on a channel, as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
// A message is decoded, handled and dropped; boxing the big variant would add an allocation
// to the hot path for no saving.
#[allow(clippy::large_enum_variant)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelEvent {
    /// The batch was accepted and queued.
    Start {
        /// The batch.
        job_id: BatchId,
        /// Beams in it.
        total_beams: u64,
    },
    /// Beams finished so far.
    Progress {
        /// Beams finished (results and errors).
        current: u64,
        /// Beams in the batch.
        total: u64,
        /// Of `current`, beams that failed.
        failed: u64,
        /// `current / total × 100`, rounded to 1 decimal.
        percent: f64,
    },
    /// One beam's result.
    DesignResult {
        /// 0-based position in the batch (absent on session channels).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u64>,
        /// The beam as the client sent it.
        beam: BeamParams,
        /// Its design.
        result: DesignResult,
    },
    /// One beam could not be designed.
    Error {
        /// 0-based position in the batch.
        beam_index: u64,
        /// Why.
        error: String,
    },
    /// Every beam landed.
    Complete {
        /// `completed`.
        status: String,
        /// Counters.
        summary: Summary,
    },
    /// The batch was cancelled; no further beams will land.
    Cancelled {
        /// `cancelled`.
        status: String,
        /// Counters at the time of cancellation.
        summary: Summary,
    },
    /// The design defaults changed.
    ConfigUpdated {
        /// The new config.
        config: DesignConfig,
    },
    /// A design or a finished batch was saved.
    NewDesign(NewDesign),
}

/// A saved design or finished batch on the `designs` feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewDesign {
    /// Design id (`/api/v1/designs/{id}`) or batch id.
    pub id: String,
    /// `design` or `batch`.
    pub kind: String,
    /// `PASS`/`WARNING`/`FAIL` for a design, `completed`/`cancelled` for a batch.
    pub status: String,
    /// URL path of the 3D mesh (`…/mesh.stl`).
    pub mesh: String,
    /// URL path of the section drawing (`…/section.svg`).
    pub section: String,
}

/// Where a saved design lives: its REST resource and its two drawings (URL paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignLinks {
    /// `GET` the design (inputs and result): `/api/v1/designs/{id}`.
    #[serde(rename = "self")]
    pub this: String,
    /// The section drawing (`…/section.svg`).
    pub section: String,
    /// The 3D mesh (`…/mesh.stl`).
    pub mesh: String,
}

/// Path of the saved designs resource (`/api/v1/designs/{id}`).
pub const DESIGNS_PATH: &str = "/api/v1/designs";
/// Path of the batches resource (`/api/v1/batches/{id}`).
pub const BATCHES_PATH: &str = "/api/v1/batches";

impl NewDesign {
    /// A saved design `id` with its verdict (`PASS`/`WARNING`/`FAIL`), linking to its mesh and
    /// section drawing under `/api/v1/designs/{id}/`.
    pub fn design(id: &str, status: &str) -> Self {
        let base = format!("{DESIGNS_PATH}/{id}");
        Self {
            id: id.to_owned(),
            kind: "design".to_owned(),
            status: status.to_owned(),
            mesh: format!("{base}/mesh.stl"),
            section: format!("{base}/section.svg"),
        }
    }

    /// The links of a saved design announced as `self` (`kind` `design`).
    pub fn links(&self) -> DesignLinks {
        DesignLinks {
            this: format!("{DESIGNS_PATH}/{}", self.id),
            section: self.section.clone(),
            mesh: self.mesh.clone(),
        }
    }

    /// A finished batch `id` with its terminal status. A batch has one drawing per beam; the
    /// links name its first beam (`/api/v1/batches/{id}/items/0/…`) as the feed's preview, and
    /// every other beam is at the same path with its index.
    pub fn batch(id: BatchId, status: &str) -> Self {
        let base = format!("{BATCHES_PATH}/{id}/items/0");
        Self {
            id: id.to_string(),
            kind: "batch".to_owned(),
            status: status.to_owned(),
            mesh: format!("{base}/mesh.stl"),
            section: format!("{base}/section.svg"),
        }
    }
}

impl ChannelEvent {
    /// The wire `type` (also the SSE `event` name).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Start { .. } => "start",
            Self::Progress { .. } => "progress",
            Self::DesignResult { .. } => "design_result",
            Self::Error { .. } => "error",
            Self::Complete { .. } => "complete",
            Self::Cancelled { .. } => "cancelled",
            Self::ConfigUpdated { .. } => "config_updated",
            Self::NewDesign(_) => "new_design",
        }
    }

    /// A `progress` event with `percent` computed (0 when `total` is 0).
    pub fn progress(current: u64, failed: u64, total: u64) -> Self {
        let percent = if total == 0 {
            0.0
        } else {
            (current as f64 * 1000.0 / total as f64).round() / 10.0
        };
        Self::Progress {
            current,
            total,
            failed,
            percent,
        }
    }
}

/// An event at a position of a channel: one WebSocket frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Publication {
    /// The channel.
    pub channel: Channel,
    /// Epoch of the channel's history.
    pub epoch: Epoch,
    /// Offset of this publication (1 = first).
    pub offset: u64,
    /// The event (its fields and `type` sit beside `channel`).
    #[serde(flatten)]
    pub event: ChannelEvent,
}

impl Publication {
    /// The publication's position `<epoch>:<offset>`.
    pub fn position(&self) -> Position {
        Position {
            epoch: self.epoch.clone(),
            offset: self.offset,
        }
    }
}

/// The SSE frame of an event at `position`: `id`, `event` and one `data` line, blank-line ended.
/// The data is the event's JSON (with its `type`), so the named event and a generic `message`
/// handler read the same thing; JSON never contains a raw newline, so one `data` line suffices.
pub fn sse_frame(position: &Position, event: &ChannelEvent) -> String {
    // unwrap: events serialise infallibly (string keys; non-finite floats become null).
    let data = serde_json::to_string(event).unwrap();
    format!("id: {position}\nevent: {}\ndata: {data}\n\n", event.kind())
}
