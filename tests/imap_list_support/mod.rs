//! Shared by the imap_list_* tests: an account built by hand, and LIST or
//! LSUB commands run through the real parser, `mailbox_list` and the real
//! response writer, so a test reads as a transcript.

#![allow(dead_code)]

use postamt::imap::mailbox_list::{self, ListError, NameMode};
use postamt::imap::parser::{CommandBody, parse_command};
use postamt::imap::response::{Data, Fragment, ListEntry, Mode, Response};
use postamt::store::{
    MailboxId, MailboxInfo, MailboxName, MailboxStatus, ModSeq, SpecialUse, Uid, UidValidity,
};

#[derive(Default)]
pub struct Account {
    pub mailboxes: Vec<MailboxInfo>,
    pub subscriptions: Vec<MailboxName>,
}

pub fn name(s: &str) -> MailboxName {
    MailboxName::new(s).unwrap()
}

pub fn info(s: &str, special_use: Option<SpecialUse>) -> MailboxInfo {
    MailboxInfo {
        id: MailboxId(1),
        name: name(s),
        special_use,
        subscribed: false,
        status: MailboxStatus {
            messages: 0,
            unseen: 0,
            deleted: 0,
            size: 0,
            deleted_size: 0,
            uid_validity: UidValidity(1),
            uid_next: Uid(1),
            highest_modseq: ModSeq(1),
            recent: 0,
        },
    }
}

impl Account {
    /// Mailboxes that exist, without special use.
    pub fn with(mut self, names: &[&str]) -> Self {
        self.mailboxes.extend(names.iter().map(|n| info(n, None)));
        self
    }

    pub fn special(mut self, mailbox: &str, special_use: SpecialUse) -> Self {
        self.mailboxes.push(info(mailbox, Some(special_use)));
        self
    }

    /// Subscriptions; the names need not exist.
    pub fn subscribed(mut self, names: &[&str]) -> Self {
        self.subscriptions.extend(names.iter().map(|n| name(n)));
        self
    }

    /// The folders a new postamt account has (store DEFAULT_MAILBOXES),
    /// all subscribed.
    pub fn defaults() -> Self {
        Account::default()
            .with(&["INBOX", "Templates"])
            .special("Sent", SpecialUse::Sent)
            .special("Drafts", SpecialUse::Drafts)
            .special("Trash", SpecialUse::Trash)
            .special("Junk", SpecialUse::Junk)
            .subscribed(&["INBOX", "Sent", "Drafts", "Trash", "Junk", "Templates"])
    }

    /// Runs `command` (LIST or LSUB, no tag) for an IMAP4rev1 client and
    /// returns the untagged lines as the server writes them, without CRLF.
    pub fn run(&self, command: &str) -> Vec<String> {
        self.run_in(command, NameMode::ModifiedUtf7).unwrap()
    }

    /// The same for a client that enabled IMAP4rev2 or UTF8=ACCEPT.
    pub fn run_utf8(&self, command: &str) -> Vec<String> {
        self.run_in(command, NameMode::Utf8).unwrap()
    }

    pub fn entries(&self, command: &str) -> Vec<ListEntry> {
        let CommandBody::List(args) = parse(command) else {
            panic!("not a LIST: {command}");
        };
        mailbox_list::list(
            &self.mailboxes,
            &self.subscriptions,
            &args,
            NameMode::ModifiedUtf7,
        )
        .unwrap()
    }

    pub fn run_in(&self, command: &str, names: NameMode) -> Result<Vec<String>, ListError> {
        let mode = match names {
            NameMode::ModifiedUtf7 => Mode::Rev1,
            NameMode::Utf8 => Mode::Utf8,
        };
        let lines = match parse(command) {
            CommandBody::List(args) => {
                mailbox_list::list(&self.mailboxes, &self.subscriptions, &args, names)?
                    .into_iter()
                    .map(|e| render(Data::List(e), mode))
                    .collect()
            }
            CommandBody::Lsub { reference, pattern } => mailbox_list::lsub(
                &self.mailboxes,
                &self.subscriptions,
                &reference,
                &pattern,
                names,
            )?
            .into_iter()
            .map(|e| render(Data::Lsub(e), mode))
            .collect(),
            other => panic!("not LIST or LSUB: {other:?}"),
        };
        Ok(lines)
    }
}

fn parse(command: &str) -> CommandBody {
    let line = format!("A1 {command}\r\n");
    parse_command(line.as_bytes()).unwrap().body
}

pub fn render(data: Data<'_>, mode: Mode) -> String {
    let mut out = Vec::new();
    for fragment in Response::Data(data).encode(mode) {
        match fragment {
            Fragment::Bytes(b) => out.extend(b),
            Fragment::Stream(_) => panic!("LIST never streams"),
        }
    }
    let line = String::from_utf8(out).unwrap();
    line.strip_suffix("\r\n").unwrap().to_owned()
}

/// Lines as the tests write them: one string per line.
pub fn lines(expected: &[&str]) -> Vec<String> {
    expected.iter().map(|s| (*s).to_owned()).collect()
}
