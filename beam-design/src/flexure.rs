//! Flexure of rectangular sections by the limit state method (cl. 38.1, Annex G).
//!
//! Units throughout: lengths mm, areas mm², stresses N/mm², moments N·mm (kN·m only at the
//! public boundary). Stress block: 0.36 fck b xu acting at 0.416 xu (cl. 38.1, Fig. 21/22).

use crate::materials::{ECU, SteelGrade};

/// Concrete stress displaced by compression bars, 0.446 fck, N/mm² (the design stress of the
/// rectangular part of the parabolic–rectangular block, 0.67 fck / 1.5); SP 16 deducts it.
const DISPLACED_RATIO: f64 = 0.446;

/// Most root-finding steps for the neutral axis (a handful are used in practice).
const MAX_ROOT_STEPS: usize = 100;

/// A rectangular section as the flexure formulas see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Section {
    /// Width b, mm.
    pub b: f64,
    /// Effective depth d, mm.
    pub d: f64,
    /// Depth of the compression steel centroid d', mm.
    pub d_prime: f64,
    /// fck, N/mm².
    pub fck: f64,
    /// Steel grade (tension and compression bars alike).
    pub steel: SteelGrade,
}

/// What the demand requires of a section (design mode, and "required" in check mode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Requirement {
    /// xu,max, mm.
    pub xu_max: f64,
    /// Mu,lim, N·mm.
    pub mu_lim: f64,
    /// Tension steel for strength alone, mm² (before the minimum).
    pub ast_strength: f64,
    /// Minimum tension steel 0.85 b d / fy, mm².
    pub ast_min: f64,
    /// Required tension steel: max(strength, minimum), mm².
    pub ast_req: f64,
    /// Required compression steel, mm² (0 when singly reinforced).
    pub asc_req: f64,
    /// Mu > Mu,lim.
    pub doubly: bool,
    /// d' lies within xu,max and fsc exceeds the displaced concrete stress: compression steel
    /// can work. Always true for singly reinforced sections.
    pub d_prime_ok: bool,
}

/// Limiting neutral-axis depth xu,max = k d, mm, with k = 0.53 / 0.48 / 0.46 (cl. 38.1).
///
/// ```
/// use beam_design::{flexure::xu_max_mm, materials::SteelGrade};
/// assert!((xu_max_mm(SteelGrade::Fe415, 450.0) - 216.0).abs() < 1e-9);
/// ```
pub fn xu_max_mm(steel: SteelGrade, d: f64) -> f64 {
    steel.xu_max_ratio() * d
}

/// Limiting moment of resistance Mu,lim = 0.36 fck b xu,max (d − 0.416 xu,max), N·mm (G-1.1 c).
///
/// Worked example: M20, Fe415, b = 300, d = 450: xu,max = 216,
/// Mu,lim = 0.36·20·300·216·(450 − 89.856) = 168.03 kN·m (= 0.138 fck b d²).
///
/// ```
/// use beam_design::{flexure::mu_lim_nmm, materials::SteelGrade};
/// let m = mu_lim_nmm(SteelGrade::Fe415, 20.0, 300.0, 450.0) / 1e6;
/// assert!((m - 168.03).abs() < 0.01);
/// ```
pub fn mu_lim_nmm(steel: SteelGrade, fck: f64, b: f64, d: f64) -> f64 {
    let xu = xu_max_mm(steel, d);
    0.36 * fck * b * xu * (d - 0.416 * xu)
}

/// Tension steel of a singly reinforced section, mm² (G-1.1 b), solving
/// Mu = 0.87 fy Ast d (1 − Ast fy / (b d fck)):
/// Ast = 0.5 fck / fy · [1 − √(1 − 4.6 Mu / (fck b d²))] · b d.
/// Valid for Mu ≤ Mu,lim; larger moments return the vertex b d fck / (2 fy) (never NaN).
///
/// Worked example: M20, Fe415, b = 230, d = 400, Mu = 80 kN·m: 4.6 Mu/(fck b d²) = 0.5
/// → Ast = 0.5·20/415·(1 − 0.70711)·92 000 = 649.4 mm².
///
/// ```
/// let ast = beam_design::flexure::ast_singly_mm2(80e6, 20.0, 415.0, 230.0, 400.0);
/// assert!((ast - 649.4).abs() < 0.1);
/// ```
pub fn ast_singly_mm2(mu_nmm: f64, fck: f64, fy: f64, b: f64, d: f64) -> f64 {
    let r = (1.0 - 4.6 * mu_nmm / (fck * b * d * d)).max(0.0);
    0.5 * fck / fy * (1.0 - r.sqrt()) * b * d
}

/// Design stress in compression steel at strain 0.0035 (1 − d'/xu), N/mm² (G-1.2, Fig. 23).
pub fn fsc_mpa(steel: SteelGrade, d_prime: f64, xu: f64) -> f64 {
    steel.stress(ECU * (1.0 - d_prime / xu))
}

impl Section {
    /// Steel required for a factored moment `mu` (N·mm), with the minimum of cl. 26.5.1.1 (a).
    ///
    /// Doubly reinforced when Mu > Mu,lim (G-1.2):
    /// Asc = (Mu − Mu,lim) / ((fsc − 0.446 fck)(d − d')), Ast = Ast,lim + Asc (fsc − 0.446 fck)
    /// / (0.87 fy), with Ast,lim = 0.36 fck b xu,max / (0.87 fy) and fsc at xu,max.
    pub fn requirement(&self, mu: f64) -> Requirement {
        let fy = self.steel.fy();
        let xu_max = xu_max_mm(self.steel, self.d);
        let mu_lim = mu_lim_nmm(self.steel, self.fck, self.b, self.d);
        let ast_min = 0.85 * self.b * self.d / fy;
        let (ast_strength, asc_req, d_prime_ok) = if mu <= mu_lim {
            (ast_singly_mm2(mu, self.fck, fy, self.b, self.d), 0.0, true)
        } else {
            let ast_lim = 0.36 * self.fck * self.b * xu_max / (0.87 * fy);
            let net = fsc_mpa(self.steel, self.d_prime, xu_max) - DISPLACED_RATIO * self.fck;
            if self.d_prime < xu_max && net > 0.0 {
                let asc = (mu - mu_lim) / (net * (self.d - self.d_prime));
                (ast_lim + asc * net / (0.87 * fy), asc, true)
            } else {
                (ast_lim, 0.0, false)
            }
        };
        Requirement {
            xu_max,
            mu_lim,
            ast_strength,
            ast_min,
            ast_req: ast_strength.max(ast_min),
            asc_req,
            doubly: mu > mu_lim,
            d_prime_ok,
        }
    }

    /// Compression steel that keeps xu at xu,max when `ast` (mm²) of tension steel is
    /// provided, mm²: (0.87 fy Ast − 0.36 fck b xu,max) / (fsc − 0.446 fck), ≥ 0. Design mode
    /// provides at least this so that extra tension bars never make the section over-reinforced.
    pub fn asc_to_balance(&self, ast: f64) -> f64 {
        let xu_max = xu_max_mm(self.steel, self.d);
        let net = fsc_mpa(self.steel, self.d_prime, xu_max) - DISPLACED_RATIO * self.fck;
        let excess = 0.87 * self.steel.fy() * ast - 0.36 * self.fck * self.b * xu_max;
        if net > 0.0 {
            (excess / net).max(0.0)
        } else {
            0.0
        }
    }

    /// Moment of resistance of the section with `ast` tension and `asc` compression steel,
    /// N·mm, and the neutral-axis depth xu, mm (Annex G).
    ///
    /// Without compression steel: xu = 0.87 fy Ast / (0.36 fck b) and, if xu ≤ xu,max,
    /// Mu,R = 0.87 fy Ast d (1 − Ast fy / (b d fck)) (G-1.1 b). With compression steel, xu
    /// balances 0.36 fck b xu + Asc (fsc − 0.446 fck) = 0.87 fy Ast with fsc from the strain
    /// 0.0035 (xu − d')/xu (solved by bisection), and Mu,R = 0.36 fck b xu (d − 0.416 xu)
    /// plus Asc (fsc − 0.446 fck)(d − d'). When xu > xu,max the section is over-reinforced and
    /// the resistance is taken at xu = xu,max (cl. 38.1), the most the code lets it count.
    pub fn resistance(&self, ast: f64, asc: f64) -> (f64, f64) {
        let fy = self.steel.fy();
        let xu_max = xu_max_mm(self.steel, self.d);
        if asc <= 0.0 {
            let xu = 0.87 * fy * ast / (0.36 * self.fck * self.b);
            if xu <= xu_max {
                return (
                    0.87 * fy * ast * self.d * (1.0 - ast * fy / (self.b * self.d * self.fck)),
                    xu,
                );
            }
            return (mu_lim_nmm(self.steel, self.fck, self.b, self.d), xu);
        }
        let xu = self.neutral_axis(ast, asc);
        (self.moment_at(asc, xu.min(xu_max)), xu)
    }

    /// Net force of the compression steel (compression positive), N, for a neutral axis `xu`.
    fn steel_force(&self, asc: f64, xu: f64) -> f64 {
        let strain = ECU * (xu - self.d_prime) / xu;
        let displaced = if strain > 0.0 {
            DISPLACED_RATIO * self.fck
        } else {
            0.0
        };
        asc * (self.steel.stress(strain) - displaced)
    }

    /// Moment about the tension steel of the compressive forces for a neutral axis `xu`, N·mm.
    fn moment_at(&self, asc: f64, xu: f64) -> f64 {
        let concrete = 0.36 * self.fck * self.b * xu;
        concrete * (self.d - 0.416 * xu) + self.steel_force(asc, xu) * (self.d - self.d_prime)
    }

    /// xu from force equilibrium with yielding tension steel, on (0, d]; returns d for
    /// sections that do not balance within the depth (over-reinforced beyond d).
    ///
    /// The excess of compression over tension is increasing in xu, so the root is bracketed
    /// and found by the Illinois variant of regula falsi (bracketing like bisection, converging
    /// like the secant method: a few evaluations instead of dozens).
    fn neutral_axis(&self, ast: f64, asc: f64) -> f64 {
        let tension = 0.87 * self.steel.fy() * ast;
        let excess = |xu: f64| 0.36 * self.fck * self.b * xu + self.steel_force(asc, xu) - tension;
        let (mut lo, mut hi) = (1e-6 * self.d, self.d);
        let (mut f_lo, mut f_hi) = (excess(lo), excess(hi));
        if f_hi <= 0.0 {
            return hi;
        }
        if f_lo >= 0.0 {
            return lo;
        }
        let tolerance = 1e-9 * self.d;
        let mut side = 0i8;
        for _ in 0..MAX_ROOT_STEPS {
            let x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
            let f = excess(x);
            if f > 0.0 {
                (hi, f_hi) = (x, f);
                if side == 1 {
                    f_lo /= 2.0;
                }
                side = 1;
            } else {
                (lo, f_lo) = (x, f);
                if side == -1 {
                    f_hi /= 2.0;
                }
                side = -1;
            }
            if hi - lo < tolerance || f.abs() <= 1e-10 * tension {
                return x;
            }
        }
        0.5 * (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(d_prime: f64) -> Section {
        Section {
            b: 300.0,
            d: 450.0,
            d_prime,
            fck: 20.0,
            steel: SteelGrade::Fe415,
        }
    }

    #[test]
    fn singly_resistance_of_the_required_steel_meets_the_demand() {
        // 4.6 in G-1.1 b rounds 4 / 0.87 = 4.598 up, so the steel is 0.05 % generous.
        let s = section(50.0);
        let req = s.requirement(120e6);
        let (m, _) = s.resistance(req.ast_strength, 0.0);
        assert!((120e6..120e6 * 1.001).contains(&m), "{m}");
    }

    #[test]
    fn doubly_resistance_of_the_required_steel_equals_the_demand() {
        let s = section(50.0);
        let req = s.requirement(250e6);
        assert!(req.doubly && req.d_prime_ok && req.asc_req > 0.0);
        let (m, xu) = s.resistance(req.ast_strength, req.asc_req);
        assert!((m / 250e6 - 1.0).abs() < 1e-3, "{m}");
        assert!((xu - 216.0).abs() < 0.5, "{xu}");
    }

    #[test]
    fn compression_steel_below_xu_max_cannot_work() {
        let s = section(230.0);
        let req = s.requirement(250e6);
        assert!(req.doubly && !req.d_prime_ok);
    }
}
