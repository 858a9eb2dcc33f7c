//! Reading commands with their literals, and writing responses, for the
//! session: lines bounded in length, literals checked against the limit
//! before anything is allocated, each read bounded by the idle timeout and
//! the shutdown signal; the STARTTLS switch. Knows no command.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::super::parser::{MAX_LINE, ParseError, Token, tokenize_line};
use super::Session;

const READ_CHUNK: usize = 4096;

/// The most literals one command may carry (PUTSCRIPT and AUTHENTICATE have
/// at most two strings).
const MAX_LITERALS: usize = 3;

/// A literal larger than the limit but smaller than this is skipped, so
/// the client hears `NO (QUOTA/MAXSIZE)`; a larger one ends the session
/// rather than tie it up reading.
const MAX_SKIPPED_LITERAL: u64 = 16 * 1024 * 1024;

/// The smallest literal limit, whatever the script quota: SASL responses
/// arrive as literals too.
const MIN_LITERAL_LIMIT: usize = 8 * 1024;

/// Why the session stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// The client left, or cannot be written to.
    Closed,
    TimedOut,
    Shutdown,
    TooManyErrors,
    LiteralTooLarge,
}

/// One command as read.
pub(super) enum CommandRead {
    Tokens(Vec<Token>),
    TooLong,
    Invalid(ParseError),
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Reads one command: its lines and the literals between them.
    pub(super) async fn read_command(&mut self) -> Result<CommandRead, Ended> {
        let limit = self.settings.quotas.max_script_bytes.max(MIN_LITERAL_LIMIT);
        let mut tokens = Vec::new();
        let mut literals = 0;
        loop {
            let Some(line) = self.read_line(MAX_LINE).await? else {
                return Ok(CommandRead::TooLong);
            };
            let (more, literal) = match tokenize_line(&line) {
                Ok(split) => split,
                Err(error) => return Ok(CommandRead::Invalid(error)),
            };
            tokens.extend(more);
            let Some(literal) = literal else {
                return Ok(CommandRead::Tokens(tokens));
            };
            literals += 1;
            if literals > MAX_LITERALS || literal.len > MAX_SKIPPED_LITERAL {
                return Err(Ended::LiteralTooLarge);
            }
            match usize::try_from(literal.len) {
                Ok(len) if len <= limit => {
                    let octets = self.read_exact(len).await?;
                    tokens.push(Token::String(octets));
                }
                _ => {
                    self.skip(literal.len).await?;
                    tokens.push(Token::Oversized(literal.len));
                }
            }
        }
    }

    /// The next line without its line break (CRLF, or a bare LF), or `None`
    /// for a line longer than `max`, which is skipped whole.
    async fn read_line(&mut self, max: usize) -> Result<Option<Vec<u8>>, Ended> {
        loop {
            if let Some(end) = self.input.iter().position(|b| *b == b'\n') {
                let mut line: Vec<u8> = self.input.drain(..=end).collect();
                if std::mem::take(&mut self.discarding) || line.len() > max {
                    return Ok(None);
                }
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if self.input.len() > max {
                self.input.clear();
                self.discarding = true;
            }
            self.read_more().await?;
        }
    }

    /// Exactly `len` octets; `len` was checked against the limit.
    async fn read_exact(&mut self, len: usize) -> Result<Vec<u8>, Ended> {
        while self.input.len() < len {
            self.read_more().await?;
        }
        Ok(self.input.drain(..len).collect())
    }

    /// Reads and drops `len` octets without holding them.
    async fn skip(&mut self, len: u64) -> Result<(), Ended> {
        let mut left = len;
        loop {
            let available = u64::try_from(self.input.len()).unwrap_or(u64::MAX);
            let take = available.min(left);
            self.input
                .drain(..usize::try_from(take).unwrap_or(self.input.len()));
            left -= take;
            if left == 0 {
                return Ok(());
            }
            self.read_more().await?;
        }
    }

    async fn read_more(&mut self) -> Result<(), Ended> {
        let timeout = self.settings.idle_timeout;
        let Self {
            stream,
            input,
            shutdown,
            ..
        } = self;
        let stream = stream.as_mut().ok_or(Ended::Closed)?;
        let mut chunk = [0u8; READ_CHUNK];
        tokio::select! {
            read = tokio::time::timeout(timeout, stream.read(&mut chunk)) => match read {
                Err(_) => Err(Ended::TimedOut),
                Ok(Ok(0) | Err(_)) => Err(Ended::Closed),
                Ok(Ok(n)) => {
                    input.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    Ok(())
                }
            },
            () = shutdown.requested() => Err(Ended::Shutdown),
        }
    }

    /// Writes every queued response, bounded by the idle timeout so a client
    /// that stops reading cannot hold the session forever.
    pub(super) async fn flush(&mut self) -> Result<(), Ended> {
        let output = std::mem::take(&mut self.output);
        if output.is_empty() {
            return Ok(());
        }
        let stream = self.stream.as_mut().ok_or(Ended::Closed)?;
        stream
            .write_within(&output, self.settings.idle_timeout)
            .await
            .map_err(|_| Ended::Closed)
    }

    pub(super) async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }

    /// STARTTLS (RFC 5804 §2.2): drops whatever plaintext the client sent
    /// after the command, then runs the handshake on the same stream. A
    /// failed handshake ends the session.
    pub(super) async fn upgrade_to_tls(&mut self) -> Result<(), Ended> {
        let (acceptor, timeout) = self.settings.starttls.clone().ok_or(Ended::Closed)?;
        self.discarding = false;
        let stream = self.stream.take().ok_or(Ended::Closed)?;
        match stream.starttls(&mut self.input, &acceptor, timeout).await {
            Ok(tls) => {
                self.stream = Some(tls);
                Ok(())
            }
            Err(error) => {
                tracing::debug!(%error, "STARTTLS handshake failed");
                Err(Ended::Closed)
            }
        }
    }
}
