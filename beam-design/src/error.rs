//! Why an input is not a beam: every offending field, each with the rule it broke.

use std::fmt;

/// A field of [`crate::BeamInput`], named so that callers can map it to their own wire names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `width_mm`
    Width,
    /// `depth_mm`
    Depth,
    /// `span_mm`
    Span,
    /// `mu_knm`
    Mu,
    /// `vu_kn`
    Vu,
    /// `fck_mpa`
    Fck,
    /// `fy_mpa`
    Fy,
    /// `cover_mm`
    Cover,
    /// `effective_depth_mm`
    EffectiveDepth,
    /// `compression_depth_mm`
    CompressionDepth,
    /// `bar_diameters_mm`
    BarDiameters,
    /// `stirrup_dia_mm`
    StirrupDiameter,
    /// `stirrup_legs`
    StirrupLegs,
    /// `max_aggregate_mm`
    MaxAggregate,
    /// `reinforcement.tension`
    TensionBars,
    /// `reinforcement.compression`
    CompressionBars,
    /// `reinforcement.stirrups`
    Stirrups,
}

/// One broken rule: the field and a sentence naming the rule and the value received,
/// e.g. `must be a standard grade M20–M80 in steps of 5, got 22`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The offending field.
    pub field: Field,
    /// The rule broken, with the value received.
    pub message: String,
}

/// The input is not a beam. Lists every offending field (never only the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidBeam {
    /// At least one error, in field order.
    pub errors: Vec<FieldError>,
}

impl fmt::Display for InvalidBeam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{:?}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}
