//! `parse_command` for the any-state and authenticated-state commands, and
//! every error class.

use super::*;
use crate::imap::parser::{ListReturn, ListSelection, Mailbox, QResync, StatusItem, UseAttr};
use crate::store::SpecialUse;

fn body(line: &str) -> CommandBody {
    parse_command(line.as_bytes())
        .unwrap_or_else(|e| panic!("{line:?}: {e}"))
        .body
}

fn error(line: &[u8]) -> ParseError {
    parse_command(line).expect_err("must not parse")
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
    assert_eq!(error(b"a\"b NOOP"), ParseError::MissingTag);
    assert_eq!(error(b"a{1} NOOP"), ParseError::MissingTag);
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
    assert_eq!(format!("{password:?}"), "Secret(<redacted>)");
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
            initial_response: Some(Secret(b"AGJvYgBzZWNyZXQ=".to_vec()))
        }
    );
    assert_eq!(
        body("a AUTHENTICATE PLAIN ="),
        CommandBody::Authenticate {
            mechanism: "PLAIN".into(),
            initial_response: Some(Secret(b"=".to_vec()))
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
    assert_eq!(
        body("a ID ()"),
        CommandBody::Id {
            parameters: Some(vec![])
        }
    );
    assert!(parse_command(b"a ID (\"name\")").is_err());
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
            special_use: vec![UseAttr::Supported(SpecialUse::Trash)]
        }
    );
    assert_eq!(
        body("a CREATE x (USE (\\Bogus))"),
        CommandBody::Create {
            mailbox: Mailbox::new(b"x".to_vec()),
            special_use: vec![UseAttr::Unsupported("\\Bogus".to_owned())]
        }
    );
    assert!(parse_command(b"a CREATE x (USE (Bogus))").is_err());
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
    assert!(parse_command(b"a LIST (RECURSIVEMATCH) \"\" *").is_err());
    assert!(parse_command(b"a LIST (REMOTE RECURSIVEMATCH) \"\" *").is_err());
    assert!(parse_command(b"a LIST (SPECIAL-USE RECURSIVEMATCH) \"\" *").is_ok());
    assert!(parse_command(b"a LIST () \"\" *").is_ok());
    assert!(parse_command(b"a LIST \"\" * RETURN (BOGUS)").is_err());
}

#[test]
fn status_items_all_kinds() {
    let CommandBody::Status { items, .. } = body(
        "a STATUS x (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT DELETED-STORAGE)",
    ) else {
        panic!()
    };
    assert_eq!(items.len(), 10);
    assert!(parse_command(b"a STATUS x ()").is_err());
    assert!(parse_command(b"a STATUS x (FOO)").is_err());
}

#[test]
fn command_names_spell_uid_forms_and_unknown_names() {
    assert_eq!(body("a uid fetch 1 FLAGS").name(), "UID FETCH");
    assert_eq!(body("a fetch 1 FLAGS").name(), "FETCH");
    assert_eq!(body("a UID EXPUNGE 1").name(), "UID EXPUNGE");
    assert_eq!(body("a xlist \"\" *").name(), "XLIST");
}
