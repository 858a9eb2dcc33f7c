//! Evaluating tests (RFC 5228 §5 and the extensions' tests) against the
//! message, the envelope and the environment, and setting the match
//! variables a successful match leaves. Takes no action.

use super::super::matching::matches_any;
use super::super::script::{FieldIndex, MatchKind, Matcher, Test};
use super::{Run, address_part, split_flags};

impl Run<'_, '_> {
    pub(super) fn test(&mut self, test: &Test) -> bool {
        match test {
            Test::True => true,
            Test::False => false,
            Test::Not(inner) => !self.test(inner),
            Test::AllOf(tests) => tests.iter().all(|t| self.test(t)),
            Test::AnyOf(tests) => tests.iter().any(|t| self.test(t)),
            Test::Exists(names) => self.texts(names).iter().all(|n| self.message.has_field(n)),
            Test::Size { over, limit } => {
                if *over {
                    self.message.size > *limit
                } else {
                    self.message.size < *limit
                }
            }
            Test::Header {
                matcher,
                index,
                names,
                keys,
            } => {
                let values: Vec<String> = self
                    .texts(names)
                    .iter()
                    .flat_map(|n| select(*index, self.message.header_values(n)))
                    .collect();
                self.compare(matcher, &values, keys)
            }
            Test::Address {
                matcher,
                part,
                index,
                names,
                keys,
            } => {
                let values: Vec<String> = self
                    .texts(names)
                    .iter()
                    .flat_map(|n| select(*index, self.message.address_fields(n)))
                    .flatten()
                    .filter_map(|a| address_part(&a, *part, None))
                    .collect();
                self.compare(matcher, &values, keys)
            }
            Test::Envelope {
                matcher,
                part,
                names,
                keys,
            } => {
                let envelope = self.input.envelope;
                let values: Vec<String> = names
                    .iter()
                    .filter_map(|n| {
                        if n.eq_ignore_ascii_case("from") {
                            address_part(&envelope.from, *part, None)
                        } else {
                            address_part(&envelope.to, *part, envelope.detail.as_deref())
                        }
                    })
                    .collect();
                self.compare(matcher, &values, keys)
            }
            Test::String {
                matcher,
                sources,
                keys,
            } => {
                let mut values = self.texts(sources);
                // RFC 5229 §5: with :count, empty strings do not count.
                if matches!(matcher.kind, MatchKind::Count(_)) {
                    values.retain(|v| !v.is_empty());
                }
                self.compare(matcher, &values, keys)
            }
            Test::HasFlag {
                matcher,
                variables,
                keys,
            } => {
                let values = match variables {
                    Some(names) => {
                        let values: Vec<String> = self
                            .texts(names)
                            .iter()
                            .map(|n| self.variables.get(n).to_owned())
                            .collect();
                        split_flags(&values)
                    }
                    None => self.outcome.flags.clone(),
                };
                self.compare(matcher, &values, keys)
            }
            Test::Body {
                matcher,
                transform,
                keys,
            } => {
                let values = self.message.body_texts(transform);
                self.compare(matcher, &values, keys)
            }
            Test::MailboxExists(names) => self
                .texts(names)
                .iter()
                .all(|n| self.input.environment.mailbox_exists(n)),
            Test::Date {
                matcher,
                zone,
                index,
                name,
                part,
                keys,
            } => self.date(matcher, zone, *index, name, part, keys),
            Test::CurrentDate {
                matcher,
                zone,
                part,
                keys,
            } => self.current_date(matcher, zone, part, keys),
            Test::Duplicate {
                handle,
                id,
                seconds,
                last,
            } => self.duplicate(handle.as_deref(), id, *seconds, *last),
            Test::Environment {
                matcher,
                name,
                keys,
            } => match self.environment_item(&self.text(name)) {
                Some(value) => self.compare(matcher, &[value], keys),
                None => false,
            },
            Test::Spam {
                matcher,
                percent,
                value,
            } => {
                let score = match (self.input.spam, percent) {
                    (None, _) => 0,
                    (Some(s), false) => s.spamtest,
                    (Some(s), true) => s.percent,
                };
                self.compare(matcher, &[score.to_string()], std::slice::from_ref(value))
            }
        }
    }

    /// RFC 5183 §4.1: the items this interpreter knows itself, then those
    /// the delivery knows.
    fn environment_item(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            // Sieve runs at final delivery, while the message is delivered.
            "location" => Some("MDA".to_owned()),
            "phase" => Some("during".to_owned()),
            "name" => Some("postamt".to_owned()),
            "version" => Some(env!("CARGO_PKG_VERSION").to_owned()),
            _ => self.input.environment.item(&name),
        }
    }

    /// Matches and, for `:matches` and `:regex`, sets the match variables.
    pub(super) fn compare(
        &mut self,
        matcher: &Matcher,
        values: &[String],
        keys: &[String],
    ) -> bool {
        let keys = self.texts(keys);
        match matches_any(matcher, values, &keys) {
            Some(captures) => {
                if self.expand && matches!(matcher.kind, MatchKind::Matches | MatchKind::Regex) {
                    self.variables.set_matched(captures);
                }
                true
            }
            None => false,
        }
    }
}

/// All of `items`, or with `:index` only the one it names (RFC 5260 §6).
pub(super) fn select<T>(index: Option<FieldIndex>, items: Vec<T>) -> Vec<T> {
    match index {
        None => items,
        Some(index) => index.select(items).into_iter().collect(),
    }
}
