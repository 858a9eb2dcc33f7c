//! Helpers for the server tests: a configuration on 127.0.0.1:0, a test protocol that
//! holds its connection open, and a TLS client.
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use postamt::config::{Config, Listener, Protocol, TlsMode};
use postamt::server::{
    Connection, Handlers, ProtocolHandler, Refusal, Server, ServerHandle, SessionFuture,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A configuration with one listener per entry on 127.0.0.1:0, data in `data_dir`.
pub fn config(data_dir: &Path, listeners: &[(Protocol, TlsMode)]) -> Config {
    let mut config = Config::from_toml_str("").unwrap();
    config.server.hostname = "mail.test".to_owned();
    config.server.data_dir = data_dir.to_owned();
    config.listeners = listeners
        .iter()
        .map(|&(protocol, tls)| Listener {
            protocol,
            address: "127.0.0.1:0".parse().unwrap(),
            tls,
        })
        .collect();
    config
}

/// A running server: its handle, bound addresses and the task running it.
pub struct Running {
    pub handle: ServerHandle,
    pub addresses: Vec<SocketAddr>,
    pub task: JoinHandle<()>,
}

pub async fn start(config: Config, handlers: Handlers) -> Running {
    start_from(config, None, handlers).await
}

pub async fn start_from(
    config: Config,
    path: Option<std::path::PathBuf>,
    handlers: Handlers,
) -> Running {
    let server = Server::bind(config, path, handlers).await.unwrap();
    let addresses = server.local_addrs().into_iter().map(|(a, _)| a).collect();
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    Running {
        handle,
        addresses,
        task,
    }
}

/// A protocol for tests: greets `+ hello`, echoes lines, says `* bye` at shutdown
/// unless `ignore_shutdown`, and refuses with `- <reason>`.
pub struct Echo {
    pub ignore_shutdown: bool,
}

impl Echo {
    pub fn handlers(protocol: Protocol, ignore_shutdown: bool) -> Handlers {
        Handlers::default().with(protocol, Arc::new(Echo { ignore_shutdown }))
    }
}

impl ProtocolHandler for Echo {
    fn serve(&self, connection: Connection) -> SessionFuture {
        let ignore_shutdown = self.ignore_shutdown;
        Box::pin(async move {
            let shutdown = connection.shutdown.clone();
            let mut stream = BufReader::new(connection.stream);
            if stream.get_mut().write_all(b"+ hello\r\n").await.is_err() {
                return;
            }
            let mut line = String::new();
            loop {
                line.clear();
                tokio::select! {
                    read = stream.read_line(&mut line) => match read {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {
                            if stream.get_mut().write_all(line.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    },
                    () = shutdown.requested(), if !ignore_shutdown => {
                        let _ = stream.get_mut().write_all(b"* bye\r\n").await;
                        let _ = stream.get_mut().shutdown().await;
                        return;
                    }
                }
            }
        })
    }

    fn refuse(&self, mut connection: Connection, reason: Refusal) -> SessionFuture {
        Box::pin(async move {
            let line = format!("- {}\r\n", reason.text());
            let _ = connection.stream.write_all(line.as_bytes()).await;
            let _ = connection.stream.shutdown().await;
        })
    }
}

/// Reads one line (empty at end of stream).
pub async fn read_line<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    line
}

/// A TLS client trusting the certificates in the PEM file at `trusted`.
pub fn connector(trusted: &[&Path]) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for path in trusted {
        for certificate in CertificateDer::pem_file_iter(path).unwrap() {
            roots.add(certificate.unwrap()).unwrap();
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

pub async fn connect_tls(
    connector: &TlsConnector,
    address: SocketAddr,
    name: &str,
) -> BufReader<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(address).await.unwrap();
    let name = ServerName::try_from(name.to_owned()).unwrap();
    BufReader::new(connector.connect(name, tcp).await.unwrap())
}

/// The leaf certificate a TLS client was shown.
pub fn served_certificate(stream: &BufReader<TlsStream<TcpStream>>) -> Vec<u8> {
    let (_, connection) = stream.get_ref().get_ref();
    connection.peer_certificates().unwrap()[0].to_vec()
}

/// The DER of the first certificate in a PEM file.
pub fn certificate_in(path: &Path) -> Vec<u8> {
    CertificateDer::from_pem_file(path).unwrap().to_vec()
}

pub fn self_signed_certificate(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("certs/self-signed.crt")
}
