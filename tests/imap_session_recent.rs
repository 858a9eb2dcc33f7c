//! `\Recent` in IMAP4rev1 (RFC 3501 §2.3.2): a message is recent to exactly
//! one session, the first to select the mailbox after it arrived; EXAMINE
//! and STATUS look without taking it; IMAP4rev2 has no `\Recent` at all.

mod imap_session_support;

use imap_session_support::{fixture, message};

#[tokio::test]
async fn only_the_first_session_to_select_gets_new_mail_as_recent() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut first = f.login().await;
    first.send("a1 SELECT INBOX").await;
    assert!(first.expect_ok("a1").await.has("* 2 RECENT"));
    let mut second = f.login().await;
    second.send("b1 SELECT INBOX").await;
    assert!(second.expect_ok("b1").await.has("* 0 RECENT"));
    second.send("b2 FETCH 1 FLAGS").await;
    assert_eq!(
        second.expect_ok("b2").await.untagged,
        vec!["* 1 FETCH (FLAGS ())"]
    );
}

#[tokio::test]
async fn examine_shows_recent_without_taking_it() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut looker = f.login().await;
    looker.send("a1 EXAMINE INBOX").await;
    assert!(looker.expect_ok("a1").await.has("* 1 RECENT"));
    looker.send("a2 FETCH 1 FLAGS").await;
    assert_eq!(
        looker.expect_ok("a2").await.untagged,
        vec!["* 1 FETCH (FLAGS (\\Recent))"]
    );
    let mut c = f.login().await;
    c.send("b1 SELECT INBOX").await;
    assert!(c.expect_ok("b1").await.has("* 1 RECENT"));
}

#[tokio::test]
async fn new_mail_comes_with_a_recent_count_and_status_counts_the_unclaimed() {
    let f = fixture().await;
    let mut c = f.select("INBOX").await;
    let mut other = f.login().await;
    f.deliver("INBOX", &[&message(1)]).await;
    other.send("b1 STATUS INBOX (MESSAGES RECENT)").await;
    assert_eq!(
        other.expect_ok("b1").await.untagged,
        vec!["* STATUS INBOX (MESSAGES 1 RECENT 1)"]
    );
    c.send("a1 NOOP").await;
    assert_eq!(
        c.expect_ok("a1").await.untagged,
        vec!["* 1 EXISTS", "* 1 RECENT"]
    );
    other.send("b2 STATUS INBOX (RECENT)").await;
    assert_eq!(
        other.expect_ok("b2").await.untagged,
        vec!["* STATUS INBOX (RECENT 0)"]
    );
}

#[tokio::test]
async fn search_recent_new_and_old() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut early = f.select("INBOX").await;
    f.deliver("INBOX", &[&message(2), &message(3)]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 STORE 3 +FLAGS.SILENT (\\Seen)").await;
    c.expect_ok("a1").await;
    c.send("a2 SEARCH RECENT").await;
    assert_eq!(c.expect_ok("a2").await.untagged, vec!["* SEARCH 2 3"]);
    c.send("a3 SEARCH NEW").await;
    assert_eq!(c.expect_ok("a3").await.untagged, vec!["* SEARCH 2"]);
    c.send("a4 SEARCH OLD").await;
    assert_eq!(c.expect_ok("a4").await.untagged, vec!["* SEARCH 1"]);
    // The later session took messages 2 and 3 first.
    early.send("b1 NOOP").await;
    assert_eq!(
        early.expect_ok("b1").await.untagged,
        vec!["* 3 EXISTS", "* 1 RECENT"]
    );
    early.send("b2 SEARCH RECENT").await;
    assert_eq!(early.expect_ok("b2").await.untagged, vec!["* SEARCH 1"]);
}

#[tokio::test]
async fn imap4rev2_has_no_recent_and_leaves_it_to_rev1_sessions() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut modern = f.login().await;
    modern.send("a1 ENABLE IMAP4rev2").await;
    modern.expect_ok("a1").await;
    modern.send("a2 SELECT INBOX").await;
    assert!(!modern.expect_ok("a2").await.has("RECENT"));
    modern.send("a3 FETCH 1 FLAGS").await;
    assert_eq!(
        modern.expect_ok("a3").await.untagged,
        vec!["* 1 FETCH (FLAGS ())"]
    );
    let mut classic = f.select("INBOX").await;
    classic.send("b1 SEARCH RECENT").await;
    assert_eq!(classic.expect_ok("b1").await.untagged, vec!["* SEARCH 1"]);
}
