//! SASL (RFC 4422) as a state machine without I/O, shared by IMAP
//! AUTHENTICATE, POP3 AUTH, SMTP AUTH and ManageSieve AUTHENTICATE.
//!
//! Each protocol frames the exchange itself (`+ ` continuations, `334 `
//! replies, quoted strings) and feeds this module the client's base64 text
//! without the line ending: [`SaslExchange::start`] with the optional initial
//! response (SASL-IR, RFC 4959; `=` stands for an empty one), then
//! [`SaslExchange::respond`] for each client line until it yields
//! [`SaslStep::Done`] with the [`Credentials`]. Verifying them is the
//! [`crate::auth::Authenticator`]'s job, not this module's.
//!
//! Mechanisms: PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login: the
//! server prompts `Username:` then `Password:`). Both send the password in
//! clear, so protocols offer them only over TLS or configured loopback.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

use super::password::Password;

/// The longest client response accepted, in base64 characters. RFC 4616
/// asks servers to take fields of 255 octets; this leaves ample room while
/// bounding what a client can make us decode.
pub const DEFAULT_MAX_RESPONSE_LEN: usize = 8 * 1024;

/// What went wrong in a SASL exchange. Every error ends the exchange. The
/// suggested answers: IMAP (RFC 9051 6.2.2, RFC 5530), SMTP (RFC 4954 4, 6).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaslError {
    /// IMAP `NO`, POP3 `-ERR`, SMTP `504 5.5.4`.
    #[error("unsupported SASL mechanism {0:?}")]
    UnsupportedMechanism(String),
    /// The client sent `*` (RFC 4422 3.5). IMAP `BAD`, SMTP `501 5.0.0`.
    #[error("authentication cancelled by the client")]
    Cancelled,
    /// IMAP `BAD`, SMTP `501 5.5.2`.
    #[error("response is not valid base64")]
    MalformedBase64,
    /// IMAP `NO [AUTHENTICATIONFAILED]`, SMTP `535 5.7.8`.
    #[error("malformed PLAIN message")]
    MalformedPlain,
    /// IMAP `NO [AUTHENTICATIONFAILED]`, SMTP `535 5.7.8`.
    #[error("malformed LOGIN response")]
    MalformedLogin,
    /// PLAIN asked to act as another user; postamt allows no proxy
    /// authorization. IMAP `NO [AUTHORIZATIONFAILED]`, SMTP `535 5.7.8`.
    #[error("authorization identity differs from the authentication identity")]
    AuthorizationRefused,
    /// IMAP `BAD [TOOBIG]`, SMTP `500 5.5.6`.
    #[error("response longer than {limit} characters")]
    ResponseTooLong { limit: usize },
    /// The exchange already ended; a bug in the calling protocol, not client input.
    #[error("the SASL exchange has already finished")]
    Finished,
}

/// A SASL mechanism postamt offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Login,
}

impl Mechanism {
    /// The registered name, as advertised.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
        }
    }

    /// Looks up a mechanism by the name a client sent (case-insensitive, as
    /// IMAP, POP3 and SMTP compare them).
    pub fn from_name(name: &str) -> Result<Self, SaslError> {
        advertised_mechanisms()
            .iter()
            .copied()
            .find(|mechanism| mechanism.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| SaslError::UnsupportedMechanism(name.to_owned()))
    }
}

/// The mechanisms every protocol advertises, in order of preference: the
/// one place capability lists (`AUTH=PLAIN`, `AUTH PLAIN LOGIN`, `SASL ...`) come from.
pub fn advertised_mechanisms() -> &'static [Mechanism] {
    &[Mechanism::Plain, Mechanism::Login]
}

/// What a client proved it knows: an authentication identity and a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub authcid: String,
    pub password: Password,
}

/// What the protocol does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslStep {
    /// Send this challenge, already base64-encoded (empty for PLAIN's empty challenge).
    Challenge(String),
    /// The exchange is complete.
    Done(Credentials),
}

#[derive(Debug)]
enum State {
    Start,
    AwaitPlainMessage,
    AwaitUsername,
    AwaitPassword { username: String },
    Finished,
}

/// One SASL exchange.
#[derive(Debug)]
pub struct SaslExchange {
    mechanism: Mechanism,
    state: State,
    max_response_len: usize,
}

impl SaslExchange {
    pub fn new(mechanism: Mechanism) -> Self {
        Self {
            mechanism,
            state: State::Start,
            max_response_len: DEFAULT_MAX_RESPONSE_LEN,
        }
    }

    /// Bounds the length of each client response (base64 characters).
    pub fn with_max_response_len(mut self, max_response_len: usize) -> Self {
        self.max_response_len = max_response_len;
        self
    }

    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Begins the exchange, with the initial response if the client sent one
    /// (RFC 4959; `=` is an empty initial response).
    pub fn start(&mut self, initial_response: Option<&[u8]>) -> Result<SaslStep, SaslError> {
        if !matches!(self.state, State::Start) {
            return Err(SaslError::Finished);
        }
        self.state = match self.mechanism {
            Mechanism::Plain => State::AwaitPlainMessage,
            Mechanism::Login => State::AwaitUsername,
        };
        match initial_response {
            Some(b"=") => self.advance(Vec::new()),
            Some(response) => {
                let decoded = self.decode(response)?;
                self.advance(decoded)
            }
            None => Ok(self.challenge()),
        }
    }

    /// Feeds one client response line (without CRLF). `*` cancels.
    pub fn respond(&mut self, line: &[u8]) -> Result<SaslStep, SaslError> {
        if matches!(self.state, State::Start | State::Finished) {
            return Err(SaslError::Finished);
        }
        if line == b"*" {
            self.state = State::Finished;
            return Err(SaslError::Cancelled);
        }
        let decoded = self.decode(line)?;
        self.advance(decoded)
    }

    /// Strict base64 (RFC 4648 4, canonical padding, no whitespace), with the
    /// length checked before anything is allocated.
    fn decode(&mut self, text: &[u8]) -> Result<Vec<u8>, SaslError> {
        if text.len() > self.max_response_len {
            self.state = State::Finished;
            return Err(SaslError::ResponseTooLong {
                limit: self.max_response_len,
            });
        }
        STANDARD.decode(text).map_err(|_| {
            self.state = State::Finished;
            SaslError::MalformedBase64
        })
    }

    fn advance(&mut self, response: Vec<u8>) -> Result<SaslStep, SaslError> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        match state {
            State::AwaitPlainMessage => parse_plain(&response).map(SaslStep::Done),
            State::AwaitUsername => {
                let username =
                    String::from_utf8(response).map_err(|_| SaslError::MalformedLogin)?;
                if username.is_empty() {
                    return Err(SaslError::MalformedLogin);
                }
                self.state = State::AwaitPassword { username };
                Ok(self.challenge())
            }
            State::AwaitPassword { username } => {
                let password =
                    String::from_utf8(response).map_err(|_| SaslError::MalformedLogin)?;
                Ok(SaslStep::Done(Credentials {
                    authcid: username,
                    password: Password::new(password),
                }))
            }
            State::Start | State::Finished => Err(SaslError::Finished),
        }
    }

    fn challenge(&self) -> SaslStep {
        let prompt: &[u8] = match self.state {
            State::AwaitUsername => b"Username:",
            State::AwaitPassword { .. } => b"Password:",
            State::Start | State::AwaitPlainMessage | State::Finished => b"",
        };
        SaslStep::Challenge(STANDARD.encode(prompt))
    }
}

/// RFC 4616 2: `[authzid] NUL authcid NUL passwd`, UTF-8, authcid and passwd
/// not empty. An authzid other than the authcid is refused (no proxy logins).
fn parse_plain(message: &[u8]) -> Result<Credentials, SaslError> {
    let mut fields = message.split(|&byte| byte == 0);
    let (Some(authzid), Some(authcid), Some(passwd), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(SaslError::MalformedPlain);
    };
    let utf8 =
        |field: &[u8]| String::from_utf8(field.to_vec()).map_err(|_| SaslError::MalformedPlain);
    let (authzid, authcid, passwd) = (utf8(authzid)?, utf8(authcid)?, utf8(passwd)?);
    if authcid.is_empty() || passwd.is_empty() {
        return Err(SaslError::MalformedPlain);
    }
    // Logins are case-insensitive, so `Alice@x` may authorize as `alice@x`.
    if !authzid.is_empty() && authzid.to_lowercase() != authcid.to_lowercase() {
        return Err(SaslError::AuthorizationRefused);
    }
    Ok(Credentials {
        authcid,
        password: Password::new(passwd),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &[u8]) -> Vec<u8> {
        STANDARD.encode(text).into_bytes()
    }

    fn done(step: SaslStep) -> Credentials {
        match step {
            SaslStep::Done(credentials) => credentials,
            SaslStep::Challenge(challenge) => {
                panic!("expected credentials, got challenge {challenge:?}")
            }
        }
    }

    fn alice() -> Credentials {
        Credentials {
            authcid: "alice@example.org".into(),
            password: Password::new("s3cret"),
        }
    }

    #[test]
    fn plain_without_initial_response_sends_empty_challenge_then_completes() {
        let mut exchange = SaslExchange::new(Mechanism::Plain);
        assert_eq!(exchange.start(None), Ok(SaslStep::Challenge(String::new())));
        let step = exchange
            .respond(&b64(b"\0alice@example.org\0s3cret"))
            .unwrap();
        assert_eq!(done(step), alice());
    }

    #[test]
    fn plain_with_initial_response_completes_at_once() {
        let mut exchange = SaslExchange::new(Mechanism::Plain);
        let step = exchange
            .start(Some(&b64(b"\0alice@example.org\0s3cret")))
            .unwrap();
        assert_eq!(done(step), alice());
    }

    #[test]
    fn plain_with_authzid_equal_to_authcid_is_accepted() {
        let mut exchange = SaslExchange::new(Mechanism::Plain);
        let step = exchange
            .start(Some(&b64(b"Alice@example.org\0alice@example.org\0s3cret")))
            .unwrap();
        assert_eq!(done(step), alice());
    }

    #[test]
    fn plain_with_other_authzid_is_refused() {
        let mut exchange = SaslExchange::new(Mechanism::Plain);
        let result = exchange.start(Some(&b64(b"bob@example.org\0alice@example.org\0s3cret")));
        assert_eq!(result, Err(SaslError::AuthorizationRefused));
    }

    #[test]
    fn empty_initial_response_is_an_empty_plain_message() {
        let mut exchange = SaslExchange::new(Mechanism::Plain);
        assert_eq!(exchange.start(Some(b"=")), Err(SaslError::MalformedPlain));
    }

    #[test]
    fn plain_message_with_wrong_field_count_or_empty_fields_is_malformed() {
        for message in [
            &b"alice\0s3cret"[..],
            b"\0alice\0s3cret\0x",
            b"\0\0s3cret",
            b"\0alice\0",
            b"\0al\xffice\0pw",
        ] {
            let mut exchange = SaslExchange::new(Mechanism::Plain);
            assert_eq!(
                exchange.start(Some(&b64(message))),
                Err(SaslError::MalformedPlain),
                "{message:?}"
            );
        }
    }

    #[test]
    fn login_prompts_for_username_then_password() {
        let mut exchange = SaslExchange::new(Mechanism::Login);
        assert_eq!(
            exchange.start(None),
            Ok(SaslStep::Challenge("VXNlcm5hbWU6".into()))
        );
        assert_eq!(
            exchange.respond(&b64(b"alice@example.org")),
            Ok(SaslStep::Challenge("UGFzc3dvcmQ6".into()))
        );
        assert_eq!(done(exchange.respond(&b64(b"s3cret")).unwrap()), alice());
    }

    #[test]
    fn login_initial_response_is_the_username() {
        let mut exchange = SaslExchange::new(Mechanism::Login);
        let step = exchange.start(Some(&b64(b"alice@example.org"))).unwrap();
        assert_eq!(step, SaslStep::Challenge("UGFzc3dvcmQ6".into()));
        assert_eq!(done(exchange.respond(&b64(b"s3cret")).unwrap()), alice());
    }

    #[test]
    fn star_cancels_and_ends_the_exchange() {
        let mut exchange = SaslExchange::new(Mechanism::Login);
        exchange.start(None).unwrap();
        assert_eq!(exchange.respond(b"*"), Err(SaslError::Cancelled));
        assert_eq!(exchange.respond(&b64(b"alice")), Err(SaslError::Finished));
    }

    #[test]
    fn malformed_base64_is_refused() {
        for line in [&b"not base64!"[..], b"YWxpY2U", b"YWxp Y2U=", b"YWxpY2U=\r"] {
            let mut exchange = SaslExchange::new(Mechanism::Login);
            exchange.start(None).unwrap();
            assert_eq!(
                exchange.respond(line),
                Err(SaslError::MalformedBase64),
                "{line:?}"
            );
        }
    }

    #[test]
    fn oversize_response_is_refused_before_decoding() {
        let mut exchange = SaslExchange::new(Mechanism::Plain).with_max_response_len(16);
        exchange.start(None).unwrap();
        let long = b64(&[b'a'; 13]);
        assert_eq!(
            exchange.respond(&long),
            Err(SaslError::ResponseTooLong { limit: 16 })
        );
    }

    #[test]
    fn response_at_the_limit_is_accepted() {
        let message = b"\0alice@example.org\0s3cret";
        let encoded = b64(message);
        let mut exchange = SaslExchange::new(Mechanism::Plain).with_max_response_len(encoded.len());
        assert_eq!(done(exchange.start(Some(&encoded)).unwrap()), alice());
    }

    #[test]
    fn mechanism_names_are_case_insensitive_and_unknown_ones_refused() {
        assert_eq!(Mechanism::from_name("plain"), Ok(Mechanism::Plain));
        assert_eq!(Mechanism::from_name("LOGIN"), Ok(Mechanism::Login));
        assert_eq!(
            Mechanism::from_name("CRAM-MD5"),
            Err(SaslError::UnsupportedMechanism("CRAM-MD5".into()))
        );
    }

    #[test]
    fn advertised_mechanisms_are_the_supported_ones() {
        let names: Vec<_> = advertised_mechanisms().iter().map(|m| m.name()).collect();
        assert_eq!(names, ["PLAIN", "LOGIN"]);
    }

    #[test]
    fn credentials_debug_hides_the_password() {
        assert!(!format!("{:?}", alice()).contains("s3cret"));
    }
}
