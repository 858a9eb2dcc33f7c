//! Every SEARCH key of RFC 9051 and RFC 3501, nesting, and the extensions.

use std::num::NonZeroU32;

use super::*;
use crate::imap::parser::sequence::{SeqNumber, SeqRange};

fn keys(s: &str) -> Vec<SearchKey> {
    let (rest, args) = search_args(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e:?}"));
    assert!(rest.is_empty(), "{s}: left {rest:?}");
    args.criteria
}

fn key(s: &str) -> SearchKey {
    let mut v = keys(s);
    assert_eq!(v.len(), 1, "{s}");
    v.remove(0)
}

fn date(year: u16, month: u8, day: u8) -> Date {
    Date { year, month, day }
}

#[test]
fn flag_keys_without_arguments() {
    use SearchKey as K;
    let all = keys(
        " ALL ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN",
    );
    assert_eq!(
        all,
        vec![
            K::All,
            K::Answered,
            K::Deleted,
            K::Draft,
            K::Flagged,
            K::New,
            K::Old,
            K::Recent,
            K::Seen,
            K::Unanswered,
            K::Undeleted,
            K::Undraft,
            K::Unflagged,
            K::Unseen
        ]
    );
}

#[test]
fn string_keys_take_astrings() {
    use SearchKey as K;
    assert_eq!(key(" bcc x"), K::Bcc(b"x".to_vec()));
    assert_eq!(key(" BODY \"two words\""), K::Body(b"two words".to_vec()));
    assert_eq!(key(" CC {3}\r\na b"), K::Cc(b"a b".to_vec()));
    assert_eq!(key(" FROM alice"), K::From(b"alice".to_vec()));
    assert_eq!(
        key(" SUBJECT \"Grüße\""),
        K::Subject("Grüße".as_bytes().to_vec())
    );
    assert_eq!(key(" TEXT x"), K::Text(b"x".to_vec()));
    assert_eq!(key(" TO x"), K::To(b"x".to_vec()));
    assert_eq!(
        key(" HEADER List-Id \"\""),
        K::Header("List-Id".into(), vec![])
    );
}

#[test]
fn date_keys() {
    use SearchKey as K;
    assert_eq!(key(" BEFORE 1-Feb-1994"), K::Before(date(1994, 2, 1)));
    assert_eq!(key(" ON \"15-Mar-2024\""), K::On(date(2024, 3, 15)));
    assert_eq!(key(" SINCE 01-jan-2000"), K::Since(date(2000, 1, 1)));
    assert_eq!(
        key(" SENTBEFORE 1-Feb-1994"),
        K::SentBefore(date(1994, 2, 1))
    );
    assert_eq!(key(" SENTON 1-Feb-1994"), K::SentOn(date(1994, 2, 1)));
    assert_eq!(key(" SENTSINCE 1-Feb-1994"), K::SentSince(date(1994, 2, 1)));
    assert!(search_args(b" SINCE 1994-02-01").is_err());
}

#[test]
fn size_keyword_uid_and_within_keys() {
    use SearchKey as K;
    assert_eq!(key(" LARGER 1000"), K::Larger(1000));
    assert_eq!(key(" SMALLER 5"), K::Smaller(5));
    assert_eq!(
        key(" KEYWORD $Junk"),
        K::Keyword(Keyword::new("$Junk").unwrap())
    );
    assert_eq!(
        key(" UNKEYWORD $Junk"),
        K::Unkeyword(Keyword::new("$Junk").unwrap())
    );
    assert_eq!(key(" OLDER 3600"), K::Older(3600));
    assert_eq!(key(" YOUNGER 60"), K::Younger(60));
    let K::Uid(SequenceSet::Ranges(r)) = key(" UID 1:*") else {
        panic!()
    };
    assert_eq!(r[0].last, SeqNumber::Largest);
    assert!(search_args(b" KEYWORD \\Seen").is_err());
    assert!(search_args(b" LARGER x").is_err());
}

#[test]
fn sequence_sets_and_saved_result() {
    let one = SeqNumber::Value(NonZeroU32::new(1).unwrap());
    assert_eq!(
        key(" 1:*"),
        SearchKey::SequenceSet(SequenceSet::Ranges(vec![SeqRange {
            first: one,
            last: SeqNumber::Largest
        }]))
    );
    assert_eq!(key(" $"), SearchKey::SequenceSet(SequenceSet::Saved));
    assert_eq!(key(" UID $"), SearchKey::Uid(SequenceSet::Saved));
}

#[test]
fn not_or_and_parentheses_nest() {
    use SearchKey as K;
    assert_eq!(
        key(" OR (SEEN FLAGGED) NOT FROM x"),
        K::Or(
            Box::new(K::And(vec![K::Seen, K::Flagged])),
            Box::new(K::Not(Box::new(K::From(b"x".to_vec()))))
        )
    );
    assert_eq!(
        key(" NOT NOT ALL"),
        K::Not(Box::new(K::Not(Box::new(K::All))))
    );
    assert!(search_args(b" OR SEEN").is_err());
    assert!(search_args(b" ()").is_err());
    assert!(search_args(b" (SEEN").is_err());
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!(" {}ALL{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(search_args(deep.as_bytes()).is_err());
    let nots = " NOT".repeat(10_000) + " ALL";
    assert!(search_args(nots.as_bytes()).is_err());
    let ok = format!(
        " {}ALL{}",
        "(".repeat(MAX_SEARCH_DEPTH),
        ")".repeat(MAX_SEARCH_DEPTH)
    );
    assert!(search_args(ok.as_bytes()).is_ok());
}

#[test]
fn modseq_with_and_without_entry() {
    assert_eq!(
        key(" MODSEQ 720162338"),
        SearchKey::ModSeq {
            entry: None,
            modseq: 720_162_338
        }
    );
    assert_eq!(
        key(" MODSEQ \"/flags/\\\\draft\" all 620162338"),
        SearchKey::ModSeq {
            entry: Some((b"/flags/\\draft".to_vec(), EntryType::All)),
            modseq: 620_162_338
        }
    );
    assert!(search_args(b" MODSEQ \"/flags/x\" nope 1").is_err());
}

#[test]
fn charset_and_return_options() {
    let (_, args) = search_args(b" RETURN (MAX ALL) CHARSET \"US-ASCII\" SEEN").unwrap();
    assert_eq!(
        args.return_options,
        Some(vec![SearchReturn::Max, SearchReturn::All])
    );
    assert_eq!(args.charset.as_deref(), Some("US-ASCII"));
    let (_, args) = search_args(b" charset utf-8 seen").unwrap();
    assert_eq!(args.charset.as_deref(), Some("utf-8"));
    assert_eq!(args.return_options, None);
    assert!(search_args(b" RETURN (FOO) ALL").is_err());
    assert!(search_args(b" CHARSET UTF-8").is_err());
}

#[test]
fn unknown_key_and_trailing_space_fail() {
    assert!(search_args(b" BOGUS").is_err());
    assert!(search_args(b" SEEN ").is_err());
    assert!(search_args(b"").is_err());
}
