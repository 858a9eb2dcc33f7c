//! IMAP responses: typed responses to bytes; the only place that knows quoting and literals.
