//! `postamt domain add|list|delete|dkim-keygen|dkim-show`.

use anyhow::anyhow;
use postamt::auth::{Directory, DomainName};
use postamt::dkim::keys::{self, domain_dir};
use postamt::dkim::{KeyError, KeyRecord, StoredKey};

use super::args::DomainCommand;
use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};

pub fn run(context: &Context, command: DomainCommand) -> CommandResult {
    let directory = context.directory()?;
    match command {
        DomainCommand::Add { name } => {
            let domain = directory.add_domain(&name)?;
            println!("added domain {}", domain.as_str());
        }
        DomainCommand::List => {
            for domain in directory.list_domains()? {
                println!("{}", domain.as_str());
            }
        }
        DomainCommand::Delete { name } => {
            directory.delete_domain(&name)?;
            println!("deleted domain {}", name.to_lowercase());
        }
        DomainCommand::DkimKeygen {
            domain,
            selector,
            force,
        } => {
            let domain = hosted(&directory, &domain)?;
            let stored = keys::generate(context.data_dir(), &domain, &selector, force)
                .map_err(key_failure)?;
            println!(
                "; DKIM keys for {} in {}; publish these TXT records:",
                domain.as_str(),
                domain_dir(context.data_dir(), &domain).display()
            );
            print_records(&domain, &stored)?;
        }
        DomainCommand::DkimShow { domain } => {
            let domain = hosted(&directory, &domain)?;
            let dir = domain_dir(context.data_dir(), &domain);
            let stored = keys::read(&dir).map_err(key_failure)?;
            if stored.is_empty() {
                return Err(key_failure(KeyError::NoKeys {
                    domain: domain.as_str().to_owned(),
                    path: dir,
                }));
            }
            print_records(&domain, &stored)?;
        }
    }
    Ok(())
}

/// The domain, when this server hosts it: keys for any other could sign
/// mail no user here may send.
fn hosted(directory: &Directory, name: &str) -> Result<DomainName, Failure> {
    let domain =
        DomainName::parse(name).map_err(|e| Failure::new(Exit::DataErr, anyhow!("{e}")))?;
    if !directory.is_local_domain(domain.as_str())? {
        return Err(Failure::new(
            Exit::NoUser,
            anyhow!("{} is not a domain of this server", domain.as_str()),
        ));
    }
    Ok(domain)
}

fn print_records(domain: &DomainName, stored: &[StoredKey]) -> CommandResult {
    for key in stored {
        let public = key.public_key().map_err(key_failure)?;
        let record = KeyRecord::new(
            key.selector.clone(),
            domain.as_str(),
            key.algorithm,
            &public,
        );
        println!("{}", record.zone_line());
    }
    Ok(())
}

fn key_failure(error: KeyError) -> Failure {
    let exit = match &error {
        KeyError::InvalidSelector(_) | KeyError::Exists { .. } => Exit::DataErr,
        KeyError::NoKeys { .. } => Exit::NoUser,
        KeyError::Io { .. } | KeyError::BadKey { .. } => Exit::IoErr,
        KeyError::Generate { .. } => Exit::Software,
    };
    Failure::new(exit, error)
}
