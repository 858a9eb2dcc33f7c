//! SELECT, EXAMINE, CLOSE, UNSELECT, CREATE, DELETE, RENAME, SUBSCRIBE and
//! APPEND (with MULTIAPPEND, TRYCREATE, TOOBIG and APPENDUID).

mod imap_session_support;

use imap_session_support::{fixture, message};

#[tokio::test]
async fn select_reports_counts_uid_values_and_read_write() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c = f.login().await;
    c.send("a1 SELECT INBOX").await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.starts_with("a1 OK [READ-WRITE]"), "{}", t.tagged);
    assert_eq!(
        t.untagged[0],
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $MDNSent $Junk $NotJunk)"
    );
    assert_eq!(t.untagged[1], "* 2 EXISTS");
    // The first session to select them gets both as \\Recent (RFC 3501 §2.3.2).
    assert_eq!(t.untagged[2], "* 2 RECENT");
    assert!(t.has("* OK [UNSEEN 1]"));
    assert!(t.has("* OK [UIDVALIDITY "));
    assert!(t.has("* OK [UIDNEXT 3]"));
    assert!(t.has("$NotJunk \\*)]"));
    assert!(!t.has("HIGHESTMODSEQ"));
}

#[tokio::test]
async fn examine_is_read_only_without_permanent_flags() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut c = f.login().await;
    c.send("a1 EXAMINE INBOX").await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.starts_with("a1 OK [READ-ONLY]"));
    assert!(t.has("* OK [PERMANENTFLAGS ()]"));
    c.send("a2 STORE 1 +FLAGS (\\Seen)").await;
    c.expect_code("a2", "READ-ONLY").await;
}

#[tokio::test]
async fn rev2_select_has_no_recent_and_condstore_adds_highestmodseq() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 ENABLE IMAP4rev2 CONDSTORE").await;
    c.expect_ok("a1").await;
    c.send("a2 SELECT INBOX").await;
    let t = c.expect_ok("a2").await;
    assert!(!t.has("RECENT"));
    assert!(t.has("* OK [HIGHESTMODSEQ "));
    assert_eq!(t.untagged[2], "* LIST () \"/\" INBOX");
    c.send("a3 EXAMINE Trash").await;
    assert!(c.expect_ok("a3").await.has("* LIST (\\Trash) \"/\" Trash"));
}

#[tokio::test]
async fn selecting_another_mailbox_first_closes_the_old_one() {
    let f = fixture().await;
    let mut c = f.select("INBOX").await;
    c.send("a1 EXAMINE Sent").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(t.untagged[0], "* OK [CLOSED] Previous mailbox closed");
}

#[tokio::test]
async fn selecting_a_missing_mailbox_is_no_and_leaves_nothing_selected() {
    let f = fixture().await;
    let mut c = f.select("INBOX").await;
    c.send("a1 SELECT Nowhere").await;
    c.expect_code("a1", "NONEXISTENT").await;
    c.send("a2 FETCH 1 FLAGS").await;
    c.expect_bad("a2").await;
}

#[tokio::test]
async fn close_expunges_deleted_messages_silently() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a1").await;
    c.send("a2 CLOSE").await;
    let t = c.expect_ok("a2").await;
    assert!(t.untagged.is_empty(), "{:?}", t.untagged);
    c.send("a3 SELECT INBOX").await;
    assert!(c.expect_ok("a3").await.has("* 1 EXISTS"));
}

#[tokio::test]
async fn unselect_keeps_deleted_messages() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut c = f.select("INBOX").await;
    c.send("a1 STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a1").await;
    c.send("a2 UNSELECT").await;
    c.expect_ok("a2").await;
    c.send("a3 SELECT INBOX").await;
    assert!(c.expect_ok("a3").await.has("* 1 EXISTS"));
}

#[tokio::test]
async fn create_rename_and_delete_a_folder_with_children() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Projects/2026/").await;
    c.expect_ok("a1").await;
    c.send("a2 CREATE Projects").await;
    c.expect_code("a2", "ALREADYEXISTS").await;
    c.send("a3 RENAME Projects Archive2").await;
    c.expect_ok("a3").await;
    c.send("a4 SELECT Archive2/2026").await;
    c.expect_ok("a4").await;
    c.send("a5 DELETE Archive2").await;
    c.expect_ok("a5").await;
    c.send("a6 EXAMINE Archive2/2026").await;
    c.expect_code("a6", "NONEXISTENT").await;
}

#[tokio::test]
async fn special_folders_cannot_be_renamed_or_deleted() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 DELETE Trash").await;
    c.expect_code("a1", "CANNOT").await;
    c.send("a2 RENAME Sent Outbox").await;
    c.expect_code("a2", "CANNOT").await;
}

#[tokio::test]
async fn invalid_names_get_no_with_a_reason() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE a//b").await;
    let t = c.expect_no("a1").await;
    assert!(t.tagged.contains("empty hierarchy part"), "{}", t.tagged);
}

#[tokio::test]
async fn create_with_use_sets_the_special_use() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Stuff (USE (\\Archive))").await;
    c.expect_ok("a1").await;
    c.send("a2 SUBSCRIBE Stuff").await;
    c.expect_ok("a2").await;
    c.send("a3 UNSUBSCRIBE Stuff").await;
    c.expect_ok("a3").await;
}

#[tokio::test]
async fn rev1_names_are_modified_utf7_and_rev2_names_utf8() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Entw&APw-rfe").await;
    c.expect_ok("a1").await;
    let mut c2 = f.login().await;
    c2.send("b1 ENABLE IMAP4rev2").await;
    c2.expect_ok("b1").await;
    c2.send("b2 SELECT \"Entwürfe\"").await;
    c2.expect_ok("b2").await;
}

#[tokio::test]
async fn append_with_flags_and_date_answers_appenduid() {
    let f = fixture().await;
    let mut c = f.login().await;
    let msg = message(1);
    c.send(&format!(
        "a1 APPEND INBOX (\\Seen $Forwarded) \"14-Jul-2024 02:44:25 +0200\" {{{}}}",
        msg.len()
    ))
    .await;
    assert!(c.line().await.starts_with("+ "));
    c.send_raw(&msg).await;
    c.send("").await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.starts_with("a1 OK [APPENDUID "), "{}", t.tagged);
    assert!(t.tagged.contains(" 1] "));
    c.send("a2 SELECT INBOX").await;
    c.expect_ok("a2").await;
    c.send("a3 FETCH 1 (FLAGS INTERNALDATE)").await;
    let t = c.expect_ok("a3").await;
    assert_eq!(
        t.untagged,
        // The store keeps the instant, not the zone it was written in.
        vec![
            "* 1 FETCH (FLAGS (\\Seen $Forwarded \\Recent) INTERNALDATE \"14-Jul-2024 00:44:25 +0000\")"
        ]
    );
}

#[tokio::test]
async fn multiappend_stores_all_messages_in_one_go() {
    let f = fixture().await;
    let mut c = f.login().await;
    let (a, b) = (message(1), message(2));
    c.send_raw(format!("a1 APPEND INBOX {{{}+}}\r\n", a.len()).as_bytes())
        .await;
    c.send_raw(&a).await;
    c.send_raw(format!(" (\\Flagged) {{{}+}}\r\n", b.len()).as_bytes())
        .await;
    c.send_raw(&b).await;
    c.send("").await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.contains(" 1:2] "), "{}", t.tagged);
}

#[tokio::test]
async fn append_to_a_missing_mailbox_is_trycreate_before_any_continuation() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 APPEND Nowhere {10}").await;
    let t = c.expect_code("a1", "TRYCREATE").await;
    assert!(
        t.untagged.is_empty(),
        "no continuation expected: {:?}",
        t.untagged
    );
    c.send("a2 NOOP").await;
    c.expect_ok("a2").await;
}

#[tokio::test]
async fn append_over_the_size_limit_is_toobig() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 APPEND INBOX {99999999}").await;
    let t = c.expect_code("a1", "TOOBIG").await;
    assert!(t.tagged.starts_with("a1 NO"));
}

#[tokio::test]
async fn client_vanishing_mid_literal_leaves_nothing_half_written() {
    let f = fixture().await;
    let tmp = f
        .data_dir()
        .join("users")
        .join(f.account.0.to_string())
        .join("tmp");
    let staged = || std::fs::read_dir(&tmp).map_or(0, |d| d.count());
    let mut c = f.login().await;
    c.send("a1 APPEND INBOX {100}").await;
    c.line().await;
    c.send_raw(b"Subject: half\r\n").await;
    // Wait until the session has staged the first octets.
    for _ in 0..100 {
        if staged() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(staged(), 1, "the message is staged while it streams");
    drop(c);
    for _ in 0..100 {
        if staged() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(staged(), 0, "the staged file is gone with the client");
}
