//! Behaviour of design mode beyond single formulas: link choice, bar layout, d iteration,
//! and the verdicts of check mode.

use beam_design::{
    BarGroupInput, Beam, BeamInput, Code, Design, ReinforcementInput, Status, StirrupLimit, design,
};

fn base(b: f64, depth: f64, mu: f64, vu: f64, fck: f64, fy: f64) -> BeamInput {
    BeamInput {
        width_mm: b,
        depth_mm: depth,
        span_mm: 5000.0,
        mu_knm: mu,
        vu_kn: Some(vu),
        fck_mpa: fck,
        fy_mpa: fy,
        ..BeamInput::default()
    }
}

fn run(input: &BeamInput) -> Design {
    design(&Beam::try_from(input).expect("valid beam"))
}

#[test]
fn heavy_shear_with_free_links_gets_larger_links_at_a_practical_spacing() {
    // 250 × 600, M25, Fe415, Vu = 400 kN: 2L-8φ would need about 60 mm.
    let out = run(&base(250.0, 600.0, 150.0, 400.0, 25.0, 415.0));
    let st = out.shear.stirrups.expect("stirrups");
    assert!(st.spacing_mm >= 100.0, "{st}");
    assert!(st.dia_mm > 8 || st.legs > 2, "{st}");
    assert_eq!(out.shear.governing, StirrupLimit::Strength);
    assert!(!out.messages.contains(Code::StirrupSpacingTight));
    // The stirrup diameter sets d: D − cover − φst − φ/2 for one layer.
    let bar = f64::from(out.tension.bars.max_dia_mm());
    if out.tension.bars.layers == 1 && out.tension.bars.secondary.is_none() {
        let d = 600.0 - 30.0 - f64::from(st.dia_mm) - bar / 2.0;
        assert!((out.effective_depth_mm - d).abs() < 1e-9);
    }
    assert!(out.capacity.shear_kn >= 400.0);
}

#[test]
fn links_given_by_the_caller_are_kept_and_tight_spacing_is_a_warning() {
    let input = BeamInput {
        stirrup_dia_mm: Some(8.0),
        ..base(250.0, 600.0, 150.0, 400.0, 25.0, 415.0)
    };
    let out = run(&input);
    let st = out.shear.stirrups.expect("stirrups");
    assert_eq!((st.legs, st.dia_mm), (2, 8));
    assert!(st.spacing_mm < 75.0 && st.spacing_mm % 5.0 == 0.0, "{st}");
    assert!(out.messages.contains(Code::StirrupSpacingTight));
    assert_eq!(out.status, Status::Warning);
}

#[test]
fn table_15_adds_bars_in_a_wide_beam_with_little_steel() {
    // 600 wide, Fe500: clear width 524; 2 bars would be ~500 mm apart > 150 (Table 15).
    let out = run(&base(600.0, 500.0, 40.0, 30.0, 25.0, 500.0));
    let bars = out.tension.bars;
    let n = f64::from(bars.count());
    let width: f64 = f64::from(bars.primary.count) * f64::from(bars.primary.dia_mm)
        + bars
            .secondary
            .map_or(0.0, |s| f64::from(s.count) * f64::from(s.dia_mm));
    assert!((524.0 - width) / (n - 1.0) <= 150.0, "{bars}");
    assert_eq!(out.status, Status::Pass, "{:?}", out.messages);
}

#[test]
fn two_layers_lower_d_and_the_steel_is_rechecked_at_the_lower_d() {
    // 230 × 600, M30, Fe415, Mu = 250 kN·m needs about 1400 mm²; with 16 and 20 mm bars only
    // three fit in a layer of 230 mm (clear width 154, gap 25), so five need two layers.
    let input = BeamInput {
        bar_diameters_mm: Some(vec![16.0, 20.0]),
        ..base(230.0, 600.0, 250.0, 100.0, 30.0, 415.0)
    };
    let out = run(&input);
    assert_eq!(out.tension.bars.layers, 2, "{}", out.tension.bars);
    assert!(out.effective_depth_mm < 600.0 - 30.0 - 8.0 - 10.0);
    assert!(out.tension.provided_mm2 >= out.tension.required_mm2);
    assert!(out.capacity.moment_knm >= 250.0);
}

#[test]
fn check_mode_without_stirrups_fails_for_minimum_shear_steel() {
    let input = BeamInput {
        reinforcement: Some(ReinforcementInput {
            tension: vec![BarGroupInput {
                count: 3.0,
                dia_mm: 16.0,
            }],
            compression: vec![],
            stirrups: None,
        }),
        ..base(230.0, 450.0, 60.0, 30.0, 20.0, 415.0)
    };
    let out = run(&input);
    assert!(out.shear.stirrups.is_none());
    assert!(out.messages.contains(Code::NoStirrups));
    assert_eq!(out.status, Status::Fail);
}

#[test]
fn a_cover_below_table_16_is_a_warning_not_an_error() {
    let input = BeamInput {
        cover_mm: Some(25.0),
        ..base(300.0, 500.0, 100.0, 50.0, 25.0, 415.0)
    };
    let out = run(&input);
    assert!(out.messages.contains(Code::CoverBelowTable16));
    assert_eq!(out.status, Status::Warning);
}
