//! `postamt vacation set|off|show`: a user's out-of-office settings, which
//! delivery runs as the managed Sieve vacation rule.

use anyhow::anyhow;
use postamt::auth::Address;
use postamt::scripts::{SieveDate, Vacation};

use super::args::VacationCommand;
use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};
use super::sieve::storage;

pub fn run(context: &Context, command: VacationCommand) -> CommandResult {
    let storage = storage(context)?;
    match command {
        VacationCommand::Set {
            user,
            start,
            end,
            subject,
            text,
            text_file,
            from,
        } => {
            let account = storage.account_of(&user)?;
            let text = match (text, text_file) {
                (Some(text), _) => text,
                (None, Some(path)) => std::fs::read_to_string(&path).map_err(|error| {
                    Failure::new(
                        Exit::IoErr,
                        anyhow!("cannot read {}: {error}", path.display()),
                    )
                })?,
                (None, None) => {
                    return Err(Failure::new(
                        Exit::DataErr,
                        anyhow!("--text or --text-file is needed"),
                    ));
                }
            };
            let vacation = Vacation {
                enabled: true,
                start: SieveDate::parse(&start)?,
                end: SieveDate::parse(&end)?,
                subject,
                text,
                from: from
                    .as_deref()
                    .map(Address::parse)
                    .transpose()
                    .map_err(postamt::scripts::ScriptsError::from)?,
            };
            storage.set_vacation(account, &vacation)?;
            println!(
                "out-of-office for {} from {} to {}",
                user.to_lowercase(),
                vacation.start,
                vacation.end
            );
        }
        VacationCommand::Off { user } => {
            storage.disable_vacation(storage.account_of(&user)?)?;
            println!("out-of-office is off for {}", user.to_lowercase());
        }
        VacationCommand::Show { user } => match storage.vacation(storage.account_of(&user)?)? {
            None => println!("enabled\tno"),
            Some(vacation) => {
                println!("enabled\t{}", if vacation.enabled { "yes" } else { "no" });
                println!("start\t{}", vacation.start);
                println!("end\t{}", vacation.end);
                println!("subject\t{}", vacation.subject);
                if let Some(from) = vacation.from {
                    println!("from\t{from}");
                }
                println!("text\n{}", vacation.text);
            }
        },
    }
    Ok(())
}
