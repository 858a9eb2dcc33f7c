//! LIST and LSUB wildcards, references, ordering and names on the wire
//! (RFC 9051 §6.3.9, RFC 3501 §6.3.8-§6.3.9 and their examples).

mod imap_list_support;

use imap_list_support::{Account, lines};

fn fruit() -> Account {
    Account::default().with(&[
        "INBOX",
        "Fruit",
        "Fruit/Apple",
        "Fruit/Banana",
        "Tofu",
        "Vegetable",
        "Vegetable/Broccoli",
        "Vegetable/Corn",
    ])
}

#[test]
fn empty_pattern_answers_the_delimiter_and_an_empty_root() {
    // RFC 3501 §6.3.8 A101; OfflineIMAP sends exactly this.
    assert_eq!(
        fruit().run(r#"LIST "" """#),
        lines(&[r#"* LIST (\Noselect) "/" """#])
    );
}

#[test]
fn empty_pattern_with_a_reference_answers_its_root() {
    // RFC 3501 §6.3.8 A103.
    assert_eq!(
        fruit().run(r#"LIST /usr/staff/jones """#),
        lines(&[r#"* LIST (\Noselect) "/" /"#])
    );
    assert_eq!(
        fruit().run(r#"LIST "Fruit/Apple" """#),
        lines(&[r#"* LIST (\Noselect) "/" Fruit/"#])
    );
}

#[test]
fn star_lists_every_level_inbox_first() {
    assert_eq!(
        fruit().run(r#"LIST "" "*""#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasChildren) "/" Fruit"#,
            r#"* LIST (\HasNoChildren) "/" Fruit/Apple"#,
            r#"* LIST (\HasNoChildren) "/" Fruit/Banana"#,
            r#"* LIST (\HasNoChildren) "/" Tofu"#,
            r#"* LIST (\HasChildren) "/" Vegetable"#,
            r#"* LIST (\HasNoChildren) "/" Vegetable/Broccoli"#,
            r#"* LIST (\HasNoChildren) "/" Vegetable/Corn"#,
        ])
    );
}

#[test]
fn percent_lists_one_level() {
    assert_eq!(
        fruit().run(r#"LIST "" %"#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasChildren) "/" Fruit"#,
            r#"* LIST (\HasNoChildren) "/" Tofu"#,
            r#"* LIST (\HasChildren) "/" Vegetable"#,
        ])
    );
}

#[test]
fn percent_after_a_level_lists_its_children_only() {
    assert_eq!(
        fruit().run(r#"LIST "" Fruit/%"#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" Fruit/Apple"#,
            r#"* LIST (\HasNoChildren) "/" Fruit/Banana"#,
        ])
    );
}

#[test]
fn wildcards_inside_a_level_match_parts_of_names() {
    assert_eq!(
        fruit().run(r#"LIST "" "*o*""#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasNoChildren) "/" Tofu"#,
            r#"* LIST (\HasNoChildren) "/" Vegetable/Broccoli"#,
            r#"* LIST (\HasNoChildren) "/" Vegetable/Corn"#,
        ])
    );
    // INBOX's name is case-insensitive, so "o" matches its "O" too.
    assert_eq!(
        fruit().run(r#"LIST "" "%o%""#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasNoChildren) "/" Tofu"#,
        ])
    );
    assert_eq!(
        fruit().run(r#"LIST "" "%a%""#),
        lines(&[r#"* LIST (\HasChildren) "/" Vegetable"#])
    );
}

#[test]
fn reference_is_prepended_to_the_pattern() {
    // RFC 3501 §6.3.8: "archive/" with "%" is "archive/%".
    assert_eq!(
        fruit().run(r#"LIST Vegetable/ %"#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" Vegetable/Broccoli"#,
            r#"* LIST (\HasNoChildren) "/" Vegetable/Corn"#,
        ])
    );
}

#[test]
fn missing_level_matched_by_percent_is_noselect() {
    // RFC 3501 §6.3.8 A202: ~/Mail/foo does not exist, ~/Mail/foo/bar does.
    let account = Account::default().with(&["~/Mail/foo/bar", "~/Mail/meetings"]);
    assert_eq!(
        account.run(r#"LIST ~/Mail/ %"#),
        lines(&[
            r#"* LIST (\Noselect \HasChildren) "/" ~/Mail/foo"#,
            r#"* LIST (\HasNoChildren) "/" ~/Mail/meetings"#,
        ])
    );
}

#[test]
fn missing_level_is_not_listed_when_star_lists_its_child() {
    // RFC 5258 §5 example 10: the child is returned, so the parent is not.
    let account = Account::default().with(&["music/rock"]);
    assert_eq!(
        account.run(r#"LIST "" *"#),
        lines(&[r#"* LIST (\HasNoChildren) "/" music/rock"#])
    );
    assert_eq!(
        account.run(r#"LIST "" (% music/rock)"#),
        lines(&[r#"* LIST (\HasNoChildren) "/" music/rock"#])
    );
}

#[test]
fn inbox_matches_in_any_case() {
    let account = fruit().with(&["INBOX/Receipts"]);
    assert_eq!(
        account.run(r#"LIST "" inbox"#),
        lines(&[r#"* LIST (\HasChildren) "/" INBOX"#])
    );
    assert_eq!(
        account.run(r#"LIST "" Inbox/%"#),
        lines(&[r#"* LIST (\HasNoChildren) "/" INBOX/Receipts"#])
    );
    assert_eq!(account.run(r#"LIST "" inbox/receipts"#), lines(&[]));
}

#[test]
fn other_names_match_case_sensitively() {
    assert_eq!(fruit().run(r#"LIST "" fruit"#), lines(&[]));
}

#[test]
fn a_name_matched_by_several_patterns_is_listed_once() {
    assert_eq!(
        fruit().run(r#"LIST "" (Tofu "*" % T*)"#).len(),
        8,
        "each of the 8 mailboxes once"
    );
}

#[test]
fn children_follow_their_parent_before_longer_siblings() {
    let account = Account::default().with(&["a b", "a/b", "a", "Zeta", "INBOX/x", "INBOX"]);
    assert_eq!(
        account.run(r#"LIST "" *"#),
        lines(&[
            r#"* LIST (\HasChildren) "/" INBOX"#,
            r#"* LIST (\HasNoChildren) "/" INBOX/x"#,
            r#"* LIST (\HasNoChildren) "/" Zeta"#,
            r#"* LIST (\HasChildren) "/" a"#,
            r#"* LIST (\HasNoChildren) "/" a/b"#,
            r#"* LIST (\HasNoChildren) "/" "a b""#,
        ])
    );
}

#[test]
fn international_names_go_out_in_modified_utf7_for_rev1() {
    let account = Account::default().with(&["Entw\u{fc}rfe", "\u{65e5}\u{672c}\u{8a9e}"]);
    assert_eq!(
        account.run(r#"LIST "" *"#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" Entw&APw-rfe"#,
            r#"* LIST (\HasNoChildren) "/" &ZeVnLIqe-"#,
        ])
    );
}

#[test]
fn modified_utf7_patterns_match_international_names() {
    let account = Account::default().with(&["Entw\u{fc}rfe", "Entwurf"]);
    assert_eq!(
        account.run(r#"LIST "" Entw&APw-*"#),
        lines(&[r#"* LIST (\HasNoChildren) "/" Entw&APw-rfe"#])
    );
}

#[test]
fn utf8_patterns_match_international_names_in_utf8_mode() {
    let account = Account::default().with(&["Entw\u{fc}rfe", "\u{65e5}\u{672c}\u{8a9e}"]);
    assert_eq!(
        account.run_utf8("LIST \"\" \"\u{65e5}*\""),
        lines(&["* LIST (\\HasNoChildren) \"/\" \"\u{65e5}\u{672c}\u{8a9e}\""])
    );
    // In UTF-8 mode "&" is an ordinary character, not a shift.
    assert_eq!(account.run_utf8(r#"LIST "" Entw&APw-*"#), lines(&[]));
}

#[test]
fn invalid_modified_utf7_pattern_is_refused_with_a_reason() {
    let err = fruit()
        .run_in(
            r#"LIST "" "&AOQ""#,
            postamt::imap::mailbox_list::NameMode::ModifiedUtf7,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "mailbox name is not valid modified UTF-7: a shift sequence is not closed with '-'"
    );
}

#[test]
fn lsub_lists_subscriptions_and_marks_missing_ones_noselect() {
    let account = fruit().subscribed(&["Fruit/Banana", "Fruit/Peach", "Vegetable"]);
    assert_eq!(
        account.run(r#"LSUB "" *"#),
        lines(&[
            r#"* LSUB () "/" Fruit/Banana"#,
            r#"* LSUB (\Noselect) "/" Fruit/Peach"#,
            r#"* LSUB () "/" Vegetable"#,
        ])
    );
}

#[test]
fn lsub_percent_returns_an_unsubscribed_parent_as_noselect() {
    // RFC 3501 §6.3.9: foo/bar subscribed, foo not: "%" returns foo.
    let account = Account::default()
        .with(&["foo", "foo/bar"])
        .subscribed(&["foo/bar"]);
    assert_eq!(
        account.run(r#"LSUB "" %"#),
        lines(&[r#"* LSUB (\Noselect) "/" foo"#])
    );
}

#[test]
fn lsub_with_reference_follows_the_rfc3501_example() {
    // RFC 3501 §6.3.9 A002/A003, with "/" for the example's ".".
    let account = Account::default()
        .with(&["news/comp/mail/mime", "news/comp/mail/misc"])
        .subscribed(&["news/comp/mail/mime", "news/comp/mail/misc"]);
    assert_eq!(
        account.run(r#"LSUB news/ comp/mail/*"#),
        lines(&[
            r#"* LSUB () "/" news/comp/mail/mime"#,
            r#"* LSUB () "/" news/comp/mail/misc"#,
        ])
    );
    assert_eq!(
        account.run(r#"LSUB news/ comp/%"#),
        lines(&[r#"* LSUB (\Noselect) "/" news/comp/mail"#])
    );
}

#[test]
fn lsub_without_subscriptions_is_empty() {
    assert_eq!(fruit().run(r#"LSUB "" *"#), lines(&[]));
}
