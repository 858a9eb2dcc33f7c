//! Responses other than ENVELOPE/BODYSTRUCTURE read back by an independent
//! parser (imap-codec 1.0): status responses with every response code,
//! continuations, and the untagged data imap-codec knows (CAPABILITY, ENABLED,
//! LIST, LSUB, STATUS, SEARCH, FLAGS, EXISTS, RECENT, EXPUNGE, QUOTA,
//! QUOTAROOT, FETCH with FLAGS, UID, INTERNALDATE, RFC822.SIZE, BODY[section],
//! RFC822*). imap-codec 1.0 does not parse ESEARCH, VANISHED, SORT, THREAD,
//! ID, NAMESPACE, MODSEQ or BINARY; unit tests pin those.

mod corpus;
mod imap_response_support;

use imap_codec::decode::Decoder;
use imap_codec::imap_types::core::NString;
use imap_codec::imap_types::fetch::MessageDataItem;
use imap_codec::imap_types::response::{Data as TheirData, Response as TheirResponse};
use imap_codec::{GreetingCodec, ResponseCodec};
use imap_response_support::bytes;
use postamt::imap::response::{
    Code, Condition, Data, FetchItem, FlagName, ListEntry, ListExtended, MailboxAttribute, Mode,
    NumberSet, Payload, QuotaResource, Response, SectionData, SectionLabel, SectionText, Status,
    StatusItem,
};
use postamt::store::{Flags, InternalDate, Keyword, ModSeq, SystemFlag, Uid, UidValidity};

/// Encodes and decodes one response; fails unless imap-codec takes all of it.
fn decoded(response: Response<'_>) -> TheirResponse<'static> {
    let wire = bytes(response.encode(Mode::Rev1));
    let leaked: &'static [u8] = Box::leak(wire.clone().into_boxed_slice());
    match ResponseCodec::default().decode(leaked) {
        Ok((rest, parsed)) => {
            assert!(
                rest.is_empty(),
                "left over in {}",
                String::from_utf8_lossy(&wire)
            );
            parsed
        }
        Err(e) => panic!("{e:?}: {}", String::from_utf8_lossy(&wire)),
    }
}

fn every_code() -> Vec<Code> {
    let flags = vec![
        FlagName::System(SystemFlag::Seen),
        FlagName::Keyword(Keyword::new("$Junk").unwrap()),
        FlagName::AnyKeyword,
    ];
    vec![
        Code::Alert,
        Code::AlreadyExists,
        Code::AppendUid {
            validity: UidValidity(9),
            uids: NumberSet::from_numbers([4, 5, 9]),
        },
        Code::AuthenticationFailed,
        Code::AuthorizationFailed,
        Code::BadCharset(vec![]),
        Code::BadCharset(vec!["UTF-8".into(), "US-ASCII".into()]),
        Code::Cannot,
        Code::Capability(vec![
            "IMAP4rev1".into(),
            "IMAP4rev2".into(),
            "AUTH=PLAIN".into(),
        ]),
        Code::ClientBug,
        Code::Closed,
        Code::ContactAdmin,
        Code::CopyUid {
            validity: UidValidity(9),
            source: NumberSet::in_order([3, 1]),
            destination: NumberSet::in_order([10, 11]),
        },
        Code::Corruption,
        Code::Expired,
        Code::ExpungeIssued,
        Code::HasChildren,
        Code::HighestModSeq(ModSeq(12345678901)),
        Code::InUse,
        Code::Limit,
        Code::Modified(NumberSet::from_numbers([1, 2, 3, 7])),
        Code::NoModSeq,
        Code::NonExistent,
        Code::NoPerm,
        Code::NotSaved,
        Code::OverQuota,
        Code::Parse,
        Code::PermanentFlags(flags),
        Code::PrivacyRequired,
        Code::ReadOnly,
        Code::ReadWrite,
        Code::ServerBug,
        Code::TooBig,
        Code::TryCreate,
        Code::UidNext(Uid(44)),
        Code::UidNotSticky,
        Code::UidValidity(UidValidity(3857529045)),
        Code::Unavailable,
        Code::UnknownCte,
        Code::Unseen(17),
        Code::UseAttr,
    ]
}

#[test]
fn every_response_code_parses_in_tagged_and_untagged_responses() {
    for code in every_code() {
        for condition in [Condition::Ok, Condition::No, Condition::Bad] {
            let tagged = Status::tagged("A001", condition, Some(code.clone()), "text");
            assert!(matches!(
                decoded(Response::Status(tagged)),
                TheirResponse::Status(_)
            ));
        }
        let untagged = Status::untagged(Condition::Ok, Some(code.clone()), "text");
        assert!(matches!(
            decoded(Response::Status(untagged)),
            TheirResponse::Status(_)
        ));
    }
}

#[test]
fn preauth_greeting_parses() {
    let status = Status::untagged(Condition::PreAuth, Some(Code::Alert), "welcome");
    let wire = bytes(Response::Status(status).encode(Mode::Rev1));
    let (rest, _) = GreetingCodec::default().decode(&wire).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn bye_parses() {
    let status = Status::untagged(Condition::Bye, Some(Code::Alert), "see you");
    assert!(matches!(
        decoded(Response::Status(status)),
        TheirResponse::Status(_)
    ));
}

#[test]
fn continuation_parses() {
    let parsed = decoded(Response::Continue("Ready for literal data".into()));
    assert!(matches!(
        parsed,
        TheirResponse::CommandContinuationRequest(_)
    ));
    let parsed = decoded(Response::Challenge(b"challenge".to_vec()));
    assert!(matches!(
        parsed,
        TheirResponse::CommandContinuationRequest(_)
    ));
}

#[test]
fn capability_and_enabled_parse() {
    let caps = vec![
        "IMAP4rev1".to_string(),
        "IDLE".to_string(),
        "AUTH=PLAIN".to_string(),
    ];
    let parsed = decoded(Response::Data(Data::Capability(caps)));
    assert!(
        matches!(parsed, TheirResponse::Data(TheirData::Capability(c)) if c.as_ref().len() == 3)
    );
    let parsed = decoded(Response::Data(Data::Enabled(vec!["CONDSTORE".into()])));
    assert!(matches!(
        parsed,
        TheirResponse::Data(TheirData::Enabled { .. })
    ));
}

#[test]
fn list_and_lsub_with_odd_names_parse() {
    for name in [
        "INBOX",
        "Sent Items",
        "Entw\u{fc}rfe",
        "a\"b\\c",
        "Tom & Jerry",
        "x]y",
        "",
    ] {
        let entry = ListEntry {
            attributes: vec![MailboxAttribute::HasNoChildren, MailboxAttribute::Sent],
            delimiter: Some('/'),
            name: name.into(),
            extended: vec![],
        };
        let parsed = decoded(Response::Data(Data::List(entry.clone())));
        assert!(
            matches!(parsed, TheirResponse::Data(TheirData::List { .. })),
            "{name:?}"
        );
        let parsed = decoded(Response::Data(Data::Lsub(entry)));
        assert!(
            matches!(parsed, TheirResponse::Data(TheirData::Lsub { .. })),
            "{name:?}"
        );
    }
}

#[test]
fn list_with_nil_delimiter_parses() {
    let entry = ListEntry {
        attributes: vec![MailboxAttribute::NoSelect],
        delimiter: None,
        name: "".into(),
        extended: vec![],
    };
    let parsed = decoded(Response::Data(Data::List(entry)));
    assert!(matches!(
        parsed,
        TheirResponse::Data(TheirData::List {
            delimiter: None,
            ..
        })
    ));
}

#[test]
fn list_extended_data_is_written_after_the_name() {
    // imap-codec 1.0 reads LIST without extended data; pin the bytes instead.
    let entry = ListEntry {
        attributes: vec![],
        delimiter: Some('/'),
        name: "a".into(),
        extended: vec![ListExtended::OldName("b".into())],
    };
    let wire = bytes(Response::Data(Data::List(entry)).encode(Mode::Rev1));
    assert_eq!(wire, b"* LIST () \"/\" a (OLDNAME (b))\r\n");
}

#[test]
fn status_parses() {
    let items = vec![
        StatusItem::Messages(231),
        StatusItem::Recent(0),
        StatusItem::UidNext(Uid(44292)),
        StatusItem::UidValidity(UidValidity(1)),
        StatusItem::Unseen(3),
    ];
    let parsed = decoded(Response::Data(Data::MailboxStatus {
        mailbox: "blurdybloop".into(),
        items,
    }));
    assert!(matches!(
        parsed,
        TheirResponse::Data(TheirData::Status { .. })
    ));
}

#[test]
fn counts_search_and_flags_parse() {
    let parsed = decoded(Response::Data(Data::Exists(172)));
    assert!(matches!(
        parsed,
        TheirResponse::Data(TheirData::Exists(172))
    ));
    let parsed = decoded(Response::Data(Data::Recent(1)));
    assert!(matches!(parsed, TheirResponse::Data(TheirData::Recent(1))));
    let parsed = decoded(Response::Data(Data::Expunge(3)));
    assert!(matches!(parsed, TheirResponse::Data(TheirData::Expunge(_))));
    let parsed = decoded(Response::Data(Data::Search {
        numbers: vec![2, 3, 6],
        modseq: None,
    }));
    assert!(matches!(parsed, TheirResponse::Data(TheirData::Search(n)) if n.len() == 3));
    let parsed = decoded(Response::Data(Data::Search {
        numbers: vec![],
        modseq: None,
    }));
    assert!(matches!(parsed, TheirResponse::Data(TheirData::Search(n)) if n.is_empty()));
    let flags = vec![
        FlagName::System(SystemFlag::Answered),
        FlagName::System(SystemFlag::Deleted),
        FlagName::Keyword(Keyword::new("$Forwarded").unwrap()),
        FlagName::Recent,
    ];
    let parsed = decoded(Response::Data(Data::Flags(flags)));
    assert!(matches!(parsed, TheirResponse::Data(TheirData::Flags(f)) if f.len() == 4));
}

#[test]
fn quota_and_quotaroot_parse() {
    let quota = Data::Quota {
        root: "".into(),
        resources: vec![QuotaResource {
            name: "STORAGE".into(),
            usage: 10,
            limit: 512,
        }],
    };
    assert!(matches!(
        decoded(Response::Data(quota)),
        TheirResponse::Data(TheirData::Quota { .. })
    ));
    let root = Data::QuotaRoot {
        mailbox: "INBOX".into(),
        roots: vec!["".into()],
    };
    assert!(matches!(
        decoded(Response::Data(root)),
        TheirResponse::Data(TheirData::QuotaRoot { .. })
    ));
}

#[test]
fn fetch_of_simple_items_and_sections_parses_with_the_same_values() {
    let flags = Flags::new()
        .with(SystemFlag::Seen)
        .with(SystemFlag::Flagged)
        .with_keyword(Keyword::new("$MDNSent").unwrap());
    let message = b"Subject: hi\r\n\r\nbody \x00\xff\r\n".to_vec();
    let response = Response::Data(Data::Fetch {
        seq: 5,
        items: vec![
            FetchItem::Flags {
                flags: &flags,
                recent: true,
            },
            FetchItem::Uid(Uid(77)),
            FetchItem::InternalDate(InternalDate(1_700_000_000)),
            FetchItem::Rfc822Size(message.len() as u64),
            FetchItem::BodySection {
                section: SectionLabel {
                    path: vec![1],
                    text: Some(SectionText::HeaderFields(vec![
                        "Subject".into(),
                        "X-Odd]".into(),
                    ])),
                },
                origin: Some(3),
                data: SectionData::Data(Payload::Bytes(b"ject: hi\r\n\r\n".to_vec())),
            },
            FetchItem::BodySection {
                section: SectionLabel {
                    path: vec![],
                    text: Some(SectionText::Text),
                },
                origin: None,
                data: SectionData::Nil,
            },
            FetchItem::Rfc822(SectionData::Data(Payload::Bytes(message.clone()))),
            FetchItem::Rfc822Header(SectionData::Data(Payload::Bytes(
                b"Subject: hi\r\n\r\n".to_vec(),
            ))),
            FetchItem::Rfc822Text(SectionData::Nil),
        ],
    });
    let TheirResponse::Data(TheirData::Fetch { items, .. }) = decoded(response) else {
        panic!("not a FETCH");
    };
    let items = items.as_ref();
    assert_eq!(items.len(), 9);
    assert!(matches!(&items[0], MessageDataItem::Flags(f) if f.len() == 4));
    assert!(matches!(&items[1], MessageDataItem::Uid(u) if u.get() == 77));
    assert!(matches!(&items[2], MessageDataItem::InternalDate(_)));
    assert!(matches!(&items[3], MessageDataItem::Rfc822Size(n) if *n as usize == message.len()));
    assert!(
        matches!(&items[4], MessageDataItem::BodyExt { origin: Some(3), data: NString(Some(d)), .. } if d.as_ref() == b"ject: hi\r\n\r\n")
    );
    assert!(matches!(
        &items[5],
        MessageDataItem::BodyExt {
            data: NString(None),
            ..
        }
    ));
    // The NUL went out as 0x80: no literal may carry NUL.
    let sent = b"Subject: hi\r\n\r\nbody \x80\xff\r\n";
    assert!(matches!(&items[6], MessageDataItem::Rfc822(NString(Some(d))) if d.as_ref() == sent));
}
