//! What a first start on the embedded default prints and creates: a demo account whose
//! password is shown once, and how to connect a mail client.

use postamt::auth::{Directory, User, generate_password};
use postamt::config::{Config, Protocol, TlsMode};
use postamt::store::MailBackend;

use super::super::context::Context;
use super::super::failure::Failure;

/// The local part of the account the embedded default creates on first start.
const DEMO_LOCAL_PART: &str = "demo";

/// On a data dir with no users yet, adds the host's domain and `demo@<host>` with a generated
/// password, returned so it can be printed once.
pub fn create_demo_account(
    context: &Context,
    directory: &Directory,
) -> Result<Option<(User, String)>, Failure> {
    if !directory.list_users()?.is_empty() {
        return Ok(None);
    }
    let domain = &context.config.server.hostname;
    if !directory.is_local_domain(domain)? {
        directory.add_domain(domain)?;
    }
    let password = generate_password();
    let user = directory.add_user(&format!("{DEMO_LOCAL_PART}@{domain}"), &password)?;
    context.store()?.create_account(user.id)?;
    Ok(Some((user, password.expose().to_owned())))
}

pub fn print_welcome(config: &Config, demo: Option<&(User, String)>) {
    let data_dir = config.server.data_dir.display();
    println!("postamt is running on the embedded default; data in {data_dir}");
    if let Some((user, password)) = demo {
        println!();
        println!("A demo account was created. Its password is shown only this once:");
        println!("    login:    {}", user.login.as_str());
        println!("    password: {password}");
        println!(
            "Change it with: postamt user passwd {} (POSTAMT_DATA={data_dir})",
            user.login.as_str()
        );
    }
    println!();
    println!("Connect a mail client to {} with:", config.server.hostname);
    for (label, protocol) in [
        ("IMAP", Protocol::Imap),
        ("POP3", Protocol::Pop3),
        ("SMTP", Protocol::Submission),
    ] {
        let ports: Vec<String> = config
            .listeners
            .iter()
            .filter(|listener| listener.protocol == protocol)
            .map(|listener| {
                let tls = match listener.tls {
                    TlsMode::Implicit => "SSL/TLS",
                    TlsMode::StartTls => "STARTTLS",
                };
                format!("port {} ({tls})", listener.address.port())
            })
            .collect();
        if !ports.is_empty() {
            println!("    {label:<5} {}", ports.join(" or "));
        }
    }
    println!(
        "The certificate is self-signed ({}): accept it in the client.",
        config.certificate_files().certificate.display()
    );
    println!("Stop with Ctrl-C.");
}
