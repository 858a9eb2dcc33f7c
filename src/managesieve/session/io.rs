//! Reading commands with their literals for the session: literals checked
//! against the limit before anything is allocated. Lines, timeouts and
//! writing are the server's [`ClientStream`]. Knows no command.

use tokio::io::{AsyncRead, AsyncWrite};

use super::super::parser::{MAX_LINE, ParseError, Token, tokenize_line};
use super::Session;
use crate::server::ClientGone;

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

impl From<ClientGone> for Ended {
    fn from(gone: ClientGone) -> Self {
        match gone {
            ClientGone::Closed => Self::Closed,
            ClientGone::TimedOut => Self::TimedOut,
            ClientGone::Shutdown => Self::Shutdown,
        }
    }
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
            let Some(line) = self.client.read_line(MAX_LINE).await? else {
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
                    let octets = self.client.read_exact(len).await?;
                    tokens.push(Token::String(octets));
                }
                _ => {
                    self.client.skip(literal.len).await?;
                    tokens.push(Token::Oversized(literal.len));
                }
            }
        }
    }

    pub(super) async fn flush(&mut self) -> Result<(), Ended> {
        Ok(self.client.flush().await?)
    }
}
