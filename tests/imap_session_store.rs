//! STORE, COPY, MOVE, EXPUNGE and UID EXPUNGE as the client sees them.

mod imap_session_support;

use imap_session_support::{Client, Fixture, fixture, message};

async fn with_messages(n: usize) -> (Fixture, Client) {
    let f = fixture().await;
    let messages: Vec<Vec<u8>> = (1..=n).map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    f.deliver("INBOX", &refs).await;
    let c = f.select("INBOX").await;
    (f, c)
}

#[tokio::test]
async fn store_add_remove_and_replace_report_the_new_flags() {
    let (_f, mut c) = with_messages(1).await;
    c.send("a1 STORE 1 +FLAGS (\\Seen $Junk)").await;
    assert_eq!(
        c.expect_ok("a1").await.untagged,
        vec!["* 1 FETCH (FLAGS (\\Seen $Junk \\Recent))"]
    );
    c.send("a2 STORE 1 -FLAGS ($junk)").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* 1 FETCH (FLAGS (\\Seen \\Recent))"]
    );
    c.send("a3 STORE 1 FLAGS (\\Draft)").await;
    assert_eq!(
        c.expect_ok("a3").await.untagged,
        vec!["* 1 FETCH (FLAGS (\\Draft \\Recent))"]
    );
}

#[tokio::test]
async fn silent_store_says_nothing_and_uid_store_names_the_uid() {
    let (_f, mut c) = with_messages(2).await;
    c.send("a1 STORE 1:2 +FLAGS.SILENT (\\Flagged)").await;
    assert!(c.expect_ok("a1").await.untagged.is_empty());
    c.send("a2 UID STORE 2 -FLAGS (\\Flagged)").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* 2 FETCH (FLAGS (\\Recent) UID 2)"]
    );
}

#[tokio::test]
async fn unchangedsince_refuses_messages_changed_since_with_modified() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c = f.login().await;
    c.send("a1 ENABLE CONDSTORE").await;
    c.expect_ok("a1").await;
    c.send("a9 SELECT INBOX").await;
    c.expect_ok("a9").await;
    c.send("a8 FETCH 1 (MODSEQ)").await;
    let fetched = c.expect_ok("a8").await;
    let delivered: u64 = fetched.untagged[0]
        .trim_start_matches("* 1 FETCH (MODSEQ (")
        .trim_end_matches("))")
        .parse()
        .unwrap();
    c.send("a2 STORE 2 +FLAGS.SILENT (\\Seen)").await;
    c.expect_ok("a2").await;
    c.send(&format!(
        "a3 STORE 1:2 (UNCHANGEDSINCE {delivered}) +FLAGS (\\Flagged)"
    ))
    .await;
    let t = c.expect_ok("a3").await;
    assert!(t.tagged.starts_with("a3 OK [MODIFIED 2]"), "{}", t.tagged);
    assert_eq!(t.untagged.len(), 1, "{:?}", t.untagged);
    assert!(t.untagged[0].starts_with("* 1 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ ("));
}

#[tokio::test]
async fn store_of_an_unknown_system_flag_is_bad() {
    let (_f, mut c) = with_messages(1).await;
    c.send("a1 STORE 1 +FLAGS (\\Bogus)").await;
    c.expect_bad("a1").await;
}

#[tokio::test]
async fn copy_answers_copyuid_and_trycreate_for_a_missing_mailbox() {
    let (_f, mut c) = with_messages(2).await;
    c.send("a1 COPY 1:2 Drafts").await;
    let t = c.expect_ok("a1").await;
    assert!(t.tagged.starts_with("a1 OK [COPYUID "), "{}", t.tagged);
    assert!(t.tagged.contains(" 1,2 1,2]"), "{}", t.tagged);
    c.send("a2 COPY 1 Nowhere").await;
    c.expect_code("a2", "TRYCREATE").await;
}

#[tokio::test]
async fn move_sends_copyuid_before_the_expunges() {
    let (_f, mut c) = with_messages(3).await;
    c.send("a1 UID MOVE 2:3 Trash").await;
    let t = c.expect_ok("a1").await;
    assert!(
        t.untagged[0].starts_with("* OK [COPYUID "),
        "{:?}",
        t.untagged
    );
    assert_eq!(t.untagged[1..], ["* 2 EXPUNGE", "* 2 EXPUNGE"]);
    c.send("a2 FETCH 1:* UID").await;
    assert_eq!(c.expect_ok("a2").await.untagged, vec!["* 1 FETCH (UID 1)"]);
}

#[tokio::test]
async fn expunge_renumbers_as_it_goes() {
    let (_f, mut c) = with_messages(4).await;
    c.send("a1 STORE 1,2,4 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a1").await;
    c.send("a2 EXPUNGE").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* 1 EXPUNGE", "* 1 EXPUNGE", "* 2 EXPUNGE"]
    );
    c.send("a3 FETCH 1 UID").await;
    assert_eq!(c.expect_ok("a3").await.untagged, vec!["* 1 FETCH (UID 3)"]);
}

#[tokio::test]
async fn uid_expunge_removes_only_the_named_deleted_messages() {
    let (_f, mut c) = with_messages(3).await;
    c.send("a1 STORE 1:3 +FLAGS.SILENT (\\Deleted)").await;
    c.expect_ok("a1").await;
    c.send("a2 UID EXPUNGE 2").await;
    assert_eq!(c.expect_ok("a2").await.untagged, vec!["* 2 EXPUNGE"]);
    c.send("a3 FETCH 1:* UID").await;
    assert_eq!(c.expect_ok("a3").await.untagged.len(), 2);
}
