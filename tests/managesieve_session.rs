//! ManageSieve sessions (RFC 5804) over `tokio::io::duplex`: every command,
//! its errors and response codes, literals and their limits, quotas, the
//! refusal of passwords before TLS, and UNAUTHENTICATE. Scripts are checked
//! by a fake that refuses any script containing `error`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use postamt::auth::{Authenticator, Directory, Password, ThrottleSettings};
use postamt::managesieve::{
    ScriptChecker, ScriptProblem, Session, SessionContext, SessionSettings,
};
use postamt::scripts::{ScriptQuotas, ScriptStorage};
use postamt::server::{MaybeTls, Shutdown};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::io::{ReadHalf, WriteHalf};

const USER: &str = "alice@example.test";
const PASSWORD: &str = "secret-password";
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Refuses scripts that contain `error`, at the place it appears.
struct FakeChecker;

impl ScriptChecker for FakeChecker {
    fn check(&self, source: &str) -> Result<(), ScriptProblem> {
        for (index, line) in source.lines().enumerate() {
            if let Some(column) = line.find("error") {
                return Err(ScriptProblem {
                    line: u32::try_from(index + 1).unwrap(),
                    column: u32::try_from(column + 1).unwrap(),
                    message: "unknown command".into(),
                });
            }
        }
        Ok(())
    }

    fn extensions(&self) -> Vec<String> {
        vec!["fileinto".into(), "vacation".into()]
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    context: SessionContext,
    settings: SessionSettings,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path()).unwrap();
    directory.add_domain("example.test").unwrap();
    directory.add_user(USER, &Password::new(PASSWORD)).unwrap();
    let directory = Arc::new(directory);
    let scripts = ScriptStorage::open(dir.path(), Arc::clone(&directory)).unwrap();
    let authenticator = Arc::new(Authenticator::new(directory, ThrottleSettings::default()));
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    Fixture {
        _dir: dir,
        context: SessionContext {
            authenticator,
            scripts: Arc::new(scripts),
            checker: Arc::new(FakeChecker),
        },
        settings: SessionSettings {
            idle_timeout: Duration::from_secs(60),
            peer,
            starttls: None,
            plaintext_auth: true,
            quotas: ScriptQuotas {
                max_scripts: 2,
                max_script_bytes: 200,
            },
        },
    }
}

struct Client {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    /// The greeting's lines, up to and with its OK.
    greeting: Vec<String>,
}

impl Fixture {
    async fn connect_with(&self, settings: SessionSettings) -> Client {
        let (client, server) = tokio::io::duplex(1 << 20);
        let session = Session::new(
            MaybeTls::Plain(server),
            self.context.clone(),
            settings,
            Shutdown::never(),
        );
        tokio::spawn(session.run());
        let (read, write) = tokio::io::split(client);
        let mut client = Client {
            reader: BufReader::new(read),
            writer: write,
            greeting: Vec::new(),
        };
        client.greeting = client.response().await;
        client
    }

    async fn connect(&self) -> Client {
        self.connect_with(self.settings.clone()).await
    }

    async fn login(&self) -> Client {
        let mut c = self.connect().await;
        c.send(&format!("AUTHENTICATE \"PLAIN\" \"{}\"", plain()))
            .await;
        assert_eq!(c.line().await, "OK \"Logged in\"");
        c
    }
}

fn plain() -> String {
    STANDARD.encode(format!("\0{USER}\0{PASSWORD}"))
}

impl Client {
    async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    /// One line without CRLF; empty at end of stream.
    async fn line(&mut self) -> String {
        let mut line = String::new();
        tokio::time::timeout(READ_TIMEOUT, self.reader.read_line(&mut line))
            .await
            .expect("the server answers")
            .unwrap();
        line.trim_end_matches("\r\n").to_owned()
    }

    async fn exact(&mut self, len: usize) -> Vec<u8> {
        let mut buffer = vec![0; len];
        self.reader.read_exact(&mut buffer).await.unwrap();
        buffer
    }

    /// Lines up to and with the one starting OK, NO or BYE.
    async fn response(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let line = self.line().await;
            assert!(
                !line.is_empty(),
                "closed before the response ended: {lines:?}"
            );
            let done = ["OK", "NO", "BYE"]
                .iter()
                .any(|word| line == *word || line.starts_with(&format!("{word} ")));
            lines.push(line);
            if done {
                return lines;
            }
        }
    }

    async fn put(&mut self, name: &str, script: &str) -> String {
        self.send(&format!(
            "PUTSCRIPT \"{name}\" {{{}+}}\r\n{script}",
            script.len()
        ))
        .await;
        self.line().await
    }
}

#[tokio::test]
async fn the_greeting_lists_the_capabilities_then_ok() {
    let f = fixture();
    let c = f.connect().await;
    assert_eq!(
        c.greeting,
        vec![
            "\"IMPLEMENTATION\" \"postamt\"",
            "\"SIEVE\" \"fileinto vacation\"",
            "\"SASL\" \"PLAIN LOGIN\"",
            "\"UNAUTHENTICATE\"",
            "\"VERSION\" \"1.0\"",
            "OK \"postamt ManageSieve ready\"",
        ]
    );
}

#[tokio::test]
async fn without_tls_no_mechanism_is_offered_and_authenticate_needs_encryption() {
    let f = fixture();
    let mut settings = f.settings.clone();
    settings.plaintext_auth = false;
    let mut c = f.connect_with(settings).await;
    assert!(c.greeting.contains(&"\"SASL\" \"\"".to_owned()));
    c.send(&format!("AUTHENTICATE \"PLAIN\" \"{}\"", plain()))
        .await;
    assert_eq!(c.line().await, "NO (ENCRYPT-NEEDED) \"Use STARTTLS first\"");
    c.send("LISTSCRIPTS").await;
    assert_eq!(c.line().await, "NO \"Authenticate first\"");
}

#[tokio::test]
async fn starttls_is_refused_where_it_is_not_offered() {
    let f = fixture();
    let mut c = f.connect().await;
    c.send("STARTTLS").await;
    assert_eq!(c.line().await, "NO \"STARTTLS is not available\"");
}

#[tokio::test]
async fn authenticate_plain_with_the_initial_response_in_a_literal() {
    let f = fixture();
    let mut c = f.connect().await;
    let response = plain();
    c.send(&format!(
        "AUTHENTICATE \"PLAIN\" {{{}+}}\r\n{response}",
        response.len()
    ))
    .await;
    assert_eq!(c.line().await, "OK \"Logged in\"");
    c.send("CAPABILITY").await;
    let capabilities = c.response().await;
    assert!(
        capabilities.contains(&"\"SASL\" \"\"".to_owned()),
        "{capabilities:?}"
    );
}

#[tokio::test]
async fn authenticate_login_answers_its_challenges_as_strings() {
    let f = fixture();
    let mut c = f.connect().await;
    c.send("AUTHENTICATE \"LOGIN\"").await;
    assert_eq!(
        c.line().await,
        format!("\"{}\"", STANDARD.encode("Username:"))
    );
    c.send(&format!("\"{}\"", STANDARD.encode(USER))).await;
    assert_eq!(
        c.line().await,
        format!("\"{}\"", STANDARD.encode("Password:"))
    );
    c.send(&format!(
        "{{{}}}\r\n{}",
        STANDARD.encode(PASSWORD).len(),
        STANDARD.encode(PASSWORD)
    ))
    .await;
    assert_eq!(c.line().await, "OK \"Logged in\"");
}

#[tokio::test]
async fn a_wrong_password_or_a_cancel_is_no_and_the_session_goes_on() {
    let f = fixture();
    let mut c = f.connect().await;
    let wrong = STANDARD.encode(format!("\0{USER}\0nope"));
    c.send(&format!("AUTHENTICATE \"PLAIN\" \"{wrong}\"")).await;
    assert_eq!(c.line().await, "NO \"Authentication failed\"");
    c.send("AUTHENTICATE \"PLAIN\"").await;
    assert_eq!(c.line().await, "\"\"");
    c.send("\"*\"").await;
    assert_eq!(
        c.line().await,
        "NO \"authentication cancelled by the client\""
    );
    c.send("AUTHENTICATE \"CRAM-MD5\"").await;
    assert!(c.line().await.starts_with("NO "));
    c.send("NOOP").await;
    assert_eq!(c.line().await, "OK \"Done\"");
}

#[tokio::test]
async fn put_activate_list_and_get_a_script() {
    let f = fixture();
    let mut c = f.login().await;
    let script = "require [\"fileinto\"];\r\nfileinto \"Work\";\r\n";
    assert_eq!(c.put("work", script).await, "OK \"Putscript completed\"");
    assert_eq!(c.put("other", "keep;").await, "OK \"Putscript completed\"");
    c.send("SETACTIVE \"work\"").await;
    assert_eq!(c.line().await, "OK \"Setactive completed\"");
    c.send("LISTSCRIPTS").await;
    assert_eq!(
        c.response().await,
        vec![
            "\"other\"",
            "\"work\" ACTIVE",
            "OK \"Listscripts completed\""
        ]
    );
    c.send("GETSCRIPT \"work\"").await;
    assert_eq!(c.line().await, format!("{{{}}}", script.len()));
    assert_eq!(c.exact(script.len()).await, script.as_bytes());
    assert_eq!(c.line().await, "");
    assert_eq!(c.line().await, "OK \"Getscript completed\"");
    c.send("SETACTIVE \"\"").await;
    assert_eq!(c.line().await, "OK \"Setactive completed\"");
    c.send("LISTSCRIPTS").await;
    assert_eq!(c.response().await[1], "\"work\"");
}

#[tokio::test]
async fn a_script_the_checker_refuses_is_not_stored() {
    let f = fixture();
    let mut c = f.login().await;
    assert_eq!(
        c.put("bad", "keep;\r\n  error;\r\n").await,
        "NO \"line 2, column 3: unknown command\""
    );
    c.send("GETSCRIPT \"bad\"").await;
    assert!(c.line().await.starts_with("NO (NONEXISTENT) "));
    c.send("CHECKSCRIPT {6+}\r\nerror;").await;
    assert_eq!(c.line().await, "NO \"line 1, column 1: unknown command\"");
    c.send("CHECKSCRIPT \"keep;\"").await;
    assert_eq!(c.line().await, "OK \"Script is valid\"");
}

#[tokio::test]
async fn a_script_over_the_size_quota_is_skipped_and_refused_with_maxsize() {
    let f = fixture();
    let mut c = f.login().await;
    let big = "#".repeat(201);
    assert!(c.put("big", &big).await.starts_with("NO (QUOTA/MAXSIZE) "));
    // The literal was consumed: the next command is read as a command.
    c.send("HAVESPACE \"big\" 201").await;
    assert!(c.line().await.starts_with("NO (QUOTA/MAXSIZE) "));
    c.send("HAVESPACE \"big\" 200").await;
    assert_eq!(c.line().await, "OK \"Putscript would succeed\"");
}

#[tokio::test]
async fn the_script_count_quota_is_maxscripts_but_replacing_is_allowed() {
    let f = fixture();
    let mut c = f.login().await;
    assert!(c.put("a", "keep;").await.starts_with("OK"));
    assert!(c.put("b", "keep;").await.starts_with("OK"));
    assert!(
        c.put("c", "keep;")
            .await
            .starts_with("NO (QUOTA/MAXSCRIPTS) ")
    );
    c.send("HAVESPACE \"c\" 1").await;
    assert!(c.line().await.starts_with("NO (QUOTA/MAXSCRIPTS) "));
    assert!(c.put("b", "discard;").await.starts_with("OK"));
}

#[tokio::test]
async fn the_active_script_cannot_be_deleted() {
    let f = fixture();
    let mut c = f.login().await;
    c.put("a", "keep;").await;
    c.send("SETACTIVE \"a\"").await;
    c.line().await;
    c.send("DELETESCRIPT \"a\"").await;
    assert!(c.line().await.starts_with("NO (ACTIVE) "));
    c.send("DELETESCRIPT \"zzz\"").await;
    assert!(c.line().await.starts_with("NO (NONEXISTENT) "));
    c.send("SETACTIVE \"zzz\"").await;
    assert!(c.line().await.starts_with("NO (NONEXISTENT) "));
    c.send("SETACTIVE \"\"").await;
    c.line().await;
    c.send("DELETESCRIPT \"a\"").await;
    assert_eq!(c.line().await, "OK \"Deletescript completed\"");
}

#[tokio::test]
async fn renamescript_reports_missing_and_existing_names() {
    let f = fixture();
    let mut c = f.login().await;
    c.put("a", "keep;").await;
    c.put("b", "keep;").await;
    c.send("RENAMESCRIPT \"a\" \"b\"").await;
    assert!(c.line().await.starts_with("NO (ALREADYEXISTS) "));
    c.send("RENAMESCRIPT \"x\" \"y\"").await;
    assert!(c.line().await.starts_with("NO (NONEXISTENT) "));
    c.send("RENAMESCRIPT \"a\" \"Urlaub \\\"neu\\\"\"").await;
    assert_eq!(c.line().await, "OK \"Renamescript completed\"");
    c.send("LISTSCRIPTS").await;
    assert_eq!(c.response().await[0], "\"Urlaub \\\"neu\\\"\"");
}

#[tokio::test]
async fn noop_echoes_its_tag() {
    let f = fixture();
    let mut c = f.connect().await;
    c.send("NOOP \"STARTTLS-RESYNC-CAPA\"").await;
    assert_eq!(c.line().await, "OK (TAG \"STARTTLS-RESYNC-CAPA\") \"Done\"");
}

#[tokio::test]
async fn unauthenticate_returns_to_the_non_authenticated_state() {
    let f = fixture();
    let mut c = f.login().await;
    c.send("UNAUTHENTICATE").await;
    assert_eq!(c.line().await, "OK \"Unauthenticate completed\"");
    c.send("LISTSCRIPTS").await;
    assert_eq!(c.line().await, "NO \"Authenticate first\"");
    c.send("UNAUTHENTICATE").await;
    assert!(c.line().await.starts_with("NO "));
    c.send(&format!("AUTHENTICATE \"PLAIN\" \"{}\"", plain()))
        .await;
    assert_eq!(c.line().await, "OK \"Logged in\"");
}

#[tokio::test]
async fn syntax_errors_are_no_and_logout_closes() {
    let f = fixture();
    let mut c = f.connect().await;
    c.send("FROB").await;
    assert_eq!(c.line().await, "NO \"unknown command FROB\"");
    c.send("GETSCRIPT").await;
    assert_eq!(c.line().await, "NO \"wrong arguments for GETSCRIPT\"");
    c.send("NOOP \"a\\nb\"").await;
    assert!(c.line().await.starts_with("NO "));
    c.send("LOGOUT").await;
    assert_eq!(c.line().await, "OK \"Logout completed\"");
    assert_eq!(c.line().await, "");
}

#[tokio::test]
async fn a_huge_literal_ends_the_session_without_reading_it() {
    let f = fixture();
    let mut c = f.login().await;
    c.send("PUTSCRIPT \"x\" {999999999999+}").await;
    assert_eq!(c.line().await, "BYE \"Literal too large\"");
    assert_eq!(c.line().await, "");
}

#[tokio::test]
async fn an_over_long_line_is_refused_and_the_session_goes_on() {
    let f = fixture();
    let mut c = f.connect().await;
    c.send(&format!("NOOP \"{}\"", "x".repeat(10_000))).await;
    assert_eq!(c.line().await, "NO \"Command line too long\"");
    c.send("NOOP").await;
    assert_eq!(c.line().await, "OK \"Done\"");
}

#[tokio::test]
async fn many_errors_in_a_row_end_the_session() {
    let f = fixture();
    let mut c = f.connect().await;
    for _ in 0..20 {
        c.send("FROB").await;
        assert!(c.line().await.starts_with("NO "));
    }
    assert_eq!(c.line().await, "BYE \"Too many errors\"");
    assert_eq!(c.line().await, "");
}
