//! THREAD (RFC 5256 §3): ORDEREDSUBJECT, and REFERENCES with its dummy
//! parents, subject gathering, loops and duplicate Message-IDs, checked on
//! the wire form the response writer produces.

mod imap_search_support;

use imap_search_support::*;

/// A Date `n` minutes into 1 January 2024, so sent order follows `n`.
fn at(n: u32) -> String {
    format!("Mon, 1 Jan 2024 {:02}:{:02}:00 +0000", n / 60, n % 60)
}

fn filler(n: u32) -> Msg {
    msg()
        .subject(&format!("filler {n}"))
        .id(&format!("f{n}"))
        .date(&at(n))
}

#[tokio::test]
async fn ordered_subject_groups_by_base_subject_under_the_first_message() {
    let f = fixture(vec![
        msg().subject("a").date(&at(1)),
        msg().subject("Re: b").date(&at(2)),
        msg().subject("Re: a").date(&at(3)),
        msg().subject("b").date(&at(0)),
        msg().subject("c").date(&at(5)),
        msg().subject("Fwd: A").date(&at(6)),
    ])
    .await;
    assert_eq!(
        f.thread("ORDEREDSUBJECT", "ALL").await,
        "* THREAD (4 2)(1 (3)(6))(5)"
    );
}

/// RFC 5256 §4: `(2)(3 6 (4 23)(44 7 96))`, with message 4 arriving before
/// the message 6 it answers.
#[tokio::test]
async fn references_reproduce_the_rfc_example() {
    let mut messages: Vec<Msg> = (1..=96).map(filler).collect();
    let reply = |n: u32, refs: &[&str]| {
        msg()
            .subject("Re: topic")
            .id(&format!("m{n}"))
            .refs(refs)
            .date(&at(n))
    };
    messages[1] = msg().subject("solo").id("m2").date(&at(2));
    messages[2] = msg().subject("topic").id("m3").date(&at(3));
    messages[5] = reply(6, &["m3"]);
    messages[3] = reply(4, &["m3", "m6"]);
    messages[22] = reply(23, &["m3", "m6", "m4"]);
    messages[43] = reply(44, &["m3", "m6"]);
    messages[6] = reply(7, &["m3", "m6", "m44"]);
    messages[95] = reply(96, &["m3", "m6", "m44", "m7"]);
    let f = fixture(messages).await;
    assert_eq!(
        f.thread("REFERENCES", "2,3,4,6,7,23,44,96").await,
        "* THREAD (2)(3 6 (4 23)(44 7 96))"
    );
}

/// RFC 5256 §4: `((3)(5))`, siblings under a parent that is not in the mailbox.
#[tokio::test]
async fn references_keep_a_dummy_root_over_siblings_of_a_missing_parent() {
    let f = fixture(vec![
        filler(1),
        filler(2),
        msg()
            .subject("Re: lost")
            .id("m3")
            .refs(&["gone"])
            .date(&at(3)),
        filler(4),
        msg()
            .subject("Re: lost")
            .id("m5")
            .refs(&["gone"])
            .date(&at(5)),
    ])
    .await;
    assert_eq!(
        f.thread("REFERENCES", "ALL").await,
        "* THREAD (1)(2)((3)(5))(4)"
    );
}

#[tokio::test]
async fn references_drop_a_dummy_root_with_one_child() {
    let f = fixture(vec![
        msg().subject("Re: x").id("m1").refs(&["gone"]).date(&at(1)),
        filler(2),
    ])
    .await;
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD (1)(2)");
}

#[tokio::test]
async fn references_promote_children_of_a_dummy_below_the_root() {
    let f = fixture(vec![
        msg().subject("start").id("a").date(&at(1)),
        msg()
            .subject("Re: start")
            .id("b")
            .refs(&["a", "gone"])
            .date(&at(2)),
        msg()
            .subject("Re: start")
            .id("c")
            .refs(&["a", "gone"])
            .date(&at(3)),
    ])
    .await;
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD (1 (2)(3))");
}

#[tokio::test]
async fn references_gather_a_reply_without_references_by_subject() {
    let f = fixture(vec![
        msg().subject("Meeting").id("a").date(&at(1)),
        msg().subject("Re: meeting").id("b").date(&at(2)),
    ])
    .await;
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD (1 2)");
}

#[tokio::test]
async fn references_put_two_originals_with_one_subject_under_a_dummy() {
    let f = fixture(vec![
        msg().subject("Lunch").id("a").date(&at(1)),
        filler(2),
        msg().subject("lunch").id("c").date(&at(3)),
    ])
    .await;
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD ((1)(3))(2)");
}

#[tokio::test]
async fn references_ignore_links_that_would_loop() {
    let f = fixture(vec![
        msg().subject("one").id("a").refs(&["b"]).date(&at(1)),
        msg().subject("two").id("b").refs(&["a"]).date(&at(2)),
    ])
    .await;
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD (2 1)");
}

#[tokio::test]
async fn references_give_a_duplicate_message_id_its_own_thread() {
    let f = fixture(vec![
        msg().subject("first").id("a").date(&at(1)),
        msg().subject("second").id("a").date(&at(2)),
        msg().subject("Re: first").id("c").refs(&["a"]).date(&at(3)),
    ])
    .await;
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD (1 3)(2)");
}

#[tokio::test]
async fn references_order_threads_and_siblings_by_sent_date() {
    let f = fixture(vec![
        msg().subject("late").id("a").date(&at(50)),
        msg().subject("early").id("b").date(&at(10)),
        msg()
            .subject("Re: early")
            .id("c")
            .refs(&["b"])
            .date(&at(40)),
        msg()
            .subject("Re: early")
            .id("d")
            .refs(&["b"])
            .date(&at(20)),
    ])
    .await;
    assert_eq!(
        f.thread("REFERENCES", "ALL").await,
        "* THREAD (2 (4)(3))(1)"
    );
}

#[tokio::test]
async fn an_empty_result_is_an_empty_thread_response() {
    let f = fixture(vec![filler(1)]).await;
    assert_eq!(f.thread("REFERENCES", "SEEN").await, "* THREAD");
    assert_eq!(f.thread("ORDEREDSUBJECT", "SEEN").await, "* THREAD");
}

#[tokio::test]
async fn threads_name_sequence_numbers_after_an_expunge() {
    let mut f = fixture(vec![
        filler(1).flag(postamt::store::SystemFlag::Deleted),
        msg().subject("root").id("a").date(&at(2)),
        msg().subject("Re: root").id("b").refs(&["a"]).date(&at(3)),
    ])
    .await;
    f.store.expunge(ALICE, f.mailbox, None).await.unwrap();
    f.messages = f.store.snapshot(ALICE, f.mailbox).await.unwrap().messages;
    // UIDs 2 and 3 are now sequence numbers 1 and 2.
    assert_eq!(f.thread("REFERENCES", "ALL").await, "* THREAD (1 2)");
    assert_eq!(f.thread("ORDEREDSUBJECT", "ALL").await, "* THREAD (1 2)");
}
