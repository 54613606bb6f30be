//! Development length of bars (cl. 26.2.1, 26.2.1.1) and side-face steel (cl. 26.5.1.3).

use crate::materials::{ConcreteGrade, SteelGrade};
use crate::output::SideFace;

/// Overall depth above which side-face steel is required, mm (cl. 26.5.1.3).
pub const SIDE_FACE_DEPTH_MM: f64 = 750.0;

/// Design bond stress τbd for the bars, N/mm²: Table of cl. 26.2.1.1, +60 % for deformed bars
/// (Fe415, Fe500), then +25 % in compression.
pub fn bond_stress(concrete: ConcreteGrade, steel: SteelGrade, compression: bool) -> f64 {
    let deformed = if steel.is_deformed() { 1.6 } else { 1.0 };
    let compressed = if compression { 1.25 } else { 1.0 };
    concrete.bond_stress() * deformed * compressed
}

/// Development length Ld = φ σs / (4 τbd) with σs = 0.87 fy, mm (cl. 26.2.1).
///
/// Worked example: 16 mm Fe415 bar in M20, tension: τbd = 1.2 × 1.6 = 1.92;
/// Ld = 16 × 361.05 / 7.68 = 752.2 mm (the familiar 47 φ).
///
/// ```
/// use beam_design::{anchorage::development_length_mm, materials::*};
/// let m20 = ConcreteGrade::from_fck(20.0).unwrap();
/// let ld = development_length_mm(16, m20, SteelGrade::Fe415, false);
/// assert!((ld - 752.2).abs() < 0.1);
/// ```
pub fn development_length_mm(
    dia_mm: u8,
    concrete: ConcreteGrade,
    steel: SteelGrade,
    compression: bool,
) -> f64 {
    f64::from(dia_mm) * 0.87 * steel.fy() / (4.0 * bond_stress(concrete, steel, compression))
}

/// Side-face steel for a web b × D (mm), when D > 750 mm: 0.1 % of b D split between the two
/// faces, at most min(300 mm, b) apart (cl. 26.5.1.3).
pub fn side_face(b: f64, depth: f64) -> Option<SideFace> {
    (depth > SIDE_FACE_DEPTH_MM).then(|| {
        let total = 0.001 * b * depth;
        SideFace {
            total_mm2: total,
            per_face_mm2: total / 2.0,
            max_spacing_mm: b.min(300.0),
        }
    })
}
