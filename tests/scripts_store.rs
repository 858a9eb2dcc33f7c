//! Script storage: named scripts with one active, quotas, admin and global
//! scripts, the order the Sieve stage sees, and the managed rules generated
//! from out-of-office and forwarding settings.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use postamt::auth::{Address, Directory, Password};
use postamt::delivery::{IncludeLocation, ScriptKind, ScriptStore};
use postamt::scripts::{
    AdminPosition, Forwarding, ScriptName, ScriptQuotas, ScriptStorage, ScriptsError, SieveDate,
    Vacation,
};
use postamt::sieve;
use postamt::store::AccountId;
use tempfile::TempDir;

const QUOTAS: ScriptQuotas = ScriptQuotas {
    max_scripts: 3,
    max_script_bytes: 100,
};

struct Fixture {
    _dir: TempDir,
    scripts: ScriptStorage,
    alice: AccountId,
    bob: AccountId,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.org").unwrap();
    let password = Password::new("pw");
    let alice = directory
        .add_user("alice@example.org", &password)
        .unwrap()
        .id;
    let bob = directory.add_user("bob@example.org", &password).unwrap().id;
    directory.add_user("carol@example.org", &password).unwrap();
    let scripts = ScriptStorage::open(dir.path(), Arc::new(directory)).unwrap();
    Fixture {
        _dir: dir,
        scripts,
        alice,
        bob,
    }
}

fn name(text: &str) -> ScriptName {
    ScriptName::parse(text).unwrap()
}

fn address(text: &str) -> Address {
    Address::parse(text).unwrap()
}

fn vacation(subject: &str, text: &str) -> Vacation {
    Vacation {
        enabled: true,
        // A window around any day these tests run on.
        start: SieveDate::parse("2026-01-01").unwrap(),
        end: SieveDate::parse("2099-12-31").unwrap(),
        subject: subject.to_owned(),
        text: text.to_owned(),
        from: None,
    }
}

fn forward(targets: &[&str], keep_copy: bool) -> Forwarding {
    Forwarding {
        targets: targets.iter().map(|t| address(t)).collect(),
        keep_copy,
    }
}

fn managed_source(f: &Fixture, account: AccountId) -> String {
    f.scripts
        .scripts_for(account)
        .unwrap()
        .into_iter()
        .find(|script| script.kind == ScriptKind::Managed)
        .expect("a managed script")
        .source
}

#[test]
fn a_user_stores_several_scripts_and_exactly_one_is_active() {
    let f = fixture();
    f.scripts
        .put_script(f.alice, &name("a"), "keep;", QUOTAS)
        .unwrap();
    f.scripts
        .put_script(f.alice, &name("b"), "discard;", QUOTAS)
        .unwrap();
    f.scripts.set_active(f.alice, Some(&name("a"))).unwrap();
    f.scripts.set_active(f.alice, Some(&name("b"))).unwrap();
    let listing: Vec<(String, bool)> = f
        .scripts
        .list_scripts(f.alice)
        .unwrap()
        .into_iter()
        .map(|l| (l.name.to_string(), l.active))
        .collect();
    assert_eq!(listing, vec![("a".into(), false), ("b".into(), true)]);
    assert!(f.scripts.list_scripts(f.bob).unwrap().is_empty());
    f.scripts.set_active(f.alice, None).unwrap();
    assert_eq!(f.scripts.active_script(f.alice).unwrap(), None);
}

#[test]
fn replacing_the_active_script_keeps_it_active() {
    let f = fixture();
    f.scripts
        .put_script(f.alice, &name("a"), "keep;", QUOTAS)
        .unwrap();
    f.scripts.set_active(f.alice, Some(&name("a"))).unwrap();
    f.scripts
        .put_script(f.alice, &name("a"), "discard;", QUOTAS)
        .unwrap();
    assert_eq!(
        f.scripts.active_script(f.alice).unwrap(),
        Some(("a".into(), "discard;".into()))
    );
}

#[test]
fn rename_keeps_activity_and_refuses_an_existing_target() {
    let f = fixture();
    f.scripts
        .put_script(f.alice, &name("a"), "keep;", QUOTAS)
        .unwrap();
    f.scripts
        .put_script(f.alice, &name("b"), "keep;", QUOTAS)
        .unwrap();
    f.scripts.set_active(f.alice, Some(&name("a"))).unwrap();
    assert!(matches!(
        f.scripts.rename_script(f.alice, &name("a"), &name("b")),
        Err(ScriptsError::ScriptExists(_))
    ));
    assert!(matches!(
        f.scripts.rename_script(f.alice, &name("zz"), &name("c")),
        Err(ScriptsError::NoSuchScript(_))
    ));
    f.scripts
        .rename_script(f.alice, &name("a"), &name("c"))
        .unwrap();
    assert_eq!(f.scripts.active_script(f.alice).unwrap().unwrap().0, "c");
}

#[test]
fn deleting_the_active_script_is_refused() {
    let f = fixture();
    f.scripts
        .put_script(f.alice, &name("a"), "keep;", QUOTAS)
        .unwrap();
    f.scripts.set_active(f.alice, Some(&name("a"))).unwrap();
    assert!(matches!(
        f.scripts.delete_script(f.alice, &name("a")),
        Err(ScriptsError::ScriptActive(_))
    ));
    f.scripts.set_active(f.alice, None).unwrap();
    f.scripts.delete_script(f.alice, &name("a")).unwrap();
    assert!(matches!(
        f.scripts.get_script(f.alice, &name("a")),
        Err(ScriptsError::NoSuchScript(_))
    ));
}

#[test]
fn activating_a_missing_script_changes_nothing() {
    let f = fixture();
    f.scripts
        .put_script(f.alice, &name("a"), "keep;", QUOTAS)
        .unwrap();
    f.scripts.set_active(f.alice, Some(&name("a"))).unwrap();
    assert!(matches!(
        f.scripts.set_active(f.alice, Some(&name("nope"))),
        Err(ScriptsError::NoSuchScript(_))
    ));
    assert_eq!(f.scripts.active_script(f.alice).unwrap().unwrap().0, "a");
}

#[test]
fn quotas_limit_count_and_size_but_allow_replacing() {
    let f = fixture();
    for n in ["a", "b", "c"] {
        f.scripts
            .put_script(f.alice, &name(n), "keep;", QUOTAS)
            .unwrap();
    }
    assert!(matches!(
        f.scripts.put_script(f.alice, &name("d"), "keep;", QUOTAS),
        Err(ScriptsError::TooManyScripts { limit: 3 })
    ));
    f.scripts
        .put_script(f.alice, &name("c"), "discard;", QUOTAS)
        .unwrap();
    assert!(matches!(
        f.scripts
            .put_script(f.alice, &name("a"), &"#".repeat(101), QUOTAS),
        Err(ScriptsError::ScriptTooLarge { limit: 100 })
    ));
    f.scripts
        .check_space(f.bob, &name("x"), 100, QUOTAS)
        .unwrap();
}

#[test]
fn scripts_for_runs_admin_before_managed_personal_admin_after() {
    let f = fixture();
    f.scripts
        .put_admin_script(AdminPosition::After, "keep;")
        .unwrap();
    f.scripts
        .put_admin_script(AdminPosition::Before, "stop;")
        .unwrap();
    f.scripts
        .put_script(f.alice, &name("mine"), "discard;", QUOTAS)
        .unwrap();
    f.scripts.set_active(f.alice, Some(&name("mine"))).unwrap();
    f.scripts
        .set_forwarding(f.alice, &forward(&["x@remote.test"], true))
        .unwrap();
    let kinds: Vec<(ScriptKind, String)> = f
        .scripts
        .scripts_for(f.alice)
        .unwrap()
        .into_iter()
        .map(|s| (s.kind, s.source))
        .collect();
    assert_eq!(kinds.len(), 4);
    assert_eq!(kinds[0], (ScriptKind::AdminBefore, "stop;".into()));
    assert_eq!(kinds[1].0, ScriptKind::Managed);
    assert_eq!(kinds[2], (ScriptKind::Personal, "discard;".into()));
    assert_eq!(kinds[3], (ScriptKind::AdminAfter, "keep;".into()));
    // Bob has no scripts of his own: only the admin's.
    let bob: Vec<ScriptKind> = f
        .scripts
        .scripts_for(f.bob)
        .unwrap()
        .iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(bob, vec![ScriptKind::AdminBefore, ScriptKind::AdminAfter]);
    assert!(
        f.scripts
            .delete_admin_script(AdminPosition::Before)
            .unwrap()
    );
    assert!(
        !f.scripts
            .delete_admin_script(AdminPosition::Before)
            .unwrap()
    );
}

#[test]
fn include_finds_personal_and_global_scripts_separately() {
    let f = fixture();
    f.scripts
        .put_script(f.alice, &name("lib"), "personal;", QUOTAS)
        .unwrap();
    f.scripts
        .put_global_script(&name("lib"), "global;")
        .unwrap();
    let find = |location| f.scripts.include(f.alice, location, "lib").unwrap();
    assert_eq!(
        find(IncludeLocation::Personal).as_deref(),
        Some("personal;")
    );
    assert_eq!(find(IncludeLocation::Global).as_deref(), Some("global;"));
    assert_eq!(
        f.scripts
            .include(f.bob, IncludeLocation::Personal, "lib")
            .unwrap(),
        None
    );
    assert_eq!(
        f.scripts
            .include(f.alice, IncludeLocation::Global, "a\nb")
            .unwrap(),
        None
    );
}

#[test]
fn vacation_within_its_dates_becomes_a_vacation_rule() {
    let f = fixture();
    f.scripts
        .directory()
        .add_alias("office@example.org", &["alice@example.org"])
        .unwrap();
    f.scripts
        .directory()
        .add_alias("@example.org", &["alice@example.org"])
        .unwrap();
    let mut settings = vacation("Away", "Back in January.");
    settings.from = Some(address("alice@example.org"));
    f.scripts.set_vacation(f.alice, &settings).unwrap();
    assert_eq!(f.scripts.vacation(f.alice).unwrap(), Some(settings));
    assert_eq!(
        managed_source(&f, f.alice),
        "require [\"vacation\", \"date\", \"relational\"];\r\n\
         if allof (currentdate :value \"ge\" \"date\" \"2026-01-01\", currentdate :value \"le\" \"date\" \"2099-12-31\") {\r\n\
         vacation :days 1 :subject \"Away\" :addresses [\"alice@example.org\", \"office@example.org\"] :from \"alice@example.org\" text:\r\n\
         Back in January.\r\n.\r\n;\r\n\
         }\r\n"
    );
}

/// Whether the managed script answers a message delivered at `unix_seconds`.
fn answers_at(source: &str, unix_seconds: u64) -> bool {
    struct NoMailboxes;
    impl sieve::Environment for NoMailboxes {
        fn mailbox_exists(&self, _: &str) -> bool {
            false
        }
    }
    let script = sieve::compile(source).unwrap();
    let raw = b"From: bob@example.org\r\nTo: alice@example.org\r\n\r\nHi\r\n";
    let mut message = sieve::Message::parse(raw, raw.len() as u64);
    let envelope = sieve::Envelope::default();
    let limits = sieve::Limits::default();
    let input = sieve::Input {
        envelope: &envelope,
        spam: None,
        environment: &NoMailboxes,
        limits: &limits,
        now: UNIX_EPOCH + Duration::from_secs(unix_seconds),
    };
    let mut outcome = sieve::Outcome::default();
    sieve::run(&script, &mut message, &input, &mut outcome).unwrap();
    outcome
        .actions
        .iter()
        .any(|a| matches!(a, sieve::Action::Vacation(_)))
}

#[test]
fn vacation_answers_only_on_the_days_of_its_window() {
    let f = fixture();
    let mut settings = vacation("Away", "text");
    settings.start = SieveDate::parse("2001-01-01").unwrap();
    settings.end = SieveDate::parse("2001-01-31").unwrap();
    f.scripts.set_vacation(f.alice, &settings).unwrap();
    let source = managed_source(&f, f.alice);
    // 2000-12-31 23:59:59, 2001-01-01 00:00:00, 2001-01-31 23:59:59, 2001-02-01 00:00:00 UTC.
    assert!(!answers_at(&source, 978_307_199));
    assert!(answers_at(&source, 978_307_200));
    assert!(answers_at(&source, 980_985_599));
    assert!(!answers_at(&source, 980_985_600));
}

#[test]
fn vacation_turned_off_generates_nothing_but_keeps_the_text() {
    let f = fixture();
    f.scripts
        .set_vacation(f.alice, &vacation("Away", "text"))
        .unwrap();
    assert!(f.scripts.disable_vacation(f.alice).unwrap());
    assert!(f.scripts.scripts_for(f.alice).unwrap().is_empty());
    assert_eq!(f.scripts.vacation(f.alice).unwrap().unwrap().text, "text");
}

#[test]
fn vacation_ending_before_it_starts_is_refused() {
    let f = fixture();
    let mut settings = vacation("Away", "text");
    settings.end = SieveDate::parse("2025-12-31").unwrap();
    assert!(matches!(
        f.scripts.set_vacation(f.alice, &settings),
        Err(ScriptsError::EndBeforeStart { .. })
    ));
}

#[test]
fn hostile_subject_and_text_cannot_escape_their_strings() {
    let f = fixture();
    let subject = "x\" ; discard; \\\r\nBcc: evil@example.net";
    let text = "hi\r\n.\r\ndiscard;\r\n.\nredirect \"evil@example.net\";";
    f.scripts
        .set_vacation(f.alice, &vacation(subject, text))
        .unwrap();
    let source = managed_source(&f, f.alice);
    assert!(source.contains(":subject \"x\\\" ; discard; \\\\  Bcc: evil@example.net\""));
    assert!(source.contains(
        "text:\r\nhi\r\n..\r\ndiscard;\r\n..\r\nredirect \"evil@example.net\";\r\n.\r\n;\r\n"
    ));
    // The only line that is a lone dot is the terminator.
    assert_eq!(source.split("\r\n").filter(|line| *line == ".").count(), 1);
}

#[test]
fn forwarding_with_a_copy_uses_redirect_copy() {
    let f = fixture();
    f.scripts
        .set_forwarding(
            f.alice,
            &forward(&["x@remote.test", "bob@example.org"], true),
        )
        .unwrap();
    assert_eq!(
        managed_source(&f, f.alice),
        "require [\"copy\"];\r\nredirect :copy \"x@remote.test\";\r\nredirect :copy \"bob@example.org\";\r\n"
    );
}

#[test]
fn forwarding_without_a_copy_redirects_plainly() {
    let f = fixture();
    f.scripts
        .set_forwarding(f.alice, &forward(&["x@remote.test"], false))
        .unwrap();
    assert_eq!(
        managed_source(&f, f.alice),
        "redirect \"x@remote.test\";\r\n"
    );
    assert!(f.scripts.clear_forwarding(f.alice).unwrap());
    assert!(f.scripts.scripts_for(f.alice).unwrap().is_empty());
}

#[test]
fn vacation_and_forwarding_share_one_managed_script() {
    let f = fixture();
    f.scripts
        .set_vacation(f.alice, &vacation("Away", "text"))
        .unwrap();
    f.scripts
        .set_forwarding(f.alice, &forward(&["x@remote.test"], true))
        .unwrap();
    let source = managed_source(&f, f.alice);
    assert!(source.starts_with("require [\"vacation\", \"date\", \"relational\", \"copy\"];\r\n"));
    assert!(source.ends_with(".\r\n;\r\n}\r\nredirect :copy \"x@remote.test\";\r\n"));
}

#[test]
fn forwarding_to_oneself_is_refused() {
    let f = fixture();
    assert!(matches!(
        f.scripts
            .set_forwarding(f.alice, &forward(&["Alice@Example.org"], true)),
        Err(ScriptsError::ForwardToSelf(_))
    ));
    // Through plus-addressing too.
    assert!(matches!(
        f.scripts
            .set_forwarding(f.alice, &forward(&["alice+x@example.org"], true)),
        Err(ScriptsError::ForwardToSelf(_))
    ));
}

#[test]
fn a_forward_that_comes_back_is_refused() {
    let f = fixture();
    f.scripts
        .set_forwarding(f.bob, &forward(&["carol@example.org"], false))
        .unwrap();
    let carol = f.scripts.account_of("carol@example.org").unwrap();
    f.scripts
        .set_forwarding(carol, &forward(&["alice@example.org"], false))
        .unwrap();
    // alice -> bob -> carol -> alice.
    assert!(matches!(
        f.scripts
            .set_forwarding(f.alice, &forward(&["bob@example.org"], true)),
        Err(ScriptsError::ForwardLoop { .. })
    ));
    assert_eq!(f.scripts.forwarding(f.alice).unwrap(), None);
}

#[test]
fn forwarding_to_an_unknown_local_address_is_refused() {
    let f = fixture();
    assert!(matches!(
        f.scripts
            .set_forwarding(f.alice, &forward(&["nobody@example.org"], true)),
        Err(ScriptsError::UserNotFound(_))
    ));
}

#[test]
fn the_managed_script_compiles_with_the_servers_sieve() {
    let f = fixture();
    let hostile = "x\" ; discard; \\\r\n.\r\nredirect \"evil@example.net\";";
    f.scripts
        .set_vacation(f.alice, &vacation(hostile, hostile))
        .unwrap();
    f.scripts
        .set_forwarding(f.alice, &forward(&["x@remote.test"], true))
        .unwrap();
    let source = managed_source(&f, f.alice);
    if let Err(error) = postamt::sieve::compile(&source) {
        panic!("{error}\n{source}");
    }
}
