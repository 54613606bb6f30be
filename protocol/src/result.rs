//! The design result on the wire: [`DesignResult`], the JSON form of [`beam_design::Design`].
//!
//! Units are in the field names (`_mm`, `_mm2`, `_knm`, `_kn`, `_mpa`, `_percent`); ratios and
//! utilizations are plain numbers. Every number is rounded to 3 decimal places. Bars are given
//! both as the drawing string (`2-20φ + 1-16φ`) and as groups; stirrups likewise
//! (`2L-8φ @ 150 c/c`). `messages` carry a stable `code` clients may match on, its `level`,
//! the IS 456 `clause`, the rendered `text`, and the `value`/`limit` that fill it.

use beam_design::{BarArrangement, Design, StirrupSpec};
use serde::{Deserialize, Serialize};

use crate::beam::Assumed;

/// Rounds to 3 decimal places (NaN and infinities pass through and serialise as null);
/// `+ 0.0` turns a negative zero into zero, so no `-0.0` reaches the wire.
pub(crate) fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0 + 0.0
}

/// `count` bars of `dia` mm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BarsOut {
    /// Number of bars.
    pub count: u8,
    /// Bar diameter, mm.
    pub dia: u8,
}

/// Longitudinal steel on one face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SteelOut {
    /// Area required by the demand (after the minimum for tension), mm².
    pub required_mm2: f64,
    /// Minimum area (0.85 b d / fy for tension, cl. 26.5.1.1 a; 0 for compression), mm².
    pub min_mm2: f64,
    /// Maximum area 0.04 b D (cl. 26.5.1.1 b / 26.5.1.2), mm².
    pub max_mm2: f64,
    /// Area of the bars provided, mm².
    pub provided_mm2: f64,
    /// The bars as drawn, e.g. `2-20φ + 1-16φ` (`none` when nothing fits).
    pub bars: String,
    /// The bar groups, larger diameter first.
    pub groups: Vec<BarsOut>,
    /// Layers: 1 or 2 (0 when nothing fits).
    pub layers: u8,
    /// Development length of the largest bar (cl. 26.2.1), mm.
    pub development_length_mm: f64,
}

/// Stirrups: `legs`-legged `dia` mm links at `spacing_mm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StirrupsOut {
    /// As drawn, e.g. `2L-8φ @ 150 c/c`.
    pub text: String,
    /// Number of legs.
    pub legs: u8,
    /// Link diameter, mm.
    pub dia: u8,
    /// Spacing along the span, mm.
    pub spacing_mm: f64,
}

/// Shear (cl. 40).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ShearOut {
    /// Nominal shear stress τv = Vu / (b d), N/mm².
    pub tau_v_mpa: f64,
    /// Design shear strength of concrete τc (Table 19), N/mm².
    pub tau_c_mpa: f64,
    /// Maximum shear stress τc,max (Table 20), N/mm².
    pub tau_c_max_mpa: f64,
    /// Shear carried by stirrups Vus, kN.
    pub vus_kn: f64,
    /// The stirrups; null only in check mode without stirrups.
    pub stirrups: Option<StirrupsOut>,
    /// What set the spacing: `STRENGTH`, `MIN_SHEAR_STEEL`, `MAX_0_75D`, `MAX_300MM`, `PROVIDED`.
    pub governing: String,
    /// IS 456 clause of `governing` (empty for `PROVIDED`).
    pub clause: String,
}

/// Span/effective-depth check (cl. 23.2.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeflectionOut {
    /// Basic span/d (7, 20 or 26).
    pub basic_ratio: f64,
    /// Span factor (10 / L in m for L > 10 m, else 1).
    pub span_factor: f64,
    /// Tension-steel modification factor kt (Fig. 4).
    pub kt: f64,
    /// Service stress fs used for kt, N/mm².
    pub fs_mpa: f64,
    /// Compression-steel modification factor kc (Fig. 5).
    pub kc: f64,
    /// Allowable span/d.
    pub allowable_ratio: f64,
    /// Actual span/d.
    pub actual_ratio: f64,
}

/// Side-face steel (cl. 26.5.1.3), when D > 750 mm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SideFaceOut {
    /// Total side-face steel, mm².
    pub total_mm2: f64,
    /// On each face, mm².
    pub per_face_mm2: f64,
    /// Maximum spacing along the depth, mm.
    pub max_spacing_mm: f64,
}

/// Capacities of the section as reinforced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CapacityOut {
    /// Moment of resistance Mu,R, kN·m.
    pub moment_knm: f64,
    /// Shear resistance Vu,R, kN.
    pub shear_kn: f64,
    /// Mu / Mu,R (≤ 1 passes).
    pub flexure_utilization: f64,
    /// Vu / Vu,R (≤ 1 passes).
    pub shear_utilization: f64,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MessageOut {
    /// Stable machine code, e.g. `SHEAR_EXCEEDS_TC_MAX`.
    pub code: String,
    /// `info`, `warning` or `fail`.
    pub level: String,
    /// IS 456:2000 clause, e.g. `40.2.3, Table 20`.
    pub clause: String,
    /// The sentence.
    pub text: String,
    /// The quantity found (units as in `text`).
    pub value: f64,
    /// The limit it was compared with (units as in `text`).
    pub limit: f64,
}

/// A complete design or check of one beam, as sent to clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignResult {
    /// The beam's `id` label, when the client gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `design` (bars chosen) or `check` (bars given).
    pub mode: String,
    /// `PASS`, `WARNING` or `FAIL`.
    pub status: String,
    /// Wire fields taken from the design config because the beam left them out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed: Vec<String>,
    /// Effective depth d used, mm.
    pub d_mm: f64,
    /// Compression steel depth d′ used, mm.
    pub d_prime_mm: f64,
    /// Limiting neutral-axis depth xu,max, mm.
    pub xu_max_mm: f64,
    /// Neutral-axis depth as reinforced, mm.
    pub xu_mm: f64,
    /// Limiting moment Mu,lim, kN·m.
    pub mu_lim_knm: f64,
    /// Compression steel required (design) or provided (check).
    pub doubly_reinforced: bool,
    /// Tension steel provided, % of b d.
    pub pt_percent: f64,
    /// Tension steel.
    pub tension: SteelOut,
    /// Compression steel, when required or provided.
    pub compression: Option<SteelOut>,
    /// Shear.
    pub shear: ShearOut,
    /// Span/d check.
    pub deflection: DeflectionOut,
    /// Side-face steel, when D > 750 mm.
    pub side_face: Option<SideFaceOut>,
    /// Capacities and utilizations.
    pub capacity: CapacityOut,
    /// Every finding, in the order found.
    pub messages: Vec<MessageOut>,
}

fn groups(b: &BarArrangement) -> Vec<BarsOut> {
    if b.is_none() {
        return Vec::new();
    }
    std::iter::once(b.primary)
        .chain(b.secondary)
        .map(|g| BarsOut {
            count: g.count,
            dia: g.dia_mm,
        })
        .collect()
}

fn steel(s: &beam_design::Steel) -> SteelOut {
    SteelOut {
        required_mm2: r3(s.required_mm2),
        min_mm2: r3(s.min_mm2),
        max_mm2: r3(s.max_mm2),
        provided_mm2: r3(s.provided_mm2),
        bars: s.bars.to_string(),
        groups: groups(&s.bars),
        layers: s.bars.layers,
        development_length_mm: r3(s.development_length_mm),
    }
}

fn stirrups(s: &StirrupSpec) -> StirrupsOut {
    StirrupsOut {
        text: s.to_string(),
        legs: s.legs,
        dia: s.dia_mm,
        spacing_mm: r3(s.spacing_mm),
    }
}

impl DesignResult {
    /// The wire form of `design`, labelled `id`, noting the `assumed` defaults.
    pub fn new(design: &Design, id: Option<&str>, assumed: Assumed) -> Self {
        let d = design;
        let (sh, de, ca) = (&d.shear, &d.deflection, &d.capacity);
        Self {
            id: id.map(str::to_owned),
            mode: d.mode.as_str().to_owned(),
            status: d.status.as_str().to_owned(),
            assumed: assumed.names().map(str::to_owned).collect(),
            d_mm: r3(d.effective_depth_mm),
            d_prime_mm: r3(d.compression_depth_mm),
            xu_max_mm: r3(d.xu_max_mm),
            xu_mm: r3(d.xu_mm),
            mu_lim_knm: r3(d.mu_lim_knm),
            doubly_reinforced: d.doubly_reinforced,
            pt_percent: r3(d.pt_percent),
            tension: steel(&d.tension),
            compression: d.compression.as_ref().map(steel),
            shear: ShearOut {
                tau_v_mpa: r3(sh.tau_v_mpa),
                tau_c_mpa: r3(sh.tau_c_mpa),
                tau_c_max_mpa: r3(sh.tau_c_max_mpa),
                vus_kn: r3(sh.vus_kn),
                stirrups: sh.stirrups.as_ref().map(stirrups),
                governing: sh.governing.as_str().to_owned(),
                clause: sh.governing.clause().to_owned(),
            },
            deflection: DeflectionOut {
                basic_ratio: r3(de.basic_ratio),
                span_factor: r3(de.span_factor),
                kt: r3(de.tension_factor),
                fs_mpa: r3(de.service_stress_mpa),
                kc: r3(de.compression_factor),
                allowable_ratio: r3(de.allowable_ratio),
                actual_ratio: r3(de.actual_ratio),
            },
            side_face: d.side_face.map(|s| SideFaceOut {
                total_mm2: r3(s.total_mm2),
                per_face_mm2: r3(s.per_face_mm2),
                max_spacing_mm: r3(s.max_spacing_mm),
            }),
            capacity: CapacityOut {
                moment_knm: r3(ca.moment_knm),
                shear_kn: r3(ca.shear_kn),
                flexure_utilization: r3(ca.flexure_utilization),
                shear_utilization: r3(ca.shear_utilization),
            },
            messages: d
                .messages
                .iter()
                .map(|m| MessageOut {
                    code: m.code.as_str().to_owned(),
                    level: m.level().as_str().to_owned(),
                    clause: m.clause().to_owned(),
                    text: m.to_string(),
                    value: r3(m.value),
                    limit: r3(m.limit),
                })
                .collect(),
        }
    }
}
