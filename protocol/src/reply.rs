//! The design reply written straight from the engine's [`Design`] into a byte buffer.
//!
//! This is the hot path of interactive design (one per `design_beam` frame), so it skips the
//! owned [`crate::DesignResult`] (a dozen small allocations) and serde's per-field dispatch,
//! and writes the exact bytes `ServerMessage::design_reply(…).encode()` produces — a test
//! holds the two byte-for-byte equal over many beams, so the owned types stay the single
//! definition of the format (and of its schema).

use std::fmt::{self, Write as _};

use beam_design::{BarArrangement, Design, Steel, StirrupSpec};

use crate::beam::Assumed;
use crate::channel::SessionId;
use crate::client::{DesignBeam, Dialect};
use crate::params::ValidBeam;
use crate::server::rfc3339_utc;

/// A JSON writer over a byte buffer, with a scratch string for `Display` values.
pub(crate) struct Json<'a> {
    out: &'a mut Vec<u8>,
    scratch: String,
}

impl<'a> Json<'a> {
    /// A writer appending to `out`.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        Self {
            out,
            scratch: String::new(),
        }
    }

    /// Appends raw JSON text.
    pub(crate) fn raw(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    /// A string, escaped exactly as `serde_json` does.
    pub(crate) fn str(&mut self, s: &str) {
        self.out.push(b'"');
        let bytes = s.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => b"",
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[start..i]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 15)],
                ]);
            } else {
                self.out.extend_from_slice(escape);
            }
            start = i + 1;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }

    /// Any serialisable value, through `serde_json`.
    pub(crate) fn serde<T: serde::Serialize + ?Sized>(&mut self, v: &T) {
        // A Vec writer cannot fail, and the protocol's types serialise infallibly.
        let _ = serde_json::to_writer(&mut *self.out, v);
    }

    /// A `Display` value as a JSON string.
    pub(crate) fn display(&mut self, v: &dyn fmt::Display) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        // unwrap-free: writing to a String cannot fail.
        let _ = write!(scratch, "{v}");
        self.str(&scratch);
        self.scratch = scratch;
    }

    /// A non-negative integer.
    pub(crate) fn uint(&mut self, n: u64) {
        if n < 10 {
            self.out.push(b'0' + n as u8);
            return;
        }
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        while n > 0 {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        // Byte pushes beat a memcpy call for the few digits numbers have here.
        for &b in &buf[i..] {
            self.out.push(b);
        }
    }

    /// A number rounded to 3 decimals, written as `serde_json` writes the rounded `f64`
    /// (shortest round-trip form: `450.0`, `12.5`, `0.125`); non-finite as `null`.
    fn num(&mut self, x: f64) {
        let scaled = x * 1000.0;
        if !scaled.is_finite() || scaled.abs() >= 1e15 {
            // Non-finite (null) or out of the fixed-point range: let serde_json format it.
            let v = crate::result::r3(x);
            let text = serde_json::Number::from_f64(v)
                .map_or_else(|| "null".to_owned(), |n| n.to_string());
            self.raw(&text);
            return;
        }
        let n = round_half_away(scaled);
        if n < 0 {
            self.out.push(b'-');
        }
        let (int, frac) = (n.unsigned_abs() / 1000, n.unsigned_abs() % 1000);
        self.uint(int);
        if frac == 0 {
            self.out.extend_from_slice(b".0");
        } else {
            let digits = [
                b'.',
                b'0' + (frac / 100) as u8,
                b'0' + (frac / 10 % 10) as u8,
                b'0' + (frac % 10) as u8,
            ];
            let len = if digits[3] != b'0' {
                4
            } else if digits[2] != b'0' {
                3
            } else {
                2
            };
            self.out.extend_from_slice(&digits[..len]);
        }
    }

    /// A string known to need no escaping (the engine's stable names and clauses).
    fn plain(&mut self, s: &str) {
        debug_assert!(
            !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20),
            "{s}"
        );
        self.out.push(b'"');
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'"');
    }

    /// `3-16φ`, `2-20φ + 1-16φ` or `none`, as [`BarArrangement`]'s `Display` writes it.
    fn bars(&mut self, b: &BarArrangement) {
        if b.is_none() {
            self.raw("\"none\"");
            return;
        }
        self.out.push(b'"');
        for (i, g) in std::iter::once(b.primary).chain(b.secondary).enumerate() {
            if i > 0 {
                self.raw(" + ");
            }
            self.uint(u64::from(g.count));
            self.out.push(b'-');
            self.uint(u64::from(g.dia_mm));
            self.raw("φ");
        }
        self.out.push(b'"');
    }

    /// `2L-8φ @ 150 c/c`, as [`StirrupSpec`]'s `Display` writes it.
    fn stirrup_text(&mut self, s: &StirrupSpec) {
        if s.spacing_mm.fract() != 0.0 || !s.spacing_mm.is_finite() || s.spacing_mm.abs() >= 1e15 {
            self.display(s);
            return;
        }
        self.out.push(b'"');
        self.uint(u64::from(s.legs));
        self.raw("L-");
        self.uint(u64::from(s.dia_mm));
        self.raw("φ @ ");
        if s.spacing_mm < 0.0 {
            self.out.push(b'-');
        }
        self.uint(s.spacing_mm.abs() as u64);
        self.raw(" c/c\"");
    }

    fn groups(&mut self, b: &BarArrangement) {
        self.raw("[");
        if !b.is_none() {
            for (i, g) in std::iter::once(b.primary).chain(b.secondary).enumerate() {
                self.raw(if i == 0 {
                    "{\"count\":"
                } else {
                    ",{\"count\":"
                });
                self.uint(u64::from(g.count));
                self.raw(",\"dia\":");
                self.uint(u64::from(g.dia_mm));
                self.raw("}");
            }
        }
        self.raw("]");
    }

    fn steel(&mut self, s: &Steel) {
        self.raw("{\"required_mm2\":");
        self.num(s.required_mm2);
        self.raw(",\"min_mm2\":");
        self.num(s.min_mm2);
        self.raw(",\"max_mm2\":");
        self.num(s.max_mm2);
        self.raw(",\"provided_mm2\":");
        self.num(s.provided_mm2);
        self.raw(",\"bars\":");
        self.bars(&s.bars);
        self.raw(",\"groups\":");
        self.groups(&s.bars);
        self.raw(",\"layers\":");
        self.uint(u64::from(s.bars.layers));
        self.raw(",\"development_length_mm\":");
        self.num(s.development_length_mm);
        self.raw("}");
    }

    fn stirrups(&mut self, s: &StirrupSpec) {
        self.raw("{\"text\":");
        self.stirrup_text(s);
        self.raw(",\"legs\":");
        self.uint(u64::from(s.legs));
        self.raw(",\"dia\":");
        self.uint(u64::from(s.dia_mm));
        self.raw(",\"spacing_mm\":");
        self.num(s.spacing_mm);
        self.raw("}");
    }

    /// The [`crate::DesignResult`] object of `d`, labelled `id`, noting `assumed`.
    pub(crate) fn result(&mut self, d: &Design, id: Option<&str>, assumed: Assumed) {
        self.raw("{");
        if let Some(id) = id {
            self.raw("\"id\":");
            self.str(id);
            self.raw(",");
        }
        self.raw("\"mode\":");
        self.plain(d.mode.as_str());
        self.raw(",\"status\":");
        self.plain(d.status.as_str());
        if !assumed.is_empty() {
            self.raw(",\"assumed\":[");
            for (i, name) in assumed.names().enumerate() {
                if i > 0 {
                    self.raw(",");
                }
                self.plain(name);
            }
            self.raw("]");
        }
        for (key, x) in [
            (",\"d_mm\":", d.effective_depth_mm),
            (",\"d_prime_mm\":", d.compression_depth_mm),
            (",\"xu_max_mm\":", d.xu_max_mm),
            (",\"xu_mm\":", d.xu_mm),
            (",\"mu_lim_knm\":", d.mu_lim_knm),
        ] {
            self.raw(key);
            self.num(x);
        }
        self.raw(if d.doubly_reinforced {
            ",\"doubly_reinforced\":true"
        } else {
            ",\"doubly_reinforced\":false"
        });
        self.raw(",\"pt_percent\":");
        self.num(d.pt_percent);
        self.raw(",\"tension\":");
        self.steel(&d.tension);
        self.raw(",\"compression\":");
        match &d.compression {
            Some(c) => self.steel(c),
            None => self.raw("null"),
        }
        let sh = &d.shear;
        for (key, x) in [
            (",\"shear\":{\"tau_v_mpa\":", sh.tau_v_mpa),
            (",\"tau_c_mpa\":", sh.tau_c_mpa),
            (",\"tau_c_max_mpa\":", sh.tau_c_max_mpa),
            (",\"vus_kn\":", sh.vus_kn),
        ] {
            self.raw(key);
            self.num(x);
        }
        self.raw(",\"stirrups\":");
        match &sh.stirrups {
            Some(s) => self.stirrups(s),
            None => self.raw("null"),
        }
        self.raw(",\"governing\":");
        self.plain(sh.governing.as_str());
        self.raw(",\"clause\":");
        self.plain(sh.governing.clause());
        let de = &d.deflection;
        for (key, x) in [
            ("},\"deflection\":{\"basic_ratio\":", de.basic_ratio),
            (",\"span_factor\":", de.span_factor),
            (",\"kt\":", de.tension_factor),
            (",\"fs_mpa\":", de.service_stress_mpa),
            (",\"kc\":", de.compression_factor),
            (",\"allowable_ratio\":", de.allowable_ratio),
            (",\"actual_ratio\":", de.actual_ratio),
        ] {
            self.raw(key);
            self.num(x);
        }
        self.raw("},\"side_face\":");
        match &d.side_face {
            Some(s) => {
                self.raw("{\"total_mm2\":");
                self.num(s.total_mm2);
                self.raw(",\"per_face_mm2\":");
                self.num(s.per_face_mm2);
                self.raw(",\"max_spacing_mm\":");
                self.num(s.max_spacing_mm);
                self.raw("}");
            }
            None => self.raw("null"),
        }
        let ca = &d.capacity;
        for (key, x) in [
            (",\"capacity\":{\"moment_knm\":", ca.moment_knm),
            (",\"shear_kn\":", ca.shear_kn),
            (",\"flexure_utilization\":", ca.flexure_utilization),
            (",\"shear_utilization\":", ca.shear_utilization),
        ] {
            self.raw(key);
            self.num(x);
        }
        self.raw("},\"messages\":[");
        for (i, m) in d.messages.iter().enumerate() {
            self.raw(if i == 0 { "{\"code\":" } else { ",{\"code\":" });
            self.plain(m.code.as_str());
            self.raw(",\"level\":");
            self.plain(m.level().as_str());
            self.raw(",\"clause\":");
            self.plain(m.clause());
            self.raw(",\"text\":");
            self.display(m);
            self.raw(",\"value\":");
            self.num(m.value);
            self.raw(",\"limit\":");
            self.num(m.limit);
            self.raw("}");
        }
        self.raw("]}");
    }
}

/// `x` rounded to the nearest integer, halves away from zero — `f64::round` without the
/// libm call (`x` is finite and below 1e15 in magnitude, so the arithmetic here is exact).
fn round_half_away(x: f64) -> i64 {
    let t = x as i64;
    let rest = x - t as f64;
    if rest >= 0.5 {
        t + 1
    } else if rest <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// Appends to `out` the reply to `request` — byte for byte what
/// `ServerMessage::design_reply(request, valid, design, session_id, now_unix_ms).encode()` gives.
pub fn write_design_reply(
    out: &mut Vec<u8>,
    request: &DesignBeam,
    valid: &ValidBeam,
    design: &Design,
    session_id: &SessionId,
    now_unix_ms: u64,
) {
    let mut w = Json {
        out,
        scratch: String::new(),
    };
    w.raw("{\"type\":\"design_result\"");
    if let Some(id) = &request.request_id {
        w.raw(",\"request_id\":");
        match id {
            crate::RequestId::Number(n) => w.uint(*n),
            crate::RequestId::Text(s) => w.str(s),
        }
    }
    match request.dialect {
        Dialect::Canonical => {
            w.raw(",\"data\":");
            w.result(design, valid.record.id.as_deref(), valid.record.assumed);
        }
        Dialect::Action => {
            w.raw(",\"session_id\":");
            w.str(session_id.as_str());
            w.raw(",\"beam\":");
            w.serde(&request.params.params);
            w.raw(",\"result\":");
            w.result(design, valid.record.id.as_deref(), valid.record.assumed);
            w.raw(",\"timestamp\":");
            w.str(&rfc3339_utc(now_unix_ms));
        }
    }
    w.raw("}");
}
