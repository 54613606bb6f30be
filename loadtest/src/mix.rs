//! The realistic beam mix and the request frames built from it.
//!
//! A fixed, seeded set of beams a structural engineer would send while editing: widths
//! 230–400 mm, depths 400–900 mm, spans 3–8 m, M20–M35, Fe415/Fe500, in a cycle of twenty:
//! eight singly reinforced designs (Mu 20–95 % of Mu,lim), four doubly reinforced (110–150 %),
//! four shear-heavy (τv 1.5–2.8 N/mm²) and four check-mode beams (given bars and links).
//! One request in ten uses the seeds' `action` dialect. Beams are serialised once; a request
//! frame is the beam text wrapped with its `request_id`.

use serde_json::{Value, json};

/// Beams in the default mix.
pub const DEFAULT_BEAMS: usize = 100;
/// One request in this many goes out in the seeds' `{"action":"design","beam":…}` dialect.
const ACTION_DIALECT_EVERY: u64 = 10;
/// Approximate effective depth allowance (cover + link + half a bar), mm.
const EFFECTIVE_DEPTH_ALLOWANCE_MM: f64 = 50.0;

/// A small deterministic generator (xorshift64*), so every run sends the same mix.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `[lo, hi)`.
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }

    /// One of `options`.
    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[(self.next() % options.len() as u64) as usize]
    }
}

/// The beams to send, each already serialised as JSON.
#[derive(Debug, Clone)]
pub struct BeamMix {
    beams: Vec<String>,
}

impl BeamMix {
    /// The default mix of [`DEFAULT_BEAMS`] beams.
    pub fn standard() -> Self {
        Self::generate(DEFAULT_BEAMS, 0x5EED_BEA4)
    }

    /// `count` beams from `seed`, in the cycle the module doc describes.
    pub fn generate(count: usize, seed: u64) -> Self {
        let mut rng = Seeded(seed | 1);
        let beams = (0..count)
            .map(|i| beam(&mut rng, i % 20).to_string())
            .collect();
        Self { beams }
    }

    /// The beams as JSON objects (for tests and for labelling).
    pub fn beams(&self) -> &[String] {
        &self.beams
    }

    /// The text frame of request `request_id`, using beam `request_id mod len`.
    pub fn frame(&self, request_id: u64) -> String {
        let beam = &self.beams[(request_id % self.beams.len() as u64) as usize];
        if request_id % ACTION_DIALECT_EVERY == ACTION_DIALECT_EVERY - 1 {
            format!(r#"{{"action":"design","request_id":{request_id},"beam":{beam}}}"#)
        } else {
            format!(r#"{{"type":"design_beam","request_id":{request_id},"params":{beam}}}"#)
        }
    }

    /// A canonical request for beam `seq` whose beam `id` is `label`, so publications of its
    /// result can be recognised by whoever follows the session.
    pub fn labelled_frame(&self, request_id: u64, label: &str) -> String {
        let beam = &self.beams[(request_id % self.beams.len() as u64) as usize];
        let mut value: Value = serde_json::from_str(beam).unwrap_or_else(|_| json!({}));
        value["id"] = Value::String(label.to_owned());
        format!(r#"{{"type":"design_beam","request_id":{request_id},"params":{value}}}"#)
    }
}

/// Beam number `slot` (0–19) of a cycle.
fn beam(rng: &mut Seeded, slot: usize) -> Value {
    let width = rng.pick(&[230.0, 250.0, 300.0, 350.0, 400.0]);
    let depth = (rng.between(400.0, 900.0) / 25.0).round() * 25.0;
    let length = (rng.between(3000.0, 8000.0) / 100.0).round() * 100.0;
    let fck = rng.pick(&[20.0, 25.0, 30.0, 35.0]);
    let fy = rng.pick(&[415.0, 500.0]);
    let d = depth - EFFECTIVE_DEPTH_ALLOWANCE_MM;
    let mu_lim_knm = if fy > 450.0 { 0.133 } else { 0.138 } * fck * width * d * d / 1e6;
    let shear_kn = |tau: f64| (tau * width * d / 1e3).round();
    let mut b = json!({"width": width, "depth": depth, "length": length, "fck": fck, "fy": fy});
    match slot {
        0..8 => {
            b["Mu"] = json!((rng.between(0.20, 0.95) * mu_lim_knm).round());
            b["Vu"] = json!(shear_kn(rng.between(0.3, 1.2)));
        }
        8..12 => {
            b["Mu"] = json!((rng.between(1.10, 1.50) * mu_lim_knm).round());
            b["Vu"] = json!(shear_kn(rng.between(0.5, 1.5)));
        }
        12..16 => {
            b["Mu"] = json!((rng.between(0.40, 0.80) * mu_lim_knm).round());
            b["Vu"] = json!(shear_kn(rng.between(1.5, 2.8)));
            b["support"] = json!("continuous");
        }
        _ => {
            let dia = rng.pick(&[16.0, 20.0]);
            b["Mu"] = json!((rng.between(0.30, 0.70) * mu_lim_knm).round());
            b["Vu"] = json!(shear_kn(rng.between(0.4, 1.0)));
            b["tension"] = json!([{"count": rng.pick(&[3.0, 4.0]), "dia": dia}]);
            b["stirrups"] = json!({"legs": 2, "dia": 8, "spacing": 150});
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{DesignConfig, ParsedBeam};

    #[test]
    fn every_beam_of_the_standard_mix_is_valid_for_the_default_config() {
        let mix = BeamMix::standard();
        for beam in mix.beams() {
            let parsed: ParsedBeam = serde_json::from_str(beam).unwrap();
            let valid = parsed.validate(&DesignConfig::default());
            assert!(valid.is_ok(), "{beam}: {:?}", valid.err());
        }
    }

    #[test]
    fn frames_decode_as_design_requests_in_both_dialects() {
        let mix = BeamMix::standard();
        for id in [0, 9, 10, 19] {
            let decoded = protocol::ClientMessage::decode(&mix.frame(id)).unwrap();
            let protocol::ClientMessage::DesignBeam(request) = decoded else {
                panic!("not a design request");
            };
            assert_eq!(request.request_id, Some(protocol::RequestId::Number(id)));
        }
    }

    #[test]
    fn a_labelled_frame_carries_its_label_as_the_beam_id() {
        let frame = BeamMix::standard().labelled_frame(3, "lgf-3");
        assert!(frame.contains(r#""id":"lgf-3""#), "{frame}");
    }
}
