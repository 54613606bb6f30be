//! What one channel publication stores in its Redis Stream entry: [`StoredEvent`].
//!
//! Each entry holds one opaque payload (field `d`) at its offset. Two shapes, told apart by
//! the first byte:
//!
//! - `[` — a beam result, the compact form ([`StoredResult`]): `[index, status, …record]`
//!   where `index` is the beam's 0-based position in the batch (null on session channels),
//!   `status` is 0 PASS, 1 WARNING, 2 FAIL, and the rest is the [`BeamRecord`] of the beam as
//!   designed. The gateway rebuilds the full `design_result` event from it by re-running the
//!   design (about a microsecond) — the stored form is ~50–90 bytes instead of the ~1 KB of the
//!   client-facing JSON, which keeps a stored result within the 200-byte Redis budget. `status`
//!   is kept so that summaries and filters need no re-design.
//! - `{` — every other event, a JSON object with `type` first. The broker's Lua scripts write
//!   `progress`, `complete` and `cancelled` themselves, byte for byte:
//!   - `{"type":"progress","done":D,"failed":F,"total":T}` — `done` counts finished beams,
//!     failed ones included; `failed` counts `error` events;
//!   - `{"type":"complete","status":"completed","total":T,"succeeded":S,"failed":F}`;
//!   - `{"type":"cancelled","status":"cancelled","total":T,"succeeded":S,"failed":F}`;
//!
//!   and the gateway and workers write
//!   - `{"type":"start","total":T}`;
//!   - `{"type":"error","beam_index":I,"error":"why"}`;
//!   - `{"type":"config_updated","config":{…DesignConfig}}`;
//!   - `{"type":"new_design","id":…,"kind":…,"status":…,"mesh":…,"section":…}`.
//!
//! [`StoredEvent::decode`] reads any of them (unknown fields in objects are ignored, so the
//! scripts may add counters later); [`StoredEvent::expand`] turns one into the client-facing
//! event. Workers build results with [`StoredResult::design`]: `Ok` is an entry the broker
//! counts as done, `Err` an `error` entry it counts as failed.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::channel::Channel;
use crate::config::DesignConfig;
use crate::event::{ChannelEvent, NewDesign, Summary};
use crate::frame::DecodeError;
use crate::record::BeamRecord;
use crate::result::DesignResult;
use crate::validation::ValidationError;

/// A design verdict as stored: 0 PASS, 1 WARNING, 2 FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoredStatus(pub beam_design::Status);

impl StoredStatus {
    fn code(self) -> u8 {
        match self.0 {
            beam_design::Status::Pass => 0,
            beam_design::Status::Warning => 1,
            beam_design::Status::Fail => 2,
        }
    }

    fn from_code(c: u8) -> Option<Self> {
        use beam_design::Status::*;
        [Pass, Warning, Fail].get(usize::from(c)).copied().map(Self)
    }
}

/// One beam's result, stored compactly: where it is, its verdict, and the beam as designed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    /// 0-based position in the batch; `None` on session channels.
    pub index: Option<u64>,
    /// The verdict of the design.
    pub status: StoredStatus,
    /// The beam as designed (defaults applied).
    pub record: BeamRecord,
}

impl Serialize for StoredResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        seq.serialize_element(&self.index)?;
        seq.serialize_element(&self.status.code())?;
        self.record.write_fields(&mut seq)?;
        seq.end()
    }
}

impl<'de> Deserialize<'de> for StoredResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StoredResult;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stored result array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StoredResult, A::Error> {
                let index = seq.next_element::<Option<u64>>()?.flatten();
                let code = seq
                    .next_element::<u8>()?
                    .ok_or_else(|| de::Error::custom("stored result: status missing"))?;
                let status = StoredStatus::from_code(code).ok_or_else(|| {
                    de::Error::custom(format!("stored result: bad status {code}"))
                })?;
                let record = BeamRecord::read_fields(&mut seq)?;
                Ok(StoredResult {
                    index,
                    status,
                    record,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

/// A publication's payload as stored in the channel's stream.
#[derive(Debug, Clone, PartialEq)]
// Decoded, expanded and dropped one at a time; boxing would add an allocation per beam.
#[allow(clippy::large_enum_variant)]
pub enum StoredEvent {
    /// A beam's result (`[`-form).
    Result(StoredResult),
    /// Any other event (`{`-form).
    Object(StoredObject),
}

/// The `{`-form stored events; see the module doc for their exact bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StoredObject {
    /// The batch was queued.
    Start {
        /// Beams in the batch.
        total: u64,
    },
    /// Counters after an emit (written by the broker's Lua).
    Progress {
        /// Beams finished, failed included.
        done: u64,
        /// Beams failed.
        failed: u64,
        /// Beams in the batch.
        total: u64,
    },
    /// One beam could not be designed.
    Error {
        /// 0-based position in the batch.
        beam_index: u64,
        /// Why.
        error: String,
    },
    /// The last beam landed (written by the broker's Lua).
    Complete {
        /// `completed`.
        status: String,
        /// Beams in the batch.
        total: u64,
        /// Beams with a result.
        succeeded: u64,
        /// Beams failed.
        failed: u64,
    },
    /// The batch was cancelled (written by the broker's Lua).
    Cancelled {
        /// `cancelled`.
        status: String,
        /// Beams in the batch.
        total: u64,
        /// Beams with a result.
        succeeded: u64,
        /// Beams failed.
        failed: u64,
    },
    /// The design defaults changed.
    ConfigUpdated {
        /// The new config.
        config: DesignConfig,
    },
    /// A design or a finished batch was saved.
    NewDesign(NewDesign),
}

impl StoredEvent {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        // unwrap: both forms serialise infallibly (string keys; non-finite floats become null).
        match self {
            Self::Result(r) => serde_json::to_vec(r),
            Self::Object(o) => serde_json::to_vec(o),
        }
        .unwrap()
    }

    /// Reads stored bytes. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        let parsed = match first {
            Some(b'[') => serde_json::from_slice(bytes).map(Self::Result),
            Some(b'{') => serde_json::from_slice(bytes).map(Self::Object),
            _ => {
                return Err(DecodeError::NotAnObject {
                    got: "neither an array nor an object",
                });
            }
        };
        parsed.map_err(|e| DecodeError::from_json(&e))
    }
}

impl StoredResult {
    /// Designs `record` (beam `index` of a batch, or `None` for a session) and stores the
    /// result; `Err` carries the `error` event when the engine refuses the beam (which only
    /// happens when the engine changed since the gateway validated it).
    pub fn design(index: Option<u64>, record: BeamRecord) -> Result<Self, StoredObject> {
        match beam_design::Beam::try_from(&record.input) {
            Ok(beam) => {
                let status = StoredStatus(beam_design::design(&beam).status);
                Ok(Self {
                    index,
                    status,
                    record,
                })
            }
            Err(invalid) => Err(StoredObject::Error {
                beam_index: index.unwrap_or(0),
                error: invalid.to_string(),
            }),
        }
    }

    /// The client-facing `design_result` event, rebuilt by re-running the design; an `error`
    /// event when the engine refuses the stored beam.
    pub fn expand(&self) -> ChannelEvent {
        match beam_design::Beam::try_from(&self.record.input) {
            Ok(beam) => {
                let design = beam_design::design(&beam);
                ChannelEvent::DesignResult {
                    index: self.index,
                    beam: self.record.to_params(),
                    result: DesignResult::new(
                        &design,
                        self.record.id.as_deref(),
                        self.record.assumed,
                    ),
                }
            }
            Err(invalid) => ChannelEvent::Error {
                beam_index: self.index.unwrap_or(0),
                error: invalid.to_string(),
            },
        }
    }
}

impl StoredEvent {
    /// The client-facing event of this payload, published on `channel` (a `start` names the
    /// batch of its channel as `job_id`).
    pub fn expand(&self, channel: &Channel) -> Result<ChannelEvent, DecodeError> {
        let summary = |total, succeeded, failed| Summary {
            total,
            succeeded,
            failed,
        };
        Ok(match self {
            Self::Result(r) => r.expand(),
            Self::Object(o) => match o.clone() {
                StoredObject::Start { total } => match channel {
                    Channel::Batch(job_id) => ChannelEvent::Start {
                        job_id: *job_id,
                        total_beams: total,
                    },
                    other => {
                        let msg = format!("`start` belongs on a batch channel, not `{other}`");
                        return Err(DecodeError::Invalid(vec![ValidationError::new(
                            "type", msg,
                        )]));
                    }
                },
                StoredObject::Progress {
                    done,
                    failed,
                    total,
                } => ChannelEvent::progress(done, failed, total),
                StoredObject::Error { beam_index, error } => {
                    ChannelEvent::Error { beam_index, error }
                }
                StoredObject::Complete {
                    status,
                    total,
                    succeeded,
                    failed,
                } => ChannelEvent::Complete {
                    status,
                    summary: summary(total, succeeded, failed),
                },
                StoredObject::Cancelled {
                    status,
                    total,
                    succeeded,
                    failed,
                } => ChannelEvent::Cancelled {
                    status,
                    summary: summary(total, succeeded, failed),
                },
                StoredObject::ConfigUpdated { config } => ChannelEvent::ConfigUpdated { config },
                StoredObject::NewDesign(n) => ChannelEvent::NewDesign(n),
            },
        })
    }
}
