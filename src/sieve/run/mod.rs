//! The interpreter: runs a compiled [`Script`] over a message, the
//! envelope and what the outside world answers ([`Environment`]), adding
//! to an [`Outcome`]. Bounded by [`Limits`]; scripts have no loops,
//! blocks nest at most as deep as the parser allows, and includes as deep
//! and as many as the limits allow. A runtime error is
//! returned, never a panic; the caller falls back to keep.

use std::sync::Arc;
use std::time::SystemTime;

use super::Limits;
use super::matching::matches_any;
use super::message::Message;
use super::outcome::{Action, Outcome, VacationRequest};
use super::script::{AddressPart, Command, FlagChange, Script, Vacation};
use super::variables::{Variables, apply_modifiers};
use crate::delivery::IncludeLocation;

/// The envelope of the delivery (RFC 5228 §5.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path, empty for the null sender.
    pub from: String,
    /// The recipient being delivered to.
    pub to: String,
    /// The plus-address detail of `to` the delivery found (RFC 5233).
    pub detail: Option<String>,
}

/// What a script may ask of the world outside the message.
pub trait Environment {
    /// Whether the user has this mailbox (RFC 5490 §3.1 `mailboxexists`).
    fn mailbox_exists(&self, name: &str) -> bool;

    /// An `environment` item only the delivery knows (RFC 5183 §4.1:
    /// "domain", "host", "remote-host", "remote-ip"), by its lower-case
    /// name; `None` when unknown, and an unknown item never matches. The
    /// interpreter answers "location", "name", "phase" and "version"
    /// itself.
    fn item(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// Whether the user's scripts tracked `id` under `handle` and it has
    /// not expired (RFC 7352 §3); tracking is the caller's, after the run.
    fn duplicate_seen(&self, handle: &str, id: &str) -> bool {
        let _ = (handle, id);
        false
    }

    /// The compiled script an `include` names (RFC 6609 §3.2); `Ok(None)`
    /// when there is no such script, `Err` with the reason when it cannot
    /// be had (storage failed, it does not compile).
    fn include(
        &self,
        location: IncludeLocation,
        name: &str,
    ) -> Result<Option<Arc<Script>>, String> {
        let _ = (location, name);
        Ok(None)
    }
}

/// The anti-spam verdict as `spamtest` sees it (RFC 5235).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpamScores {
    /// 1 to 10.
    pub spamtest: u8,
    /// 0 to 100.
    pub percent: u8,
}

/// Everything a run reads besides the message.
pub struct Input<'a> {
    pub envelope: &'a Envelope,
    /// `None` when no anti-spam stage ran: spamtest is then 0, "not tested".
    pub spam: Option<SpamScores>,
    pub environment: &'a dyn Environment,
    pub limits: &'a Limits,
    /// The time of delivery, for `currentdate` (RFC 5260 §5); tests fix it.
    pub now: SystemTime,
}

/// Why a run stopped short.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("more than {0} actions")]
    TooManyActions(usize),
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    #[error("reject cannot be combined with keep, fileinto, redirect or vacation (RFC 5429 §2.1)")]
    RejectConflict,
    #[error("vacation given twice (RFC 5230 §4)")]
    SecondVacation,
    #[error("included script \"{0}\" does not exist (RFC 6609 §3.2)")]
    IncludeMissing(String),
    #[error("script \"{0}\" includes itself (RFC 6609 §3.2)")]
    IncludeLoop(String),
    #[error("includes nested deeper than {0}")]
    IncludeTooDeep(usize),
    #[error("more than {0} included scripts")]
    TooManyIncludes(usize),
    #[error("included script \"{name}\": {reason}")]
    IncludeFailed { name: String, reason: String },
}

enum Flow {
    Next,
    Stop,
    /// `return` (RFC 6609 §3.4): ends the current script only.
    Return,
}

/// Runs `script`; `message` sees editheader's changes, `outcome` collects
/// the actions. `stop` ends this script only.
pub fn run(
    script: &Script,
    message: &mut Message,
    input: &Input<'_>,
    outcome: &mut Outcome,
) -> Result<(), RunError> {
    run_as(script, None, message, input, outcome)
}

/// [`run`] for a script an `include` could name too (`origin`: where and
/// under which name it is stored), so that including itself, directly or
/// through others, is found as the loop it is (RFC 6609 §3.2).
pub fn run_as(
    script: &Script,
    origin: Option<(IncludeLocation, &str)>,
    message: &mut Message,
    input: &Input<'_>,
    outcome: &mut Outcome,
) -> Result<(), RunError> {
    let mut run = Run {
        message,
        input,
        outcome,
        variables: Variables::new(input.limits.max_variable_size),
        expand: script.variables,
        vacation_given: false,
        included: Vec::new(),
        including: Vec::new(),
        origin: origin.map(|(location, name)| (location, name.to_owned())),
    };
    run.block(&script.commands).map(|_| ())
}

struct Run<'a, 'b> {
    message: &'a mut Message,
    input: &'a Input<'b>,
    outcome: &'a mut Outcome,
    variables: Variables,
    expand: bool,
    vacation_given: bool,
    /// Every include done so far (repeats too), for `:once` and the bound.
    included: Vec<(IncludeLocation, String)>,
    /// The scripts being run by `include`, outermost first.
    including: Vec<(IncludeLocation, String)>,
    /// Where the top-level script is stored, when an include could name it.
    origin: Option<(IncludeLocation, String)>,
}

impl Run<'_, '_> {
    fn text(&self, text: &str) -> String {
        if self.expand {
            self.variables.expand(text)
        } else {
            text.to_owned()
        }
    }

    fn texts(&self, texts: &[String]) -> Vec<String> {
        texts.iter().map(|t| self.text(t)).collect()
    }

    fn block(&mut self, commands: &[Command]) -> Result<Flow, RunError> {
        for command in commands {
            match self.command(command)? {
                Flow::Next => {}
                end => return Ok(end),
            }
        }
        Ok(Flow::Next)
    }

    fn command(&mut self, command: &Command) -> Result<Flow, RunError> {
        match command {
            Command::If {
                branches,
                otherwise,
            } => {
                for (test, block) in branches {
                    if self.test(test) {
                        return self.block(block);
                    }
                }
                if let Some(block) = otherwise {
                    return self.block(block);
                }
            }
            Command::Stop => return Ok(Flow::Stop),
            Command::Return => return Ok(Flow::Return),
            Command::Global(names) => {
                for name in names {
                    self.variables.declare_global(name);
                }
            }
            Command::Include {
                location,
                once,
                optional,
                name,
            } => return self.include(*location, *once, *optional, name),
            Command::Keep { flags } => {
                let flags = self.flags_for(flags.as_deref());
                self.outcome.implicit_keep = false;
                if !self
                    .outcome
                    .actions
                    .iter()
                    .any(|a| matches!(a, Action::Keep { .. }))
                {
                    self.act(Action::Keep { flags })?;
                }
            }
            Command::Discard => {
                self.outcome.implicit_keep = false;
                if !self.outcome.actions.contains(&Action::Discard) {
                    self.act(Action::Discard)?;
                }
            }
            Command::FileInto {
                mailbox,
                copy,
                create,
                flags,
            } => {
                let mailbox = self.text(mailbox);
                let flags = self.flags_for(flags.as_deref());
                if !copy {
                    self.outcome.implicit_keep = false;
                }
                // RFC 5228 §2.10.3: the same mailbox twice is one copy.
                let already = self
                    .outcome
                    .actions
                    .iter()
                    .any(|a| matches!(a, Action::FileInto { mailbox: m, .. } if *m == mailbox));
                if !already {
                    self.act(Action::FileInto {
                        mailbox,
                        flags,
                        create: *create,
                    })?;
                }
            }
            Command::Redirect { address, copy } => {
                let address = self.text(address);
                if !copy {
                    self.outcome.implicit_keep = false;
                }
                let redirects = self
                    .outcome
                    .actions
                    .iter()
                    .filter(|a| matches!(a, Action::Redirect { .. }));
                let mut count = 0;
                let mut already = false;
                for action in redirects {
                    count += 1;
                    already |= matches!(action, Action::Redirect { address: a, .. } if a.eq_ignore_ascii_case(&address));
                }
                if !already {
                    if count >= self.input.limits.max_redirects {
                        return Err(RunError::TooManyRedirects(self.input.limits.max_redirects));
                    }
                    self.act(Action::Redirect {
                        address,
                        copy: *copy,
                    })?;
                }
            }
            Command::Reject { reason, extended } => {
                let reason = self.text(reason);
                self.outcome.implicit_keep = false;
                self.act(Action::Reject {
                    reason,
                    extended: *extended,
                })?;
            }
            Command::Vacation(vacation) => self.vacation(vacation)?,
            Command::Set {
                name,
                value,
                modifiers,
            } => {
                let value = apply_modifiers(self.text(value), modifiers);
                self.variables.set(name, value);
            }
            Command::Flags {
                op,
                variable,
                flags,
            } => {
                let given = split_flags(&self.texts(flags));
                let current = match variable {
                    Some(name) => split_flags(&[self.variables.get(name).to_owned()]),
                    None => self.outcome.flags.clone(),
                };
                let updated = change_flags(current, *op, given);
                match variable {
                    Some(name) => self.variables.set(name, updated.join(" ")),
                    None => self.outcome.flags = updated,
                }
            }
            Command::AddHeader { last, name, value } => {
                let value = self.text(value);
                self.message.add_field(name, &value, *last);
            }
            Command::DeleteHeader {
                index,
                matcher,
                name,
                patterns,
            } => {
                let name = self.text(name);
                let patterns = patterns.as_ref().map(|p| self.texts(p));
                self.message
                    .delete_fields(&name, *index, |value| match &patterns {
                        None => true,
                        Some(keys) => matches_any(matcher, &[value.to_owned()], keys).is_some(),
                    });
            }
        }
        Ok(Flow::Next)
    }

    /// The flags an action stores with: its `:flags`, or the internal
    /// variable (RFC 5232 §5).
    fn flags_for(&self, flags: Option<&[String]>) -> Vec<String> {
        match flags {
            Some(list) => split_flags(&self.texts(list)),
            None => self.outcome.flags.clone(),
        }
    }

    fn act(&mut self, action: Action) -> Result<(), RunError> {
        let conflicts = |a: &Action| {
            matches!(
                a,
                Action::Keep { .. }
                    | Action::FileInto { .. }
                    | Action::Redirect { .. }
                    | Action::Vacation(_)
            )
        };
        let rejecting = matches!(action, Action::Reject { .. });
        let has_reject = self
            .outcome
            .actions
            .iter()
            .any(|a| matches!(a, Action::Reject { .. }));
        if (rejecting && self.outcome.actions.iter().any(conflicts))
            || (has_reject && (conflicts(&action) || rejecting))
        {
            return Err(RunError::RejectConflict);
        }
        if self.outcome.actions.len() >= self.input.limits.max_actions {
            return Err(RunError::TooManyActions(self.input.limits.max_actions));
        }
        self.outcome.actions.push(action);
        Ok(())
    }

    fn vacation(&mut self, vacation: &Vacation) -> Result<(), RunError> {
        if self.vacation_given {
            return Err(RunError::SecondVacation);
        }
        self.vacation_given = true;
        let subject = vacation.subject.as_ref().map(|s| self.text(s));
        let from = vacation.from.as_ref().map(|s| self.text(s));
        let reason = self.text(&vacation.reason);
        // RFC 5230 §4.2: without :handle, replies that differ in their
        // arguments are different replies.
        let handle = match &vacation.handle {
            Some(handle) => self.text(handle),
            None => {
                let key = format!(
                    "{}\0{}\0{}",
                    subject.as_deref().unwrap_or(""),
                    from.as_deref().unwrap_or(""),
                    reason
                );
                format!("{:016x}", fnv1a(key.as_bytes()))
            }
        };
        self.act(Action::Vacation(VacationRequest {
            // RFC 5230 §4.1: 7 days when not given.
            period_seconds: vacation.period.unwrap_or(7 * 86_400),
            subject,
            from,
            addresses: self.texts(&vacation.addresses),
            mime: vacation.mime,
            handle,
            reason,
        }))
    }
}

/// The part of an address a test compares (RFC 5228 §2.7.4, RFC 5233 §4
/// with `+` as the separator); `None` when the address has no such part.
fn address_part(address: &str, part: AddressPart, detail: Option<&str>) -> Option<String> {
    let (local, domain) = match address.rsplit_once('@') {
        Some((local, domain)) => (local, domain),
        None => (address, ""),
    };
    match part {
        AddressPart::All => Some(address.to_owned()),
        AddressPart::LocalPart => Some(local.to_owned()),
        AddressPart::Domain => Some(domain.to_owned()),
        AddressPart::User => Some(
            local
                .split_once('+')
                .map_or(local, |(user, _)| user)
                .to_owned(),
        ),
        AddressPart::Detail => match detail {
            Some(detail) => Some(detail.to_owned()),
            None => local.split_once('+').map(|(_, detail)| detail.to_owned()),
        },
    }
}

/// Flag strings split at spaces, each flag once (RFC 5232 §3).
fn split_flags(texts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for flag in texts.iter().flat_map(|t| t.split_whitespace()) {
        if !out.iter().any(|f| f.eq_ignore_ascii_case(flag)) {
            out.push(flag.to_owned());
        }
    }
    out
}

fn change_flags(current: Vec<String>, op: FlagChange, given: Vec<String>) -> Vec<String> {
    match op {
        FlagChange::Set => given,
        FlagChange::Add => {
            let mut all = current;
            all.extend(given);
            split_flags(&all)
        }
        FlagChange::Remove => current
            .into_iter()
            .filter(|f| !given.iter().any(|g| g.eq_ignore_ascii_case(f)))
            .collect(),
    }
}

/// FNV-1a, 64 bits: stable across builds, so a derived vacation handle
/// stays the same from one delivery to the next.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

mod dates;
mod duplicate;
mod include;
mod tests_eval;

#[cfg(test)]
mod tests;
