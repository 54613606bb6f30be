//! The plain, unvalidated description of a beam as callers hand it in.
//!
//! [`BeamInput`] is deliberately dumb: every number is an `f64` exactly as it arrived, optional
//! values are `Option`s. Nothing can be designed from it until it has become a validated
//! [`crate::Beam`] through `Beam::try_from(&input)`, which reports *every* offending field at once
//! (see [`crate::InvalidBeam`]).

/// Exposure condition of IS 456 Table 3; it sets the default nominal cover (Table 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Exposure {
    /// Mild: 20 mm nominal cover (Table 16).
    Mild,
    /// Moderate: 30 mm nominal cover (Table 16). The default.
    #[default]
    Moderate,
    /// Severe: 45 mm nominal cover (Table 16).
    Severe,
    /// Very severe: 50 mm nominal cover (Table 16).
    VerySevere,
    /// Extreme: 75 mm nominal cover (Table 16).
    Extreme,
}

/// Support condition; it selects the basic span/effective-depth ratio of cl. 23.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Support {
    /// Cantilever: basic span/d = 7.
    Cantilever,
    /// Simply supported: basic span/d = 20. The default.
    #[default]
    SimplySupported,
    /// Continuous: basic span/d = 26.
    Continuous,
}

/// A group of identical bars: `count` bars of `dia_mm` diameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarGroupInput {
    /// Number of bars (≥ 1).
    pub count: f64,
    /// Bar diameter, mm.
    pub dia_mm: f64,
}

/// Vertical stirrups of an existing beam: `legs`-legged `dia_mm` links at `spacing_mm` centres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StirrupInput {
    /// Number of legs (≥ 2).
    pub legs: f64,
    /// Link diameter, mm.
    pub dia_mm: f64,
    /// Spacing along the span, mm.
    pub spacing_mm: f64,
}

/// The reinforcement of an existing beam. When present the beam is *checked*, not designed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReinforcementInput {
    /// Tension bars: one or two groups (two diameters at most). They are laid out as designed
    /// bars are: larger diameter first, as many as fit in the first layer, the rest in a second
    /// (give `effective_depth_mm` to impose another layout).
    pub tension: Vec<BarGroupInput>,
    /// Compression bars, if any.
    pub compression: Vec<BarGroupInput>,
    /// Shear links, if any.
    pub stirrups: Option<StirrupInput>,
}

/// Everything a caller may say about a beam, unvalidated, in the units the names carry.
///
/// Required: `width_mm`, `depth_mm`, `span_mm`, `mu_knm`, `fck_mpa`, `fy_mpa`. Every `Option`
/// left `None` takes the documented default when the input is validated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BeamInput {
    /// Web width b, mm.
    pub width_mm: f64,
    /// Overall depth D, mm.
    pub depth_mm: f64,
    /// Effective span L, mm.
    pub span_mm: f64,
    /// Factored bending moment Mu (magnitude), kN·m.
    pub mu_knm: f64,
    /// Factored shear force Vu (magnitude), kN. `None` means 0.
    pub vu_kn: Option<f64>,
    /// Characteristic cube strength of concrete fck, N/mm².
    pub fck_mpa: f64,
    /// Characteristic yield strength of steel fy, N/mm².
    pub fy_mpa: f64,
    /// Nominal cover to the stirrups, mm. `None`: Table 16 value for `exposure`.
    pub cover_mm: Option<f64>,
    /// Exposure condition. `None`: moderate.
    pub exposure: Option<Exposure>,
    /// Effective depth d, mm. `None`: computed from D, cover, stirrup and the bars chosen.
    pub effective_depth_mm: Option<f64>,
    /// Depth d' of the compression steel centroid from the compression face, mm.
    /// `None`: cover + stirrup + half the compression bar.
    pub compression_depth_mm: Option<f64>,
    /// Support condition. `None`: simply supported.
    pub support: Option<Support>,
    /// Bar diameters the designer may use, mm. `None`: 12, 16, 20, 25, 32.
    pub bar_diameters_mm: Option<Vec<f64>>,
    /// Stirrup diameter, mm. `None`: 8.
    pub stirrup_dia_mm: Option<f64>,
    /// Stirrup legs. `None`: 2.
    pub stirrup_legs: Option<f64>,
    /// Nominal maximum size of coarse aggregate, mm. `None`: 20.
    pub max_aggregate_mm: Option<f64>,
    /// Reinforcement of an existing beam: present → check mode, absent → design mode.
    pub reinforcement: Option<ReinforcementInput>,
}
