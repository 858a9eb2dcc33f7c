//! `postamt user add|passwd|quota|list|disable|enable|delete`: the directory entry and the mail store
//! of an account change together.

use anyhow::anyhow;
use postamt::auth::{Password, generate_password};
use postamt::store::MailBackend;

use super::args::UserCommand;
use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};
use super::password::read_new_password;

pub fn run(context: &Context, command: UserCommand) -> CommandResult {
    let directory = context.directory()?;
    match command {
        UserCommand::Add {
            address,
            password,
            quota,
        } => {
            let quota = quota.as_deref().map(parse_size).transpose()?;
            let password = Password::new(read_new_password(&password)?);
            let user = directory.add_user(&address, &password)?;
            if quota.is_some() {
                directory.set_quota(user.login.as_str(), quota)?;
            }
            // Without its folders the account would be unusable: undo the directory entry.
            if let Err(error) = context.store()?.create_account(user.id) {
                directory.delete_user(user.login.as_str())?;
                return Err(error.into());
            }
            println!("added user {}", user.login.as_str());
        }
        UserCommand::Passwd {
            address,
            password,
            generate,
        } => {
            let new = if generate {
                generate_password()
            } else {
                Password::new(read_new_password(&password)?)
            };
            directory.set_password(&address, &new)?;
            if generate {
                println!("{}", new.expose());
            } else {
                println!("password of {} changed", address.to_lowercase());
            }
        }
        UserCommand::Quota { address, size } => {
            let quota = match size.as_str() {
                "none" => None,
                size => Some(parse_size(size)?),
            };
            directory.set_quota(&address, quota)?;
            let shown = quota.map_or_else(|| "unlimited".to_owned(), format_size);
            println!("quota of {} is {shown}", address.to_lowercase());
        }
        UserCommand::List => {
            for user in directory.list_users()? {
                let state = if user.enabled { "enabled" } else { "disabled" };
                let quota = user
                    .quota_bytes
                    .map_or_else(|| "unlimited".to_owned(), format_size);
                println!("{}\t{state}\tquota {quota}", user.login.as_str());
            }
        }
        UserCommand::Disable { address } => {
            directory.set_enabled(&address, false)?;
            println!("disabled {}", address.to_lowercase());
        }
        UserCommand::Enable { address } => {
            directory.set_enabled(&address, true)?;
            println!("enabled {}", address.to_lowercase());
        }
        UserCommand::Delete { address } => {
            let user = directory.delete_user(&address)?;
            context.store()?.delete_account(user.id)?;
            println!("deleted user {} and their mail", user.login.as_str());
        }
    }
    Ok(())
}

/// `2G`, `500M`, `64k` or a plain number of bytes (binary multiples, as `du -h` shows them).
fn parse_size(text: &str) -> Result<u64, Failure> {
    let invalid = || {
        Failure::new(
            Exit::DataErr,
            anyhow!("--quota {text}: expected a size such as 2G, 500M, 64K or a number of bytes"),
        )
    };
    let trimmed = text.trim();
    let (digits, shift) = match trimmed.char_indices().last() {
        Some((at, unit)) if unit.is_ascii_alphabetic() => {
            let shift = match unit.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(invalid()),
            };
            (&trimmed[..at], shift)
        }
        _ => (trimmed, 0),
    };
    let number: u64 = digits.trim().parse().map_err(|_| invalid())?;
    number.checked_mul(1 << shift).ok_or_else(invalid)
}

fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 4] = [("T", 40), ("G", 30), ("M", 20), ("K", 10)];
    UNITS
        .iter()
        .find(|(_, shift)| bytes >= 1 << shift && bytes.is_multiple_of(1 << shift))
        .map_or_else(
            || bytes.to_string(),
            |(unit, shift)| format!("{}{unit}", bytes >> shift),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_units_in_either_case() {
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert_eq!(parse_size("500m").unwrap(), 500 << 20);
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
    }

    #[test]
    fn sizes_refuse_unknown_units_and_overflow() {
        assert!(parse_size("3X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn listed_sizes_use_the_largest_exact_unit() {
        assert_eq!(format_size(2 << 30), "2G");
        assert_eq!(format_size(1536 << 10), "1536K");
        assert_eq!(format_size(1000), "1000");
    }
}
