//! The lenient reader of beam objects: every wire error of a beam at once, never only the first.
//!
//! [`ParsedBeam`] deserialises any JSON object into a [`BeamParams`] plus the list of what was
//! wrong with it: unknown fields (with a suggestion: `widht` → `width`), values of the wrong
//! JSON type, duplicated fields, absent required fields. Only malformed JSON itself stops it.
//! `null` counts as absent. `moment` is accepted as the seeds' name for `Mu`.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::beam::{BEAM_FIELDS, BarGroup, BeamParams, ExposureName, Stirrups, SupportName};
use crate::config::DesignConfig;
use crate::record::BeamRecord;
use crate::validation::{ValidationError, from_invalid_beam, unknown_field_message};

/// Longest accepted beam `id` label, in characters.
pub const BEAM_ID_MAX_LEN: usize = 64;

/// Index of the `moment` alias among the keys (after the [`BEAM_FIELDS`]).
const MOMENT: usize = BEAM_FIELDS.len();

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
    fn finish(mut self) -> Self {
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

/// A key of a beam object: the index of a known field, or an unknown name.
enum Key {
    Known(usize),
    Unknown(String),
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match BEAM_FIELDS.iter().position(|f| *f == v) {
            Some(i) => Key::Known(i),
            None if v == "moment" => Key::Known(MOMENT),
            None => Key::Unknown(v.chars().take(64).collect()),
        })
    }
}

/// How a JSON value looks, for messages: `a string "300"`, `an array`, `true`.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("a string {:?}", s.chars().take(32).collect::<String>()),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A JSON number as f64, or the error message for what came instead.
fn number(v: &Value, unit: &str) -> Result<f64, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| format!("must be a number ({unit}), got {n}")),
        other => Err(format!(
            "must be a number ({unit}), got {}",
            describe(other)
        )),
    }
}

/// The unit named in type errors for each numeric field.
fn unit_of(field: &str) -> &'static str {
    match field {
        "Mu" | "moment" => "kN·m",
        "Vu" => "kN",
        "fck" | "fy" => "N/mm²",
        "stirrup_legs" => "legs",
        _ => "mm",
    }
}

/// Reads one known field's value into `p`, or records why it could not.
fn read_field(p: &mut BeamParams, errors: &mut Vec<ValidationError>, i: usize, v: Value) {
    if v.is_null() {
        return;
    }
    let name = if i == MOMENT { "Mu" } else { BEAM_FIELDS[i] };
    let wire = if i == MOMENT { "moment" } else { name };
    let mut err = |m: String| errors.push(ValidationError::new(wire, m));
    let num = |v: &Value| number(v, unit_of(wire));
    match name {
        "id" => match v {
            Value::String(s) if s.chars().count() <= BEAM_ID_MAX_LEN => p.id = Some(s),
            Value::Number(n) => p.id = Some(n.to_string()),
            other => err(format!(
                "must be a string of at most {BEAM_ID_MAX_LEN} characters, got {}",
                match &other {
                    Value::String(s) => format!("{} characters", s.chars().count()),
                    o => describe(o),
                }
            )),
        },
        "exposure" => match v.as_str().map(ExposureName::try_from) {
            Some(Ok(e)) => p.exposure = Some(e),
            Some(Err(m)) => err(m),
            None => err(format!("must be a string, got {}", describe(&v))),
        },
        "support" => match v.as_str().map(SupportName::try_from) {
            Some(Ok(s)) => p.support = Some(s),
            Some(Err(m)) => err(m),
            None => err(format!("must be a string, got {}", describe(&v))),
        },
        "bars" => match &v {
            Value::Array(items) => match items.iter().map(|x| number(x, "mm")).collect() {
                Ok(b) => p.bars = Some(b),
                Err(m) => err(format!("must be an array of diameters: {m}")),
            },
            other => err(format!(
                "must be an array of bar diameters (mm), got {}",
                describe(other)
            )),
        },
        "tension" | "compression" => match serde_json::from_value::<Vec<BarGroup>>(v) {
            Ok(g) if name == "tension" => p.tension = Some(g),
            Ok(g) => p.compression = Some(g),
            Err(e) => err(format!("must be an array of {{\"count\", \"dia\"}}: {e}")),
        },
        "stirrups" => match serde_json::from_value::<Stirrups>(v) {
            Ok(s) => p.stirrups = Some(s),
            Err(e) => err(format!("must be {{\"legs\", \"dia\", \"spacing\"}}: {e}")),
        },
        _ => match num(&v) {
            Ok(x) => *number_slot(p, name) = Some(x),
            Err(m) => err(m),
        },
    }
}

/// The `Option<f64>` of a numeric field.
fn number_slot<'a>(p: &'a mut BeamParams, name: &str) -> &'a mut Option<f64> {
    match name {
        "width" => &mut p.width,
        "depth" => &mut p.depth,
        "length" => &mut p.length,
        "Mu" => &mut p.mu,
        "Vu" => &mut p.vu,
        "fck" => &mut p.fck,
        "fy" => &mut p.fy,
        "cover" => &mut p.cover,
        "d" => &mut p.d,
        "d_prime" => &mut p.d_prime,
        "stirrup_dia" => &mut p.stirrup_dia,
        "stirrup_legs" => &mut p.stirrup_legs,
        _ => &mut p.aggregate,
    }
}

struct BeamVisitor;

impl<'de> Visitor<'de> for BeamVisitor {
    type Value = ParsedBeam;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a beam object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParsedBeam, A::Error> {
        let mut out = ParsedBeam::default();
        let mut seen = 0u32;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Known(i) => {
                    let v: Value = map.next_value()?;
                    // `moment` and `Mu` share one slot (bit of Mu).
                    let slot = if i == MOMENT { 4 } else { i };
                    if seen & (1 << slot) != 0 {
                        let wire = if i == MOMENT {
                            "moment"
                        } else {
                            BEAM_FIELDS[i]
                        };
                        let msg = if slot == 4 {
                            "given twice (`Mu` and its alias `moment`)"
                        } else {
                            "given twice"
                        };
                        out.errors.push(ValidationError::new(wire, msg));
                        continue;
                    }
                    seen |= 1 << slot;
                    read_field(&mut out.params, &mut out.errors, i, v);
                }
                Key::Unknown(name) => {
                    map.next_value::<IgnoredAny>()?;
                    let msg = unknown_field_message(&name, &BEAM_FIELDS);
                    out.errors.push(ValidationError::new(name, msg));
                }
            }
        }
        Ok(out.finish())
    }
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
