//! IMAP load benchmark: N clients (IMAP_BENCH_CLIENTS, default 16), each
//! logged in as its own user over implicit TLS to a real daemon, append
//! IMAP_BENCH_MESSAGES corpus messages (default 100) to their INBOX, then for
//! IMAP_BENCH_SECONDS (default 20) loop: SELECT, FETCH 1:* (FLAGS), UID FETCH
//! n BODY.PEEK[], SEARCH, APPEND, UID STORE +FLAGS, EXPUNGE. Prints
//! operations per second per command and overall, with p50/p99 latency.
//!
//! Run: `cargo bench --bench imap_load` (release build).

use std::time::{Duration, Instant};

use rand::Rng;

#[path = "../tests/corpus/mod.rs"]
mod corpus;
#[path = "imap_support.rs"]
mod imap_support;

use imap_support::{Client, Daemon, DaemonLimits, Error, env_number};

/// The commands of one loop, in order.
const COMMANDS: [&str; 7] = [
    "SELECT",
    "FETCH 1:* (FLAGS)",
    "UID FETCH n BODY.PEEK[]",
    "SEARCH",
    "APPEND",
    "UID STORE +FLAGS",
    "EXPUNGE",
];

/// Latencies of each command, by index in [`COMMANDS`].
type Latencies = Vec<Vec<Duration>>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let clients = usize::try_from(env_number("IMAP_BENCH_CLIENTS", 16))?.max(1);
    let preload = usize::try_from(env_number("IMAP_BENCH_MESSAGES", 100))?.max(1);
    let seconds = env_number("IMAP_BENCH_SECONDS", 20);
    let messages = corpus::wire_messages();

    let mut daemon = Daemon::configure(&DaemonLimits {
        connections: 1000,
        sessions_per_account: 20,
    })?;
    let mut logins = Vec::with_capacity(clients);
    for n in 0..clients {
        logins.push(daemon.add_user(&format!("load{n}"))?);
    }
    daemon.serve()?;
    let connector = daemon.connector()?;
    println!("{clients} clients over implicit TLS, {preload} messages each, {seconds} s of load");

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, login) in logins.into_iter().enumerate() {
        let mine: Vec<Vec<u8>> = messages
            .iter()
            .cycle()
            .skip(n * preload)
            .take(preload)
            .cloned()
            .collect();
        let address = daemon.address;
        let connector = connector.clone();
        tasks.spawn(async move {
            let mut client = Client::login(address, &connector, &login).await?;
            let mut uids = Vec::with_capacity(mine.len());
            for message in &mine {
                let reply = client.append("INBOX", message).await?;
                uids.extend(reply.code_last_number("APPENDUID"));
            }
            Ok::<_, Error>((client, mine, uids))
        });
    }
    let mut ready = Vec::with_capacity(clients);
    while let Some(joined) = tasks.join_next().await {
        ready.push(joined??);
    }
    let appended = clients * preload;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "preload: {appended} APPENDs in {secs:.1} s = {:.0} appends/s (login included)",
        appended as f64 / secs
    );

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (client, mine, uids) in ready {
        tasks.spawn(run_loop(client, mine, uids, deadline));
    }
    let mut latencies: Latencies = vec![Vec::new(); COMMANDS.len()];
    while let Some(joined) = tasks.join_next().await {
        for (all, mine) in latencies.iter_mut().zip(joined??) {
            all.extend(mine);
        }
    }
    report(&mut latencies, started.elapsed());
    Ok(())
}

/// One client's loop until `deadline`; the message it appends is the one it
/// flags \Deleted and expunges, so the mailbox keeps its size.
async fn run_loop(
    mut client: Client,
    messages: Vec<Vec<u8>>,
    uids: Vec<u32>,
    deadline: Instant,
) -> Result<Latencies, Error> {
    if uids.is_empty() {
        return Err("the preload gave no APPENDUID".into());
    }
    let mut latencies: Latencies = vec![Vec::new(); COMMANDS.len()];
    let mut round = 0usize;
    while Instant::now() < deadline {
        let uid = uids[rand::thread_rng().gen_range(0..uids.len())];
        let message = &messages[round % messages.len()];
        round += 1;
        let mut timed =
            async |index: usize, command: Option<String>| -> Result<Option<u32>, Error> {
                let started = Instant::now();
                let reply = match command {
                    Some(command) => client.command(&command).await?,
                    None => client.append("INBOX", message).await?,
                };
                latencies[index].push(started.elapsed());
                Ok(reply.code_last_number("APPENDUID"))
            };
        timed(0, Some("SELECT INBOX".into())).await?;
        timed(1, Some("FETCH 1:* (FLAGS)".into())).await?;
        timed(2, Some(format!("UID FETCH {uid} BODY.PEEK[]"))).await?;
        timed(3, Some("SEARCH UNSEEN SUBJECT \"the\"".into())).await?;
        let appended = timed(4, None).await?.ok_or("APPEND without APPENDUID")?;
        timed(5, Some(format!("UID STORE {appended} +FLAGS (\\Deleted)"))).await?;
        timed(6, Some("EXPUNGE".into())).await?;
    }
    client.command("LOGOUT").await?;
    Ok(latencies)
}

fn report(latencies: &mut Latencies, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{:<26} {:>8} {:>10} {:>10} {:>10}",
        "command", "count", "ops/s", "p50 ms", "p99 ms"
    );
    let mut everything: Vec<Duration> = Vec::new();
    for (name, times) in COMMANDS.iter().zip(latencies.iter_mut()) {
        times.sort();
        everything.extend_from_slice(times);
        println!(
            "{name:<26} {:>8} {:>10.0} {:>10.2} {:>10.2}",
            times.len(),
            times.len() as f64 / secs,
            percentile(times, 50),
            percentile(times, 99)
        );
    }
    everything.sort();
    let total = everything.len();
    println!(
        "{:<26} {:>8} {:>10.0} {:>10.2} {:>10.2}",
        "all",
        total,
        total as f64 / secs,
        percentile(&everything, 50),
        percentile(&everything, 99)
    );
}

/// The `p`th percentile of sorted latencies, in milliseconds.
fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted[index].as_secs_f64() * 1000.0
}
