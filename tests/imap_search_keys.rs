//! SEARCH keys answered from the view and the cached metadata (RFC 9051
//! §6.4.4): flags, keywords, sizes, dates, sequence and UID sets, `$`,
//! MODSEQ, OLDER/YOUNGER, NOT/OR nesting, RECENT/NEW/OLD and CHARSET.

mod imap_search_support;

use std::time::{Duration, UNIX_EPOCH};

use imap_search_support::*;
use postamt::imap::search::SearchError;
use postamt::store::{FlagOp, Flags, SystemFlag, Uid};

#[tokio::test]
async fn system_flags_match_their_set_and_unset_keys() {
    let f = fixture(vec![
        msg().flag(SystemFlag::Seen),
        msg().flag(SystemFlag::Flagged),
        msg().flag(SystemFlag::Deleted),
        msg().flag(SystemFlag::Answered).flag(SystemFlag::Seen),
        msg().flag(SystemFlag::Draft),
    ])
    .await;
    assert_eq!(f.search("SEEN").await, [1, 4]);
    assert_eq!(f.search("UNSEEN").await, [2, 3, 5]);
    assert_eq!(f.search("FLAGGED").await, [2]);
    assert_eq!(f.search("UNFLAGGED").await, [1, 3, 4, 5]);
    assert_eq!(f.search("DELETED").await, [3]);
    assert_eq!(f.search("UNDELETED").await, [1, 2, 4, 5]);
    assert_eq!(f.search("ANSWERED").await, [4]);
    assert_eq!(f.search("UNANSWERED").await, [1, 2, 3, 5]);
    assert_eq!(f.search("DRAFT").await, [5]);
    assert_eq!(f.search("UNDRAFT").await, [1, 2, 3, 4]);
}

#[tokio::test]
async fn keywords_match_whatever_their_case() {
    let f = fixture(vec![msg().keyword("$Junk"), msg().keyword("Work"), msg()]).await;
    assert_eq!(f.search("KEYWORD $junk").await, [1]);
    assert_eq!(f.search("KEYWORD WORK").await, [2]);
    assert_eq!(f.search("UNKEYWORD $JUNK").await, [2, 3]);
    assert_eq!(f.search("KEYWORD $NotJunk").await, Vec::<u32>::new());
}

#[tokio::test]
async fn larger_and_smaller_are_strict() {
    let f = fixture(vec![msg().body("x"), msg().body(&"y".repeat(100))]).await;
    let small = f.messages[0].size;
    assert_eq!(f.search(&format!("LARGER {small}")).await, [2]);
    assert_eq!(f.search(&format!("LARGER {}", small - 1)).await, [1, 2]);
    assert_eq!(
        f.search(&format!("SMALLER {small}")).await,
        Vec::<u32>::new()
    );
    assert_eq!(f.search(&format!("SMALLER {}", small + 1)).await, [1]);
}

#[tokio::test]
async fn internal_date_keys_compare_whole_days_at_the_boundaries() {
    let f = fixture(vec![
        msg().internal(JAN_1_2024),
        msg().internal(JAN_1_2024 + DAY - 1),
        msg().internal(JAN_1_2024 + DAY),
        msg().internal(JAN_1_2024 - 1),
    ])
    .await;
    assert_eq!(f.search("ON 1-Jan-2024").await, [1, 2]);
    assert_eq!(f.search("BEFORE 2-Jan-2024").await, [1, 2, 4]);
    assert_eq!(f.search("BEFORE 1-Jan-2024").await, [4]);
    assert_eq!(f.search("SINCE 2-Jan-2024").await, [3]);
    assert_eq!(f.search("SINCE \"1-Jan-2024\"").await, [1, 2, 3]);
    assert_eq!(f.search("ON 31-Dec-2023").await, [4]);
}

#[tokio::test]
async fn sent_dates_use_the_day_in_the_header_zone() {
    let f = fixture(vec![
        // 07:30 UTC on 2 January, but the sender's day is 1 January.
        msg().date("Mon, 1 Jan 2024 23:30:00 -0800"),
        // 22:30 UTC on 1 January, but the sender's day is 2 January.
        msg().date("Tue, 2 Jan 2024 00:30:00 +0200"),
        msg(),
    ])
    .await;
    assert_eq!(f.search("SENTON 1-Jan-2024").await, [1]);
    assert_eq!(f.search("SENTON 2-Jan-2024").await, [2]);
    assert_eq!(f.search("SENTBEFORE 2-Jan-2024").await, [1]);
    assert_eq!(f.search("SENTSINCE 2-Jan-2024").await, [2]);
    assert_eq!(f.search("NOT SENTON 1-Jan-2024").await, [2, 3]);
}

#[tokio::test]
async fn or_and_not_nest_to_any_depth_the_parser_allows() {
    let f = fixture(vec![
        msg().flag(SystemFlag::Seen),
        msg().flag(SystemFlag::Flagged),
        msg().flag(SystemFlag::Seen).flag(SystemFlag::Flagged),
        msg(),
    ])
    .await;
    assert_eq!(f.search("OR SEEN FLAGGED").await, [1, 2, 3]);
    assert_eq!(f.search("NOT OR SEEN FLAGGED").await, [4]);
    assert_eq!(f.search("SEEN NOT FLAGGED").await, [1]);
    assert_eq!(f.search("(SEEN FLAGGED)").await, [3]);
    assert_eq!(
        f.search("OR (SEEN FLAGGED) NOT (OR SEEN FLAGGED)").await,
        [3, 4]
    );
    assert_eq!(f.search("NOT NOT NOT SEEN").await, [2, 4]);
}

#[tokio::test]
async fn sequence_sets_count_positions_and_uid_sets_uids() {
    let mut f = fixture(vec![msg(), msg().flag(SystemFlag::Deleted), msg(), msg()]).await;
    let expunged = f.store.expunge(ALICE, f.mailbox, None).await.unwrap();
    assert_eq!(expunged, [Uid(2)]);
    f.messages = f.store.snapshot(ALICE, f.mailbox).await.unwrap().messages;
    // Sequence numbers 1, 2, 3 are UIDs 1, 3, 4.
    assert_eq!(f.search("2").await, [3]);
    assert_eq!(f.search("UID 2").await, Vec::<u32>::new());
    assert_eq!(f.search("2:*").await, [3, 4]);
    assert_eq!(f.search("*").await, [4]);
    assert_eq!(f.search("3:1").await, [1, 3, 4]);
    assert_eq!(f.search("UID 3:*").await, [3, 4]);
    assert_eq!(f.search("UID 1,4").await, [1, 4]);
    // RFC 9051 §6.4.8: n:* with n past the largest UID still names the largest.
    assert_eq!(f.search("UID 10:*").await, [4]);
    assert_eq!(f.search("7").await, Vec::<u32>::new());
}

#[tokio::test]
async fn star_on_an_empty_mailbox_matches_nothing() {
    let f = fixture(vec![]).await;
    assert_eq!(f.search("*").await, Vec::<u32>::new());
    assert_eq!(f.search("UID 1:*").await, Vec::<u32>::new());
    assert_eq!(f.search("ALL").await, Vec::<u32>::new());
    assert_eq!(f.search("NOT *").await, Vec::<u32>::new());
}

#[tokio::test]
async fn dollar_is_the_saved_result_as_sequence_and_uid_set() {
    let mut f = fixture(vec![msg(), msg(), msg()]).await;
    f.saved = vec![Uid(1), Uid(3)];
    assert_eq!(f.search("$").await, [1, 3]);
    assert_eq!(f.search("UID $").await, [1, 3]);
    assert_eq!(f.search("NOT $").await, [2]);
    f.saved.clear();
    assert_eq!(f.search("$").await, Vec::<u32>::new());
}

#[tokio::test]
async fn modseq_finds_messages_changed_at_or_after_it() {
    let mut f = fixture(vec![msg(), msg(), msg()]).await;
    let before = f.messages.iter().map(|m| m.modseq.0).max().unwrap();
    let changed = f
        .store
        .store_flags(
            ALICE,
            f.mailbox,
            vec![Uid(2)],
            FlagOp::Add,
            Flags::new().with(SystemFlag::Seen),
            None,
        )
        .await
        .unwrap();
    f.messages = f.store.snapshot(ALICE, f.mailbox).await.unwrap().messages;
    let after = changed.updated[0].modseq.0;
    assert!(after > before);
    assert_eq!(f.search(&format!("MODSEQ {after}")).await, [2]);
    assert_eq!(
        f.search(&format!("MODSEQ {}", after + 1)).await,
        Vec::<u32>::new()
    );
    assert_eq!(
        f.search(&format!("MODSEQ \"/flags/\\\\seen\" all {after}"))
            .await,
        [2]
    );
    assert_eq!(f.search("MODSEQ 1").await, [1, 2, 3]);
}

#[tokio::test]
async fn older_and_younger_split_the_mailbox_at_the_interval() {
    let f = fixture(vec![
        msg().internal(JAN_1_2024),
        msg().internal(JAN_1_2024 + 50),
    ])
    .await;
    let now = UNIX_EPOCH + Duration::from_secs(JAN_1_2024 as u64 + 100);
    let at = |p: &'static str| f.try_search_at(p, now);
    assert_eq!(at("OLDER 100").await.unwrap(), [1]);
    assert_eq!(at("YOUNGER 100").await.unwrap(), [2]);
    assert_eq!(at("OLDER 50").await.unwrap(), [1, 2]);
    assert_eq!(at("YOUNGER 50").await.unwrap(), Vec::<u32>::new());
    assert_eq!(at("YOUNGER 101").await.unwrap(), [1, 2]);
}

#[tokio::test]
async fn no_message_is_recent_so_new_is_empty_and_old_is_all() {
    let f = fixture(vec![msg(), msg().flag(SystemFlag::Seen)]).await;
    assert_eq!(f.search("RECENT").await, Vec::<u32>::new());
    assert_eq!(f.search("NEW").await, Vec::<u32>::new());
    assert_eq!(f.search("OLD").await, [1, 2]);
}

#[tokio::test]
async fn only_utf8_and_us_ascii_charsets_are_accepted() {
    let f = fixture(vec![msg().subject("hello")]).await;
    assert_eq!(f.search("CHARSET UTF-8 SUBJECT hello").await, [1]);
    assert_eq!(f.search("CHARSET us-ascii SUBJECT hello").await, [1]);
    let refused = f
        .try_search_at("CHARSET ISO-8859-1 SUBJECT hello", later())
        .await;
    assert!(matches!(refused, Err(SearchError::BadCharset(c)) if c == "ISO-8859-1"));
}
