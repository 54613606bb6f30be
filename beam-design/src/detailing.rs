//! Bar arrangements: placing bars in one or two layers across the width (cl. 26.3.2, Table 15)
//! and choosing a practical arrangement for a required area.
//!
//! Placement rules: clear spacing between bars in a layer ≥ max(largest φ, aggregate + 5 mm)
//! (cl. 26.3.2 a); clear vertical gap between layers ≥ max(15 mm, ⅔ aggregate, largest φ)
//! (cl. 26.3.2 b); larger bars go first (corners of the first layer); the second layer holds
//! no more bars than the first. Tension bars also keep the clear spacing within Table 15.

use crate::bars::{BarArrangement, BarGroup, BarSet, bar_area_mm2};

/// Where bars may go on one face of a section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    /// Clear width between the stirrup legs, b − 2 (cover + φ stirrup), mm.
    pub clear_width: f64,
    /// Distance from the face to the inside of the stirrup, cover + φ stirrup, mm.
    pub to_bars: f64,
    /// Nominal maximum aggregate size, mm.
    pub aggregate: f64,
    /// Maximum clear spacing of Table 15 (tension face only), mm.
    pub max_spacing: Option<f64>,
}

/// An arrangement placed on a face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The bars, with `layers` and `first_layer_count` set.
    pub bars: BarArrangement,
    /// Depth of the bars' centroid from the face, mm.
    pub centroid: f64,
    /// Clear spacing between bars of the first layer, mm.
    pub clear_spacing: f64,
    /// The bars fit in at most two layers.
    pub fits: bool,
}

/// Penalty on the area of an arrangement needing a second layer (it lowers d).
const SECOND_LAYER_PENALTY: f64 = 0.05;
/// Penalty on the area of an arrangement mixing two diameters (more bar marks on site).
const MIXED_PENALTY: f64 = 0.02;
/// Penalty on the area per bar beyond the fourth (placing many small bars costs labour).
const BAR_PENALTY: f64 = 0.01;
/// Largest number of bars considered on one face.
const MAX_BARS: f64 = 60.0;

impl Face {
    /// Places `bars` (larger first) in as few layers as fit. When they do not fit in two
    /// layers the result says so (`fits == false`) and puts the rest in the second layer.
    pub fn place(&self, bars: BarArrangement) -> Placed {
        let placed = self.layout(bars);
        Placed {
            centroid: self.centroid(&placed.bars),
            ..placed
        }
    }

    /// [`Face::place`] without the centroid (left 0): all the search needs to rank candidates.
    fn layout(&self, bars: BarArrangement) -> Placed {
        let (p, s) = (
            bars.primary,
            bars.secondary.unwrap_or(BarGroup {
                count: 0,
                dia_mm: 0,
            }),
        );
        let gap = f64::from(p.dia_mm).max(self.aggregate + 5.0);
        // k bars fit when Σ(φ + gap) ≤ clear width + gap.
        let room = self.clear_width + gap;
        let per = |dia: u8| f64::from(dia) + gap;
        let kp = how_many(room, per(p.dia_mm), p.count);
        let ks = if kp == p.count {
            how_many(room - f64::from(kp) * per(p.dia_mm), per(s.dia_mm), s.count)
        } else {
            0
        };
        let first = kp + ks;
        let total = bars.count();
        let fits = first >= 1 && total - first <= first;
        let layers = if first >= total { 1 } else { 2 };
        let width_l1 = f64::from(kp) * f64::from(p.dia_mm) + f64::from(ks) * f64::from(s.dia_mm);
        let clear_spacing = if first > 1 {
            (self.clear_width - width_l1) / f64::from(first - 1)
        } else {
            self.clear_width - width_l1
        };
        let placed = BarArrangement {
            layers,
            first_layer_count: first,
            ..bars
        };
        Placed {
            bars: placed,
            centroid: 0.0,
            clear_spacing,
            fits,
        }
    }

    /// Centroid depth from the face of arranged bars (larger bars first in the first layer).
    fn centroid(&self, bars: &BarArrangement) -> f64 {
        let p = bars.primary;
        let s = bars.secondary.unwrap_or(BarGroup {
            count: 0,
            dia_mm: 0,
        });
        let kp = bars.first_layer_count.min(p.count);
        let ks = bars.first_layer_count - kp;
        let l1_dia = if kp > 0 { p.dia_mm } else { s.dia_mm };
        let vertical = 15f64
            .max(self.aggregate * 2.0 / 3.0)
            .max(f64::from(p.dia_mm));
        let y1 = |dia: u8| self.to_bars + f64::from(dia) / 2.0;
        let y2 = |dia: u8| self.to_bars + f64::from(l1_dia) + vertical + f64::from(dia) / 2.0;
        let (ap, as_) = (bar_area_mm2(p.dia_mm), bar_area_mm2(s.dia_mm));
        let (rp, rs) = (f64::from(p.count - kp), f64::from(s.count - ks));
        let moment = f64::from(kp) * ap * y1(p.dia_mm)
            + f64::from(ks) * as_ * y1(s.dia_mm)
            + rp * ap * y2(p.dia_mm)
            + rs * as_ * y2(s.dia_mm);
        let area = (f64::from(p.count) * ap + f64::from(s.count) * as_).max(f64::MIN_POSITIVE);
        moment / area
    }

    /// Whether a placement meets every rule of this face (fits; Table 15 spacing).
    fn acceptable(&self, placed: &Placed) -> bool {
        placed.fits
            && self
                .max_spacing
                .is_none_or(|max| placed.clear_spacing <= max)
    }

    /// The most economical acceptable arrangement of at least `area` mm² from `set`, or `None`.
    ///
    /// Candidates: one diameter (at least 2 bars, enough for the area and for Table 15), or
    /// two adjacent allowed diameters φ1 > φ2 ≥ φ1/2 with n1 ≥ 2 bars of φ1 and 1 ≤ n2 ≤ n1
    /// bars of φ2. The least area wins, after penalties of 5 % for a second layer, 2 % for
    /// mixing diameters and 1 % per bar beyond four; ties go to fewer bars.
    pub fn choose(&self, area: f64, set: BarSet) -> Option<Placed> {
        // The set's diameters and bar areas, once (at most 11).
        let mut dias = [(0u8, 0.0f64); 11];
        let mut len = 0;
        for d in set.iter() {
            dias[len] = (d, bar_area_mm2(d));
            len += 1;
        }
        let mut best: Option<(f64, Placed)> = None;
        for i in 0..len {
            // The second diameter is the next smaller one allowed, if any.
            let smaller = i.checked_sub(1).map(|j| dias[j]);
            self.consider_led_by(area, dias[i], smaller, &mut best);
        }
        best.map(|(_, placed)| Placed {
            centroid: self.centroid(&placed.bars),
            ..placed
        })
    }

    /// Considers the arrangements led by bars `(φ1, a1)`: φ1 alone, and φ1 with some of the
    /// `smaller` diameter `(φ2, a2)` when φ2 ≥ φ1 / 2.
    fn consider_led_by(
        &self,
        area: f64,
        (p, a1): (u8, f64),
        smaller: Option<(u8, f64)>,
        best: &mut Option<(f64, Placed)>,
    ) {
        let n_area = ceil(area / a1).max(2.0);
        // Any arrangement led by φ1 needs at least n_area bars (a smaller second diameter only
        // adds bars), and bars beyond two full layers of φ1 never fit.
        let gap = f64::from(p).max(self.aggregate + 5.0);
        let two_layers = 2.0 * f64::from(how_many(self.clear_width + gap, f64::from(p) + gap, 30));
        if n_area > MAX_BARS || n_area > two_layers {
            return;
        }
        let n = n_area.max(self.bars_for_spacing(p));
        if n <= two_layers {
            self.consider(single(p, n), best);
        }
        // A mixed arrangement scores at least area × (1 + 2 %): skip when that cannot win.
        let hopeless = best
            .as_ref()
            .is_some_and(|(score, _)| *score <= area * (1.0 + MIXED_PENALTY));
        let Some((s, a2)) = smaller.filter(|&(s, _)| 2 * s >= p && !hopeless) else {
            return;
        };
        let mut n1 = ceil(area / (a1 + a2)).max(2.0);
        while n1 < n_area {
            let n2 = ceil((area - n1 * a1) / a2);
            if n2 >= 1.0 && n2 <= n1 && n1 + n2 <= two_layers {
                self.consider(mixed(p, n1, s, n2), best);
            }
            n1 += 1.0;
        }
    }

    /// Places `bars` and keeps them in `best` if acceptable and better. Candidates whose bare
    /// area already exceeds the best score are dismissed without being placed.
    fn consider(&self, bars: BarArrangement, best: &mut Option<(f64, Placed)>) {
        let mixed = if bars.secondary.is_some() {
            MIXED_PENALTY
        } else {
            0.0
        };
        let many = BAR_PENALTY * f64::from(bars.count().saturating_sub(4));
        // Score before the layer penalty, known without placing the bars.
        let bare = bars.area_mm2() * (1.0 + mixed + many);
        if best.as_ref().is_some_and(|(score, _)| bare > score + 1e-9) {
            return;
        }
        let placed = self.layout(bars);
        if !self.acceptable(&placed) {
            return;
        }
        let layers = if placed.bars.layers > 1 {
            SECOND_LAYER_PENALTY
        } else {
            0.0
        };
        let score = bars.area_mm2() * (1.0 + mixed + many + layers);
        let better = best.as_ref().is_none_or(|(b, p)| {
            score < b - 1e-9 || (score <= b + 1e-9 && placed.bars.count() < p.bars.count())
        });
        if better {
            *best = Some((score, placed));
        }
    }

    /// Fewest bars of `dia` whose clear spacing across the width is within Table 15.
    fn bars_for_spacing(&self, dia: u8) -> f64 {
        match self.max_spacing {
            Some(max) => {
                ceil((self.clear_width + max) / (max + f64::from(dia))).clamp(2.0, MAX_BARS)
            }
            None => 2.0,
        }
    }
}

/// `x.ceil()` for the bar counts of this module, without the libm call that `f64::ceil`
/// costs on baseline x86-64 (it is the detailer's hottest operation). Values beyond 2⁵²
/// (never bar counts) and NaN are returned unchanged.
fn ceil(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= 4.5e15 {
        return x;
    }
    // |x| < 2⁵², so the cast is exact in its integer part.
    let t = x as i64 as f64;
    if t < x { t + 1.0 } else { t }
}

/// How many items of width `each` fit in `room`, at most `max`.
fn how_many(room: f64, each: f64, max: u8) -> u8 {
    let n = room / each;
    if n >= f64::from(max) {
        max
    } else if n >= 1.0 {
        // 1 ≤ n < max ≤ 255: truncation is the floor.
        n as u8
    } else {
        0
    }
}

/// `n` bars of `dia` (n ≤ `MAX_BARS`, so the cast is exact).
fn single(dia: u8, n: f64) -> BarArrangement {
    let primary = BarGroup {
        count: n as u8,
        dia_mm: dia,
    };
    BarArrangement {
        primary,
        secondary: None,
        layers: 1,
        first_layer_count: primary.count,
    }
}

/// `n1` bars of `p` and `n2` of `s` (both ≤ `MAX_BARS`).
fn mixed(p: u8, n1: f64, s: u8, n2: f64) -> BarArrangement {
    BarArrangement {
        secondary: Some(BarGroup {
            count: n2 as u8,
            dia_mm: s,
        }),
        ..single(p, n1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(b: f64) -> Face {
        Face {
            clear_width: b - 2.0 * 38.0,
            to_bars: 38.0,
            aggregate: 20.0,
            max_spacing: Some(180.0),
        }
    }

    #[test]
    fn three_16_bars_sit_in_one_layer_of_a_230_beam() {
        let placed = face(230.0).place(single(16, 3.0));
        assert!(placed.fits);
        assert_eq!(placed.bars.layers, 1);
        assert!((placed.centroid - 46.0).abs() < 1e-9);
        assert!((placed.clear_spacing - (154.0 - 48.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn six_25_bars_in_a_230_beam_take_two_layers() {
        // Clear width 154, gap 25: k = floor(179 / 50) = 3 per layer.
        let placed = face(230.0).place(single(25, 6.0));
        assert!(placed.fits);
        assert_eq!((placed.bars.layers, placed.bars.first_layer_count), (2, 3));
        // Layer 1 at 38 + 12.5 = 50.5; layer 2 at 38 + 25 + 25 + 12.5 = 100.5; centroid 75.5.
        assert!((placed.centroid - 75.5).abs() < 1e-9);
    }

    #[test]
    fn choose_provides_at_least_the_area_asked() {
        let set = BarSet::EMPTY
            .with(12)
            .and_then(|s| s.with(16))
            .and_then(|s| s.with(20))
            .unwrap();
        let placed = face(300.0).choose(1000.0, set).unwrap();
        assert!(placed.bars.area_mm2() >= 1000.0);
        assert!(placed.fits);
    }
}
