//! The live design defaults an admin sets (`PUT /api/v1/config`), versioned.
//!
//! Beams that leave out `length`, `fck`, `fy`, `exposure`, `support`, `bars`, `stirrup_dia`,
//! `stirrup_legs` or `aggregate` are designed with these values, and the result lists the
//! defaulted wire fields in `assumed`. That is what keeps the seeds' first dialect
//! (`{"type":"design_beam","params":{"moment":100,"width":300,"depth":500}}`) working: its
//! clients never sent a span or material grades. The gateway passes in the config it holds; a
//! batch records the `version` it was validated with, and its workers and any later rebuild
//! of its results use exactly that version (the job chunk carries it).

use beam_design::{Exposure, Support};
use serde::{Deserialize, Serialize};

use crate::beam::{ExposureName, SupportName};

/// Versioned design defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignConfig {
    /// Monotonic version, bumped by every admin change (0: the built-in defaults).
    pub version: u64,
    /// Default span L, mm.
    pub length: f64,
    /// Default concrete grade fck, N/mm².
    pub fck: f64,
    /// Default steel grade fy, N/mm².
    pub fy: f64,
    /// Default exposure condition (IS 456 Table 3).
    pub exposure: ExposureName,
    /// Default support condition (cl. 23.2.1).
    pub support: SupportName,
    /// Bar diameters the designer may use, mm.
    pub bars: Vec<f64>,
    /// Default stirrup diameter, mm.
    pub stirrup_dia: f64,
    /// Default number of stirrup legs.
    pub stirrup_legs: u32,
    /// Default nominal maximum aggregate size, mm.
    pub aggregate: f64,
}

impl Default for DesignConfig {
    /// Version 0: L = 4000 mm, M25, Fe 500, moderate exposure, simply supported, bars
    /// 12/16/20/25/32 mm, 2-legged 8 mm stirrups, 20 mm aggregate.
    fn default() -> Self {
        Self {
            version: 0,
            length: 4000.0,
            fck: 25.0,
            fy: 500.0,
            exposure: ExposureName(Exposure::Moderate),
            support: SupportName(Support::SimplySupported),
            bars: vec![12.0, 16.0, 20.0, 25.0, 32.0],
            stirrup_dia: 8.0,
            stirrup_legs: 2,
            aggregate: 20.0,
        }
    }
}
