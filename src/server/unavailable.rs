//! Placeholder handlers: each protocol's standard "service not available" reply.
//!
//! Owns nothing lasting: each protocol's line goes when that protocol lands. Until then
//! a client learns the service is down in words its software understands.

use tokio::io::AsyncWriteExt;

use crate::config::Protocol;

use super::connection::{Connection, ProtocolHandler, SessionFuture};
use super::limits::Refusal;

const NOT_YET: &str = "Service not available yet";

/// A handler that answers every connection with `reply` and closes it.
pub(crate) struct Unavailable(pub Protocol);

/// The line that says "not served" in `protocol`'s words.
pub(crate) fn reply(protocol: Protocol, hostname: &str, text: &str) -> String {
    match protocol {
        // RFC 5530 §3: UNAVAILABLE, on an untagged BYE greeting (RFC 9051 §7.1.5).
        Protocol::Imap => format!("* BYE [UNAVAILABLE] {text}\r\n"),
        // RFC 3206 §4: SYS/TEMP, a temporary problem of the server.
        Protocol::Pop3 => format!("-ERR [SYS/TEMP] {text}\r\n"),
        // RFC 5321 §3.1 and §4.2.3: 421 with the host name; RFC 3463 4.3.2: the system
        // is not accepting network messages.
        Protocol::Smtp | Protocol::Submission => format!("421 4.3.2 {hostname} {text}\r\n"),
        // RFC 5804 §1.3: TRYLATER, a temporary failure.
        Protocol::ManageSieve => format!("BYE (TRYLATER) \"{text}\"\r\n"),
    }
}

async fn say_and_close(mut connection: Connection, line: String) {
    let written = async {
        connection.stream.write_all(line.as_bytes()).await?;
        connection.stream.flush().await?;
        connection.stream.shutdown().await
    };
    if let Err(error) = written.await {
        tracing::debug!(%error, "client left before the reply was written");
    }
}

impl ProtocolHandler for Unavailable {
    fn serve(&self, connection: Connection) -> SessionFuture {
        let line = reply(self.0, connection.hostname(), NOT_YET);
        Box::pin(say_and_close(connection, line))
    }

    fn refuse(&self, connection: Connection, reason: Refusal) -> SessionFuture {
        let line = reply(self.0, connection.hostname(), reason.text());
        Box::pin(say_and_close(connection, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_reply_is_421_with_the_host_name() {
        assert_eq!(
            reply(Protocol::Smtp, "mx.example.org", "down"),
            "421 4.3.2 mx.example.org down\r\n"
        );
    }

    #[test]
    fn imap_reply_is_bye_unavailable() {
        assert!(reply(Protocol::Imap, "h", "down").starts_with("* BYE [UNAVAILABLE] "));
    }
}
