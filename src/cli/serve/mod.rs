//! `postamt serve`: the daemon. Binds every listener, starts the queue worker, then serves until
//! SIGTERM; SIGHUP reloads. On the embedded default it also makes the first start usable: a demo
//! account whose password is printed once, and a note on how to connect a client.

mod mail;
mod welcome;

use std::sync::Arc;

use anyhow::anyhow;
use postamt::auth::{Authenticator, ThrottleSettings, User};
use postamt::config::{AuthSection, Protocol};
use postamt::imap::ImapHandler;
use postamt::logging;
use postamt::managesieve::{ManageSieveHandler, SieveCompiler};
use postamt::pop3::Pop3Handler;
use postamt::server::{Handlers, ProtocolHandler, Server, ServerError};
use postamt::smtp::SmtpHandler;
use postamt::store::Store;

use super::context::{ConfigSource, Context};
use super::failure::{CommandResult, Exit, Failure};
use mail::MailSystem;

pub fn run(context: Context) -> CommandResult {
    return_large_blocks_to_the_system();
    logging::init(&context.config.log).map_err(|e| Failure::new(Exit::Config, e))?;
    let directory = context.directory()?;
    let demo = match context.source {
        ConfigSource::EmbeddedDefault => welcome::create_demo_account(&context, &directory)?,
        ConfigSource::File(_) => None,
    };
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::new(Exit::Software, anyhow!("cannot start the runtime: {e}")))?;
    let store = Store::new(Arc::new(context.store()?));
    let directory = Arc::new(directory);
    let authenticator = Arc::new(Authenticator::new(
        Arc::clone(&directory),
        throttle_settings(&context.config.auth),
    ));
    // The resolvers the mail system builds need the runtime around them.
    let _runtime = runtime.enter();
    let mail = MailSystem::open(&context.config, store.clone(), Arc::clone(&directory))?;
    let mut smtp = SmtpHandler::new(
        store.clone(),
        Arc::clone(&authenticator),
        mail.spool.clone(),
    );
    if let Some(srs) = &mail.srs {
        smtp = smtp.with_srs(Arc::clone(srs));
    }
    smtp = smtp.with_dkim(Arc::clone(&mail.dkim));
    if let Some(check) = &mail.inbound_check {
        smtp = smtp.with_inbound_check(Arc::clone(check));
    }
    let smtp: Arc<dyn ProtocolHandler> = Arc::new(smtp);
    let handlers = Handlers::default()
        .with(
            Protocol::Imap,
            Arc::new(
                ImapHandler::new(store.clone(), authenticator.clone())
                    .with_training(Arc::new(Arc::clone(&mail.training))),
            ),
        )
        .with(
            Protocol::Pop3,
            Arc::new(Pop3Handler::new(store, Arc::clone(&authenticator))),
        )
        .with(Protocol::Smtp, Arc::clone(&smtp))
        .with(Protocol::Submission, smtp)
        .with(
            Protocol::ManageSieve,
            Arc::new(ManageSieveHandler::new(
                Arc::clone(&authenticator),
                Arc::clone(&mail.scripts),
                Arc::new(SieveCompiler),
            )),
        );
    runtime.block_on(serve(context, demo, handlers, mail))
}

/// The login throttle as `[auth]` configures it.
fn throttle_settings(auth: &AuthSection) -> ThrottleSettings {
    ThrottleSettings {
        free_failures: auth.throttle_failures_before_delay,
        base_delay: auth.throttle_base_delay.duration(),
        max_delay: auth.throttle_max_delay.duration(),
        quiet_period: auth.throttle_forget_after.duration(),
        max_tracked_keys: usize::try_from(auth.throttle_max_tracked).unwrap_or(usize::MAX),
    }
}

async fn serve(
    context: Context,
    demo: Option<(User, String)>,
    handlers: Handlers,
    mail: MailSystem,
) -> CommandResult {
    let config_path = match &context.source {
        ConfigSource::File(path) => Some(path.clone()),
        ConfigSource::EmbeddedDefault => None,
    };
    let embedded = config_path.is_none();
    let server = Server::bind(context.config.clone(), config_path, handlers)
        .await
        .map_err(server_failure)?;
    let _signals = server.handle_signals().map_err(server_failure)?;
    let background = mail.start(&context.config, &server.shutdown_signal())?;
    if embedded {
        welcome::print_welcome(&context.config, demo.as_ref());
    }
    server.run().await;
    background.finish().await;
    Ok(())
}

fn server_failure(error: ServerError) -> Failure {
    let exit = match error {
        ServerError::Bind { .. } | ServerError::Signal { .. } => Exit::OsErr,
        ServerError::Tls(_) | ServerError::Config(_) => Exit::Config,
        ServerError::Blocking(_) => Exit::Software,
    };
    Failure::new(exit, error)
}

/// Every login hashes with argon2id in a 19 MiB buffer. glibc raises its mmap threshold after
/// freeing such a block, so later buffers come from heap arenas that stay resident: measured
/// with 1,000 idle IMAP sessions, 845 KiB per connection instead of 28 KiB (bench/README.md).
/// A fixed threshold keeps large buffers mmapped and returned when freed.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const MMAP_THRESHOLD: libc::c_int = 128 * 1024;
        // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}
