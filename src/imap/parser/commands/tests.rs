//! One test per command form and per error class of `parse_command`.

use std::num::NonZeroU32;

use super::*;
use crate::imap::parser::{
    AppendMessage, FetchAttribute, ListReturn, ListSelection, Mailbox, QResync, SearchKey,
    SearchReturn, SeqNumber, SeqRange, SequenceSet, SortKey, StatusItem, parse_append_next,
};
use crate::store::{Keyword, SpecialUse, SystemFlag};

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
fn commands_without_arguments() {
    use CommandBody as C;
    let cases = [
        ("a CAPABILITY", C::Capability),
        ("a noop", C::Noop),
        ("a Logout", C::Logout),
        ("a STARTTLS", C::StartTls),
        ("a NAMESPACE", C::Namespace),
        ("a IDLE", C::Idle),
        ("a CHECK", C::Check),
        ("a CLOSE", C::Close),
        ("a UNSELECT", C::Unselect),
        ("a EXPUNGE", C::Expunge),
    ];
    for (line, expected) in cases {
        assert_eq!(body(line), expected, "{line}");
    }
}

#[test]
fn tag_is_kept_and_crlf_is_optional() {
    let c = parse_command(b"A001.x NOOP\r\n").unwrap();
    assert_eq!(c.tag.as_str(), "A001.x");
}

#[test]
fn missing_tag_and_invalid_tag_give_untagged_error() {
    assert_eq!(error(b""), ParseError::MissingTag);
    assert_eq!(error(b" NOOP"), ParseError::MissingTag);
    assert_eq!(error(b"+a NOOP"), ParseError::MissingTag);
    assert_eq!(error(b"(x NOOP"), ParseError::MissingTag);
}

#[test]
fn tag_without_command_keeps_the_tag() {
    let e = error(b"a1");
    assert_eq!(e.tag().map(Tag::as_str), Some("a1"));
    assert!(matches!(e, ParseError::MissingCommand { .. }));
    assert!(matches!(error(b"a1 "), ParseError::MissingCommand { .. }));
}

#[test]
fn unknown_command_keeps_the_tag_and_name() {
    let c = parse_command(b"x9 FROBNICATE 1 2 3").unwrap();
    assert_eq!(c.tag.as_str(), "x9");
    assert_eq!(
        c.body,
        CommandBody::Unknown {
            name: "FROBNICATE".into()
        }
    );
}

#[test]
fn junk_after_a_command_is_an_error_with_position() {
    let e = error(b"t NOOP junk");
    assert_eq!(
        e,
        ParseError::Syntax {
            tag: Tag::new(b"t").unwrap(),
            command: "NOOP".into(),
            expected: "end of command",
            at: 6
        }
    );
    assert!(matches!(error(b"t CAPABILITY "), ParseError::Syntax { .. }));
}

#[test]
fn wrong_argument_counts_are_errors_naming_the_command() {
    for (line, command) in [
        (&b"t LOGIN bob"[..], "LOGIN"),
        (b"t LOGIN", "LOGIN"),
        (b"t LOGIN a b c", "LOGIN"),
        (b"t RENAME a", "RENAME"),
        (b"t SELECT", "SELECT"),
        (b"t SELECT a b", "SELECT"),
        (b"t FETCH 1", "FETCH"),
        (b"t STORE 1 FLAGS", "STORE"),
        (b"t COPY 1", "COPY"),
        (b"t UID", "UID"),
        (b"t UID FOO 1", "UID FOO"),
        (b"t STATUS INBOX", "STATUS"),
        (b"t ENABLE", "ENABLE"),
        (b"t SEARCH", "SEARCH"),
    ] {
        match error(line) {
            ParseError::Syntax {
                command: c, tag, ..
            } => {
                assert_eq!(c, command, "{}", String::from_utf8_lossy(line));
                assert_eq!(tag.as_str(), "t");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn login_with_atoms_quoted_and_literals() {
    let CommandBody::Login { username, password } = body("a LOGIN {5}\r\nalice \"p\\\"w d\"")
    else {
        panic!()
    };
    assert_eq!(username, b"alice");
    assert_eq!(password.0, b"p\"w d");
    assert_eq!(format!("{password:?}"), "Password(<redacted>)");
    assert!(matches!(
        body("a login bob s3cret"),
        CommandBody::Login { .. }
    ));
}

#[test]
fn authenticate_with_and_without_initial_response() {
    assert_eq!(
        body("a authenticate plain"),
        CommandBody::Authenticate {
            mechanism: "PLAIN".into(),
            initial_response: None
        }
    );
    assert_eq!(
        body("a AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ="),
        CommandBody::Authenticate {
            mechanism: "PLAIN".into(),
            initial_response: Some(b"AGJvYgBzZWNyZXQ=".to_vec())
        }
    );
    assert_eq!(
        body("a AUTHENTICATE PLAIN ="),
        CommandBody::Authenticate {
            mechanism: "PLAIN".into(),
            initial_response: Some(b"=".to_vec())
        }
    );
    assert!(parse_command(b"a AUTHENTICATE PLAIN abc").is_err());
    assert!(parse_command(b"a AUTHENTICATE PLAIN a=bc").is_err());
}

#[test]
fn enable_lists_capabilities() {
    assert_eq!(
        body("a0002 ENABLE UTF8=ACCEPT IMAP4rev2"),
        CommandBody::Enable {
            capabilities: vec!["UTF8=ACCEPT".into(), "IMAP4rev2".into()]
        }
    );
}

#[test]
fn id_with_list_or_nil() {
    let CommandBody::Id {
        parameters: Some(p),
    } = body(r#"a ID ("name" "Thunderbird" "os" NIL)"#)
    else {
        panic!()
    };
    assert_eq!(
        p[0],
        IdParameter {
            field: b"name".to_vec(),
            value: Some(b"Thunderbird".to_vec())
        }
    );
    assert_eq!(p[1].value, None);
    assert_eq!(body("a ID NIL"), CommandBody::Id { parameters: None });
    assert!(parse_command(b"a ID ()").is_err());
}

#[test]
fn select_and_examine_with_condstore_and_qresync() {
    let CommandBody::Select {
        mailbox,
        parameters,
    } = body("a select \"INBOX\"")
    else {
        panic!()
    };
    assert!(mailbox.is_inbox());
    assert!(!parameters.condstore);
    let CommandBody::Examine { parameters, .. } = body("a EXAMINE Work (CONDSTORE)") else {
        panic!()
    };
    assert!(parameters.condstore);
    let CommandBody::Select { parameters, .. } =
        body("a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541 (1:3 5:7)))")
    else {
        panic!()
    };
    let QResync {
        uid_validity,
        modseq,
        known_uids,
        seq_match,
    } = parameters.qresync.unwrap();
    assert_eq!((uid_validity, modseq), (67_890_007, 20_050_715_194_045_000));
    assert!(known_uids.is_some());
    assert!(seq_match.is_some());
    assert!(parse_command(b"a SELECT INBOX (FOO)").is_err());
}

#[test]
fn create_with_special_use() {
    assert_eq!(
        body("a CREATE Trash (USE (\\Trash))"),
        CommandBody::Create {
            mailbox: Mailbox::new(b"Trash".to_vec()),
            special_use: vec![SpecialUse::Trash]
        }
    );
    assert!(parse_command(b"a CREATE x (USE (\\Bogus))").is_err());
}

#[test]
fn mailbox_commands_take_names_in_any_string_form() {
    assert!(matches!(
        body("a DELETE \"a b\""),
        CommandBody::Delete { .. }
    ));
    assert!(matches!(
        body("a SUBSCRIBE Trash"),
        CommandBody::Subscribe { .. }
    ));
    assert!(matches!(
        body("a UNSUBSCRIBE {5}\r\nTrash"),
        CommandBody::Unsubscribe { .. }
    ));
    let CommandBody::Rename { from, to } = body("a RENAME old \"Entwürfe\"") else {
        panic!()
    };
    assert_eq!(from.as_bytes(), b"old");
    assert_eq!(to.as_bytes(), "Entwürfe".as_bytes());
    assert!(matches!(
        body("a GETQUOTAROOT INBOX"),
        CommandBody::GetQuotaRoot { .. }
    ));
    assert_eq!(
        body("a GETQUOTA \"\""),
        CommandBody::GetQuota { root: vec![] }
    );
    assert_eq!(
        body("a COMPRESS DEFLATE"),
        CommandBody::Compress {
            mechanism: "DEFLATE".into()
        }
    );
}

#[test]
fn plain_list_and_lsub() {
    let CommandBody::List(args) = body("a LIST \"\" \"*\"") else {
        panic!()
    };
    assert!(args.selection.is_empty() && args.return_options.is_empty());
    assert_eq!(args.patterns, vec![b"*".to_vec()]);
    let CommandBody::List(args) = body("a LIST \"\" %/Sub*") else {
        panic!()
    };
    assert_eq!(args.patterns, vec![b"%/Sub*".to_vec()]);
    assert_eq!(
        body("a LSUB \"\" *"),
        CommandBody::Lsub {
            reference: vec![],
            pattern: b"*".to_vec()
        }
    );
}

#[test]
fn list_extended_selection_patterns_and_return_options() {
    let CommandBody::List(args) = body(
        "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"INBOX\" \"Sent\") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))",
    ) else {
        panic!()
    };
    assert_eq!(
        args.selection,
        vec![ListSelection::Subscribed, ListSelection::RecursiveMatch]
    );
    assert_eq!(args.patterns.len(), 2);
    assert_eq!(
        args.return_options,
        vec![
            ListReturn::Children,
            ListReturn::SpecialUse,
            ListReturn::Status(vec![StatusItem::Messages, StatusItem::Unseen])
        ]
    );
    let CommandBody::List(args) = body("32 list (subscribed) \"\" \"*\"") else {
        panic!()
    };
    assert_eq!(args.selection, vec![ListSelection::Subscribed]);
    assert!(parse_command(b"a LIST (BOGUS) \"\" *").is_err());
    assert!(parse_command(b"a LIST \"\" * RETURN (BOGUS)").is_err());
}

#[test]
fn status_items_all_kinds() {
    let CommandBody::Status { items, .. } = body(
        "a STATUS x (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)",
    ) else {
        panic!()
    };
    assert_eq!(items.len(), 9);
    assert!(parse_command(b"a STATUS x ()").is_err());
    assert!(parse_command(b"a STATUS x (FOO)").is_err());
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
