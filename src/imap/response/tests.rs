use super::*;
use crate::store::{Keyword, ModSeq, SystemFlag, Uid, UidValidity};

pub(super) fn wire(response: Response<'_>, mode: Mode) -> String {
    let mut out = Vec::new();
    for fragment in response.encode(mode) {
        match fragment {
            Fragment::Bytes(b) => out.extend(b),
            Fragment::Stream(_) => panic!("unexpected stream"),
        }
    }
    String::from_utf8(out).unwrap()
}

pub(super) fn rev1(response: Response<'_>) -> String {
    wire(response, Mode::Rev1)
}

fn code(code: Code) -> String {
    rev1(Response::Status(Status::tagged(
        "a1",
        Condition::No,
        Some(code),
        "x",
    )))
}

#[test]
fn tagged_ok_with_text() {
    let r = Response::Status(Status::tagged("a1", Condition::Ok, None, "LOGIN completed"));
    assert_eq!(rev1(r), "a1 OK LOGIN completed\r\n");
}

#[test]
fn untagged_bye_and_preauth() {
    let bye = Response::Status(Status::untagged(Condition::Bye, None, "Autologout"));
    assert_eq!(rev1(bye), "* BYE Autologout\r\n");
    let pre = Response::Status(Status::untagged(Condition::PreAuth, None, "hi"));
    assert_eq!(rev1(pre), "* PREAUTH hi\r\n");
}

#[test]
fn status_text_never_carries_line_breaks_or_is_empty() {
    let r = Response::Status(Status::tagged("t", Condition::Bad, None, "a\r\nb"));
    assert_eq!(rev1(r), "t BAD a  b\r\n");
    let r = Response::Status(Status::tagged("t", Condition::No, None, ""));
    assert_eq!(rev1(r), "t NO NO\r\n");
}

#[test]
fn status_text_is_ascii_for_rev1() {
    let r = Response::Status(Status::tagged("t", Condition::No, None, "Gr\u{fc}\u{df}e"));
    assert_eq!(rev1(r), "t NO Gr??e\r\n");
}

#[test]
fn simple_codes_are_their_names() {
    let cases = [
        (Code::Alert, "ALERT"),
        (Code::AlreadyExists, "ALREADYEXISTS"),
        (Code::AuthenticationFailed, "AUTHENTICATIONFAILED"),
        (Code::AuthorizationFailed, "AUTHORIZATIONFAILED"),
        (Code::BadCharset(vec![]), "BADCHARSET"),
        (Code::Cannot, "CANNOT"),
        (Code::ClientBug, "CLIENTBUG"),
        (Code::Closed, "CLOSED"),
        (Code::ContactAdmin, "CONTACTADMIN"),
        (Code::Corruption, "CORRUPTION"),
        (Code::Expired, "EXPIRED"),
        (Code::ExpungeIssued, "EXPUNGEISSUED"),
        (Code::HasChildren, "HASCHILDREN"),
        (Code::InUse, "INUSE"),
        (Code::Limit, "LIMIT"),
        (Code::NoModSeq, "NOMODSEQ"),
        (Code::NonExistent, "NONEXISTENT"),
        (Code::NoPerm, "NOPERM"),
        (Code::NotSaved, "NOTSAVED"),
        (Code::OverQuota, "OVERQUOTA"),
        (Code::Parse, "PARSE"),
        (Code::PrivacyRequired, "PRIVACYREQUIRED"),
        (Code::ReadOnly, "READ-ONLY"),
        (Code::ReadWrite, "READ-WRITE"),
        (Code::ServerBug, "SERVERBUG"),
        (Code::TooBig, "TOOBIG"),
        (Code::TryCreate, "TRYCREATE"),
        (Code::UidNotSticky, "UIDNOTSTICKY"),
        (Code::Unavailable, "UNAVAILABLE"),
        (Code::UnknownCte, "UNKNOWN-CTE"),
        (Code::UseAttr, "USEATTR"),
    ];
    for (c, name) in cases {
        assert_eq!(code(c), format!("a1 NO [{name}] x\r\n"));
    }
}

#[test]
fn codes_with_numbers() {
    assert_eq!(code(Code::UidNext(Uid(42))), "a1 NO [UIDNEXT 42] x\r\n");
    assert_eq!(
        code(Code::UidValidity(UidValidity(7))),
        "a1 NO [UIDVALIDITY 7] x\r\n"
    );
    assert_eq!(
        code(Code::HighestModSeq(ModSeq(9))),
        "a1 NO [HIGHESTMODSEQ 9] x\r\n"
    );
    assert_eq!(code(Code::Unseen(3)), "a1 NO [UNSEEN 3] x\r\n");
}

#[test]
fn badcharset_lists_the_supported_charsets() {
    let c = Code::BadCharset(vec!["UTF-8".into(), "US-ASCII".into()]);
    assert_eq!(code(c), "a1 NO [BADCHARSET (UTF-8 US-ASCII)] x\r\n");
}

#[test]
fn capability_code_lists_atoms() {
    let c = Code::Capability(vec!["IMAP4rev1".into(), "AUTH=PLAIN".into()]);
    assert_eq!(code(c), "a1 NO [CAPABILITY IMAP4rev1 AUTH=PLAIN] x\r\n");
}

#[test]
fn appenduid_compresses_ranges() {
    let c = Code::AppendUid {
        validity: UidValidity(38505),
        uids: NumberSet::from_numbers([3955, 3956, 3957, 3960]),
    };
    assert_eq!(code(c), "a1 NO [APPENDUID 38505 3955:3957,3960] x\r\n");
}

#[test]
fn copyuid_keeps_the_pairing_order() {
    let c = Code::CopyUid {
        validity: UidValidity(1),
        source: NumberSet::in_order([5, 3]),
        destination: NumberSet::in_order([10, 11]),
    };
    assert_eq!(code(c), "a1 NO [COPYUID 1 5,3 10,11] x\r\n");
}

#[test]
fn modified_and_permanentflags() {
    assert_eq!(
        code(Code::Modified(NumberSet::from_numbers([7, 9]))),
        "a1 NO [MODIFIED 7,9] x\r\n"
    );
    let flags = vec![
        FlagName::System(SystemFlag::Deleted),
        FlagName::Keyword(Keyword::new("$Junk").unwrap()),
        FlagName::AnyKeyword,
    ];
    assert_eq!(
        code(Code::PermanentFlags(flags)),
        "a1 NO [PERMANENTFLAGS (\\Deleted $Junk \\*)] x\r\n"
    );
}

#[test]
fn continuation_and_empty_challenge() {
    assert_eq!(rev1(Response::Continue("go on".into())), "+ go on\r\n");
    assert_eq!(rev1(Response::Challenge(Vec::new())), "+ \r\n");
    assert_eq!(rev1(Response::Challenge(b"hi".to_vec())), "+ aGk=\r\n");
}

#[test]
fn capability_enabled_and_counts() {
    let caps = vec!["IMAP4rev2".to_string(), "IDLE".to_string()];
    assert_eq!(
        rev1(Response::Data(Data::Capability(caps.clone()))),
        "* CAPABILITY IMAP4rev2 IDLE\r\n"
    );
    assert_eq!(
        rev1(Response::Data(Data::Enabled(caps))),
        "* ENABLED IMAP4rev2 IDLE\r\n"
    );
    assert_eq!(rev1(Response::Data(Data::Exists(23))), "* 23 EXISTS\r\n");
    assert_eq!(rev1(Response::Data(Data::Recent(1))), "* 1 RECENT\r\n");
    assert_eq!(rev1(Response::Data(Data::Expunge(4))), "* 4 EXPUNGE\r\n");
}

#[test]
fn id_is_nil_or_pairs() {
    assert_eq!(rev1(Response::Data(Data::Id(None))), "* ID NIL\r\n");
    let fields = vec![("name".into(), Some("postamt".into())), ("os".into(), None)];
    assert_eq!(
        rev1(Response::Data(Data::Id(Some(fields)))),
        "* ID (\"name\" \"postamt\" \"os\" NIL)\r\n"
    );
}

#[test]
fn namespace_with_nil_groups() {
    let personal = vec![Namespace {
        prefix: String::new(),
        delimiter: Some('/'),
    }];
    let r = Data::Namespace {
        personal,
        other: vec![],
        shared: vec![],
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"
    );
}

#[test]
fn list_with_special_use_and_modified_utf7() {
    let entry = ListEntry {
        attributes: vec![MailboxAttribute::Drafts, MailboxAttribute::HasNoChildren],
        delimiter: Some('/'),
        name: "Entw\u{fc}rfe".into(),
        extended: vec![],
    };
    assert_eq!(
        rev1(Response::Data(Data::List(entry.clone()))),
        "* LIST (\\Drafts \\HasNoChildren) \"/\" Entw&APw-rfe\r\n"
    );
    assert_eq!(
        wire(Response::Data(Data::Lsub(entry)), Mode::Utf8),
        "* LSUB (\\Drafts \\HasNoChildren) \"/\" \"Entw\u{fc}rfe\"\r\n"
    );
}

#[test]
fn list_extended_items_and_nil_delimiter() {
    let entry = ListEntry {
        attributes: vec![],
        delimiter: None,
        name: "New".into(),
        extended: vec![
            ListExtended::ChildInfoSubscribed,
            ListExtended::OldName("Old Box".into()),
        ],
    };
    assert_eq!(
        rev1(Response::Data(Data::List(entry))),
        "* LIST () NIL New (CHILDINFO (\"SUBSCRIBED\") OLDNAME (\"Old Box\"))\r\n"
    );
}

#[test]
fn status_lists_every_item() {
    let items = vec![
        StatusItem::Messages(2),
        StatusItem::Recent(0),
        StatusItem::UidNext(Uid(5)),
        StatusItem::UidValidity(UidValidity(9)),
        StatusItem::Unseen(1),
        StatusItem::Deleted(0),
        StatusItem::Size(1234),
        StatusItem::HighestModSeq(ModSeq(77)),
    ];
    let r = Data::MailboxStatus {
        mailbox: "INBOX".into(),
        items,
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* STATUS INBOX (MESSAGES 2 RECENT 0 UIDNEXT 5 UIDVALIDITY 9 UNSEEN 1 DELETED 0 SIZE 1234 HIGHESTMODSEQ 77)\r\n"
    );
}

#[test]
fn flags_response() {
    let flags = vec![FlagName::System(SystemFlag::Seen), FlagName::Recent];
    assert_eq!(
        rev1(Response::Data(Data::Flags(flags))),
        "* FLAGS (\\Seen \\Recent)\r\n"
    );
}

#[test]
fn vanished_earlier() {
    let r = Data::Vanished {
        earlier: true,
        uids: NumberSet::from_numbers([1, 2, 3, 8]),
    };
    assert_eq!(rev1(Response::Data(r)), "* VANISHED (EARLIER) 1:3,8\r\n");
}

#[test]
fn search_sort_and_modseq() {
    let r = Data::Search {
        numbers: vec![2, 5],
        modseq: Some(ModSeq(917)),
    };
    assert_eq!(rev1(Response::Data(r)), "* SEARCH 2 5 (MODSEQ 917)\r\n");
    let empty = Data::Search {
        numbers: vec![],
        modseq: Some(ModSeq(917)),
    };
    assert_eq!(rev1(Response::Data(empty)), "* SEARCH\r\n");
    let sort = Data::Sort {
        numbers: vec![3, 1],
        modseq: None,
    };
    assert_eq!(rev1(Response::Data(sort)), "* SORT 3 1\r\n");
}

#[test]
fn esearch_with_tag_uid_and_items() {
    let r = Data::ESearch {
        tag: Some("A282".into()),
        uid: true,
        items: vec![
            SearchReturn::Min(2),
            SearchReturn::Max(47),
            SearchReturn::Count(3),
            SearchReturn::All(NumberSet::from_numbers([2, 10, 11, 47])),
            SearchReturn::ModSeq(ModSeq(9)),
        ],
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* ESEARCH (TAG \"A282\") UID MIN 2 MAX 47 COUNT 3 ALL 2,10:11,47 MODSEQ 9\r\n"
    );
}

#[test]
fn thread_follows_rfc5256_example() {
    let leaf = |n: Vec<u32>| Thread {
        messages: n,
        branches: vec![],
    };
    let threads = vec![
        leaf(vec![2]),
        leaf(vec![3, 6]),
        Thread {
            messages: vec![3, 6],
            branches: vec![
                leaf(vec![4, 23]),
                Thread {
                    messages: vec![44],
                    branches: vec![leaf(vec![7, 96])],
                },
            ],
        },
    ];
    assert_eq!(
        rev1(Response::Data(Data::Thread(threads))),
        "* THREAD (2)(3 6)(3 6 (4 23)(44 7 96))\r\n"
    );
}

#[test]
fn quota_and_quotaroot() {
    let q = Data::Quota {
        root: "".into(),
        resources: vec![QuotaResource {
            name: "STORAGE".into(),
            usage: 10,
            limit: 512,
        }],
    };
    assert_eq!(rev1(Response::Data(q)), "* QUOTA \"\" (STORAGE 10 512)\r\n");
    let qr = Data::QuotaRoot {
        mailbox: "INBOX".into(),
        roots: vec!["".into()],
    };
    assert_eq!(rev1(Response::Data(qr)), "* QUOTAROOT INBOX \"\"\r\n");
}

mod fetch;

#[test]
fn namespace_prefix_is_a_quoted_string_even_when_it_is_an_atom() {
    let shared = vec![Namespace {
        prefix: "Public/".into(),
        delimiter: Some('/'),
    }];
    let r = Data::Namespace {
        personal: vec![],
        other: vec![],
        shared,
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* NAMESPACE NIL NIL ((\"Public/\" \"/\"))\r\n"
    );
}

#[test]
fn badcharset_never_writes_a_bracket_into_the_code() {
    let c = Code::BadCharset(vec!["x]y".into()]);
    assert_eq!(code(c), "a1 NO [BADCHARSET (\"x]y\")] x\r\n");
}

#[test]
fn text_starting_with_a_bracket_is_not_read_as_a_code() {
    let r = Response::Status(Status::tagged("t", Condition::Ok, None, "[x] done"));
    assert_eq!(rev1(r), "t OK  [x] done\r\n");
}

#[test]
fn an_invalid_tag_gives_an_untagged_response() {
    let r = Response::Status(Status::tagged("a\r\nb", Condition::Bad, None, "bad tag"));
    assert_eq!(rev1(r), "* BAD bad tag\r\n");
    let r = Response::Status(Status::tagged("a+", Condition::Bad, None, "bad tag"));
    assert_eq!(rev1(r), "* BAD bad tag\r\n");
    let r = Response::Status(Status::tagged("A]1", Condition::Ok, None, "fine"));
    assert_eq!(rev1(r), "A]1 OK fine\r\n");
}
