//! Variables (RFC 5229): the named variables a script sets, the match
//! variables `${0}`..`${9}`, expansion of `${name}` in strings, and the
//! `set` modifiers; with include (RFC 6609 §3.3, §3.5) the global
//! variables the scripts of one run share. Values are cut at a bound.

use std::collections::{HashMap, HashSet};

use super::matching::Captures;
use super::script::Modifier;

#[derive(Debug, Clone, Default)]
pub struct Variables {
    named: HashMap<String, String>,
    /// Shared with the scripts this one includes or is included by.
    globals: HashMap<String, String>,
    /// The names this script declared `global`.
    declared: HashSet<String>,
    matched: Captures,
    max_size: usize,
}

/// Where a variable name lives.
enum Slot<'a> {
    Local(String),
    Global(&'a str),
}

impl Variables {
    pub fn new(max_size: usize) -> Self {
        Self {
            max_size,
            ..Self::default()
        }
    }

    /// An included script's variables: its own locals and match
    /// variables, and the globals taken from `outer` (give them back with
    /// [`Self::leave`]).
    pub fn enter(outer: &mut Self) -> Self {
        Self {
            globals: std::mem::take(&mut outer.globals),
            ..Self::new(outer.max_size)
        }
    }

    /// Back from an included script: `outer` gets the globals as it left
    /// them.
    pub fn leave(self, outer: &mut Self) {
        outer.globals = self.globals;
    }

    /// RFC 6609 §3.3: from here on, `name` is the global variable.
    pub fn declare_global(&mut self, name: &str) {
        self.declared.insert(name.to_ascii_lowercase());
    }

    fn slot<'a>(&self, name: &'a str) -> Slot<'a> {
        if let Some(prefix) = name.get(..7)
            && prefix.eq_ignore_ascii_case("global.")
        {
            return Slot::Global(name.get(7..).unwrap_or_default());
        }
        let lower = name.to_ascii_lowercase();
        if self.declared.contains(&lower) {
            Slot::Global(name)
        } else {
            Slot::Local(lower)
        }
    }

    pub fn get(&self, name: &str) -> &str {
        let value = match self.slot(name) {
            Slot::Local(name) => self.named.get(&name),
            Slot::Global(name) => self.globals.get(&name.to_ascii_lowercase()),
        };
        value.map_or("", String::as_str)
    }

    pub fn set(&mut self, name: &str, value: String) {
        let value = truncate(value, self.max_size);
        match self.slot(name) {
            Slot::Local(name) => self.named.insert(name, value),
            Slot::Global(name) => self.globals.insert(name.to_ascii_lowercase(), value),
        };
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
            Modifier::QuoteRegex => super::pattern::quote(&value),
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
    fn an_included_script_shares_only_declared_globals() {
        let mut outer = Variables::new(100);
        outer.declare_global("shared");
        outer.set("shared", "from outer".into());
        outer.set("local", "outer only".into());
        let mut inner = Variables::enter(&mut outer);
        assert_eq!(inner.get("local"), "");
        assert_eq!(inner.get("shared"), "");
        assert_eq!(inner.get("global.shared"), "from outer");
        inner.declare_global("SHARED");
        inner.set("shared", "from inner".into());
        inner.leave(&mut outer);
        assert_eq!(outer.get("shared"), "from inner");
        assert_eq!(outer.get("local"), "outer only");
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
