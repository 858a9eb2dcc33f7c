//! IMAP IDLE memory benchmark: opens IMAP_BENCH_IDLERS connections (default
//! 1,000, fewer if the fd limit is lower) over implicit TLS to a real daemon,
//! each logged in as the same user, SELECT INBOX, IDLE. Reports the daemon's
//! resident memory (VmRSS) per idle connection, then appends one message
//! from another connection and counts the idlers told `EXISTS` within 5 s.
//! The daemon fixes glibc's mmap threshold itself at start (see
//! `src/cli/serve.rs`); without that, argon2's 19 MiB login buffer raised the
//! dynamic threshold and what it freed stayed resident.
//!
//! Run: `cargo bench --bench imap_idle` (release build).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Barrier, Semaphore};

#[path = "../tests/corpus/mod.rs"]
mod corpus;
#[path = "imap_support.rs"]
mod imap_support;

use imap_support::{Client, Daemon, DaemonLimits, Error, env_number, raise_fd_limit};

/// Logins at once while connecting (IMAP_BENCH_LOGINS_AT_ONCE): argon2
/// verification is the slow part and its memory the largest.
const CONCURRENT_LOGINS: u64 = 4;
/// How long an idler waits for the `EXISTS` of the appended message.
const WAKE_WITHIN: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> Result<(), Error> {
    let fd_limit = raise_fd_limit();
    let at_once =
        usize::try_from(env_number("IMAP_BENCH_LOGINS_AT_ONCE", CONCURRENT_LOGINS))?.max(1);
    // Each connection is one fd in the daemon and one here; keep headroom for
    // the store, the listeners and the runtime.
    let ceiling = fd_limit.saturating_sub(100);
    let idlers = usize::try_from(env_number("IMAP_BENCH_IDLERS", 1000).min(ceiling))?.max(1);
    println!("fd limit {fd_limit}: {idlers} idle connections");
    measure(idlers, at_once).await
}

/// One daemon, `idlers` idle connections made `at_once` at a time.
async fn measure(idlers: usize, at_once: usize) -> Result<(), Error> {
    let sessions = u32::try_from(idlers + 1)?;
    let mut daemon = Daemon::configure(&DaemonLimits {
        connections: sessions,
        sessions_per_account: sessions,
    })?;
    let login = daemon.add_user("idle")?;
    daemon.serve()?;
    let connector = daemon.connector()?;

    let mut appender = Client::login(daemon.address, &connector, &login).await?;
    appender.command("SELECT INBOX").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cold = daemon.resident_kib()?;
    // Argon2 takes 19 MiB per verification and the allocator keeps what it
    // freed, so the baseline is taken after as many logins at once as the
    // idlers will make: what remains is the memory the connections hold.
    let mut warm_up = tokio::task::JoinSet::new();
    for _ in 0..at_once {
        let (address, connector, login) = (daemon.address, connector.clone(), login.clone());
        warm_up.spawn(async move {
            let mut client = Client::login(address, &connector, &login).await?;
            client.command("LOGOUT").await?;
            Ok::<_, Error>(())
        });
    }
    while let Some(joined) = warm_up.join_next().await {
        joined??;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = daemon.resident_kib()?;
    println!(
        "daemon VmRSS: {cold} KiB after start and one login, {before} KiB after \
         {at_once} logins at once"
    );

    let started = Instant::now();
    let logins = Arc::new(Semaphore::new(at_once));
    let all_idle = Arc::new(Barrier::new(idlers + 1));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..idlers {
        let (address, connector, login) = (daemon.address, connector.clone(), login.clone());
        let (logins, all_idle) = (Arc::clone(&logins), Arc::clone(&all_idle));
        tasks.spawn(async move {
            let client = async {
                let _permit = logins.acquire().await?;
                let mut client = Client::login(address, &connector, &login).await?;
                client.command("SELECT INBOX").await?;
                client.idle().await?;
                Ok::<_, Error>(client)
            }
            .await;
            all_idle.wait().await;
            let mut client = client?;
            let woken = tokio::time::timeout(WAKE_WITHIN, async {
                loop {
                    let response = client.read_response().await?;
                    if response.ends_with(b" EXISTS") {
                        return Ok::<_, Error>(());
                    }
                }
            })
            .await;
            Ok::<_, Error>(matches!(woken, Ok(Ok(()))))
        });
    }
    all_idle.wait().await;
    let connected = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = daemon.resident_kib()?;
    println!(
        "{idlers} connections logged in, selected and idling after {:.1} s",
        connected.as_secs_f64()
    );
    println!(
        "daemon VmRSS: {before} KiB before, {after} KiB after: {:.1} KiB per idle connection",
        after.saturating_sub(before) as f64 / idlers as f64
    );

    let message = corpus::wire_messages()
        .into_iter()
        .next()
        .ok_or("the corpus is empty")?;
    let appended = Instant::now();
    appender.append("INBOX", &message).await?;
    let (mut woken, mut failed) = (0usize, 0usize);
    while let Some(joined) = tasks.join_next().await {
        match joined? {
            Ok(true) => woken += 1,
            Ok(false) => {}
            Err(error) => {
                failed += 1;
                if failed == 1 {
                    println!("first failed idler: {error}");
                }
            }
        }
    }
    println!(
        "one APPEND: {woken} of {idlers} idlers saw EXISTS within {} s ({failed} failed to idle); \
         all answers in {:.2} s",
        WAKE_WITHIN.as_secs(),
        appended.elapsed().as_secs_f64()
    );
    Ok(())
}
