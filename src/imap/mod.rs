//! IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501): the parser (bytes to typed commands, no I/O),
//! the response writer (typed responses to bytes), and, on top, the session state machine
//! (`session`), its command handlers (`command`), the selected mailbox's view (`view`), the
//! capability list (`capability`) and the server's [`ImapHandler`]. `search` and `mailbox_list`
//! compute SEARCH/SORT/THREAD and LIST/LSUB/STATUS answers without I/O of their own.

pub mod capability;
mod command;
mod handler;
pub mod mailbox_list;
pub mod mailbox_name;
pub mod parser;
pub mod response;
pub mod search;
pub mod session;
pub mod view;

pub use handler::ImapHandler;
pub use session::{Session, SessionContext, SessionSettings};
