//! Reinforcing bars as small `Copy` values: standard diameters, groups of identical bars, a
//! face's arrangement (`2-20φ + 1-16φ`) and stirrups (`2L-8φ @ 150 c/c`).

use std::f64::consts::PI;
use std::fmt;

/// The standard bar diameters accepted, mm (IS 1786 sizes in common use).
pub const STANDARD_DIAMETERS_MM: [u8; 11] = [6, 8, 10, 12, 16, 20, 25, 28, 32, 36, 40];

/// Diameters allowed for longitudinal bars when none are given, mm.
pub const DEFAULT_BAR_DIAMETERS_MM: [u8; 5] = [12, 16, 20, 25, 32];

/// Cross-sectional area of one bar of diameter `dia_mm`, mm²: π φ² / 4.
///
/// ```
/// let a = beam_design::bar_area_mm2(16);
/// assert!((a - 201.06).abs() < 0.01);
/// ```
pub fn bar_area_mm2(dia_mm: u8) -> f64 {
    let d = f64::from(dia_mm);
    PI * d * d / 4.0
}

/// A set of standard diameters, stored as a bit mask over [`STANDARD_DIAMETERS_MM`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BarSet(u16);

impl BarSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// The set holding `dia_mm` if it is standard, else `None`.
    pub fn with(self, dia_mm: u8) -> Option<Self> {
        let i = STANDARD_DIAMETERS_MM.iter().position(|&d| d == dia_mm)?;
        Some(Self(self.0 | (1 << i)))
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The diameters in the set, smallest first.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = u8> {
        STANDARD_DIAMETERS_MM
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, d)| d)
    }

    /// The smallest diameter (0 when empty).
    pub fn smallest(self) -> u8 {
        self.iter().next().unwrap_or(0)
    }

    /// The largest diameter (0 when empty).
    pub fn largest(self) -> u8 {
        self.iter().next_back().unwrap_or(0)
    }
}

/// `count` bars of `dia_mm` diameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BarGroup {
    /// Number of bars.
    pub count: u8,
    /// Diameter, mm.
    pub dia_mm: u8,
}

impl BarGroup {
    /// Total area of the group, mm².
    pub fn area_mm2(self) -> f64 {
        f64::from(self.count) * bar_area_mm2(self.dia_mm)
    }
}

impl fmt::Display for BarGroup {
    /// `3-16φ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}φ", self.count, self.dia_mm)
    }
}

/// The bars on one face: at most two diameters, in one or two layers.
///
/// The larger bars are placed first (in the corners of the first layer); when two layers are
/// needed the first holds `first_layer_count` bars and the second the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BarArrangement {
    /// The larger (or only) diameter.
    pub primary: BarGroup,
    /// A second, smaller diameter, if any.
    pub secondary: Option<BarGroup>,
    /// Number of layers: 1 or 2 (0 when no arrangement could be found).
    pub layers: u8,
    /// Bars in the layer nearest the face (all of them when `layers` is 1).
    pub first_layer_count: u8,
}

impl BarArrangement {
    /// No bars: used when no arrangement fits. Displays as `none`.
    pub const NONE: Self = Self {
        primary: BarGroup {
            count: 0,
            dia_mm: 0,
        },
        secondary: None,
        layers: 0,
        first_layer_count: 0,
    };

    /// Whether this is [`BarArrangement::NONE`].
    pub fn is_none(&self) -> bool {
        self.primary.count == 0
    }

    /// Total number of bars.
    pub fn count(&self) -> u8 {
        self.primary.count + self.secondary.map_or(0, |g| g.count)
    }

    /// Total area, mm².
    pub fn area_mm2(&self) -> f64 {
        self.primary.area_mm2() + self.secondary.map_or(0.0, BarGroup::area_mm2)
    }

    /// The largest diameter, mm.
    pub fn max_dia_mm(&self) -> u8 {
        self.primary.dia_mm
    }
}

impl fmt::Display for BarArrangement {
    /// `3-16φ`, `2-20φ + 1-16φ`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("none");
        }
        write!(f, "{}", self.primary)?;
        if let Some(s) = self.secondary {
            write!(f, " + {s}")?;
        }
        Ok(())
    }
}

/// Vertical stirrups: `legs`-legged links of `dia_mm` at `spacing_mm` centres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StirrupSpec {
    /// Number of legs.
    pub legs: u8,
    /// Link diameter, mm.
    pub dia_mm: u8,
    /// Spacing along the span, mm.
    pub spacing_mm: f64,
}

impl StirrupSpec {
    /// Area of all legs Asv, mm².
    pub fn asv_mm2(&self) -> f64 {
        f64::from(self.legs) * bar_area_mm2(self.dia_mm)
    }
}

impl fmt::Display for StirrupSpec {
    /// `2L-8φ @ 150 c/c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}L-{}φ @ ", self.legs, self.dia_mm)?;
        if self.spacing_mm.fract() == 0.0 {
            write!(f, "{:.0}", self.spacing_mm)?;
        } else {
            write!(f, "{:.1}", self.spacing_mm)?;
        }
        f.write_str(" c/c")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_strings_render_like_drawings() {
        let g = |count, dia_mm| BarGroup { count, dia_mm };
        let one = BarArrangement {
            primary: g(3, 16),
            secondary: None,
            layers: 1,
            first_layer_count: 3,
        };
        let two = BarArrangement {
            primary: g(2, 20),
            secondary: Some(g(1, 16)),
            layers: 1,
            first_layer_count: 3,
        };
        assert_eq!(one.to_string(), "3-16φ");
        assert_eq!(two.to_string(), "2-20φ + 1-16φ");
        assert_eq!(BarArrangement::NONE.to_string(), "none");
        assert!((two.area_mm2() - (2.0 * 314.159 + 201.062)).abs() < 0.01);
        let s = StirrupSpec {
            legs: 2,
            dia_mm: 8,
            spacing_mm: 150.0,
        };
        assert_eq!(s.to_string(), "2L-8φ @ 150 c/c");
    }

    #[test]
    fn bar_set_keeps_only_standard_diameters_in_order() {
        let set = BarSet::EMPTY.with(20).and_then(|s| s.with(12)).unwrap();
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![12, 20]);
        assert_eq!((set.smallest(), set.largest()), (12, 20));
        assert!(BarSet::EMPTY.with(14).is_none());
    }
}
