//! Tabulated values of IS 456:2000 used in design: Table 19 (τc), Table 20 (τc,max) and
//! Table 15 (maximum clear spacing of tension bars).

use crate::materials::SteelGrade;

/// pt (%) rows of Table 19.
const PT: [f64; 13] = [
    0.15, 0.25, 0.50, 0.75, 1.00, 1.25, 1.50, 1.75, 2.00, 2.25, 2.50, 2.75, 3.00,
];

/// fck columns of Table 19, N/mm².
const FCK: [f64; 6] = [15.0, 20.0, 25.0, 30.0, 35.0, 40.0];

/// Table 19: design shear strength of concrete τc, N/mm², one row per column of `FCK`.
const TAU_C: [[f64; 13]; 6] = [
    [
        0.28, 0.35, 0.46, 0.54, 0.60, 0.64, 0.68, 0.71, 0.71, 0.71, 0.71, 0.71, 0.71,
    ],
    [
        0.28, 0.36, 0.48, 0.56, 0.62, 0.67, 0.72, 0.75, 0.79, 0.81, 0.82, 0.82, 0.82,
    ],
    [
        0.29, 0.36, 0.49, 0.57, 0.64, 0.70, 0.74, 0.78, 0.82, 0.85, 0.88, 0.90, 0.92,
    ],
    [
        0.29, 0.37, 0.50, 0.59, 0.66, 0.71, 0.76, 0.80, 0.84, 0.88, 0.91, 0.94, 0.96,
    ],
    [
        0.29, 0.37, 0.50, 0.59, 0.67, 0.73, 0.78, 0.82, 0.86, 0.90, 0.93, 0.96, 0.99,
    ],
    [
        0.30, 0.38, 0.51, 0.60, 0.68, 0.74, 0.79, 0.84, 0.88, 0.92, 0.95, 0.98, 1.01,
    ],
];

/// Design shear strength of concrete τc, N/mm² (cl. 40.2.1, Table 19).
///
/// `pt_percent` = 100 As / (b d) is clamped to the table's ends (≤ 0.15 and ≥ 3.00 rows) and
/// interpolated linearly between rows; `fck_mpa` selects the column (interpolated between
/// columns, so standard grades read their own column; grades above M40 use the M40 column).
///
/// ```
/// // M25 at pt = 0.625 %: halfway between 0.49 and 0.57.
/// assert!((beam_design::tables::tau_c(25.0, 0.625) - 0.53).abs() < 1e-12);
/// ```
pub fn tau_c(fck_mpa: f64, pt_percent: f64) -> f64 {
    let (ci, cf) = locate(&FCK, fck_mpa);
    let (ri, rf) = locate(&PT, pt_percent);
    let row = |c: usize| lerp(TAU_C[c][ri], TAU_C[c][(ri + 1).min(12)], rf);
    lerp(row(ci), row((ci + 1).min(5)), cf)
}

/// Maximum shear stress τc,max, N/mm² (cl. 40.2.3, Table 20): M20 2.8, M25 3.1, M30 3.5,
/// M35 3.7, M40 and above 4.0 (grades between are not standard and take the lower value).
///
/// ```
/// assert_eq!(beam_design::tables::tau_c_max(30.0), 3.5);
/// ```
pub fn tau_c_max(fck_mpa: f64) -> f64 {
    match fck_mpa {
        f if f >= 40.0 => 4.0,
        f if f >= 35.0 => 3.7,
        f if f >= 30.0 => 3.5,
        f if f >= 25.0 => 3.1,
        f if f >= 20.0 => 2.8,
        _ => 2.5,
    }
}

/// Maximum clear distance between parallel tension bars of beams, mm (cl. 26.3.3 b, Table 15,
/// column "0 % redistribution"): Fe250 300, Fe415 180, Fe500 150.
pub fn max_clear_spacing_mm(steel: SteelGrade) -> f64 {
    match steel {
        SteelGrade::Fe250 => 300.0,
        SteelGrade::Fe415 => 180.0,
        SteelGrade::Fe500 => 150.0,
    }
}

/// Index of the interval of `xs` holding `x` (clamped to the ends) and the fraction within it.
fn locate(xs: &[f64], x: f64) -> (usize, f64) {
    let last = xs.len() - 1;
    if x.is_nan() || x <= xs[0] {
        return (0, 0.0);
    }
    if x >= xs[last] {
        return (last, 0.0);
    }
    let i = xs.iter().rposition(|&v| v <= x).unwrap_or(0);
    (i, (x - xs[i]) / (xs[i + 1] - xs[i]))
}

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau_c_is_clamped_at_both_ends_of_pt() {
        assert_eq!(tau_c(20.0, 0.05), 0.28);
        assert_eq!(tau_c(20.0, 5.0), 0.82);
        assert_eq!(tau_c(60.0, 3.0), 1.01);
    }
}
