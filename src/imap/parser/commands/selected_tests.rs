//! `parse_command` for APPEND and the selected-state commands.

use std::num::NonZeroU32;

use super::*;
use crate::imap::parser::append::parse_append_next;
use crate::imap::parser::{
    AppendMessage, FetchAttribute, Mailbox, SearchKey, SearchReturn, SeqNumber, SeqRange,
    SequenceSet, SortKey,
};
use crate::store::{Keyword, SystemFlag};

fn body(line: &str) -> CommandBody {
    parse_command(line.as_bytes())
        .unwrap_or_else(|e| panic!("{line:?}: {e}"))
        .body
}

fn error(line: &[u8]) -> ParseError {
    parse_command(line).expect_err("must not parse")
}

fn set(n: u32) -> SequenceSet {
    let v = SeqNumber::Value(NonZeroU32::new(n).unwrap());
    SequenceSet::Ranges(vec![SeqRange { first: v, last: v }])
}

#[test]
fn append_head_with_flags_date_and_literal() {
    let CommandBody::Append { mailbox, message } =
        body("a APPEND Sent (\\Seen $MDNSent) \"05-Mar-2024 10:00:00 +0100\" {310}")
    else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"Sent");
    let AppendMessage {
        flags,
        date,
        utf8,
        binary,
        size,
        synchronizing,
    } = message;
    assert_eq!(flags.len(), 2);
    assert_eq!(date.unwrap().zone_minutes, 60);
    assert_eq!(
        (utf8, binary, size, synchronizing),
        (false, false, 310, true)
    );
}

#[test]
fn append_head_non_sync_binary_and_utf8() {
    let CommandBody::Append { message, .. } = body("a APPEND INBOX {12+}") else {
        panic!()
    };
    assert!(!message.synchronizing && message.flags.is_empty() && message.date.is_none());
    let CommandBody::Append { message, .. } = body("a APPEND INBOX UTF8 (~{40}") else {
        panic!()
    };
    assert!(message.utf8 && message.binary);
    let CommandBody::Append { message, .. } = body("a APPEND INBOX ~{7+}") else {
        panic!()
    };
    assert!(message.binary && !message.utf8);
    let CommandBody::Append { mailbox, .. } = body("a APPEND {3}\r\nFoo () {4}") else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"Foo");
    assert!(parse_command(b"a APPEND INBOX UTF8 ({40}").is_err());
    assert!(parse_command(b"a APPEND INBOX (\\Seen)").is_err());
    assert!(parse_command(b"a APPEND INBOX junk {4}").is_err());
}

#[test]
fn append_next_reads_multiappend_and_end() {
    let tag = Tag::new(b"a").unwrap();
    assert_eq!(parse_append_next(&tag, b"\r\n", false), Ok(None));
    let next = parse_append_next(&tag, b" (\\Draft) {20}\r\n", false)
        .unwrap()
        .unwrap();
    assert_eq!(next.size, 20);
    assert_eq!(parse_append_next(&tag, b")", true), Ok(None));
    assert!(parse_append_next(&tag, b"", true).is_err());
    assert!(parse_append_next(&tag, b" junk", false).is_err());
}

#[test]
fn store_forms_and_unchangedsince() {
    let CommandBody::Store {
        uid,
        action,
        silent,
        flags,
        unchanged_since,
        ..
    } = body("a6 UID STORE 3 +FLAGS.SILENT (\\Seen)")
    else {
        panic!()
    };
    assert!(uid && silent && unchanged_since.is_none());
    assert_eq!(action, StoreAction::Add);
    assert_eq!(flags, vec![Flag::System(SystemFlag::Seen)]);
    let CommandBody::Store {
        action,
        silent,
        flags,
        ..
    } = body("56 uid store 3 -Flags \\Flagged $Junk")
    else {
        panic!()
    };
    assert_eq!((action, silent), (StoreAction::Remove, false));
    assert_eq!(flags[1], Flag::Keyword(Keyword::new("$Junk").unwrap()));
    let CommandBody::Store {
        action,
        unchanged_since,
        flags,
        ..
    } = body("a STORE 1:* (UNCHANGEDSINCE 320162338) FLAGS ()")
    else {
        panic!()
    };
    assert_eq!(
        (action, unchanged_since),
        (StoreAction::Replace, Some(320_162_338))
    );
    assert!(flags.is_empty());
    assert!(parse_command(b"a STORE 1 *FLAGS (\\Seen)").is_err());
}

#[test]
fn copy_move_and_uid_expunge() {
    assert_eq!(
        body("62 uid move 3 \"Trash\""),
        CommandBody::Move {
            uid: true,
            set: set(3),
            mailbox: Mailbox::new(b"Trash".to_vec())
        }
    );
    assert_eq!(
        body("a COPY 1 Archive"),
        CommandBody::Copy {
            uid: false,
            set: set(1),
            mailbox: Mailbox::new(b"Archive".to_vec())
        }
    );
    assert_eq!(body("a UID EXPUNGE 1"), CommandBody::UidExpunge(set(1)));
    assert!(parse_command(b"a UID EXPUNGE").is_err());
}

#[test]
fn fetch_with_modifiers_and_uid_form() {
    let CommandBody::Fetch {
        uid,
        attributes,
        modifiers,
        ..
    } = body("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)")
    else {
        panic!()
    };
    assert!(uid && modifiers.vanished);
    assert_eq!(modifiers.changed_since, Some(12345));
    assert_eq!(attributes, vec![FetchAttribute::Flags]);
    assert!(matches!(
        body("a0006 UID FETCH 3 BODY.PEEK[]"),
        CommandBody::Fetch { .. }
    ));
    assert!(parse_command(b"a FETCH 1 (FLAGS) (BOGUS)").is_err());
}

#[test]
fn search_with_return_charset_and_keys() {
    let CommandBody::Search { uid, args } =
        body("a UID SEARCH RETURN (MIN COUNT SAVE) CHARSET UTF-8 UNSEEN FROM \"Müller\"")
    else {
        panic!()
    };
    assert!(uid);
    assert_eq!(
        args.return_options,
        Some(vec![
            SearchReturn::Min,
            SearchReturn::Count,
            SearchReturn::Save
        ])
    );
    assert_eq!(args.charset.as_deref(), Some("UTF-8"));
    assert_eq!(args.criteria.len(), 2);
    assert_eq!(
        args.criteria[1],
        SearchKey::From("Müller".as_bytes().to_vec())
    );
    let CommandBody::Search { args, .. } = body("a SEARCH RETURN () ALL") else {
        panic!()
    };
    assert_eq!(args.return_options, Some(vec![]));
}

#[test]
fn sort_and_thread() {
    let CommandBody::Sort { uid, args } = body("a UID SORT (REVERSE DATE SUBJECT) UTF-8 ALL")
    else {
        panic!()
    };
    assert!(uid);
    assert!(args.criteria[0].reverse);
    assert_eq!(args.criteria[1].key, SortKey::Subject);
    let CommandBody::Thread { args, .. } = body("a THREAD references US-ASCII SINCE 1-Feb-1994")
    else {
        panic!()
    };
    assert_eq!(args.algorithm, "REFERENCES");
    assert!(parse_command(b"a SORT () UTF-8 ALL").is_err());
    assert!(parse_command(b"a SORT (DATE) UTF-8").is_err());
}

#[test]
fn error_offset_points_at_the_bad_argument() {
    let ParseError::Syntax { at, expected, .. } = error(b"t SELECT INBOX (BOGUS)") else {
        panic!()
    };
    assert_eq!(at, 16);
    assert_eq!(expected, "CONDSTORE or QRESYNC");
}
