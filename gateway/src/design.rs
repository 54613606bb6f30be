//! Inline design, shared by `POST /api/v1/design` and the WebSocket's `design_beam`: validate a
//! beam against the defaults in force and design it on the calling task — a design is
//! microseconds of CPU, less than any hand-off would cost — recording the design metrics.

use std::time::Instant;

use beam_design::Design;
use protocol::validation::ValidationError;
use protocol::{DesignConfig, DesignResult, ParsedBeam, ValidBeam};

use crate::metrics::Metrics;

/// A beam that was valid, and its design.
#[derive(Debug, Clone)]
pub struct Designed {
    /// The validated beam (its record carries the id and the defaults assumed).
    pub valid: ValidBeam,
    /// The engine's design.
    pub design: Design,
}

impl Designed {
    /// The design result as sent on the wire.
    pub fn result(&self) -> DesignResult {
        let record = &self.valid.record;
        DesignResult::new(&self.design, record.id.as_deref(), record.assumed)
    }
}

/// Validates `parsed` with `config`'s defaults and designs it, or returns every field error.
pub fn design_beam(
    parsed: &ParsedBeam,
    config: &DesignConfig,
    metrics: &Metrics,
) -> Result<Designed, Vec<ValidationError>> {
    let valid = match parsed.validate(config) {
        Ok(valid) => valid,
        Err(errors) => {
            metrics.validation_errors.inc();
            return Err(errors);
        }
    };
    let started = Instant::now();
    let design = beam_design::design(&valid.beam);
    metrics
        .design_seconds
        .observe(started.elapsed().as_secs_f64());
    metrics.designs.inc();
    Ok(Designed { valid, design })
}

#[cfg(test)]
mod tests {
    use prometheus::Registry;

    use super::*;

    fn parse(json: &str) -> ParsedBeam {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_valid_beam_is_designed_and_counted() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let beam =
            parse(r#"{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500}"#);
        let designed = design_beam(&beam, &DesignConfig::default(), &metrics).unwrap();
        let result = designed.result();
        assert_eq!(result.mode, "design");
        assert!(result.tension.provided_mm2 >= result.tension.required_mm2);
        assert_eq!(metrics.designs.get(), 1);
        assert_eq!(metrics.design_seconds.get_sample_count(), 1);
    }

    #[test]
    fn an_invalid_beam_lists_every_field_and_counts_one_validation_error() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let beam = parse(r#"{"width":-1,"depth":500,"Mu":150,"Vu":100,"fck":22}"#);
        let errors = design_beam(&beam, &DesignConfig::default(), &metrics).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"width"), "{fields:?}");
        assert!(fields.contains(&"fck"), "{fields:?}");
        assert_eq!(metrics.validation_errors.get(), 1);
        assert_eq!(metrics.designs.get(), 0);
    }
}
