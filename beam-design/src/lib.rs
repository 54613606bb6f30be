//! IS 456:2000 limit-state design of rectangular reinforced-concrete beams.
//!
//! Pure computation: no I/O, no async, no serialisation format.
//!
//! - [`input`]: [`BeamInput`], the plain unvalidated description of a beam.
//! - [`error`]: [`InvalidBeam`], every offending field with the rule it broke.
#![forbid(unsafe_code)]

pub mod error;
pub mod input;

pub use error::{Field, FieldError, InvalidBeam};
pub use input::{BarGroupInput, BeamInput, Exposure, ReinforcementInput, StirrupInput, Support};
