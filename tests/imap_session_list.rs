//! LIST, LSUB and STATUS through a session: the store's mailboxes as a client sees them.

mod imap_session_support;

use imap_session_support::{fixture, message};

#[tokio::test]
async fn list_all_shows_the_default_folders_with_special_use_and_children() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Work/Projects").await;
    c.expect_ok("a1").await;
    c.send("a2 LIST \"\" \"*\"").await;
    let t = c.expect_ok("a2").await;
    assert_eq!(t.untagged[0], "* LIST (\\HasNoChildren) \"/\" INBOX");
    assert!(t.has("* LIST (\\HasNoChildren \\Sent) \"/\" Sent"));
    assert!(t.has("* LIST (\\HasNoChildren \\Trash) \"/\" Trash"));
    assert!(t.has("* LIST (\\HasNoChildren \\Junk) \"/\" Junk"));
    assert!(t.has("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts"));
    assert!(t.has("* LIST (\\HasNoChildren) \"/\" Templates"));
    assert!(t.has("* LIST (\\HasChildren) \"/\" Work"));
    assert!(t.has("* LIST (\\HasNoChildren) \"/\" Work/Projects"));
}

#[tokio::test]
async fn list_with_an_empty_pattern_answers_the_delimiter() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 LIST \"\" \"\"").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec!["* LIST (\\Noselect) \"/\" \"\"".to_owned()]
    );
}

#[tokio::test]
async fn rev1_names_are_modified_utf7_and_rev2_names_utf8() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Entw&APw-rfe").await;
    c.expect_ok("a1").await;
    c.send("a2 LIST \"\" Entw*").await;
    assert!(c.expect_ok("a2").await.has("\"/\" Entw&APw-rfe"));
    c.send("a3 ENABLE UTF8=ACCEPT").await;
    c.expect_ok("a3").await;
    c.send("a4 LIST \"\" Entw*").await;
    assert!(c.expect_ok("a4").await.has("\"/\" \"Entwürfe\""));
}

#[tokio::test]
async fn subscribed_selection_marks_subscribed_and_nonexistent_names() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Lists").await;
    c.expect_ok("a1").await;
    c.send("a2 SUBSCRIBE Lists").await;
    c.expect_ok("a2").await;
    c.send("a3 DELETE Lists").await;
    c.expect_ok("a3").await;
    c.send("a4 SUBSCRIBE INBOX").await;
    c.expect_ok("a4").await;
    c.send("a5 list (subscribed) \"\" \"*\"").await;
    let t = c.expect_ok("a5").await;
    assert!(t.has("* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX"));
    assert!(t.has("* LIST (\\NonExistent \\Subscribed) \"/\" Lists"));
}

#[tokio::test]
async fn lsub_lists_a_mailbox_once_it_is_subscribed() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CREATE Lists").await;
    c.expect_ok("a1").await;
    c.send("a2 LSUB \"\" \"*\"").await;
    let before = c.expect_ok("a2").await;
    assert!(!before.has("Lists"), "{:?}", before.untagged);
    // The default folders start subscribed, as clients expect to see them.
    assert!(before.has("\"/\" INBOX"), "{:?}", before.untagged);
    c.send("a3 SUBSCRIBE Lists").await;
    c.expect_ok("a3").await;
    c.send("a4 LSUB \"\" \"*\"").await;
    assert!(c.expect_ok("a4").await.has("* LSUB () \"/\" Lists"));
}

#[tokio::test]
async fn status_answers_the_items_asked_for_in_their_order() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1), &message(2)]).await;
    let mut c = f.login().await;
    c.send("a1 STATUS INBOX (UNSEEN MESSAGES UIDNEXT)").await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec!["* STATUS INBOX (UNSEEN 2 MESSAGES 2 UIDNEXT 3)".to_owned()]
    );
}

#[tokio::test]
async fn status_of_a_missing_mailbox_is_nonexistent() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 STATUS Nowhere (MESSAGES)").await;
    c.expect_code("a1", "NONEXISTENT").await;
}

#[tokio::test]
async fn list_status_follows_each_selectable_mailbox_with_its_status() {
    let f = fixture().await;
    f.deliver("INBOX", &[&message(1)]).await;
    let mut c = f.login().await;
    c.send("a1 LIST \"\" INBOX RETURN (STATUS (MESSAGES))")
        .await;
    let t = c.expect_ok("a1").await;
    assert_eq!(
        t.untagged,
        vec![
            "* LIST (\\HasNoChildren) \"/\" INBOX".to_owned(),
            "* STATUS INBOX (MESSAGES 1)".to_owned()
        ]
    );
}

#[tokio::test]
async fn rev2_status_leaves_out_recent() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 ENABLE IMAP4rev2").await;
    c.expect_ok("a1").await;
    c.send("a2 STATUS INBOX (MESSAGES RECENT)").await;
    let t = c.expect_ok("a2").await;
    assert_eq!(t.untagged, vec!["* STATUS INBOX (MESSAGES 0)".to_owned()]);
}
