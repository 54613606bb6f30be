//! `Beam::try_from(&BeamInput)`: every broken rule is reported, each naming the rule and value.

use beam_design::{
    BarGroupInput, Beam, BeamInput, Exposure, Field, ReinforcementInput, StirrupInput,
};

fn valid() -> BeamInput {
    BeamInput {
        width_mm: 300.0,
        depth_mm: 500.0,
        span_mm: 5000.0,
        mu_knm: 150.0,
        vu_kn: Some(100.0),
        fck_mpa: 25.0,
        fy_mpa: 500.0,
        ..BeamInput::default()
    }
}

fn errors(input: &BeamInput) -> Vec<(Field, String)> {
    match Beam::try_from(input) {
        Ok(_) => vec![],
        Err(e) => e.errors.into_iter().map(|e| (e.field, e.message)).collect(),
    }
}

#[test]
fn a_valid_input_becomes_a_beam_with_documented_defaults() {
    let beam = Beam::try_from(&valid()).expect("valid");
    assert_eq!(beam.cover_mm(), 30.0);
    assert_eq!(beam.vu_kn(), 100.0);
    assert!(!beam.is_check());
    let severe = BeamInput {
        exposure: Some(Exposure::Severe),
        ..valid()
    };
    assert_eq!(Beam::try_from(&severe).unwrap().cover_mm(), 45.0);
}

#[test]
fn every_offending_field_is_reported_at_once_in_field_order() {
    let input = BeamInput {
        width_mm: f64::NAN,
        mu_knm: -5.0,
        fck_mpa: 22.0,
        fy_mpa: 400.0,
        ..valid()
    };
    let errs = errors(&input);
    let fields: Vec<Field> = errs.iter().map(|e| e.0).collect();
    assert_eq!(fields, vec![Field::Width, Field::Mu, Field::Fck, Field::Fy]);
    assert_eq!(errs[0].1, "must be a finite number, got NaN");
    assert_eq!(errs[1].1, "must be a magnitude (≥ 0 kN·m), got -5");
    assert_eq!(
        errs[2].1,
        "must be a standard grade M20–M80 in steps of 5, got 22"
    );
    assert_eq!(errs[3].1, "must be 250, 415 or 500 N/mm², got 400");
}

#[test]
fn practical_ranges_are_enforced_with_the_range_in_the_message() {
    let input = BeamInput {
        width_mm: 50.0,
        depth_mm: 5000.0,
        span_mm: f64::INFINITY,
        vu_kn: Some(-1.0),
        ..valid()
    };
    let errs = errors(&input);
    assert_eq!(
        errs[0],
        (
            Field::Width,
            "must be between 100 and 2000 mm, got 50".to_string()
        )
    );
    assert_eq!(
        errs[1],
        (
            Field::Depth,
            "must be between 150 and 3000 mm, got 5000".to_string()
        )
    );
    assert_eq!(
        errs[2],
        (Field::Span, "must be a finite number, got inf".to_string())
    );
    assert_eq!(errs[3].0, Field::Vu);
}

#[test]
fn depth_must_leave_room_for_cover_stirrup_and_a_bar() {
    // Room = 2 × (cover + stirrup) + smallest bar: 2 × (60 + 8) + 12 = 148 ≤ 150: fine.
    let input = BeamInput {
        depth_mm: 150.0,
        cover_mm: Some(60.0),
        ..valid()
    };
    assert!(errors(&input).is_empty());
    // 2 × (70 + 8) + 12 = 168 > 150.
    let input = BeamInput {
        depth_mm: 150.0,
        cover_mm: Some(70.0),
        ..valid()
    };
    let errs = errors(&input);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, Field::Depth);
    assert!(
        errs[0].1.contains("at least 168 mm, got 150"),
        "{}",
        errs[0].1
    );
}

#[test]
fn diameters_counts_and_legs_must_be_standard_and_whole() {
    let input = BeamInput {
        bar_diameters_mm: Some(vec![16.0, 14.0, 15.5]),
        stirrup_dia_mm: Some(20.0),
        stirrup_legs: Some(2.5),
        ..valid()
    };
    let errs = errors(&input);
    assert_eq!(errs[0].0, Field::BarDiameters);
    assert!(errs[0].1.ends_with("got 14, 15.5"), "{}", errs[0].1);
    assert_eq!(errs[1].0, Field::StirrupDiameter);
    assert_eq!(
        errs[2],
        (
            Field::StirrupLegs,
            "must be a whole number from 2 to 8, got 2.5".to_string()
        )
    );
    let empty = BeamInput {
        bar_diameters_mm: Some(vec![]),
        ..valid()
    };
    assert_eq!(errors(&empty)[0].0, Field::BarDiameters);
}

#[test]
fn check_mode_bars_and_stirrups_are_validated() {
    let input = BeamInput {
        reinforcement: Some(ReinforcementInput {
            tension: vec![
                BarGroupInput {
                    count: 2.5,
                    dia_mm: 16.0,
                },
                BarGroupInput {
                    count: 2.0,
                    dia_mm: 17.0,
                },
            ],
            compression: vec![
                BarGroupInput {
                    count: 1.0,
                    dia_mm: 12.0
                };
                3
            ],
            stirrups: Some(StirrupInput {
                legs: 2.0,
                dia_mm: 8.0,
                spacing_mm: 0.0,
            }),
        }),
        ..valid()
    };
    let fields: Vec<Field> = errors(&input).into_iter().map(|e| e.0).collect();
    assert_eq!(
        fields,
        vec![
            Field::TensionBars,
            Field::TensionBars,
            Field::CompressionBars,
            Field::Stirrups
        ]
    );
    let no_tension = BeamInput {
        reinforcement: Some(ReinforcementInput::default()),
        ..valid()
    };
    assert_eq!(errors(&no_tension)[0].0, Field::TensionBars);
}

#[test]
fn effective_depth_overrides_must_be_physically_possible() {
    let input = BeamInput {
        effective_depth_mm: Some(480.0),
        compression_depth_mm: Some(300.0),
        ..valid()
    };
    let errs = errors(&input);
    assert_eq!(errs[0].0, Field::EffectiveDepth);
    assert!(errs[0].1.contains("= 456 mm, got 480"), "{}", errs[0].1);
    assert_eq!(
        errs[1],
        (
            Field::CompressionDepth,
            "must be between 10 mm and D/2 = 250 mm, got 300".to_string()
        )
    );
    let ok = BeamInput {
        effective_depth_mm: Some(450.0),
        compression_depth_mm: Some(50.0),
        ..valid()
    };
    assert!(Beam::try_from(&ok).is_ok());
}

#[test]
fn overrides_are_still_reported_when_the_depth_itself_is_invalid() {
    let input = BeamInput {
        depth_mm: -1.0,
        effective_depth_mm: Some(f64::NAN),
        ..valid()
    };
    let fields: Vec<Field> = errors(&input).into_iter().map(|e| e.0).collect();
    assert_eq!(fields, vec![Field::Depth, Field::EffectiveDepth]);
}
