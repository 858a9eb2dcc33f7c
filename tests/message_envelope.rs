//! Golden ENVELOPE values (RFC 9051 §7.5.2) for the hand-made fixtures: raw
//! header values, first occurrence wins, From standing in for Sender/Reply-To,
//! group markers, NIL for what is missing.

use postamt::message::{Envelope, EnvelopeAddress, Mailbox, parse};

fn envelope(name: &str) -> Envelope {
    let path = format!(
        "{}/tests/fixtures/messages/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(&std::fs::read(path).unwrap()).metadata.envelope
}

fn mailbox(name: Option<&str>, mailbox: &str, host: &str) -> EnvelopeAddress {
    EnvelopeAddress::Mailbox(Mailbox {
        name: name.map(str::to_string),
        adl: None,
        mailbox: mailbox.to_string(),
        host: host.to_string(),
    })
}

#[test]
fn plain_message_has_every_field_and_from_fills_sender_and_reply_to() {
    let alice = vec![mailbox(Some("Alice Example"), "alice", "example.org")];
    assert_eq!(
        envelope("alternative.eml"),
        Envelope {
            date: Some("Tue, 24 Nov 2026 10:00:00 +0100".to_string()),
            subject: Some("Lunch?".to_string()),
            from: alice.clone(),
            sender: alice.clone(),
            reply_to: alice,
            to: vec![mailbox(None, "bob", "example.net")],
            cc: vec![],
            bcc: vec![],
            in_reply_to: None,
            message_id: Some("<alt-1@example.org>".to_string()),
        }
    );
}

#[test]
fn encoded_words_stay_encoded_in_subject_and_names() {
    let env = envelope("encoded_words.eml");
    assert_eq!(
        env.subject.as_deref(),
        Some("=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=")
    );
    assert_eq!(
        env.from,
        vec![mailbox(
            Some("=?ISO-8859-1?Q?Andr=E9?= Pirard"),
            "PIRARD",
            "vm1.ulg.ac.be"
        )]
    );
    assert_eq!(
        env.to,
        vec![mailbox(
            Some("=?UTF-8?B?0JjQstCw0L0=?="),
            "ivan",
            "example.ru"
        )]
    );
}

#[test]
fn group_and_empty_group_are_bracketed_by_markers() {
    let env = envelope("groups.eml");
    assert_eq!(
        env.to,
        vec![
            EnvelopeAddress::GroupStart("Friends".to_string()),
            mailbox(None, "kim", "example.net"),
            mailbox(Some("Lee, L."), "lee", "example.com"),
            EnvelopeAddress::GroupEnd,
        ]
    );
    assert_eq!(
        env.cc,
        vec![
            EnvelopeAddress::GroupStart("undisclosed-recipients".to_string()),
            EnvelopeAddress::GroupEnd,
        ]
    );
}

#[test]
fn missing_from_date_and_message_id_are_nil() {
    assert_eq!(
        envelope("missing_headers.eml"),
        Envelope {
            subject: Some("Nothing else".to_string()),
            to: vec![mailbox(None, "mallory", "example.net")],
            ..Envelope::default()
        }
    );
}

#[test]
fn first_subject_wins_and_is_unfolded() {
    assert_eq!(
        envelope("duplicate_subject.eml").subject.as_deref(),
        Some("First subject, folded")
    );
}

#[test]
fn empty_sender_falls_back_to_from_but_reply_to_is_kept() {
    let env = envelope("duplicate_subject.eml");
    assert_eq!(env.sender, vec![mailbox(None, "nick", "example.org")]);
    assert_eq!(
        env.reply_to,
        vec![mailbox(Some("Replies"), "replies", "example.org")]
    );
}

#[test]
fn eight_bit_subject_without_charset_is_read_as_latin1() {
    assert_eq!(
        envelope("eight_bit.eml").subject.as_deref(),
        Some("Caf\u{e9}")
    );
}

#[test]
fn lf_only_headers_give_the_same_envelope_fields() {
    let env = envelope("lf_only.eml");
    assert_eq!(env.subject.as_deref(), Some("LF only"));
    assert_eq!(env.date.as_deref(), Some("Tue, 01 Dec 2026 10:00:00 +0000"));
    assert_eq!(env.to, vec![mailbox(None, "sybil", "example.net")]);
}
