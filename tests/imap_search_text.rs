//! SEARCH keys over message text (RFC 9051 §6.4.4): SUBJECT, FROM, TO, CC,
//! BCC, BODY, TEXT through the full-text index, HEADER through the raw
//! header, with case-insensitive matching for short and non-ASCII needles.

mod imap_search_support;

use imap_search_support::*;
use postamt::store::{NewMessage, SystemFlag};

#[tokio::test]
async fn address_and_subject_keys_match_decoded_substrings() {
    let f = fixture(vec![
        msg()
            .subject("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Berlin")
            .from("=?UTF-8?Q?J=C3=BCrgen?= <juergen@example.org>")
            .to("Team <team@example.net>")
            .header("Cc", "carol@example.com")
            .header("Bcc", "dave@example.com"),
        msg()
            .subject("Weekly report")
            .from("bob@example.com")
            .to("alice@example.org"),
    ])
    .await;
    assert_eq!(f.search("SUBJECT BERLIN").await, [1]);
    assert_eq!(f.search("SUBJECT \"grüße\"").await, [1]);
    assert_eq!(f.search("FROM \"jürgen\"").await, [1]);
    assert_eq!(f.search("FROM EXAMPLE.ORG").await, [1]);
    assert_eq!(f.search("TO example.org").await, [2]);
    assert_eq!(f.search("CC carol").await, [1]);
    assert_eq!(f.search("BCC dave").await, [1]);
    assert_eq!(f.search("SUBJECT \"\"").await, [1, 2]);
}

#[tokio::test]
async fn body_searches_the_body_and_text_the_whole_message() {
    let f = fixture(vec![
        msg().subject("invoice 42").body("Please pay.\n"),
        msg().subject("hello").body("The INVOICE is attached.\n"),
        msg().subject("nothing").body("Nothing here.\n"),
    ])
    .await;
    assert_eq!(f.search("BODY invoice").await, [2]);
    assert_eq!(f.search("TEXT invoice").await, [1, 2]);
    assert_eq!(f.search("NOT TEXT invoice").await, [3]);
}

#[tokio::test]
async fn text_also_searches_header_fields_the_index_lacks() {
    let f = fixture(vec![
        msg().subject("a").header("X-Mailer", "Mutt/2.2"),
        msg()
            .subject("b")
            .header("Organization", "=?UTF-8?Q?M=C3=BCller_AG?="),
        msg().subject("c").flag(SystemFlag::Seen),
    ])
    .await;
    assert_eq!(f.search("TEXT mutt").await, [1]);
    assert_eq!(f.search("TEXT \"MÜLLER\"").await, [2]);
    assert_eq!(f.search("NOT TEXT mutt").await, [2, 3]);
    assert_eq!(f.search("BODY mutt").await, Vec::<u32>::new());
}

#[tokio::test]
async fn needles_shorter_than_a_trigram_still_match() {
    let f = fixture(vec![
        msg().subject("ab").body("x\n"),
        msg().subject("cd").body("yz\n"),
    ])
    .await;
    assert_eq!(f.search("SUBJECT A").await, [1]);
    assert_eq!(f.search("SUBJECT Cd").await, [2]);
    assert_eq!(f.search("BODY X").await, [1]);
    assert_eq!(f.search("BODY yz").await, [2]);
    assert_eq!(f.search("BODY q").await, Vec::<u32>::new());
}

#[tokio::test]
async fn non_ascii_needles_ignore_unicode_case() {
    let f = fixture(vec![
        msg().subject("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?="),
        msg().subject("=?UTF-8?Q?=C3=84RGER?="),
        msg()
            .body("Das ist \u{fc}ber \u{dc}BEL.\n")
            .header("Content-Type", "text/plain; charset=utf-8"),
        msg().subject("Munich"),
    ])
    .await;
    assert_eq!(f.search("SUBJECT \"MÜNCHEN\"").await, [1]);
    assert_eq!(f.search("SUBJECT \"ärger\"").await, [2]);
    assert_eq!(f.search("BODY \"ÜBER\"").await, [3]);
    assert_eq!(f.search("BODY \"übel\"").await, [3]);
    // A needle without any ASCII: every message is checked against its text.
    assert_eq!(f.search("TEXT \"Ü\"").await, [1, 3]);
    assert_eq!(f.search("TEXT \"ä\"").await, [2]);
}

#[tokio::test]
async fn header_matches_field_values_and_presence() {
    let f = fixture(vec![
        msg()
            .header("X-Mailer", "Mutt/2.2")
            .header("X-Spam-Flag", "YES"),
        msg()
            .header("X-Mailer", "Thunderbird\r\n 115.0")
            .flag(SystemFlag::Seen),
        msg(),
    ])
    .await;
    assert_eq!(f.search("HEADER x-mailer mutt").await, [1]);
    assert_eq!(f.search("HEADER X-Mailer \"thunderbird 115\"").await, [2]);
    assert_eq!(f.search("HEADER X-Spam-Flag \"\"").await, [1]);
    assert_eq!(f.search("NOT HEADER X-Mailer \"\"").await, [3]);
    assert_eq!(f.search("SEEN HEADER X-Mailer \"\"").await, [2]);
    assert_eq!(f.search("OR FLAGGED HEADER x-spam-flag yes").await, [1]);
}

/// The keys agree with a plain scan of the decoded text of real messages.
#[tokio::test]
async fn corpus_text_search_agrees_with_a_scan_of_the_decoded_text() {
    let raw = corpus(60);
    let parsed: Vec<_> = raw
        .iter()
        .map(|r| postamt::message::parse(r).search)
        .collect();
    let f = fixture_raw(raw.into_iter().map(NewMessage::from_bytes).collect()).await;
    for needle in ["the", "re", "a", "é", "list", "http"] {
        let folded = needle.to_lowercase();
        let scan = |field: fn(&postamt::message::SearchText) -> &str| -> Vec<u32> {
            parsed
                .iter()
                .enumerate()
                .filter(|(_, t)| field(t).to_lowercase().contains(&folded))
                .map(|(i, _)| i as u32 + 1)
                .collect()
        };
        let subject = f.search(&format!("SUBJECT \"{needle}\"")).await;
        assert_eq!(subject, scan(|t| &t.subject), "SUBJECT {needle}");
        let body = f.search(&format!("BODY \"{needle}\"")).await;
        assert_eq!(body, scan(|t| &t.body), "BODY {needle}");
    }
}

/// Cheap keys decide first: a message they exclude is never read, which a
/// message whose file cannot be read shows.
#[tokio::test]
async fn header_reads_only_messages_the_cheap_keys_left() {
    let f = fixture(vec![
        msg().subject("unread-marker").header("X-A", "1"),
        msg()
            .subject("read")
            .header("X-A", "2")
            .flag(SystemFlag::Seen),
    ])
    .await;
    f.break_message_file("unread-marker");
    assert_eq!(f.search("SEEN HEADER X-A \"\"").await, [2]);
    assert!(f.try_search_at("HEADER X-A \"\"", later()).await.is_err());
}

#[tokio::test]
async fn fixture_messages_are_found_by_their_decoded_fields() {
    let f = fixture_raw(
        [
            "encoded_words.eml",
            "duplicate_subject.eml",
            "reply.eml",
            "groups.eml",
        ]
        .into_iter()
        .map(fixture_message)
        .collect(),
    )
    .await;
    assert_eq!(f.search("SUBJECT \"KÖLN\"").await, [1]);
    assert_eq!(f.search("FROM \"andré\"").await, [1]);
    // Cyrillic has no ASCII to narrow by: the decoded text decides.
    assert_eq!(f.search("TO \"иван\"").await, [1]);
    // The index holds the first Subject; HEADER sees every occurrence.
    assert_eq!(f.search("SUBJECT second").await, Vec::<u32>::new());
    assert_eq!(f.search("HEADER Subject second").await, [2]);
    assert_eq!(f.search("SENTON 3-Dec-2026").await, [3]);
    assert_eq!(f.search("SENTON 28-Nov-2026").await, [1]);
    assert_eq!(f.search("TO lee@example.com").await, [4]);
}
