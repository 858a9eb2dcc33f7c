//! Mailbox arguments to store names (modified UTF-7 and UTF-8, INBOX in any
//! case, refusals with reasons) and STATUS items from a mailbox's counts.

mod imap_list_support;

use imap_list_support::{info, render};
use postamt::imap::mailbox_list::{ListError, NameMode, decode_mailbox_name, status_items};
use postamt::imap::mailbox_name::Utf7Error;
use postamt::imap::parser::StatusItem as Ask;
use postamt::imap::response::{Data, Mode, StatusItem as Say};
use postamt::store::{MailboxStatus, ModSeq, NameError, Uid, UidValidity};

fn utf7(raw: &str) -> Result<String, ListError> {
    decode_mailbox_name(raw.as_bytes(), NameMode::ModifiedUtf7).map(|n| n.as_str().to_owned())
}

fn utf8(raw: &str) -> Result<String, ListError> {
    decode_mailbox_name(raw.as_bytes(), NameMode::Utf8).map(|n| n.as_str().to_owned())
}

/// The name as a rev1 LIST line carries it, decoded back as a rev1 client
/// would send it in SELECT.
fn round_trip(name: &str) -> String {
    let line = render(
        Data::MailboxStatus {
            mailbox: name.to_owned(),
            items: Vec::new(),
        },
        Mode::Rev1,
    );
    let wire = line
        .strip_prefix("* STATUS ")
        .and_then(|s| s.strip_suffix(" ()"))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    utf7(&wire).unwrap()
}

#[test]
fn international_names_round_trip_through_modified_utf7() {
    for name in [
        "Entw\u{fc}rfe",
        "\u{65e5}\u{672c}\u{8a9e}",
        "Tom & Jerry",
        "Gel\u{f6}schte Elemente/\u{1f4e7} Archiv",
        "~peter/mail/\u{53f0}\u{5317}",
    ] {
        assert_eq!(round_trip(name), name);
    }
}

#[test]
fn modified_utf7_decodes_to_the_utf8_store_name() {
    assert_eq!(utf7("Entw&APw-rfe").unwrap(), "Entw\u{fc}rfe");
    assert_eq!(utf7("&ZeVnLIqe-").unwrap(), "\u{65e5}\u{672c}\u{8a9e}");
    assert_eq!(utf7("Tom &- Jerry").unwrap(), "Tom & Jerry");
}

#[test]
fn utf8_mode_takes_names_as_sent() {
    assert_eq!(utf8("Entw\u{fc}rfe").unwrap(), "Entw\u{fc}rfe");
    assert_eq!(utf8("Entw&APw-rfe").unwrap(), "Entw&APw-rfe");
}

#[test]
fn inbox_is_recognised_in_any_case_in_both_modes() {
    assert_eq!(utf7("inbox").unwrap(), "INBOX");
    assert_eq!(utf8("InBoX/Receipts").unwrap(), "INBOX/Receipts");
    assert_eq!(utf7("Archive/inbox").unwrap(), "Archive/inbox");
}

#[test]
fn empty_hierarchy_part_is_refused() {
    assert_eq!(
        utf7("a//b"),
        Err(ListError::InvalidName(NameError::EmptyPart))
    );
    assert_eq!(
        utf7("a/").unwrap_err().to_string(),
        "mailbox name starts or ends with the hierarchy delimiter"
    );
    assert_eq!(utf7(""), Err(ListError::InvalidName(NameError::Empty)));
}

#[test]
fn too_long_name_is_refused_by_its_utf8_length() {
    assert!(utf8(&"a".repeat(1024)).is_ok());
    assert_eq!(
        utf8(&"\u{fc}".repeat(513)).unwrap_err().to_string(),
        "mailbox name longer than 1024 octets"
    );
}

#[test]
fn bad_modified_utf7_is_refused_with_the_reason() {
    assert_eq!(
        utf7("Entw&APw"),
        Err(ListError::ModifiedUtf7(Utf7Error::Unterminated))
    );
    assert_eq!(
        utf7("&AGE-").unwrap_err().to_string(),
        "mailbox name is not valid modified UTF-7: a shift sequence encodes printable ASCII, \
         which must be written directly"
    );
    assert_eq!(
        utf7("Entw\u{fc}rfe"),
        Err(ListError::ModifiedUtf7(Utf7Error::InvalidCharacter(0xfc)))
    );
}

#[test]
fn wildcards_and_control_characters_are_refused() {
    assert_eq!(
        utf8("a*b"),
        Err(ListError::InvalidName(NameError::Wildcard('*')))
    );
    assert_eq!(
        utf8("a\u{7}b"),
        Err(ListError::InvalidName(NameError::ControlCharacter(7)))
    );
}

#[test]
fn octets_that_are_not_utf8_are_refused() {
    assert_eq!(
        decode_mailbox_name(b"caf\xe9", NameMode::Utf8),
        Err(ListError::NotUtf8)
    );
}

fn counted() -> postamt::store::MailboxInfo {
    let mut mailbox = info("INBOX", None);
    mailbox.status = MailboxStatus {
        messages: 17,
        unseen: 3,
        deleted: 2,
        size: 123_456,
        deleted_size: 2_048,
        uid_validity: UidValidity(1_700_000_000),
        uid_next: Uid(42),
        highest_modseq: ModSeq(9_001),
        recent: 4,
    };
    mailbox
}

#[test]
fn status_answers_each_item_in_the_order_asked() {
    let items = status_items(
        &counted(),
        &[
            Ask::Unseen,
            Ask::Messages,
            Ask::UidNext,
            Ask::UidValidity,
            Ask::Deleted,
            Ask::Size,
            Ask::HighestModSeq,
        ],
    );
    assert_eq!(
        items,
        [
            Say::Unseen(3),
            Say::Messages(17),
            Say::UidNext(Uid(42)),
            Say::UidValidity(UidValidity(1_700_000_000)),
            Say::Deleted(2),
            Say::Size(123_456),
            Say::HighestModSeq(ModSeq(9_001)),
        ]
    );
    assert_eq!(
        render(
            Data::MailboxStatus {
                mailbox: "INBOX".to_owned(),
                items,
            },
            Mode::Rev1
        ),
        "* STATUS INBOX (UNSEEN 3 MESSAGES 17 UIDNEXT 42 UIDVALIDITY 1700000000 DELETED 2 \
         SIZE 123456 HIGHESTMODSEQ 9001)"
    );
}

#[test]
fn thunderbirds_status_with_recent_reports_the_unclaimed_messages() {
    let items = status_items(
        &counted(),
        &[Ask::UidNext, Ask::Messages, Ask::Unseen, Ask::Recent],
    );
    assert_eq!(
        items,
        [
            Say::UidNext(Uid(42)),
            Say::Messages(17),
            Say::Unseen(3),
            Say::Recent(4)
        ]
    );
}

#[test]
fn a_repeated_item_is_answered_once() {
    assert_eq!(
        status_items(&counted(), &[Ask::Messages, Ask::Messages]),
        [Say::Messages(17)]
    );
}

#[test]
fn appendlimit_is_not_answered() {
    assert_eq!(
        status_items(&counted(), &[Ask::AppendLimit, Ask::Size]),
        [Say::Size(123_456)]
    );
}

#[test]
fn counts_beyond_32_bits_saturate_instead_of_wrapping() {
    let mut mailbox = counted();
    mailbox.status.messages = u64::from(u32::MAX) + 5;
    assert_eq!(
        status_items(&mailbox, &[Ask::Messages]),
        [Say::Messages(u32::MAX)]
    );
}
