//! A beam on the wire ([`BeamParams`]) and its conversion into the engine's input.
//!
//! | field | type | unit | default when absent |
//! |---|---|---|---|
//! | `id` | string ≤ 64 chars | — (the client's own label, echoed back) | none |
//! | `width` | number | mm (web width b) | required |
//! | `depth` | number | mm (overall depth D) | required |
//! | `length` | number | mm (effective span L) | config `length` |
//! | `Mu` (alias `moment`) | number | kN·m (factored moment) | required |
//! | `Vu` | number | kN (factored shear) | 0 |
//! | `fck` | number | N/mm² (concrete grade) | config `fck` |
//! | `fy` | number | N/mm² (steel grade) | config `fy` |
//! | `cover` | number | mm (nominal cover to stirrups) | Table 16 for `exposure` |
//! | `d` | number | mm (effective depth override) | from D, cover, stirrup, bars |
//! | `d_prime` | number | mm (compression steel centroid from the compression face) | cover + stirrup + ½ bar |
//! | `exposure` | `mild`/`moderate`/`severe`/`very_severe`/`extreme` | — | config `exposure` |
//! | `support` | `cantilever`/`simply_supported`/`continuous` | — | config `support` |
//! | `bars` | number[] | mm (diameters the designer may use) | config `bars` |
//! | `stirrup_dia` | number | mm | config `stirrup_dia` |
//! | `stirrup_legs` | number | legs | config `stirrup_legs` |
//! | `aggregate` | number | mm (nominal max coarse aggregate) | config `aggregate` |
//! | `tension` | `[{count, dia}]` | bars, mm | absent: design mode |
//! | `compression` | `[{count, dia}]` | bars, mm | none |
//! | `stirrups` | `{legs, dia, spacing}` | legs, mm, mm | none |
//!
//! Giving `tension` (and optionally `compression`, `stirrups`) switches from *design* to *check*
//! mode: the engine checks the given reinforcement instead of choosing it.

use std::borrow::Cow;

use beam_design::{BarGroupInput, BeamInput, Exposure, ReinforcementInput, StirrupInput, Support};
use serde::{Deserialize, Serialize};

use crate::config::DesignConfig;

/// Every wire field of a beam, in documented order (used for typo suggestions and CSV headers).
pub const BEAM_FIELDS: [&str; 20] = [
    "id",
    "width",
    "depth",
    "length",
    "Mu",
    "Vu",
    "fck",
    "fy",
    "cover",
    "d",
    "d_prime",
    "exposure",
    "support",
    "bars",
    "stirrup_dia",
    "stirrup_legs",
    "aggregate",
    "tension",
    "compression",
    "stirrups",
];

/// `count` bars of `dia` mm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BarGroup {
    /// Number of bars.
    pub count: f64,
    /// Bar diameter, mm.
    pub dia: f64,
}

/// `legs`-legged links of `dia` mm at `spacing` mm centres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stirrups {
    /// Number of legs.
    pub legs: f64,
    /// Link diameter, mm.
    pub dia: f64,
    /// Spacing along the span, mm.
    pub spacing: f64,
}

/// Wire names of [`Exposure`]: `mild`, `moderate`, `severe`, `very_severe`, `extreme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&str", try_from = "String")]
pub struct ExposureName(pub Exposure);

const EXPOSURES: [(&str, Exposure); 5] = [
    ("mild", Exposure::Mild),
    ("moderate", Exposure::Moderate),
    ("severe", Exposure::Severe),
    ("very_severe", Exposure::VerySevere),
    ("extreme", Exposure::Extreme),
];

impl From<ExposureName> for &'static str {
    fn from(e: ExposureName) -> Self {
        // unwrap: EXPOSURES lists every variant of the enum.
        EXPOSURES
            .iter()
            .find(|(_, x)| *x == e.0)
            .map(|(n, _)| *n)
            .unwrap()
    }
}

impl TryFrom<String> for ExposureName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::try_from(s.as_str())
    }
}

impl schemars::JsonSchema for ExposureName {
    fn schema_name() -> Cow<'static, str> {
        "Exposure".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "enum": ["mild", "moderate", "severe", "very_severe", "extreme"]})
    }
}

impl TryFrom<&str> for ExposureName {
    type Error = String;
    fn try_from(s: &str) -> Result<Self, String> {
        EXPOSURES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, x)| Self(*x))
            .ok_or_else(|| {
                format!("must be one of mild, moderate, severe, very_severe, extreme, got {s:?}")
            })
    }
}

/// Wire names of [`Support`]: `cantilever`, `simply_supported`, `continuous`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&str", try_from = "String")]
pub struct SupportName(pub Support);

const SUPPORTS: [(&str, Support); 3] = [
    ("cantilever", Support::Cantilever),
    ("simply_supported", Support::SimplySupported),
    ("continuous", Support::Continuous),
];

impl From<SupportName> for &'static str {
    fn from(s: SupportName) -> Self {
        // unwrap: SUPPORTS lists every variant of the enum.
        SUPPORTS
            .iter()
            .find(|(_, x)| *x == s.0)
            .map(|(n, _)| *n)
            .unwrap()
    }
}

impl TryFrom<String> for SupportName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::try_from(s.as_str())
    }
}

impl schemars::JsonSchema for SupportName {
    fn schema_name() -> Cow<'static, str> {
        "Support".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "enum": ["cantilever", "simply_supported", "continuous"]})
    }
}

impl TryFrom<&str> for SupportName {
    type Error = String;
    fn try_from(s: &str) -> Result<Self, String> {
        SUPPORTS
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, x)| Self(*x))
            .ok_or_else(|| {
                format!("must be one of cantilever, simply_supported, continuous, got {s:?}")
            })
    }
}

/// A beam as the client sent it; `None` = absent. See the module table for units and defaults.
///
/// Decoding goes through [`crate::ParsedBeam`], which collects every wire error at once;
/// this type serialises (for echoes, batch input, stored results) and documents the schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BeamParams {
    /// The client's own label, echoed back (≤ 64 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Web width b, mm. Required.
    pub width: Option<f64>,
    /// Overall depth D, mm. Required.
    pub depth: Option<f64>,
    /// Effective span L, mm. Default: config `length`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<f64>,
    /// Factored moment Mu, kN·m. Required (legacy alias `moment`).
    #[serde(rename = "Mu")]
    pub mu: Option<f64>,
    /// Factored shear Vu, kN. Default 0.
    #[serde(rename = "Vu", skip_serializing_if = "Option::is_none")]
    pub vu: Option<f64>,
    /// Concrete grade fck, N/mm². Default: config `fck`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fck: Option<f64>,
    /// Steel grade fy, N/mm². Default: config `fy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fy: Option<f64>,
    /// Nominal cover to the stirrups, mm. Default: IS 456 Table 16 for `exposure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<f64>,
    /// Effective depth d override, mm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d: Option<f64>,
    /// Depth of the compression steel centroid d′, mm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub d_prime: Option<f64>,
    /// Exposure condition. Default: config `exposure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<ExposureName>,
    /// Support condition. Default: config `support`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<SupportName>,
    /// Bar diameters the designer may use, mm. Default: config `bars`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bars: Option<Vec<f64>>,
    /// Stirrup diameter, mm. Default: config `stirrup_dia`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stirrup_dia: Option<f64>,
    /// Stirrup legs. Default: config `stirrup_legs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stirrup_legs: Option<f64>,
    /// Nominal maximum aggregate size, mm. Default: config `aggregate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<f64>,
    /// Check mode: tension bars, first layer first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tension: Option<Vec<BarGroup>>,
    /// Check mode: compression bars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<Vec<BarGroup>>,
    /// Check mode: shear links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stirrups: Option<Stirrups>,
}

/// Which wire fields were filled from the [`DesignConfig`] (bit i = `ASSUMABLE[i]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Assumed(pub u16);

/// Fields that may be defaulted from the config, in bit order of [`Assumed`].
pub const ASSUMABLE: [&str; 9] = [
    "length",
    "fck",
    "fy",
    "exposure",
    "support",
    "bars",
    "stirrup_dia",
    "stirrup_legs",
    "aggregate",
];

impl Assumed {
    /// The defaulted wire field names, in documented order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        ASSUMABLE
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }

    /// True when nothing was defaulted.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Serialize for Assumed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl BeamParams {
    /// The engine input, with absent fields taken from `config` (recorded in [`Assumed`]).
    /// Absent required fields become NaN, which the engine rejects; callers report "required"
    /// for them first (see [`crate::ParsedBeam::validate`]).
    pub fn to_input(&self, config: &DesignConfig) -> (BeamInput, Assumed) {
        let mut assumed = 0u16;
        let mut or_config = |bit: u16, v: Option<f64>, default: f64| {
            v.unwrap_or_else(|| {
                assumed |= 1 << bit;
                default
            })
        };
        let span_mm = or_config(0, self.length, config.length);
        let fck_mpa = or_config(1, self.fck, config.fck);
        let fy_mpa = or_config(2, self.fy, config.fy);
        let stirrup_dia = or_config(6, self.stirrup_dia, config.stirrup_dia);
        let stirrup_legs = or_config(7, self.stirrup_legs, f64::from(config.stirrup_legs));
        let aggregate = or_config(8, self.aggregate, config.aggregate);
        let mut flag = |bit: u16, present: bool| {
            if !present {
                assumed |= 1 << bit;
            }
        };
        flag(3, self.exposure.is_some());
        flag(4, self.support.is_some());
        flag(5, self.bars.is_some());
        let input = BeamInput {
            width_mm: self.width.unwrap_or(f64::NAN),
            depth_mm: self.depth.unwrap_or(f64::NAN),
            span_mm,
            mu_knm: self.mu.unwrap_or(f64::NAN),
            vu_kn: self.vu,
            fck_mpa,
            fy_mpa,
            cover_mm: self.cover,
            exposure: Some(self.exposure.unwrap_or(config.exposure).0),
            effective_depth_mm: self.d,
            compression_depth_mm: self.d_prime,
            support: Some(self.support.unwrap_or(config.support).0),
            bar_diameters_mm: Some(self.bars.clone().unwrap_or_else(|| config.bars.clone())),
            stirrup_dia_mm: Some(stirrup_dia),
            stirrup_legs: Some(stirrup_legs),
            max_aggregate_mm: Some(aggregate),
            reinforcement: self.reinforcement(),
        };
        (input, Assumed(assumed))
    }

    /// Check-mode reinforcement, when any of `tension`, `compression`, `stirrups` is given.
    fn reinforcement(&self) -> Option<ReinforcementInput> {
        if self.tension.is_none() && self.compression.is_none() && self.stirrups.is_none() {
            return None;
        }
        let groups = |g: &Option<Vec<BarGroup>>| {
            g.iter()
                .flatten()
                .map(|b| BarGroupInput {
                    count: b.count,
                    dia_mm: b.dia,
                })
                .collect::<Vec<_>>()
        };
        Some(ReinforcementInput {
            tension: groups(&self.tension),
            compression: groups(&self.compression),
            stirrups: self.stirrups.map(|s| StirrupInput {
                legs: s.legs,
                dia_mm: s.dia,
                spacing_mm: s.spacing,
            }),
        })
    }
}
