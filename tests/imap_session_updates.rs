//! What a session is told about other sessions' changes, and when: EXISTS,
//! FETCH FLAGS and EXPUNGE with correct sequence numbers, never an EXPUNGE
//! during FETCH, STORE or SEARCH, and IDLE seeing new mail at once.

mod imap_session_support;

use std::time::Duration;

use imap_session_support::{fixture, message};

#[tokio::test]
async fn noop_reports_another_sessions_flag_change() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c1 = f.select("INBOX").await;
    let mut c2 = f.select("INBOX").await;
    c2.send("b1 STORE 2 +FLAGS.SILENT (\\Flagged)").await;
    c2.expect_ok("b1").await;
    c1.send("a1 NOOP").await;
    assert_eq!(
        c1.expect_ok("a1").await.untagged,
        vec!["* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))"]
    );
    c1.send("a2 NOOP").await;
    assert!(c1.expect_ok("a2").await.untagged.is_empty());
}

#[tokio::test]
async fn expunge_elsewhere_is_reported_with_this_sessions_numbers() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2), &message(3)])
        .await;
    let mut c1 = f.select("INBOX").await;
    let mut c2 = f.select("INBOX").await;
    c2.send("b1 STORE 1,3 +FLAGS.SILENT (\\Deleted)").await;
    c2.expect_ok("b1").await;
    c2.send("b2 EXPUNGE").await;
    assert_eq!(
        c2.expect_ok("b2").await.untagged,
        vec!["* 1 EXPUNGE", "* 2 EXPUNGE"]
    );
    c1.send("a1 NOOP").await;
    let t = c1.expect_ok("a1").await;
    assert_eq!(t.untagged, vec!["* 1 EXPUNGE", "* 2 EXPUNGE"]);
    c1.send("a2 FETCH 1 UID").await;
    assert_eq!(c1.expect_ok("a2").await.untagged, vec!["* 1 FETCH (UID 2)"]);
}

#[tokio::test]
async fn no_expunge_during_fetch_or_store_but_after_the_next_noop() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c1 = f.select("INBOX").await;
    let mut c2 = f.select("INBOX").await;
    c2.send("b1 STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    c2.expect_ok("b1").await;
    c2.send("b2 EXPUNGE").await;
    c2.expect_ok("b2").await;
    f.deliver("INBOX", &[&message(3)]).await;
    c1.send("a1 FETCH 2 UID").await;
    let t = c1.expect_ok("a1").await;
    assert!(!t.has("EXPUNGE"), "{:?}", t.untagged);
    assert!(t.has("* 3 EXISTS"), "{:?}", t.untagged);
    assert!(
        t.has("* 2 FETCH (UID 2)"),
        "numbers unchanged: {:?}",
        t.untagged
    );
    c1.send("a2 STORE 2 +FLAGS.SILENT (\\Seen)").await;
    assert!(!c1.expect_ok("a2").await.has("EXPUNGE"));
    c1.send("a3 NOOP").await;
    assert_eq!(c1.expect_ok("a3").await.untagged, vec!["* 1 EXPUNGE"]);
}

#[tokio::test]
async fn uid_fetch_may_report_an_expunge() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c1 = f.select("INBOX").await;
    let mut c2 = f.select("INBOX").await;
    c2.send("b1 UID MOVE 1 Trash").await;
    c2.expect_ok("b1").await;
    c1.send("a1 UID FETCH 2 FLAGS").await;
    let t = c1.expect_ok("a1").await;
    assert!(t.has("* 1 EXPUNGE"), "{:?}", t.untagged);
}

#[tokio::test]
async fn idle_sees_another_sessions_append_within_a_second() {
    let f = fixture().await;
    let mut c1 = f.select("INBOX").await;
    c1.send("a1 IDLE").await;
    assert_eq!(c1.line().await, "+ idling");
    let mut c2 = f.login().await;
    let msg = message(1);
    c2.send(&format!("b1 APPEND INBOX {{{}+}}", msg.len()))
        .await;
    c2.send_raw(&msg).await;
    c2.send("").await;
    c2.expect_ok("b1").await;
    let seen = tokio::time::timeout(Duration::from_secs(1), c1.line()).await;
    assert_eq!(seen.unwrap(), "* 1 EXISTS");
    c1.send("DONE").await;
    c1.expect_ok("a1").await;
}

#[tokio::test]
async fn idle_reports_flag_changes_and_expunges_too() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c1 = f.select("INBOX").await;
    c1.send("a1 IDLE").await;
    c1.line().await;
    let mut c2 = f.select("INBOX").await;
    c2.send("b1 STORE 2 +FLAGS (\\Seen)").await;
    c2.expect_ok("b1").await;
    assert_eq!(c1.line().await, "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))");
    c2.send("b2 UID MOVE 1 Trash").await;
    c2.expect_ok("b2").await;
    assert_eq!(c1.line().await, "* 1 EXPUNGE");
    c1.send("done").await;
    c1.expect_ok("a1").await;
}

#[tokio::test]
async fn an_expunge_held_back_during_fetch_comes_at_the_next_noop_without_new_changes() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c1 = f.select("INBOX").await;
    let mut c2 = f.select("INBOX").await;
    c2.send("b1 UID MOVE 1 Trash").await;
    c2.expect_ok("b1").await;
    c1.send("a1 FETCH 1:2 UID").await;
    assert!(!c1.expect_ok("a1").await.has("EXPUNGE"));
    c1.send("a2 NOOP").await;
    assert_eq!(c1.expect_ok("a2").await.untagged, vec!["* 1 EXPUNGE"]);
}
