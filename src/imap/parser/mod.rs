//! IMAP command parsing: bytes to typed commands, no I/O.
