//! Accepting under a burst: the listen backlog must hold a burst of clients, or dropped
//! SYNs cost each a one-second retransmission (and a server-speaks-first client whose
//! final ACK was dropped waits for a greeting that never comes).

mod server_support;

use std::time::{Duration, Instant};

use postamt::config::{Protocol, TlsMode};
use postamt::server::Handlers;
use server_support::*;
use tokio::io::BufReader;
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_four_hundred_clients_is_greeted_without_retransmissions() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &[(Protocol::Smtp, TlsMode::StartTls)]);
    config.limits.max_connections_per_ip = 1000;
    let server = start(config, Handlers::default()).await;
    let address = server.addresses[0];
    let started = Instant::now();
    let clients: Vec<_> = (0..400)
        .map(|_| {
            tokio::spawn(async move {
                let mut client = BufReader::new(TcpStream::connect(address).await.unwrap());
                read_line(&mut client).await
            })
        })
        .collect();
    for client in clients {
        let greeting = tokio::time::timeout(Duration::from_secs(10), client)
            .await
            .expect("a client was never greeted")
            .unwrap();
        assert!(greeting.starts_with("421 "), "{greeting:?}");
    }
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
}
