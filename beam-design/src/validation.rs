//! The rule checks behind `Beam::try_from`: each pushes a [`FieldError`] naming the rule and
//! the value received, and yields the parsed value only when the rule holds.

use crate::error::{Field, FieldError, InvalidBeam};
use crate::materials::{ConcreteGrade, SteelGrade};

/// Collects every broken rule of one input.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    errors: Vec<FieldError>,
}

impl Collector {
    pub(crate) fn push(&mut self, field: Field, message: String) {
        self.errors.push(FieldError { field, message });
    }

    /// `Err` with every error collected, if any.
    pub(crate) fn finish(self) -> Result<(), InvalidBeam> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    /// The collected errors as an [`InvalidBeam`], in field order.
    pub(crate) fn into_error(mut self) -> InvalidBeam {
        self.errors.sort_by_key(|e| e.field as u8);
        InvalidBeam {
            errors: self.errors,
        }
    }

    fn finite(&mut self, field: Field, x: f64) -> Option<f64> {
        if x.is_finite() {
            Some(x)
        } else {
            self.push(field, format!("must be a finite number, got {x}"));
            None
        }
    }

    /// `lo ≤ x ≤ hi`.
    pub(crate) fn range(
        &mut self,
        field: Field,
        x: f64,
        (lo, hi): (f64, f64),
        unit: &str,
    ) -> Option<f64> {
        let x = self.finite(field, x)?;
        if (lo..=hi).contains(&x) {
            Some(x)
        } else {
            self.push(
                field,
                format!("must be between {lo} and {hi} {unit}, got {x}"),
            );
            None
        }
    }

    /// `0 ≤ x ≤ max`: a magnitude.
    pub(crate) fn magnitude(&mut self, field: Field, x: f64, max: f64, unit: &str) -> Option<f64> {
        let x = self.finite(field, x)?;
        if x < 0.0 {
            self.push(field, format!("must be a magnitude (≥ 0 {unit}), got {x}"));
            None
        } else if x > max {
            self.push(field, format!("must be at most {max} {unit}, got {x}"));
            None
        } else {
            Some(x)
        }
    }

    /// A whole number within `lo..=hi` (both small and positive).
    pub(crate) fn whole(&mut self, field: Field, x: f64, (lo, hi): (f64, f64)) -> Option<u8> {
        let x = self.finite(field, x)?;
        if x.fract() == 0.0 && (lo..=hi).contains(&x) {
            // In lo..=hi ⊂ 0..=255 and whole, so the cast is exact.
            Some(x as u8)
        } else {
            self.push(
                field,
                format!("must be a whole number from {lo} to {hi}, got {x}"),
            );
            None
        }
    }

    pub(crate) fn concrete(&mut self, fck: f64) -> Option<ConcreteGrade> {
        let g = ConcreteGrade::from_fck(fck);
        if g.is_none() {
            self.push(
                Field::Fck,
                format!("must be a standard grade M20–M80 in steps of 5, got {fck}"),
            );
        }
        g
    }

    pub(crate) fn steel(&mut self, fy: f64) -> Option<SteelGrade> {
        let g = SteelGrade::from_fy(fy);
        if g.is_none() {
            self.push(
                Field::Fy,
                format!("must be 250, 415 or 500 N/mm², got {fy}"),
            );
        }
        g
    }

    /// D ≥ 2 (cover + stirrup) + bar.
    pub(crate) fn room(&mut self, depth: f64, room: f64) {
        if depth < room {
            let msg = format!(
                "must leave room for cover, stirrup and a bar on both faces: at least {room} mm, got {depth}"
            );
            self.push(Field::Depth, msg);
        }
    }

    /// 50 mm ≤ d ≤ D − cover − stirrup − half the smallest bar.
    pub(crate) fn effective_depth(&mut self, d: f64, d_max: f64) -> Option<f64> {
        let d = self.finite(Field::EffectiveDepth, d)?;
        if (50.0..=d_max).contains(&d) {
            Some(d)
        } else {
            let msg = format!(
                "must be between 50 mm and D − cover − stirrup − half the smallest bar = {d_max} mm, got {d}"
            );
            self.push(Field::EffectiveDepth, msg);
            None
        }
    }

    /// 10 mm ≤ d' ≤ D / 2.
    pub(crate) fn compression_depth(&mut self, dp: f64, depth: f64) -> Option<f64> {
        let dp = self.finite(Field::CompressionDepth, dp)?;
        let max = depth / 2.0;
        if (10.0..=max).contains(&dp) {
            Some(dp)
        } else {
            let msg = format!("must be between 10 mm and D/2 = {max} mm, got {dp}");
            self.push(Field::CompressionDepth, msg);
            None
        }
    }
}
