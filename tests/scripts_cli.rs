//! `postamt sieve`, `postamt vacation` and `postamt forward` as an admin
//! runs them: the settings land in the script storage the Sieve stage
//! reads, and mistakes get the documented exit codes.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use postamt::auth::{Directory, Password};
use postamt::delivery::{ScriptKind, ScriptStore};
use postamt::scripts::{ScriptName, ScriptQuotas, ScriptStorage};
use postamt::store::AccountId;

const QUOTAS: ScriptQuotas = ScriptQuotas {
    max_scripts: 10,
    max_script_bytes: 1000,
};

fn postamt(data_dir: &Path, args: &[&str]) -> Output {
    let config = data_dir.join("postamt.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhostname = \"mail.example.org\"\ndata_dir = \"{}\"\n",
            data_dir.display()
        ),
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_postamt"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// example.org with alice and bob.
fn setup(dir: &Path) -> (ScriptStorage, AccountId) {
    let directory = Directory::open(dir).unwrap();
    directory.add_domain("example.org").unwrap();
    let alice = directory
        .add_user("alice@example.org", &Password::new("pw"))
        .unwrap()
        .id;
    directory
        .add_user("bob@example.org", &Password::new("pw"))
        .unwrap();
    let storage = ScriptStorage::open(dir, Arc::new(directory)).unwrap();
    (storage, alice)
}

#[test]
fn vacation_set_show_and_off_drive_the_managed_script() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, alice) = setup(dir.path());
    let output = postamt(
        dir.path(),
        &[
            "vacation",
            "set",
            "alice@example.org",
            "--start",
            "2026-01-01",
            "--end",
            "2099-12-31",
            "--subject",
            "Away",
            "--text",
            "Back soon.",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let scripts = storage.scripts_for(alice).unwrap();
    assert_eq!(scripts[0].kind, ScriptKind::Managed);
    assert!(
        scripts[0]
            .source
            .contains("vacation :days 1 :subject \"Away\"")
    );
    let shown = stdout(&postamt(
        dir.path(),
        &["vacation", "show", "alice@example.org"],
    ));
    assert!(shown.contains("start\t2026-01-01\n"), "{shown}");
    assert!(
        postamt(dir.path(), &["vacation", "off", "alice@example.org"])
            .status
            .success()
    );
    assert!(storage.scripts_for(alice).unwrap().is_empty());
}

#[test]
fn vacation_with_an_invalid_date_is_data_error() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let output = postamt(
        dir.path(),
        &[
            "vacation",
            "set",
            "alice@example.org",
            "--start",
            "2026-02-30",
            "--end",
            "2027-01-06",
            "--subject",
            "Away",
            "--text",
            "x",
        ],
    );
    assert_eq!(output.status.code(), Some(65));
}

#[test]
fn forward_set_refuses_a_loop_and_show_lists_targets() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, alice) = setup(dir.path());
    let set = postamt(
        dir.path(),
        &["forward", "set", "bob@example.org", "alice@example.org"],
    );
    assert!(set.status.success(), "{set:?}");
    let looping = postamt(
        dir.path(),
        &[
            "forward",
            "set",
            "alice@example.org",
            "bob@example.org",
            "--keep",
        ],
    );
    assert_eq!(looping.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&looping.stderr).contains("loop"));
    assert_eq!(storage.forwarding(alice).unwrap(), None);
    let set = postamt(
        dir.path(),
        &[
            "forward",
            "set",
            "alice@example.org",
            "x@remote.test",
            "--keep",
        ],
    );
    assert!(set.status.success());
    let shown = stdout(&postamt(
        dir.path(),
        &["forward", "show", "alice@example.org"],
    ));
    assert_eq!(shown, "to\tx@remote.test\nkeep\tyes\n");
}

#[test]
fn sieve_list_activate_get_and_delete_a_stored_script() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, alice) = setup(dir.path());
    let name = ScriptName::parse("work").unwrap();
    storage.put_script(alice, &name, "keep;\n", QUOTAS).unwrap();
    let activate = postamt(
        dir.path(),
        &["sieve", "activate", "alice@example.org", "work"],
    );
    assert!(activate.status.success());
    let listed = stdout(&postamt(
        dir.path(),
        &["sieve", "list", "alice@example.org"],
    ));
    assert_eq!(listed, "work\tactive\n");
    let got = stdout(&postamt(
        dir.path(),
        &["sieve", "get", "alice@example.org", "work"],
    ));
    assert_eq!(got, "keep;\n");
    let refused = postamt(
        dir.path(),
        &["sieve", "delete", "alice@example.org", "work"],
    );
    assert_eq!(refused.status.code(), Some(65));
    assert!(
        postamt(dir.path(), &["sieve", "deactivate", "alice@example.org"])
            .status
            .success()
    );
    assert!(
        postamt(
            dir.path(),
            &["sieve", "delete", "alice@example.org", "work"]
        )
        .status
        .success()
    );
    let missing = postamt(dir.path(), &["sieve", "get", "alice@example.org", "work"]);
    assert_eq!(missing.status.code(), Some(67));
}

#[test]
fn sieve_put_checks_with_the_compiler_and_stores_only_good_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, alice) = setup(dir.path());
    let bad = dir.path().join("bad.sieve");
    std::fs::write(&bad, "require \"fileinto\";\nfileinto 42;\n").unwrap();
    let refused = postamt(
        dir.path(),
        &[
            "sieve",
            "put",
            "alice@example.org",
            "work",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(65), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("line 2"));
    assert!(storage.list_scripts(alice).unwrap().is_empty());
    let good = dir.path().join("good.sieve");
    std::fs::write(&good, "keep;\n").unwrap();
    let stored = postamt(
        dir.path(),
        &[
            "sieve",
            "put",
            "alice@example.org",
            "work",
            good.to_str().unwrap(),
        ],
    );
    assert!(stored.status.success(), "{stored:?}");
    assert_eq!(storage.list_scripts(alice).unwrap().len(), 1);
}
