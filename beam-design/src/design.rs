//! The entry point [`design`] and design mode: choose the bars for the demand.
//!
//! Design mode iterates flexure and detailing: d is first estimated for a 16 mm bar (or the
//! nearest allowed), the steel required is detailed, d is recomputed from the bars chosen and
//! the requirement re-checked at that d; when the bars no longer suffice (d dropped, e.g. a
//! second layer) the loop repeats with the new d, at most [`MAX_ITERATIONS`] times.

use crate::bars::{BarArrangement, BarGroup, BarSet, bar_area_mm2};
use crate::beam::Beam;
use crate::check;
use crate::detailing::{Face, Placed};
use crate::findings::{self, Flexural};
use crate::flexure::Section;
use crate::output::{Design, Mode};
use crate::tables;

/// Most flexure/detailing rounds in design mode.
pub const MAX_ITERATIONS: usize = 6;

/// Designs the beam when it carries no reinforcement (design mode), or checks its
/// reinforcement against the demand when it does (check mode). Never panics; never allocates.
///
/// ```
/// use beam_design::{design, Beam, BeamInput, Status};
/// let input = BeamInput {
///     width_mm: 300.0, depth_mm: 500.0, span_mm: 5000.0, mu_knm: 150.0,
///     vu_kn: Some(100.0), fck_mpa: 25.0, fy_mpa: 500.0, ..BeamInput::default()
/// };
/// let beam = Beam::try_from(&input).unwrap();
/// let out = design(&beam);
/// assert_eq!(out.status, Status::Pass);
/// assert!(out.tension.provided_mm2 >= out.tension.required_mm2);
/// ```
pub fn design(beam: &Beam) -> Design {
    match beam.reinforcement {
        Some(r) => check::check(beam, &r),
        None => with_practical_stirrups(beam, design_new(beam)),
    }
}

/// Design mode for the beam's own stirrup diameter and legs.
fn design_new(beam: &Beam) -> Design {
    findings::assemble(beam, Mode::Design, design_flexure(beam), None)
}

/// Links design mode may choose, in increasing Asv, when the caller chose none: (legs, φ).
/// Four legs only in webs of at least 300 mm.
const LINKS: [(u8, u8); 5] = [(2, 8), (2, 10), (2, 12), (4, 10), (4, 12)];

/// Closest practical stirrup spacing design mode aims for when it may choose the links, mm.
pub const PRACTICAL_SPACING_MM: f64 = 100.0;

/// When the caller left the links to the engine and 2L-8φ would be closer than 100 mm, the
/// design is redone with the first larger link of [`LINKS`] that reaches 100 mm (the stirrup
/// diameter changes d, so the whole design is redone, not only the spacing).
fn with_practical_stirrups(beam: &Beam, first: Design) -> Design {
    let spacing = first.shear.stirrups.map_or(f64::INFINITY, |s| s.spacing_mm);
    let hopeless = first.shear.tau_v_mpa > first.shear.tau_c_max_mpa;
    if !beam.stirrups_free || spacing >= PRACTICAL_SPACING_MM || hopeless {
        return first;
    }
    // Asv/sv the shear needs, mm²/mm: Vus / (0.87 fy d) (cl. 40.4 a).
    let fy = beam.steel.fy().min(415.0);
    let need = first.shear.vus_kn * 1e3 / (0.87 * fy * first.effective_depth_mm);
    let mut best = first;
    for (legs, dia) in LINKS
        .into_iter()
        .skip(1)
        .filter(|&(legs, _)| legs == 2 || beam.b >= 300.0)
    {
        let asv = f64::from(legs) * bar_area_mm2(dia);
        if asv / need < PRACTICAL_SPACING_MM {
            continue;
        }
        let trial = Beam {
            stirrup_legs: legs,
            stirrup_dia: dia,
            ..*beam
        };
        best = design_new(&trial);
        if best
            .shear
            .stirrups
            .is_some_and(|s| s.spacing_mm >= PRACTICAL_SPACING_MM)
        {
            break;
        }
    }
    best
}

/// The faces of the section where bars go: tension (with Table 15) and compression.
pub(crate) fn faces(beam: &Beam) -> (Face, Face) {
    let tension = Face {
        clear_width: beam.b - 2.0 * beam.bar_offset(),
        to_bars: beam.bar_offset(),
        aggregate: beam.aggregate,
        max_spacing: Some(tables::max_clear_spacing_mm(beam.steel)),
    };
    (
        tension,
        Face {
            max_spacing: None,
            ..tension
        },
    )
}

/// The section of `beam` at effective depth `d` and compression depth `d_prime`.
pub(crate) fn section(beam: &Beam, d: f64, d_prime: f64) -> Section {
    Section {
        b: beam.b,
        d,
        d_prime,
        fck: beam.concrete.fck(),
        steel: beam.steel,
    }
}

/// Flexure and detailing to convergence (see the module docs).
fn design_flexure(beam: &Beam) -> Flexural {
    let guess = beam
        .bars
        .iter()
        .find(|&d| d >= 16)
        .unwrap_or(beam.bars.largest());
    let mut d = beam
        .d_given
        .unwrap_or(beam.depth - beam.bar_offset() - f64::from(guess) / 2.0);
    let mut d_prime = beam
        .d_prime_given
        .unwrap_or(beam.bar_offset() + f64::from(guess) / 2.0);
    let mu = beam.mu_knm * 1e6;
    let mut boost = 1.0;
    let mut fx = attempt(beam, d, d_prime, boost);
    for _ in 1..MAX_ITERATIONS {
        let asc = fx.compression.map_or(0.0, |c| c.bars.area_mm2());
        // The compression bars must also balance the tension bars provided at the final d'
        // (a second layer of compression bars lowers fsc): else the design is over-reinforced.
        let balanced = fx.compression.is_none_or(|_| {
            asc >= section(beam, fx.d, fx.d_prime).asc_to_balance(fx.tension.bars.area_mm2())
        });
        let enough =
            fx.tension.bars.area_mm2() >= fx.req.ast_req && asc >= fx.req.asc_req && balanced;
        if enough {
            let (resistance, _) =
                section(beam, fx.d, fx.d_prime).resistance(fx.tension.bars.area_mm2(), asc);
            // A small shortfall comes from the gap between the G-1.2 design formula and the
            // strain-compatibility resistance (shallow doubly reinforced sections): add steel.
            if resistance >= mu || resistance < 0.9 * mu || !fx.tension.fits {
                return fx;
            }
            boost *= (mu / resistance).max(1.001);
        }
        (d, d_prime) = (fx.d, fx.d_prime);
        fx = attempt(beam, d, d_prime, boost);
    }
    fx
}

/// One round: requirement at (d, d'), bars for it, then d, d' and the requirement recomputed
/// for the bars chosen. `boost` scales the tension steel asked of the detailer.
fn attempt(beam: &Beam, d: f64, d_prime: f64, boost: f64) -> Flexural {
    let (tension_face, compression_face) = faces(beam);
    let mu = beam.mu_knm * 1e6;
    let req = section(beam, d, d_prime).requirement(mu);
    let tension = choose(&tension_face, req.ast_req * boost, beam.bars);
    let d = beam.d_given.unwrap_or(beam.depth - tension.centroid);
    let sec = section(beam, d, d_prime);
    let req = sec.requirement(mu);
    let compression = (req.asc_req > 0.0).then(|| {
        let asc = req.asc_req.max(sec.asc_to_balance(tension.bars.area_mm2()));
        choose(&compression_face, asc, beam.bars)
    });
    let d_prime = beam
        .d_prime_given
        .or(compression.map(|c| c.centroid))
        .unwrap_or(d_prime);
    let req = section(beam, d, d_prime).requirement(mu);
    Flexural {
        d,
        d_prime,
        req,
        tension,
        compression,
    }
}

/// The chosen arrangement, or — when nothing fits — the largest bars in the number the area
/// needs (at most 60), placed anyway so the failure can be reported with real numbers.
fn choose(face: &Face, area: f64, set: BarSet) -> Placed {
    face.choose(area, set).unwrap_or_else(|| {
        let dia = set.largest();
        // Clamped to 2..=60, so the cast is exact.
        let count = (area / bar_area_mm2(dia)).ceil().clamp(2.0, 60.0) as u8;
        let primary = BarGroup { count, dia_mm: dia };
        face.place(BarArrangement {
            primary,
            secondary: None,
            layers: 1,
            first_layer_count: count,
        })
    })
}
