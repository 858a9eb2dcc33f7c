//! Reloading the configuration file: new settings for new connections, live ones kept,
//! an invalid file changes nothing, listener changes are reported as needing a restart.

mod server_support;

use std::path::{Path, PathBuf};

use postamt::config::{Config, Protocol};
use postamt::server::ServerError;
use server_support::*;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn write_config(dir: &Path, per_ip: u32, port: u16) -> PathBuf {
    let path = dir.join("postamt.toml");
    let text = format!(
        "[server]\nhostname = \"mail.test\"\ndata_dir = {data:?}\n\
         [[listener]]\nprotocol = \"imap\"\naddress = \"127.0.0.1:{port}\"\n\
         [limits]\nmax_connections_per_ip = {per_ip}\n",
        data = dir.join("data"),
    );
    std::fs::write(&path, text).unwrap();
    path
}

async fn start_from_file(dir: &Path) -> (Running, PathBuf) {
    let path = write_config(dir, 1, 0);
    let config = Config::load(&path).unwrap();
    let server = start_from(
        config,
        Some(path.clone()),
        Echo::handlers(Protocol::Imap, false),
    )
    .await;
    (server, path)
}

async fn greeting(server: &Running) -> (BufReader<TcpStream>, String) {
    let mut client = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    let line = read_line(&mut client).await;
    (client, line)
}

#[tokio::test]
async fn new_limits_apply_to_new_connections_and_live_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = start_from_file(dir.path()).await;
    let (mut live, _) = greeting(&server).await;
    let (_, refused) = greeting(&server).await;
    assert!(refused.starts_with("- "), "{refused:?}");

    write_config(dir.path(), 2, 0);
    let report = server.handle.reload().await.unwrap();
    assert!(report.config_reread);
    assert!(report.needs_restart.is_empty(), "{report:?}");
    assert_eq!(server.handle.config().limits.max_connections_per_ip, 2);
    let (_, accepted) = greeting(&server).await;
    assert_eq!(accepted, "+ hello\r\n");

    live.get_mut().write_all(b"ping\r\n").await.unwrap();
    assert_eq!(read_line(&mut live).await, "ping\r\n");
}

#[tokio::test]
async fn invalid_file_keeps_the_old_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (server, path) = start_from_file(dir.path()).await;
    let before = server.handle.config();
    std::fs::write(&path, "[limits]\nmax_connections_per_ip = 0\n").unwrap();
    let error = server.handle.reload().await.unwrap_err();
    assert!(matches!(error, ServerError::Config(_)), "{error}");
    assert!(error.to_string().contains("limits.max_connections_per_ip"));
    assert_eq!(*server.handle.config(), *before);
}

#[tokio::test]
async fn changed_listener_is_reported_as_needing_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = start_from_file(dir.path()).await;
    write_config(dir.path(), 1, 9);
    let report = server.handle.reload().await.unwrap();
    assert_eq!(report.needs_restart, vec!["listener"]);
    // The bound socket is unchanged until a restart.
    let (_, line) = greeting(&server).await;
    assert_eq!(line, "+ hello\r\n");
}

#[tokio::test]
async fn reload_without_a_file_rereads_only_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        &[(Protocol::Imap, postamt::config::TlsMode::StartTls)],
    );
    let server = start(config, Echo::handlers(Protocol::Imap, false)).await;
    let report = server.handle.reload().await.unwrap();
    assert!(!report.config_reread);
}
