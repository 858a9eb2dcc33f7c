//! EHLO and HELO (RFC 5321 §4.1.1.1) with the service extensions offered,
//! and STARTTLS (RFC 3207). The EHLO keyword list is computed here, from
//! what this session can do now, and nowhere else.

use tokio::io::{AsyncRead, AsyncWrite};

use super::{Helo, Session, Step, bad_sequence};
use crate::auth::sasl::advertised_mechanisms;
use crate::smtp::reply::{Reply, Status};

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The EHLO keywords, in the order offered.
    pub(super) fn extensions(&self) -> Vec<String> {
        let mut keywords = vec![
            "PIPELINING".to_owned(),
            format!("SIZE {}", self.settings.message_size),
            "8BITMIME".to_owned(),
            "SMTPUTF8".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
            "CHUNKING".to_owned(),
            "BINARYMIME".to_owned(),
            "DSN".to_owned(),
        ];
        if self.starttls_offered() {
            keywords.push("STARTTLS".to_owned());
        }
        if self.auth_offered() {
            let names: Vec<&str> = advertised_mechanisms().iter().map(|m| m.name()).collect();
            keywords.push(format!("AUTH {}", names.join(" ")));
        }
        keywords
    }

    fn starttls_offered(&self) -> bool {
        self.settings.starttls.is_some() && !self.io.is_tls()
    }

    /// EHLO or HELO: resets any transaction (RFC 5321 §4.1.4).
    pub(super) fn ehlo(&mut self, identity: &str, extended: bool) -> Reply {
        self.transaction = None;
        self.helo = Some(Helo {
            identity: identity.to_owned(),
            extended,
        });
        let first = format!("{} Hello {identity}", self.settings.hostname);
        if !extended {
            return Reply::plain(250, &first);
        }
        Reply::lines(250, std::iter::once(first).chain(self.extensions()))
    }

    /// STARTTLS: `220`, then the handshake on the same stream; the session
    /// starts over, as if just connected (RFC 3207 §4.2).
    pub(super) async fn starttls(&mut self) -> Step {
        if self.settings.starttls.is_none() {
            return Step::Reply(Reply::new(
                502,
                Status::new(5, 5, 1),
                "STARTTLS not available",
            ));
        }
        if self.io.is_tls() {
            return Step::Reply(bad_sequence("TLS already active"));
        }
        if self.transaction.is_some() {
            return Step::Reply(bad_sequence(
                "STARTTLS not allowed during a mail transaction",
            ));
        }
        self.io
            .queue(&Reply::new(220, Status::new(2, 0, 0), "Ready to start TLS"));
        if let Err(end) = self.io.flush().await {
            return Step::End(end);
        }
        if let Err(end) = self.io.upgrade().await {
            return Step::End(end);
        }
        self.helo = None;
        self.user = None;
        self.transaction = None;
        tracing::debug!("STARTTLS completed");
        Step::Silent
    }
}
