//! The ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 `esmtp-param`):
//! SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET and
//! ENVID, NOTIFY and ORCPT (RFC 3461), AUTH (RFC 4954 §5). Each keyword may
//! appear once; an unknown one is "not implemented" (555).

use super::ParseError;
use crate::queue::{BodyType, Notify, Ret};

/// The parameters of `MAIL FROM`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParameters {
    /// `SIZE=`: the client's estimate of the message size in octets.
    pub size: Option<u64>,
    pub body: Option<BodyType>,
    pub smtputf8: bool,
    pub ret: Option<Ret>,
    /// `ENVID=`, xtext decoded.
    pub envid: Option<String>,
    /// `AUTH=` (RFC 4954 §5), xtext decoded; `<>` is `Some("")`.
    pub auth: Option<String>,
}

/// The parameters of `RCPT TO`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RcptParameters {
    pub notify: Option<Notify>,
    /// `ORCPT=` as given (`addr-type ";" xtext`), checked but still encoded,
    /// as it is passed on to the next hop.
    pub orcpt: Option<String>,
}

/// RFC 3461 §4.4: ENVID is at most 100 characters; RFC 3461 §4.2: ORCPT at most 500.
const MAX_ENVID: usize = 100;
const MAX_ORCPT: usize = 500;

/// One `keyword[=value]`, the keyword uppercased.
type Parameter<'a> = (String, Option<&'a [u8]>);

/// Splits `SP esmtp-param *(SP esmtp-param)` into (keyword, value) pairs.
fn pairs(text: &[u8]) -> Result<Vec<Parameter<'_>>, ParseError> {
    let mut found: Vec<Parameter<'_>> = Vec::new();
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let (keyword, value) = match word.iter().position(|&b| b == b'=') {
            Some(at) => (
                word.get(..at).unwrap_or_default(),
                Some(word.get(at + 1..).unwrap_or_default()),
            ),
            None => (word, None),
        };
        // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        let keyword_ok = keyword.first().is_some_and(u8::is_ascii_alphanumeric)
            && keyword
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-');
        // esmtp-value = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)
        let value_ok = value.is_none_or(|v| {
            !v.is_empty()
                && v.iter()
                    .all(|&b| (33..=126).contains(&b) && b != b'=' || b >= 0x80)
        });
        if !keyword_ok || !value_ok {
            return Err(ParseError::InvalidParameter("malformed parameter"));
        }
        let keyword = String::from_utf8_lossy(keyword).to_ascii_uppercase();
        if found.iter().any(|(seen, _)| *seen == keyword) {
            return Err(ParseError::InvalidParameter("parameter given twice"));
        }
        found.push((keyword, value));
    }
    Ok(found)
}

fn required(value: Option<&[u8]>) -> Result<&[u8], ParseError> {
    value.ok_or(ParseError::InvalidParameter("parameter needs a value"))
}

fn none(value: Option<&[u8]>) -> Result<(), ParseError> {
    match value {
        None => Ok(()),
        Some(_) => Err(ParseError::InvalidParameter("parameter takes no value")),
    }
}

pub(super) fn mail(text: &[u8]) -> Result<MailParameters, ParseError> {
    let mut parameters = MailParameters::default();
    for (keyword, value) in pairs(text)? {
        match keyword.as_str() {
            "SIZE" => parameters.size = Some(size(required(value)?)?),
            "BODY" => parameters.body = Some(body(required(value)?)?),
            "SMTPUTF8" => {
                none(value)?;
                parameters.smtputf8 = true;
            }
            "RET" => parameters.ret = Some(ret(required(value)?)?),
            "ENVID" => parameters.envid = Some(xtext(required(value)?, MAX_ENVID)?),
            "AUTH" => {
                let value = required(value)?;
                parameters.auth = Some(if value == b"<>" {
                    String::new()
                } else {
                    xtext(value, MAX_ORCPT)?
                });
            }
            _ => return Err(ParseError::ParameterNotImplemented(keyword)),
        }
    }
    Ok(parameters)
}

pub(super) fn rcpt(text: &[u8]) -> Result<RcptParameters, ParseError> {
    let mut parameters = RcptParameters::default();
    for (keyword, value) in pairs(text)? {
        match keyword.as_str() {
            "NOTIFY" => parameters.notify = Some(notify(required(value)?)?),
            "ORCPT" => parameters.orcpt = Some(orcpt(required(value)?)?),
            _ => return Err(ParseError::ParameterNotImplemented(keyword)),
        }
    }
    Ok(parameters)
}

/// RFC 1870 §3: `size-value = 1*20DIGIT`.
fn size(value: &[u8]) -> Result<u64, ParseError> {
    let invalid = ParseError::InvalidParameter("SIZE needs a number");
    if value.len() > 20 || !value.iter().all(u8::is_ascii_digit) {
        return Err(invalid);
    }
    // Twenty digits can exceed u64: such a size is over any limit anyway.
    Ok(std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(u64::MAX))
}

fn body(value: &[u8]) -> Result<BodyType, ParseError> {
    match value.to_ascii_uppercase().as_slice() {
        b"7BIT" => Ok(BodyType::SevenBit),
        b"8BITMIME" => Ok(BodyType::EightBitMime),
        b"BINARYMIME" => Ok(BodyType::BinaryMime),
        _ => Err(ParseError::InvalidParameter(
            "BODY is 7BIT, 8BITMIME or BINARYMIME",
        )),
    }
}

fn ret(value: &[u8]) -> Result<Ret, ParseError> {
    match value.to_ascii_uppercase().as_slice() {
        b"FULL" => Ok(Ret::Full),
        b"HDRS" => Ok(Ret::Headers),
        _ => Err(ParseError::InvalidParameter("RET is FULL or HDRS")),
    }
}

/// RFC 3461 §4.1: `NEVER` alone, or a list of SUCCESS, FAILURE and DELAY.
fn notify(value: &[u8]) -> Result<Notify, ParseError> {
    let invalid = ParseError::InvalidParameter("NOTIFY is NEVER or SUCCESS,FAILURE,DELAY");
    let upper = value.to_ascii_uppercase();
    if upper == b"NEVER" {
        return Ok(Notify {
            success: false,
            failure: false,
            delay: false,
        });
    }
    let mut notify = Notify {
        success: false,
        failure: false,
        delay: false,
    };
    for item in upper.split(|&b| b == b',') {
        let flag = match item {
            b"SUCCESS" => &mut notify.success,
            b"FAILURE" => &mut notify.failure,
            b"DELAY" => &mut notify.delay,
            _ => return Err(invalid),
        };
        if *flag {
            return Err(invalid);
        }
        *flag = true;
    }
    Ok(notify)
}

/// RFC 3461 §4.2: `addr-type ";" xtext`; kept encoded.
fn orcpt(value: &[u8]) -> Result<String, ParseError> {
    let invalid = ParseError::InvalidParameter("ORCPT is addr-type;xtext");
    let at = value
        .iter()
        .position(|&b| b == b';')
        .ok_or(invalid.clone())?;
    let (kind, address) = (
        value.get(..at).unwrap_or_default(),
        value.get(at + 1..).unwrap_or_default(),
    );
    if kind.is_empty() || !kind.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(invalid);
    }
    xtext(address, MAX_ORCPT)?;
    String::from_utf8(value.to_vec()).map_err(|_| invalid)
}

/// RFC 3461 §4: `xtext = *( xchar / hexchar )`, `hexchar = "+" 2HEXDIG`,
/// xchar any of `!` to `~` but `+` and `=`; decoded. The RFC asks for
/// uppercase hex digits; lowercase ones are taken too, as they can mean
/// nothing else. The length limit is on the encoded form.
pub(super) fn xtext(value: &[u8], limit: usize) -> Result<String, ParseError> {
    let invalid = ParseError::InvalidParameter("malformed xtext");
    if value.len() > limit {
        return Err(ParseError::InvalidParameter("parameter value too long"));
    }
    let mut decoded = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'+' {
            let hex = |c: u8| match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'A'..=b'F' => Some(c - b'A' + 10),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            };
            match tail {
                [high, low, after @ ..] => {
                    let (Some(high), Some(low)) = (hex(*high), hex(*low)) else {
                        return Err(invalid);
                    };
                    decoded.push(high << 4 | low);
                    rest = after;
                }
                _ => return Err(invalid),
            }
        } else if (b'!'..=b'~').contains(&b) && b != b'=' {
            decoded.push(b);
            rest = tail;
        } else {
            return Err(invalid);
        }
    }
    String::from_utf8(decoded).map_err(|_| invalid)
}
