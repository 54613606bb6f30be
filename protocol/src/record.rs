//! The compact, positional form of a validated beam, shared by job chunks and stored results.
//!
//! A [`BeamRecord`] is the beam *as designed*: every config default already applied (so a
//! worker or a later rebuild needs no config), plus which fields were defaulted (so the
//! client's own beam can be echoed back without them). It is a JSON array:
//!
//! | pos | field | encoding |
//! |---|---|---|
//! | 0–3 | `width`, `depth`, `length` (mm), `Mu` (kN·m) | number |
//! | 4 | `Vu` (kN) | number, or null when absent |
//! | 5–6 | `fck`, `fy` (N/mm²) | number |
//! | 7 | `exposure` | 0 mild, 1 moderate, 2 severe, 3 very_severe, 4 extreme |
//! | 8 | `support` | 0 cantilever, 1 simply_supported, 2 continuous |
//! | 9 | `bars` (mm) | bit mask over 6, 8, 10, 12, 16, 20, 25, 28, 32, 36, 40 (bit 0 = 6 mm), or an array of diameters when one is not standard |
//! | 10–12 | `stirrup_dia` (mm), `stirrup_legs`, `aggregate` (mm) | number |
//! | 13 | assumed | bit mask: 1 length, 2 fck, 4 fy, 8 exposure, 16 support, 32 bars, 64 stirrup_dia, 128 stirrup_legs, 256 aggregate |
//! | 14–16 | `cover`, `d`, `d_prime` (mm) | number or null |
//! | 17 | `id` | string or null |
//! | 18–19 | `tension`, `compression` | `[[count, dia], …]` or null |
//! | 20 | `stirrups` | `[legs, dia, spacing]` or null |
//!
//! Trailing nulls are left out, and integral numbers are written without a fraction, so a
//! typical designed beam is `[300,450,5000,150,80,25,500,1,1,376,8,2,20,504]` (46 bytes).

use std::fmt;

use beam_design::{BarGroupInput, BeamInput, Exposure, ReinforcementInput, StirrupInput, Support};
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::beam::{Assumed, BarGroup, BeamParams, ExposureName, Stirrups, SupportName};

/// Standard bar diameters of the `bars` bit mask, mm (bit i = `STANDARD_BARS_MM[i]`).
pub const STANDARD_BARS_MM: [u8; 11] = [6, 8, 10, 12, 16, 20, 25, 28, 32, 36, 40];
const EXPOSURE_CODES: [Exposure; 5] = [
    Exposure::Mild,
    Exposure::Moderate,
    Exposure::Severe,
    Exposure::VerySevere,
    Exposure::Extreme,
];
const SUPPORT_CODES: [Support; 3] = [
    Support::Cantilever,
    Support::SimplySupported,
    Support::Continuous,
];

/// A validated beam with its defaults applied, its label and which fields were defaulted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BeamRecord {
    /// The client's label.
    pub id: Option<String>,
    /// The engine input, defaults applied.
    pub input: BeamInput,
    /// Which wire fields came from the config.
    pub assumed: Assumed,
}

impl BeamRecord {
    /// The beam as the client sent it: the input without the defaulted fields.
    pub fn to_params(&self) -> BeamParams {
        let i = &self.input;
        let a = self.assumed.0;
        let keep = |bit: u16, v: f64| (a & (1 << bit) == 0).then_some(v);
        let keep_opt = |bit: u16, v: Option<f64>| v.filter(|_| a & (1 << bit) == 0);
        let groups = |g: &[BarGroupInput]| {
            g.iter()
                .map(|b| BarGroup {
                    count: b.count,
                    dia: b.dia_mm,
                })
                .collect()
        };
        let r = i.reinforcement.as_ref();
        BeamParams {
            id: self.id.clone(),
            width: Some(i.width_mm),
            depth: Some(i.depth_mm),
            length: keep(0, i.span_mm),
            mu: Some(i.mu_knm),
            vu: i.vu_kn,
            fck: keep(1, i.fck_mpa),
            fy: keep(2, i.fy_mpa),
            cover: i.cover_mm,
            d: i.effective_depth_mm,
            d_prime: i.compression_depth_mm,
            exposure: i.exposure.filter(|_| a & 8 == 0).map(ExposureName),
            support: i.support.filter(|_| a & 16 == 0).map(SupportName),
            bars: i.bar_diameters_mm.clone().filter(|_| a & 32 == 0),
            stirrup_dia: keep_opt(6, i.stirrup_dia_mm),
            stirrup_legs: keep_opt(7, i.stirrup_legs),
            aggregate: keep_opt(8, i.max_aggregate_mm),
            tension: r
                .filter(|r| !r.tension.is_empty())
                .map(|r| groups(&r.tension)),
            compression: r
                .filter(|r| !r.compression.is_empty())
                .map(|r| groups(&r.compression)),
            stirrups: r.and_then(|r| r.stirrups).map(|s| Stirrups {
                legs: s.legs,
                dia: s.dia_mm,
                spacing: s.spacing_mm,
            }),
        }
    }

    /// Writes the record's fields (trailing nulls left out) into an open sequence.
    pub(crate) fn write_fields<S: SerializeSeq>(&self, seq: &mut S) -> Result<(), S::Error> {
        let i = &self.input;
        let r = i.reinforcement.as_ref();
        let tension = r
            .filter(|r| !r.tension.is_empty())
            .map(|r| Groups(&r.tension));
        let compression = r
            .filter(|r| !r.compression.is_empty())
            .map(|r| Groups(&r.compression));
        let stirrups = r
            .and_then(|r| r.stirrups)
            .map(|s| [Num(s.legs), Num(s.dia_mm), Num(s.spacing_mm)]);
        for x in [i.width_mm, i.depth_mm, i.span_mm, i.mu_knm] {
            seq.serialize_element(&Num(x))?;
        }
        seq.serialize_element(&i.vu_kn.map(Num))?;
        seq.serialize_element(&Num(i.fck_mpa))?;
        seq.serialize_element(&Num(i.fy_mpa))?;
        seq.serialize_element(
            &i.exposure
                .and_then(|e| EXPOSURE_CODES.iter().position(|x| *x == e)),
        )?;
        seq.serialize_element(
            &i.support
                .and_then(|s| SUPPORT_CODES.iter().position(|x| *x == s)),
        )?;
        seq.serialize_element(&i.bar_diameters_mm.as_deref().map(Bars))?;
        for x in [i.stirrup_dia_mm, i.stirrup_legs, i.max_aggregate_mm] {
            seq.serialize_element(&x.map(Num))?;
        }
        seq.serialize_element(&self.assumed.0)?;
        let last = [
            i.cover_mm.is_some(),
            i.effective_depth_mm.is_some(),
            i.compression_depth_mm.is_some(),
            self.id.is_some(),
            tension.is_some(),
            compression.is_some(),
            stirrups.is_some(),
        ]
        .iter()
        .rposition(|present| *present);
        let Some(last) = last else { return Ok(()) };
        seq.serialize_element(&i.cover_mm.map(Num))?;
        if last >= 1 {
            seq.serialize_element(&i.effective_depth_mm.map(Num))?;
        }
        if last >= 2 {
            seq.serialize_element(&i.compression_depth_mm.map(Num))?;
        }
        if last >= 3 {
            seq.serialize_element(&self.id)?;
        }
        if last >= 4 {
            seq.serialize_element(&tension)?;
        }
        if last >= 5 {
            seq.serialize_element(&compression)?;
        }
        if last >= 6 {
            seq.serialize_element(&stirrups)?;
        }
        Ok(())
    }

    /// Reads the record's fields from a sequence, from its current element on.
    pub(crate) fn read_fields<'de, A: SeqAccess<'de>>(seq: &mut A) -> Result<Self, A::Error> {
        let need = |v: Option<f64>, what: &str| {
            v.ok_or_else(|| de::Error::custom(format!("beam record: {what} missing")))
        };
        let next_num = |seq: &mut A| -> Result<Option<f64>, A::Error> {
            Ok(seq.next_element::<Option<f64>>()?.flatten())
        };
        let width_mm = need(next_num(seq)?, "width")?;
        let depth_mm = need(next_num(seq)?, "depth")?;
        let span_mm = need(next_num(seq)?, "length")?;
        let mu_knm = need(next_num(seq)?, "Mu")?;
        let vu_kn = next_num(seq)?;
        let fck_mpa = need(next_num(seq)?, "fck")?;
        let fy_mpa = need(next_num(seq)?, "fy")?;
        let code = |c: Option<usize>, n: usize, what: &str| -> Result<Option<usize>, A::Error> {
            match c {
                Some(c) if c >= n => Err(de::Error::custom(format!(
                    "beam record: bad {what} code {c}"
                ))),
                c => Ok(c),
            }
        };
        let exposure = code(
            seq.next_element::<Option<usize>>()?.flatten(),
            5,
            "exposure",
        )?
        .map(|c| EXPOSURE_CODES[c]);
        let support = code(seq.next_element::<Option<usize>>()?.flatten(), 3, "support")?
            .map(|c| SUPPORT_CODES[c]);
        let bars = seq.next_element::<Option<BarsIn>>()?.flatten().map(|b| b.0);
        let stirrup_dia_mm = seq.next_element::<Option<f64>>()?.flatten();
        let stirrup_legs = seq.next_element::<Option<f64>>()?.flatten();
        let max_aggregate_mm = seq.next_element::<Option<f64>>()?.flatten();
        let assumed = Assumed(seq.next_element::<Option<u16>>()?.flatten().unwrap_or(0));
        let cover_mm = seq.next_element::<Option<f64>>()?.flatten();
        let effective_depth_mm = seq.next_element::<Option<f64>>()?.flatten();
        let compression_depth_mm = seq.next_element::<Option<f64>>()?.flatten();
        let id = seq.next_element::<Option<String>>()?.flatten();
        let tension = seq.next_element::<Option<Vec<[f64; 2]>>>()?.flatten();
        let compression = seq.next_element::<Option<Vec<[f64; 2]>>>()?.flatten();
        let stirrups = seq.next_element::<Option<[f64; 3]>>()?.flatten();
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("beam record: too many elements"));
        }
        let groups = |g: Option<Vec<[f64; 2]>>| {
            g.unwrap_or_default()
                .into_iter()
                .map(|[count, dia_mm]| BarGroupInput { count, dia_mm })
                .collect::<Vec<_>>()
        };
        let reinforcement = (tension.is_some() || compression.is_some() || stirrups.is_some())
            .then(|| ReinforcementInput {
                tension: groups(tension),
                compression: groups(compression),
                stirrups: stirrups.map(|[legs, dia_mm, spacing_mm]| StirrupInput {
                    legs,
                    dia_mm,
                    spacing_mm,
                }),
            });
        let input = BeamInput {
            width_mm,
            depth_mm,
            span_mm,
            mu_knm,
            vu_kn,
            fck_mpa,
            fy_mpa,
            cover_mm,
            exposure,
            effective_depth_mm,
            compression_depth_mm,
            support,
            bar_diameters_mm: bars,
            stirrup_dia_mm,
            stirrup_legs,
            max_aggregate_mm,
            reinforcement,
        };
        Ok(Self { id, input, assumed })
    }
}

impl Serialize for BeamRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        self.write_fields(&mut seq)?;
        seq.end()
    }
}

impl<'de> Deserialize<'de> for BeamRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BeamRecord;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a beam record array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BeamRecord, A::Error> {
                BeamRecord::read_fields(&mut seq)
            }
        }
        d.deserialize_seq(V)
    }
}

/// A number written without a fraction when it is integral (`150` rather than `150.0`).
#[derive(Clone, Copy)]
pub(crate) struct Num(pub(crate) f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            s.serialize_i64(x as i64)
        } else {
            s.serialize_f64(x)
        }
    }
}

/// Bar groups as `[[count, dia], …]`.
struct Groups<'a>(&'a [BarGroupInput]);

impl Serialize for Groups<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|g| [Num(g.count), Num(g.dia_mm)]))
    }
}

/// Bar diameters as a mask over [`STANDARD_BARS_MM`], or an array when one is not standard.
struct Bars<'a>(&'a [f64]);

impl Serialize for Bars<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bit = |d: f64| STANDARD_BARS_MM.iter().position(|s| f64::from(*s) == d);
        match self.0.iter().map(|d| bit(*d)).collect::<Option<Vec<_>>>() {
            Some(bits) => s.serialize_u16(bits.into_iter().fold(0u16, |m, b| m | (1 << b))),
            None => s.collect_seq(self.0.iter().map(|d| Num(*d))),
        }
    }
}

/// Reads either form of [`Bars`].
struct BarsIn(Vec<f64>);

impl<'de> Deserialize<'de> for BarsIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BarsIn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bar mask or an array of diameters")
            }
            fn visit_u64<E: de::Error>(self, m: u64) -> Result<BarsIn, E> {
                if m >> STANDARD_BARS_MM.len() != 0 {
                    return Err(E::custom(format!(
                        "bar mask {m} has bits beyond the standard sizes"
                    )));
                }
                let dias = STANDARD_BARS_MM
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| m & (1 << i) != 0);
                Ok(BarsIn(dias.map(|(_, d)| f64::from(*d)).collect()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BarsIn, A::Error> {
                let mut v = Vec::new();
                while let Some(d) = seq.next_element::<f64>()? {
                    v.push(d);
                }
                Ok(BarsIn(v))
            }
        }
        d.deserialize_any(V)
    }
}
