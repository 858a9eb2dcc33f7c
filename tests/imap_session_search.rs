//! SEARCH, ESEARCH result options, SEARCHRES, SORT and THREAD through a session: the
//! response forms a client gets (the matching itself is tested in imap_search_*).

mod imap_session_support;

use imap_session_support::{Client, fixture};

fn mail(subject: &str, from: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: bob@example.org\r\nSubject: {subject}\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <{subject}@example.org>\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// INBOX with three messages: 1 and 3 about "lunch", 2 about "budget"; 2 is \Seen.
async fn three_messages() -> (imap_session_support::Fixture, Client) {
    let f = fixture().await;
    f.deliver(
        "INBOX",
        &[
            &mail("lunch", "carol@example.org", "pizza today?"),
            &mail("budget", "alice@example.org", "numbers attached"),
            &mail("Re: lunch", "dave@example.org", "yes, pizza"),
        ],
    )
    .await;
    let mut c = f.select("INBOX").await;
    c.send("s1 STORE 2 +FLAGS.SILENT (\\Seen)").await;
    c.expect_ok("s1").await;
    (f, c)
}

#[tokio::test]
async fn rev1_search_answers_with_a_search_response() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 SEARCH BODY pizza").await;
    assert_eq!(c.expect_ok("a1").await.untagged, vec!["* SEARCH 1 3"]);
    c.send("a2 UID SEARCH UNSEEN").await;
    assert_eq!(c.expect_ok("a2").await.untagged, vec!["* SEARCH 1 3"]);
}

#[tokio::test]
async fn a_search_with_no_match_is_an_empty_search_response() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 SEARCH SUBJECT holidays").await;
    assert_eq!(c.expect_ok("a1").await.untagged, vec!["* SEARCH"]);
}

#[tokio::test]
async fn esearch_return_options_give_min_max_count_and_all() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 SEARCH RETURN (MIN MAX COUNT ALL) OR SUBJECT lunch FROM alice")
        .await;
    assert_eq!(
        c.expect_ok("a1").await.untagged,
        vec!["* ESEARCH (TAG \"a1\") MIN 1 MAX 3 ALL 1:3 COUNT 3"]
    );
    c.send("a2 UID SEARCH RETURN (COUNT) SUBJECT nothing").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* ESEARCH (TAG \"a2\") UID COUNT 0"]
    );
}

#[tokio::test]
async fn rev2_search_answers_with_esearch_all() {
    let (f, _) = three_messages().await;
    let mut c = f.login().await;
    c.send("a1 ENABLE IMAP4rev2").await;
    c.expect_ok("a1").await;
    c.send("a0 SELECT INBOX").await;
    c.expect_ok("a0").await;
    c.send("a2 SEARCH SUBJECT lunch").await;
    assert_eq!(
        c.expect_ok("a2").await.untagged,
        vec!["* ESEARCH (TAG \"a2\") ALL 1,3"]
    );
}

#[tokio::test]
async fn a_saved_result_is_used_by_dollar() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 SEARCH RETURN (SAVE) SUBJECT lunch").await;
    assert!(c.expect_ok("a1").await.untagged.is_empty());
    c.send("a2 FETCH $ (UID)").await;
    let t = c.expect_ok("a2").await;
    assert_eq!(t.untagged, vec!["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)"]);
}

#[tokio::test]
async fn an_unknown_charset_is_badcharset() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 SEARCH CHARSET KOI8-R SUBJECT lunch").await;
    let t = c.expect_no("a1").await;
    assert!(
        t.tagged.contains("[BADCHARSET (UTF-8 US-ASCII)]"),
        "{}",
        t.tagged
    );
}

#[tokio::test]
async fn sort_orders_by_subject_then_reverse_date() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 SORT (SUBJECT) UTF-8 ALL").await;
    // Base subjects: "budget", "lunch", "lunch" (ties by sequence number).
    assert_eq!(c.expect_ok("a1").await.untagged, vec!["* SORT 2 1 3"]);
    c.send("a2 UID SORT (REVERSE FROM) UTF-8 ALL").await;
    assert_eq!(c.expect_ok("a2").await.untagged, vec!["* SORT 3 1 2"]);
}

#[tokio::test]
async fn thread_orderedsubject_groups_the_reply_with_its_subject() {
    let (_f, mut c) = three_messages().await;
    c.send("a1 THREAD ORDEREDSUBJECT UTF-8 ALL").await;
    // Threads by the date of their first message; equal dates keep sequence order.
    assert_eq!(c.expect_ok("a1").await.untagged, vec!["* THREAD (1 3)(2)"]);
    c.send("a2 THREAD FANCY UTF-8 ALL").await;
    c.expect_bad("a2").await;
}

#[tokio::test]
async fn capabilities_after_login_advertise_search_sort_and_thread() {
    let f = fixture().await;
    let mut c = f.login().await;
    c.send("a1 CAPABILITY").await;
    let t = c.expect_ok("a1").await;
    for capability in [
        "ESEARCH",
        "SEARCHRES",
        "SORT",
        "THREAD=ORDEREDSUBJECT",
        "THREAD=REFERENCES",
    ] {
        assert!(
            t.untagged[0].contains(capability),
            "{capability}: {}",
            t.untagged[0]
        );
    }
}
