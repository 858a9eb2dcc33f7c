//! Logging in through the Authenticator: outcomes, throttling and the
//! failure log line fail2ban matches.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postamt::auth::{
    AuthFailure, Authenticator, Credentials, Directory, LoginCheck, Password, ThrottleSettings,
    generate_password,
};
use tempfile::TempDir;
use tokio::time::timeout;

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
const OTHER_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));

struct Fixture {
    dir: TempDir,
    authenticator: Authenticator,
    log: Log,
    _log_guard: tracing::subscriber::DefaultGuard,
}

/// example.org with alice (password "right"), and this thread's log captured.
///
/// Every test captures, never just some: tracing caches whether a log line
/// is wanted process-wide, by the first thread to reach it. A parallel test
/// without a subscriber would mark the failure line unwanted and blind the
/// tests that check it.
fn fixture(throttle: ThrottleSettings) -> Fixture {
    let (log, log_guard) = Log::capture();
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.org").unwrap();
    directory
        .add_user("alice@example.org", &Password::new("right"))
        .unwrap();
    Fixture {
        dir,
        authenticator: Authenticator::new(Arc::new(directory), throttle),
        log,
        _log_guard: log_guard,
    }
}

fn credentials(login: &str, password: &str) -> Credentials {
    Credentials {
        authcid: login.into(),
        password: Password::new(password),
    }
}

/// Everything logged while the guard lives, as plain text lines without
/// timestamps, levels or targets.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let log = Self::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .with_level(false)
            .with_target(false)
            .finish();
        (log, tracing::subscriber::set_default(subscriber))
    }

    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test]
async fn right_password_logs_in_as_the_primary_address() {
    let f = fixture(ThrottleSettings::default());
    let user = f
        .authenticator
        .authenticate(credentials("Alice@Example.org", "right"), CLIENT, "imap")
        .await
        .unwrap();
    assert_eq!(user.login.as_str(), "alice@example.org");
    let stored = f
        .authenticator
        .directory()
        .user("alice@example.org")
        .unwrap()
        .unwrap();
    assert_eq!(user.account, stored.id);
}

#[tokio::test]
async fn wrong_password_fails_with_one_exact_log_line() {
    let f = fixture(ThrottleSettings::default());
    let result = f
        .authenticator
        .authenticate(credentials("alice@example.org", "wrong"), CLIENT, "imap")
        .await;
    assert_eq!(result, Err(AuthFailure::InvalidCredentials));
    assert_eq!(
        f.log.lines(),
        [
            r#"authentication failed protocol=imap ip=203.0.113.7 user="alice@example.org" reason=invalid-credentials"#
        ]
    );
}

#[tokio::test]
async fn unknown_user_fails_like_a_wrong_password() {
    let f = fixture(ThrottleSettings::default());
    let result = f
        .authenticator
        .authenticate(credentials("mallory@example.org", "guess"), CLIENT, "pop3")
        .await;
    assert_eq!(result, Err(AuthFailure::InvalidCredentials));
    assert_eq!(
        f.log.lines(),
        [
            r#"authentication failed protocol=pop3 ip=203.0.113.7 user="mallory@example.org" reason=unknown-user"#
        ]
    );
}

#[tokio::test]
async fn disabled_user_with_right_password_is_refused_as_disabled() {
    let f = fixture(ThrottleSettings::default());
    f.authenticator
        .directory()
        .set_enabled("alice@example.org", false)
        .unwrap();
    let result = f
        .authenticator
        .authenticate(credentials("alice@example.org", "right"), CLIENT, "smtp")
        .await;
    assert_eq!(result, Err(AuthFailure::AccountDisabled));
    assert_eq!(
        f.log.lines(),
        [
            r#"authentication failed protocol=smtp ip=203.0.113.7 user="alice@example.org" reason=account-disabled"#
        ]
    );
}

#[tokio::test]
async fn disabled_user_with_wrong_password_learns_nothing_about_the_account() {
    let f = fixture(ThrottleSettings::default());
    f.authenticator
        .directory()
        .set_enabled("alice@example.org", false)
        .unwrap();
    let result = f
        .authenticator
        .authenticate(credentials("alice@example.org", "wrong"), CLIENT, "smtp")
        .await;
    assert_eq!(result, Err(AuthFailure::InvalidCredentials));
}

#[tokio::test]
async fn changed_password_replaces_the_old_one() {
    let f = fixture(ThrottleSettings::default());
    f.authenticator
        .directory()
        .set_password("alice@example.org", &Password::new("new"))
        .unwrap();
    let old = f
        .authenticator
        .authenticate(credentials("alice@example.org", "right"), CLIENT, "imap")
        .await;
    assert_eq!(old, Err(AuthFailure::InvalidCredentials));
    let new = f
        .authenticator
        .authenticate(credentials("alice@example.org", "new"), CLIENT, "imap")
        .await;
    assert!(new.is_ok());
}

#[tokio::test]
async fn generated_password_logs_in() {
    let f = fixture(ThrottleSettings::default());
    let generated = generate_password();
    f.authenticator
        .directory()
        .set_password("alice@example.org", &generated)
        .unwrap();
    let login = Credentials {
        authcid: "alice@example.org".into(),
        password: generated,
    };
    assert!(
        f.authenticator
            .authenticate(login, CLIENT, "imap")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn hostile_login_is_escaped_and_the_password_never_logged() {
    let f = fixture(ThrottleSettings::default());
    let hostile = "x\" ip=192.0.2.1 reason=\nauthentication failed";
    let _ = f
        .authenticator
        .authenticate(credentials(hostile, "hunter2"), CLIENT, "imap")
        .await;
    let lines = f.log.lines();
    assert_eq!(
        lines,
        [
            r#"authentication failed protocol=imap ip=203.0.113.7 user="x\" ip=192.0.2.1 reason=\nauthentication failed" reason=unknown-user"#
        ]
    );
    assert!(!lines[0].contains("hunter2"));
}

#[tokio::test]
async fn directory_fault_is_temporarily_unavailable_and_not_a_failed_login() {
    let f = fixture(ThrottleSettings::default());
    let vandal = rusqlite::Connection::open(f.dir.path().join("postamt.db")).unwrap();
    vandal
        .execute_batch("DROP TABLE alias_targets; DROP TABLE users;")
        .unwrap();
    let result = f
        .authenticator
        .authenticate(credentials("alice@example.org", "right"), CLIENT, "imap")
        .await;
    assert_eq!(result, Err(AuthFailure::TemporarilyUnavailable));
    let lines = f.log.lines();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with("authentication unavailable protocol=imap ip=203.0.113.7"),
        "{}",
        lines[0]
    );
}

/// Two free failures, then a 10 s delay: long enough that a test can tell
/// waiting from verifying without waiting for it.
fn slow_throttle() -> ThrottleSettings {
    ThrottleSettings {
        free_failures: 2,
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(10),
        ..ThrottleSettings::default()
    }
}

async fn fail_three_times(authenticator: &Authenticator) {
    for _ in 0..2 {
        let _ = authenticator
            .authenticate(credentials("alice@example.org", "wrong"), CLIENT, "imap")
            .await;
    }
    // The third failure is answered at once; only the attempt after it waits.
    let third =
        authenticator.authenticate(credentials("alice@example.org", "wrong"), CLIENT, "imap");
    assert!(timeout(Duration::from_secs(5), third).await.is_ok());
}

#[tokio::test]
async fn repeated_failures_delay_the_next_attempt_even_from_another_client() {
    let f = fixture(slow_throttle());
    fail_three_times(&f.authenticator).await;
    let attempt = f.authenticator.authenticate(
        credentials("alice@example.org", "right"),
        OTHER_CLIENT,
        "imap",
    );
    // Verification alone takes tens of milliseconds; the throttle holds the answer for 10 s.
    assert!(timeout(Duration::from_millis(500), attempt).await.is_err());
}

#[tokio::test]
async fn success_clears_the_accounts_failure_count() {
    let f = fixture(slow_throttle());
    let wrong = || credentials("alice@example.org", "wrong");
    let right = || credentials("alice@example.org", "right");
    for _ in 0..2 {
        let _ = f.authenticator.authenticate(wrong(), CLIENT, "imap").await;
    }
    assert!(
        f.authenticator
            .authenticate(right(), OTHER_CLIENT, "imap")
            .await
            .is_ok()
    );
    // Without the reset this would be the account's third failure, and the next attempt would wait 10 s.
    let _ = f.authenticator.authenticate(wrong(), CLIENT, "imap").await;
    let attempt = f.authenticator.authenticate(right(), OTHER_CLIENT, "imap");
    assert!(
        timeout(Duration::from_secs(5), attempt)
            .await
            .is_ok_and(|result| result.is_ok())
    );
}

#[test]
fn unknown_login_costs_a_password_verification() {
    let f = fixture(ThrottleSettings::default());
    let directory = f.authenticator.directory();
    let guess = Password::new("guess");
    // The first unknown login also builds the dummy hash; measure the second.
    directory.check_login("nobody@example.org", &guess).unwrap();
    let started = Instant::now();
    assert_eq!(
        directory.check_login("nobody@example.org", &guess).unwrap(),
        LoginCheck::UnknownUser
    );
    let unknown = started.elapsed();
    // A database lookup alone takes microseconds; argon2 with 19 MiB takes milliseconds.
    // Only a lower bound: a loaded machine makes both slower, never the lookup slower than
    // a hash. (No ratio to a known login's time: under load that comparison is noise.)
    assert!(unknown >= Duration::from_millis(3), "unknown {unknown:?}");
}

#[tokio::test]
async fn credentials_from_a_sasl_plain_exchange_log_in() {
    use base64::Engine;
    use postamt::auth::{Mechanism, SaslExchange, SaslStep};
    let f = fixture(ThrottleSettings::default());
    let initial = base64::engine::general_purpose::STANDARD.encode(b"\0alice@example.org\0right");
    let mut exchange = SaslExchange::new(Mechanism::from_name("plain").unwrap());
    let SaslStep::Done(credentials) = exchange.start(Some(initial.as_bytes())).unwrap() else {
        panic!("PLAIN with an initial response needs no challenge");
    };
    let user = f
        .authenticator
        .authenticate(credentials, CLIENT, "imap")
        .await
        .unwrap();
    assert_eq!(user.login.as_str(), "alice@example.org");
}
