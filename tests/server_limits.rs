//! Connection limits: the extra connection is refused in the protocol's words, and a
//! closed connection frees its place.

mod server_support;

use std::net::SocketAddr;
use std::time::Duration;

use postamt::config::{Protocol, TlsMode};
use postamt::server::Handlers;
use server_support::*;
use tokio::io::BufReader;
use tokio::net::{TcpSocket, TcpStream};

/// Connects from `source` (any 127/8 address is loopback on Linux) and reads the greeting.
async fn connect_from(source: &str, server: SocketAddr) -> (BufReader<TcpStream>, String) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut stream = BufReader::new(socket.connect(server).await.unwrap());
    let greeting = read_line(&mut stream).await;
    (stream, greeting)
}

/// Retries until a new connection is greeted: a closed session frees its place a
/// moment after the client goes.
async fn greeted_after_close(source: &str, server: SocketAddr) -> String {
    for _ in 0..100 {
        let (_stream, greeting) = connect_from(source, server).await;
        if greeting == "+ hello\r\n" {
            return greeting;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never accepted again");
}

async fn start_with_limits(
    dir: &std::path::Path,
    total: u32,
    per_ip: u32,
) -> (Running, SocketAddr) {
    let mut config = config(dir, &[(Protocol::Imap, TlsMode::StartTls)]);
    config.limits.max_connections = total;
    config.limits.max_connections_per_ip = per_ip;
    let server = start(config, Echo::handlers(Protocol::Imap, false)).await;
    let address = server.addresses[0];
    (server, address)
}

#[tokio::test]
async fn per_ip_limit_refuses_the_extra_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, address) = start_with_limits(dir.path(), 10, 1).await;
    let (_first, greeting) = connect_from("127.0.0.1", address).await;
    assert_eq!(greeting, "+ hello\r\n");
    let (mut second, refusal) = connect_from("127.0.0.1", address).await;
    assert_eq!(refusal, "- Too many connections from your address\r\n");
    assert_eq!(read_line(&mut second).await, "", "closed after the refusal");
}

#[tokio::test]
async fn per_ip_limit_leaves_other_addresses_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, address) = start_with_limits(dir.path(), 10, 1).await;
    let (_first, _) = connect_from("127.0.0.1", address).await;
    let (_other, greeting) = connect_from("127.0.0.2", address).await;
    assert_eq!(greeting, "+ hello\r\n");
}

#[tokio::test]
async fn per_ip_place_is_freed_when_a_connection_closes() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, address) = start_with_limits(dir.path(), 10, 1).await;
    let (first, _) = connect_from("127.0.0.1", address).await;
    drop(first);
    assert_eq!(
        greeted_after_close("127.0.0.1", address).await,
        "+ hello\r\n"
    );
}

#[tokio::test]
async fn total_limit_refuses_the_extra_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, address) = start_with_limits(dir.path(), 2, 2).await;
    let (_first, _) = connect_from("127.0.0.1", address).await;
    let (_second, greeting) = connect_from("127.0.0.2", address).await;
    assert_eq!(greeting, "+ hello\r\n");
    let (_third, refusal) = connect_from("127.0.0.3", address).await;
    assert_eq!(refusal, "- Too many connections, try again later\r\n");
}

#[tokio::test]
async fn total_place_is_freed_when_a_connection_closes() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, address) = start_with_limits(dir.path(), 1, 1).await;
    let (first, _) = connect_from("127.0.0.1", address).await;
    let (_, refusal) = connect_from("127.0.0.2", address).await;
    assert!(refusal.starts_with("- "), "{refusal:?}");
    drop(first);
    assert_eq!(
        greeted_after_close("127.0.0.2", address).await,
        "+ hello\r\n"
    );
}

#[tokio::test]
async fn placeholder_answers_smtp_with_421_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &[(Protocol::Smtp, TlsMode::StartTls)]);
    let server = start(config, Handlers::default()).await;
    let (mut client, greeting) = connect_from("127.0.0.1", server.addresses[0]).await;
    assert_eq!(
        greeting,
        "421 4.3.2 mail.test Service not available yet\r\n"
    );
    assert_eq!(read_line(&mut client).await, "");
}
