//! The body of a RETR or TOP response, encoded chunk by chunk as the message
//! streams from the store (RFC 1939 §3): a line beginning with `.` gets
//! another `.`, and the response ends with CRLF `.` CRLF; a message whose
//! last line lacks its line break gets one first, so the terminator stands
//! on a line of its own. For TOP it also stops after the header, the blank
//! line and the asked number of body lines (RFC 1939 §7).
//!
//! No I/O and no buffering of the message: each chunk in gives its encoded
//! bytes out, so a message of any size needs one chunk of memory.

/// Where the encoder stands in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    /// In the body, with this many more lines to send (TOP), or all (RETR).
    Body {
        lines_left: Option<u64>,
    },
    /// TOP has sent all it asked for; the rest of the message is skipped.
    Done,
}

/// Encodes one message for a multi-line response.
#[derive(Debug)]
pub struct DotStuffer {
    part: Part,
    /// For TOP: the body lines asked for; `None` for the whole message.
    body_lines: Option<u64>,
    at_line_start: bool,
    /// Octets of the current line so far, to spot the blank line ending the header.
    line_len: u64,
    previous: u8,
}

impl DotStuffer {
    /// The whole message (RETR).
    pub fn whole() -> Self {
        Self::starting(Part::Body { lines_left: None }, None)
    }

    /// The header, the blank line and `body_lines` lines of the body (TOP).
    pub fn top(body_lines: u64) -> Self {
        Self::starting(Part::Header, Some(body_lines))
    }

    fn starting(part: Part, body_lines: Option<u64>) -> Self {
        Self {
            part,
            body_lines,
            at_line_start: true,
            line_len: 0,
            previous: 0,
        }
    }

    /// Whether the encoder wants no more input (TOP has all its lines).
    pub fn is_done(&self) -> bool {
        self.part == Part::Done
    }

    /// Appends the encoded form of `chunk` to `out`.
    pub fn encode(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        for &byte in chunk {
            if self.part == Part::Done {
                return;
            }
            if self.at_line_start && byte == b'.' {
                out.push(b'.');
            }
            out.push(byte);
            self.at_line_start = false;
            if byte == b'\n' {
                self.end_line();
            } else {
                self.line_len += 1;
                self.previous = byte;
            }
        }
    }

    /// Appends the line break the message may lack, and the terminator.
    pub fn finish(self, out: &mut Vec<u8>) {
        if !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(super::response::TERMINATOR);
    }

    fn end_line(&mut self) {
        let blank = self.line_len == 0 || (self.line_len == 1 && self.previous == b'\r');
        self.at_line_start = true;
        self.line_len = 0;
        self.previous = b'\n';
        self.part = match self.part {
            Part::Header if blank => self.pending_body(),
            Part::Body {
                lines_left: Some(left),
            } => {
                if left <= 1 {
                    Part::Done
                } else {
                    Part::Body {
                        lines_left: Some(left - 1),
                    }
                }
            }
            other => other,
        };
    }

    fn pending_body(&self) -> Part {
        match self.body_lines {
            Some(0) => Part::Done,
            lines => Part::Body { lines_left: lines },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(mut stuffer: DotStuffer, chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in chunks {
            stuffer.encode(chunk, &mut out);
        }
        stuffer.finish(&mut out);
        out
    }

    #[test]
    fn a_line_starting_with_a_dot_is_doubled() {
        let out = encode(
            DotStuffer::whole(),
            &[b".first\r\nmid.dle\r\n.\r\n..two\r\n"],
        );
        assert_eq!(out, b"..first\r\nmid.dle\r\n..\r\n...two\r\n.\r\n");
    }

    #[test]
    fn stuffing_holds_across_chunk_boundaries() {
        let out = encode(DotStuffer::whole(), &[b"a\r", b"\n", b".b\r\n"]);
        assert_eq!(out, b"a\r\n..b\r\n.\r\n");
    }

    #[test]
    fn a_message_without_final_crlf_gets_one_before_the_terminator() {
        let out = encode(DotStuffer::whole(), &[b"Subject: x\r\n\r\nno newline"]);
        assert_eq!(out, b"Subject: x\r\n\r\nno newline\r\n.\r\n");
    }

    #[test]
    fn an_empty_message_is_just_the_terminator() {
        assert_eq!(encode(DotStuffer::whole(), &[]), b".\r\n");
    }

    #[test]
    fn top_sends_the_header_the_blank_line_and_n_body_lines() {
        let message: &[u8] = b"A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n";
        assert_eq!(
            encode(DotStuffer::top(2), &[message]),
            b"A: 1\r\nB: 2\r\n\r\none\r\n..two\r\n.\r\n"
        );
        assert_eq!(
            encode(DotStuffer::top(0), &[message]),
            b"A: 1\r\nB: 2\r\n\r\n.\r\n"
        );
        assert_eq!(
            encode(DotStuffer::top(u64::MAX), &[message]),
            b"A: 1\r\nB: 2\r\n\r\none\r\n..two\r\nthree\r\n.\r\n"
        );
    }

    #[test]
    fn top_is_done_once_it_has_its_lines() {
        let mut stuffer = DotStuffer::top(1);
        let mut out = Vec::new();
        stuffer.encode(b"A: 1\r\n\r\nbody\r\n", &mut out);
        assert!(stuffer.is_done());
        stuffer.encode(b"more\r\n", &mut out);
        assert_eq!(out, b"A: 1\r\n\r\nbody\r\n");
    }

    #[test]
    fn top_of_a_message_without_a_body_sends_it_all() {
        let out = encode(DotStuffer::top(5), &[b"A: 1\r\nB: 2"]);
        assert_eq!(out, b"A: 1\r\nB: 2\r\n.\r\n");
    }
}
