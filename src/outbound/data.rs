//! The message octets on the wire: after DATA dot-stuffed and ended with
//! `CRLF.CRLF` (RFC 5321 §4.5.2, §4.1.1.4), or as one `BDAT LAST` chunk
//! (RFC 3030 §2) for BINARYMIME.
//!
//! Owns streaming the spool file in blocks, so no message is ever read whole into
//! memory. It must not read replies: that is `transaction`'s job.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::wire::{Wire, WireError};

/// How much of the spool file is read, stuffed and written at a time.
const BLOCK: usize = 64 * 1024;

/// Why the message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Our side: the spool file could not be read.
    #[error("cannot read the spooled message: {0}")]
    Spool(std::io::Error),
    #[error(transparent)]
    Wire(#[from] WireError),
}

/// Doubles a `.` at the start of each line, and remembers across blocks whether
/// the next octet starts a line.
#[derive(Debug)]
pub struct DotStuffer {
    at_line_start: bool,
    previous: Option<u8>,
    last: Option<u8>,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self {
            at_line_start: true,
            previous: None,
            last: None,
        }
    }
}

impl DotStuffer {
    /// Appends `input`, stuffed, to `output`.
    pub fn stuff(&mut self, input: &[u8], output: &mut Vec<u8>) {
        output.reserve(input.len() + input.len() / 64);
        for &octet in input {
            if self.at_line_start && octet == b'.' {
                output.push(b'.');
            }
            output.push(octet);
            self.at_line_start = octet == b'\n';
            self.previous = self.last;
            self.last = Some(octet);
        }
    }

    /// Appends the end of data: a CRLF first when the message lacks a final one
    /// (the spool guarantees it; a server must never see the end marker run into
    /// the last line), then `.CRLF`.
    pub fn finish(self, output: &mut Vec<u8>) {
        let ends_with_crlf = self.previous == Some(b'\r') && self.last == Some(b'\n');
        if self.last.is_some() && !ends_with_crlf {
            output.extend_from_slice(b"\r\n");
        }
        output.extend_from_slice(b".\r\n");
    }
}

/// Sends the message after a `354`, each block within `block_limit`.
pub async fn send_dot_stuffed<R: AsyncRead + Unpin>(
    mut message: R,
    wire: &mut Wire,
    block_limit: Duration,
) -> Result<(), DataError> {
    let mut stuffer = DotStuffer::default();
    let mut block = vec![0u8; BLOCK];
    let mut stuffed = Vec::with_capacity(BLOCK + BLOCK / 8);
    loop {
        let read = message.read(&mut block).await.map_err(DataError::Spool)?;
        let Some(input) = block.get(..read).filter(|input| !input.is_empty()) else {
            break;
        };
        stuffed.clear();
        stuffer.stuff(input, &mut stuffed);
        wire.send(&stuffed, "a data block to be taken", block_limit)
            .await?;
    }
    stuffed.clear();
    stuffer.finish(&mut stuffed);
    wire.send(&stuffed, "a data block to be taken", block_limit)
        .await?;
    Ok(())
}

/// Sends `BDAT <size> LAST` and the message as it is, each block within
/// `block_limit`. `size` must be the file's length: the server counts octets.
pub async fn send_last_chunk<R: AsyncRead + Unpin>(
    message: R,
    size: u64,
    wire: &mut Wire,
    block_limit: Duration,
) -> Result<(), DataError> {
    let command = format!("BDAT {size} LAST\r\n");
    wire.send(command.as_bytes(), "BDAT to be taken", block_limit)
        .await?;
    let mut message = message.take(size);
    let mut block = vec![0u8; BLOCK];
    let mut sent = 0u64;
    loop {
        let read = message.read(&mut block).await.map_err(DataError::Spool)?;
        let Some(input) = block.get(..read).filter(|input| !input.is_empty()) else {
            break;
        };
        wire.send(input, "a data block to be taken", block_limit)
            .await?;
        sent += read as u64;
    }
    if sent != size {
        return Err(DataError::Spool(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the spool file holds {sent} octets, not {size}"),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuffed(blocks: &[&[u8]]) -> Vec<u8> {
        let mut stuffer = DotStuffer::default();
        let mut output = Vec::new();
        for block in blocks {
            stuffer.stuff(block, &mut output);
        }
        stuffer.finish(&mut output);
        output
    }

    #[test]
    fn leading_dots_are_doubled() {
        assert_eq!(
            stuffed(&[b".start\r\nmid.dle\r\n..two\r\n.\r\n"]),
            b"..start\r\nmid.dle\r\n...two\r\n..\r\n.\r\n"
        );
    }

    #[test]
    fn dot_after_a_block_boundary_is_doubled() {
        assert_eq!(stuffed(&[b"a\r\n", b".b\r\n"]), b"a\r\n..b\r\n.\r\n");
        assert_eq!(stuffed(&[b"a\r", b"\n.b\r\n"]), b"a\r\n..b\r\n.\r\n");
    }

    #[test]
    fn missing_final_crlf_is_added_before_the_end_marker() {
        assert_eq!(stuffed(&[b"no end"]), b"no end\r\n.\r\n");
        assert_eq!(stuffed(&[b"bare lf\n"]), b"bare lf\n\r\n.\r\n");
    }

    #[test]
    fn empty_message_is_just_the_end_marker() {
        assert_eq!(stuffed(&[]), b".\r\n");
    }
}
