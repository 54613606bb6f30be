//! Check mode: the bars and stirrups of an existing beam against the demand.
//!
//! The bars given are placed with the same rules as designed bars (larger diameter first, as
//! many as fit in the first layer, the rest in a second), d and d' follow from their centroids
//! unless given, and the section's resistances, utilizations and every code check are reported.
//! "Required" areas are what the demand would need at that d, for comparison.

use crate::beam::{Beam, Reinforcement};
use crate::design::{faces, section};
use crate::findings::{self, Flexural};
use crate::output::{Design, Mode};

/// Checks `beam` reinforced with `r`.
pub(crate) fn check(beam: &Beam, r: &Reinforcement) -> Design {
    let (tension_face, compression_face) = faces(beam);
    let tension = tension_face.place(r.tension);
    let compression = r.compression.map(|c| compression_face.place(c));
    let d = beam.d_given.unwrap_or(beam.depth - tension.centroid);
    let d_prime = beam
        .d_prime_given
        .or(compression.map(|c| c.centroid))
        .unwrap_or(beam.bar_offset() + f64::from(r.tension.primary.dia_mm) / 2.0);
    let req = section(beam, d, d_prime).requirement(beam.mu_knm * 1e6);
    let fx = Flexural {
        d,
        d_prime,
        req,
        tension,
        compression,
    };
    findings::assemble(beam, Mode::Check, fx, Some(r.stirrups))
}
