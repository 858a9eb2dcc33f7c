//! What running scripts decided: the actions of RFC 5228 §4 and the
//! extensions, whether the implicit keep still holds (§2.10.2), and the
//! imap4flags internal variable (RFC 5232 §3). Written as one line per
//! action for the language suite and the logs.

use std::fmt;

/// One action, in the order the script took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Keep {
        flags: Vec<String>,
    },
    FileInto {
        mailbox: String,
        flags: Vec<String>,
        create: bool,
    },
    Redirect {
        address: String,
        copy: bool,
    },
    Discard,
    Reject {
        reason: String,
        extended: bool,
    },
    Vacation(VacationRequest),
}

/// `vacation` as evaluated: the pipeline decides whether to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VacationRequest {
    pub period_seconds: u64,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub addresses: Vec<String>,
    pub mime: bool,
    pub handle: String,
    pub reason: String,
}

/// The state a chain of scripts builds up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub actions: Vec<Action>,
    /// RFC 5228 §2.10.2: cancelled by fileinto, redirect, discard, reject
    /// and explicit keep (which is then its own action).
    pub implicit_keep: bool,
    /// The imap4flags internal variable (RFC 5232 §3), flags the implicit
    /// keep gets.
    pub flags: Vec<String>,
    /// The IDs `duplicate` tested, to track once the scripts succeeded
    /// (RFC 7352 §3.1).
    pub duplicates: Vec<DuplicateMark>,
}

/// One ID the `duplicate` test looked up (RFC 7352 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateMark {
    /// `:handle`, empty when not given.
    pub handle: String,
    pub id: String,
    /// Whether it was tracked already: the test's answer.
    pub seen: bool,
    /// How long to track it from now.
    pub seconds: u64,
    /// `:last`: a repeat moves the expiry (§3.3).
    pub last: bool,
}

impl DuplicateMark {
    /// Whether the ID is (re)stored when the scripts succeed: a new ID
    /// always, a seen one only with `:last`.
    pub fn to_record(&self) -> bool {
        !self.seen || self.last
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Self {
            actions: Vec::new(),
            implicit_keep: true,
            flags: Vec::new(),
            duplicates: Vec::new(),
        }
    }
}

impl Outcome {
    /// Whether a discard or reject ended the delivery, which ends the chain.
    pub fn ended(&self) -> bool {
        self.actions
            .iter()
            .any(|a| matches!(a, Action::Discard | Action::Reject { .. }))
    }

    /// The actions with the implicit keep spelled out, one line each.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.actions.iter().map(ToString::to_string).collect();
        if self.implicit_keep {
            lines.push(
                Action::Keep {
                    flags: self.flags.clone(),
                }
                .to_string(),
            );
        }
        lines
    }
}

fn quoted(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace("\r\n", "\\n")
    )
}

fn flag_list(flags: &[String]) -> String {
    if flags.is_empty() {
        return String::new();
    }
    let list: Vec<String> = flags.iter().map(|f| quoted(f)).collect();
    format!(" flags {}", list.join(" "))
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keep { flags } => write!(f, "keep{}", flag_list(flags)),
            Self::FileInto {
                mailbox,
                flags,
                create,
            } => {
                write!(
                    f,
                    "fileinto {}{}{}",
                    quoted(mailbox),
                    flag_list(flags),
                    if *create { " create" } else { "" }
                )
            }
            Self::Redirect { address, copy } => {
                write!(
                    f,
                    "redirect {}{}",
                    quoted(address),
                    if *copy { " copy" } else { "" }
                )
            }
            Self::Discard => write!(f, "discard"),
            Self::Reject { reason, extended } => {
                write!(
                    f,
                    "{} {}",
                    if *extended { "ereject" } else { "reject" },
                    quoted(reason)
                )
            }
            Self::Vacation(v) => {
                write!(
                    f,
                    "vacation period {} handle {}",
                    v.period_seconds,
                    quoted(&v.handle)
                )?;
                if let Some(subject) = &v.subject {
                    write!(f, " subject {}", quoted(subject))?;
                }
                if let Some(from) = &v.from {
                    write!(f, " from {}", quoted(from))?;
                }
                if v.mime {
                    write!(f, " mime")?;
                }
                write!(f, " {}", quoted(&v.reason))
            }
        }
    }
}
