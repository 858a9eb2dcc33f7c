//! Graceful shutdown: sessions are told, the server returns within the grace period,
//! and a session that does not finish is cut.

mod server_support;

use std::time::{Duration, Instant};

use postamt::config::{Protocol, TlsMode};
use postamt::server::{Handlers, Server, ServerError};
use server_support::*;
use tokio::io::BufReader;
use tokio::net::TcpStream;

async fn connect(server: &Running) -> BufReader<TcpStream> {
    let mut client = BufReader::new(TcpStream::connect(server.addresses[0]).await.unwrap());
    assert_eq!(read_line(&mut client).await, "+ hello\r\n");
    client
}

#[tokio::test]
async fn sessions_are_told_and_the_server_returns_early() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &[(Protocol::Pop3, TlsMode::StartTls)]);
    config.limits.shutdown_grace = postamt::config::Seconds(30);
    let server = start(config, Echo::handlers(Protocol::Pop3, false)).await;
    let mut first = connect(&server).await;
    let mut second = connect(&server).await;
    let started = Instant::now();
    server.handle.shutdown();
    assert_eq!(read_line(&mut first).await, "* bye\r\n");
    assert_eq!(read_line(&mut second).await, "* bye\r\n");
    server.task.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_session_that_does_not_finish_is_cut_after_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &[(Protocol::Imap, TlsMode::StartTls)]);
    config.limits.shutdown_grace = postamt::config::Seconds(1);
    let server = start(config, Echo::handlers(Protocol::Imap, true)).await;
    let mut stubborn = connect(&server).await;
    let started = Instant::now();
    server.handle.shutdown();
    server.task.await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(
        read_line(&mut stubborn).await,
        "",
        "the connection is closed"
    );
}

#[tokio::test]
async fn no_connection_is_accepted_after_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Imap, TlsMode::StartTls)]);
    let server = start(config, Handlers::default()).await;
    let address = server.addresses[0];
    server.handle.shutdown();
    server.task.await.unwrap();
    assert!(TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn a_port_in_use_fails_the_start_naming_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_address = taken.local_addr().unwrap();
    let mut config = config(
        dir.path(),
        &[
            (Protocol::Imap, TlsMode::StartTls),
            (Protocol::Pop3, TlsMode::StartTls),
        ],
    );
    config.listeners[1].address = taken_address;
    let error = Server::bind(config, None, Handlers::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(error, ServerError::Bind { address, .. } if address == taken_address));
    assert!(error.to_string().contains(&taken_address.to_string()));
}
