//! SEARCH, SORT and THREAD over every third corpus message (1,000 of ham and spam): complementary
//! keys partition the mailbox whichever stage decides them, SORT permutes
//! what it is given, and both threadings place every message exactly once.
//! Run with `--nocapture` to see the timings.

mod imap_search_support;

use std::time::Instant;

use imap_search_support::*;
use postamt::imap::parser::{SearchKey, SortCriterion, SortKey};
use postamt::imap::response::Thread;
use postamt::imap::search::{self, ThreadAlgorithm};
use postamt::store::{NewMessage, Uid};

async fn corpus_fixture() -> Fixture {
    let started = Instant::now();
    let messages = whole_corpus().into_iter().step_by(3);
    let f = fixture_raw(messages.into_iter().map(NewMessage::from_bytes).collect()).await;
    eprintln!(
        "append {} messages: {:?}",
        f.messages.len(),
        started.elapsed()
    );
    f
}

#[tokio::test]
async fn complementary_keys_partition_the_corpus() {
    let f = corpus_fixture().await;
    let all = f.search("ALL").await;
    assert_eq!(all.len(), f.messages.len());
    for key in [
        "SUBJECT \"re\"",
        "BODY \"unsubscribe\"",
        "TEXT \"é\"",
        "SENTSINCE 1-Jan-2003",
        "HEADER X-Mailer \"\"",
        "HEADER Received \"localhost\"",
        "OR LARGER 5000 HEADER List-Id \"\"",
    ] {
        let started = Instant::now();
        let hits = f.search(key).await;
        let elapsed = started.elapsed();
        let misses = f.search(&format!("NOT {key}")).await;
        eprintln!("SEARCH {key}: {} hits in {elapsed:?}", hits.len());
        assert!(
            !hits.is_empty() && !misses.is_empty(),
            "{key} does not split the corpus"
        );
        let mut union: Vec<u32> = hits.iter().chain(&misses).copied().collect();
        union.sort_unstable();
        assert_eq!(union, all, "{key} and NOT {key} overlap or miss messages");
    }
}

fn members(threads: &[Thread], out: &mut Vec<u32>) {
    for t in threads {
        out.extend(&t.messages);
        members(&t.branches, out);
    }
}

#[tokio::test]
async fn sort_and_thread_place_every_corpus_message_once() {
    let f = corpus_fixture().await;
    let view = f.view();
    let all: Vec<Uid> = f.messages.iter().map(|m| m.uid).collect();
    for key in [
        SortKey::Date,
        SortKey::Subject,
        SortKey::From,
        SortKey::DisplayFrom,
    ] {
        let started = Instant::now();
        let criteria = [SortCriterion {
            reverse: false,
            key,
        }];
        let mut sorted = search::sort(&f.store, &view, &criteria, &all)
            .await
            .unwrap();
        eprintln!("SORT {key:?}: {:?}", started.elapsed());
        sorted.sort_unstable();
        assert_eq!(sorted, all);
    }
    for algorithm in ThreadAlgorithm::ALL {
        let started = Instant::now();
        let threads = search::thread(&f.store, &view, algorithm, &all)
            .await
            .unwrap();
        eprintln!(
            "THREAD {}: {} threads in {:?}",
            algorithm.name(),
            threads.len(),
            started.elapsed()
        );
        let mut seen = Vec::new();
        members(&threads, &mut seen);
        seen.sort_unstable();
        assert_eq!(seen, all.iter().map(|u| u.0).collect::<Vec<_>>());
        assert!(
            threads.len() < all.len(),
            "{} threaded nothing",
            algorithm.name()
        );
    }
    let key = SearchKey::All;
    let started = Instant::now();
    search::search(&f.store, &view, &key, later())
        .await
        .unwrap();
    eprintln!("SEARCH ALL: {:?}", started.elapsed());
}
