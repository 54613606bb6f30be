//! A beam object as read from the wire ([`ParsedBeam`]) and its validation ([`ValidBeam`]).
//!
//! [`ParsedBeam`] deserialises any JSON object into a [`BeamParams`] plus the list of what was
//! wrong with it: unknown fields (with a suggestion: `widht` → `width`), values of the wrong
//! JSON type, duplicated fields, absent required fields. Only malformed JSON itself stops it.
//! `null` counts as absent. `moment` is accepted as the seeds' name for `Mu`. The serde
//! visitors doing the reading are in the private `reader` module.

use serde::de;
use serde::{Deserialize, Deserializer};

use crate::beam::{BEAM_FIELDS, BeamParams};
use crate::config::DesignConfig;
use crate::reader::BeamVisitor;
use crate::record::BeamRecord;
use crate::validation::{ValidationError, from_invalid_beam};

/// Longest accepted beam `id` label, in characters.
pub const BEAM_ID_MAX_LEN: usize = 64;

/// A beam object as read from the wire: the fields that could be read, and every wire error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedBeam {
    /// The fields that were read (absent or broken ones are `None`).
    pub params: BeamParams,
    /// Wire errors, in documented field order (unknown fields last).
    pub errors: Vec<ValidationError>,
}

/// A beam that passed every wire and engine rule: ready to design now or to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidBeam {
    /// The engine's validated beam.
    pub beam: beam_design::Beam,
    /// The compact form (defaults applied) for job chunks and stored results.
    pub record: BeamRecord,
}

impl ParsedBeam {
    /// Applies the `config` defaults and validates the beam with the engine. On failure,
    /// returns the wire errors and the engine's errors together in documented field order
    /// (an engine error on a field that already has a wire error is left out).
    pub fn validate(&self, config: &DesignConfig) -> Result<ValidBeam, Vec<ValidationError>> {
        let (input, assumed) = self.params.to_input(config);
        let engine = beam_design::Beam::try_from(&input);
        match engine {
            Ok(beam) if self.errors.is_empty() => Ok(ValidBeam {
                beam,
                record: BeamRecord {
                    id: self.params.id.clone(),
                    input,
                    assumed,
                },
            }),
            Ok(_) => Err(self.errors.clone()),
            Err(invalid) => {
                let mut errors = self.errors.clone();
                for e in from_invalid_beam(&invalid) {
                    if !self.errors.iter().any(|w| w.field == e.field) {
                        errors.push(e);
                    }
                }
                errors.sort_by_key(|e| field_rank(&e.field));
                Err(errors)
            }
        }
    }

    /// Records the absent required fields and sorts the errors in documented field order.
    pub(crate) fn finish(mut self) -> Self {
        let p = &self.params;
        for (name, value) in [("width", p.width), ("depth", p.depth), ("Mu", p.mu)] {
            if value.is_none() && !self.errors.iter().any(|e| e.field == name) {
                self.errors.push(ValidationError::new(name, "required"));
            }
        }
        self.errors.sort_by_key(|e| field_rank(&e.field));
        self
    }
}

/// Position of a (possibly nested, e.g. `bars[2]`) field in the documented order.
pub(crate) fn field_rank(field: &str) -> usize {
    let head = field.split(['[', '.']).next().unwrap_or(field);
    BEAM_FIELDS
        .iter()
        .position(|f| *f == head)
        .unwrap_or(BEAM_FIELDS.len())
}

impl<'de> Deserialize<'de> for ParsedBeam {
    /// Reads a JSON object; fails only when the input is not an object at all.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(BeamVisitor)
    }
}

impl serde::Serialize for ParsedBeam {
    /// Serialises the fields that were read (the wire errors are not part of the beam).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.params.serialize(s)
    }
}

impl schemars::JsonSchema for ParsedBeam {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        BeamParams::schema_name()
    }

    /// The same id as [`BeamParams`], so both share one definition.
    fn schema_id() -> std::borrow::Cow<'static, str> {
        BeamParams::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        BeamParams::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for BeamParams {
    /// Strict: any wire error fails, naming every offending field (`moment` still reads as `Mu`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let parsed = ParsedBeam::deserialize(d)?;
        if parsed.errors.is_empty() {
            return Ok(parsed.params);
        }
        let parts: Vec<String> = parsed
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        Err(de::Error::custom(parts.join("; ")))
    }
}
