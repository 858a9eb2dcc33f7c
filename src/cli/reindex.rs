//! `postamt reindex USER`: rebuild one user's index from their message files (DESIGN.md
//! invariant 2). Safe while the daemon runs.

use anyhow::anyhow;
use postamt::store::{MailBackend, ReindexReport};

use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};

pub fn run(context: &Context, user: &str) -> CommandResult {
    let directory = context.directory()?;
    let account = directory
        .user(user)?
        .ok_or_else(|| Failure::new(Exit::NoUser, anyhow!("no such user: {user}")))?;
    let report = context.store()?.reindex(account.id)?;
    println!("{}: {}", account.login.as_str(), describe(&report));
    Ok(())
}

fn describe(report: &ReindexReport) -> String {
    let rebuilt = if report.rebuilt {
        "index rebuilt from the files (new UIDVALIDITY: clients resynchronise); "
    } else {
        ""
    };
    format!(
        "{rebuilt}{} message(s) indexed, {} missing message(s) expunged, {} leftover file(s) \
         removed, {} mailbox(es) recovered",
        report.indexed, report.expunged, report.removed, report.mailboxes_recovered
    )
}
