//! Shared helpers for the SEARCH, SORT and THREAD tests: a real store in a
//! temp dir with one INBOX of built messages, and commands read by the real
//! parser so a test reads like the client's command.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postamt::imap::parser::{CommandBody, SearchKey, parse_command};
use postamt::imap::response::{Data, Fragment, Mode, Response};
use postamt::imap::search::{self, MailboxView, SearchError, ThreadAlgorithm};
use postamt::imap::view::Recent;
use postamt::store::{
    AccountId, Flags, InternalDate, Keyword, MailboxId, MailboxName, MessageSummary, NewMessage,
    Store, SystemFlag, Uid,
};

pub const ALICE: AccountId = AccountId(1);

/// 2024-01-01 00:00:00 UTC.
pub const JAN_1_2024: i64 = 1_704_067_200;
pub const DAY: i64 = 86_400;

/// A message to append: header fields, body, flags and internal date.
#[derive(Debug, Clone)]
pub struct Msg {
    headers: Vec<(String, String)>,
    body: String,
    flags: Flags,
    internal: i64,
}

pub fn msg() -> Msg {
    Msg {
        headers: Vec::new(),
        body: "Hello.\r\n".to_owned(),
        flags: Flags::new(),
        internal: JAN_1_2024,
    }
}

impl Msg {
    pub fn header(mut self, name: &str, value: &str) -> Msg {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn subject(self, s: &str) -> Msg {
        self.header("Subject", s)
    }
    pub fn from(self, s: &str) -> Msg {
        self.header("From", s)
    }
    pub fn to(self, s: &str) -> Msg {
        self.header("To", s)
    }
    pub fn date(self, s: &str) -> Msg {
        self.header("Date", s)
    }
    pub fn id(self, id: &str) -> Msg {
        self.header("Message-ID", &format!("<{id}>"))
    }
    pub fn refs(self, ids: &[&str]) -> Msg {
        let value = ids
            .iter()
            .map(|i| format!("<{i}>"))
            .collect::<Vec<_>>()
            .join(" ");
        self.header("References", &value)
    }
    pub fn body(mut self, b: &str) -> Msg {
        self.body = b.replace('\n', "\r\n");
        self
    }
    pub fn flag(mut self, f: SystemFlag) -> Msg {
        self.flags.insert(f);
        self
    }
    pub fn keyword(mut self, k: &str) -> Msg {
        self.flags.insert_keyword(Keyword::new(k).unwrap());
        self
    }
    pub fn internal(mut self, secs: i64) -> Msg {
        self.internal = secs;
        self
    }
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&self.body);
        out.into_bytes()
    }
    fn into_new(self) -> NewMessage {
        let mut new = NewMessage::from_bytes(self.bytes());
        new.flags = self.flags;
        new.internal_date = Some(InternalDate(self.internal));
        new
    }
}

/// A store whose INBOX holds some messages, and the session's view of it.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub mailbox: MailboxId,
    pub messages: Vec<MessageSummary>,
    pub saved: Vec<Uid>,
    pub recent: Recent,
}

pub async fn fixture(messages: Vec<Msg>) -> Fixture {
    fixture_raw(messages.into_iter().map(Msg::into_new).collect()).await
}

pub async fn fixture_raw(messages: Vec<NewMessage>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_maildir(dir.path());
    store.create_account(ALICE).await.unwrap();
    let inbox = MailboxName::new("INBOX").unwrap();
    if !messages.is_empty() {
        store.append(ALICE, &inbox, messages, None).await.unwrap();
    }
    let mailbox = store.mailbox(ALICE, &inbox).await.unwrap().id;
    let messages = store.snapshot(ALICE, mailbox).await.unwrap().messages;
    Fixture {
        _dir: dir,
        store,
        mailbox,
        messages,
        saved: Vec::new(),
        recent: Recent::default(),
    }
}

/// A time well after every internal date the tests use.
pub fn later() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(2_000_000_000)
}

impl Fixture {
    /// Replaces the message file that starts with `Subject: <marker>` with a
    /// directory, behind the store's back, so any later read of that
    /// message fails with an I/O error.
    pub fn break_message_file(&self, marker: &str) {
        let mut dirs = vec![self._dir.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if std::fs::read(&path)
                    .unwrap()
                    .starts_with(format!("Subject: {marker}\r\n").as_bytes())
                {
                    std::fs::remove_file(&path).unwrap();
                    std::fs::create_dir(&path).unwrap();
                    return;
                }
            }
        }
        panic!("no message file holds {marker}");
    }

    pub fn view(&self) -> MailboxView<'_> {
        MailboxView {
            account: ALICE,
            mailbox: self.mailbox,
            messages: &self.messages,
            saved: &self.saved,
            recent: &self.recent,
        }
    }

    /// The UIDs `SEARCH <program>` finds, checking CHARSET as the session does.
    pub async fn try_search_at(
        &self,
        program: &str,
        now: SystemTime,
    ) -> Result<Vec<u32>, SearchError> {
        let command = parse_command(format!("t SEARCH {program}\r\n").as_bytes()).unwrap();
        let CommandBody::Search { args, .. } = command.body else {
            panic!("not a SEARCH: {program}");
        };
        search::check_charset(args.charset.as_deref())?;
        let key = SearchKey::And(args.criteria);
        let uids = search::search(&self.store, &self.view(), &key, now).await?;
        Ok(uids.into_iter().map(|u| u.0).collect())
    }

    pub async fn search(&self, program: &str) -> Vec<u32> {
        self.try_search_at(program, later()).await.unwrap()
    }

    /// The UIDs of `SORT <criteria> UTF-8 <program>` in order.
    pub async fn sort(&self, command: &str) -> Vec<u32> {
        let parsed = parse_command(format!("t SORT {command}\r\n").as_bytes()).unwrap();
        let CommandBody::Sort { args, .. } = parsed.body else {
            panic!("not a SORT: {command}");
        };
        let key = SearchKey::And(args.keys);
        let view = self.view();
        let matching = search::search(&self.store, &view, &key, later())
            .await
            .unwrap();
        let sorted = search::sort(&self.store, &view, &args.criteria, &matching)
            .await
            .unwrap();
        sorted.into_iter().map(|u| u.0).collect()
    }

    /// The untagged response of `THREAD <algorithm> UTF-8 <program>`, in
    /// sequence numbers, as the response writer puts it on the wire.
    pub async fn thread(&self, algorithm: &str, program: &str) -> String {
        let parsed =
            parse_command(format!("t THREAD {algorithm} UTF-8 {program}\r\n").as_bytes()).unwrap();
        let CommandBody::Thread { args, .. } = parsed.body else {
            panic!("not a THREAD");
        };
        let algorithm = ThreadAlgorithm::from_name(&args.algorithm).unwrap();
        let view = self.view();
        let matching = search::search(&self.store, &view, &SearchKey::And(args.keys), later())
            .await
            .unwrap();
        let mut threads = search::thread(&self.store, &view, algorithm, &matching)
            .await
            .unwrap();
        search::to_sequence_numbers(&view, &mut threads);
        let mut out = Vec::new();
        for fragment in Response::Data(Data::Thread(threads)).encode(Mode::Rev1) {
            match fragment {
                Fragment::Bytes(b) => out.extend(b),
                Fragment::Stream(_) => panic!("THREAD streams nothing"),
            }
        }
        String::from_utf8(out).unwrap().trim_end().to_owned()
    }
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// A corpus message in wire format: mbox "From " line stripped, CRLF.
pub fn wire_format(raw: &[u8]) -> Vec<u8> {
    let raw = match raw.starts_with(b"From ") {
        true => raw
            .iter()
            .position(|&b| b == b'\n')
            .map_or(&raw[..0], |i| &raw[i + 1..]),
        false => raw,
    };
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    for &b in raw {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The first `n` ham messages of the corpus, sorted by file name.
pub fn corpus(n: usize) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(corpus_dir().join("ham"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .take(n)
        .map(|p| wire_format(&std::fs::read(p).unwrap()))
        .collect()
}

/// Every corpus message, ham then spam, in wire format.
pub fn whole_corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for sub in ["ham", "spam"] {
        let mut paths: Vec<_> = std::fs::read_dir(corpus_dir().join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        out.extend(
            paths
                .into_iter()
                .map(|p| wire_format(&std::fs::read(p).unwrap())),
        );
    }
    out
}

/// A message of tests/fixtures/messages as stored there (CRLF).
pub fn fixture_message(name: &str) -> NewMessage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/messages")
        .join(name);
    NewMessage::from_bytes(std::fs::read(path).unwrap())
}
