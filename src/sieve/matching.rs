//! Comparing values with keys: the comparators (RFC 4790 as RFC 5228
//! §2.7.3 uses them), the match types `:is`, `:contains`, `:matches`
//! (with the match variables of RFC 5229 §3.2), the relational `:value`
//! and `:count` (RFC 5231) and `:regex` (draft-ietf-sieve-regex-01, built
//! by [`super::pattern`]). Linear or O(value × key) work, no recursion.

use std::cmp::Ordering;

use super::pattern;
use super::script::{Comparator, MatchKind, Matcher};

/// What a successful match leaves for `${0}`..`${9}`: the whole value,
/// then what each wildcard matched (RFC 5229 §3.2).
pub type Captures = Vec<String>;

/// Whether any of `values` matches any of `keys`; for `:matches`, the
/// captures of the first match.
pub fn matches_any(matcher: &Matcher, values: &[String], keys: &[String]) -> Option<Captures> {
    if let MatchKind::Count(relation) = matcher.kind {
        let count = values.len().to_string();
        return keys
            .iter()
            .any(|key| relation.holds(compare(Comparator::AsciiNumeric, &count, key)))
            .then(Vec::new);
    }
    if matcher.kind == MatchKind::Regex {
        return regex_any(matcher.comparator, values, keys);
    }
    for value in values {
        for key in keys {
            if let Some(captures) = matches_one(matcher, value, key) {
                return Some(captures);
            }
        }
    }
    None
}

fn matches_one(matcher: &Matcher, value: &str, key: &str) -> Option<Captures> {
    let comparator = matcher.comparator;
    let found = match matcher.kind {
        MatchKind::Is => compare(comparator, value, key) == Ordering::Equal,
        MatchKind::Contains => match comparator {
            Comparator::Octet => value.contains(key),
            Comparator::AsciiCasemap => value
                .to_ascii_lowercase()
                .contains(&key.to_ascii_lowercase()),
            // i;ascii-numeric has no substring operation (RFC 4790 §9.1).
            Comparator::AsciiNumeric => false,
        },
        MatchKind::Matches => {
            if comparator == Comparator::AsciiNumeric {
                return None;
            }
            return wildcard(value, key, comparator == Comparator::AsciiCasemap);
        }
        MatchKind::Value(relation) => relation.holds(compare(comparator, value, key)),
        MatchKind::Count(_) | MatchKind::Regex => false,
    };
    found.then(Vec::new)
}

/// `:regex`: each key built once; a key that is not a valid pattern (one
/// a variable made invalid) matches nothing.
fn regex_any(comparator: Comparator, values: &[String], keys: &[String]) -> Option<Captures> {
    if comparator == Comparator::AsciiNumeric {
        return None;
    }
    let fold = comparator == Comparator::AsciiCasemap;
    let regexes: Vec<regex::Regex> = keys
        .iter()
        .filter_map(|key| pattern::build(key, fold).ok())
        .collect();
    values.iter().find_map(|value| {
        regexes
            .iter()
            .find_map(|regex| pattern::captures(regex, value))
    })
}

/// The comparator's ordering of `a` and `b`.
pub fn compare(comparator: Comparator, a: &str, b: &str) -> Ordering {
    match comparator {
        Comparator::Octet => a.as_bytes().cmp(b.as_bytes()),
        Comparator::AsciiCasemap => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
        Comparator::AsciiNumeric => numeric(a).cmp(&numeric(b)),
    }
}

/// RFC 4790 §9.1: the leading digits as a number; a string not starting
/// with a digit is positive infinity (`None` sorts after every number).
fn numeric(text: &str) -> NumericValue {
    let digits: &str = &text[..text.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return NumericValue::Infinity;
    }
    let trimmed = digits.trim_start_matches('0');
    NumericValue::Finite(trimmed.len(), trimmed.to_owned())
}

/// A decimal of any length: ordered by digit count, then digits.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NumericValue {
    Finite(usize, String),
    Infinity,
}

#[derive(Debug, Clone, Copy)]
enum Piece {
    Literal(char),
    One,
    Any,
}

/// `:matches` (RFC 5228 §2.7.1): `*` any run, `?` one character, `\`
/// quoting the next. Each `*` takes as little as it can, so the match
/// variables are those of RFC 5229 §3.2. Backtracks only to the latest `*`,
/// so the work is at most value length × key length.
fn wildcard(value: &str, key: &str, fold: bool) -> Option<Captures> {
    let mut pattern = Vec::new();
    let mut chars = key.chars();
    while let Some(c) = chars.next() {
        pattern.push(match c {
            '*' => Piece::Any,
            '?' => Piece::One,
            '\\' => Piece::Literal(chars.next().unwrap_or('\\')),
            other => Piece::Literal(other),
        });
    }
    let text: Vec<char> = value.chars().collect();
    let same = |a: char, b: char| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let mut starts = vec![0usize; pattern.len() + 1];
    let (mut p, mut t) = (0usize, 0usize);
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if let Some(piece) = pattern.get(p) {
            let step = match piece {
                Piece::Any => {
                    starts[p] = t;
                    resume = Some((p, t));
                    p += 1;
                    continue;
                }
                Piece::One => t < text.len(),
                Piece::Literal(c) => text.get(t).is_some_and(|&x| same(x, *c)),
            };
            if step {
                starts[p] = t;
                p += 1;
                t += 1;
                continue;
            }
        } else if t == text.len() {
            starts[p] = t;
            break;
        }
        match resume {
            Some((star, from)) if from < text.len() => {
                resume = Some((star, from + 1));
                p = star + 1;
                t = from + 1;
            }
            _ => return None,
        }
    }
    let mut captures = vec![value.to_owned()];
    for (i, piece) in pattern.iter().enumerate() {
        match piece {
            Piece::Any => captures.push(text[starts[i]..starts[i + 1]].iter().collect()),
            Piece::One => captures.push(text[starts[i]..starts[i] + 1].iter().collect()),
            Piece::Literal(_) => {}
        }
    }
    Some(captures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sieve::script::Relation;

    fn m(kind: MatchKind, comparator: Comparator) -> Matcher {
        Matcher { comparator, kind }
    }

    fn one(kind: MatchKind, comparator: Comparator, value: &str, key: &str) -> bool {
        matches_any(&m(kind, comparator), &[value.to_owned()], &[key.to_owned()]).is_some()
    }

    #[test]
    fn is_and_contains_by_comparator() {
        assert!(one(
            MatchKind::Is,
            Comparator::AsciiCasemap,
            "Hello",
            "hELLO"
        ));
        assert!(!one(MatchKind::Is, Comparator::Octet, "Hello", "hello"));
        assert!(one(
            MatchKind::Contains,
            Comparator::AsciiCasemap,
            "Big SALE now",
            "sale"
        ));
        assert!(!one(
            MatchKind::Contains,
            Comparator::Octet,
            "Big SALE now",
            "sale"
        ));
    }

    #[test]
    fn matches_with_captures() {
        let captures = matches_any(
            &m(MatchKind::Matches, Comparator::AsciiCasemap),
            &["[list] hello world".to_owned()],
            &["\\[*] * w?rld".to_owned()],
        )
        .unwrap();
        assert_eq!(captures, vec!["[list] hello world", "list", "hello", "o"]);
        assert!(!one(MatchKind::Matches, Comparator::Octet, "abc", "a?"));
        assert!(one(MatchKind::Matches, Comparator::Octet, "", "*"));
    }

    #[test]
    fn shortest_match_for_earlier_stars() {
        let captures = matches_any(
            &m(MatchKind::Matches, Comparator::Octet),
            &["a.b.c".to_owned()],
            &["*.*".to_owned()],
        )
        .unwrap();
        assert_eq!(captures[1..], ["a", "b.c"]);
    }

    #[test]
    fn numeric_comparator_orders_numbers() {
        assert!(one(
            MatchKind::Value(Relation::Gt),
            Comparator::AsciiNumeric,
            "100",
            "99"
        ));
        assert!(one(
            MatchKind::Value(Relation::Eq),
            Comparator::AsciiNumeric,
            "007",
            "7"
        ));
        // A value without digits is infinity, above every number.
        assert!(one(
            MatchKind::Value(Relation::Gt),
            Comparator::AsciiNumeric,
            "x",
            "999999999999999999999"
        ));
        assert!(!one(
            MatchKind::Contains,
            Comparator::AsciiNumeric,
            "123",
            "2"
        ));
    }

    #[test]
    fn count_counts_values() {
        let values = vec!["a".to_owned(), "b".to_owned()];
        assert!(
            matches_any(
                &m(MatchKind::Count(Relation::Eq), Comparator::AsciiNumeric),
                &values,
                &["2".to_owned()]
            )
            .is_some()
        );
        assert!(
            matches_any(
                &m(MatchKind::Count(Relation::Gt), Comparator::AsciiNumeric),
                &values,
                &["2".to_owned()]
            )
            .is_none()
        );
    }

    #[test]
    fn string_value_relations() {
        assert!(one(
            MatchKind::Value(Relation::Lt),
            Comparator::AsciiCasemap,
            "apple",
            "Banana"
        ));
        assert!(one(
            MatchKind::Value(Relation::Ne),
            Comparator::Octet,
            "a",
            "b"
        ));
    }
}
