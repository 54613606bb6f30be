//! beamstream's wire contract between clients, gateways and workers. No I/O.
//!
//! - [`channel`]: channel names (`batch:<uuid>`, `session:<id>`, `config`, `designs`) and
//!   positions `(epoch, offset)`, which are also SSE event ids.
#![forbid(unsafe_code)]

pub mod channel;

pub use channel::{BatchId, Channel, ChannelError, Epoch, Position, SessionId};
