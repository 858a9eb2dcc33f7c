//! The anti-spam stage (issue 7): a learning classifier, header and MIME
//! heuristics, and the delivery stage that combines them into a verdict,
//! with training from what users do over IMAP, and the check SMTP runs
//! before it accepts a message on port 25.
//!
//! It owns the per-user and global token models under
//! `data_dir/antispam/`; it never writes a mailbox and never reads a
//! message past its scan limit.

mod assess;
pub mod auth;
pub mod classifier;
mod inbound;
pub mod lists;
mod message;
pub mod rules;
mod score;
mod stage;
pub mod training;

pub use auth::{AuthReport, Client, SenderAuthenticator, client_from_received};
pub use classifier::{Classifier, ClassifierError, Label, Scope, Trained};
pub use inbound::SmtpSpamCheck;
pub use lists::{DnsListLookup, DnsLists, LookupError, LookupFuture};
pub use message::{Scanned, read_bounded, strip_mbox_line};
pub use score::{Analysis, Reason, Thresholds, analyse};
pub use stage::{AntispamStage, smtp_should_reject};
pub use training::{ImapTraining, JunkTraining, Movement, TrainingError};
