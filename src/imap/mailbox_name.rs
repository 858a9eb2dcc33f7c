//! Modified UTF-7 for mailbox names (RFC 3501 §5.1.3), the form IMAP4rev1
//! clients use until UTF8=ACCEPT or IMAP4rev2 is enabled.
//!
//! Encoding is total. Decoding is strict: every input that is not the one
//! canonical encoding of some name is rejected with a reason a NO can carry.
//! Knows nothing about hierarchy or which names the store accepts.

use thiserror::Error;

/// Why a name is not valid modified UTF-7.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Utf7Error {
    #[error("character {0:#04x} must not appear in a modified UTF-7 mailbox name")]
    InvalidCharacter(u32),
    #[error("a shift sequence is not closed with '-'")]
    Unterminated,
    #[error("'{0}' is not a modified BASE64 character")]
    InvalidBase64(char),
    #[error("a shift sequence encodes printable ASCII, which must be written directly")]
    EncodedAscii,
    #[error("a shift sequence does not encode whole UTF-16 characters")]
    IncompleteUtf16,
    #[error("a shift sequence has non-zero padding bits")]
    NonZeroPadding,
    #[error("a shift sequence encodes an unpaired UTF-16 surrogate")]
    UnpairedSurrogate,
    #[error("two shift sequences are adjacent; they must be one")]
    AdjacentShifts,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// Printable US-ASCII stands for itself (RFC 3501 §5.1.3).
fn is_direct(c: char) -> bool {
    (' '..='~').contains(&c)
}

/// Encodes a UTF-8 mailbox name into modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if is_direct(c) {
            flush(&mut out, &mut pending);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

/// Writes a pending run of UTF-16 units as `&<modified base64>-`.
fn flush(out: &mut String, pending: &mut Vec<u16>) {
    if pending.is_empty() {
        return;
    }
    out.push('&');
    let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(sextet((acc >> bits) & 0x3f));
        }
    }
    if bits > 0 {
        out.push(sextet((acc << (6 - bits)) & 0x3f));
    }
    out.push('-');
    pending.clear();
}

fn sextet(v: u32) -> char {
    ALPHABET
        .get(v as usize)
        .map(|&b| char::from(b))
        .unwrap_or('A')
}

fn sextet_value(c: char) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&b| char::from(b) == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// Decodes a modified UTF-7 mailbox name into UTF-8, rejecting anything that
/// is not canonical.
pub fn decode(encoded: &str) -> Result<String, Utf7Error> {
    let mut out = String::with_capacity(encoded.len());
    let mut chars = encoded.chars().peekable();
    let mut last_shift_end: Option<usize> = None;
    let mut position = 0usize;
    while let Some(c) = chars.next() {
        position += 1;
        if !is_direct(c) {
            return Err(Utf7Error::InvalidCharacter(u32::from(c)));
        }
        if c != '&' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'-') {
            chars.next();
            position += 1;
            out.push('&');
            continue;
        }
        if last_shift_end == Some(position - 1) {
            return Err(Utf7Error::AdjacentShifts);
        }
        let mut run = String::new();
        loop {
            match chars.next() {
                Some('-') => break,
                Some(c) => run.push(c),
                None => return Err(Utf7Error::Unterminated),
            }
        }
        position += run.chars().count() + 1;
        last_shift_end = Some(position);
        decode_run(&run, &mut out)?;
    }
    Ok(out)
}

/// Decodes the modified BASE64 between `&` and `-`.
fn decode_run(run: &str, out: &mut String) -> Result<(), Utf7Error> {
    let mut units = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in run.chars() {
        let v = sextet_value(c).ok_or(Utf7Error::InvalidBase64(c))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push(((acc >> bits) & 0xffff) as u16);
        }
    }
    // RFC 2152: what is left must be fewer than six padding bits, all zero.
    if bits >= 6 {
        return Err(Utf7Error::IncompleteUtf16);
    }
    if acc & ((1 << bits) - 1) != 0 {
        return Err(Utf7Error::NonZeroPadding);
    }
    for decoded in char::decode_utf16(units) {
        let c = decoded.map_err(|_| Utf7Error::UnpairedSurrogate)?;
        if is_direct(c) {
            return Err(Utf7Error::EncodedAscii);
        }
        out.push(c);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Utf7Error, decode, encode};

    #[test]
    fn rfc3501_example_round_trips() {
        let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        assert_eq!(encode(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), name);
    }

    #[test]
    fn ampersand_is_written_as_ampersand_dash() {
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode("Tom &- Jerry").unwrap(), "Tom & Jerry");
    }

    #[test]
    fn ascii_names_are_unchanged() {
        assert_eq!(encode("INBOX/Sent Items"), "INBOX/Sent Items");
    }

    #[test]
    fn german_umlauts_encode_as_one_shift() {
        assert_eq!(encode("Entw\u{fc}rfe"), "Entw&APw-rfe");
        assert_eq!(encode("\u{e4}\u{f6}\u{fc}"), "&AOQA9gD8-");
    }

    #[test]
    fn astral_characters_use_surrogate_pairs() {
        let name = "mail \u{1f4e7}";
        let encoded = encode(name);
        assert_eq!(encoded, "mail &2D3c5w-");
        assert_eq!(decode(&encoded).unwrap(), name);
    }

    #[test]
    fn many_names_round_trip() {
        for name in [
            "",
            "&",
            "&&",
            "a&b\u{e9}&c",
            "\u{fc}&\u{fc}",
            "\u{65e5}\u{672c}",
            "Gel\u{f6}scht/\u{1f600}x",
            "\u{7f}\u{80}",
        ] {
            assert_eq!(decode(&encode(name)).unwrap(), name, "{name:?}");
        }
    }

    #[test]
    fn unterminated_shift_is_rejected() {
        assert_eq!(decode("&AOQ"), Err(Utf7Error::Unterminated));
    }

    #[test]
    fn non_printable_raw_characters_are_rejected() {
        assert_eq!(decode("a\u{e4}"), Err(Utf7Error::InvalidCharacter(0xe4)));
        assert_eq!(decode("a\tb"), Err(Utf7Error::InvalidCharacter(9)));
    }

    #[test]
    fn standard_base64_slash_is_rejected() {
        assert_eq!(decode("&U/BTFw-"), Err(Utf7Error::InvalidBase64('/')));
    }

    #[test]
    fn encoded_printable_ascii_is_rejected() {
        // "&AGE-" is "a" in UTF-16.
        assert_eq!(decode("&AGE-"), Err(Utf7Error::EncodedAscii));
    }

    #[test]
    fn adjacent_shift_sequences_are_rejected() {
        assert_eq!(decode("&AOQ-&APY-"), Err(Utf7Error::AdjacentShifts));
    }

    #[test]
    fn non_zero_padding_bits_are_rejected() {
        assert_eq!(decode("&AOR-"), Err(Utf7Error::NonZeroPadding));
    }

    #[test]
    fn half_a_utf16_unit_is_rejected() {
        assert_eq!(decode("&AOQA-"), Err(Utf7Error::IncompleteUtf16));
    }

    #[test]
    fn unpaired_surrogate_is_rejected() {
        // U+D83D alone.
        assert_eq!(decode("&2D0-"), Err(Utf7Error::UnpairedSurrogate));
    }

    #[test]
    fn ampersand_dash_inside_a_name_is_an_ampersand() {
        assert_eq!(decode("&-").unwrap(), "&");
        assert_eq!(decode("a&-b").unwrap(), "a&b");
    }
}
