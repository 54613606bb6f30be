//! Worked examples, each with the hand calculation that gives the expected values.
//!
//! **Published examples** (the source is cited at each test, with what it prints and, where
//! the engine's exact arithmetic differs from a rounded printed value, why): 1–6, 14–24 —
//! an NPTEL IIT Kharagpur lesson, exam papers (IOE Tribhuvan University, GATE CE) and exam-style
//! questions with published solutions (testbook, BYJU'S, collegedunia, saranextgen), public
//! design sheets and lecture problems. docs/design-basis.md §6 lists them with what each
//! compares. **Hand-worked examples** (written here, every step in the comment so a reviewer
//! can redo them on paper; no published source): 7–13. The textbooks (SP 16's own examples,
//! Pillai & Menon, Krishna Raju…) were not at hand, so no test claims to reproduce them.
//!
//! Most printed answers use Mu,lim with the rounded lever arm 0.42 xu (or 0.138 fck b d²);
//! the engine uses 0.416 xu (docs/design-basis.md §3), so its Mu,lim is 0.2–0.3 % higher and
//! the tests allow that difference where it shows, stating it.

use beam_design::flexure::{Section, fsc_mpa, mu_lim_nmm, xu_max_mm};
use beam_design::materials::SteelGrade;
use beam_design::shear::ShearSection;
use beam_design::{
    BarGroupInput, Beam, BeamInput, Code, Design, Exposure, Mode, ReinforcementInput, Status,
    StirrupInput, StirrupLimit, design,
};

fn base(b: f64, depth: f64, span: f64, mu: f64, vu: f64, fck: f64, fy: f64) -> BeamInput {
    BeamInput {
        width_mm: b,
        depth_mm: depth,
        span_mm: span,
        mu_knm: mu,
        vu_kn: Some(vu),
        fck_mpa: fck,
        fy_mpa: fy,
        ..BeamInput::default()
    }
}

fn bars(groups: &[(f64, f64)]) -> Vec<BarGroupInput> {
    groups
        .iter()
        .map(|&(count, dia_mm)| BarGroupInput { count, dia_mm })
        .collect()
}

fn run(input: &BeamInput) -> Design {
    design(&Beam::try_from(input).expect("valid beam"))
}

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol
}

/// Example 1 — singly reinforced design, 200 × 600, M20, Fe415, Mu = 123 kN·m, d = 565 mm
/// (clear cover 15 mm). Source: beam design sheet, scribd.com/document/200283290 ("RCC Design
/// Programmed by Others"), which prints Mu/bd² = 1.93, pt = 0.613 % ("Table 2 SP 16"),
/// Ast = 692 mm², xu,max = 270, Mu,lim = 176 kN·m (with xu,max/d = 0.479).
/// Hand: Mu/bd² = 123e6 / (200·565²) = 1.92654; pt = 50·20/415·(1 − √(1 − 4.6·1.92654/20))
/// = 2.40964·(1 − 0.746255) = 0.61143 %; Ast = 0.61143·200·565/100 = 690.9 mm² (the sheet's
/// 692 comes from Mu/bd² rounded up to 1.93).
/// Engine's Mu,lim with 0.48: 0.36·20·200·271.2·(565 − 112.82) = 176.6 kN·m.
#[test]
fn example_1_singly_reinforced_200x600_m20_fe415() {
    let mut input = base(200.0, 600.0, 6000.0, 123.0, 60.0, 20.0, 415.0);
    input.cover_mm = Some(15.0);
    input.effective_depth_mm = Some(565.0);
    let out = run(&input);
    assert_eq!(out.mode, Mode::Design);
    assert!(
        close(out.tension.required_mm2, 690.9, 0.1),
        "{}",
        out.tension.required_mm2
    );
    assert!(close(out.xu_max_mm, 271.2, 0.01));
    assert!(close(out.mu_lim_knm, 176.6, 0.1), "{}", out.mu_lim_knm);
    assert!(!out.doubly_reinforced);
    assert!(out.tension.provided_mm2 >= out.tension.required_mm2);
}

/// Example 1 continued — shear check of the same beam with the bars of the sheet
/// (2-16φ + 4-12φ = 854.5 mm², pt = 0.756 %) and 2L-8φ @ 150, Vu = 200 kN. The sheet prints
/// τv = 1.771, τc = 0.562 (SP 16 Table 61), τc,max = 2.8 and designs 2L-8φ @ 150 c/c.
/// Hand: τv = 200e3/(200·565) = 1.770; τc = 0.56 + 0.06·(0.756 − 0.75)/0.25 = 0.5615;
/// Vu,R = 0.5615·200·565 + 0.87·415·100.53·565/150 = 63.45 + 136.72 = 200.17 kN.
/// Flexure: xu = 361.05·854.5/(0.36·20·200) = 214.3 < 271.2;
/// Mu,R = 361.05·854.5·565·(1 − 854.5·415/(200·565·20)) = 146.95 kN·m.
#[test]
fn example_1_shear_check_with_the_sheet_bars_and_stirrups() {
    let mut input = base(200.0, 600.0, 6000.0, 123.0, 200.0, 20.0, 415.0);
    input.cover_mm = Some(15.0);
    input.effective_depth_mm = Some(565.0);
    input.reinforcement = Some(ReinforcementInput {
        tension: bars(&[(2.0, 16.0), (4.0, 12.0)]),
        compression: vec![],
        stirrups: Some(StirrupInput {
            legs: 2.0,
            dia_mm: 8.0,
            spacing_mm: 150.0,
        }),
    });
    let out = run(&input);
    assert_eq!(out.mode, Mode::Check);
    assert!(close(out.shear.tau_v_mpa, 1.770, 0.001));
    assert!(
        close(out.shear.tau_c_mpa, 0.5615, 0.0005),
        "{}",
        out.shear.tau_c_mpa
    );
    assert_eq!(out.shear.tau_c_max_mpa, 2.8);
    assert!(
        close(out.capacity.shear_kn, 200.17, 0.05),
        "{}",
        out.capacity.shear_kn
    );
    assert!(
        close(out.capacity.moment_knm, 146.95, 0.05),
        "{}",
        out.capacity.moment_knm
    );
    assert!(close(out.xu_mm, 214.3, 0.1));
    assert_eq!(out.tension.bars.to_string(), "2-16φ + 4-12φ");
    assert_eq!(out.shear.stirrups.unwrap().to_string(), "2L-8φ @ 150 c/c");
}

/// Example 2 — 250 × 500, d = 465, M20, Fe415, Mu/bd² = 1.84 (Mu = 99.46 kN·m), 3-20φ,
/// effective span 5.38 m. Source: "Singly reinforced beam excel", scribd.com/document/467752260,
/// printing pt = 0.580, Ast = 674.25 mm², pt,prov = 0.81 %, τc = 0.574, fs = 172.197 N/mm²,
/// kt = 1.4 (read from Fig. 4), (l/d) provided 11.57.
/// Hand: Mu/bd² = 99.46e6/(250·465²) = 1.83992 → pt = 2.40964·(1 − √0.576818) = 0.57955 %,
/// Ast = 673.7 mm² (the sheet rounds pt to 0.580: 674.25); pt,prov = 100·942.48/(250·465)
/// = 0.8107; τc = 0.56 + 0.06·0.0607/0.25 = 0.5746; fs = 0.58·415·673.7/942.48 = 172.07;
/// kt = 1/(0.225 + 0.00322·172.07 − 0.625·log10(1/0.8107)) = 1/0.72214 = 1.385 (chart ≈ 1.4).
#[test]
fn example_2_check_3_20_bars_deflection_and_tau_c() {
    let mut input = base(250.0, 500.0, 5380.0, 99.46, 74.4, 20.0, 415.0);
    input.cover_mm = Some(15.0);
    input.effective_depth_mm = Some(465.0);
    input.reinforcement = Some(ReinforcementInput {
        tension: bars(&[(3.0, 20.0)]),
        compression: vec![],
        stirrups: Some(StirrupInput {
            legs: 2.0,
            dia_mm: 8.0,
            spacing_mm: 300.0,
        }),
    });
    let out = run(&input);
    assert!(
        close(out.tension.required_mm2, 673.7, 0.1),
        "{}",
        out.tension.required_mm2
    );
    assert!(close(out.pt_percent, 0.8107, 0.0005));
    assert!(close(out.shear.tau_c_mpa, 0.5746, 0.0005));
    assert!(close(out.deflection.service_stress_mpa, 172.07, 0.02));
    assert!(
        close(out.deflection.tension_factor, 1.384, 0.002),
        "{}",
        out.deflection.tension_factor
    );
    assert!(close(out.deflection.actual_ratio, 11.57, 0.01));
    assert!(!out.messages.contains(Code::SpanDepthExceeded));
}

/// Example 3 — 300 × 500 section, M20, Fe415, d taken as 500 as in the source: Mu,lim ≈ 207
/// kN·m and Mu = 150 kN·m needs about 958 mm². Source: studiomatrx.org "Design of Beams"
/// lesson (Design of Structures I). Hand: Mu,lim = 0.1383·20·300·500² = 207.5 kN·m;
/// Ast = 0.5·20/415·(1 − √(1 − 4.6·150e6/(20·300·500²)))·300·500 = 0.024096·0.26515·150 000
/// = 958.4 mm².
#[test]
fn example_3_limiting_moment_and_steel_of_a_300x500_section() {
    let s = Section {
        b: 300.0,
        d: 500.0,
        d_prime: 50.0,
        fck: 20.0,
        steel: SteelGrade::Fe415,
    };
    assert!(close(
        mu_lim_nmm(SteelGrade::Fe415, 20.0, 300.0, 500.0) / 1e6,
        207.5,
        0.1
    ));
    assert!(close(s.requirement(150e6).ast_strength, 958.4, 0.2));
}

/// Example 4 — limiting moment of a 200 × 300 (d) M20 Fe415 section: "approximately 50 kN·m".
/// Source: questions.collegedunia.com (GATE-style question), using 0.42 xu; the engine uses
/// 0.416: 0.36·20·200·144·(300 − 59.90) = 49.79 kN·m.
#[test]
fn example_4_limiting_moment_200x300() {
    let m = mu_lim_nmm(SteelGrade::Fe415, 20.0, 200.0, 300.0) / 1e6;
    assert!(close(m, 49.79, 0.01), "{m}");
}

/// Example 5 — moment of resistance of 230 × 500, effective cover 40 (d = 460), 4-16φ, M20,
/// Fe415. Problem: ques10.com/p/33622. Hand: Ast = 804.25; xu = 361.05·804.25/(0.36·20·230)
/// = 175.35 < xu,max = 220.8 (under-reinforced); Mu,R = 361.05·804.25·460·(1 − 804.25·415/
/// (230·460·20)) = 133.57e6·0.84227 = 112.50 kN·m.
#[test]
fn example_5_moment_of_resistance_230x500_4_16() {
    let mut input = base(230.0, 500.0, 5000.0, 100.0, 50.0, 20.0, 415.0);
    input.cover_mm = Some(25.0);
    input.exposure = Some(Exposure::Mild);
    input.stirrup_dia_mm = Some(6.0);
    input.effective_depth_mm = Some(460.0);
    input.reinforcement = Some(ReinforcementInput {
        tension: bars(&[(4.0, 16.0)]),
        compression: vec![],
        stirrups: Some(StirrupInput {
            legs: 2.0,
            dia_mm: 6.0,
            spacing_mm: 200.0,
        }),
    });
    let out = run(&input);
    assert!(close(out.xu_mm, 175.35, 0.01), "{}", out.xu_mm);
    assert!(
        close(out.capacity.moment_knm, 112.50, 0.01),
        "{}",
        out.capacity.moment_knm
    );
    assert!(close(
        out.capacity.flexure_utilization,
        100.0 / 112.50,
        1e-3
    ));
    assert_eq!(out.status, Status::Pass, "{:?}", out.messages);
}

/// Example 6 — vertical stirrups for b = 300, d = 550, service shear 100 kN (Vu = 150 kN),
/// 4-20φ (1257 mm²) to the support, M20, Fe415. Problem: "Design of vertical stirrups for RCC
/// beam" (Parag Pal), sketchup3dconstruction.com. Hand: pt = 100·1256.6/(300·550) = 0.7616;
/// τc = 0.56 + 0.06·0.0116/0.25 = 0.5628; Vus = 150 000 − 0.5628·165 000 = 57 138 N;
/// sv = 361.05·100.53·550/57 138 = 349.4; minimum 361.05·100.53/(0.4·300) = 302.5;
/// 0.75 d = 412.5; 300 mm governs → 2L-8φ @ 300 c/c.
#[test]
fn example_6_stirrups_300x550_vu_150() {
    let pt = 100.0 * 4.0 * std::f64::consts::PI * 100.0 / (300.0 * 550.0);
    let s = ShearSection::new(300.0, 550.0, 20.0, SteelGrade::Fe415, pt);
    let st = s.design_stirrups(150e3, 2, 8);
    assert!(close(s.tau_c(), 0.5628, 0.0005));
    assert!(close(s.vus(150e3), 57_138.0, 30.0));
    assert_eq!(st.spec.to_string(), "2L-8φ @ 300 c/c");
    assert_eq!(st.governing, StirrupLimit::Max300);
}

/// Example 7 (hand-worked) — doubly reinforced: 250 × 500, d = 450, d' = 50, M20, Fe415,
/// Mu = 220 kN·m. xu,max = 216; Mu,lim = 0.36·20·250·216·(450 − 89.856) = 140.02 kN·m < Mu.
/// εsc = 0.0035·(1 − 50/216) = 0.0026898, between Table A points (0.0024141, 342.83) and
/// (0.0027593, 351.85): fsc = 350.03; fsc − 0.446·20 = 341.11.
/// Asc = (220 − 140.02)e6 / (341.11·400) = 586.1 mm²;
/// Ast = 0.36·20·250·216/361.05 + 586.1·341.11/361.05 = 1076.9 + 553.8 = 1630.6 mm².
#[test]
fn example_7_doubly_reinforced_design() {
    let mut input = base(250.0, 500.0, 5000.0, 220.0, 120.0, 20.0, 415.0);
    input.effective_depth_mm = Some(450.0);
    input.compression_depth_mm = Some(50.0);
    let out = run(&input);
    assert!(out.doubly_reinforced);
    assert!(close(out.mu_lim_knm, 140.02, 0.01));
    let c = out.compression.expect("compression steel");
    assert!(close(c.required_mm2, 586.1, 0.2), "{}", c.required_mm2);
    assert!(
        close(out.tension.required_mm2, 1630.6, 0.2),
        "{}",
        out.tension.required_mm2
    );
    assert!(
        c.provided_mm2 >= c.required_mm2 && out.tension.provided_mm2 >= out.tension.required_mm2
    );
    assert_eq!(out.status, Status::Warning);
    assert!(out.messages.contains(Code::CompressionSteelRequired));
    assert!(out.capacity.moment_knm >= 220.0);
}

/// Example 8 (hand-worked) — minimum steel: 300 × 600, M25, Fe500, Mu = 30 kN·m. With 12 mm
/// bars d = 600 − 30 − 8 − 6 = 556; strength needs 4.6·30e6/(25·300·556²) = 0.0595 →
/// Ast = 0.5·25/500·(1 − √0.9405)·300·556 = 126.0 mm², below 0.85·300·556/500 = 283.6 mm².
/// Bars: 2-12φ = 226 is short; 3-12φ = 339.3 mm² (clear spacing (224 − 36)/2 = 94 ≤ 150 of
/// Table 15).
#[test]
fn example_8_minimum_steel_governs() {
    let out = run(&base(300.0, 600.0, 6000.0, 30.0, 40.0, 25.0, 500.0));
    assert!(close(out.effective_depth_mm, 556.0, 1e-9));
    assert!(close(out.tension.min_mm2, 283.56, 0.01));
    assert!(close(out.tension.required_mm2, 283.56, 0.01));
    assert_eq!(out.tension.bars.to_string(), "3-12φ");
    assert!(out.messages.contains(Code::MinTensionSteelGoverns));
    assert!(out.messages.contains(Code::MinShearSteelGoverns));
    assert_eq!(out.status, Status::Pass);
}

/// Example 9 (hand-worked) — shear failure: 230 × 450, M20, Fe415, Mu = 50, Vu = 300 kN.
/// d ≤ 450 − 38 − 6 = 406, so τv ≥ 300e3/(230·406) = 3.21 > τc,max = 2.8 (Table 20): FAIL.
#[test]
fn example_9_shear_exceeds_tau_c_max() {
    let out = run(&base(230.0, 450.0, 4000.0, 50.0, 300.0, 20.0, 415.0));
    assert!(out.shear.tau_v_mpa > 3.2);
    assert_eq!(out.status, Status::Fail);
    assert!(out.messages.contains(Code::ShearExceedsTcMax));
    assert!(out.capacity.shear_utilization > 1.0);
}

/// Example 10 (hand-worked) — deflection: 230 × 300 simply supported over 8 m, M20, Fe415,
/// Mu = 40 kN·m. d ≈ 300 − 38 − 8 = 254 so L/d ≈ 31.5, while 20 × kt with kt ≈ 1.1 at
/// fs ≈ 210 N/mm² and pt ≈ 1 % allows about 22: FAIL (cl. 23.2.1).
#[test]
fn example_10_span_depth_exceeded() {
    let out = run(&base(230.0, 300.0, 8000.0, 40.0, 20.0, 20.0, 415.0));
    let f = out.deflection;
    assert!(close(f.actual_ratio, 8000.0 / out.effective_depth_mm, 1e-9));
    assert!(close(
        f.allowable_ratio,
        20.0 * f.tension_factor * f.compression_factor,
        1e-9
    ));
    assert!(f.actual_ratio > 30.0 && f.allowable_ratio < 25.0, "{f:?}");
    assert!(out.messages.contains(Code::SpanDepthExceeded));
    assert_eq!(out.status, Status::Fail);
}

/// Example 11 (hand-worked) — over-reinforced check: 250 × 500, d = 445, 4-25φ (1963.5 mm²),
/// M20, Fe415. xu = 361.05·1963.5/(0.36·20·250) = 393.8 > xu,max = 0.48·445 = 213.6, so the
/// capacity is taken at xu,max: 0.36·20·250·213.6·(445 − 88.858) = 136.93 kN·m; WARNING.
#[test]
fn example_11_over_reinforced_check() {
    let mut input = base(250.0, 500.0, 5000.0, 120.0, 100.0, 20.0, 415.0);
    input.effective_depth_mm = Some(445.0);
    input.reinforcement = Some(ReinforcementInput {
        tension: bars(&[(4.0, 25.0)]),
        compression: vec![],
        stirrups: Some(StirrupInput {
            legs: 2.0,
            dia_mm: 8.0,
            spacing_mm: 150.0,
        }),
    });
    let out = run(&input);
    assert!(close(out.xu_mm, 393.84, 0.01), "{}", out.xu_mm);
    assert!(
        close(out.capacity.moment_knm, 136.93, 0.01),
        "{}",
        out.capacity.moment_knm
    );
    assert!(out.messages.contains(Code::OverReinforced));
    assert_eq!(out.status, Status::Warning, "{:?}", out.messages);
}

/// Example 12 (hand-worked) — doubly reinforced check by strain compatibility: 300 × 600,
/// d = 540, d' = 50, 3-25φ tension (1472.6), 2-16φ compression (402.1), M25, Fe500.
/// T = 0.87·500·1472.6 = 640 590 N. Trial xu = 178.95: εsc = 0.0035·(178.95 − 50)/178.95
/// = 0.002522, between (0.0022565, 391.30) and (0.0027652, 413.04): fsc = 402.65;
/// Cc = 0.36·25·300·178.95 = 483 158; Cs = 402.1·(402.65 − 11.15) = 157 432; Cc + Cs = T ✓.
/// Mu,R = 483 158·(540 − 74.44) + 157 432·490 = 224.94 + 77.14 = 302.08 kN·m.
#[test]
fn example_12_doubly_reinforced_check_by_strain_compatibility() {
    let mut input = base(300.0, 600.0, 6000.0, 280.0, 150.0, 25.0, 500.0);
    input.effective_depth_mm = Some(540.0);
    input.compression_depth_mm = Some(50.0);
    input.reinforcement = Some(ReinforcementInput {
        tension: bars(&[(3.0, 25.0)]),
        compression: bars(&[(2.0, 16.0)]),
        stirrups: Some(StirrupInput {
            legs: 2.0,
            dia_mm: 8.0,
            spacing_mm: 200.0,
        }),
    });
    let out = run(&input);
    assert!(close(out.xu_mm, 178.95, 0.01), "{}", out.xu_mm);
    assert!(
        close(out.capacity.moment_knm, 302.08, 0.02),
        "{}",
        out.capacity.moment_knm
    );
    assert!(out.doubly_reinforced);
    assert_eq!(
        out.compression.map(|c| c.bars.to_string()).as_deref(),
        Some("2-16φ")
    );
}

/// Example 13 (hand-worked) — development length (cl. 26.2.1): 16 mm Fe250 plain bar in M20,
/// τbd = 1.2: Ld = 16·217.5/(4·1.2) = 725 mm; Fe415 deformed: τbd = 1.92, Ld = 752.2 (47 φ);
/// Fe500 in M25 compression: τbd = 1.4·1.6·1.25 = 2.8, Ld(20 mm) = 20·435/(4·2.8) = 776.8.
#[test]
fn example_13_development_lengths() {
    use beam_design::anchorage::development_length_mm as ld;
    use beam_design::materials::ConcreteGrade;
    let (m20, m25) = (
        ConcreteGrade::from_fck(20.0).unwrap(),
        ConcreteGrade::from_fck(25.0).unwrap(),
    );
    assert!(close(ld(16, m20, SteelGrade::Fe250, false), 725.0, 1e-9));
    assert!(close(ld(16, m20, SteelGrade::Fe415, false), 752.19, 0.01));
    assert!(close(ld(20, m25, SteelGrade::Fe500, true), 776.79, 0.01));
}

/// Example 14 — 250 × 500, effective cover 40 (d = 460), M20, Fe415, clear span 5.6 m,
/// characteristic dead 12 + live 9 kN/m. Problem: IOE (Tribhuvan University) BCE "Design of RCC
/// Structures" 2076 regular, question 1, as published at kekkei.com, whose worked answer takes
/// L = 5.6 + 0.46 = 6.06 m, wu = 1.5 × 21 = 31.5 kN/m, Mu = 31.5 × 6.06²/8 = 144.6 kN·m and
/// Mu,lim = 0.138 fck b d² (≈ 146 kN·m) > Mu: singly reinforced.
/// Hand (engine constants): Mu,lim = 0.36·20·250·220.8·(460 − 91.85) = 146.31 kN·m;
/// 4.6·144.6e6/(20·250·460²) = 0.62866 → Ast = 0.024096·(1 − √0.37134)·115 000 = 1082.5 mm².
#[test]
fn example_14_ioe_exam_singly_reinforced_250x500() {
    let mu = 31.5 * 6.06 * 6.06 / 8.0;
    assert!(close(mu, 144.6, 0.05));
    let mut input = base(250.0, 500.0, 6060.0, mu, 95.4, 20.0, 415.0);
    input.cover_mm = Some(25.0);
    input.effective_depth_mm = Some(460.0);
    let out = run(&input);
    assert!(close(out.mu_lim_knm, 146.31, 0.01), "{}", out.mu_lim_knm);
    assert!(!out.doubly_reinforced);
    assert!(
        close(out.tension.required_mm2, 1082.5, 0.3),
        "{}",
        out.tension.required_mm2
    );
    assert!(out.capacity.moment_knm >= mu);
}

/// Example 15 — shear design, b = 250, d = 450, 2-25 + 2-20 (1609 mm², pt = 1.43 %), M20,
/// Fe415, Vu = 250 kN. Source: NPTEL "Design of Reinforced Concrete Structures" (IIT Kharagpur,
/// Version 2 CE), Module 6, Lesson 14, Problem 1, which prints τc = 0.706, τv = 2.22,
/// τc,max = 2.8, Vus = 170.575 kN, sv = 95.25 mm for 2L-8φ and 149.54 mm for 2L-10φ (with the
/// bar areas rounded to 50 and 78.5 mm²).
/// Hand: τc = 0.67 + 0.05·(1.43 − 1.25)/0.25 = 0.706; Vus = 250 − 0.706·250·450/1e3 = 170.575;
/// with the exact areas sv = 361.05·100.53·450/170 575 = 95.75 (2L-8φ) and
/// 361.05·157.08·450/170 575 = 149.61 (2L-10φ), which the engine rounds down to 75 and 125 mm.
#[test]
fn example_15_nptel_shear_problem() {
    let s = ShearSection::new(250.0, 450.0, 20.0, SteelGrade::Fe415, 1.43);
    assert!(close(s.tau_c(), 0.706, 1e-9));
    assert!(close(s.tau_v(250e3), 2.222, 0.001));
    assert_eq!(s.tau_c_max(), 2.8);
    assert!(close(s.vus(250e3), 170_575.0, 0.5));
    let eight = s.design_stirrups(250e3, 2, 8);
    assert!(
        close(eight.raw_spacing, 95.75, 0.01),
        "{}",
        eight.raw_spacing
    );
    assert_eq!(eight.spec.to_string(), "2L-8φ @ 75 c/c");
    let ten = s.design_stirrups(250e3, 2, 10);
    assert!(close(ten.raw_spacing, 149.61, 0.01), "{}", ten.raw_spacing);
    assert_eq!(ten.spec.to_string(), "2L-10φ @ 125 c/c");
    assert_eq!(ten.governing, StirrupLimit::Strength);
}

/// Example 16 — minimum shear steel: b = 230, d = 450, 4-12φ, M20, Fe500 links at 375 mm,
/// Vu = 45 kN; "the diameter of two-legged stirrups should be (A) 8 (B) 10 (C) 12 (D) 16".
/// Problem: saranextgen.com homework help (GATE-style question, answer 8 mm). Hand: pt =
/// 100·452.4/(230·450) = 0.437 %, τc = 0.36 + 0.12·0.187/0.25 = 0.450 > τv = 45e3/103 500 =
/// 0.435, so minimum steel: Asv ≥ 0.4·230·375/(0.87·415) = 95.55 mm² (fy taken ≤ 415) → 2-8φ
/// (100.5 mm²) suffices, 2-6φ (56.5) does not.
#[test]
fn example_16_minimum_links_pick_8_mm() {
    let pt = 100.0 * 4.0 * std::f64::consts::PI * 36.0 / (230.0 * 450.0);
    let s = ShearSection::new(230.0, 450.0, 20.0, SteelGrade::Fe500, pt);
    assert!(close(pt, 0.437, 0.001));
    assert!(s.tau_v(45e3) < s.tau_c());
    let needed = s.min_asv_per_mm() * 375.0;
    assert!(close(needed, 95.55, 0.01), "{needed}");
    let area = |dia: u8| 2.0 * beam_design::bar_area_mm2(dia);
    assert!(area(8) >= needed && area(6) < needed);
}

/// Example 17 — doubly reinforced check (analysis type), Fe250. Source: GATE CE 2010, the
/// linked pair of 2-mark questions "A doubly reinforced rectangular concrete beam has a width of
/// 300 mm and an effective depth of 500 mm … 2200 mm² of steel in tension and 628 mm² … in
/// compression … effective cover for compression steel is 50 mm. Assume that both tension and
/// compression steel yield … M20 and Fe250 … stress block parameters (rounded off to first two
/// decimal places) as per IS 456:2000", as printed at questions.examside.com
/// (past-years/gate/question/a-doubly-reinforced-rectangular-concrete-beam-has-a-width-of-2010-
/// marks-2-xoetbkfkuaglbxru.htm). Printed options: xu 205.30 / 184.56 / **160.91** / 145.30 mm and
/// Mu,R 206.00 / **209.20** / 237.80 / 251.90 kN·m; with the rounded parameters (0.36 fck,
/// 0.42 xu, fsc = 0.87 fy − 0.45 fck) xu = (478 500 − 628·208.5)/2160 = 160.91 and Mu,R =
/// 2160·160.91·(500 − 0.42·160.91) + 628·208.5·450 = 150.29 + 58.92 = 209.21 kN·m: options C
/// and B.
/// Hand (engine constants): T = 0.87·250·2200 = 478 500 N; the compression steel yields
/// (εsc = 0.0035·(160.92 − 50)/160.92 = 0.00241 > 217.39/200 000 = 0.00109), so fsc = fy/1.15
/// = 217.39 and Cs = 628·(217.39 − 0.446·20) = 130 919 N; xu = (478 500 − 130 919)/2160
/// = 160.917 mm < xu,max = 0.53·500 = 265; Mu,R = 347 581·(500 − 0.416·160.917) + 130 919·450
/// = 150.52 + 58.91 = 209.44 kN·m. The 0.24 kN·m above the printed 209.20 is the lever arm
/// 0.416 xu instead of the rounded 0.42 xu (+0.22) and fy/1.15 instead of 0.87 fy (−0.03).
#[test]
fn example_17_gate_2010_doubly_reinforced_check_fe250() {
    let s = Section {
        b: 300.0,
        d: 500.0,
        d_prime: 50.0,
        fck: 20.0,
        steel: SteelGrade::Fe250,
    };
    let (m, xu) = s.resistance(2200.0, 628.0);
    assert!(close(xu, 160.91, 0.01), "{xu}");
    assert!(close(xu, 160.917, 0.001), "{xu}");
    assert!(xu < xu_max_mm(SteelGrade::Fe250, 500.0));
    assert!(close(m / 1e6, 209.44, 0.01), "{}", m / 1e6);
    assert!(close(m / 1e6, 209.20, 0.3), "{}", m / 1e6);
}

/// Example 18 — doubly reinforced design: b = 300, d = 500, d' = 50, M20, Fe415,
/// Mu = 320 kN·m. Problem: IOE (Tribhuvan University) BCE "Design of RCC Structures" 2080
/// regular, question 1, with the worked answer published at kekkei.com
/// (browse/be-civil-ioe-_none-bce-design-of-rcc-structures-2080-regular-set), which prints
/// xu,max = 240 mm, Mu,lim = 206.9 kN·m (with 0.42 xu) < Mu so compression steel is required,
/// Ast1 = 1435 mm² and Mu2 = 113.1 kN·m (the copy read ends before its Asc).
/// Hand (engine constants): Mu,lim = 0.36·20·300·240·(500 − 0.416·240) = 518 400·400.16
/// = 207.44 kN·m (the printed 206.9 uses 0.42: 518 400·399.2); Ast,lim = 518 400/361.05
/// = 1435.8 mm² (the lever-arm constant cancels, so the printed 1435 agrees);
/// Mu − Mu,lim = 112.56 kN·m (printed 113.1 with its Mu,lim); εsc = 0.0035·(1 − 50/240)
/// = 0.0027708, between Table A points (0.0027593, 351.85) and (0.0038043, 360.87):
/// fsc = 351.95; Asc = 112.557e6/((351.95 − 8.92)·450) = 729.2 mm²;
/// Ast = 1435.8 + 729.2·343.03/361.05 = 2128.6 mm².
#[test]
fn example_18_ioe_2080_doubly_reinforced_design() {
    let mut input = base(300.0, 550.0, 6000.0, 320.0, 150.0, 20.0, 415.0);
    input.effective_depth_mm = Some(500.0);
    input.compression_depth_mm = Some(50.0);
    let out = run(&input);
    assert_eq!(out.mode, Mode::Design);
    assert!(close(out.xu_max_mm, 240.0, 1e-9));
    assert!(close(out.mu_lim_knm, 207.44, 0.01), "{}", out.mu_lim_knm);
    assert!(close(out.mu_lim_knm, 206.9, 0.6));
    assert!(out.doubly_reinforced);
    let s = Section {
        b: 300.0,
        d: 500.0,
        d_prime: 50.0,
        fck: 20.0,
        steel: SteelGrade::Fe415,
    };
    let ast_lim = 0.36 * 20.0 * 300.0 * s.requirement(320e6).xu_max / (0.87 * 415.0);
    assert!(close(ast_lim, 1435.0, 1.0), "{ast_lim}");
    assert!(close(fsc_mpa(SteelGrade::Fe415, 50.0, 240.0), 351.95, 0.01));
    let c = out.compression.expect("compression steel");
    assert!(close(c.required_mm2, 729.2, 0.1), "{}", c.required_mm2);
    assert!(
        close(out.tension.required_mm2, 2128.6, 0.1),
        "{}",
        out.tension.required_mm2
    );
    assert!(c.provided_mm2 >= c.required_mm2);
    assert!(out.tension.provided_mm2 >= out.tension.required_mm2);
    assert!(
        out.xu_mm <= out.xu_max_mm + 1e-6,
        "{} {}",
        out.xu_mm,
        out.xu_max_mm
    );
    assert!(out.capacity.moment_knm >= 320.0);
    assert_eq!(out.status, Status::Warning, "{:?}", out.messages);
    assert!(out.messages.contains(Code::CompressionSteelRequired));
    assert!(!out.messages.contains(Code::OverReinforced));
}

/// Example 19 — doubly reinforced design: 250 × 500, effective cover 40 mm both faces
/// (d = 460, d' = 40), M20, Fe415, simply supported over 6 m with 25 kN/m superimposed plus
/// self weight. Source: "Doubly Reinforced Practice Problems", Q.2, scribd.com/document/682540679,
/// which prints w = 25 + 3.125 = 28.125 kN/m (its "25 × 0.2 × 0.5" is a misprint for
/// 25 × 0.25 × 0.5 = 3.125), Mu = 189.84 kN·m, xu,max = 0.48 d = 220.8, Mu,lim = 145.96 kN·m
/// (with 0.42 xu) and Ast2 = (189.84 − 145.96)e6/(0.87 fy (d − d')) = 289.36 mm².
/// Hand: Mu = 1.5·28.125·6²/8 = 189.84; Mu,lim = 0.36·20·250·220.8·(460 − 0.416·220.8)
/// = 146.32 kN·m; Ast2 = (189.84 − 146.32)e6/(361.05·420) = 287.04 mm² — lower than the
/// printed 289.36 by exactly the Mu,lim difference 0.357e6/151 641 = 2.35 mm²;
/// εsc = 0.0035·(1 − 40/220.8) = 0.0028659 → fsc = 352.77; Asc = 43.53e6/((352.77 − 8.92)·420)
/// = 301.4 mm²; Ast = 397 440/361.05 + 287.04 = 1100.8 + 287.0 = 1387.8 mm².
#[test]
fn example_19_practice_problem_doubly_reinforced_250x500() {
    let mu = 1.5 * (25.0 + 25.0 * 0.25 * 0.5) * 6.0 * 6.0 / 8.0;
    assert!(close(mu, 189.84, 0.005));
    let s = Section {
        b: 250.0,
        d: 460.0,
        d_prime: 40.0,
        fck: 20.0,
        steel: SteelGrade::Fe415,
    };
    let r = s.requirement(mu * 1e6);
    assert!(close(r.xu_max, 220.8, 1e-9));
    assert!(r.doubly && r.d_prime_ok);
    assert!(close(r.mu_lim / 1e6, 146.32, 0.01), "{}", r.mu_lim / 1e6);
    let ast_lim = 0.36 * 20.0 * 250.0 * r.xu_max / (0.87 * 415.0);
    let ast2 = r.ast_strength - ast_lim;
    assert!(close(ast2, 287.04, 0.01), "{ast2}");
    // The printed 289.36 is the same steel for the source's Mu,lim of 145.96 kN·m (0.03 mm²
    // more here because Mu = 189.844 is not rounded to 189.84).
    let lever = 0.87 * 415.0 * (460.0 - 40.0);
    assert!(close(ast2 + (r.mu_lim - 145.96e6) / lever, 289.36, 0.05));
    assert!(close(r.asc_req, 301.4, 0.1), "{}", r.asc_req);
    assert!(close(r.ast_strength, 1387.8, 0.1), "{}", r.ast_strength);
}

/// Example 20 — compression steel by strain compatibility: 300 × 550, cover 40 (d = 510,
/// d' = 40), 6-25φ tension, 4-20φ compression, M25, Fe415. Source: "Doubly Reinforced Practice
/// Problems", Q.1, scribd.com/document/682540679, which prints xu,max = 0.48·510 = 244.8,
/// Ast,lim = 1.19 %·300·510/100 = 1820.7 mm² (SP 16 Table E), fsc = 351.8 + (360.9 − 351.8)
/// (0.002926 − 0.002760)/(0.00380 − 0.00276) = 353.25 N/mm² and the compression steel that
/// balances the rest of the 6-25φ at xu,max, Asc = 1124.52·(0.87·415)/(353.25 − 0.446·25)
/// = 1186.81 mm². (Its final moment of resistance is not legible in the copy read, so it is
/// not compared.)
/// Hand (engine): εsc = 0.0035·(1 − 40/244.8) = 0.0029281 (the source rounds to 0.002926),
/// fsc = 351.85 + 9.02·(0.0029281 − 0.0027593)/0.0010450 = 353.31 (printed 353.25);
/// Ast,lim = 0.36·25·300·244.8/361.05 = 1830.7 mm² (pt,lim = 1.197 % with xu,max/d = 0.48;
/// Table E's 1.19 uses 0.479), so the steel to balance 6-25φ (2945.2 mm²) is
/// (2945.2 − 1830.7)·361.05/(353.31 − 11.15) = 1176.1 mm²; with the source's Ast,lim the same
/// expression gives 1124.5·361.05/342.16 = 1186.7 (printed 1186.81 with fsc = 353.25).
/// 4-20φ = 1256.6 ≥ 1176.1, so the section is under-reinforced: strain compatibility gives
/// xu = 234.70 (εsc = 0.0029035, fsc = 353.09; 0.36·25·300·234.70 + 1256.6·(353.09 − 11.15)
/// = 633 690 + 429 690 = 0.87·415·2945.2) and Mu,R = 633 690·(510 − 0.416·234.70)
/// + 429 690·470 = 261.31 + 201.95 = 463.27 kN·m.
#[test]
fn example_20_practice_problem_compression_steel_by_strain() {
    let s = Section {
        b: 300.0,
        d: 510.0,
        d_prime: 40.0,
        fck: 25.0,
        steel: SteelGrade::Fe415,
    };
    let xu_max = xu_max_mm(SteelGrade::Fe415, 510.0);
    assert!(close(xu_max, 244.8, 1e-9));
    let fsc = fsc_mpa(SteelGrade::Fe415, 40.0, xu_max);
    assert!(close(fsc, 353.31, 0.01), "{fsc}");
    assert!(close(fsc, 353.25, 0.1));
    let ast = 6.0 * beam_design::bar_area_mm2(25);
    let asc = 4.0 * beam_design::bar_area_mm2(20);
    let balance = s.asc_to_balance(ast);
    assert!(close(balance, 1176.1, 0.1), "{balance}");
    let ast_lim = 0.36 * 25.0 * 300.0 * xu_max / (0.87 * 415.0);
    let with_table_e = balance * (ast - 1820.7) / (ast - ast_lim);
    assert!(close(with_table_e, 1186.81, 0.2), "{with_table_e}");
    let (m, xu) = s.resistance(ast, asc);
    assert!(close(xu, 234.70, 0.01), "{xu}");
    assert!(xu < xu_max);
    assert!(close(m / 1e6, 463.27, 0.01), "{}", m / 1e6);
}

/// Example 21 — minimum tension steel (cl. 26.5.1.1 a): b = 230, d = 450, Fe415. Source:
/// testbook.com question "Minimum tension steel area for RCC beam (b=230 mm, d=450 mm, Fe415)"
/// (question-answer/minimum-tension-steel-area-for-rcc-beam-b230-mm--6980a4ef7a5ff3ff469fa82f),
/// printed answer 0.85·230·450/415 = 211.98 ≈ 212 mm².
/// Here the beam (D = 500, M20) carries Mu = 20 kN·m, whose strength steel is less:
/// 4.6·20e6/(20·230·450²) = 0.098765 → Ast = 0.024096·(1 − √0.901235)·103 500 = 126.4 mm²
/// < 212, so the minimum governs; 2-12φ = 226.2 mm² (clear spacing 230 − 2·38 − 24 = 130
/// ≤ 180 of Table 15).
#[test]
fn example_21_testbook_minimum_tension_steel() {
    let mut input = base(230.0, 500.0, 5000.0, 20.0, 30.0, 20.0, 415.0);
    input.effective_depth_mm = Some(450.0);
    let out = run(&input);
    assert!(
        close(out.tension.min_mm2, 211.98, 0.01),
        "{}",
        out.tension.min_mm2
    );
    assert!(close(out.tension.required_mm2, 211.98, 0.01));
    let m = out
        .messages
        .iter()
        .find(|m| m.code == Code::MinTensionSteelGoverns)
        .expect("minimum governs");
    assert!(close(m.value, 126.4, 0.05), "{}", m.value);
    assert_eq!(out.tension.bars.to_string(), "2-12φ");
    assert!(out.tension.provided_mm2 >= 211.98);
    assert_eq!(out.status, Status::Pass, "{:?}", out.messages);
}

/// Example 22 — shear failure (τv > τc,max) in a section that also needs compression steel:
/// b = 230, d = 300, service BM 120 kN·m and SF 270 kN, M30, Fe415, "τcmax = 3.5 MPa".
/// Source: question and solution at byjus.com (question-answer/a-rectangular-beam-of-width-230-
/// mm-and-effective-depth-300-mm-is-proposed-to), answer (D) "doubly reinforced … but unsafe
/// from shear": Mu = 1.5·120 = 180 kN·m, Vu = 1.5·270 = 405 kN, τv = 405e3/(230·300)
/// = 5.86 exceeds 3.5, Mu,lim = 0.36·30·230·144·(300 − 0.42·144) = 85.67 kN·m < Mu.
/// Hand (engine): τv = 5.870 N/mm² > τc,max = 3.5 (Table 20, M30): SHEAR_EXCEEDS_TC_MAX, FAIL;
/// Mu,lim = 357 696·(300 − 0.416·144) = 85.88 kN·m (0.416 instead of 0.42) < 180: doubly.
/// The resistance never counts more than τc,max b d = 3.5·230·300 = 241.5 kN.
/// Regression: before the fix in `design_flexure` this beam's design came out with its
/// compression bars in two layers (d' = 58) that no longer balanced its tension bars at
/// xu,max, and design mode reported its own design OVER_REINFORCED.
#[test]
fn example_22_byjus_shear_failure_and_doubly() {
    let mut input = base(230.0, 350.0, 5000.0, 1.5 * 120.0, 1.5 * 270.0, 30.0, 415.0);
    input.effective_depth_mm = Some(300.0);
    let out = run(&input);
    assert!(
        close(out.shear.tau_v_mpa, 5.870, 0.001),
        "{}",
        out.shear.tau_v_mpa
    );
    assert!(close(out.shear.tau_v_mpa, 5.86, 0.01));
    assert_eq!(out.shear.tau_c_max_mpa, 3.5);
    assert!(out.messages.contains(Code::ShearExceedsTcMax));
    assert_eq!(out.status, Status::Fail);
    assert!(
        close(out.capacity.shear_kn, 241.5, 1e-9),
        "{}",
        out.capacity.shear_kn
    );
    assert!(close(out.mu_lim_knm, 85.88, 0.01), "{}", out.mu_lim_knm);
    assert!(close(out.mu_lim_knm, 85.67, 0.25));
    assert!(out.doubly_reinforced);
    assert!(out.messages.contains(Code::CompressionSteelRequired));
    assert!(
        !out.messages.contains(Code::OverReinforced),
        "{:?}",
        out.messages
    );
    assert!(
        out.xu_mm <= out.xu_max_mm + 1e-6,
        "{} {}",
        out.xu_mm,
        out.xu_max_mm
    );
}

/// Example 23 — shear design, M25, Fe500: 300 × 400, d = 400 − 25 − 8 − 10 = 357, simply
/// supported over 4.5 m with 65 kN/m live load plus self weight, 4-20φ tension. Source:
/// "Design Shear Reinforcement 06-07-2023", scribd.com/document/660311677, which prints
/// Vu = 1.5·(65 + 3)·4.5/2 = 229.5 kN, τv = 2.14 N/mm², pt = 1.17 %, τc = 0.68 N/mm²
/// (Table 19), τc,max = 3.1 N/mm² (Table 20), τc b d = 72.83 kN and Vus = 229.5 − 72.83
/// = 156.67 kN (the copy read ends before its spacing).
/// Hand: τv = 229 500/(300·357) = 2.1429; pt = 100·1256.6/107 100 = 1.1733;
/// τc = 0.64 + 0.06·(1.1733 − 1.00)/0.25 = 0.6816 (printed 0.68, rounded before use);
/// Vus = 229 500 − 0.6816·107 100 = 156 501 N (printed 156.67 kN from τc = 0.68).
/// Stirrups (fy taken ≤ 415, cl. 40.4): 2L-8φ at 361.05·100.53·357/156 501 = 82.80 mm,
/// rounded down to 75 c/c, set by strength.
#[test]
fn example_23_scribd_shear_design_m25_fe500() {
    let vu = 1.5 * (65.0 + 25.0 * 0.3 * 0.4) * 4.5 / 2.0;
    assert!(close(vu, 229.5, 1e-9));
    let pt = 100.0 * 4.0 * beam_design::bar_area_mm2(20) / (300.0 * 357.0);
    assert!(close(pt, 1.17, 0.005), "{pt}");
    let s = ShearSection::new(300.0, 357.0, 25.0, SteelGrade::Fe500, pt);
    assert!(close(s.tau_v(vu * 1e3), 2.14, 0.005));
    assert!(close(s.tau_c(), 0.6816, 0.0001), "{}", s.tau_c());
    assert!(close(s.tau_c(), 0.68, 0.005));
    assert_eq!(s.tau_c_max(), 3.1);
    assert!(close(s.vus(vu * 1e3) / 1e3, 156.50, 0.01));
    assert!(close(s.vus(vu * 1e3) / 1e3, 156.67, 0.2));
    let st = s.design_stirrups(vu * 1e3, 2, 8);
    assert!(close(st.raw_spacing, 82.80, 0.01), "{}", st.raw_spacing);
    assert_eq!(st.spec.to_string(), "2L-8φ @ 75 c/c");
    assert_eq!(st.governing, StirrupLimit::Strength);
}

/// Example 24 — cantilever: flexure, shear and the span/d check (basic ratio 7). Source:
/// "Design of Cantilever Beam" sheet, scribd.com/document/359309696 (70874932-Cantilever-Beam):
/// b = 230, D = 450, effective span 2.30 m, M20, Fe415, d = 450 − 25 − 16/2 = 417, factored
/// Mu = 66.51 kN·m and Vu = 57.83 kN; it prints Mu/bd² = 1.66, pt = 0.516 % (SP 16 Table 2),
/// Ast,req = 494.7 mm², 2-16 + 2-12 provided (628 mm², pt = 0.65 %), τv = 0.603,
/// τc = 0.53 N/mm², τc b d = 51.00 kN, (Vu − τc b d)/d = 0.164 kN/cm (stirrups only nominal),
/// and for deflection: basic ratio 7 (cantilever), fs = 0.58 fy Ast,req/Ast,prov = 189.6 N/mm²,
/// "modification factor = 1.321", effective depth required 2300/(7·1.321) = 248.7 mm < 417:
/// "safe in deflection".
/// Hand: Mu/bd² = 66.51e6/(230·417²) = 1.66298 → pt = 2.40964·(1 − √(1 − 0.23·1.66298))
/// = 0.51612 %, Ast = 495.0 mm² (printed 494.7 from pt = 0.516); pt,prov = 100·628.32/95 910
/// = 0.6551; τv = 57 830/95 910 = 0.6030; τc = 0.48 + 0.08·0.1551/0.25 = 0.5296 (printed 0.53;
/// the sheet multiplies 0.532, hence its 51.00 kN against 50.80 here and Vus 7.03 kN against
/// its 6.83); fs = 0.58·415·495.0/628.32 = 189.62 (printed 189.6);
/// kt = 1/(0.225 + 0.00322·189.62 − 0.625·log10(1/0.6551)) = 1/0.72079 = 1.3874. The sheet's
/// 1.321 is its own reading of Fig. 4 (the method is not shown), 5 % below the curve fit the
/// engine uses (which matched the chart reading of example 2 to 1 %); both verdicts agree:
/// allowable L/d = 7·1.3874 = 9.71 > 2300/417 = 5.52 (d required 236.8 mm, the sheet 248.7).
#[test]
fn example_24_cantilever_sheet_flexure_shear_deflection() {
    use beam_design::Support;
    use beam_design::flexure::ast_singly_mm2;
    use beam_design::serviceability::deflection;
    let ast_req = ast_singly_mm2(66.51e6, 20.0, 415.0, 230.0, 417.0);
    assert!(close(ast_req, 495.0, 0.05), "{ast_req}");
    assert!(close(ast_req, 494.7, 0.5));
    let prov = 2.0 * beam_design::bar_area_mm2(16) + 2.0 * beam_design::bar_area_mm2(12);
    let pt = 100.0 * prov / (230.0 * 417.0);
    assert!(close(pt, 0.65, 0.01), "{pt}");
    let s = ShearSection::new(230.0, 417.0, 20.0, SteelGrade::Fe415, pt);
    assert!(close(s.tau_v(57.83e3), 0.603, 0.0005));
    assert!(close(s.tau_c(), 0.5296, 0.0001), "{}", s.tau_c());
    assert!(close(s.tau_c(), 0.53, 0.005));
    assert!(close(s.vus(57.83e3) / 1e3, 7.03, 0.01));
    let f = deflection(
        Support::Cantilever,
        2300.0,
        417.0,
        415.0,
        ast_req,
        prov,
        pt,
        0.0,
    );
    assert_eq!(f.basic_ratio, 7.0);
    assert_eq!(f.span_factor, 1.0);
    assert!(
        close(f.service_stress_mpa, 189.6, 0.05),
        "{}",
        f.service_stress_mpa
    );
    assert!(
        close(f.tension_factor, 1.3874, 0.0005),
        "{}",
        f.tension_factor
    );
    assert!((f.tension_factor - 1.321).abs() / 1.321 < 0.06);
    assert!(
        close(f.allowable_ratio, 9.712, 0.001),
        "{}",
        f.allowable_ratio
    );
    assert!(close(f.actual_ratio, 5.516, 0.001));
    assert!(f.actual_ratio < f.allowable_ratio);
    assert!(close(2300.0 / f.allowable_ratio, 236.8, 0.1));
}
