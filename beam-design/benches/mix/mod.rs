//! The benchmark's beams: a fixed, seeded, realistic mix of 100 (shared by `benches/design.rs`
//! and `examples/throughput.rs`).

use beam_design::{BarGroupInput, Beam, BeamInput, ReinforcementInput, StirrupInput, Support};

/// A small deterministic generator (64-bit LCG), so every run benches the same beams.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[((self.next() * xs.len() as f64) as usize).min(xs.len() - 1)]
    }
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        (lo + (hi - lo) * self.next()).round()
    }
}

/// 40 singly reinforced, 20 doubly reinforced, 20 shear-heavy designs and 20 checks.
pub(crate) fn mix() -> Vec<Beam> {
    let mut r = Lcg(0x5eed);
    let mut beams = Vec::with_capacity(100);
    for i in 0..100 {
        let b = r.pick(&[230.0, 250.0, 300.0, 350.0, 400.0]);
        let depth = r.pick(&[400.0, 450.0, 500.0, 600.0, 750.0, 900.0]);
        let fck = r.pick(&[20.0, 25.0, 30.0, 35.0, 40.0]);
        let fy = r.pick(&[415.0, 500.0, 500.0, 250.0]);
        let d = depth - 50.0;
        // Mu as a fraction of Mu,lim ≈ 0.138 fck b d².
        let lim = 0.138 * fck * b * d * d / 1e6;
        let (mu, vu) = match i {
            0..40 => (
                lim * r.between(20.0, 95.0) / 100.0,
                r.between(20.0, 0.6 * b * d / 1e3),
            ),
            40..60 => (
                lim * r.between(110.0, 160.0) / 100.0,
                r.between(50.0, 1.2 * b * d / 1e3),
            ),
            60..80 => (
                lim * r.between(40.0, 90.0) / 100.0,
                b * d * r.between(150.0, 300.0) / 100.0 / 1e3,
            ),
            _ => (
                lim * r.between(30.0, 110.0) / 100.0,
                r.between(30.0, 1.5 * b * d / 1e3),
            ),
        };
        let mut input = BeamInput {
            width_mm: b,
            depth_mm: depth,
            span_mm: r.between(3000.0, 9000.0),
            mu_knm: mu,
            vu_kn: Some(vu),
            fck_mpa: fck,
            fy_mpa: fy,
            support: Some(r.pick(&[
                Support::SimplySupported,
                Support::Continuous,
                Support::Cantilever,
            ])),
            ..BeamInput::default()
        };
        if i >= 80 {
            let dia = r.pick(&[16.0, 20.0, 25.0]);
            input.reinforcement = Some(ReinforcementInput {
                tension: vec![BarGroupInput {
                    count: r.between(2.0, 5.0),
                    dia_mm: dia,
                }],
                compression: if i % 2 == 0 {
                    vec![BarGroupInput {
                        count: 2.0,
                        dia_mm: 16.0,
                    }]
                } else {
                    vec![]
                },
                stirrups: Some(StirrupInput {
                    legs: 2.0,
                    dia_mm: 8.0,
                    spacing_mm: r.pick(&[100.0, 150.0, 200.0]),
                }),
            });
        }
        // unwrap: the mix is built from valid grades and practical dimensions.
        beams.push(Beam::try_from(&input).unwrap());
    }
    beams
}
