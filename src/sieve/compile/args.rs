//! Sorting a command's or test's arguments into tags and positional
//! arguments (RFC 5228 §2.6), and the argument kinds shared by many tests:
//! comparators, match types and address parts, with the extension each
//! needs.

use std::collections::HashSet;

use super::super::ast::{Argument, Pos, Value};
use super::super::error::CompileError;
use super::super::pattern;
use super::super::script::{AddressPart, Comparator, FieldIndex, MatchKind, Matcher, Relation};
use super::encoded;

/// What follows a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Follows {
    Nothing,
    String,
    StringList,
    Number,
}

/// The match type and comparator tags every matching test takes.
pub(super) const MATCH_TAGS: &[(&str, Follows)] = &[
    ("is", Follows::Nothing),
    ("contains", Follows::Nothing),
    ("matches", Follows::Nothing),
    ("regex", Follows::Nothing),
    ("count", Follows::String),
    ("value", Follows::String),
    ("comparator", Follows::String),
];

/// `:index N [:last]` (RFC 5260 §6).
pub(super) const INDEX_TAGS: &[(&str, Follows)] =
    &[("index", Follows::Number), ("last", Follows::Nothing)];

pub(super) const ADDRESS_PART_TAGS: &[(&str, Follows)] = &[
    ("all", Follows::Nothing),
    ("localpart", Follows::Nothing),
    ("domain", Follows::Nothing),
    ("user", Follows::Nothing),
    ("detail", Follows::Nothing),
];

/// The extensions a script required, and how its strings are read.
pub(super) struct Context {
    pub required: HashSet<String>,
}

impl Context {
    pub fn has(&self, extension: &str) -> bool {
        self.required.contains(extension)
    }

    /// RFC 5228 §3.2: an extension used without `require` is an error.
    pub fn need(&self, extension: &str, pos: Pos) -> Result<(), CompileError> {
        if self.has(extension) {
            Ok(())
        } else {
            Err(CompileError::at(
                pos,
                format!("missing require for extension \"{extension}\""),
            ))
        }
    }

    /// A string as the script means it: with `encoded-character`, its
    /// `${hex:}` and `${unicode:}` sequences decoded (RFC 5228 §2.4.2.4).
    pub fn text(&self, text: &str, pos: Pos) -> Result<String, CompileError> {
        if self.has("encoded-character") {
            encoded::decode(text).map_err(|message| CompileError::at(pos, message))
        } else {
            Ok(text.to_owned())
        }
    }
}

/// One tag as written, with the argument that follows it.
pub(super) struct Tagged {
    pub name: String,
    pub pos: Pos,
    pub value: Option<Argument>,
}

/// A command's or test's arguments, sorted.
pub(super) struct Arguments {
    pub tags: Vec<Tagged>,
    pub positional: Vec<Argument>,
    /// Where the command or test itself is, for "expected an argument".
    pub pos: Pos,
    pub what: String,
}

impl Arguments {
    /// Sorts `arguments` by `allowed`: tags come first, each once, then the
    /// positional arguments (RFC 5228 §2.6.2).
    pub fn split(
        what: &str,
        pos: Pos,
        arguments: &[Argument],
        allowed: &[&[(&str, Follows)]],
    ) -> Result<Self, CompileError> {
        let mut tags: Vec<Tagged> = Vec::new();
        let mut positional = Vec::new();
        let mut iter = arguments.iter();
        while let Some(argument) = iter.next() {
            let Value::Tag(name) = &argument.value else {
                positional.push(argument.clone());
                continue;
            };
            if !positional.is_empty() {
                return Err(CompileError::at(
                    argument.pos,
                    format!("tag :{name} must come before the positional arguments of {what}"),
                ));
            }
            let Some(follows) = allowed
                .iter()
                .flat_map(|set| set.iter())
                .find(|(t, _)| t == name)
                .map(|(_, f)| *f)
            else {
                return Err(CompileError::at(
                    argument.pos,
                    format!("unknown tag :{name} for {what}"),
                ));
            };
            if tags.iter().any(|t| &t.name == name) {
                return Err(CompileError::at(
                    argument.pos,
                    format!("tag :{name} given twice"),
                ));
            }
            let value = match follows {
                Follows::Nothing => None,
                _ => {
                    let next = iter.next().ok_or_else(|| {
                        CompileError::at(argument.pos, format!("tag :{name} needs an argument"))
                    })?;
                    let fits = matches!(
                        (follows, &next.value),
                        (Follows::String, Value::String(_))
                            | (Follows::StringList, Value::String(_) | Value::List(_))
                            | (Follows::Number, Value::Number(_))
                    );
                    if !fits {
                        return Err(CompileError::at(
                            next.pos,
                            format!("tag :{name} needs {}", follows_name(follows)),
                        ));
                    }
                    Some(next.clone())
                }
            };
            tags.push(Tagged {
                name: name.clone(),
                pos: argument.pos,
                value,
            });
        }
        Ok(Self {
            tags,
            positional,
            pos,
            what: what.to_owned(),
        })
    }

    pub fn flag(&self, name: &str) -> Option<Pos> {
        self.tags.iter().find(|t| t.name == name).map(|t| t.pos)
    }

    pub fn tag(&self, name: &str) -> Option<&Tagged> {
        self.tags.iter().find(|t| t.name == name)
    }

    /// Checks the number of positional arguments is within `min..=max`.
    pub fn expect_positional(&self, min: usize, max: usize) -> Result<(), CompileError> {
        if self.positional.len() < min {
            let at = self.positional.last().map_or(self.pos, |a| a.pos);
            return Err(CompileError::at(
                at,
                format!(
                    "{} needs {min} positional argument(s), found {}",
                    self.what,
                    self.positional.len()
                ),
            ));
        }
        if let Some(extra) = self.positional.get(max) {
            return Err(CompileError::at(
                extra.pos,
                format!("too many arguments for {}", self.what),
            ));
        }
        Ok(())
    }

    /// The match type and comparator (RFC 5228 §2.7.1, §2.7.3; RFC 5231).
    pub fn matcher(&self, context: &Context) -> Result<Matcher, CompileError> {
        let mut kind = None;
        for tag in &self.tags {
            let this = match tag.name.as_str() {
                "is" => MatchKind::Is,
                "contains" => MatchKind::Contains,
                "matches" => MatchKind::Matches,
                "regex" => {
                    context.need("regex", tag.pos)?;
                    MatchKind::Regex
                }
                "count" | "value" => {
                    context.need("relational", tag.pos)?;
                    let relation = tag.value.as_ref().and_then(|v| match &v.value {
                        Value::String(s) => Relation::parse(s),
                        _ => None,
                    });
                    let Some(relation) = relation else {
                        return Err(CompileError::at(
                            tag.pos,
                            "relational match needs one of \"gt\", \"ge\", \"lt\", \"le\", \"eq\", \"ne\"",
                        ));
                    };
                    if tag.name == "count" {
                        MatchKind::Count(relation)
                    } else {
                        MatchKind::Value(relation)
                    }
                }
                _ => continue,
            };
            if kind.replace(this).is_some() {
                return Err(CompileError::at(
                    tag.pos,
                    "only one match type may be given",
                ));
            }
        }
        let comparator = match self.tag("comparator") {
            None => Comparator::AsciiCasemap,
            Some(tag) => {
                let name = match tag.value.as_ref().map(|v| &v.value) {
                    Some(Value::String(s)) => s.to_ascii_lowercase(),
                    _ => String::new(),
                };
                match name.as_str() {
                    "i;octet" => Comparator::Octet,
                    "i;ascii-casemap" => Comparator::AsciiCasemap,
                    "i;ascii-numeric" => {
                        context.need("comparator-i;ascii-numeric", tag.pos)?;
                        Comparator::AsciiNumeric
                    }
                    _ => {
                        return Err(CompileError::at(
                            tag.pos,
                            format!("unknown comparator \"{name}\""),
                        ));
                    }
                }
            }
        };
        let kind = kind.unwrap_or(MatchKind::Is);
        if kind == MatchKind::Regex
            && comparator == Comparator::AsciiNumeric
            && let Some(tag) = self.tag("comparator")
        {
            return Err(CompileError::at(
                tag.pos,
                "i;ascii-numeric cannot be used with :regex",
            ));
        }
        Ok(Matcher { comparator, kind })
    }

    /// The key list at positional `at`; with `:regex`, each constant key
    /// must be a valid pattern (draft-ietf-sieve-regex-01 §3), reported
    /// where the list is written.
    pub fn keys(&self, at: usize, context: &Context) -> Result<Vec<String>, CompileError> {
        let Some(argument) = self.positional.get(at) else {
            return Err(CompileError::at(self.pos, "the key list is missing"));
        };
        let keys = string_list(argument, context, "the key list")?;
        if self.flag("regex").is_some() {
            let fold = !matches!(
                self.tag("comparator").and_then(|t| t.value.as_ref()).map(|v| &v.value),
                Some(Value::String(s)) if s.eq_ignore_ascii_case("i;octet")
            );
            for key in &keys {
                if context.has("variables") && key.contains("${") {
                    continue;
                }
                if let Err(message) = pattern::build(key, fold) {
                    return Err(CompileError::at(argument.pos, message));
                }
            }
        }
        Ok(keys)
    }

    /// `:index N [:last]` (RFC 5260 §6; needs "index"), N from 1.
    pub fn index(&self, context: &Context) -> Result<Option<FieldIndex>, CompileError> {
        match (self.tag("index"), self.flag("last")) {
            (Some(tag), last) => {
                context.need("index", tag.pos)?;
                let n = tag.value.as_ref().map_or(Ok(0), |v| number(v, ":index"))?;
                if n == 0 {
                    return Err(CompileError::at(tag.pos, ":index starts at 1"));
                }
                Ok(Some(FieldIndex {
                    position: usize::try_from(n).unwrap_or(usize::MAX),
                    from_end: last.is_some(),
                }))
            }
            (None, Some(pos)) => Err(CompileError::at(pos, ":last needs :index")),
            (None, None) => Ok(None),
        }
    }

    /// The address part (RFC 5228 §2.7.4; `:user`/`:detail` need
    /// subaddress, RFC 5233).
    pub fn address_part(&self, context: &Context) -> Result<AddressPart, CompileError> {
        let mut part = None;
        for tag in &self.tags {
            let this = match tag.name.as_str() {
                "all" => AddressPart::All,
                "localpart" => AddressPart::LocalPart,
                "domain" => AddressPart::Domain,
                "user" | "detail" => {
                    context.need("subaddress", tag.pos)?;
                    if tag.name == "user" {
                        AddressPart::User
                    } else {
                        AddressPart::Detail
                    }
                }
                _ => continue,
            };
            if part.replace(this).is_some() {
                return Err(CompileError::at(
                    tag.pos,
                    "only one address part may be given",
                ));
            }
        }
        Ok(part.unwrap_or(AddressPart::All))
    }
}

fn follows_name(follows: Follows) -> &'static str {
    match follows {
        Follows::Nothing => "nothing",
        Follows::String => "a string",
        Follows::StringList => "a string list",
        Follows::Number => "a number",
    }
}

/// A positional argument that must be a single string.
pub(super) fn string(
    argument: &Argument,
    context: &Context,
    what: &str,
) -> Result<String, CompileError> {
    match &argument.value {
        Value::String(s) => context.text(s, argument.pos),
        Value::List(list) if list.len() == 1 => context.text(&list[0], argument.pos),
        _ => Err(CompileError::at(
            argument.pos,
            format!("{what} must be a string"),
        )),
    }
}

/// A positional argument that is a string list (a single string is a list
/// of one, RFC 5228 §2.4.2.1).
pub(super) fn string_list(
    argument: &Argument,
    context: &Context,
    what: &str,
) -> Result<Vec<String>, CompileError> {
    match &argument.value {
        Value::String(s) => Ok(vec![context.text(s, argument.pos)?]),
        Value::List(list) => list.iter().map(|s| context.text(s, argument.pos)).collect(),
        _ => Err(CompileError::at(
            argument.pos,
            format!("{what} must be a string list"),
        )),
    }
}

pub(super) fn number(argument: &Argument, what: &str) -> Result<u64, CompileError> {
    match argument.value {
        Value::Number(n) => Ok(n),
        _ => Err(CompileError::at(
            argument.pos,
            format!("{what} must be a number"),
        )),
    }
}
