//! One JSON text frame, read once into its top-level fields, and what can be wrong with it.
//!
//! A [`Frame`] keeps each top-level value as borrowed raw JSON, so that a message is read in
//! one pass over the text and each field is then decoded on its own — which is how every
//! problem of a message is reported at once, each against its own field name.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::params::ParsedBeam;
use crate::reader::BeamSlot;
use crate::validation::{ValidationError, unknown_field_message};

/// Longest accepted string `request_id`, in bytes.
pub const REQUEST_ID_MAX_LEN: usize = 128;

/// A client's request id, echoed in every reply: a string (≤ 128 bytes) or a non-negative
/// integer, echoed with the same JSON type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RequestId {
    /// A numeric id.
    Number(u64),
    /// A string id.
    Text(String),
}

impl<'de> Deserialize<'de> for RequestId {
    /// A string or a non-negative integer (hand-written: serde's untagged enums buffer the
    /// value and build an error per failed variant, which costs more than the whole frame).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a non-negative integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::Text(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

/// Why a frame could not be decoded into a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON (or truncated): where and why.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// JSON, but not an object.
    #[error("a message must be a JSON object, got {got}")]
    NotAnObject {
        /// What came instead (`an array`, `a string`…).
        got: &'static str,
    },
    /// Neither `type` nor the seeds' `action`.
    #[error("a message needs a string `type` field (one of: {expected})")]
    MissingType {
        /// The accepted types, comma-separated.
        expected: &'static str,
    },
    /// A `type` (or `action`) this side does not know.
    #[error("unknown message type `{got}`{hint}; expected one of: {expected}")]
    UnknownType {
        /// The type received (truncated to 64 characters).
        got: String,
        /// `; did you mean `x`?` or empty.
        hint: String,
        /// The accepted types, comma-separated.
        expected: &'static str,
    },
    /// The message is well-formed but some fields are wrong; all of them are listed.
    #[error("{} invalid field(s): {}", .0.len(), summary(.0))]
    Invalid(Vec<ValidationError>),
}

/// `field: message; field: message` for error displays.
fn summary(errors: &[ValidationError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    parts.join("; ")
}

impl DecodeError {
    /// The JSON error as a [`DecodeError::Json`] (or `NotAnObject` for type mismatches).
    pub fn from_json(e: &serde_json::Error) -> Self {
        let message = e.to_string();
        // serde_json appends " at line L column C"; keep the reason alone.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        Self::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// A frame's top-level fields, in order, each as raw JSON — except the first `params` or
/// `beam` object, which is read as a beam during the same pass (the hot path is `design_beam`,
/// and reading its beam from the raw text again would scan it twice).
#[derive(Debug)]
pub struct Frame<'a> {
    /// Keys in order; the value is `None` for the beam read in-line.
    fields: Vec<(Cow<'a, str>, Option<&'a RawValue>)>,
    /// The in-line beam: read, or what came instead of an object.
    beam: Option<Result<ParsedBeam, String>>,
    /// The `request_id`, read once: absent, well-formed, or malformed (`Err`).
    request_id: Option<Result<RequestId, ()>>,
}

impl<'a> Frame<'a> {
    /// Reads `text` as one JSON object, without decoding its values.
    pub fn parse(text: &'a str) -> Result<Self, DecodeError> {
        match serde_json::from_str::<Frame<'a>>(text) {
            Ok(mut frame) => {
                frame.request_id = frame.get("request_id").map(|raw| {
                    match serde_json::from_str::<RequestId>(raw.get()) {
                        Ok(RequestId::Text(s)) if s.len() > REQUEST_ID_MAX_LEN => Err(()),
                        Ok(id) => Ok(id),
                        Err(_) => Err(()),
                    }
                });
                Ok(frame)
            }
            Err(e) if e.is_data() => Err(DecodeError::NotAnObject { got: kind_of(text) }),
            Err(e) => Err(DecodeError::from_json(&e)),
        }
    }

    /// The raw value of `key`, if present (the first one if given twice).
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| *v)
    }

    /// The beam object under `key` (`params` or `beam`), read in-line; `Err` says what came
    /// instead of an object. `None` when absent.
    pub fn take_beam(&mut self, key: &str) -> Option<Result<ParsedBeam, String>> {
        match self.fields.iter().find(|(k, _)| k == key) {
            Some((_, None)) => self.beam.take(),
            // Another beam key came first and was read in line; read this one now.
            Some((_, Some(raw))) => Some(
                serde_json::from_str::<BeamSlot>(raw.get())
                    .map_or_else(|e| Err(e.to_string()), |slot| slot.0),
            ),
            None => None,
        }
    }

    /// A string field's value, if present and a string.
    pub fn str(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key)
            .and_then(|raw| serde_json::from_str::<Key<'a>>(raw.get()).ok())
            .map(|k| k.0)
    }

    /// True when `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == key)
    }

    /// The `request_id`, if present and well-formed.
    pub fn request_id(&self) -> Option<RequestId> {
        self.request_id.clone()?.ok()
    }

    /// Errors for keys outside `allowed` (with a suggestion), keys given twice, and a
    /// malformed `request_id`.
    pub fn check_keys(&self, allowed: &[&str]) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        for (i, (key, _)) in self.fields.iter().enumerate() {
            if !allowed.contains(&key.as_ref()) {
                let name: String = key.chars().take(64).collect();
                let msg = unknown_field_message(&name, allowed);
                errors.push(ValidationError::new(name, msg));
            } else if self.fields[..i].iter().any(|(k, _)| k == key) {
                errors.push(ValidationError::new(key.as_ref(), "given twice"));
            }
        }
        if matches!(self.request_id, Some(Err(()))) {
            let msg = format!(
                "must be a string of at most {REQUEST_ID_MAX_LEN} bytes or a non-negative integer"
            );
            errors.push(ValidationError::new("request_id", msg));
        }
        errors
    }

    /// Decodes a required field, or records why it could not.
    pub fn required<T: Deserialize<'a>>(
        &self,
        key: &str,
        errors: &mut Vec<ValidationError>,
    ) -> Option<T> {
        match self.get(key) {
            None => {
                errors.push(ValidationError::new(key, "required"));
                None
            }
            Some(raw) => self.decode(key, raw, errors),
        }
    }

    /// Decodes an optional field (absent or `null` → `None`), or records why it could not.
    pub fn optional<T: Deserialize<'a>>(
        &self,
        key: &str,
        errors: &mut Vec<ValidationError>,
    ) -> Option<T> {
        match self.get(key) {
            Some(raw) if raw.get() != "null" => self.decode(key, raw, errors),
            _ => None,
        }
    }

    fn decode<T: Deserialize<'a>>(
        &self,
        key: &str,
        raw: &'a RawValue,
        errors: &mut Vec<ValidationError>,
    ) -> Option<T> {
        match serde_json::from_str::<T>(raw.get()) {
            Ok(v) => Some(v),
            Err(e) => {
                let DecodeError::Json { message, .. } = DecodeError::from_json(&e) else {
                    return None;
                };
                errors.push(ValidationError::new(key, message));
                None
            }
        }
    }
}

/// What a non-object JSON text is, for messages.
fn kind_of(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// A key that borrows from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Frame<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Frame<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Frame<'de>, A::Error> {
                let mut fields = Vec::with_capacity(4);
                let mut beam = None;
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    if beam.is_none() && (k == "params" || k == "beam") {
                        beam = Some(map.next_value::<BeamSlot>()?.0);
                        fields.push((k, None));
                    } else {
                        fields.push((k, Some(map.next_value::<&'de RawValue>()?)));
                    }
                }
                Ok(Frame {
                    fields,
                    beam,
                    request_id: None,
                })
            }
        }
        d.deserialize_map(V)
    }
}
