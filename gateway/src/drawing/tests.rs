//! The drawings of known beams: bars where the detailing rules put them, a well-formed SVG, a
//! closed binary STL with the declared triangle count, the beam's bounding box and unit normals.

use std::collections::HashMap;

use beam_design::{BarGroupInput, BeamInput, Design, ReinforcementInput, StirrupInput};

use super::layout::Layout;
use super::stl::{BAR_SIDES, Mesh};
use super::{mesh_stl, section_svg};

fn group(count: f64, dia_mm: f64) -> BarGroupInput {
    BarGroupInput { count, dia_mm }
}

/// A beam in check mode: 25 mm cover, 8 mm links, 20 mm aggregate, the given bars.
fn checked(
    b: f64,
    depth: f64,
    tension: Vec<BarGroupInput>,
    compression: Vec<BarGroupInput>,
) -> BeamInput {
    BeamInput {
        width_mm: b,
        depth_mm: depth,
        span_mm: 5000.0,
        mu_knm: 100.0,
        vu_kn: Some(80.0),
        fck_mpa: 25.0,
        fy_mpa: 500.0,
        cover_mm: Some(25.0),
        stirrup_dia_mm: Some(8.0),
        max_aggregate_mm: Some(20.0),
        reinforcement: Some(ReinforcementInput {
            tension,
            compression,
            stirrups: Some(StirrupInput {
                legs: 2.0,
                dia_mm: 8.0,
                spacing_mm: 150.0,
            }),
        }),
        ..BeamInput::default()
    }
}

fn designed(input: &BeamInput) -> Design {
    beam_design::design(&beam_design::Beam::try_from(input).expect("a valid beam"))
}

/// `(class, cx, cy, r)` of every bar circle in the SVG, which must parse as XML.
fn circles(svg: &str) -> Vec<(String, f64, f64, f64)> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let num =
        |n: &roxmltree::Node<'_, '_>, a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("circle"))
        .map(|n| {
            (
                n.attribute("class").unwrap().to_owned(),
                num(&n, "cx"),
                num(&n, "cy"),
                num(&n, "r"),
            )
        })
        .collect()
}

fn assert_bars(svg: &str, class: &str, expected: &[(f64, f64, f64)]) {
    let got: Vec<_> = circles(svg)
        .into_iter()
        .filter(|c| c.0 == format!("bar {class}"))
        .collect();
    assert_eq!(got.len(), expected.len(), "{class} bars: {got:?}");
    for ((_, x, y, r), (ex, ey, edia)) in got.iter().zip(expected) {
        assert!(
            (x - ex).abs() < 0.01 && (y - ey).abs() < 0.01,
            "{class}: ({x}, {y}) vs ({ex}, {ey})"
        );
        assert!((r - edia / 2.0).abs() < 0.01);
    }
}

#[test]
fn one_layer_bars_sit_on_the_stirrup_at_equal_clear_spacing() {
    let input = checked(300.0, 450.0, vec![group(3.0, 16.0)], vec![group(2.0, 12.0)]);
    let svg = section_svg(&input, &designed(&input));
    // Inside of the links at 25 + 8 = 33 mm; clear spacing (300 − 66 − 48) / 2 = 93 mm.
    assert_bars(
        &svg,
        "tension",
        &[
            (41.0, 409.0, 16.0),
            (150.0, 409.0, 16.0),
            (259.0, 409.0, 16.0),
        ],
    );
    assert_bars(
        &svg,
        "compression",
        &[(39.0, 39.0, 12.0), (261.0, 39.0, 12.0)],
    );
    for text in [
        "3-16φ",
        "2-12φ",
        "2L-8φ @ 150 c/c",
        "b = 300",
        "D = 450",
        "cover = 25",
    ] {
        assert!(svg.contains(text), "{text} in the drawing");
    }
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let dims: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-dim"))
        .collect();
    assert_eq!(dims, ["b", "D", "d", "cover"]);
}

#[test]
fn mixed_diameters_put_the_larger_bars_in_the_corners() {
    let input = checked(
        300.0,
        450.0,
        vec![group(2.0, 20.0), group(1.0, 16.0)],
        vec![],
    );
    let svg = section_svg(&input, &designed(&input));
    // Σφ = 56; clear spacing (234 − 56) / 2 = 89 mm.
    assert_bars(
        &svg,
        "tension",
        &[
            (43.0, 407.0, 20.0),
            (150.0, 409.0, 16.0),
            (257.0, 407.0, 20.0),
        ],
    );
    assert_bars(&svg, "compression", &[]);
}

#[test]
fn a_second_layer_sits_over_first_layer_bars_one_gap_above() {
    let input = checked(200.0, 600.0, vec![group(6.0, 20.0)], vec![]);
    let design = designed(&input);
    assert_eq!(
        (
            design.tension.bars.layers,
            design.tension.bars.first_layer_count
        ),
        (2, 3)
    );
    let svg = section_svg(&input, &design);
    // Layer 1 at 33 + 10 = 43 mm from the soffit; layer 2 at 33 + 20 + max(15, 13.3, 20) + 10.
    let (y1, y2) = (600.0 - 43.0, 600.0 - 83.0);
    let xs = [43.0, 100.0, 157.0];
    let expected: Vec<_> = xs
        .iter()
        .map(|x| (*x, y1, 20.0))
        .chain(xs.iter().map(|x| (*x, y2, 20.0)))
        .collect();
    assert_bars(&svg, "tension", &expected);
}

#[test]
fn a_designed_beam_draws_every_bar_the_design_chose() {
    let input = BeamInput {
        width_mm: 300.0,
        depth_mm: 500.0,
        span_mm: 6000.0,
        mu_knm: 320.0,
        vu_kn: Some(150.0),
        fck_mpa: 25.0,
        fy_mpa: 500.0,
        ..BeamInput::default()
    };
    let design = designed(&input);
    let svg = section_svg(&input, &design);
    let all = circles(&svg);
    let tension = all.iter().filter(|c| c.0 == "bar tension").count();
    let compression = all.iter().filter(|c| c.0 == "bar compression").count();
    assert_eq!(tension, usize::from(design.tension.bars.count()));
    assert_eq!(
        compression,
        design
            .compression
            .map_or(0, |c| usize::from(c.bars.count()))
    );
    // Every bar lies inside the stirrup loop.
    let inner = 25.0 + 8.0;
    for (_, x, y, r) in &all {
        assert!(
            *x - r >= inner - 1e-6 && *x + r <= 300.0 - inner + 1e-6,
            "x {x}"
        );
        assert!(
            *y - r >= inner - 1e-6 && *y + r <= 500.0 - inner + 1e-6,
            "y {y}"
        );
    }
}

/// A triangle as stored: its normal and its three vertices.
type StoredTriangle = ([f32; 3], [[f32; 3]; 3]);

/// Reads a binary STL: the declared count and its triangles.
fn read_stl(bytes: &[u8]) -> (u32, Vec<StoredTriangle>) {
    let count = u32::from_le_bytes(bytes[80..84].try_into().unwrap());
    assert_eq!(
        bytes.len(),
        84 + 50 * count as usize,
        "file length matches the count"
    );
    let f = |at: usize| f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let v = |at: usize| [f(at), f(at + 4), f(at + 8)];
    let triangles = (0..count as usize)
        .map(|i| {
            let at = 84 + 50 * i;
            (v(at), [v(at + 12), v(at + 24), v(at + 36)])
        })
        .collect();
    (count, triangles)
}

#[test]
fn the_mesh_is_closed_with_the_declared_count_the_beams_box_and_unit_normals() {
    let input = checked(300.0, 450.0, vec![group(3.0, 16.0)], vec![group(2.0, 12.0)]);
    let design = designed(&input);
    let stl = mesh_stl(&input, &design);
    let (count, triangles) = read_stl(&stl);
    // Concrete 12; 5 bars of 2 × 12 sides + 2 × 10 cap triangles; 33 stirrups (first at 75 mm,
    // then every 150 mm up to 4925 mm) of 2 horizontal bars + 2 legs, 12 triangles each.
    let bar = 2 * BAR_SIDES + 2 * (BAR_SIDES - 2);
    assert_eq!(count as usize, 12 + 5 * bar + 33 * 4 * 12);
    assert_eq!(Layout::new(&input, &design).stirrup_positions().len(), 33);

    let (mut lo, mut hi) = ([f32::MAX; 3], [f32::MIN; 3]);
    let mut edges: HashMap<([u32; 3], [u32; 3]), i32> = HashMap::new();
    let key = |v: [f32; 3]| v.map(f32::to_bits);
    for (n, t) in &triangles {
        let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
        assert!((len - 1.0).abs() < 1e-4, "unit normal, got {len}");
        for v in t {
            for k in 0..3 {
                lo[k] = lo[k].min(v[k]);
                hi[k] = hi[k].max(v[k]);
            }
        }
        for i in 0..3 {
            let (a, b) = (key(t[i]), key(t[(i + 1) % 3]));
            *edges.entry((a, b)).or_default() += 1;
            *edges.entry((b, a)).or_default() -= 1;
        }
    }
    assert_eq!(lo, [0.0, 0.0, 0.0]);
    assert_eq!(hi, [300.0, 5000.0, 450.0]);
    // Closed and consistently wound: every edge is walked once each way.
    assert!(
        edges.values().all(|n| *n == 0),
        "open or inconsistent edges"
    );
    assert_eq!(
        Mesh::of(&Layout::new(&input, &design)).len(),
        count as usize
    );
}
