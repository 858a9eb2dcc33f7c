//! Each heuristic rule on a crafted message that has exactly its flaw, and
//! a well-formed plain message that matches none.

use postamt::antispam::Scanned;
use postamt::antispam::rules::check;

const GOOD_HEADER: &str = "From: Bob <bob@example.net>\r\nTo: alice@example.test\r\nSubject: Notes\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n1@example.net>\r\n";

fn names(raw: &str) -> Vec<&'static str> {
    let scanned = Scanned::parse(raw.as_bytes()).unwrap();
    check(&scanned).into_iter().map(|hit| hit.name).collect()
}

fn with_body(extra_header: &str, body: &str) -> String {
    format!("{GOOD_HEADER}{extra_header}\r\n{body}\r\n")
}

#[test]
fn well_formed_plain_message_matches_nothing() {
    assert!(names(&with_body("", "Meeting moved to 3pm.")).is_empty());
}

#[test]
fn missing_message_id() {
    let raw = GOOD_HEADER.replace("Message-ID: <n1@example.net>\r\n", "") + "\r\nhi\r\n";
    assert_eq!(names(&raw), vec!["MISSING_MID"]);
}

#[test]
fn malformed_message_id() {
    let raw = GOOD_HEADER.replace("<n1@example.net>", "n1-no-brackets") + "\r\nhi\r\n";
    assert_eq!(names(&raw), vec!["INVALID_MID"]);
}

#[test]
fn missing_date() {
    let raw = GOOD_HEADER.replace("Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n", "") + "\r\nhi\r\n";
    assert_eq!(names(&raw), vec!["MISSING_DATE"]);
}

#[test]
fn malformed_date() {
    let raw =
        GOOD_HEADER.replace("Mon, 23 Nov 2026 10:00:00 +0000", "sometime soon") + "\r\nhi\r\n";
    assert_eq!(names(&raw), vec!["INVALID_DATE"]);
}

#[test]
fn received_without_tcp_info_or_with_a_bad_literal() {
    let raw = with_body(
        "Received: from relay.example.net ([300.12.1.9]) by mx.example.test with ESMTP\r\n",
        "hi",
    );
    assert_eq!(names(&raw), vec!["FORGED_RECEIVED"]);
    let raw = with_body("Received: from bigisp.example - 192.0.2.9\r\n", "hi");
    assert_eq!(names(&raw), vec!["FORGED_RECEIVED"]);
}

#[test]
fn genuine_received_chain_passes() {
    let raw = with_body(
        "Received: from mail.example.net (mail.example.net [192.0.2.1])\r\n\tby mx.example.test with ESMTPS id 1; Mon, 23 Nov 2026 10:00:01 +0000\r\n",
        "hi",
    );
    assert!(names(&raw).is_empty());
}

#[test]
fn html_only_body() {
    let raw = with_body("Content-Type: text/html\r\n", "<p>Hello there</p>");
    assert_eq!(names(&raw), vec!["HTML_ONLY"]);
}

#[test]
fn obfuscated_words() {
    let raw = with_body("", "Buy v1agra and c1alis, get m0ney back today");
    assert_eq!(names(&raw), vec!["OBFUSCATED_TEXT"]);
}

#[test]
fn letters_spaced_apart() {
    let raw = with_body("", "Get it F R E E now");
    assert_eq!(names(&raw), vec!["OBFUSCATED_TEXT"]);
}

#[test]
fn link_text_showing_another_host() {
    let raw = format!(
        "{GOOD_HEADER}MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee your bank.\r\n--b\r\nContent-Type: text/html\r\n\r\n<a href=\"http://login.attacker.example/\">https://www.mybank.example/login</a>\r\n--b--\r\n"
    );
    assert_eq!(names(&raw), vec!["LINK_TEXT_MISMATCH"]);
}

#[test]
fn executable_attachment() {
    let raw = format!(
        "{GOOD_HEADER}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour invoice.\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n"
    );
    assert_eq!(names(&raw), vec!["SUSPICIOUS_ATTACHMENT"]);
}
