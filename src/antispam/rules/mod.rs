//! Header and MIME heuristics: each a named rule with a score, shown in the
//! verdict's reasons (`tests=` of X-Spam-Status).
//!
//! Rules look at one parsed message and nothing else: no DNS, no clock
//! (the corpus is old, and a date's age must not decide).

mod body;
mod header;

use crate::antispam::message::Scanned;

/// One rule that matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleHit {
    /// Upper-case, as SpamAssassin names tests: `MISSING_MID`.
    pub name: &'static str,
    pub score: f64,
}

/// Every rule that matches `scanned`.
pub fn check(scanned: &Scanned<'_>) -> Vec<RuleHit> {
    let mut hits = Vec::new();
    header::check(scanned, &mut hits);
    body::check(scanned, &mut hits);
    hits
}

fn hit(hits: &mut Vec<RuleHit>, name: &'static str, score: f64) {
    hits.push(RuleHit { name, score });
}
