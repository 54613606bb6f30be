//! [`Layout`]: where the concrete, the stirrups and every bar of a designed beam are, in mm.
//!
//! Section coordinates: `x` across the width from the left face, `y` down from the top face
//! (the compression face of a sagging beam). The placement repeats the engine's detailing
//! (`beam_design::detailing`, IS 456 cl. 26.3.2) so the drawing shows the bars where the
//! design assumed them:
//!
//! - bars sit on the inside of the stirrup: a first-layer bar of diameter φ is at
//!   `cover + φs + φ/2` from its face (φs: the stirrup diameter the engine placed bars with);
//! - in a layer, the larger bars take the corners and the bars are spread evenly over the clear
//!   width `b − 2 (cover + φs)`: clear spacing `(clear width − Σφ) / (n − 1)` (cl. 26.3.2 a);
//! - a second layer is `max(15 mm, ⅔ aggregate, largest φ)` clear above the first
//!   (cl. 26.3.2 b), its bars directly over first-layer bars (spacer-bar practice, SP 34),
//!   corners first, the rest spread evenly;
//! - stirrups: a closed loop whose outer face is at the cover; legs beyond two are inner links
//!   spread evenly across the width; along the span, the first stirrup is half a spacing from
//!   the end (never nearer than the cover), then one every spacing.

use beam_design::materials::nominal_cover_mm;
use beam_design::{BarArrangement, BarGroup, BeamInput, Design, Mode};

/// Stirrup diameter the engine assumes when none is given, mm (as `Beam::try_from`).
const DEFAULT_STIRRUP_DIA_MM: f64 = 8.0;
/// Aggregate size the engine assumes when none is given, mm (as `Beam::try_from`).
const DEFAULT_AGGREGATE_MM: f64 = 20.0;
/// Smallest clear gap between bar layers, mm (cl. 26.3.2 b).
const MIN_LAYER_GAP_MM: f64 = 15.0;

/// One longitudinal bar in the section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Centre, mm from the left face.
    pub x_mm: f64,
    /// Centre, mm down from the top face.
    pub y_mm: f64,
    /// Diameter, mm.
    pub dia_mm: f64,
}

/// The shear links.
#[derive(Debug, Clone, PartialEq)]
pub struct Links {
    /// Link diameter, mm.
    pub dia_mm: f64,
    /// Vertical legs per stirrup.
    pub legs: u8,
    /// Spacing along the span, mm.
    pub spacing_mm: f64,
    /// The drawing string, e.g. `2L-8φ @ 150 c/c`.
    pub label: String,
}

/// A designed beam's geometry (see the module doc for the conventions).
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Web width b, mm.
    pub width_mm: f64,
    /// Overall depth D, mm.
    pub depth_mm: f64,
    /// Span L, mm.
    pub span_mm: f64,
    /// Nominal cover to the stirrups, mm.
    pub cover_mm: f64,
    /// Effective depth d of the design, mm.
    pub effective_depth_mm: f64,
    /// Stirrups (`None` only in check mode without stirrups).
    pub links: Option<Links>,
    /// Tension bars (bottom face), first layer first.
    pub tension: Vec<Bar>,
    /// Compression bars (top face), first layer first.
    pub compression: Vec<Bar>,
    /// Tension bars as drawn, e.g. `3-16φ`.
    pub tension_label: String,
    /// Compression bars as drawn, when there are any.
    pub compression_label: Option<String>,
}

impl Layout {
    /// The geometry of `input` (defaults applied) as designed in `design`.
    pub fn new(input: &BeamInput, design: &Design) -> Self {
        let cover = input
            .cover_mm
            .unwrap_or_else(|| nominal_cover_mm(input.exposure.unwrap_or_default()));
        let stirrups = design.shear.stirrups;
        // Check mode places bars with the input's stirrup diameter, design mode with the links
        // it chose (it may choose larger ones): the same offset the engine used.
        let placing_dia = match (design.mode, stirrups) {
            (Mode::Design, Some(s)) => f64::from(s.dia_mm),
            _ => input.stirrup_dia_mm.unwrap_or(DEFAULT_STIRRUP_DIA_MM),
        };
        let face = Face {
            to_bars: cover + placing_dia,
            clear_width: input.width_mm - 2.0 * (cover + placing_dia),
            aggregate: input.max_aggregate_mm.unwrap_or(DEFAULT_AGGREGATE_MM),
        };
        let depth = input.depth_mm;
        let flip = |bars: Vec<Bar>| {
            bars.into_iter()
                .map(|b| Bar {
                    y_mm: depth - b.y_mm,
                    ..b
                })
                .collect()
        };
        let compression = design.compression.map(|c| c.bars);
        Self {
            width_mm: input.width_mm,
            depth_mm: depth,
            span_mm: input.span_mm,
            cover_mm: cover,
            effective_depth_mm: design.effective_depth_mm,
            links: stirrups.map(|s| Links {
                dia_mm: f64::from(s.dia_mm),
                legs: s.legs,
                spacing_mm: s.spacing_mm,
                label: s.to_string(),
            }),
            tension: flip(face.place(&design.tension.bars)),
            compression: compression.map_or_else(Vec::new, |c| face.place(&c)),
            tension_label: design.tension.bars.to_string(),
            compression_label: compression.filter(|c| !c.is_none()).map(|c| c.to_string()),
        }
    }

    /// Centre-line x of each stirrup leg, mm: the loop's two sides and the inner legs spread
    /// evenly between them.
    pub fn leg_positions(&self) -> Vec<f64> {
        let Some(links) = &self.links else {
            return Vec::new();
        };
        let left = self.cover_mm + links.dia_mm / 2.0;
        let right = self.width_mm - left;
        let legs = usize::from(links.legs.max(2));
        (0..legs)
            .map(|k| left + (right - left) * k as f64 / (legs - 1) as f64)
            .collect()
    }

    /// Positions of the stirrups along the span, mm from the left end: half a spacing from
    /// each end (at least the cover), then one every spacing.
    pub fn stirrup_positions(&self) -> Vec<f64> {
        let Some(links) = &self.links else {
            return Vec::new();
        };
        let first = (links.spacing_mm / 2.0).max(self.cover_mm + links.dia_mm / 2.0);
        let last = self.span_mm - first;
        if links.spacing_mm <= 0.0 || last < first {
            return Vec::new();
        }
        let n = ((last - first) / links.spacing_mm).floor() as usize + 1;
        (0..n)
            .map(|k| first + k as f64 * links.spacing_mm)
            .collect()
    }
}

/// Where bars go on one face (the engine's `detailing::Face`, with the drawing's needs).
struct Face {
    to_bars: f64,
    clear_width: f64,
    aggregate: f64,
}

impl Face {
    /// The bars of `bars` with `y` measured from this face.
    fn place(&self, bars: &BarArrangement) -> Vec<Bar> {
        if bars.is_none() {
            return Vec::new();
        }
        let p = bars.primary;
        let s = bars.secondary.unwrap_or(BarGroup {
            count: 0,
            dia_mm: 0,
        });
        let first_count = bars.first_layer_count.min(bars.count()).max(1);
        let kp = first_count.min(p.count);
        let ks = first_count - kp;
        let first = corners_first(kp, p.dia_mm, ks, s.dia_mm);
        let xs = self.spread(&first);
        let y1 = |dia: f64| self.to_bars + dia / 2.0;
        let mut out: Vec<Bar> = first
            .iter()
            .zip(&xs)
            .map(|(&dia, &x)| Bar {
                x_mm: x,
                y_mm: y1(dia),
                dia_mm: dia,
            })
            .collect();
        let second: Vec<f64> = std::iter::repeat_n(f64::from(p.dia_mm), usize::from(p.count - kp))
            .chain(std::iter::repeat_n(
                f64::from(s.dia_mm),
                usize::from(s.count - ks),
            ))
            .collect();
        if second.is_empty() {
            return out;
        }
        let l1_dia = first.first().copied().unwrap_or(0.0);
        let gap = MIN_LAYER_GAP_MM
            .max(self.aggregate * 2.0 / 3.0)
            .max(f64::from(p.dia_mm));
        let x2 = if second.len() <= xs.len() {
            pick_spread(&xs, second.len())
        } else {
            // Does not fit (the design reports it): spread them anyway, overlapping if need be.
            self.spread(&second)
        };
        out.extend(second.iter().zip(x2).map(|(&dia, x)| Bar {
            x_mm: x,
            y_mm: self.to_bars + l1_dia + gap + dia / 2.0,
            dia_mm: dia,
        }));
        out
    }

    /// Centres of bars of `dias` spread evenly over the clear width, touching the stirrup at
    /// both ends: clear spacing `(clear width − Σφ) / (n − 1)`; one bar sits in the middle.
    fn spread(&self, dias: &[f64]) -> Vec<f64> {
        if dias.len() == 1 {
            return vec![self.to_bars + self.clear_width / 2.0];
        }
        let total: f64 = dias.iter().sum();
        let clear = (self.clear_width - total) / (dias.len() - 1) as f64;
        let mut x = self.to_bars;
        let mut out = Vec::with_capacity(dias.len());
        for (i, &dia) in dias.iter().enumerate() {
            if i > 0 {
                x += clear;
            }
            out.push(x + dia / 2.0);
            x += dia;
        }
        out
    }
}

/// A layer's diameters left to right: the larger bars in both corners, the rest of the larger
/// bars split around the smaller ones in the middle.
fn corners_first(kp: u8, p: u8, ks: u8, s: u8) -> Vec<f64> {
    let (p, s) = (f64::from(p), f64::from(s));
    if kp < 2 {
        let mut v = vec![p; usize::from(kp)];
        v.extend(std::iter::repeat_n(s, usize::from(ks)));
        return v;
    }
    let inner = usize::from(kp - 2);
    let mut v = vec![p];
    v.extend(std::iter::repeat_n(p, inner.div_ceil(2)));
    v.extend(std::iter::repeat_n(s, usize::from(ks)));
    v.extend(std::iter::repeat_n(p, inner / 2));
    v.push(p);
    v
}

/// `n` of the positions `xs` (n ≤ len): both ends first, the rest evenly between; one in the
/// middle when `n` is 1.
fn pick_spread(xs: &[f64], n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![xs[xs.len() / 2]],
        _ => (0..n)
            .map(|k| {
                let i = (k * (xs.len() - 1) + (n - 1) / 2) / (n - 1);
                xs[i]
            })
            .collect(),
    }
}
