//! Validation errors on the wire: `{field, message, index?}`, all of them at once.
//!
//! Wire-level problems (unknown field, wrong JSON type, missing required field) and the design
//! engine's rule violations ([`beam_design::InvalidBeam`]) end up in one list of
//! [`ValidationError`]s, in the order the fields are documented, each naming the *wire* field
//! (`length`, not `span_mm`) and the rule broken with the value received, e.g.
//! `{"field": "fck", "message": "must be a standard grade M20–M80 in steps of 5, got 22"}`.
//! Batch rows add `index` (0-based position of the beam in the batch).

use beam_design::Field;
use serde::{Deserialize, Serialize};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ValidationError {
    /// Wire name of the offending field (`width`, `tension`, `channel`…); nested parts use
    /// dots and brackets (`stirrups.spacing`, `tension[1].dia`).
    pub field: String,
    /// The rule broken, with the value received.
    pub message: String,
    /// For batch rows: 0-based index of the beam in the batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}

impl ValidationError {
    /// An error on `field` (no batch index).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            index: None,
        }
    }

    /// The same error, tagged with the batch row it belongs to.
    pub fn at(mut self, index: u64) -> Self {
        self.index = Some(index);
        self
    }
}

/// The wire name of an engine field.
pub fn wire_name(field: Field) -> &'static str {
    match field {
        Field::Width => "width",
        Field::Depth => "depth",
        Field::Span => "length",
        Field::Mu => "Mu",
        Field::Vu => "Vu",
        Field::Fck => "fck",
        Field::Fy => "fy",
        Field::Cover => "cover",
        Field::EffectiveDepth => "d",
        Field::CompressionDepth => "d_prime",
        Field::BarDiameters => "bars",
        Field::StirrupDiameter => "stirrup_dia",
        Field::StirrupLegs => "stirrup_legs",
        Field::MaxAggregate => "aggregate",
        Field::TensionBars => "tension",
        Field::CompressionBars => "compression",
        Field::Stirrups => "stirrups",
    }
}

/// Converts the engine's errors to wire errors.
pub fn from_invalid_beam(invalid: &beam_design::InvalidBeam) -> Vec<ValidationError> {
    invalid
        .errors
        .iter()
        .map(|e| ValidationError::new(wire_name(e.field), e.message.clone()))
        .collect()
}

/// The closest of `candidates` to the unknown name `got`, if close enough to be a likely typo:
/// same letters ignoring case, or at most 2 edits (insert, delete, substitute, swap) away.
pub fn suggest<'a>(got: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if got.len() > 64 {
        return None;
    }
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(got)) {
        return Some(c);
    }
    let lower = got.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps) between short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The message for an unknown field, with a suggestion when one is close.
pub fn unknown_field_message(got: &str, candidates: &[&str]) -> String {
    match suggest(got, candidates) {
        Some(s) => format!("unknown field; did you mean `{s}`?"),
        None => format!("unknown field; expected one of: {}", candidates.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_suggest_the_intended_field() {
        let names = [
            "width", "depth", "length", "Mu", "Vu", "fck", "fy", "d", "d_prime",
        ];
        assert_eq!(suggest("widht", &names), Some("width"));
        assert_eq!(suggest("mu", &names), Some("Mu"));
        assert_eq!(suggest("lenght", &names), Some("length"));
        assert_eq!(suggest("dprime", &names), Some("d_prime"));
        assert_eq!(suggest("colour", &names), None);
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("widht", "width"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn every_engine_field_has_a_wire_name() {
        assert_eq!(wire_name(Field::Span), "length");
        assert_eq!(wire_name(Field::CompressionDepth), "d_prime");
        assert_eq!(wire_name(Field::MaxAggregate), "aggregate");
    }
}
