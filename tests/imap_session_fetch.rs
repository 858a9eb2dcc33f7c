//! FETCH and UID FETCH over a fixture message: every item, \Seen set by
//! BODY[] but not by PEEK, partials, header field filters, BINARY.

mod imap_session_support;

use imap_session_support::{Client, Fixture, fixture, message};

const MIXED: &str = "tests/fixtures/messages/mixed_attachment.eml";

fn mixed() -> Vec<u8> {
    std::fs::read(MIXED).unwrap()
}

async fn with_mixed() -> (Fixture, Client) {
    let f = fixture().await;
    f.deliver("INBOX", &[&mixed()]).await;
    let c = f.select("INBOX").await;
    (f, c)
}

#[tokio::test]
async fn envelope_and_bodystructure_are_the_response_writers_golden_bytes() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (ENVELOPE BODYSTRUCTURE)").await;
    let t = c.expect_ok("a1").await;
    let golden = std::fs::read_to_string("tests/fixtures/imap/mixed_attachment.golden").unwrap();
    assert_eq!(t.untagged, vec![golden.trim_end().to_owned()]);
}

#[tokio::test]
async fn body_section_sets_seen_and_reports_it_in_the_same_fetch() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (BODY[1])").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(t.untagged.len(), 1);
    assert!(
        t.untagged[0].contains("FLAGS (\\Seen \\Recent)"),
        "{}",
        t.untagged[0]
    );
    c.send("a2 FETCH 1 FLAGS").await;
    let t = c.expect_ok("a2").await;
    assert_eq!(t.untagged, vec!["* 1 FETCH (FLAGS (\\Seen \\Recent))"]);
}

#[tokio::test]
async fn peek_leaves_seen_alone() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (BODY.PEEK[TEXT])").await;
    let t = c.expect_ok("a1").await;
    assert!(!t.untagged[0].contains("FLAGS"));
    c.send("a2 FETCH 1 FLAGS").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* 1 FETCH (FLAGS (\\Recent))"]
    );
}

#[tokio::test]
async fn partial_fetch_names_its_origin_and_cuts_the_octets() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (BODY.PEEK[]<6.5>)").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(t.untagged, vec!["* 1 FETCH (BODY[]<6> {5}\r\ncarol)"]);
}

#[tokio::test]
async fn header_fields_keep_only_the_named_fields_in_header_order() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (subject TO)])")
        .await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec![
            "* 1 FETCH (BODY[HEADER.FIELDS (subject TO)] {41}\r\nTo: dave@example.net\r\nSubject: Report\r\n\r\n)"
        ]
    );
}

#[tokio::test]
async fn header_fields_not_drops_the_named_fields() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (From To)])")
        .await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec!["* 1 FETCH (BODY[HEADER.FIELDS.NOT (From To)] {19}\r\nSubject: test 1\r\n\r\n)"]
    );
}

#[tokio::test]
async fn binary_decodes_a_base64_part_and_binary_size_counts_decoded_octets() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (BINARY.PEEK[2]<0.8> BINARY.SIZE[2])")
        .await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec!["* 1 FETCH (BINARY[2]<0> {8}\r\n%PDF-1.4 BINARY.SIZE[2] 138)"]
    );
}

#[tokio::test]
async fn fast_items_and_uid_fetch_always_names_the_uid() {
    let (_f, mut c) = with_mixed().await;
    let size = mixed().len();
    c.send("a1 UID FETCH 1:* (FLAGS RFC822.SIZE)").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec![format!(
            "* 1 FETCH (UID 1 FLAGS (\\Recent) RFC822.SIZE {size})"
        )]
    );
}

#[tokio::test]
async fn rfc822_header_is_the_header_section_without_setting_seen() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(2)]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 FETCH 1 RFC822.HEADER").await;
    let t = c.expect_ok("a1").await;
    assert!(t.untagged[0].starts_with("* 1 FETCH (RFC822.HEADER {"));
    assert!(!t.untagged[0].contains("FLAGS"));
    c.send("a2 FETCH 1 RFC822").await;
    let t = c.expect_ok("a2").await;
    assert!(t.untagged[0].contains("body 2"));
    assert!(t.untagged[0].contains("FLAGS (\\Seen \\Recent)"));
}

#[tokio::test]
async fn missing_part_is_nil() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (BODY.PEEK[7])").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(t.untagged, vec!["* 1 FETCH (BODY[7] NIL)"]);
}

#[tokio::test]
async fn sequence_number_beyond_the_mailbox_is_bad_but_unknown_uid_is_silent() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 2 FLAGS").await;
    c.expect_bad("a1").await;
    c.send("a2 UID FETCH 99 FLAGS").await;
    assert!(c.expect_ok("a2").await.untagged.is_empty());
}

#[tokio::test]
async fn changedsince_returns_only_messages_changed_after_the_modseq() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c = f.login().await;
    c.send("a1 SELECT INBOX (CONDSTORE)").await;
    let t = c.expect_ok("a1").await;
    let modseq: u64 = t
        .untagged
        .iter()
        .find_map(|l| l.strip_prefix("* OK [HIGHESTMODSEQ "))
        .and_then(|r| r.split(']').next())
        .unwrap()
        .parse()
        .unwrap();
    c.send("a2 STORE 2 +FLAGS.SILENT (\\Flagged)").await;
    c.expect_ok("a2").await;
    c.send(&format!("a3 FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq})"))
        .await;
    let t = c.expect_ok("a3").await;
    assert_eq!(t.untagged.len(), 1, "{:?}", t.untagged);
    assert!(t.untagged[0].starts_with("* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ ("));
}

#[tokio::test]
async fn first_modseq_fetch_enables_condstore_and_announces_highestmodseq() {
    let (_f, mut c) = with_mixed().await;
    c.send("a1 FETCH 1 (MODSEQ)").await;
    let t = c.expect_ok("a1").await;
    assert!(
        t.untagged[0].starts_with("* OK [HIGHESTMODSEQ "),
        "{:?}",
        t.untagged
    );
    assert!(t.untagged[1].starts_with("* 1 FETCH (MODSEQ ("));
    c.send("a2 FETCH 1 (MODSEQ)").await;
    assert_eq!(c.expect_ok("a2").await.untagged.len(), 1);
}

#[tokio::test]
async fn binary_of_an_unknown_transfer_encoding_is_unknown_cte() {
    let f = fixture().await;
    let odd = b"Subject: odd\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n";
    f.deliver("INBOX", &[odd]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 FETCH 1 (BINARY.PEEK[1])").await;
    c.expect_code("a1", "UNKNOWN-CTE").await;
}

#[tokio::test]
async fn a_large_body_is_streamed_whole_with_nul_replaced() {
    let f = fixture().await;
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    for i in 0..40_000 {
        big.extend_from_slice(format!("line {i:08}\r\n").as_bytes());
    }
    big.extend_from_slice(b"nul:\0:end\r\n");
    f.deliver("INBOX", &[&big]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 FETCH 1 (BODY.PEEK[])").await;
    let t = c.expect_ok("a1").await;
    let expected = String::from_utf8_lossy(&big).replace('\0', "\u{fffd}");
    let header = format!("* 1 FETCH (BODY[] {{{}}}\r\n", big.len());
    assert!(t.untagged[0].starts_with(&header));
    // 0x80 (not valid UTF-8 alone) stands where the NUL was.
    assert_eq!(t.untagged[0].len(), header.len() + expected.len() + 1);
    assert!(t.untagged[0].ends_with("nul:\u{fffd}:end\r\n)"));
}
