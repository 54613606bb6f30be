//! IS 456:2000 limit-state design of rectangular reinforced-concrete beams.
//!
//! Pure computation: no I/O, no async, no serialisation format.
//!
//! - [`input`]: [`BeamInput`], the plain unvalidated description of a beam.
//! - [`error`]: [`InvalidBeam`], every offending field with the rule it broke.
//! - [`output`]: [`Design`], the result of designing or checking a beam.
//! - [`message`]: [`Message`]s with a stable [`Code`], level and clause.
//! - [`bars`]: bar groups, arrangements and stirrups with their drawing strings.
#![forbid(unsafe_code)]

pub mod bars;
pub mod error;
pub mod input;
pub mod message;
pub mod output;

pub use bars::{BarArrangement, BarGroup, BarSet, StirrupSpec, bar_area_mm2};
pub use error::{Field, FieldError, InvalidBeam};
pub use input::{BarGroupInput, BeamInput, Exposure, ReinforcementInput, StirrupInput, Support};
pub use message::{Code, Level, MAX_MESSAGES, Message, Messages};
pub use output::{
    Capacity, Deflection, Design, Mode, Shear, SideFace, Status, Steel, StirrupLimit,
};
