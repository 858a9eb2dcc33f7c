//! SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO): each criterion, its
//! REVERSE, several criteria together, and ties broken by sequence number.

mod imap_search_support;

use imap_search_support::*;

#[tokio::test]
async fn arrival_orders_by_internal_date() {
    let f = fixture(vec![
        msg().internal(JAN_1_2024 + 20),
        msg().internal(JAN_1_2024),
        msg().internal(JAN_1_2024 + 10),
    ])
    .await;
    assert_eq!(f.sort("(ARRIVAL) UTF-8 ALL").await, [2, 3, 1]);
    assert_eq!(f.sort("(REVERSE ARRIVAL) UTF-8 ALL").await, [1, 3, 2]);
}

#[tokio::test]
async fn date_orders_by_sent_instant_falling_back_to_internal_date() {
    let f = fixture(vec![
        msg().date("Mon, 1 Jan 2024 12:00:00 +0000"),
        // 11:00 UTC: earlier than the first although its clock says 13:00.
        msg().date("Mon, 1 Jan 2024 13:00:00 +0200"),
        // No Date: its internal date, 1 Jan 2024 00:00 UTC, stands in.
        msg(),
    ])
    .await;
    assert_eq!(f.sort("(DATE) UTF-8 ALL").await, [3, 2, 1]);
    assert_eq!(f.sort("(REVERSE DATE) UTF-8 ALL").await, [1, 2, 3]);
}

#[tokio::test]
async fn subject_orders_by_base_subject_ignoring_case_and_markers() {
    let f = fixture(vec![
        msg().subject("Re: Charlie"),
        msg().subject("[list] Fwd: alpha"),
        msg().subject("BRAVO (fwd)"),
    ])
    .await;
    assert_eq!(f.sort("(SUBJECT) UTF-8 ALL").await, [2, 3, 1]);
    assert_eq!(f.sort("(REVERSE SUBJECT) UTF-8 ALL").await, [1, 3, 2]);
}

#[tokio::test]
async fn from_to_and_cc_order_by_the_first_mailbox_local_part() {
    let f = fixture(vec![
        msg()
            .from("Zed <carol@a.example>")
            .to("bob@z.example")
            .header("Cc", "y@x"),
        msg()
            .from("Amy <Bob@z.example>")
            .to("alice@z.example")
            .header("Cc", "x@y"),
        msg()
            .from("alice@m.example, zz@m.example")
            .to("Carl <carl@a.example>"),
    ])
    .await;
    assert_eq!(f.sort("(FROM) UTF-8 ALL").await, [3, 2, 1]);
    assert_eq!(f.sort("(TO) UTF-8 ALL").await, [2, 1, 3]);
    // A message without Cc sorts as the empty string, first.
    assert_eq!(f.sort("(CC) UTF-8 ALL").await, [3, 2, 1]);
    assert_eq!(f.sort("(REVERSE CC) UTF-8 ALL").await, [1, 2, 3]);
}

#[tokio::test]
async fn size_orders_by_octets() {
    let f = fixture(vec![
        msg().body(&"x".repeat(300)),
        msg().body("x"),
        msg().body(&"x".repeat(30)),
    ])
    .await;
    assert_eq!(f.sort("(SIZE) UTF-8 ALL").await, [2, 3, 1]);
    assert_eq!(f.sort("(REVERSE SIZE) UTF-8 ALL").await, [1, 3, 2]);
}

#[tokio::test]
async fn display_from_and_to_use_decoded_names_or_the_address() {
    let f = fixture(vec![
        msg()
            .from("=?UTF-8?Q?Zo=C3=AB?= <a@example.org>")
            .to("b@example.org"),
        msg()
            .from("mike@example.org")
            .to("\"Anna\" <z@example.org>"),
        msg()
            .from("\"Lena\" <z@example.org>")
            .to("Carl <c@example.org>"),
    ])
    .await;
    assert_eq!(f.sort("(DISPLAYFROM) UTF-8 ALL").await, [3, 2, 1]);
    assert_eq!(f.sort("(DISPLAYTO) UTF-8 ALL").await, [2, 1, 3]);
}

#[tokio::test]
async fn ties_go_to_the_lower_sequence_number_even_when_reversed() {
    let f = fixture(vec![
        msg().subject("same"),
        msg().subject("other"),
        msg().subject("Re: same"),
        msg().subject("SAME"),
    ])
    .await;
    assert_eq!(f.sort("(SUBJECT) UTF-8 ALL").await, [2, 1, 3, 4]);
    assert_eq!(f.sort("(REVERSE SUBJECT) UTF-8 ALL").await, [1, 3, 4, 2]);
}

#[tokio::test]
async fn later_criteria_break_ties_of_earlier_ones() {
    let f = fixture(vec![
        msg().subject("b").body("x"),
        msg().subject("a").body("xxxx"),
        msg().subject("b").body("xxxxxxxx"),
        msg().subject("a").body("xx"),
    ])
    .await;
    assert_eq!(
        f.sort("(SUBJECT REVERSE SIZE) UTF-8 ALL").await,
        [2, 4, 3, 1]
    );
    assert_eq!(
        f.sort("(REVERSE SUBJECT SIZE) UTF-8 ALL").await,
        [1, 3, 4, 2]
    );
}

#[tokio::test]
async fn only_the_matching_messages_are_sorted() {
    let f = fixture(vec![
        msg().subject("c"),
        msg().subject("a"),
        msg().subject("b"),
    ])
    .await;
    assert_eq!(f.sort("(SUBJECT) UTF-8 NOT SUBJECT a").await, [3, 1]);
}
