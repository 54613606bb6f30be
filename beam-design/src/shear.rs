//! Shear (cl. 40): nominal stress, concrete strength, the τc,max limit, vertical stirrups
//! (cl. 40.4 a), minimum shear reinforcement (cl. 26.5.1.6) and maximum spacing (cl. 26.5.1.5).
//!
//! Stirrups are taken of the same grade as the main steel, with fy not more than 415 N/mm²
//! (cl. 40.4 and 26.5.1.6). Units: mm, N, N/mm² inside; kN at the boundary.

use crate::bars::StirrupSpec;
use crate::materials::SteelGrade;
use crate::output::StirrupLimit;
use crate::tables;

/// Designed spacings are rounded down to a multiple of this, mm.
pub const SPACING_STEP_MM: f64 = 25.0;
/// Below this designed spacing the links are tight (warning), mm.
pub const TIGHT_SPACING_MM: f64 = 75.0;
/// Below this spacing links are not buildable (fail), mm.
pub const MIN_SPACING_MM: f64 = 25.0;

/// A section as the shear formulas see it; τc (Table 19) is read once, on construction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShearSection {
    b: f64,
    d: f64,
    fck: f64,
    steel: SteelGrade,
    tc: f64,
}

/// Stirrups designed for a shear: the spacing, the limit that set it, and the raw spacing
/// before rounding (mm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StirrupDesign {
    /// The stirrups with the rounded spacing.
    pub spec: StirrupSpec,
    /// What set the spacing.
    pub governing: StirrupLimit,
    /// The smallest of the limits before rounding, mm.
    pub raw_spacing: f64,
}

impl ShearSection {
    /// A section of width `b` and effective depth `d` (mm), concrete `fck` (N/mm²), stirrups of
    /// `steel`, and tension steel `pt` (% of b d) for Table 19.
    pub fn new(b: f64, d: f64, fck: f64, steel: SteelGrade, pt: f64) -> Self {
        Self {
            b,
            d,
            fck,
            steel,
            tc: tables::tau_c(fck, pt),
        }
    }

    /// Effective depth d, mm.
    pub fn d(&self) -> f64 {
        self.d
    }

    /// Nominal shear stress τv = Vu / (b d), N/mm² (cl. 40.1), for `vu` in N.
    pub fn tau_v(&self, vu: f64) -> f64 {
        vu / (self.b * self.d)
    }

    /// τc from Table 19 at this section's pt and grade, N/mm².
    pub fn tau_c(&self) -> f64 {
        self.tc
    }

    /// τc,max from Table 20, N/mm².
    pub fn tau_c_max(&self) -> f64 {
        tables::tau_c_max(self.fck)
    }

    /// fy of the stirrups for design, ≤ 415 N/mm².
    fn fy_sv(&self) -> f64 {
        self.steel.fy().min(415.0)
    }

    /// Shear for the stirrups Vus = Vu − τc b d (≥ 0), N (cl. 40.4).
    pub fn vus(&self, vu: f64) -> f64 {
        (vu - self.tau_c() * self.b * self.d).max(0.0)
    }

    /// Minimum Asv / sv, mm²/mm: 0.4 b / (0.87 fy) (cl. 26.5.1.6).
    pub fn min_asv_per_mm(&self) -> f64 {
        0.4 * self.b / (0.87 * self.fy_sv())
    }

    /// Designs `legs`-legged links of `dia` for the shear `vu` (N): the spacing is the least of
    /// sv = 0.87 fy Asv d / Vus (cl. 40.4 a), 0.87 fy Asv / (0.4 b) (cl. 26.5.1.6), 0.75 d and
    /// 300 mm (cl. 26.5.1.5), rounded down to a multiple of 25 mm (5 mm below 75 mm).
    ///
    /// Worked example: b = 250, d = 450, M20, Fe415, pt = 1 % (τc = 0.62), Vu = 150 kN,
    /// 2L-8φ: Vus = 150 000 − 0.62·250·450 = 80 250 N; sv = 0.87·415·100.53·450/80 250
    /// = 203.5 mm; minimum 364 mm; 0.75 d = 337.5; 300 → 200 mm, strength governs.
    ///
    /// ```
    /// use beam_design::{materials::SteelGrade, shear::ShearSection, StirrupLimit};
    /// let s = ShearSection::new(250.0, 450.0, 20.0, SteelGrade::Fe415, 1.0);
    /// let st = s.design_stirrups(150e3, 2, 8);
    /// assert_eq!(st.spec.to_string(), "2L-8φ @ 200 c/c");
    /// assert_eq!(st.governing, StirrupLimit::Strength);
    /// ```
    pub fn design_stirrups(&self, vu: f64, legs: u8, dia: u8) -> StirrupDesign {
        let asv = StirrupSpec {
            legs,
            dia_mm: dia,
            spacing_mm: 1.0,
        }
        .asv_mm2();
        let vus = self.vus(vu);
        let strength = if vus > 0.0 {
            0.87 * self.fy_sv() * asv * self.d / vus
        } else {
            f64::INFINITY
        };
        let limits = [
            (strength, StirrupLimit::Strength),
            (asv / self.min_asv_per_mm(), StirrupLimit::Minimum),
            (0.75 * self.d, StirrupLimit::ThreeQuarterDepth),
            (300.0, StirrupLimit::Max300),
        ];
        let (raw, governing) = limits
            .into_iter()
            .fold(limits[0], |best, l| if l.0 < best.0 { l } else { best });
        // raw ≤ 300 here, so truncating casts are floors.
        let spacing = if raw >= TIGHT_SPACING_MM {
            f64::from((raw / SPACING_STEP_MM) as u32) * SPACING_STEP_MM
        } else if raw >= MIN_SPACING_MM {
            f64::from((raw / 5.0) as u32) * 5.0
        } else {
            MIN_SPACING_MM
        };
        StirrupDesign {
            spec: StirrupSpec {
                legs,
                dia_mm: dia,
                spacing_mm: spacing,
            },
            governing,
            raw_spacing: raw,
        }
    }

    /// Shear resistance, N: τc b d + 0.87 fy Asv d / sv (cl. 40.4 a), never more than
    /// τc,max b d (cl. 40.2.3).
    pub fn resistance(&self, stirrups: Option<StirrupSpec>) -> f64 {
        let concrete = self.tau_c() * self.b * self.d;
        let links = stirrups.map_or(0.0, |s| {
            0.87 * self.fy_sv() * s.asv_mm2() * self.d / s.spacing_mm
        });
        (concrete + links).min(self.tau_c_max() * self.b * self.d)
    }
}
