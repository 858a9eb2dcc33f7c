//! `postamt serve`: the daemon. Binds every listener, starts the queue worker, then serves until
//! SIGTERM; SIGHUP reloads. On the embedded default it also makes the first start usable: a demo
//! account whose password is printed once, and a note on how to connect a client.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use postamt::auth::{Authenticator, Directory, ThrottleSettings, User, generate_password};
use postamt::config::{AuthSection, Config, Protocol, TlsMode};
use postamt::delivery::LocalDelivery;
use postamt::imap::ImapHandler;
use postamt::logging;
use postamt::outbound::{OutboundSettings, OutboundTransport};
use postamt::pop3::Pop3Handler;
use postamt::queue::{QueueSettings, QueueWorker, RemoteTransport, Spool};
use postamt::server::{Handlers, ProtocolHandler, Server, ServerError};
use postamt::smtp::SmtpHandler;
use postamt::store::{MailBackend, Store};

use super::context::{ConfigSource, Context};
use super::failure::{CommandResult, Exit, Failure};

/// The local part of the account the embedded default creates on first start.
const DEMO_LOCAL_PART: &str = "demo";

pub fn run(context: Context) -> CommandResult {
    return_large_blocks_to_the_system();
    logging::init(&context.config.log).map_err(|e| Failure::new(Exit::Config, e))?;
    let directory = context.directory()?;
    let demo = match context.source {
        ConfigSource::EmbeddedDefault => create_demo_account(&context, &directory)?,
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
    // Opening the spool finishes what a crash left: before any client is answered.
    let spool = Spool::open(&context.config.server.data_dir)
        .map_err(|e| Failure::new(Exit::IoErr, anyhow!("cannot open the queue: {e}")))?;
    let smtp: Arc<dyn ProtocolHandler> = Arc::new(SmtpHandler::new(
        store.clone(),
        Arc::clone(&authenticator),
        spool.clone(),
    ));
    let handlers = Handlers::default()
        .with(
            Protocol::Imap,
            Arc::new(ImapHandler::new(store.clone(), authenticator.clone())),
        )
        .with(
            Protocol::Pop3,
            Arc::new(Pop3Handler::new(store.clone(), authenticator)),
        )
        .with(Protocol::Smtp, Arc::clone(&smtp))
        .with(Protocol::Submission, smtp);
    let queue = QueueParts {
        spool,
        delivery: Arc::new(LocalDelivery::new(store, directory)),
    };
    runtime.block_on(serve(context, demo, handlers, queue))
}

/// What the queue worker runs on besides the configuration.
struct QueueParts {
    spool: Arc<Spool>,
    delivery: Arc<LocalDelivery>,
}

/// How long shutdown waits for the queue worker to record the attempts it cut short.
const QUEUE_STOP_GRACE: Duration = Duration::from_secs(10);

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
    queue: QueueParts,
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
    let outbound = OutboundSettings::from_config(&context.config)
        .and_then(OutboundTransport::new)
        .map_err(|e| Failure::new(Exit::Config, anyhow!("outbound delivery: {e}")))?;
    let transport: Arc<dyn RemoteTransport> = Arc::new(outbound);
    let stop = server.shutdown_signal();
    let worker = QueueWorker::spawn(
        queue.spool,
        queue.delivery,
        transport,
        QueueSettings::from_config(&context.config),
        async move { stop.requested().await },
    );
    if embedded {
        print_welcome(&context.config, demo.as_ref());
    }
    server.run().await;
    if tokio::time::timeout(QUEUE_STOP_GRACE, worker)
        .await
        .is_err()
    {
        tracing::warn!(
            "the queue worker did not stop in time; its attempts resume at the next start"
        );
    }
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

/// On a data dir with no users yet, adds the host's domain and `demo@<host>` with a generated
/// password, returned so it can be printed once.
fn create_demo_account(
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

fn print_welcome(config: &Config, demo: Option<&(User, String)>) {
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
