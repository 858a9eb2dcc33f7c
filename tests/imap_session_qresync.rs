//! QRESYNC (RFC 7162 §3.2): ENABLE, SELECT with what the client remembers
//! answered by VANISHED (EARLIER) and FETCH, UID FETCH with VANISHED, and
//! VANISHED instead of EXPUNGE once enabled.

mod imap_session_support;

use imap_session_support::{Client, fixture, message};

/// UIDVALIDITY and HIGHESTMODSEQ from a SELECT's untagged lines.
async fn select_state(c: &mut Client, tag: &str, mailbox: &str) -> (u32, u64) {
    c.send(&format!("{tag} SELECT {mailbox}")).await;
    let t = c.expect_ok(tag).await;
    let number = |prefix: &str| {
        t.untagged
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split(']').next())
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let validity = number("* OK [UIDVALIDITY ");
    (
        u32::try_from(validity).unwrap(),
        number("* OK [HIGHESTMODSEQ "),
    )
}

async fn enable_qresync(c: &mut Client) {
    c.send("e1 ENABLE QRESYNC").await;
    assert_eq!(c.expect_ok("e1").await.untagged, vec!["* ENABLED QRESYNC"]);
}

#[tokio::test]
async fn select_with_qresync_reports_what_vanished_and_what_changed() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2), &message(3)])
        .await;
    let mut c = f.login().await;
    enable_qresync(&mut c).await;
    let (validity, modseq) = select_state(&mut c, "a1", "INBOX").await;
    c.send("a2 UNSELECT").await;
    c.expect_ok("a2").await;

    let mut other = f.select("INBOX").await;
    other.send("b1 STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    other.expect_ok("b1").await;
    other.send("b2 EXPUNGE").await;
    other.expect_ok("b2").await;
    other.send("b3 UID STORE 2 +FLAGS.SILENT (\\Flagged)").await;
    other.expect_ok("b3").await;

    c.send(&format!(
        "a3 SELECT INBOX (QRESYNC ({validity} {modseq} 1:3))"
    ))
    .await;
    let t = c.expect_ok("a3").await;
    assert!(t.has("* VANISHED (EARLIER) 1"), "{:?}", t.untagged);
    let fetch: Vec<&String> = t.untagged.iter().filter(|l| l.contains("FETCH")).collect();
    assert_eq!(fetch.len(), 1, "{:?}", t.untagged);
    assert!(
        fetch[0].starts_with("* 1 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ ("),
        "{}",
        fetch[0]
    );
}

#[tokio::test]
async fn a_changed_uidvalidity_gets_a_plain_select() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut c = f.login().await;
    enable_qresync(&mut c).await;
    let (validity, _) = select_state(&mut c, "a1", "INBOX").await;
    c.send(&format!("a2 SELECT INBOX (QRESYNC ({} 1))", validity + 1))
        .await;
    let t = c.expect_ok("a2").await;
    assert!(!t.has("VANISHED") && !t.has("FETCH"), "{:?}", t.untagged);
}

#[tokio::test]
async fn expunges_are_vanished_once_qresync_is_enabled() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2), &message(3)])
        .await;
    let mut c = f.login().await;
    enable_qresync(&mut c).await;
    select_state(&mut c, "a1", "INBOX").await;
    c.send("a2 STORE 1:2 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a2").await;
    c.send("a3 EXPUNGE").await;
    assert_eq!(c.expect_ok("a3").await.untagged, vec!["* VANISHED 1:2"]);

    let mut other = f.select("INBOX").await;
    other.send("b1 STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    other.expect_ok("b1").await;
    other.send("b2 EXPUNGE").await;
    other.expect_ok("b2").await;
    c.send("a4 NOOP").await;
    assert_eq!(c.expect_ok("a4").await.untagged, vec!["* VANISHED 3"]);
}

#[tokio::test]
async fn uid_fetch_changedsince_with_vanished_names_the_expunged_uids_first() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2), &message(3)])
        .await;
    let mut c = f.login().await;
    enable_qresync(&mut c).await;
    let (_, modseq) = select_state(&mut c, "a1", "INBOX").await;
    c.send("a2 STORE 2 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a2").await;
    c.send("a3 EXPUNGE").await;
    c.expect_ok("a3").await;
    c.send("a4 UID STORE 3 +FLAGS.SILENT (\\Seen)").await;
    c.expect_ok("a4").await;
    c.send(&format!(
        "a5 UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq} VANISHED)"
    ))
    .await;
    let t = c.expect_ok("a5").await;
    assert_eq!(t.untagged[0], "* VANISHED (EARLIER) 2");
    assert_eq!(t.untagged.len(), 2, "{:?}", t.untagged);
    assert!(t.untagged[1].starts_with("* 2 FETCH (UID 3 FLAGS (\\Seen \\Recent) MODSEQ ("));
}

#[tokio::test]
async fn qresync_without_enable_and_vanished_without_uid_fetch_are_bad() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut c = f.login().await;
    c.send("a1 SELECT INBOX (QRESYNC (1 1))").await;
    c.expect_bad("a1").await;
    enable_qresync(&mut c).await;
    select_state(&mut c, "a2", "INBOX").await;
    c.send("a3 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)").await;
    c.expect_bad("a3").await;
    c.send("a4 UID FETCH 1 (FLAGS) (VANISHED)").await;
    c.expect_bad("a4").await;
}

#[tokio::test]
async fn capability_offers_qresync_after_login() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CAPABILITY").await;
    let t = c.expect_ok("a1").await;
    assert!(t.untagged[0].contains(" QRESYNC"), "{}", t.untagged[0]);
}
