//! The `:regex` match type (draft-ietf-sieve-regex-01): building a key
//! into a regular expression within fixed bounds, matching it with the
//! match variables it leaves (§3, as RFC 5229 §3.2 does for `:matches`),
//! and `set :quoteregex` (§4).
//!
//! The syntax is the `regex` crate's, a superset of the POSIX extended
//! syntax the draft names for everything scripts use in practice
//! (classes, alternation, groups, anchors, repetition); back-references
//! are not supported. Matching is linear in the value's length whatever
//! the pattern (the crate has no backtracking), and the compiled program
//! is bounded, so no pattern can make delivery slow or large. Building is
//! the costly part, so what was built (or refused) is kept in a bounded
//! process-wide cache: a script's patterns are built once, not at every
//! delivery.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::{Regex, RegexBuilder};

use super::matching::Captures;

/// Longest pattern accepted, in bytes.
pub const MAX_PATTERN_LENGTH: usize = 4096;
/// Bound on the compiled program and on the lazy DFA's cache.
const SIZE_LIMIT: usize = 1 << 18;
/// Match variables beyond `${9}` do not exist (RFC 5229 §3.2).
const MAX_MATCH_VARIABLES: usize = 10;
/// Patterns kept built; the cache is emptied when it is full. With the
/// size bound, it holds at most CACHE_SIZE × SIZE_LIMIT of programs.
const CACHE_SIZE: usize = 256;

type Built = Result<Regex, String>;

static CACHE: LazyLock<Mutex<HashMap<(String, bool), Built>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// `pattern` as a regular expression, case-insensitive when `fold`; `Err`
/// says why it is not one.
pub fn build(pattern: &str, fold: bool) -> Built {
    let key = (pattern.to_owned(), fold);
    if let Ok(cache) = CACHE.lock()
        && let Some(built) = cache.get(&key)
    {
        return built.clone();
    }
    let built = build_uncached(pattern, fold);
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(key, built.clone());
    }
    built
}

fn build_uncached(pattern: &str, fold: bool) -> Built {
    if pattern.len() > MAX_PATTERN_LENGTH {
        return Err(format!(
            "regular expression longer than {MAX_PATTERN_LENGTH} bytes"
        ));
    }
    RegexBuilder::new(pattern)
        .case_insensitive(fold)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .nest_limit(64)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "regular expression too large".to_owned(),
            // The crate's message spans several lines; its last line says
            // what is wrong.
            other => {
                let text = other.to_string();
                let last = text.lines().last().unwrap_or("").trim();
                format!(
                    "invalid regular expression: {}",
                    last.strip_prefix("error: ").unwrap_or(last)
                )
            }
        })
}

/// The match variables of the first match in `value`: `${0}` the matched
/// text, `${N}` the Nth group (empty when it took no part).
pub fn captures(regex: &Regex, value: &str) -> Option<Captures> {
    let found = regex.captures(value)?;
    Some(
        found
            .iter()
            .take(MAX_MATCH_VARIABLES)
            .map(|group| group.map_or_else(String::new, |g| g.as_str().to_owned()))
            .collect(),
    )
}

/// `set :quoteregex` (§4): every character with a meaning in a pattern
/// escaped with a backslash.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if "\\.*+?()[]{}^$|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_become_match_variables() {
        let regex = build("^\\[([a-z]+)\\] (.*)$", false).unwrap();
        assert_eq!(
            captures(&regex, "[dev] Release 1.2").unwrap(),
            vec!["[dev] Release 1.2", "dev", "Release 1.2"]
        );
        assert_eq!(captures(&regex, "no tag"), None);
    }

    #[test]
    fn a_group_that_took_no_part_is_empty() {
        let regex = build("a(x)?b", false).unwrap();
        assert_eq!(captures(&regex, "zab").unwrap(), vec!["ab", ""]);
    }

    #[test]
    fn folding_follows_the_comparator() {
        assert!(build("^hello$", true).unwrap().is_match("HeLLo"));
        assert!(!build("^hello$", false).unwrap().is_match("HeLLo"));
    }

    #[test]
    fn bad_and_oversized_patterns_are_refused() {
        assert_eq!(
            build("(unclosed", false).unwrap_err(),
            "invalid regular expression: unclosed group"
        );
        assert!(build(&"a".repeat(MAX_PATTERN_LENGTH + 1), false).is_err());
        assert_eq!(
            build("(?:a{1000}){1000}", false).unwrap_err(),
            "regular expression too large"
        );
    }

    #[test]
    fn quoted_text_matches_itself_only() {
        let text = "1+1=2? (yes) [a-z] ^$ | {3} \\ .*";
        let regex = build(&format!("^{}$", quote(text)), false).unwrap();
        assert!(regex.is_match(text));
        assert!(!regex.is_match("11=2 yes"));
    }
}
