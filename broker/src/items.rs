//! Batch items: beam `i` of a batch looked up by index ([`BatchItem`]), without a scan of the
//! batch's stream.
//!
//! Every emit records, next to the results it appends, one index entry per *run*: beams that
//! landed next to each other in that emit, in consecutive order. A run maps its beams onto
//! consecutive channel offsets, so beam `first + k` of a run is at the run's first offset + `k`.
//! A beam lands once, so runs never overlap, and the run holding beam `i` is the one with the
//! greatest first beam ≤ `i`. Redis keeps the runs in the zset `{b:ID}:idx` (see
//! `scripts/item.lua`); the in-memory twin in an [`ItemIndex`]. A worker that emits a chunk in
//! order makes one run per emit: a few bytes per thousand beams.

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::batch::{BatchStatus, BeamResult};

/// What a batch holds for one beam index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchItem {
    /// The beam's result, as its worker emitted it (a stored result or an `error` event).
    Landed {
        /// The result's offset on the batch channel.
        offset: u64,
        /// The emitted payload.
        payload: Bytes,
    },
    /// The index is in the batch, but no result landed: not yet, or never (the batch was
    /// cancelled, or its chunk was dead-lettered and the beam counted as failed).
    NotLanded {
        /// The batch's status now, to tell "not yet" from "never".
        status: BatchStatus,
    },
    /// The index is not in the batch.
    OutOfRange {
        /// Beams in the batch (valid indices are `0..total`).
        total: u32,
    },
}

/// The runs of `results` as `emit.lua` takes them: `<first beam>:<count>` for each group of
/// consecutive ascending beams, space-separated, in order. When every result lands (the usual
/// case) these are the index's runs and the script does no per-beam work for the index.
pub(crate) fn runs_arg(results: &[BeamResult]) -> String {
    let mut out = String::new();
    let mut open: Option<(u32, u32)> = None;
    for r in results {
        match &mut open {
            Some((first, count)) if u64::from(*first) + u64::from(*count) == u64::from(r.index) => {
                *count += 1;
            }
            _ => {
                if let Some((first, count)) = open.replace((r.index, 1)) {
                    out.push_str(&format!("{first}:{count} "));
                }
            }
        }
    }
    if let Some((first, count)) = open {
        out.push_str(&format!("{first}:{count}"));
    }
    out
}

/// Runs of landed beams → offsets, for the in-memory twin.
#[derive(Debug, Default)]
pub(crate) struct ItemIndex {
    /// First beam of a run → (offset of its first result, beams in the run).
    runs: BTreeMap<u32, (u64, u32)>,
}

impl ItemIndex {
    /// Records the beams of one emit, in the order their results were appended from
    /// `first_offset` on.
    pub(crate) fn record(&mut self, first_offset: u64, landed: impl IntoIterator<Item = u32>) {
        // The run being built: (first beam, its offset, beams so far).
        let mut open: Option<(u32, u64, u32)> = None;
        for (offset, beam) in (first_offset..).zip(landed) {
            match &mut open {
                Some((first, _, count))
                    if u64::from(*first) + u64::from(*count) == u64::from(beam) =>
                {
                    *count += 1;
                }
                _ => {
                    if let Some((first, at, count)) = open.replace((beam, offset, 1)) {
                        self.runs.insert(first, (at, count));
                    }
                }
            }
        }
        if let Some((first, at, count)) = open {
            self.runs.insert(first, (at, count));
        }
    }

    /// The offset of beam `index`'s result, if it landed.
    pub(crate) fn offset(&self, index: u32) -> Option<u64> {
        let (first, (offset, count)) = self.runs.range(..=index).next_back()?;
        let distance = index - first;
        (distance < *count).then(|| offset + u64::from(distance))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_beams_share_a_run_and_a_gap_starts_another() {
        let mut index = ItemIndex::default();
        index.record(11, [0, 1, 2, 5, 6, 3]);
        assert_eq!(index.runs.len(), 3, "0..=2, 5..=6 and 3");
        let offsets: Vec<_> = (0..8).map(|i| index.offset(i)).collect();
        assert_eq!(
            offsets,
            [
                Some(11),
                Some(12),
                Some(13),
                Some(16),
                None,
                Some(14),
                Some(15),
                None
            ]
        );
    }

    #[test]
    fn the_runs_argument_groups_consecutive_ascending_beams() {
        let results: Vec<BeamResult> = [4, 5, 6, 9, 8, 10]
            .into_iter()
            .map(|index| BeamResult {
                index,
                ok: true,
                payload: Bytes::new(),
            })
            .collect();
        assert_eq!(runs_arg(&results), "4:3 9:1 8:1 10:1");
        assert_eq!(runs_arg(&[]), "");
    }

    #[test]
    fn a_later_emit_fills_a_hole_without_disturbing_earlier_runs() {
        let mut index = ItemIndex::default();
        index.record(1, [0, 1, 4, 5]);
        index.record(20, [2, 3]);
        assert_eq!(index.offset(1), Some(2));
        assert_eq!(index.offset(3), Some(21));
        assert_eq!(index.offset(4), Some(3));
        assert_eq!(index.offset(6), None);
    }
}
