//! `postamt check-config`: is the configuration valid, and where was it read from?
//! It reads the certificate files it names but writes nothing, so it is safe to run as
//! systemd's ExecStartPre before the data dir exists.

use postamt::config::TlsMode;
use postamt::server::TlsHandle;

use super::context::{ConfigSource, Context};
use super::failure::{CommandResult, Exit, Failure};

pub fn run(context: &Context) -> CommandResult {
    match &context.source {
        ConfigSource::File(path) => println!("{}: ok", path.display()),
        ConfigSource::EmbeddedDefault => println!("no configuration file: the embedded default"),
    }
    println!("data dir: {}", context.data_dir().display());
    let certificate = context.config.certificate_files();
    if certificate.self_signed {
        println!("certificate: self-signed, generated in the data dir on first start");
    } else {
        TlsHandle::load(&certificate, &context.config.server.hostname)
            .map_err(|e| Failure::new(Exit::Config, e))?;
        println!("certificate: {} (loads)", certificate.certificate.display());
    }
    for listener in &context.config.listeners {
        let tls = match listener.tls {
            TlsMode::Implicit => "implicit TLS",
            TlsMode::StartTls => "STARTTLS",
        };
        println!(
            "listener: {} on {} ({tls})",
            listener.protocol, listener.address
        );
    }
    Ok(())
}
