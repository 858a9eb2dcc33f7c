use super::{Extensions, write_body, write_envelope};
use crate::imap::response::writer::{Fragment, Mode, Writer};
use crate::message::parse;

fn text(w: Writer) -> String {
    let mut out = Vec::new();
    for fragment in w.finish() {
        if let Fragment::Bytes(b) = fragment {
            out.extend(b);
        }
    }
    String::from_utf8(out).unwrap()
}

fn structure(raw: &str, mode: Mode, ext: Extensions) -> String {
    let meta = parse(raw.as_bytes()).metadata;
    let mut w = Writer::new(mode);
    write_body(&mut w, &meta.body, ext);
    text(w)
}

fn envelope(raw: &str) -> String {
    let meta = parse(raw.as_bytes()).metadata;
    let mut w = Writer::new(Mode::Rev1);
    write_envelope(&mut w, &meta.envelope);
    text(w)
}

#[test]
fn text_part_without_charset_gets_us_ascii() {
    let raw = "Content-Type: text/plain\r\n\r\nhi\r\n";
    assert_eq!(
        structure(raw, Mode::Rev1, Extensions::Without),
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 4 1)"
    );
}

#[test]
fn basic_part_without_params_has_nil_params() {
    let raw = "Content-Type: application/octet-stream\r\n\r\nxx";
    assert_eq!(
        structure(raw, Mode::Rev1, Extensions::With),
        "(\"application\" \"octet-stream\" NIL NIL NIL \"7BIT\" 2 NIL NIL NIL NIL)"
    );
}

const MULTIPART: &str = "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--b\r\n\
Content-Type: image/png; name=a.png\r\nContent-Disposition: attachment; filename=a.png\r\n\
Content-Language: en, de\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n";

#[test]
fn body_omits_extension_data_of_multiparts_and_leaves() {
    assert_eq!(
        structure(MULTIPART, Mode::Rev1, Extensions::Without),
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 5 1)\
(\"image\" \"png\" (\"name\" \"a.png\") NIL NIL \"BASE64\" 4) \"mixed\")"
    );
}

#[test]
fn bodystructure_has_params_disposition_language_location() {
    assert_eq!(
        structure(MULTIPART, Mode::Rev1, Extensions::With),
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)\
(\"image\" \"png\" (\"name\" \"a.png\") NIL NIL \"BASE64\" 4 NIL \
(\"attachment\" (\"filename\" \"a.png\")) (\"en\" \"de\") NIL) \
\"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"
    );
}

const RFC2231: &str = "Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*=utf-8''na%C3%AFve.pdf\r\n\r\nx";

#[test]
fn non_ascii_parameter_is_rfc2231_encoded_for_rev1() {
    let out = structure(RFC2231, Mode::Rev1, Extensions::With);
    assert!(
        out.contains("(\"attachment\" (\"filename*\" \"utf-8''na%C3%AFve.pdf\"))"),
        "{out}"
    );
}

#[test]
fn non_ascii_parameter_is_utf8_for_utf8_clients() {
    let out = structure(RFC2231, Mode::Utf8, Extensions::With);
    assert!(
        out.contains("(\"attachment\" (\"filename\" \"na\u{ef}ve.pdf\"))"),
        "{out}"
    );
}

#[test]
fn message_rfc822_has_envelope_body_and_lines() {
    let raw = "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n";
    assert_eq!(
        structure(raw, Mode::Rev1, Extensions::Without),
        "(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 24 \
(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) \
(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 6 1) 3)"
    );
}

#[test]
fn envelope_writes_groups_as_markers() {
    let raw = "To: Friends: a@x.org, b@y.org;\r\n\r\n";
    assert_eq!(
        envelope(raw),
        "(NIL NIL NIL NIL NIL ((NIL NIL \"Friends\" NIL)(NIL NIL \"a\" \"x.org\")\
(NIL NIL \"b\" \"y.org\")(NIL NIL NIL NIL)) NIL NIL NIL NIL)"
    );
}

#[test]
fn envelope_sender_and_reply_to_default_to_from() {
    let raw = "From: \"Ann Example\" <ann@example.org>\r\nSubject: \r\n\r\n";
    let from = "((\"Ann Example\" NIL \"ann\" \"example.org\"))";
    assert_eq!(
        envelope(raw),
        format!("(NIL \"\" {from} {from} {from} NIL NIL NIL NIL NIL)")
    );
}

#[test]
fn envelope_with_eight_bit_subject_uses_a_literal_for_rev1() {
    let raw = "Subject: caf\u{e9}\r\n\r\n";
    assert!(envelope(raw).starts_with("(NIL {5}\r\ncaf\u{e9} NIL"));
}

#[test]
fn default_charset_follows_the_other_parameters() {
    let raw = "Content-Type: text/plain; format=flowed\r\n\r\nhi";
    assert_eq!(
        structure(raw, Mode::Rev1, Extensions::Without),
        "(\"text\" \"plain\" (\"format\" \"flowed\" \"charset\" \"us-ascii\") NIL NIL \"7BIT\" 2 1)"
    );
}

#[test]
fn encoded_message_rfc822_still_has_envelope_body_and_lines() {
    let raw = "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\
Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
U3ViamVjdDogaW5uZXINCg0KYm9keQ0K\r\n--x--\r\n";
    assert_eq!(
        structure(raw, Mode::Rev1, Extensions::Without),
        "((\"message\" \"rfc822\" NIL NIL NIL \"BASE64\" 32 \
(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) \
(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 0 0) 0) \"mixed\")"
    );
}
