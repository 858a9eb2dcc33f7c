//! The Managed script: standard Sieve generated from the user's
//! out-of-office and forwarding settings (RFC 5228 with vacation RFC 5230
//! and copy RFC 3894). The out-of-office window is the script's own
//! `currentdate` test (RFC 5260 §5, in the server's zone, UTC), so the
//! script is the same whatever day it is generated on.
//!
//! Every user-supplied string goes through [`quoted`] or [`multiline`], so
//! no setting can end a string early and inject commands. Lines end in CRLF
//! as RFC 5228 §2.2 requires.

use super::settings::{Forwarding, Vacation};
use crate::auth::Address;

/// The name the Managed script carries in [`crate::delivery::StoredScript`].
pub const MANAGED_SCRIPT_NAME: &str = "managed";

/// The script for these settings, or `None` when nothing is on.
/// `own_addresses` are the user's addresses (primary and aliases): the
/// vacation rule answers only mail sent to one of them (RFC 5230 §4.5
/// `:addresses`), so list and Bcc mail gets no notice.
pub fn managed_script(
    vacation: Option<&Vacation>,
    forwarding: Option<&Forwarding>,
    own_addresses: &[Address],
) -> Option<String> {
    let vacation = vacation.filter(|vacation| vacation.enabled);
    if vacation.is_none() && forwarding.is_none() {
        return None;
    }
    let mut extensions = Vec::new();
    if vacation.is_some() {
        extensions.extend(["\"vacation\"", "\"date\"", "\"relational\""]);
    }
    if forwarding.is_some_and(|forwarding| forwarding.keep_copy) {
        extensions.push("\"copy\"");
    }
    let mut script = String::new();
    if !extensions.is_empty() {
        script.push_str(&format!("require [{}];\r\n", extensions.join(", ")));
    }
    if let Some(vacation) = vacation {
        script.push_str(&vacation_rule(vacation, own_addresses));
    }
    if let Some(forwarding) = forwarding {
        for target in &forwarding.targets {
            let copy = if forwarding.keep_copy { ":copy " } else { "" };
            script.push_str(&format!("redirect {copy}{};\r\n", quoted(target.as_str())));
        }
    }
    Some(script)
}

/// The `vacation` command inside its window, answering once a day per
/// sender. The window's ends are compared as `yyyy-mm-dd` text, which
/// sorts in date order.
fn vacation_rule(vacation: &Vacation, own_addresses: &[Address]) -> String {
    let addresses = if own_addresses.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = own_addresses.iter().map(|a| quoted(a.as_str())).collect();
        format!(":addresses [{}] ", list.join(", "))
    };
    let from = vacation
        .from
        .as_ref()
        .map(|from| format!(":from {} ", quoted(from.as_str())))
        .unwrap_or_default();
    // A subject is a header field value: line breaks would fold or inject
    // header fields, so they become spaces.
    let subject: String = vacation
        .subject
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    format!(
        "if allof (currentdate :value \"ge\" \"date\" {start}, currentdate :value \"le\" \"date\" {end}) {{\r\n\
         vacation :days 1 :subject {subject} {addresses}{from}{text};\r\n\
         }}\r\n",
        start = quoted(vacation.start.as_str()),
        end = quoted(vacation.end.as_str()),
        subject = quoted(&subject),
        text = multiline(&vacation.text),
    )
}

/// A quoted string (RFC 5228 §2.4.2): `"` and `\` escaped with `\`.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A multi-line string (RFC 5228 §2.4.2): `text:` CRLF, the lines with a
/// leading `.` doubled (dot-stuffing), then `.` CRLF. Bare CR and LF become
/// CRLF so the terminator is only ever the one written here.
pub fn multiline(text: &str) -> String {
    let mut out = String::from("text:\r\n");
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalized.lines() {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn a_line_of_a_lone_dot_cannot_end_the_text_early() {
        assert_eq!(
            multiline("hello\n.\n..x\r\nend"),
            "text:\r\nhello\r\n..\r\n...x\r\nend\r\n.\r\n"
        );
    }
}
