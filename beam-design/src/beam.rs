//! [`Beam`]: a validated beam, the only thing the design functions accept.
//!
//! Built with `Beam::try_from(&BeamInput)`, which checks every field and reports every broken
//! rule at once. The rules (also in docs/design-basis.md): standard grades M20…M80 and
//! Fe250/415/500; Mu and Vu are non-negative magnitudes; b, D, L, cover, aggregate within the
//! practical ranges below; D leaves room for cover, stirrup and a bar on both faces; bar
//! diameters from the standard set; counts and legs whole numbers; no NaN or infinity anywhere.

use crate::bars::{BarArrangement, BarGroup, BarSet, DEFAULT_BAR_DIAMETERS_MM, StirrupSpec};
use crate::error::{Field, InvalidBeam};
use crate::input::{BarGroupInput, BeamInput, Exposure, ReinforcementInput, Support};
use crate::materials::{ConcreteGrade, SteelGrade, nominal_cover_mm};
use crate::validation::Collector;

/// Practical range of the web width b, mm.
pub const WIDTH_RANGE_MM: (f64, f64) = (100.0, 2000.0);
/// Practical range of the overall depth D, mm.
pub const DEPTH_RANGE_MM: (f64, f64) = (150.0, 3000.0);
/// Practical range of the effective span L, mm.
pub const SPAN_RANGE_MM: (f64, f64) = (500.0, 30_000.0);
/// Largest factored moment accepted, kN·m (keeps the arithmetic finite; far beyond any b, D).
pub const MAX_MU_KNM: f64 = 1.0e6;
/// Largest factored shear accepted, kN.
pub const MAX_VU_KN: f64 = 1.0e5;
/// Range of the nominal cover, mm.
pub const COVER_RANGE_MM: (f64, f64) = (15.0, 100.0);
/// Range of the nominal maximum aggregate size, mm.
pub const AGGREGATE_RANGE_MM: (f64, f64) = (5.0, 40.0);
/// Stirrup diameters accepted, mm.
pub const STIRRUP_DIAMETERS_MM: [u8; 5] = [6, 8, 10, 12, 16];
/// Range of stirrup legs.
pub const LEGS_RANGE: (f64, f64) = (2.0, 8.0);
/// Range of bars in one group of an existing beam.
pub const COUNT_RANGE: (f64, f64) = (1.0, 30.0);
/// Range of the stirrup spacing of an existing beam, mm.
pub const SPACING_RANGE_MM: (f64, f64) = (25.0, 1000.0);

/// The reinforcement of an existing beam (check mode), validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reinforcement {
    pub(crate) tension: BarArrangement,
    pub(crate) compression: Option<BarArrangement>,
    pub(crate) stirrups: Option<StirrupSpec>,
}

/// A validated beam. Fields are private: the only way to get one is `Beam::try_from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beam {
    pub(crate) b: f64,
    pub(crate) depth: f64,
    pub(crate) span: f64,
    pub(crate) mu_knm: f64,
    pub(crate) vu_kn: f64,
    pub(crate) concrete: ConcreteGrade,
    pub(crate) steel: SteelGrade,
    pub(crate) cover: f64,
    pub(crate) exposure: Exposure,
    pub(crate) d_given: Option<f64>,
    pub(crate) d_prime_given: Option<f64>,
    pub(crate) support: Support,
    pub(crate) bars: BarSet,
    pub(crate) stirrup_dia: u8,
    pub(crate) stirrup_legs: u8,
    /// Neither stirrup diameter nor legs were given: design mode may choose larger links.
    pub(crate) stirrups_free: bool,
    pub(crate) aggregate: f64,
    pub(crate) reinforcement: Option<Reinforcement>,
}

impl Beam {
    /// Web width b, mm.
    pub fn width_mm(&self) -> f64 {
        self.b
    }
    /// Overall depth D, mm.
    pub fn depth_mm(&self) -> f64 {
        self.depth
    }
    /// Effective span L, mm.
    pub fn span_mm(&self) -> f64 {
        self.span
    }
    /// Factored moment Mu, kN·m.
    pub fn mu_knm(&self) -> f64 {
        self.mu_knm
    }
    /// Factored shear Vu, kN.
    pub fn vu_kn(&self) -> f64 {
        self.vu_kn
    }
    /// Concrete grade.
    pub fn concrete(&self) -> ConcreteGrade {
        self.concrete
    }
    /// Steel grade.
    pub fn steel(&self) -> SteelGrade {
        self.steel
    }
    /// Nominal cover to the stirrups, mm (given or from Table 16).
    pub fn cover_mm(&self) -> f64 {
        self.cover
    }
    /// Support condition.
    pub fn support(&self) -> Support {
        self.support
    }
    /// Whether the beam carries reinforcement to check (check mode).
    pub fn is_check(&self) -> bool {
        self.reinforcement.is_some()
    }
    /// Distance from a face to the inside of the stirrups: cover + stirrup diameter, mm.
    pub(crate) fn bar_offset(&self) -> f64 {
        self.cover + f64::from(self.stirrup_dia)
    }
}

impl TryFrom<&BeamInput> for Beam {
    type Error = InvalidBeam;

    fn try_from(input: &BeamInput) -> Result<Self, InvalidBeam> {
        let mut c = Collector::default();
        let b = c.range(Field::Width, input.width_mm, WIDTH_RANGE_MM, "mm");
        let depth = c.range(Field::Depth, input.depth_mm, DEPTH_RANGE_MM, "mm");
        let span = c.range(Field::Span, input.span_mm, SPAN_RANGE_MM, "mm");
        let mu_knm = c.magnitude(Field::Mu, input.mu_knm, MAX_MU_KNM, "kN·m");
        let vu_kn = c.magnitude(Field::Vu, input.vu_kn.unwrap_or(0.0), MAX_VU_KN, "kN");
        let concrete = c.concrete(input.fck_mpa);
        let steel = c.steel(input.fy_mpa);
        let exposure = input.exposure.unwrap_or_default();
        let cover_in = input.cover_mm.unwrap_or_else(|| nominal_cover_mm(exposure));
        let cover = c.range(Field::Cover, cover_in, COVER_RANGE_MM, "mm");
        let bars = c.bar_set(input.bar_diameters_mm.as_deref());
        let stirrup_dia =
            c.stirrup_dia(Field::StirrupDiameter, input.stirrup_dia_mm.unwrap_or(8.0));
        let stirrup_legs = c.whole(
            Field::StirrupLegs,
            input.stirrup_legs.unwrap_or(2.0),
            LEGS_RANGE,
        );
        let aggregate = c.range(
            Field::MaxAggregate,
            input.max_aggregate_mm.unwrap_or(20.0),
            AGGREGATE_RANGE_MM,
            "mm",
        );
        let reinforcement = input.reinforcement.as_ref().map(|r| c.reinforcement(r));

        let smallest = reinforcement
            .flatten()
            .map(|r| r.tension.secondary.unwrap_or(r.tension.primary).dia_mm)
            .or(bars.map(BarSet::smallest));
        let (d_given, d_prime_given) = c.depth_rules(input, depth, cover, stirrup_dia, smallest);
        let (Some(b), Some(depth), Some(span), Some(mu_knm), Some(vu_kn), Some(concrete)) =
            (b, depth, span, mu_knm, vu_kn, concrete)
        else {
            return Err(c.into_error());
        };
        let (Some(steel), Some(cover), Some(bars), Some(stirrup_dia), Some(stirrup_legs)) =
            (steel, cover, bars, stirrup_dia, stirrup_legs)
        else {
            return Err(c.into_error());
        };
        let (Some(aggregate), None | Some(Some(_))) = (aggregate, reinforcement) else {
            return Err(c.into_error());
        };
        c.finish()?;
        Ok(Self {
            b,
            depth,
            span,
            mu_knm,
            vu_kn,
            concrete,
            steel,
            cover,
            exposure,
            d_given,
            d_prime_given,
            support: input.support.unwrap_or_default(),
            bars,
            stirrup_dia,
            stirrup_legs,
            stirrups_free: input.stirrup_dia_mm.is_none() && input.stirrup_legs.is_none(),
            aggregate,
            reinforcement: reinforcement.flatten(),
        })
    }
}

impl Collector {
    /// Rules across fields: room for cover, stirrup and a bar; the d and d' overrides. When an
    /// ingredient is invalid (already reported) the overrides are only checked for finiteness.
    fn depth_rules(
        &mut self,
        input: &BeamInput,
        depth: Option<f64>,
        cover: Option<f64>,
        stirrup: Option<u8>,
        smallest_bar: Option<u8>,
    ) -> (Option<f64>, Option<f64>) {
        let (d, dp) = (input.effective_depth_mm, input.compression_depth_mm);
        let (Some(depth), Some(cover), Some(st), Some(bar)) = (depth, cover, stirrup, smallest_bar)
        else {
            let d =
                d.and_then(|d| self.range(Field::EffectiveDepth, d, (f64::MIN, f64::MAX), "mm"));
            let dp = dp
                .and_then(|dp| self.range(Field::CompressionDepth, dp, (f64::MIN, f64::MAX), "mm"));
            return (d, dp);
        };
        let room = 2.0 * (cover + f64::from(st)) + f64::from(bar);
        self.room(depth, room);
        let d_max = depth - cover - f64::from(st) - f64::from(bar) / 2.0;
        let d = d.and_then(|d| self.effective_depth(d, d_max));
        let dp = dp.and_then(|dp| self.compression_depth(dp, depth));
        (d, dp)
    }

    fn bar_set(&mut self, given: Option<&[f64]>) -> Option<BarSet> {
        let Some(list) = given else {
            let set = DEFAULT_BAR_DIAMETERS_MM
                .iter()
                .try_fold(BarSet::EMPTY, |s, &d| s.with(d));
            return set;
        };
        let mut set = BarSet::EMPTY;
        let mut bad = Vec::new();
        for &d in list {
            match standard_dia(d).and_then(|d| set.with(d)) {
                Some(s) => set = s,
                None => bad.push(d),
            }
        }
        if !bad.is_empty() {
            let got: Vec<String> = bad.iter().map(|d| format!("{d}")).collect();
            let msg = format!(
                "must be standard diameters (6, 8, 10, 12, 16, 20, 25, 28, 32, 36, 40 mm), got {}",
                got.join(", ")
            );
            self.push(Field::BarDiameters, msg);
            return None;
        }
        if set.is_empty() {
            self.push(
                Field::BarDiameters,
                "must list at least one diameter, got none".into(),
            );
            return None;
        }
        Some(set)
    }

    fn stirrup_dia(&mut self, field: Field, d: f64) -> Option<u8> {
        let ok = standard_dia(d).filter(|d| STIRRUP_DIAMETERS_MM.contains(d));
        if ok.is_none() {
            self.push(
                field,
                format!("must be a stirrup diameter of 6, 8, 10, 12 or 16 mm, got {d}"),
            );
        }
        ok
    }

    fn reinforcement(&mut self, r: &ReinforcementInput) -> Option<Reinforcement> {
        let tension = self.groups(Field::TensionBars, &r.tension, false);
        let compression = self.groups(Field::CompressionBars, &r.compression, true);
        let stirrups = r.stirrups.map(|s| {
            let legs = self.whole(Field::Stirrups, s.legs, LEGS_RANGE);
            let dia = self.stirrup_dia(Field::Stirrups, s.dia_mm);
            let spacing = self.range(Field::Stirrups, s.spacing_mm, SPACING_RANGE_MM, "mm");
            Some(StirrupSpec {
                legs: legs?,
                dia_mm: dia?,
                spacing_mm: spacing?,
            })
        });
        Some(Reinforcement {
            tension: tension??,
            compression: compression?,
            stirrups: match stirrups {
                Some(s) => Some(s?),
                None => None,
            },
        })
    }

    /// One or two bar groups; `optional` allows none (compression). Groups of equal diameter merge.
    fn groups(
        &mut self,
        field: Field,
        groups: &[BarGroupInput],
        optional: bool,
    ) -> Option<Option<BarArrangement>> {
        if groups.is_empty() && optional {
            return Some(None);
        }
        if groups.is_empty() || groups.len() > 2 {
            let msg = format!("must be one or two groups of bars, got {}", groups.len());
            self.push(field, msg);
            return None;
        }
        let mut parsed = [BarGroup {
            count: 0,
            dia_mm: 0,
        }; 2];
        let mut valid = true;
        for (slot, g) in parsed.iter_mut().zip(groups) {
            let count = self.whole(field, g.count, COUNT_RANGE);
            let dia = standard_dia(g.dia_mm);
            if dia.is_none() {
                let msg = format!(
                    "bar diameter must be a standard size (6–40 mm), got {}",
                    g.dia_mm
                );
                self.push(field, msg);
            }
            match (count, dia) {
                (Some(count), Some(dia_mm)) => *slot = BarGroup { count, dia_mm },
                _ => valid = false,
            }
        }
        valid.then(|| Some(arrangement_of(parsed)))
    }
}

/// Larger diameter first; groups of the same diameter merge. Layers are set by the layout.
fn arrangement_of(groups: [BarGroup; 2]) -> BarArrangement {
    let [mut a, mut b] = groups;
    if b.dia_mm > a.dia_mm {
        std::mem::swap(&mut a, &mut b);
    }
    let secondary = if b.count == 0 {
        None
    } else if b.dia_mm == a.dia_mm {
        a.count += b.count;
        None
    } else {
        Some(b)
    };
    BarArrangement {
        primary: a,
        secondary,
        layers: 1,
        first_layer_count: a.count,
    }
}

/// The standard diameter equal to `d`, if any.
fn standard_dia(d: f64) -> Option<u8> {
    crate::bars::STANDARD_DIAMETERS_MM
        .into_iter()
        .find(|&s| f64::from(s) == d)
}
