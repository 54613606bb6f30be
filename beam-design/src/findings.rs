//! Turning a flexural solution (d, bars, requirement) into a complete [`Design`]: resistance,
//! shear, span/d, development length, side-face steel, and every finding with its status.
//! Shared by design mode and check mode.

use crate::anchorage;
use crate::bars::StirrupSpec;
use crate::beam::Beam;
use crate::design::{faces, section};
use crate::detailing::Placed;
use crate::flexure::Requirement;
use crate::materials::nominal_cover_mm;
use crate::message::{Code, Level, Message, Messages};
use crate::output::{Capacity, Design, Mode, Shear, Status, Steel, StirrupLimit};
use crate::serviceability;
use crate::shear::{MIN_SPACING_MM, ShearSection, TIGHT_SPACING_MM};

/// The flexural part of a solution: depths, what the demand requires, the bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Flexural {
    pub(crate) d: f64,
    pub(crate) d_prime: f64,
    pub(crate) req: Requirement,
    pub(crate) tension: Placed,
    pub(crate) compression: Option<Placed>,
}

/// `demand / capacity`, finite for every input (0 when there is no demand).
fn ratio(demand: f64, capacity: f64) -> f64 {
    if demand <= 0.0 {
        0.0
    } else {
        demand / capacity.max(1e-9)
    }
}

/// Builds the [`Design`]. `given` is `Some(stirrups)` in check mode (`Some(None)`: none).
pub(crate) fn assemble(
    beam: &Beam,
    mode: Mode,
    fx: Flexural,
    given: Option<Option<StirrupSpec>>,
) -> Design {
    let mut msgs = Messages::new();
    let (mu, vu) = (beam.mu_knm * 1e6, beam.vu_kn * 1e3);
    let bd = beam.b * fx.d;
    let ast = fx.tension.bars.area_mm2();
    let asc = fx.compression.map_or(0.0, |c| c.bars.area_mm2());
    let (moment_r, xu) = section(beam, fx.d, fx.d_prime).resistance(ast, asc);
    let pt = 100.0 * ast / bd;
    flexure_findings(beam, mode, &fx, xu, &mut msgs);
    let (shear, shear_r) = shear(beam, fx.d, pt, given, &mut msgs);
    if moment_r < mu * (1.0 - 1e-9) {
        let m = Message::new(Code::FlexureCapacityExceeded, beam.mu_knm, moment_r / 1e6);
        msgs.push(m);
    }
    if shear_r < vu * (1.0 - 1e-9) {
        msgs.push(Message::new(
            Code::ShearCapacityExceeded,
            beam.vu_kn,
            shear_r / 1e3,
        ));
    }
    let (s, fy) = (fx.req.ast_strength, beam.steel.fy());
    let pc = 100.0 * asc / bd;
    let deflection = serviceability::deflection(beam.support, beam.span, fx.d, fy, s, ast, pt, pc);
    if deflection.actual_ratio > deflection.allowable_ratio {
        let (actual, allowed) = (deflection.actual_ratio, deflection.allowable_ratio);
        msgs.push(Message::new(Code::SpanDepthExceeded, actual, allowed));
    }
    let side_face = anchorage::side_face(beam.b, beam.depth);
    if side_face.is_some() {
        let limit = anchorage::SIDE_FACE_DEPTH_MM;
        msgs.push(Message::new(Code::SideFaceSteelRequired, beam.depth, limit));
    }
    let (tension, compression) = steels(beam, &fx);
    Design {
        mode,
        status: status(&msgs),
        effective_depth_mm: fx.d,
        compression_depth_mm: fx.d_prime,
        xu_max_mm: fx.req.xu_max,
        xu_mm: xu,
        mu_lim_knm: fx.req.mu_lim / 1e6,
        doubly_reinforced: fx.req.doubly || fx.compression.is_some(),
        tension,
        compression,
        pt_percent: pt,
        shear,
        deflection,
        side_face,
        capacity: Capacity {
            moment_knm: moment_r / 1e6,
            shear_kn: shear_r / 1e3,
            flexure_utilization: ratio(mu, moment_r),
            shear_utilization: ratio(vu, shear_r),
        },
        messages: msgs,
    }
}

/// The verdict: the worst level among the findings.
fn status(msgs: &Messages) -> Status {
    match msgs.worst() {
        Some(Level::Fail) => Status::Fail,
        Some(Level::Warning) => Status::Warning,
        _ => Status::Pass,
    }
}

/// Tension and compression steel summaries, with development lengths.
fn steels(beam: &Beam, fx: &Flexural) -> (Steel, Option<Steel>) {
    let max = 0.04 * beam.b * beam.depth;
    let ld = |p: &Placed, compression| {
        anchorage::development_length_mm(
            p.bars.max_dia_mm(),
            beam.concrete,
            beam.steel,
            compression,
        )
    };
    let tension = Steel {
        required_mm2: fx.req.ast_req,
        min_mm2: fx.req.ast_min,
        max_mm2: max,
        provided_mm2: fx.tension.bars.area_mm2(),
        bars: fx.tension.bars,
        development_length_mm: ld(&fx.tension, false),
    };
    let compression = fx.compression.map(|c| Steel {
        required_mm2: fx.req.asc_req,
        min_mm2: 0.0,
        max_mm2: max,
        provided_mm2: c.bars.area_mm2(),
        bars: c.bars,
        development_length_mm: ld(&c, true),
    });
    (tension, compression)
}

/// Shear stresses, the stirrups (designed, or given in check mode) with their findings, and
/// the shear resistance in N.
fn shear(
    beam: &Beam,
    d: f64,
    pt: f64,
    given: Option<Option<StirrupSpec>>,
    msgs: &mut Messages,
) -> (Shear, f64) {
    let vu = beam.vu_kn * 1e3;
    let sec = ShearSection::new(beam.b, d, beam.concrete.fck(), beam.steel, pt);
    let (stirrups, governing) = match given {
        Some(spec) => {
            check_stirrup_findings(&sec, spec, msgs);
            (spec, StirrupLimit::Provided)
        }
        None => {
            let st = sec.design_stirrups(vu, beam.stirrup_legs, beam.stirrup_dia);
            design_stirrup_findings(&sec, vu, st.raw_spacing, st.governing, msgs);
            (Some(st.spec), st.governing)
        }
    };
    if sec.tau_v(vu) > sec.tau_c_max() {
        msgs.push(Message::new(
            Code::ShearExceedsTcMax,
            sec.tau_v(vu),
            sec.tau_c_max(),
        ));
    }
    let shear = Shear {
        tau_v_mpa: sec.tau_v(vu),
        tau_c_mpa: sec.tau_c(),
        tau_c_max_mpa: sec.tau_c_max(),
        vus_kn: sec.vus(vu) / 1e3,
        stirrups,
        governing,
    };
    (shear, sec.resistance(stirrups))
}

/// Findings of flexure and detailing, common to both modes except where noted.
fn flexure_findings(beam: &Beam, mode: Mode, fx: &Flexural, xu: f64, msgs: &mut Messages) {
    let req = &fx.req;
    let table_cover = nominal_cover_mm(beam.exposure);
    if beam.cover < table_cover {
        msgs.push(Message::new(
            Code::CoverBelowTable16,
            beam.cover,
            table_cover,
        ));
    }
    if req.doubly {
        msgs.push(Message::new(
            Code::CompressionSteelRequired,
            beam.mu_knm,
            req.mu_lim / 1e6,
        ));
        if !req.d_prime_ok {
            msgs.push(Message::new(
                Code::CompressionSteelOutsideZone,
                fx.d_prime,
                req.xu_max,
            ));
        }
    }
    let max = 0.04 * beam.b * beam.depth;
    let ast = fx.tension.bars.area_mm2();
    let asc = fx.compression.map_or(0.0, |c| c.bars.area_mm2());
    let (ast_shown, asc_shown) = match mode {
        Mode::Design => (req.ast_req, req.asc_req),
        Mode::Check => (ast, asc),
    };
    if mode == Mode::Design && req.ast_strength < req.ast_min {
        msgs.push(Message::new(
            Code::MinTensionSteelGoverns,
            req.ast_strength,
            req.ast_min,
        ));
    }
    if mode == Mode::Check && ast < req.ast_min {
        msgs.push(Message::new(Code::TensionSteelBelowMin, ast, req.ast_min));
    }
    if ast_shown > max {
        msgs.push(Message::new(Code::TensionSteelExceedsMax, ast_shown, max));
    }
    if asc_shown > max {
        msgs.push(Message::new(
            Code::CompressionSteelExceedsMax,
            asc_shown,
            max,
        ));
    }
    let (tension_face, _) = faces(beam);
    for placed in std::iter::once(&fx.tension).chain(fx.compression.as_ref()) {
        if !placed.fits {
            msgs.push(Message::new(
                Code::BarsDoNotFit,
                placed.bars.area_mm2(),
                tension_face.clear_width,
            ));
        }
    }
    if let Some(limit) = tension_face.max_spacing
        && fx.tension.fits
        && fx.tension.clear_spacing > limit
    {
        msgs.push(Message::new(
            Code::BarSpacingExceedsTable15,
            fx.tension.clear_spacing,
            limit,
        ));
    }
    if xu > req.xu_max * (1.0 + 1e-6) {
        msgs.push(Message::new(Code::OverReinforced, xu, req.xu_max));
    }
}

/// Findings of designed stirrups.
fn design_stirrup_findings(
    sec: &ShearSection,
    vu: f64,
    raw: f64,
    governing: StirrupLimit,
    msgs: &mut Messages,
) {
    if raw < MIN_SPACING_MM {
        msgs.push(Message::new(
            Code::StirrupsInsufficient,
            raw,
            MIN_SPACING_MM,
        ));
    } else if raw < TIGHT_SPACING_MM {
        msgs.push(Message::new(
            Code::StirrupSpacingTight,
            raw,
            TIGHT_SPACING_MM,
        ));
    }
    if governing == StirrupLimit::Minimum || sec.tau_v(vu) <= sec.tau_c() {
        msgs.push(Message::new(
            Code::MinShearSteelGoverns,
            sec.tau_v(vu),
            sec.tau_c(),
        ));
    }
}

/// Findings of stirrups given in check mode: present, within the spacing limits, ≥ minimum.
fn check_stirrup_findings(sec: &ShearSection, stirrups: Option<StirrupSpec>, msgs: &mut Messages) {
    let min = sec.min_asv_per_mm();
    let Some(s) = stirrups else {
        msgs.push(Message::new(Code::NoStirrups, 0.0, min));
        return;
    };
    let max_spacing = (0.75 * sec.d()).min(300.0);
    if s.spacing_mm > max_spacing {
        msgs.push(Message::new(
            Code::StirrupSpacingExceedsMax,
            s.spacing_mm,
            max_spacing,
        ));
    }
    let provided = s.asv_mm2() / s.spacing_mm;
    if provided < min {
        msgs.push(Message::new(Code::ShearSteelBelowMin, provided, min));
    }
}
