//! Concrete and steel: grades, design strengths and the design stress–strain curve of steel.

/// Modulus of elasticity of steel Es, N/mm² (cl. 5.6.3).
pub const ES_MPA: f64 = 200_000.0;

/// Ultimate compressive strain of concrete in flexure εcu (cl. 38.1 b).
pub const ECU: f64 = 0.0035;

/// Partial safety factor for steel γs (cl. 36.4.2.1); 0.87 fy is its rounded form.
pub const GAMMA_S: f64 = 1.15;

/// Grade of reinforcing steel: mild steel Fe250 or cold-worked deformed Fe415 / Fe500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SteelGrade {
    /// Mild steel, fy = 250 N/mm², plain bars, elastic–perfectly-plastic.
    Fe250,
    /// HYSD bars, fy = 415 N/mm², cold-worked curve (Fig. 23 A).
    Fe415,
    /// HYSD bars, fy = 500 N/mm², cold-worked curve (Fig. 23 A).
    Fe500,
}

/// Inelastic strain at each stress ratio σ/(fy/γs) of the cold-worked curve (IS 456 Fig. 23 A,
/// SP 16 Table A): total strain = σ / Es + inelastic strain.
const COLD_WORKED: [(f64, f64); 6] = [
    (0.80, 0.0),
    (0.85, 0.0001),
    (0.90, 0.0003),
    (0.95, 0.0007),
    (0.975, 0.0010),
    (1.0, 0.0020),
];

impl SteelGrade {
    /// The grade for `fy_mpa` if it is 250, 415 or 500.
    pub fn from_fy(fy_mpa: f64) -> Option<Self> {
        match fy_mpa {
            250.0 => Some(Self::Fe250),
            415.0 => Some(Self::Fe415),
            500.0 => Some(Self::Fe500),
            _ => None,
        }
    }

    /// Characteristic yield strength fy, N/mm².
    pub fn fy(self) -> f64 {
        match self {
            Self::Fe250 => 250.0,
            Self::Fe415 => 415.0,
            Self::Fe500 => 500.0,
        }
    }

    /// Whether bars of this grade are deformed (HYSD): Fe415 and Fe500.
    pub fn is_deformed(self) -> bool {
        !matches!(self, Self::Fe250)
    }

    /// xu,max / d as tabulated in cl. 38.1 (note): 0.53, 0.48, 0.46.
    pub fn xu_max_ratio(self) -> f64 {
        match self {
            Self::Fe250 => 0.53,
            Self::Fe415 => 0.48,
            Self::Fe500 => 0.46,
        }
    }

    /// xu,max / d unrounded: 0.0035 / (0.0055 + 0.87 fy / Es) = 700 / (1100 + 0.87 fy), the
    /// value SP 16 uses (0.531, 0.479, 0.456).
    ///
    /// ```
    /// use beam_design::materials::SteelGrade;
    /// assert!((SteelGrade::Fe500.xu_max_ratio_exact() - 0.4560).abs() < 1e-4);
    /// ```
    pub fn xu_max_ratio_exact(self) -> f64 {
        700.0 / (1100.0 + 0.87 * self.fy())
    }

    /// Design yield stress on the stress–strain curve, fy / γs, N/mm² (Fig. 23).
    pub fn design_yield(self) -> f64 {
        self.fy() / GAMMA_S
    }

    /// Design stress for a strain `strain` (tension or compression, sign kept), N/mm², from
    /// the design stress–strain curve of Fig. 23: elastic–plastic for Fe250, the cold-worked
    /// curve of SP 16 Table A (linear between its points) for Fe415 and Fe500.
    ///
    /// ```
    /// use beam_design::materials::SteelGrade;
    /// // SP 16 Table A, Fe415: beyond strain 0.00380 the stress is fy / 1.15 = 360.9 N/mm².
    /// assert!((SteelGrade::Fe415.stress(0.0040) - 360.9).abs() < 0.05);
    /// ```
    pub fn stress(self, strain: f64) -> f64 {
        let e = strain.abs();
        let fyd = self.design_yield();
        let s = match self {
            Self::Fe250 => (e * ES_MPA).min(fyd),
            Self::Fe415 | Self::Fe500 => cold_worked_stress(e, fyd),
        };
        s.copysign(strain)
    }

    /// The points (strain, stress N/mm²) of the cold-worked curve, SP 16 Table A, for Fe415
    /// and Fe500 (Fe250 is elastic–plastic and has no such table).
    pub fn table_a_points(self) -> [(f64, f64); 6] {
        let fyd = self.design_yield();
        COLD_WORKED.map(|(r, inelastic)| (r * fyd / ES_MPA + inelastic, r * fyd))
    }
}

fn cold_worked_stress(strain: f64, fyd: f64) -> f64 {
    let mut prev = (0.0, 0.0);
    for (r, inelastic) in COLD_WORKED {
        let point = (r * fyd / ES_MPA + inelastic, r * fyd);
        if strain <= point.0 {
            return prev.1 + (point.1 - prev.1) * (strain - prev.0) / (point.0 - prev.0);
        }
        prev = point;
    }
    fyd
}

/// A standard concrete grade M20…M80 (characteristic cube strength fck, N/mm²).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConcreteGrade(u8);

impl ConcreteGrade {
    /// The grade for `fck_mpa` if it is 20, 25, …, 80.
    pub fn from_fck(fck_mpa: f64) -> Option<Self> {
        let standard = (20.0..=80.0).contains(&fck_mpa) && fck_mpa % 5.0 == 0.0;
        // The range check above bounds the value to 20..=80, so the cast is exact.
        standard.then_some(Self(fck_mpa as u8))
    }

    /// fck, N/mm².
    pub fn fck(self) -> f64 {
        f64::from(self.0)
    }

    /// Design bond stress τbd for plain bars in tension, N/mm² (cl. 26.2.1.1):
    /// M20 1.2, M25 1.4, M30 1.5, M35 1.7, M40 and above 1.9.
    pub fn bond_stress(self) -> f64 {
        match self.0 {
            ..=20 => 1.2,
            21..=25 => 1.4,
            26..=30 => 1.5,
            31..=35 => 1.7,
            _ => 1.9,
        }
    }
}

/// Nominal cover for an exposure, mm (Table 16; cl. 26.4.2).
pub fn nominal_cover_mm(exposure: crate::Exposure) -> f64 {
    use crate::Exposure::*;
    match exposure {
        Mild => 20.0,
        Moderate => 30.0,
        Severe => 45.0,
        VerySevere => 50.0,
        Extreme => 75.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fe250_is_elastic_then_plastic() {
        assert!((SteelGrade::Fe250.stress(0.0005) - 100.0).abs() < 1e-9);
        assert!((SteelGrade::Fe250.stress(0.01) - 250.0 / 1.15).abs() < 1e-9);
        assert!((SteelGrade::Fe250.stress(-0.01) + 250.0 / 1.15).abs() < 1e-9);
    }

    #[test]
    fn cold_worked_curve_is_elastic_below_eighty_percent_and_flat_beyond() {
        assert!((SteelGrade::Fe500.stress(0.001) - 200.0).abs() < 1e-9);
        assert!((SteelGrade::Fe500.stress(0.02) - 500.0 / 1.15).abs() < 1e-9);
    }

    #[test]
    fn only_standard_grades_are_grades() {
        assert!(ConcreteGrade::from_fck(25.0).is_some());
        for bad in [15.0, 22.0, 85.0, f64::NAN, 25.5] {
            assert!(ConcreteGrade::from_fck(bad).is_none(), "{bad}");
        }
        assert_eq!(SteelGrade::from_fy(415.0), Some(SteelGrade::Fe415));
        assert_eq!(SteelGrade::from_fy(400.0), None);
    }
}
