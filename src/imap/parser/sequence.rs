//! Sequence sets (RFC 9051 §9 sequence-set): numbers, ranges, `*` for the
//! largest number in use, and `$` for the result saved by SEARCHRES
//! (RFC 5182). The session resolves them against its view; this module only
//! reads them.

use std::num::NonZeroU32;

use super::error::{PResult, fail, miss};
use super::primitives::{byte, nz_number};

/// One end of a range: a message number (or UID) or `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqNumber {
    Value(NonZeroU32),
    /// `*`: the largest number in use (RFC 9051 §9 seq-number).
    Largest,
}

/// `a:b` (either order, RFC 9051 §9 seq-range) or a single number (`a == b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqRange {
    pub first: SeqNumber,
    pub last: SeqNumber,
}

/// A sequence set as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceSet {
    /// Comma-separated numbers and ranges (never empty).
    Ranges(Vec<SeqRange>),
    /// `$`: the saved search result (RFC 5182 §2.1).
    Saved,
}

impl SequenceSet {
    /// Whether a set of UIDs names `uid`, `*` standing for every UID
    /// (RFC 7162 §3.2.5 known-uids; the session resolves message sets
    /// against its view instead). `$` names none.
    pub fn names_uid(&self, uid: u32) -> bool {
        let SequenceSet::Ranges(ranges) = self else {
            return false;
        };
        let value = |n: SeqNumber| match n {
            SeqNumber::Value(v) => v.get(),
            SeqNumber::Largest => u32::MAX,
        };
        ranges.iter().any(|r| {
            let (a, b) = (value(r.first), value(r.last));
            (a.min(b)..=a.max(b)).contains(&uid)
        })
    }
}

fn seq_number(i: &[u8]) -> PResult<'_, SeqNumber> {
    if let Some(rest) = i.strip_prefix(b"*") {
        return Ok((rest, SeqNumber::Largest));
    }
    let (rest, n) = nz_number(i).map_err(|e| {
        e.map(|mut f| {
            f.expected = Some("sequence number or *");
            f
        })
    })?;
    match NonZeroU32::new(n) {
        Some(n) => Ok((rest, SeqNumber::Value(n))),
        None => fail(i, "non-zero number"),
    }
}

fn seq_range(i: &[u8]) -> PResult<'_, SeqRange> {
    let (rest, first) = seq_number(i)?;
    match byte(b':', ":")(rest) {
        Ok((rest, ())) => {
            let (rest, last) = seq_number(rest)?;
            Ok((rest, SeqRange { first, last }))
        }
        Err(_) => Ok((rest, SeqRange { first, last: first })),
    }
}

/// `sequence-set` (RFC 9051 §9), or `$` alone (RFC 5182).
pub(super) fn sequence_set(i: &[u8]) -> PResult<'_, SequenceSet> {
    if let Some(rest) = i.strip_prefix(b"$") {
        return Ok((rest, SequenceSet::Saved));
    }
    if !matches!(i.first(), Some(b'*' | b'0'..=b'9')) {
        return miss(i, "sequence set");
    }
    let (mut rest, first) = seq_range(i)?;
    let mut ranges = vec![first];
    while let Some(tail) = rest.strip_prefix(b",") {
        let (r, next) = seq_range(tail)?;
        ranges.push(next);
        rest = r;
    }
    Ok((rest, SequenceSet::Ranges(ranges)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u32) -> SeqNumber {
        SeqNumber::Value(NonZeroU32::new(n).unwrap())
    }

    #[test]
    fn numbers_ranges_and_star_in_one_set() {
        let (rest, set) = sequence_set(b"1,3:5,7:*,* x").unwrap();
        assert_eq!(rest, b" x");
        let r = |first, last| SeqRange { first, last };
        assert_eq!(
            set,
            SequenceSet::Ranges(vec![
                r(v(1), v(1)),
                r(v(3), v(5)),
                r(v(7), SeqNumber::Largest),
                r(SeqNumber::Largest, SeqNumber::Largest),
            ])
        );
    }

    #[test]
    fn reversed_range_is_kept_as_written() {
        let set = sequence_set(b"5:2").unwrap().1;
        assert_eq!(
            set,
            SequenceSet::Ranges(vec![SeqRange {
                first: v(5),
                last: v(2)
            }])
        );
    }

    #[test]
    fn dollar_is_the_saved_result() {
        assert_eq!(sequence_set(b"$").unwrap().1, SequenceSet::Saved);
    }

    #[test]
    fn zero_trailing_comma_and_empty_are_rejected() {
        assert!(sequence_set(b"0").is_err());
        assert!(sequence_set(b"1:0").is_err());
        assert!(sequence_set(b"1,").is_err());
        assert!(sequence_set(b"").is_err());
        assert!(sequence_set(b"x").is_err());
    }
}
