//! IS 456:2000 limit-state design of rectangular reinforced-concrete beams.
//!
//! Pure computation: no I/O, no async, no serialisation format.
//!
//! - [`input`]: [`BeamInput`], the plain unvalidated description of a beam.
//! - [`error`]: [`InvalidBeam`], every offending field with the rule it broke.
//! - [`output`]: [`Design`], the result of designing or checking a beam.
//! - [`message`]: [`Message`]s with a stable [`Code`], level and clause.
//! - [`bars`]: bar groups, arrangements and stirrups with their drawing strings.
//! - [`beam`]: [`Beam`], the validated beam (`Beam::try_from(&BeamInput)`).
//! - [`design()`]: the entry point, for both modes.
//!
//! Engineering modules, each formula with its IS 456:2000 clause: [`materials`] (grades,
//! stress–strain curve), [`tables`] (Tables 15, 19, 20), [`flexure`] (cl. 38.1, Annex G),
//! [`shear`] (cl. 40, 26.5.1.5–6), [`detailing`] (cl. 26.3.2, Table 15), [`serviceability`]
//! (cl. 23.2.1), [`anchorage`] (cl. 26.2.1, 26.5.1.3).
//!
//! # Entry point
//!
//! `design(&beam)` designs the beam when it carries no reinforcement (**design mode**: the
//! engine chooses bars and stirrups) and checks it when it does (**check mode**: the bars and
//! stirrups given are assessed). Both return the same [`Design`], with [`Design::mode`] saying
//! which; the verdict is [`Design::status`] and the findings [`Design::messages`].
//!
//! ```
//! use beam_design::{design, Beam, BeamInput};
//! let input = BeamInput {
//!     width_mm: 300.0, depth_mm: 500.0, span_mm: 5000.0, mu_knm: 150.0,
//!     vu_kn: Some(100.0), fck_mpa: 25.0, fy_mpa: 500.0, ..BeamInput::default()
//! };
//! let out = design(&Beam::try_from(&input).expect("valid beam"));
//! println!("{} {} {}", out.status.as_str(), out.tension.bars, out.shear.stirrups.unwrap());
//! ```
//!
//! A design takes about a microsecond and does not allocate: [`Design`] and its [`Messages`]
//! are inline `Copy` data and every sentence is rendered lazily by `Display`. The clauses,
//! assumptions, validation ranges and message codes are documented in `docs/design-basis.md`.
#![forbid(unsafe_code)]

pub mod anchorage;
pub mod bars;
pub mod beam;
mod check;
mod design;
pub mod detailing;
pub mod error;
mod findings;
pub mod flexure;
pub mod input;
pub mod materials;
pub mod message;
pub mod output;
pub mod serviceability;
pub mod shear;
pub mod tables;
mod validation;

pub use beam::Beam;
pub use design::{MAX_ITERATIONS, PRACTICAL_SPACING_MM, design};

pub use bars::{BarArrangement, BarGroup, BarSet, StirrupSpec, bar_area_mm2};
pub use error::{Field, FieldError, InvalidBeam};
pub use input::{BarGroupInput, BeamInput, Exposure, ReinforcementInput, StirrupInput, Support};
pub use message::{Code, Level, MAX_MESSAGES, Message, Messages};
pub use output::{
    Capacity, Deflection, Design, Mode, Shear, SideFace, Status, Steel, StirrupLimit,
};
