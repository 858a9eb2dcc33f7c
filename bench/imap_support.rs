//! What the benchmarks share: a real `postamt serve` with IMAP (implicit TLS)
//! and inbound SMTP on free loopback ports, configured in a temp dir under
//! target/ (the build disk, not tmpfs, so fsync costs what it costs), users
//! made with the CLI, and a small IMAP client over tokio-rustls that trusts
//! the daemon's self-signed certificate. Included by bench/imap_load.rs,
//! bench/imap_idle.rs and bench/smtp_load.rs with `#[path]`; it measures
//! nothing itself.

// Each bench uses a different part of it.
#![allow(dead_code)]

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub const DOMAIN: &str = "bench.test";
pub const PASSWORD: &str = "bench-password-1";

/// A running daemon; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Daemon {
    child: Option<Child>,
    pub address: SocketAddr,
    /// Inbound SMTP (port 25's role), plaintext.
    pub smtp_address: SocketAddr,
    config: PathBuf,
    data_dir: PathBuf,
    _dir: tempfile::TempDir,
}

/// Limits raised for the run; everything else at its default.
pub struct DaemonLimits {
    pub connections: u32,
    pub sessions_per_account: u32,
}

impl Daemon {
    /// Writes a config and creates the domain; the daemon starts with [`Daemon::serve`].
    pub fn configure(limits: &DaemonLimits) -> Result<Self, Error> {
        let dir = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))?;
        let data_dir = dir.path().join("data");
        let address = free_port()?;
        let smtp_address = free_port()?;
        let config = dir.path().join("postamt.toml");
        std::fs::write(
            &config,
            format!(
                "[server]\nhostname = \"localhost\"\ndata_dir = \"{}\"\n\n\
                 [[listener]]\nprotocol = \"imap\"\naddress = \"{address}\"\ntls = \"implicit\"\n\n\
                 [[listener]]\nprotocol = \"smtp\"\naddress = \"{smtp_address}\"\n\n\
                 [limits]\nmax_connections = {c}\nmax_connections_per_ip = {c}\n\
                 imap_sessions_per_account = {s}\nshutdown_grace = 2\n\n\
                 [log]\nlevel = \"warn\"\n",
                data_dir.display(),
                c = limits.connections,
                s = limits.sessions_per_account,
            ),
        )?;
        let daemon = Daemon {
            child: None,
            address,
            smtp_address,
            config,
            data_dir,
            _dir: dir,
        };
        daemon.cli(&["domain", "add", DOMAIN], None)?;
        Ok(daemon)
    }

    fn cli(&self, args: &[&str], stdin: Option<&str>) -> Result<(), Error> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postamt"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(format!(
                "postamt {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        Ok(())
    }

    /// Adds `<local>@bench.test` with [`PASSWORD`]; returns the login.
    pub fn add_user(&self, local: &str) -> Result<String, Error> {
        let login = format!("{local}@{DOMAIN}");
        self.cli(
            &["user", "add", &login, "--password-stdin"],
            Some(&format!("{PASSWORD}\n")),
        )?;
        Ok(login)
    }

    /// Starts `postamt serve` and waits until it accepts connections.
    pub fn serve(&mut self) -> Result<(), Error> {
        self.child = Some(
            Command::new(env!("CARGO_BIN_EXE_postamt"))
                .arg("--config")
                .arg(&self.config)
                .arg("serve")
                .stdout(Stdio::null())
                .spawn()?,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(self.address).is_err() {
            if Instant::now() > deadline {
                return Err("the daemon did not start listening within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The daemon's resident memory (VmRSS), in KiB.
    pub fn resident_kib(&self) -> Result<u64, Error> {
        let pid = self.pid().ok_or("the daemon is not running")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| "no VmRSS in /proc/<pid>/status".into())
    }

    pub fn connector(&self) -> Result<TlsConnector, Error> {
        let pem = self.data_dir.join("certs/self-signed.crt");
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_file_iter(&pem)? {
            roots.add(certificate?)?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(TlsConnector::from(Arc::new(config)))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        let pid = libc::pid_t::try_from(child.id()).unwrap_or(0);
        if pid > 0 {
            // SAFETY: kill(2) on our own child's pid has no memory effects.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn free_port() -> Result<SocketAddr, Error> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// Raises this process's soft RLIMIT_NOFILE to its hard limit (the daemon,
/// started after, inherits it); returns the new soft limit.
pub fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit write to and read from a valid rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    limit.rlim_cur
}

/// One IMAP client connection: tagged commands, responses read whole
/// (literals included).
pub struct Client {
    stream: BufReader<TlsStream<TcpStream>>,
    tag: u32,
}

/// The untagged lines and the tagged completion of one command.
pub struct Reply {
    pub untagged: Vec<Vec<u8>>,
    pub tagged: Vec<u8>,
}

impl Reply {
    /// The number in the first `[CODE a b]`-style code's last field, e.g. the UID of APPENDUID.
    pub fn code_last_number(&self, code: &str) -> Option<u32> {
        let text = String::from_utf8_lossy(&self.tagged);
        let start = text.find(&format!("[{code} "))?;
        let inside = &text[start + 1..];
        let end = inside.find(']')?;
        inside[..end].split(' ').next_back()?.parse().ok()
    }
}

impl Client {
    pub async fn connect(address: SocketAddr, connector: &TlsConnector) -> Result<Self, Error> {
        let tcp = TcpStream::connect(address).await?;
        let tls = connector
            .connect(ServerName::try_from("localhost")?, tcp)
            .await?;
        let mut client = Client {
            stream: BufReader::new(tls),
            tag: 0,
        };
        let greeting = client.read_response().await?;
        if !greeting.starts_with(b"* OK") {
            return Err(format!("greeting: {}", String::from_utf8_lossy(&greeting)).into());
        }
        Ok(client)
    }

    pub async fn login(
        address: SocketAddr,
        connector: &TlsConnector,
        login: &str,
    ) -> Result<Self, Error> {
        let mut client = Client::connect(address, connector).await?;
        client
            .command(&format!("LOGIN \"{login}\" \"{PASSWORD}\""))
            .await?;
        Ok(client)
    }

    /// Sends one command (no literal) and reads to its tagged OK.
    pub async fn command(&mut self, command: &str) -> Result<Reply, Error> {
        let tag = self.next_tag();
        let line = format!("{tag} {command}\r\n");
        self.stream.get_mut().write_all(line.as_bytes()).await?;
        self.complete(&tag).await
    }

    /// APPEND with a non-synchronizing literal (RFC 7888 LITERAL+).
    pub async fn append(&mut self, mailbox: &str, message: &[u8]) -> Result<Reply, Error> {
        let tag = self.next_tag();
        let mut bytes = format!("{tag} APPEND {mailbox} {{{}+}}\r\n", message.len()).into_bytes();
        bytes.extend_from_slice(message);
        bytes.extend_from_slice(b"\r\n");
        self.stream.get_mut().write_all(&bytes).await?;
        self.complete(&tag).await
    }

    /// Sends IDLE and waits for the continuation.
    pub async fn idle(&mut self) -> Result<(), Error> {
        let tag = self.next_tag();
        self.stream
            .get_mut()
            .write_all(format!("{tag} IDLE\r\n").as_bytes())
            .await?;
        let line = self.read_response().await?;
        if !line.starts_with(b"+") {
            return Err(format!("IDLE: {}", String::from_utf8_lossy(&line)).into());
        }
        Ok(())
    }

    fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("b{}", self.tag)
    }

    async fn complete(&mut self, tag: &str) -> Result<Reply, Error> {
        let mut untagged = Vec::new();
        loop {
            let response = self.read_response().await?;
            if response.starts_with(tag.as_bytes()) && response.get(tag.len()) == Some(&b' ') {
                if response.get(tag.len() + 1..tag.len() + 3) != Some(b"OK") {
                    return Err(format!("{}", String::from_utf8_lossy(&response)).into());
                }
                return Ok(Reply {
                    untagged,
                    tagged: response,
                });
            }
            untagged.push(response);
        }
    }

    /// One response: a line and the literals it announces, CRLF stripped.
    pub async fn read_response(&mut self) -> Result<Vec<u8>, Error> {
        let mut response = Vec::new();
        loop {
            let start = response.len();
            if self.stream.read_until(b'\n', &mut response).await? == 0 {
                return Err("the server closed the connection".into());
            }
            let line = &response[start..];
            let Some(size) = literal_size(line) else {
                while response.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    response.pop();
                }
                return Ok(response);
            };
            let mut literal = vec![0; size];
            self.stream.read_exact(&mut literal).await?;
            response.extend_from_slice(&literal);
        }
    }
}

/// `n` of a line ending in `{n}\r\n`.
fn literal_size(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r\n")?.strip_suffix(b"}")?;
    let open = line.iter().rposition(|b| *b == b'{')?;
    std::str::from_utf8(&line[open + 1..]).ok()?.parse().ok()
}

/// An environment variable as a number, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}
