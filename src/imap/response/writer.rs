//! The IMAP string rules (RFC 9051 §4.3, §9; RFC 3501 §4.3, §9): atom, quoted
//! string, literal, literal8, NIL, nstring, astring, mailbox names, numbers,
//! date-time. Every octet a response puts on the wire passes through [`Writer`].
//!
//! Output is a list of [`Fragment`]s so a section body can be copied from a
//! stream after its literal header, never held in memory here. Knows nothing
//! about which response it writes; must not do I/O.

use crate::imap::mailbox_name;
use crate::store::{InternalDate, MessageStream};

/// Longest string written as a quoted string; longer ones become literals so
/// no line grows past what clients buffer (RFC 9051 §4.3 leaves the choice to
/// the server).
pub(super) const MAX_QUOTED: usize = 1024;

/// How the session's client reads strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// IMAP4rev1 without UTF8=ACCEPT: quoted strings are 7-bit, mailbox names
    /// are modified UTF-7 (RFC 3501 §5.1.3).
    #[default]
    Rev1,
    /// IMAP4rev2 or UTF8=ACCEPT enabled (RFC 9051 §4.3, RFC 6855 §3): quoted
    /// strings and mailbox names carry UTF-8.
    Utf8,
}

/// A piece of encoded output, in order.
#[derive(Debug)]
pub enum Fragment {
    /// Octets to send as they are.
    Bytes(Vec<u8>),
    /// Copy all `len()` octets of this stream; the literal header announcing
    /// them is already in the preceding [`Fragment::Bytes`].
    Stream(MessageStream),
}

/// The octets a literal carries: in memory, or streamed by the session.
#[derive(Debug)]
pub enum Payload {
    Bytes(Vec<u8>),
    Stream(MessageStream),
}

impl Payload {
    fn len(&self) -> u64 {
        match self {
            Payload::Bytes(b) => b.len() as u64,
            Payload::Stream(s) => s.len(),
        }
    }
}

/// Accumulates fragments for one or more responses.
#[derive(Debug)]
pub struct Writer {
    mode: Mode,
    fragments: Vec<Fragment>,
    current: Vec<u8>,
}

impl Writer {
    pub fn new(mode: Mode) -> Self {
        Writer {
            mode,
            fragments: Vec::new(),
            current: Vec::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The fragments written so far, adjacent bytes joined.
    pub fn finish(mut self) -> Vec<Fragment> {
        if !self.current.is_empty() {
            self.fragments.push(Fragment::Bytes(self.current));
        }
        self.fragments
    }

    /// Protocol syntax the caller vouches for (keywords, parentheses, SP).
    pub(super) fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.current.extend_from_slice(bytes);
        self
    }

    pub(super) fn sp(&mut self) -> &mut Self {
        self.raw(b" ")
    }

    pub(super) fn crlf(&mut self) -> &mut Self {
        self.raw(b"\r\n")
    }

    pub(super) fn nil(&mut self) -> &mut Self {
        self.raw(b"NIL")
    }

    pub(super) fn number(&mut self, n: impl Into<u64>) -> &mut Self {
        let text = n.into().to_string();
        self.raw(text.as_bytes())
    }

    /// An atom; a value that is not a valid atom is written as a string so
    /// the framing stays intact.
    pub(super) fn atom(&mut self, value: &str) -> &mut Self {
        if is_atom(value) {
            self.raw(value.as_bytes())
        } else {
            self.string(value.as_bytes())
        }
    }

    /// A `string`: quoted when the rules and the mode allow, a literal
    /// otherwise. NUL cannot appear in either (CHAR8 excludes it), so it is dropped.
    pub(super) fn string(&mut self, value: &[u8]) -> &mut Self {
        if value.contains(&0) {
            let cleaned: Vec<u8> = value.iter().copied().filter(|&b| b != 0).collect();
            return self.string(&cleaned);
        }
        if quotable(value, self.mode) {
            self.quoted(value)
        } else {
            self.literal(Payload::Bytes(value.to_vec()), false)
        }
    }

    /// An `nstring`: NIL for `None`.
    pub(super) fn nstring(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.string(v.as_bytes()),
            None => self.nil(),
        }
    }

    /// An `astring`: an atom when every character allows it (NIL itself is
    /// quoted, since it would read as the NIL token in an nstring position).
    pub(super) fn astring(&mut self, value: &str) -> &mut Self {
        let astring_char = |b: u8| is_atom_char(b) || b == b']';
        if !value.is_empty()
            && !value.eq_ignore_ascii_case("NIL")
            && value.bytes().all(astring_char)
        {
            self.raw(value.as_bytes())
        } else {
            self.string(value.as_bytes())
        }
    }

    /// A mailbox name, given in UTF-8: modified UTF-7 for rev1 clients, UTF-8
    /// otherwise (RFC 9051 §5.1, RFC 3501 §5.1.3). INBOX is written as such.
    pub(super) fn mailbox(&mut self, name: &str) -> &mut Self {
        match self.mode {
            Mode::Rev1 => {
                let encoded = mailbox_name::encode(name);
                self.astring(&encoded)
            }
            Mode::Utf8 => self.astring(name),
        }
    }

    /// A mailbox name where the grammar wants a `string` (NAMESPACE prefixes).
    pub(super) fn mailbox_string(&mut self, name: &str) -> &mut Self {
        match self.mode {
            Mode::Rev1 => {
                let encoded = mailbox_name::encode(name);
                self.string(encoded.as_bytes())
            }
            Mode::Utf8 => self.string(name.as_bytes()),
        }
    }

    /// A literal (`{n}`) or, when `literal8`, a literal8 (`~{n}`, RFC 3516).
    pub(super) fn literal(&mut self, payload: Payload, literal8: bool) -> &mut Self {
        if literal8 {
            self.raw(b"~");
        }
        let header = format!("{{{}}}\r\n", payload.len());
        self.raw(header.as_bytes());
        match payload {
            Payload::Bytes(bytes) => self.raw(&bytes),
            Payload::Stream(stream) => {
                if !stream.is_empty() {
                    let bytes = std::mem::take(&mut self.current);
                    self.fragments.push(Fragment::Bytes(bytes));
                    self.fragments.push(Fragment::Stream(stream));
                }
                self
            }
        }
    }

    /// A quoted string; the caller has checked [`quotable`].
    fn quoted(&mut self, value: &[u8]) -> &mut Self {
        self.current.push(b'"');
        for &b in value {
            if b == b'"' || b == b'\\' {
                self.current.push(b'\\');
            }
            self.current.push(b);
        }
        self.current.push(b'"');
        self
    }

    /// A date-time (RFC 9051 §9 `date-time`): `"dd-Mon-yyyy hh:mm:ss +0000"`,
    /// the day padded with a space.
    pub(super) fn date_time(&mut self, date: InternalDate) -> &mut Self {
        let text = format_date_time(date.0);
        self.raw(b"\"").raw(text.as_bytes()).raw(b"\"")
    }
}

/// Whether `value` may be sent as a quoted string in `mode`: no NUL, CR or LF
/// (TEXT-CHAR), 8-bit only as UTF-8 and only in UTF-8 mode, and short.
pub(super) fn quotable(value: &[u8], mode: Mode) -> bool {
    if value.len() > MAX_QUOTED || value.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n')) {
        return false;
    }
    if value.is_ascii() {
        return true;
    }
    mode == Mode::Utf8 && std::str::from_utf8(value).is_ok()
}

/// ATOM-CHAR: any CHAR except atom-specials (RFC 9051 §9).
fn is_atom_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// Whether `value` is an atom.
fn is_atom(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(is_atom_char)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the epoch as an IMAP date-time in UTC.
fn format_date_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let month_name = MONTHS
        .get(usize::try_from(month.saturating_sub(1)).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{day:>2}-{month_name}-{year:04} {:02}:{:02}:{:02} +0000",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian
/// (H. Hinnant's civil_from_days).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
