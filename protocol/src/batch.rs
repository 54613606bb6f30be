//! Batch input: beams as a JSON array or CSV, validated all at once, split into job chunks.
//!
//! Every beam is validated before anything is queued; the errors of all rows come back in one
//! list, each with the row's `index` (0-based position in the array or among the CSV data
//! rows), at most [`MAX_REPORTED_ERRORS`] of them plus one `batch` line counting the rest.

use crate::channel::BatchId;
use crate::config::DesignConfig;
use crate::frame::DecodeError;
use crate::job::JobChunk;
use crate::params::ParsedBeam;
use crate::record::BeamRecord;
use crate::validation::ValidationError;

/// Most validation errors listed for one batch.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Reads a JSON array of beam objects (the REST body of a batch).
pub fn parse_json_beams(text: &str) -> Result<Vec<ParsedBeam>, DecodeError> {
    serde_json::from_str(text).map_err(|e| {
        if e.is_data() && !text.trim_start().starts_with('[') {
            DecodeError::Invalid(vec![ValidationError::new(
                "beams",
                "must be a JSON array of beam objects",
            )])
        } else {
            DecodeError::from_json(&e)
        }
    })
}

/// Validates every beam with `config`: the records to queue, or every row's errors.
pub fn validate(
    beams: &[ParsedBeam],
    config: &DesignConfig,
) -> Result<Vec<BeamRecord>, Vec<ValidationError>> {
    let mut validation = Validation::new(config, beams.len());
    for beam in beams {
        validation.push(beam);
    }
    validation.finish()
}

/// [`validate`] one beam at a time, for a batch read row by row (it never holds every parsed
/// beam at once): rows are indexed in the order they are pushed.
#[derive(Debug)]
pub struct Validation<'c> {
    config: &'c DesignConfig,
    records: Vec<BeamRecord>,
    errors: Vec<ValidationError>,
    unreported: usize,
    index: u64,
}

impl<'c> Validation<'c> {
    /// A validation with `config`'s defaults, with room for `expected` records.
    pub fn new(config: &'c DesignConfig, expected: usize) -> Self {
        Self {
            config,
            records: Vec::with_capacity(expected),
            errors: Vec::new(),
            unreported: 0,
            index: 0,
        }
    }

    /// Validates the next row.
    pub fn push(&mut self, beam: &ParsedBeam) {
        match beam.validate(self.config) {
            Ok(valid) => self.records.push(valid.record),
            Err(row) => {
                for e in row {
                    if self.errors.len() < MAX_REPORTED_ERRORS {
                        self.errors.push(e.at(self.index));
                    } else {
                        self.unreported += 1;
                    }
                }
            }
        }
        self.index += 1;
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> u64 {
        self.index
    }

    /// The records to queue, or every row's errors (at most [`MAX_REPORTED_ERRORS`], then one
    /// line counting the rest); an empty batch is an error.
    pub fn finish(mut self) -> Result<Vec<BeamRecord>, Vec<ValidationError>> {
        if self.index == 0 {
            return Err(vec![ValidationError::new(
                "beams",
                "a batch needs at least one beam",
            )]);
        }
        if self.unreported > 0 {
            self.errors.push(ValidationError::new(
                "batch",
                format!("{} more errors not listed", self.unreported),
            ));
        }
        if self.errors.is_empty() {
            Ok(self.records)
        } else {
            Err(self.errors)
        }
    }
}

/// Splits validated beams into job chunks of at most `chunk_size` (≥ 1) beams.
pub fn chunks(
    batch_id: BatchId,
    config_version: u64,
    records: Vec<BeamRecord>,
    chunk_size: usize,
) -> Vec<JobChunk> {
    let size = chunk_size.max(1);
    let mut out = Vec::with_capacity(records.len().div_ceil(size));
    let mut rest = records.into_iter().peekable();
    let mut first_index = 0u64;
    while rest.peek().is_some() {
        let beams: Vec<BeamRecord> = rest.by_ref().take(size).collect();
        let n = beams.len() as u64;
        let chunk = u32::try_from(out.len()).unwrap_or(u32::MAX);
        out.push(JobChunk {
            batch_id,
            chunk,
            first_index,
            config_version,
            beams,
        });
        first_index += n;
    }
    out
}
