//! IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501): the parser (bytes to typed commands, no I/O),
//! the response writer (typed responses to bytes), and, on top, the session state machine.

pub mod mailbox_name;
pub mod parser;
pub mod response;
pub mod search;
