//! The serde visitors that read a beam object leniently, one pass, collecting wire errors.
//!
//! Keys are matched with one `match` (no linear search); numeric fields are read straight to
//! `f64` without building a `serde_json::Value`; any other JSON type is described in the
//! error instead of failing the frame. `params`/`beam` objects are read during the frame's
//! own pass ([`BeamSlot`]), so a `design_beam` frame is scanned once.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::beam::{BEAM_FIELDS, BarGroup, BeamParams, ExposureName, Stirrups, SupportName};
use crate::params::{BEAM_ID_MAX_LEN, ParsedBeam};
use crate::validation::{ValidationError, unknown_field_message};

/// Index of the `moment` alias among the keys (after the [`BEAM_FIELDS`]).
const MOMENT: usize = BEAM_FIELDS.len();

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
        // A `match` compiles to a length switch and one comparison; a linear search over the
        // field list cost more than the rest of the frame.
        Ok(Key::Known(match v {
            "id" => 0,
            "width" => 1,
            "depth" => 2,
            "length" => 3,
            "Mu" => 4,
            "Vu" => 5,
            "fck" => 6,
            "fy" => 7,
            "cover" => 8,
            "d" => 9,
            "d_prime" => 10,
            "exposure" => 11,
            "support" => 12,
            "bars" => 13,
            "stirrup_dia" => 14,
            "stirrup_legs" => 15,
            "aggregate" => 16,
            "tension" => 17,
            "compression" => 18,
            "stirrups" => 19,
            "moment" => MOMENT,
            _ => return Ok(Key::Unknown(v.chars().take(64).collect())),
        }))
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
            Ok(x) => *number_slot(p, i) = Some(x),
            Err(m) => err(m),
        },
    }
}

/// Whether key index `i` is a numeric field (read through [`NumberValue`]).
fn is_number_field(i: usize) -> bool {
    matches!(i, 1..=10 | 14..=16) || i == MOMENT
}

/// The error for a field given twice.
fn twice(i: usize) -> ValidationError {
    if i == MOMENT || i == 4 {
        let wire = if i == MOMENT { "moment" } else { "Mu" };
        ValidationError::new(wire, "given twice (`Mu` and its alias `moment`)")
    } else {
        ValidationError::new(BEAM_FIELDS[i], "given twice")
    }
}

/// The `Option<f64>` of the numeric field with key index `i`.
fn number_slot(p: &mut BeamParams, i: usize) -> &mut Option<f64> {
    match i {
        1 => &mut p.width,
        2 => &mut p.depth,
        3 => &mut p.length,
        4 => &mut p.mu,
        5 => &mut p.vu,
        6 => &mut p.fck,
        7 => &mut p.fy,
        8 => &mut p.cover,
        9 => &mut p.d,
        10 => &mut p.d_prime,
        14 => &mut p.stirrup_dia,
        15 => &mut p.stirrup_legs,
        _ => &mut p.aggregate,
    }
}

/// A numeric field's value: a number, null (`Ok(None)`), or a description of what came.
struct NumberValue(Result<Option<f64>, String>);

impl<'de> Deserialize<'de> for NumberValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = NumberValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberValue, E> {
        Ok(NumberValue(Ok(Some(v))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberValue, E> {
        Ok(NumberValue(Ok(Some(v as f64))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberValue, E> {
        Ok(NumberValue(Ok(Some(v as f64))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<NumberValue, E> {
        Ok(NumberValue(Ok(None)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NumberValue, E> {
        Ok(NumberValue(Err(v.to_string())))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NumberValue, E> {
        Ok(NumberValue(Err(describe(&Value::String(
            v.chars().take(32).collect(),
        )))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NumberValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(NumberValue(Err("an array".into())))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NumberValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(NumberValue(Err("an object".into())))
    }
}

/// Reads a JSON object into a [`ParsedBeam`].
pub(crate) struct BeamVisitor;

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
                Key::Known(i) if is_number_field(i) => {
                    let slot = if i == MOMENT { 4 } else { i };
                    let v = map.next_value::<NumberValue>()?;
                    if seen & (1 << slot) != 0 {
                        out.errors.push(twice(i));
                        continue;
                    }
                    seen |= 1 << slot;
                    match v.0 {
                        Ok(Some(x)) => *number_slot(&mut out.params, slot) = Some(x),
                        Ok(None) => {}
                        Err(got) => {
                            let wire = if i == MOMENT {
                                "moment"
                            } else {
                                BEAM_FIELDS[i]
                            };
                            let msg = format!("must be a number ({}), got {got}", unit_of(wire));
                            out.errors.push(ValidationError::new(wire, msg));
                        }
                    }
                }
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

/// A value that should be a beam object: the beam, or what came instead (`an array`, …).
pub(crate) struct BeamSlot(pub(crate) Result<ParsedBeam, String>);

impl<'de> Deserialize<'de> for BeamSlot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BeamSlot;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BeamSlot, A::Error> {
                BeamVisitor.visit_map(map).map(|b| BeamSlot(Ok(b)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<BeamSlot, A::Error> {
                NumberVisitor
                    .visit_seq(seq)
                    .map(|n| BeamSlot(Err(n.0.err().unwrap_or_default())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<BeamSlot, E> {
                Ok(BeamSlot(Err(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BeamSlot, E> {
                Ok(BeamSlot(Err(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BeamSlot, E> {
                Ok(BeamSlot(Err(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<BeamSlot, E> {
                Ok(BeamSlot(Err("null".into())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<BeamSlot, E> {
                Ok(BeamSlot(Err(v.to_string())))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BeamSlot, E> {
                Ok(BeamSlot(Err(describe(&Value::String(
                    v.chars().take(32).collect(),
                )))))
            }
        }
        d.deserialize_any(V)
    }
}
