//! LIST and LSUB patterns (RFC 9051 §6.3.9, RFC 3501 §6.3.8): joining the
//! reference with the pattern, and matching a UTF-8 mailbox name against
//! the `*` and `%` wildcards. Knows nothing about which names exist.

use crate::store::DELIMITER;

const DELIMITER_BYTE: u8 = b'/';
const INBOX: &[u8] = b"INBOX";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(u8),
    /// `*`: any octets, across hierarchy levels.
    Star,
    /// `%`: any octets except the hierarchy delimiter.
    Percent,
}

/// A canonical pattern, compiled for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    tokens: Vec<Token>,
    literals: usize,
}

impl Pattern {
    /// Joins `reference` and `pattern` into the canonical form of RFC 9051
    /// §6.3.9: the pattern is appended to the reference as is (`#news.` with
    /// `comp.*` is `#news.comp.*`), unless it starts with the delimiter and
    /// so names an absolute place in the hierarchy.
    pub(super) fn new(reference: &str, pattern: &str) -> Self {
        let canonical = if pattern.starts_with(DELIMITER) {
            pattern.to_owned()
        } else {
            format!("{reference}{pattern}")
        };
        Self::compile(canonical.as_bytes())
    }

    fn compile(canonical: &[u8]) -> Self {
        let mut tokens: Vec<Token> = Vec::with_capacity(canonical.len());
        for &b in canonical {
            let token = match b {
                b'*' => Token::Star,
                b'%' => Token::Percent,
                other => Token::Literal(other),
            };
            // Adjacent wildcards collapse: `**` and `%*` are `*`, `%%` is
            // `%`. This keeps matching linear in the name for each literal.
            match (tokens.last_mut(), token) {
                (Some(last @ (Token::Star | Token::Percent)), Token::Star) => *last = Token::Star,
                (Some(Token::Star | Token::Percent), Token::Percent) => {}
                _ => tokens.push(token),
            }
        }
        let literals = tokens
            .iter()
            .filter(|t| matches!(t, Token::Literal(_)))
            .count();
        Self { tokens, literals }
    }

    /// Whether `name` matches. The first hierarchy level of a name in the
    /// INBOX tree compares case-insensitively (RFC 9051 §5.1): `inbox`,
    /// `Inbox/%` and `in*` all match INBOX.
    pub(super) fn matches(&self, name: &str) -> bool {
        let name = name.as_bytes();
        // Each literal consumes one octet, so a pattern with more literals
        // than the name has octets cannot match. With wildcards collapsed,
        // this bounds the tokens to about twice the name's length (at most
        // MAX_NAME_LEN octets), and so the work a hostile pattern can cause.
        if self.literals > name.len() {
            return false;
        }
        let folded = inbox_prefix_len(name);
        // reachable[j]: the tokens so far can consume exactly name[..j].
        let mut reachable = vec![false; name.len() + 1];
        let mut next = vec![false; name.len() + 1];
        if let Some(first) = reachable.first_mut() {
            *first = true;
        }
        for token in &self.tokens {
            step(&reachable, &mut next, *token, name, folded);
            std::mem::swap(&mut reachable, &mut next);
            if !reachable.contains(&true) {
                return false;
            }
        }
        reachable.last().copied().unwrap_or(false)
    }
}

/// How many leading octets of `name` compare case-insensitively: 5 for
/// INBOX and names below it, else 0.
fn inbox_prefix_len(name: &[u8]) -> usize {
    match name.strip_prefix(INBOX) {
        Some(rest) if rest.is_empty() || rest.first() == Some(&DELIMITER_BYTE) => INBOX.len(),
        _ => 0,
    }
}

/// Fills `next` with the name positions reachable after `token`.
fn step(reachable: &[bool], next: &mut [bool], token: Token, name: &[u8], folded: usize) {
    next.fill(false);
    match token {
        Token::Literal(want) => {
            for (j, (&octet, &from)) in name.iter().zip(reachable).enumerate() {
                let same = if j < folded {
                    octet.eq_ignore_ascii_case(&want)
                } else {
                    octet == want
                };
                if from
                    && same
                    && let Some(slot) = next.get_mut(j + 1)
                {
                    *slot = true;
                }
            }
        }
        Token::Star => {
            let mut seen = false;
            for (slot, &from) in next.iter_mut().zip(reachable) {
                seen |= from;
                *slot = seen;
            }
        }
        Token::Percent => {
            // `%` extends a match over octets until the next delimiter.
            let mut open = false;
            let octets = std::iter::once(None).chain(name.iter().map(Some));
            for ((slot, &from), octet) in next.iter_mut().zip(reachable).zip(octets) {
                open = from || (open && octet.is_some_and(|&b| b != DELIMITER_BYTE));
                *slot = open;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn p(pattern: &str) -> Pattern {
        Pattern::new("", pattern)
    }

    #[test]
    fn star_crosses_levels_and_percent_does_not() {
        assert!(p("*").matches("a/b/c"));
        assert!(p("%").matches("abc"));
        assert!(!p("%").matches("a/b"));
        assert!(p("a/%").matches("a/b"));
        assert!(!p("a/%").matches("a/b/c"));
        assert!(p("a/*").matches("a/b/c"));
        assert!(!p("a/*").matches("a"));
    }

    #[test]
    fn wildcards_may_match_nothing() {
        assert!(p("a*").matches("a"));
        assert!(p("a%b").matches("ab"));
        assert!(p("%a%").matches("a"));
    }

    #[test]
    fn percent_in_the_middle_stays_in_one_level() {
        assert!(p("a%c").matches("abbc"));
        assert!(!p("a%c").matches("ab/c"));
        assert!(p("a*c").matches("ab/c"));
    }

    #[test]
    fn inbox_matches_in_any_case_but_other_names_do_not() {
        assert!(p("inbox").matches("INBOX"));
        assert!(p("Inbox/%").matches("INBOX/Sub"));
        assert!(p("in%").matches("INBOX"));
        assert!(!p("inbox/sub").matches("INBOX/Sub"));
        assert!(!p("sent").matches("Sent"));
        assert!(!p("inbox%").matches("INBOXES"));
    }

    #[test]
    fn reference_is_a_plain_prefix_unless_the_pattern_is_absolute() {
        assert!(Pattern::new("#news.", "comp.*").matches("#news.comp.mail"));
        assert!(Pattern::new("archive/", "%").matches("archive/2024"));
        assert!(Pattern::new("Fruit", "%").matches("Fruitcake"));
        assert!(!Pattern::new("archive/", "/x").matches("archive/x"));
    }

    #[test]
    fn a_pattern_longer_than_any_name_matches_nothing_quickly() {
        let hostile = "%a".repeat(5000);
        assert!(!p(&hostile).matches(&"a".repeat(1024)));
    }

    #[test]
    fn many_wildcards_do_not_backtrack_exponentially() {
        let pattern = format!("{}b", "*a".repeat(40));
        let name = "a".repeat(1000);
        assert!(!p(&pattern).matches(&name));
    }
}
