//! Accepting under a burst: the listen backlog must hold a burst of clients, or a
//! server-speaks-first client whose final ACK was dropped waits for a greeting that never
//! comes (seen with 500 clients and tokio's default backlog of 128).

mod server_support;

use std::time::Duration;

use postamt::config::{Protocol, TlsMode};
use postamt::server::Handlers;
use server_support::*;
use tokio::io::BufReader;
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_of_a_burst_of_five_hundred_is_greeted() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), &[(Protocol::Smtp, TlsMode::StartTls)]);
    config.limits.max_connections_per_ip = 1000;
    let server = start(config, Handlers::default()).await;
    let address = server.addresses[0];
    let clients: Vec<_> = (0..500)
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
}
