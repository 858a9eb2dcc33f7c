//! `postamt spam train USER --spam DIR --ham DIR` and `postamt spam check
//! FILE`: the anti-spam classifier from the command line. Training takes
//! the same path as IMAP training (`Classifier::train`), so a message
//! trained here and later filed over IMAP is counted once. Safe while the
//! daemon runs (SQLite in WAL mode).

use std::path::Path;

use anyhow::anyhow;
use postamt::antispam::{
    Classifier, Label, Scope, Thresholds, Trained, analyse, read_bounded, strip_mbox_line,
};

use super::args::SpamCommand;
use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};

pub fn run(context: &Context, command: SpamCommand) -> CommandResult {
    context.prepare_data_dir()?;
    let classifier = Classifier::open(context.data_dir());
    let settings = &context.config.antispam;
    match command {
        SpamCommand::Train { user, spam, ham } => {
            let scope = match user.as_deref() {
                None | Some("global") => Scope::Global,
                Some(login) => {
                    let account = context.directory()?.user(login)?.ok_or_else(|| {
                        Failure::new(Exit::NoUser, anyhow!("no such user: {login}"))
                    })?;
                    Scope::User(account.id)
                }
            };
            for (dir, label) in [(spam, Label::Spam), (ham, Label::Ham)] {
                if let Some(dir) = dir {
                    let counts = train_dir(&classifier, scope, &dir, label, settings.scan_limit)?;
                    println!(
                        "{}: {} learnt, {} moved from the other side, {} already known",
                        dir.display(),
                        counts[0],
                        counts[1],
                        counts[2]
                    );
                }
            }
        }
        SpamCommand::Check { file, user } => {
            let account = match user {
                Some(login) => Some(
                    context
                        .directory()?
                        .user(&login)?
                        .ok_or_else(|| {
                            Failure::new(Exit::NoUser, anyhow!("no such user: {login}"))
                        })?
                        .id,
                ),
                None => None,
            };
            let raw = read_bounded(&file, settings.scan_limit)
                .map_err(|e| Failure::new(Exit::IoErr, e))?;
            let analysis = analyse(&classifier, account, strip_mbox_line(&raw))
                .map_err(|e| Failure::new(Exit::IoErr, e))?;
            let thresholds = Thresholds {
                spam: settings.spam_threshold.get(),
                reject: None,
            };
            println!("{}", analysis.status_line(thresholds));
            match analysis.probability {
                Some(p) => println!("classifier: spam probability {p:.3}"),
                None => println!("classifier: not trained enough yet"),
            }
            for reason in &analysis.reasons {
                println!("{:>6.1} {}", reason.score, reason.name);
            }
        }
    }
    Ok(())
}

/// Trains every file of `dir`; counts of learnt, moved and already known.
fn train_dir(
    classifier: &Classifier,
    scope: Scope,
    dir: &Path,
    label: Label,
    limit: u64,
) -> Result<[usize; 3], Failure> {
    let io = |e: std::io::Error| Failure::new(Exit::IoErr, anyhow!("{}: {e}", dir.display()));
    let mut counts = [0; 3];
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if !path.is_file() {
            continue;
        }
        let raw = read_bounded(&path, limit).map_err(io)?;
        let trained = classifier
            .train(scope, strip_mbox_line(&raw), label)
            .map_err(|e| Failure::new(Exit::IoErr, e))?;
        let slot = match trained {
            Trained::Learnt => 0,
            Trained::Moved => 1,
            Trained::Already => 2,
        };
        counts[slot] += 1;
    }
    Ok(counts)
}
