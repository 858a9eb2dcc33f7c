//! LIST-EXTENDED (RFC 5258 §5, every example), SPECIAL-USE (RFC 6154 §5.1)
//! and what real clients send (../shared/clients).
//!
//! Where an RFC example differs from the output here, the comment says why.
//! Two differences apply throughout: the children attributes are always
//! returned (IMAP4rev2 servers do, RFC 9051 §6.3.9; RFC 5258 §4 allows
//! them always), and postamt has no \Marked, \NoInferiors or remote
//! mailboxes, so the examples' inbox is a plain INBOX.

mod imap_list_support;

use imap_list_support::{Account, lines};
use postamt::imap::mailbox_list::{is_selectable, requested_status};
use postamt::imap::parser::{CommandBody, StatusItem, parse_command};
use postamt::store::SpecialUse;

/// The hierarchy of RFC 5258 example 5.1 and the subscriptions of 5.2.
fn rfc5258() -> Account {
    Account::default()
        .with(&[
            "INBOX",
            "Fruit",
            "Fruit/Apple",
            "Fruit/Banana",
            "Tofu",
            "Vegetable",
            "Vegetable/Broccoli",
            "Vegetable/Corn",
        ])
        .subscribed(&[
            "INBOX",
            "Fruit/Banana",
            "Fruit/Peach",
            "Vegetable",
            "Vegetable/Broccoli",
        ])
}

/// The hierarchy of RFC 5258 example 5.8.
fn foo_moo() -> Account {
    Account::default().with(&["INBOX", "Foo", "Foo/Bar", "Foo/Baz", "Moo"])
}

#[test]
fn rfc5258_example_2_subscribed_lists_subscriptions_including_nonexistent() {
    let expected = lines(&[
        r#"* LIST (\HasNoChildren \Subscribed) "/" INBOX"#,
        r#"* LIST (\HasNoChildren \Subscribed) "/" Fruit/Banana"#,
        r#"* LIST (\NonExistent \Subscribed) "/" Fruit/Peach"#,
        r#"* LIST (\HasChildren \Subscribed) "/" Vegetable"#,
        r#"* LIST (\HasNoChildren \Subscribed) "/" Vegetable/Broccoli"#,
    ]);
    assert_eq!(rfc5258().run(r#"LIST (SUBSCRIBED) "" "*""#), expected);
    // Example 5.5: REMOTE adds nothing, as every mailbox is local.
    assert_eq!(
        rfc5258().run(r#"LIST (REMOTE SUBSCRIBED) "" "*""#),
        expected
    );
}

#[test]
fn rfc5258_example_3_children_return_option() {
    let expected = lines(&[
        r#"* LIST (\HasNoChildren) "/" INBOX"#,
        r#"* LIST (\HasChildren) "/" Fruit"#,
        r#"* LIST (\HasNoChildren) "/" Tofu"#,
        r#"* LIST (\HasChildren) "/" Vegetable"#,
    ]);
    assert_eq!(
        rfc5258().run(r#"LIST () "" "%" RETURN (CHILDREN)"#),
        expected
    );
    // Example 5.4 without the remote "Bread" and "Meat".
    assert_eq!(
        rfc5258().run(r#"LIST (REMOTE) "" "%" RETURN (CHILDREN)"#),
        expected
    );
}

#[test]
fn rfc5258_example_6_return_subscribed_marks_without_listing_nonexistent() {
    assert_eq!(
        rfc5258().run(r#"LIST (REMOTE) "" "*" RETURN (SUBSCRIBED)"#),
        lines(&[
            r#"* LIST (\HasNoChildren \Subscribed) "/" INBOX"#,
            r#"* LIST (\HasChildren) "/" Fruit"#,
            r#"* LIST (\HasNoChildren) "/" Fruit/Apple"#,
            r#"* LIST (\HasNoChildren \Subscribed) "/" Fruit/Banana"#,
            r#"* LIST (\HasNoChildren) "/" Tofu"#,
            r#"* LIST (\HasChildren \Subscribed) "/" Vegetable"#,
            r#"* LIST (\HasNoChildren \Subscribed) "/" Vegetable/Broccoli"#,
            r#"* LIST (\HasNoChildren) "/" Vegetable/Corn"#,
        ])
    );
}

#[test]
fn rfc5258_example_7_multiple_patterns() {
    let account = Account::default().with(&[
        "INBOX",
        "Drafts",
        "Sent",
        "Sent/March2004",
        "Sent/December2003",
        "Sent/August2004",
    ]);
    // Same set as the RFC, in postamt's order (by name).
    assert_eq!(
        account.run(r#"LIST "" ("INBOX" "Drafts" "Sent/%")"#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasNoChildren) "/" Drafts"#,
            r#"* LIST (\HasNoChildren) "/" Sent/August2004"#,
            r#"* LIST (\HasNoChildren) "/" Sent/December2003"#,
            r#"* LIST (\HasNoChildren) "/" Sent/March2004"#,
        ])
    );
}

#[test]
fn rfc5258_example_8_children_of_the_foo_hierarchy() {
    assert_eq!(
        foo_moo().run(r#"LIST "" "%" RETURN (CHILDREN)"#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasChildren) "/" Foo"#,
            r#"* LIST (\HasNoChildren) "/" Moo"#,
        ])
    );
}

#[test]
fn rfc5258_example_8a_subscribed_child_only() {
    let account = foo_moo().subscribed(&["Foo/Baz"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED) "" "*""#),
        lines(&[r#"* LIST (\HasNoChildren \Subscribed) "/" Foo/Baz"#])
    );
    assert_eq!(account.run(r#"LIST (SUBSCRIBED) "" "%""#), lines(&[]));
}

#[test]
fn rfc5258_example_8a_recursivematch_returns_the_parent_with_childinfo() {
    let account = foo_moo().subscribed(&["Foo/Baz"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
        lines(&[r#"* LIST (\HasChildren) "/" Foo (CHILDINFO ("SUBSCRIBED"))"#])
    );
}

#[test]
fn rfc5258_example_8a1_subscribed_parent_keeps_childinfo() {
    let account = foo_moo().subscribed(&["Foo", "Foo/Baz"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
        lines(&[r#"* LIST (\HasChildren \Subscribed) "/" Foo (CHILDINFO ("SUBSCRIBED"))"#])
    );
}

#[test]
fn rfc5258_example_8a2_nonexistent_parent_with_childinfo() {
    let account = Account::default()
        .with(&["INBOX", "Foo/Bar", "Foo/Baz", "Moo"])
        .subscribed(&["Foo/Baz"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
        lines(&[r#"* LIST (\NonExistent \HasChildren) "/" Foo (CHILDINFO ("SUBSCRIBED"))"#])
    );
}

#[test]
fn rfc5258_example_8b_no_subscriptions_no_recursive_match() {
    assert_eq!(
        foo_moo().run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
        lines(&[])
    );
}

#[test]
fn rfc5258_example_8c_unsubscribed_children_give_no_childinfo() {
    let account = foo_moo().subscribed(&["Foo", "Moo"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)"#),
        lines(&[
            r#"* LIST (\HasChildren \Subscribed) "/" Foo"#,
            r#"* LIST (\HasNoChildren \Subscribed) "/" Moo"#,
        ])
    );
}

#[test]
fn rfc5258_example_9_childinfo_does_not_imply_children() {
    let account = Account::default().with(&["foo"]).subscribed(&["foo/bar"]);
    assert_eq!(
        account.run(r#"LIST "" ("foo" "foo/*")"#),
        lines(&[r#"* LIST (\HasNoChildren) "/" foo"#])
    );
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED) "" "foo/*""#),
        lines(&[r#"* LIST (\NonExistent \Subscribed) "/" foo/bar"#])
    );
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" foo RETURN (CHILDREN)"#),
        lines(&[r#"* LIST (\HasNoChildren) "/" foo (CHILDINFO ("SUBSCRIBED"))"#])
    );
}

#[test]
fn rfc5258_example_10_missing_parent_under_percent() {
    // The RFC writes \NonExistent; postamt writes \Noselect as RFC 9051
    // §6.3.9 does for a missing level. \NonExistent implies \Noselect
    // (RFC 5258 §3.4), and IMAP4rev1 clients know only \Noselect.
    let account = Account::default().with(&["music/rock"]);
    assert_eq!(
        account.run(r#"LIST () "" %"#),
        lines(&[r#"* LIST (\Noselect \HasChildren) "/" music"#])
    );
}

#[test]
fn recursivematch_gives_no_childinfo_when_star_lists_the_child() {
    let account = foo_moo().subscribed(&["Foo/Baz"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED RECURSIVEMATCH) "" "*""#),
        lines(&[r#"* LIST (\HasNoChildren \Subscribed) "/" Foo/Baz"#])
    );
}

/// The mailboxes of RFC 6154 §5.1's examples.
fn rfc6154() -> Account {
    Account::default()
        .with(&["INBOX", "ToDo", "Projects", "Projects/Foo"])
        .special("SentMail", SpecialUse::Sent)
        .special("MyDrafts", SpecialUse::Drafts)
        .special("Trash", SpecialUse::Trash)
}

#[test]
fn rfc6154_example_1_special_use_attributes_come_with_plain_list() {
    let expected = lines(&[
        r#"* LIST (\HasNoChildren) "/" INBOX"#,
        r#"* LIST (\HasNoChildren \Drafts) "/" MyDrafts"#,
        r#"* LIST (\HasChildren) "/" Projects"#,
        r#"* LIST (\HasNoChildren \Sent) "/" SentMail"#,
        r#"* LIST (\HasNoChildren) "/" ToDo"#,
        r#"* LIST (\HasNoChildren \Trash) "/" Trash"#,
    ]);
    assert_eq!(rfc6154().run(r#"LIST "" "%""#), expected);
    // RFC 6154 §5.1 example 3: the return option changes nothing here.
    assert_eq!(
        rfc6154().run(r#"LIST "" "%" RETURN (SPECIAL-USE)"#),
        expected
    );
}

#[test]
fn rfc6154_example_2_special_use_selection_lists_only_special_mailboxes() {
    assert_eq!(
        rfc6154().run(r#"LIST (SPECIAL-USE) "" "*""#),
        lines(&[
            r#"* LIST (\HasNoChildren \Drafts) "/" MyDrafts"#,
            r#"* LIST (\HasNoChildren \Sent) "/" SentMail"#,
            r#"* LIST (\HasNoChildren \Trash) "/" Trash"#,
        ])
    );
}

#[test]
fn special_use_and_subscribed_selections_both_apply() {
    let account = rfc6154().subscribed(&["INBOX", "SentMail"]);
    assert_eq!(
        account.run(r#"LIST (SUBSCRIBED SPECIAL-USE) "" "*""#),
        lines(&[r#"* LIST (\HasNoChildren \Subscribed \Sent) "/" SentMail"#])
    );
}

#[test]
fn every_special_use_attribute_is_written() {
    let account = Account::default()
        .special("A", SpecialUse::All)
        .special("B", SpecialUse::Archive)
        .special("C", SpecialUse::Flagged)
        .special("D", SpecialUse::Junk);
    assert_eq!(
        account.run(r#"LIST "" "*""#),
        lines(&[
            r#"* LIST (\HasNoChildren \All) "/" A"#,
            r#"* LIST (\HasNoChildren \Archive) "/" B"#,
            r#"* LIST (\HasNoChildren \Flagged) "/" C"#,
            r#"* LIST (\HasNoChildren \Junk) "/" D"#,
        ])
    );
}

#[test]
fn thunderbird_lists_subscribed_folders_in_lower_case() {
    assert_eq!(
        Account::defaults().run(r#"list (subscribed) "" "*""#),
        lines(&[
            r#"* LIST (\HasNoChildren \Subscribed) "/" INBOX"#,
            r#"* LIST (\HasNoChildren \Subscribed \Drafts) "/" Drafts"#,
            r#"* LIST (\HasNoChildren \Subscribed \Junk) "/" Junk"#,
            r#"* LIST (\HasNoChildren \Subscribed \Sent) "/" Sent"#,
            r#"* LIST (\HasNoChildren \Subscribed) "/" Templates"#,
            r#"* LIST (\HasNoChildren \Subscribed \Trash) "/" Trash"#,
        ])
    );
    assert_eq!(
        Account::defaults().run(r#"list "" "INBOX""#),
        lines(&[r#"* LIST (\HasNoChildren) "/" INBOX"#])
    );
}

#[test]
fn mbsync_lists_everything_with_special_use() {
    assert_eq!(
        Account::defaults().run(r#"LIST "" "*""#),
        lines(&[
            r#"* LIST (\HasNoChildren) "/" INBOX"#,
            r#"* LIST (\HasNoChildren \Drafts) "/" Drafts"#,
            r#"* LIST (\HasNoChildren \Junk) "/" Junk"#,
            r#"* LIST (\HasNoChildren \Sent) "/" Sent"#,
            r#"* LIST (\HasNoChildren) "/" Templates"#,
            r#"* LIST (\HasNoChildren \Trash) "/" Trash"#,
        ])
    );
}

#[test]
fn list_status_asks_for_status_of_selectable_entries_only() {
    let line = b"A1 LIST \"\" \"%\" RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n";
    let CommandBody::List(args) = parse_command(line).unwrap().body else {
        panic!("not LIST");
    };
    assert_eq!(
        requested_status(&args),
        Some(&[StatusItem::Messages, StatusItem::Unseen][..])
    );
    let account = Account::default().with(&["INBOX", "music/rock"]);
    let entries = account.entries(r#"LIST "" "%" RETURN (STATUS (MESSAGES))"#);
    let selectable: Vec<&str> = entries
        .iter()
        .filter(|e| is_selectable(e))
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(entries.len(), 2, "INBOX and the missing level music");
    assert_eq!(selectable, ["INBOX"]);
}

#[test]
fn plain_list_asks_for_no_status() {
    let line = b"A1 LIST \"\" \"%\" RETURN (SUBSCRIBED)\r\n";
    let CommandBody::List(args) = parse_command(line).unwrap().body else {
        panic!("not LIST");
    };
    assert_eq!(requested_status(&args), None);
}
