//! The `[pop3]` section: its defaults, its values, and errors that name the key.

use postamt::config::{Config, Pop3Deleted, Pop3Section, Seconds};

#[test]
fn defaults_move_deleted_mail_to_trash_and_mark_retrieved_mail_seen() {
    let pop3 = Config::from_toml_str("").unwrap().pop3;
    assert_eq!(pop3, Pop3Section::default());
    assert_eq!(pop3.deleted, Pop3Deleted::Trash);
    assert!(pop3.retr_marks_seen);
    assert_eq!(pop3.login_delay, Seconds(0));
}

#[test]
fn every_option_can_be_set() {
    let config = Config::from_toml_str(
        "[pop3]\ndeleted = \"expunge\"\nretr_marks_seen = false\nlogin_delay = 900\n",
    )
    .unwrap();
    assert_eq!(
        config.pop3,
        Pop3Section {
            deleted: Pop3Deleted::Expunge,
            retr_marks_seen: false,
            login_delay: Seconds(900),
        }
    );
}

#[test]
fn an_unknown_deletion_policy_names_the_key() {
    let error = Config::from_toml_str("[pop3]\ndeleted = \"archive\"\n")
        .unwrap_err()
        .to_string();
    assert!(error.contains("deleted"), "{error}");
    assert!(
        error.contains("trash") && error.contains("expunge"),
        "{error}"
    );
}

#[test]
fn an_unknown_key_is_an_error() {
    let error = Config::from_toml_str("[pop3]\ndelete = \"trash\"\n")
        .unwrap_err()
        .to_string();
    assert!(error.contains("delete"), "{error}");
}
