//! The DATA encoding (RFC 5321 §4.1.1.4, §4.5.2): finds the end of the data
//! and undoes dot-stuffing, without I/O and without holding the message.
//!
//! The end of the data is only CRLF "." CRLF (the CRLF that ended the DATA
//! command counts as the first). A bare LF or a bare CR anywhere is noted
//! and never ends a line, so `\n.\n` or `\r\n.\n` cannot end the data: a
//! server that took them for the end while the next hop does not would let
//! a client smuggle a second message past it (SMTP smuggling, 2023).

/// Where in a line the decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// After a CRLF.
    LineStart,
    /// A "." at the start of a line.
    Dot,
    /// "." CR at the start of a line.
    DotCr,
    Middle,
    /// A CR not yet known to be followed by LF.
    Cr,
}

/// Decodes one message's DATA octets.
#[derive(Debug)]
pub struct DotDecoder {
    state: State,
    bare_line_ending: bool,
}

impl Default for DotDecoder {
    fn default() -> Self {
        Self {
            state: State::LineStart,
            bare_line_ending: false,
        }
    }
}

impl DotDecoder {
    /// Decodes `input`, appending the message octets to `out`. Returns the
    /// number of octets consumed when the end of the data was found in
    /// `input` (what follows is the client's next command), else `None`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<usize> {
        for (index, &byte) in input.iter().enumerate() {
            if self.step(byte, out) {
                return Some(index + 1);
            }
        }
        None
    }

    /// Whether a bare CR or LF was seen: the message is refused (`550 5.6.11`).
    pub fn saw_bare_line_ending(&self) -> bool {
        self.bare_line_ending
    }

    /// One octet; true at the end of the data.
    fn step(&mut self, byte: u8, out: &mut Vec<u8>) -> bool {
        match (self.state, byte) {
            (State::LineStart, b'.') => self.state = State::Dot,
            (State::Dot, b'\r') => self.state = State::DotCr,
            (State::DotCr, b'\n') => return true,
            (State::DotCr, _) => {
                // "." CR then something else: the dot was stuffing, the CR bare.
                self.bare_line_ending = true;
                out.push(b'\r');
                self.state = State::Middle;
                return self.step(byte, out);
            }
            // RFC 5321 §4.5.2: a leading dot followed by more is removed.
            (State::Dot, _) => {
                self.state = State::Middle;
                return self.step(byte, out);
            }
            (State::Cr, b'\n') => {
                out.extend_from_slice(b"\r\n");
                self.state = State::LineStart;
            }
            (State::Cr, _) => {
                self.bare_line_ending = true;
                out.push(b'\r');
                self.state = State::Middle;
                return self.step(byte, out);
            }
            (State::LineStart | State::Middle, b'\r') => self.state = State::Cr,
            (State::LineStart | State::Middle, b'\n') => {
                self.bare_line_ending = true;
                out.push(b'\n');
                self.state = State::Middle;
            }
            (State::LineStart | State::Middle, _) => {
                out.push(byte);
                self.state = State::Middle;
            }
        }
        false
    }
}

/// Finds bare CR and LF in data that has no dot encoding (BDAT chunks of a
/// 7BIT or 8BITMIME message, RFC 3030 §3): such a message could end the
/// data early at a next hop that relays it with DATA, so it is refused as
/// DATA refuses it.
#[derive(Debug, Default)]
pub struct LineEndingCheck {
    after_cr: bool,
    bare: bool,
}

impl LineEndingCheck {
    pub fn feed(&mut self, input: &[u8]) {
        for &byte in input {
            match (self.after_cr, byte) {
                (true, b'\n') => self.after_cr = false,
                (true, b'\r') => self.bare = true,
                (true, _) => {
                    self.bare = true;
                    self.after_cr = false;
                }
                (false, b'\r') => self.after_cr = true,
                (false, b'\n') => self.bare = true,
                (false, _) => {}
            }
        }
    }

    /// Whether a bare CR or LF was seen; a CR at the very end counts as bare.
    pub fn saw_bare_line_ending(&self) -> bool {
        self.bare || self.after_cr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ending_check_finds_bare_cr_and_lf_across_chunks() {
        let check = |chunks: &[&[u8]]| {
            let mut check = LineEndingCheck::default();
            for chunk in chunks {
                check.feed(chunk);
            }
            check.saw_bare_line_ending()
        };
        assert!(!check(&[b"a\r", b"\nb\r\n"]));
        assert!(check(&[b"a\n.\n"]));
        assert!(check(&[b"a\r", b"b\r\n"]));
        assert!(check(&[b"a\r\r\n"]));
        assert!(check(&[b"a\r"]));
    }

    fn decode(input: &[u8]) -> (Vec<u8>, Option<usize>, bool) {
        let mut decoder = DotDecoder::default();
        let mut out = Vec::new();
        let end = decoder.feed(input, &mut out);
        (out, end, decoder.saw_bare_line_ending())
    }

    #[test]
    fn end_marker_right_after_data_is_an_empty_message() {
        assert_eq!(decode(b".\r\nQUIT\r\n"), (Vec::new(), Some(3), false));
    }

    #[test]
    fn dot_stuffing_is_undone_exactly() {
        let (out, end, bare) = decode(b"a\r\n..b\r\n...\r\n.c\r\n.\r\n");
        assert_eq!(out, b"a\r\n.b\r\n..\r\nc\r\n");
        assert_eq!(end, Some(20));
        assert!(!bare);
    }

    #[test]
    fn bare_lf_dot_lf_does_not_end_the_data() {
        let (out, end, bare) = decode(b"a\n.\nMAIL FROM:<x@y>\r\n");
        assert_eq!(end, None);
        assert!(bare);
        assert_eq!(out, b"a\n.\nMAIL FROM:<x@y>\r\n");
    }

    #[test]
    fn crlf_dot_lf_does_not_end_the_data() {
        let (_, end, bare) = decode(b"a\r\n.\nb\r\n");
        assert_eq!(end, None);
        assert!(bare);
    }

    #[test]
    fn crlf_dot_cr_without_lf_does_not_end_the_data() {
        let (out, end, bare) = decode(b"a\r\n.\rb\r\n.\r\n");
        assert_eq!(end, Some(11));
        assert!(bare);
        assert_eq!(out, b"a\r\n\rb\r\n");
    }

    #[test]
    fn bare_cr_is_noted() {
        let (out, end, bare) = decode(b"a\rb\r\n.\r\n");
        assert!(bare);
        assert_eq!(end, Some(8));
        assert_eq!(out, b"a\rb\r\n");
    }

    #[test]
    fn the_end_can_be_split_across_reads() {
        let mut decoder = DotDecoder::default();
        let mut out = Vec::new();
        assert_eq!(decoder.feed(b"x\r", &mut out), None);
        assert_eq!(decoder.feed(b"\n.", &mut out), None);
        assert_eq!(decoder.feed(b"\r", &mut out), None);
        assert_eq!(decoder.feed(b"\nRSET", &mut out), Some(1));
        assert_eq!(out, b"x\r\n");
    }
}
