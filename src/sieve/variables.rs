//! Variables (RFC 5229): the named variables a script sets, the match
//! variables `${0}`..`${9}`, expansion of `${name}` in strings, and the
//! `set` modifiers. Values are cut at a bound.

use std::collections::HashMap;

use super::matching::Captures;
use super::script::Modifier;

#[derive(Debug, Clone, Default)]
pub struct Variables {
    named: HashMap<String, String>,
    matched: Captures,
    max_size: usize,
}

impl Variables {
    pub fn new(max_size: usize) -> Self {
        Self {
            max_size,
            ..Self::default()
        }
    }

    pub fn get(&self, name: &str) -> &str {
        self.named
            .get(&name.to_ascii_lowercase())
            .map_or("", String::as_str)
    }

    pub fn set(&mut self, name: &str, value: String) {
        let value = truncate(value, self.max_size);
        self.named.insert(name.to_ascii_lowercase(), value);
    }

    /// RFC 5229 §3.2: a successful match replaces all match variables.
    pub fn set_matched(&mut self, captures: Captures) {
        self.matched = captures
            .into_iter()
            .map(|c| truncate(c, self.max_size))
            .collect();
    }

    /// Replaces each `${name}` and `${N}` in `text`; an unknown variable is
    /// empty, and a malformed reference stays as written (RFC 5229 §3).
    pub fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            let name = &after[..name_len];
            if !name.is_empty() && after[name_len..].starts_with('}') && valid_reference(name) {
                out.push_str(self.lookup(name));
                rest = &after[name_len + 1..];
            } else {
                out.push_str("${");
                rest = after;
            }
            if out.len() > self.max_size {
                break;
            }
        }
        out.push_str(rest);
        truncate(out, self.max_size)
    }

    fn lookup(&self, name: &str) -> &str {
        if name.bytes().all(|b| b.is_ascii_digit()) {
            let index: usize = name.parse().unwrap_or(usize::MAX);
            return self.matched.get(index).map_or("", String::as_str);
        }
        self.get(name)
    }
}

/// An identifier, or digits (a match variable), or a namespaced name.
fn valid_reference(name: &str) -> bool {
    let digits = name.bytes().all(|b| b.is_ascii_digit());
    let identifier = name.split('.').all(|part| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    });
    digits || identifier
}

fn truncate(mut value: String, max: usize) -> String {
    if value.len() > max {
        let mut cut = max;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        value.truncate(cut);
    }
    value
}

/// Applies `set` modifiers, already sorted highest precedence first
/// (RFC 5229 §4.1).
pub fn apply_modifiers(mut value: String, modifiers: &[Modifier]) -> String {
    for modifier in modifiers {
        value = match modifier {
            Modifier::Lower => value.to_lowercase(),
            Modifier::Upper => value.to_uppercase(),
            Modifier::LowerFirst => first_char(&value, |c| c.to_lowercase().collect()),
            Modifier::UpperFirst => first_char(&value, |c| c.to_uppercase().collect()),
            Modifier::QuoteWildcard => {
                let mut out = String::with_capacity(value.len());
                for c in value.chars() {
                    if matches!(c, '*' | '?' | '\\') {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out
            }
            Modifier::Length => value.chars().count().to_string(),
        };
    }
    value
}

fn first_char(value: &str, map: impl Fn(char) -> String) -> String {
    let mut chars = value.chars();
    match chars.next() {
        Some(c) => map(c) + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_of_named_and_match_variables() {
        let mut vars = Variables::new(100);
        vars.set("Folder", "Lists".into());
        vars.set_matched(vec!["all".into(), "one".into()]);
        assert_eq!(vars.expand("${folder}/${1}/${2}/${unknown}"), "Lists/one//");
        assert_eq!(vars.expand("${bad-name} ${ ${x"), "${bad-name} ${ ${x");
    }

    #[test]
    fn values_are_cut_at_the_bound() {
        let mut vars = Variables::new(4);
        vars.set("x", "abcdefgh".into());
        assert_eq!(vars.get("x"), "abcd");
        assert_eq!(vars.expand("${x}${x}"), "abcd");
    }

    #[test]
    fn modifiers_in_precedence_order() {
        assert_eq!(
            apply_modifiers("hello".into(), &[Modifier::Upper, Modifier::Length]),
            "5"
        );
        assert_eq!(
            apply_modifiers("WORLD".into(), &[Modifier::Lower, Modifier::UpperFirst]),
            "World"
        );
        assert_eq!(
            apply_modifiers("a*b?".into(), &[Modifier::QuoteWildcard]),
            "a\\*b\\?"
        );
    }
}
