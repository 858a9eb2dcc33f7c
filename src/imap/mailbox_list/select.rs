//! Which names LIST and LSUB return, with which attributes, in which order
//! (RFC 9051 §6.3.9, RFC 3501 §6.3.9, RFC 5258 §3-§4, RFC 6154 §2 and §5).
//!
//! One rule covers the three places where a name that does not itself
//! qualify is still returned: a name that matches a pattern is returned
//! for a qualifying descendant that matches none of the patterns, because
//! the client would otherwise not learn of that descendant at this level.
//! That is the missing parent of a `%` LIST (\Noselect, RFC 9051 §6.3.9),
//! the unsubscribed parent of a `%` LSUB (\Noselect, RFC 3501 §6.3.9) and
//! the CHILDINFO parent of RECURSIVEMATCH (RFC 5258 §3.5). With `*` the
//! descendant is listed itself and the parent is not (RFC 5258 §5, example
//! 10).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::pattern::Pattern;
use super::{ListError, NameMode, decode_text};
use crate::imap::parser::{ListArgs, ListReturn, ListSelection};
use crate::imap::response::{ListEntry, ListExtended, MailboxAttribute};
use crate::store::{DELIMITER, MailboxInfo, MailboxName, SpecialUse};

/// LIST (RFC 9051 §6.3.9) with the LIST-EXTENDED selection and return
/// options (RFC 5258 §3) and SPECIAL-USE (RFC 6154). `subscriptions` is
/// authoritative for \Subscribed; it may name mailboxes that do not exist.
///
/// Children (\HasChildren, \HasNoChildren) and special-use attributes are
/// always returned, as IMAP4rev2 servers do (RFC 9051 §6.3.9) and RFC 5258
/// §4 and RFC 6154 §5 allow, and as Dovecot does for IMAP4rev1; so the
/// CHILDREN and SPECIAL-USE return options change nothing. REMOTE changes nothing: every mailbox is local. STATUS is the
/// session's part: see [`super::requested_status`] and
/// [`super::is_selectable`].
pub fn list(
    mailboxes: &[MailboxInfo],
    subscriptions: &[MailboxName],
    args: &ListArgs,
    names: NameMode,
) -> Result<Vec<ListEntry>, ListError> {
    let reference = decode_text(&args.reference, names)?;
    let mut patterns = Vec::with_capacity(args.patterns.len());
    let mut root = None;
    for raw in &args.patterns {
        let pattern = decode_text(raw, names)?;
        if pattern.is_empty() {
            // `LIST ref ""` asks for the delimiter and the root of the
            // reference (RFC 9051 §6.3.9).
            root = Some(root_entry(&reference));
        } else {
            patterns.push(Pattern::new(&reference, &pattern));
        }
    }
    let account = Account::new(mailboxes, subscriptions);
    let criteria = Criteria::from_args(args);
    let mut entries: Vec<ListEntry> = root.into_iter().collect();
    let selected = select(&account, &patterns, criteria.shows_parents(), |name| {
        criteria.admits(&account, name)
    });
    entries.extend(
        selected
            .into_iter()
            .map(|(name, for_descendant)| criteria.entry(&account, name, for_descendant)),
    );
    Ok(entries)
}

/// LSUB (RFC 3501 §6.3.9): subscribed names matching `reference` and
/// `pattern`, each with \Noselect when it names no mailbox.
pub fn lsub(
    mailboxes: &[MailboxInfo],
    subscriptions: &[MailboxName],
    reference: &[u8],
    pattern: &[u8],
    names: NameMode,
) -> Result<Vec<ListEntry>, ListError> {
    let pattern = Pattern::new(
        &decode_text(reference, names)?,
        &decode_text(pattern, names)?,
    );
    let account = Account::new(mailboxes, subscriptions);
    let selected = select(&account, std::slice::from_ref(&pattern), true, |name| {
        account.subscribed.contains(name)
    });
    Ok(selected
        .into_iter()
        .map(|(name, _)| {
            let selectable =
                account.subscribed.contains(name) && account.existing.contains_key(name);
            ListEntry {
                attributes: if selectable {
                    Vec::new()
                } else {
                    vec![MailboxAttribute::NoSelect]
                },
                delimiter: Some(DELIMITER),
                name: name.to_owned(),
                extended: Vec::new(),
            }
        })
        .collect())
}

/// The account's names, indexed for the questions LIST asks.
struct Account<'a> {
    existing: HashMap<&'a str, &'a MailboxInfo>,
    subscribed: HashSet<&'a str>,
    /// Names with at least one existing mailbox below them.
    parents: HashSet<&'a str>,
}

impl<'a> Account<'a> {
    fn new(mailboxes: &'a [MailboxInfo], subscriptions: &'a [MailboxName]) -> Self {
        let existing: HashMap<&str, &MailboxInfo> =
            mailboxes.iter().map(|m| (m.name.as_str(), m)).collect();
        let parents = existing.keys().flat_map(|name| ancestors(name)).collect();
        Self {
            existing,
            subscribed: subscriptions.iter().map(MailboxName::as_str).collect(),
            parents,
        }
    }

    /// Every name LIST could speak of: mailboxes, subscriptions, and the
    /// levels above them.
    fn universe(&self) -> BTreeSet<&'a str> {
        let mut all: BTreeSet<&str> = self.existing.keys().copied().collect();
        all.extend(self.subscribed.iter().copied());
        let levels: Vec<&str> = all.iter().flat_map(|name| ancestors(name)).collect();
        all.extend(levels);
        all
    }
}

/// The proper ancestors of `name`, as slices of it (`a`, `a/b` for `a/b/c`).
fn ancestors(name: &str) -> impl Iterator<Item = &str> {
    name.match_indices(DELIMITER)
        .filter_map(|(i, _)| name.get(..i))
}

/// The names to return, in server order, each with whether it has a
/// qualifying descendant that no pattern matches (see module docs); with
/// `show_parents`, such a name is returned even if it does not qualify.
fn select<'a>(
    account: &Account<'a>,
    patterns: &[Pattern],
    show_parents: bool,
    qualifies: impl Fn(&str) -> bool,
) -> Vec<(&'a str, bool)> {
    let matched = |name: &str| patterns.iter().any(|p| p.matches(name));
    let universe = account.universe();
    let mut hidden_below: HashSet<&str> = HashSet::new();
    if show_parents {
        for &name in &universe {
            if qualifies(name) && !matched(name) {
                hidden_below.extend(ancestors(name));
            }
        }
    }
    let mut selected: Vec<(&str, bool)> = universe
        .into_iter()
        .filter(|&name| matched(name))
        .filter_map(|name| {
            let for_descendant = hidden_below.contains(name);
            (qualifies(name) || for_descendant).then_some((name, for_descendant))
        })
        .collect();
    selected.sort_by(|(a, _), (b, _)| server_order(a).cmp(&server_order(b)));
    selected
}

/// INBOX and its children first, then by hierarchy level, so that a
/// mailbox's children follow it (`a`, `a/b`, `a b` rather than `a`, `a b`,
/// `a/b`).
fn server_order(name: &str) -> (bool, Vec<&str>) {
    let in_inbox = name == "INBOX" || name.starts_with("INBOX/");
    (!in_inbox, name.split(DELIMITER).collect())
}

/// `LIST ref ""`: the root of the reference's hierarchy, up to its first
/// delimiter (`/` for `/usr/staff/jones`, `""` for `""`), \Noselect.
fn root_entry(reference: &str) -> ListEntry {
    let root = reference
        .find(DELIMITER)
        .and_then(|i| reference.get(..=i))
        .unwrap_or("");
    ListEntry {
        attributes: vec![MailboxAttribute::NoSelect],
        delimiter: Some(DELIMITER),
        name: root.to_owned(),
        extended: Vec::new(),
    }
}

/// What the selection options ask for (RFC 5258 §3.1, RFC 6154 §5.1).
struct Criteria {
    subscribed: bool,
    special_use: bool,
    /// RECURSIVEMATCH with SUBSCRIBED: CHILDINFO ("SUBSCRIBED"). With
    /// SPECIAL-USE it would need CHILDINFO ("SPECIAL-USE"), which the
    /// response writer cannot say, so it is not offered there.
    recursive: bool,
    return_subscribed: bool,
}

impl Criteria {
    fn from_args(args: &ListArgs) -> Self {
        let selected = |option| args.selection.contains(&option);
        let subscribed = selected(ListSelection::Subscribed);
        let special_use = selected(ListSelection::SpecialUse);
        Self {
            subscribed,
            special_use,
            recursive: subscribed && !special_use && selected(ListSelection::RecursiveMatch),
            // SUBSCRIBED selection implies the return option (RFC 5258 §3.1).
            return_subscribed: subscribed || args.return_options.contains(&ListReturn::Subscribed),
        }
    }

    /// Whether `name` satisfies the selection criteria, or, without
    /// SUBSCRIBED or SPECIAL-USE, whether a plain LIST needs it at all.
    fn admits(&self, account: &Account<'_>, name: &str) -> bool {
        let info = account.existing.get(name);
        let has_use = info.is_some_and(|i| i.special_use.is_some());
        match (self.subscribed, self.special_use) {
            (true, true) => account.subscribed.contains(name) && has_use,
            (true, false) => account.subscribed.contains(name),
            (false, true) => has_use,
            (false, false) => info.is_some(),
        }
    }

    /// Whether a name returned only for a descendant is returned at all:
    /// always for a plain LIST (the missing parent), with CHILDINFO under
    /// RECURSIVEMATCH, never otherwise.
    fn shows_parents(&self) -> bool {
        self.recursive || !(self.subscribed || self.special_use)
    }

    fn entry(&self, account: &Account<'_>, name: &str, for_descendant: bool) -> ListEntry {
        use MailboxAttribute as A;
        let info = account.existing.get(name);
        let mut attributes = Vec::new();
        if info.is_none() {
            // RFC 9051 §6.3.9 marks a missing level \Noselect; LIST-EXTENDED
            // marks a name that is only subscribed \NonExistent (RFC 5258 §3.4).
            attributes.push(if self.subscribed {
                A::NonExistent
            } else {
                A::NoSelect
            });
        }
        if account.parents.contains(name) {
            attributes.push(A::HasChildren);
        } else if info.is_some() {
            attributes.push(A::HasNoChildren);
        }
        if self.return_subscribed && account.subscribed.contains(name) {
            attributes.push(A::Subscribed);
        }
        if let Some(special_use) = info.and_then(|i| i.special_use) {
            attributes.push(special_use_attribute(special_use));
        }
        let childinfo = self.recursive && for_descendant;
        ListEntry {
            attributes,
            delimiter: Some(DELIMITER),
            name: name.to_owned(),
            extended: if childinfo {
                vec![ListExtended::ChildInfoSubscribed]
            } else {
                Vec::new()
            },
        }
    }
}

fn special_use_attribute(special_use: SpecialUse) -> MailboxAttribute {
    use MailboxAttribute as A;
    match special_use {
        SpecialUse::All => A::All,
        SpecialUse::Archive => A::Archive,
        SpecialUse::Drafts => A::Drafts,
        SpecialUse::Flagged => A::Flagged,
        SpecialUse::Junk => A::Junk,
        SpecialUse::Sent => A::Sent,
        SpecialUse::Trash => A::Trash,
    }
}
