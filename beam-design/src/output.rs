//! The result of designing or checking a beam: every number an engineer needs, with units in
//! the field names, plus the verdict ([`Status`]) and the findings ([`Messages`]).
//!
//! All types here are plain `Copy` data so that a [`Design`] is produced without touching the
//! heap; human-readable text (bar strings, stirrup strings, message sentences) is rendered lazily
//! through `Display`.

use crate::bars::{BarArrangement, StirrupSpec};
use crate::message::Messages;

/// Whether the beam was designed (no reinforcement given) or checked (reinforcement given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Reinforcement chosen by the engine.
    Design,
    /// Reinforcement of an existing beam checked against the demand.
    Check,
}

impl Mode {
    /// Stable lower-case name: `design` or `check`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Design => "design",
            Self::Check => "check",
        }
    }
}

/// The verdict. Invalid input is never a status: it is an [`crate::InvalidBeam`] error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Every check is met (minimum steel or minimum stirrups governing is normal).
    Pass,
    /// Valid but noteworthy: compression steel required, over-reinforced bars, tight stirrups…
    Warning,
    /// A check cannot be met by this section (see the `Fail`-level messages).
    Fail,
}

impl Status {
    /// Stable upper-case name: `PASS`, `WARNING` or `FAIL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warning => "WARNING",
            Self::Fail => "FAIL",
        }
    }
}

/// Longitudinal steel on one face (tension or compression), mm².
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steel {
    /// Area required by the demand, after the minimum of cl. 26.5.1.1 (tension), mm².
    pub required_mm2: f64,
    /// Minimum area, mm²: 0.85 b d / fy for tension (cl. 26.5.1.1 a); 0 for compression.
    pub min_mm2: f64,
    /// Maximum area, mm²: 0.04 b D (cl. 26.5.1.1 b, 26.5.1.2).
    pub max_mm2: f64,
    /// Area of the bars provided, mm².
    pub provided_mm2: f64,
    /// The bars provided, e.g. `2-20φ + 1-16φ`.
    pub bars: BarArrangement,
    /// Development length of the largest bar of this face, mm (cl. 26.2.1): in tension for the
    /// tension face, in compression (+25 %) for the compression face.
    pub development_length_mm: f64,
}

/// Shear stresses and the shear reinforcement (cl. 40).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shear {
    /// Nominal shear stress τv = Vu / (b d), N/mm² (cl. 40.1).
    pub tau_v_mpa: f64,
    /// Design shear strength of concrete τc (Table 19, at the `pt` provided), N/mm².
    pub tau_c_mpa: f64,
    /// Maximum shear stress τc,max (Table 20), N/mm².
    pub tau_c_max_mpa: f64,
    /// Shear carried by the stirrups, Vus = Vu − τc b d (≥ 0), kN (cl. 40.4).
    pub vus_kn: f64,
    /// The stirrups (designed or provided); `None` only in check mode without stirrups.
    pub stirrups: Option<StirrupSpec>,
    /// Which limit set the designed spacing; [`StirrupLimit::Provided`] in check mode.
    pub governing: StirrupLimit,
}

/// What set the stirrup spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StirrupLimit {
    /// Strength: sv = 0.87 fy Asv d / Vus (cl. 40.4 a).
    Strength,
    /// Minimum shear reinforcement: sv = 0.87 fy Asv / (0.4 b) (cl. 26.5.1.6).
    Minimum,
    /// Maximum spacing 0.75 d (cl. 26.5.1.5).
    ThreeQuarterDepth,
    /// Maximum spacing 300 mm (cl. 26.5.1.5).
    Max300,
    /// Check mode: the spacing was given, not designed.
    Provided,
}

impl StirrupLimit {
    /// Stable machine name, e.g. `STRENGTH`, `MIN_SHEAR_STEEL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strength => "STRENGTH",
            Self::Minimum => "MIN_SHEAR_STEEL",
            Self::ThreeQuarterDepth => "MAX_0_75D",
            Self::Max300 => "MAX_300MM",
            Self::Provided => "PROVIDED",
        }
    }

    /// The IS 456:2000 clause of the limit (empty for [`StirrupLimit::Provided`]).
    pub fn clause(self) -> &'static str {
        match self {
            Self::Strength => "40.4(a)",
            Self::Minimum => "26.5.1.6",
            Self::ThreeQuarterDepth | Self::Max300 => "26.5.1.5",
            Self::Provided => "",
        }
    }
}

/// Span/effective-depth control of deflection (cl. 23.2.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deflection {
    /// Basic span/d: 7 cantilever, 20 simply supported, 26 continuous (cl. 23.2.1 a).
    pub basic_ratio: f64,
    /// 10 / span (m) for spans over 10 m, else 1 (cl. 23.2.1 b; not for cantilevers).
    pub span_factor: f64,
    /// Tension-steel modification factor kt (Fig. 4).
    pub tension_factor: f64,
    /// Service stress used for kt: fs = 0.58 fy Ast,req / Ast,prov, N/mm².
    pub service_stress_mpa: f64,
    /// Compression-steel modification factor kc (Fig. 5); 1 without compression steel.
    pub compression_factor: f64,
    /// Allowable span/d = basic × span factor × kt × kc.
    pub allowable_ratio: f64,
    /// Actual span/d = L / d.
    pub actual_ratio: f64,
}

/// Side-face reinforcement of deep beams (cl. 26.5.1.3), present when D > 750 mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideFace {
    /// Total side-face steel, 0.1 % of the web area b D, mm².
    pub total_mm2: f64,
    /// Area on each of the two faces (half the total), mm².
    pub per_face_mm2: f64,
    /// Maximum spacing along the depth: min(300 mm, b), mm.
    pub max_spacing_mm: f64,
}

/// Resistances of the reinforcement as provided, and demand/capacity ratios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capacity {
    /// Moment of resistance Mu,R, kN·m (Annex G).
    pub moment_knm: f64,
    /// Shear resistance Vu,R = τc b d + 0.87 fy Asv d / sv, capped at τc,max b d, kN (cl. 40).
    pub shear_kn: f64,
    /// Mu / Mu,R (≤ 1 passes).
    pub flexure_utilization: f64,
    /// Vu / Vu,R (≤ 1 passes).
    pub shear_utilization: f64,
}

/// A complete design or check of one beam.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Designed or checked.
    pub mode: Mode,
    /// The verdict: the worst level among the messages.
    pub status: Status,
    /// Effective depth d used, mm (given, or D minus the centroid of the bars chosen).
    pub effective_depth_mm: f64,
    /// Depth d' of the compression steel centroid used, mm.
    pub compression_depth_mm: f64,
    /// Limiting neutral-axis depth xu,max, mm (cl. 38.1).
    pub xu_max_mm: f64,
    /// Neutral-axis depth of the section as reinforced, mm (Annex G).
    pub xu_mm: f64,
    /// Limiting moment of resistance Mu,lim of the singly reinforced section, kN·m (G-1.1).
    pub mu_lim_knm: f64,
    /// Whether compression steel is required (Mu > Mu,lim) or, in check mode, provided.
    pub doubly_reinforced: bool,
    /// Tension steel.
    pub tension: Steel,
    /// Compression steel, when required or provided.
    pub compression: Option<Steel>,
    /// Tension steel provided as a percentage of b d, `pt` (%).
    pub pt_percent: f64,
    /// Shear.
    pub shear: Shear,
    /// Deflection (span/d).
    pub deflection: Deflection,
    /// Side-face steel, when D > 750 mm.
    pub side_face: Option<SideFace>,
    /// Capacities and utilizations.
    pub capacity: Capacity,
    /// Every finding, in the order found.
    pub messages: Messages,
}
