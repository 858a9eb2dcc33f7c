//! The command line, as clap sees it. Only shapes and help texts live here; each command's
//! behaviour is in its own module.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes (sysexits.h):
  0   success
  2   the command line itself is wrong
  65  bad input: an invalid address, name or password, or something that already exists
  67  no such user, domain or alias
  71  the system refused: a port is in use or cannot be bound
  73  the data directory cannot be created or written
  74  the stored data cannot be read or written
  75  temporary failure (the database is busy): try again
  78  the configuration file is invalid";

/// postamt: a mail server (IMAP, POP3, SMTP) with a crash-safe maildir + SQLite store.
///
/// Every command works on the data directory named by the configuration. Without
/// --config (or POSTAMT_CONFIG), /etc/postamt/postamt.toml is used when it exists;
/// otherwise the embedded default: data in ./postamt-data (or $POSTAMT_DATA).
#[derive(Debug, Parser)]
#[command(name = "postamt", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "POSTAMT_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the mail server in the foreground until SIGTERM (SIGHUP reloads).
    ///
    /// With no configuration file it runs the embedded default: a data dir, a
    /// self-signed certificate and a demo account, created on first start.
    Serve,
    /// Add, change, list and remove mail users.
    #[command(subcommand)]
    User(UserCommand),
    /// The mail domains this server receives mail for.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Addresses that deliver to one or more users; `@domain` is a catch-all.
    #[command(subcommand)]
    Alias(AliasCommand),
    /// The mail queue: messages waiting for delivery or retry.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Users' Sieve filter scripts, and the admin's and global scripts.
    #[command(subcommand)]
    Sieve(SieveCommand),
    /// A user's out-of-office reply.
    #[command(subcommand)]
    Vacation(VacationCommand),
    /// A user's automatic forwarding.
    #[command(subcommand)]
    Forward(ForwardCommand),
    /// The anti-spam classifier: train it from folders of messages, or score one.
    #[command(subcommand)]
    Spam(SpamCommand),
    /// Check the configuration file and print where it was read from.
    CheckConfig,
    /// Rebuild a user's mail index from the message files, losing no message.
    Reindex {
        /// The user's address.
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the address is also the login name. Asks for the password.
    Add {
        /// The user's address, e.g. alice@example.org; its domain must have been added.
        address: String,
        #[command(flatten)]
        password: PasswordSource,
        /// Mailbox quota, e.g. 2G, 500M or 1048576 (bytes); none means unlimited.
        #[arg(long, value_name = "SIZE")]
        quota: Option<String>,
    },
    /// Set a user's password.
    Passwd {
        address: String,
        #[command(flatten)]
        password: PasswordSource,
        /// Generate a random password, set it and print it.
        #[arg(long, conflicts_with = "password_stdin")]
        generate: bool,
    },
    /// Set a user's mailbox quota; mail over it is refused (IMAP OVERQUOTA, SMTP 452).
    Quota {
        address: String,
        /// e.g. 2G, 500M or 1048576 (bytes), or "none" for unlimited.
        #[arg(value_name = "SIZE|none")]
        size: String,
    },
    /// List users with their state and quota.
    List,
    /// Refuse logins and deliveries for a user; mail is kept.
    Disable { address: String },
    /// Allow a disabled user again.
    Enable { address: String },
    /// Remove a user and all of their mail.
    Delete { address: String },
}

/// Where a password comes from: never from the command line itself, where any
/// local user could read it in the process list.
#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input instead of a prompt.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Receive mail for a domain.
    Add { name: String },
    /// List the domains.
    List,
    /// Stop serving a domain (refused while users or aliases use it).
    Delete { name: String },
    /// Create the DKIM keys that sign mail from a domain and print the DNS records to publish.
    ///
    /// Makes an ed25519 key (RFC 8463) and an RSA-2048 key, stored as
    /// <data_dir>/dkim/<domain>/<S>-ed25519.ed25519.pem and <S>-rsa.rsa.pem (mode 0600), and
    /// prints the two TXT records: <S>-ed25519._domainkey.<domain> and <S>-rsa._domainkey.<domain>.
    /// Mail submitted from the domain is signed with both keys from then on, by a running server
    /// too (no restart): publish the records before sending, or receivers find no key.
    #[command(name = "dkim-keygen")]
    DkimKeygen {
        /// A domain this server hosts.
        domain: String,
        /// The selector base S; the selectors are S-ed25519 and S-rsa.
        #[arg(long, value_name = "S", default_value = "postamt")]
        selector: String,
        /// Replace the domain's existing keys (their DNS records stop verifying).
        #[arg(long)]
        force: bool,
    },
    /// Print the DNS TXT records of a domain's DKIM keys again.
    #[command(name = "dkim-show")]
    DkimShow { domain: String },
}

#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// Deliver mail for ADDRESS to the given users (adds to an existing alias).
    Add {
        /// The alias address, or @domain for a catch-all.
        address: String,
        /// The users' addresses.
        #[arg(required = true)]
        users: Vec<String>,
    },
    /// List the aliases and whom they deliver to.
    List,
    /// Remove an alias, or only one user from it.
    Delete {
        address: String,
        /// Remove only this user from the alias.
        user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// List queued messages with each recipient's state, attempts, next
    /// attempt and last error.
    List,
    /// Make every deferred recipient due now; the running daemon picks them
    /// up within seconds.
    Flush,
    /// Remove a message from the queue without a bounce.
    Delete {
        /// The queue id, as `queue list` shows it.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SieveCommand {
    /// List a user's scripts; the active one is marked.
    List { user: String },
    /// Print a script.
    Get { user: String, name: String },
    /// Check and store a script from FILE (or standard input), replacing one of the same name.
    Put {
        user: String,
        name: String,
        file: Option<PathBuf>,
    },
    /// Make a script the one that runs on delivery.
    Activate { user: String, name: String },
    /// Run none of the user's scripts.
    Deactivate { user: String },
    /// Delete a script (not the active one).
    Delete { user: String, name: String },
    /// The admin's scripts, run before or after every user's.
    #[command(subcommand)]
    Admin(SieveAdminCommand),
    /// Scripts every user can `include :global`.
    #[command(subcommand)]
    Global(SieveGlobalCommand),
}

/// Where an admin script runs relative to the user's.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AdminPositionArg {
    Before,
    After,
}

#[derive(Debug, Subcommand)]
pub enum SieveAdminCommand {
    /// Check and store the admin script from FILE.
    Put {
        position: AdminPositionArg,
        file: PathBuf,
    },
    /// Remove the admin script.
    Delete { position: AdminPositionArg },
}

#[derive(Debug, Subcommand)]
pub enum SieveGlobalCommand {
    /// Check and store a global script from FILE.
    Put { name: String, file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum VacationCommand {
    /// Answer mail between two dates (inclusive) with a notice, once per sender a day.
    Set {
        user: String,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        start: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        end: String,
        #[arg(long)]
        subject: String,
        /// The notice's text.
        #[arg(
            long,
            required_unless_present = "text_file",
            conflicts_with = "text_file"
        )]
        text: Option<String>,
        /// Read the notice's text from a file.
        #[arg(long, value_name = "FILE")]
        text_file: Option<PathBuf>,
        /// The notice's From address (default: the user's).
        #[arg(long, value_name = "ADDR")]
        from: Option<String>,
    },
    /// Stop answering (the text is kept).
    Off { user: String },
    /// Print the out-of-office settings.
    Show { user: String },
}

#[derive(Debug, Subcommand)]
pub enum ForwardCommand {
    /// Forward a user's mail to these addresses (refused if it would loop back).
    Set {
        user: String,
        #[arg(required = true)]
        addresses: Vec<String>,
        /// Keep a copy in the user's mailbox too.
        #[arg(long)]
        keep: bool,
    },
    /// Stop forwarding.
    Off { user: String },
    /// Print the forwarding settings.
    Show { user: String },
}

#[derive(Debug, Subcommand)]
pub enum SpamCommand {
    /// Train a user's model (or, with `global` or no user, everyone's) from
    /// directories holding one message per file.
    Train {
        /// The user's address; `global` or none trains the global model.
        user: Option<String>,
        /// A directory of spam.
        #[arg(long)]
        spam: Option<PathBuf>,
        /// A directory of ham (good mail).
        #[arg(long)]
        ham: Option<PathBuf>,
    },
    /// Score one message and print the score and its reasons.
    Check {
        file: PathBuf,
        /// Score with this user's model on top of the global one.
        #[arg(long)]
        user: Option<String>,
    },
}
