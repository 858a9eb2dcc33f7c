//! The Debian `sieve-connect` client (installed by .ci/run) against the
//! ManageSieve handler in the real server: upload over STARTTLS with the
//! certificate verified, activate, list, download, delete.

mod server_support;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::config::{Protocol, TlsMode};
use postamt::managesieve::{ManageSieveHandler, ScriptChecker, ScriptProblem};
use postamt::scripts::ScriptStorage;
use postamt::server::Handlers;
use server_support::*;

const USER: &str = "alice@example.test";
const PASSWORD: &str = "pass-word-1";
const SCRIPT: &str = "require [\"fileinto\"];\nif header :contains \"subject\" \"build\" {\n  fileinto \"Work\";\n}\n";

/// Refuses scripts containing `error`.
struct FakeChecker;

impl ScriptChecker for FakeChecker {
    fn check(&self, source: &str) -> Result<(), ScriptProblem> {
        match source.find("error") {
            Some(_) => Err(ScriptProblem {
                line: 1,
                column: 1,
                message: "unknown command".into(),
            }),
            None => Ok(()),
        }
    }

    fn extensions(&self) -> Vec<String> {
        vec!["fileinto".into()]
    }
}

/// Runs sieve-connect with the password on file descriptor 3 and the test
/// certificate as the only trusted one.
async fn sieve_connect(dir: &Path, port: u16, args: &[&str]) -> Output {
    let password = dir.join("password");
    std::fs::write(&password, PASSWORD).unwrap();
    let command = format!(
        "sieve-connect --4 -s localhost -p {port} -u {USER} --passwordfd 3 --tlscafile {} {} 3<{}",
        self_signed_certificate(dir).display(),
        args.join(" "),
        password.display()
    );
    // The server runs on this runtime: the client waits on the blocking pool.
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .output()
            .expect("a shell")
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn sieve_connect_uploads_activates_lists_downloads_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.test").unwrap();
    let user = directory.add_user(USER, &Password::new(PASSWORD)).unwrap();
    let directory = Arc::new(directory);
    let scripts = Arc::new(ScriptStorage::open(dir.path(), Arc::clone(&directory)).unwrap());
    let authenticator = Arc::new(Authenticator::new(directory, ThrottleSettings::default()));
    let handlers = Handlers::default().with(
        Protocol::ManageSieve,
        Arc::new(ManageSieveHandler::new(
            authenticator,
            Arc::clone(&scripts),
            Arc::new(FakeChecker),
        )),
    );
    let config = config(dir.path(), &[(Protocol::ManageSieve, TlsMode::StartTls)]);
    let server = start(config, handlers).await;
    let port = server.addresses[0].port();
    let local = dir.path().join("work.sieve");
    std::fs::write(&local, SCRIPT).unwrap();
    let local = local.to_str().unwrap();

    let upload = sieve_connect(
        dir.path(),
        port,
        &["--upload", "--localsieve", local, "--remotesieve", "work"],
    )
    .await;
    assert!(upload.status.success(), "{upload:?}");
    let activate = sieve_connect(dir.path(), port, &["--activate", "--remotesieve", "work"]).await;
    assert!(activate.status.success(), "{activate:?}");
    let list = sieve_connect(dir.path(), port, &["--list"]).await;
    assert!(list.status.success(), "{list:?}");
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("work"),
        "{list:?}"
    );
    assert_eq!(
        scripts.active_script(user.id).unwrap(),
        Some(("work".into(), SCRIPT.into()))
    );

    let downloaded = dir.path().join("downloaded.sieve");
    let download = sieve_connect(
        dir.path(),
        port,
        &[
            "--download",
            "--remotesieve",
            "work",
            "--localsieve",
            downloaded.to_str().unwrap(),
        ],
    )
    .await;
    assert!(download.status.success(), "{download:?}");
    assert_eq!(std::fs::read_to_string(&downloaded).unwrap(), SCRIPT);

    let bad = dir.path().join("bad.sieve");
    std::fs::write(&bad, "error;\n").unwrap();
    let refused = sieve_connect(
        dir.path(),
        port,
        &[
            "--upload",
            "--localsieve",
            bad.to_str().unwrap(),
            "--remotesieve",
            "bad",
        ],
    )
    .await;
    assert!(!refused.status.success(), "{refused:?}");

    sieve_connect(dir.path(), port, &["--deactivate"]).await;
    let delete = sieve_connect(dir.path(), port, &["--delete", "--remotesieve", "work"]).await;
    assert!(delete.status.success(), "{delete:?}");
    assert!(scripts.list_scripts(user.id).unwrap().is_empty());
}
