//! Property tests: no input panics; designs are monotone, sufficient and buildable.

use beam_design::{
    BarGroupInput, Beam, BeamInput, Code, Design, Mode, ReinforcementInput, Status, StirrupInput,
    Support, design,
};
use proptest::prelude::*;

/// Any f64 at all, or a plausible value: NaN, infinities, huge, negative, subnormal…
fn wild(plausible: std::ops::RangeInclusive<f64>) -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::ANY,
        plausible,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-0.0),
        Just(1e300)
    ]
}

fn any_input() -> impl Strategy<Value = BeamInput> {
    let numbers = (
        wild(80.0..=2100.0),
        wild(100.0..=3100.0),
        wild(300.0..=31_000.0),
        wild(-10.0..=5000.0),
        prop::option::of(wild(-10.0..=3000.0)),
        prop_oneof![
            wild(15.0..=85.0),
            (4u8..=16).prop_map(|g| f64::from(g) * 5.0)
        ],
        prop_oneof![
            wild(200.0..=550.0),
            prop::sample::select(vec![250.0, 415.0, 500.0])
        ],
    );
    let options = (
        prop::option::of(wild(0.0..=120.0)),
        prop::option::of(wild(20.0..=3000.0)),
        prop::option::of(wild(0.0..=400.0)),
        prop::option::of(prop::collection::vec(wild(5.0..=45.0), 0..4)),
        prop::option::of(wild(5.0..=20.0)),
        prop::option::of(wild(1.0..=9.0)),
        prop::option::of(wild(4.0..=45.0)),
    );
    let groups = || prop::collection::vec((wild(0.0..=12.0), wild(6.0..=40.0)), 0..3);
    let reinforcement = prop::option::of((
        groups(),
        groups(),
        prop::option::of((wild(1.0..=9.0), wild(6.0..=16.0), wild(10.0..=1100.0))),
    ));
    (numbers, options, reinforcement).prop_map(|((b, depth, span, mu, vu, fck, fy), o, r)| {
        BeamInput {
            width_mm: b,
            depth_mm: depth,
            span_mm: span,
            mu_knm: mu,
            vu_kn: vu,
            fck_mpa: fck,
            fy_mpa: fy,
            cover_mm: o.0,
            effective_depth_mm: o.1,
            compression_depth_mm: o.2,
            bar_diameters_mm: o.3,
            stirrup_dia_mm: o.4,
            stirrup_legs: o.5,
            max_aggregate_mm: o.6,
            reinforcement: r.map(|(t, c, s)| ReinforcementInput {
                tension: t
                    .into_iter()
                    .map(|(count, dia_mm)| BarGroupInput { count, dia_mm })
                    .collect(),
                compression: c
                    .into_iter()
                    .map(|(count, dia_mm)| BarGroupInput { count, dia_mm })
                    .collect(),
                stirrups: s.map(|(legs, dia_mm, spacing_mm)| StirrupInput {
                    legs,
                    dia_mm,
                    spacing_mm,
                }),
            }),
            ..BeamInput::default()
        }
    })
}

/// Realistic design-mode beams (most of them valid).
fn design_input() -> impl Strategy<Value = BeamInput> {
    (
        (
            150.0..=600.0f64,
            300.0..=1200.0f64,
            2000.0..=12_000.0f64,
            0.0..=900.0f64,
            0.0..=700.0f64,
        ),
        (
            4u8..=16,
            prop::sample::select(vec![250.0, 415.0, 500.0]),
            0u8..3,
        ),
    )
        .prop_map(
            |((b, depth, span, mu, vu), (grade, fy, support))| BeamInput {
                width_mm: b.round(),
                depth_mm: depth.round(),
                span_mm: span.round(),
                mu_knm: mu,
                vu_kn: Some(vu),
                fck_mpa: f64::from(grade) * 5.0,
                fy_mpa: fy,
                support: Some(
                    [
                        Support::SimplySupported,
                        Support::Continuous,
                        Support::Cantilever,
                    ][usize::from(support)],
                ),
                ..BeamInput::default()
            },
        )
}

fn all_numbers_finite(d: &Design) -> bool {
    let mut xs = vec![
        d.effective_depth_mm,
        d.compression_depth_mm,
        d.xu_max_mm,
        d.xu_mm,
        d.mu_lim_knm,
        d.tension.required_mm2,
        d.tension.provided_mm2,
        d.tension.development_length_mm,
        d.pt_percent,
        d.shear.tau_v_mpa,
        d.shear.tau_c_mpa,
        d.shear.vus_kn,
        d.deflection.allowable_ratio,
        d.deflection.actual_ratio,
        d.deflection.service_stress_mpa,
        d.capacity.moment_knm,
        d.capacity.shear_kn,
        d.capacity.flexure_utilization,
        d.capacity.shear_utilization,
    ];
    xs.extend(d.compression.map(|c| c.required_mm2));
    xs.extend(d.shear.stirrups.map(|s| s.spacing_mm));
    xs.extend(d.messages.iter().flat_map(|m| [m.value, m.limit]));
    xs.iter().all(|x| x.is_finite())
}

/// Width the first layer of an arrangement needs, mm (larger bars first).
fn first_layer_width(d: &Design, gap_floor: f64) -> f64 {
    let bars = d.tension.bars;
    let p = bars.primary;
    let n1 = bars.first_layer_count;
    let np = n1.min(p.count);
    let ns = n1 - np;
    let sdia = bars.secondary.map_or(0.0, |s| f64::from(s.dia_mm));
    let gap = f64::from(p.dia_mm).max(gap_floor);
    f64::from(np) * f64::from(p.dia_mm)
        + f64::from(ns) * sdia
        + f64::from(n1.saturating_sub(1)) * gap
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_input_panics_and_every_number_out_is_finite(input in any_input()) {
        if let Ok(beam) = Beam::try_from(&input) {
            let out = design(&beam);
            prop_assert!(all_numbers_finite(&out), "{out:?}");
            for m in &out.messages {
                prop_assert!(!m.to_string().is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn required_tension_steel_grows_with_the_moment(input in design_input(), extra in 1.0..200.0f64) {
        let d = (input.depth_mm - 60.0).max(100.0);
        let fixed = BeamInput { effective_depth_mm: Some(d), compression_depth_mm: Some(50.0), ..input };
        let more = BeamInput { mu_knm: fixed.mu_knm + extra, ..fixed.clone() };
        if let (Ok(a), Ok(b)) = (Beam::try_from(&fixed), Beam::try_from(&more)) {
            let (a, b) = (design(&a), design(&b));
            prop_assert!(b.tension.required_mm2 >= a.tension.required_mm2 - 1e-9);
        }
    }

    #[test]
    fn a_passing_design_resists_its_demand_with_enough_bars_that_fit(input in design_input()) {
        let Ok(beam) = Beam::try_from(&input) else { return Ok(()) };
        let out = design(&beam);
        prop_assert_eq!(out.mode, Mode::Design);
        if out.status != Status::Fail {
            prop_assert!(out.capacity.moment_knm >= input.mu_knm * (1.0 - 1e-9), "{:?}", out);
            prop_assert!(out.capacity.shear_kn >= input.vu_kn.unwrap_or(0.0) * (1.0 - 1e-9));
            prop_assert!(out.capacity.flexure_utilization <= 1.0 + 1e-9);
            prop_assert!(out.deflection.actual_ratio <= out.deflection.allowable_ratio);
        }
        // Failing designs (e.g. steel beyond 4 %) may stop iterating before the bars catch up
        // with d; every other design provides what it requires, in bars that fit.
        if out.status != Status::Fail && !out.messages.contains(Code::BarsDoNotFit) {
            prop_assert!(out.tension.provided_mm2 >= out.tension.required_mm2 * (1.0 - 1e-12));
            if let Some(c) = out.compression {
                prop_assert!(c.provided_mm2 >= c.required_mm2 * (1.0 - 1e-12));
            }
            let clear_width = input.width_mm - 2.0 * (30.0 + 8.0);
            prop_assert!(first_layer_width(&out, 25.0) <= clear_width + 1e-9, "{}", out.tension.bars);
            let bars = out.tension.bars;
            prop_assert!(bars.count() - bars.first_layer_count <= bars.first_layer_count);
            prop_assert!(bars.layers <= 2);
        }
    }
}
