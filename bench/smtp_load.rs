//! SMTP load benchmark: SMTP_BENCH_CLIENTS connections (default 8) to the
//! inbound port of a real daemon, each sending SMTP_BENCH_MESSAGES corpus
//! messages (default 200) in one session, one transaction after another, to
//! its own local user. Prints the messages acknowledged per second with the
//! p50/p99 time from MAIL FROM to the `250` after the data (each `250` means
//! the message is fsynced and its queue row committed), then how long the
//! queue took to deliver every message into the users' INBOXes (checked with
//! IMAP STATUS), as messages delivered per second.
//!
//! Run: `cargo bench --bench smtp_load` (release build).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[path = "../tests/corpus/mod.rs"]
mod corpus;
#[path = "imap_support.rs"]
mod imap_support;

use imap_support::{Client, Daemon, DaemonLimits, Error, env_number};

/// How long the queue may take to deliver everything before the run fails.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(600);

#[tokio::main]
async fn main() -> Result<(), Error> {
    let clients = usize::try_from(env_number("SMTP_BENCH_CLIENTS", 8))?.max(1);
    let per_client = usize::try_from(env_number("SMTP_BENCH_MESSAGES", 200))?.max(1);
    let messages = corpus::wire_messages();

    let mut daemon = Daemon::configure(&DaemonLimits {
        connections: 1000,
        sessions_per_account: 20,
    })?;
    let mut logins = Vec::with_capacity(clients);
    for n in 0..clients {
        logins.push(daemon.add_user(&format!("smtp{n}"))?);
    }
    daemon.serve()?;
    println!("{clients} SMTP clients, {per_client} messages each, to local users");

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, login) in logins.iter().cloned().enumerate() {
        let mine: Vec<Vec<u8>> = messages
            .iter()
            .cycle()
            .skip(n * per_client)
            .take(per_client)
            .map(|m| dot_stuffed(m))
            .collect();
        let address = daemon.smtp_address;
        tasks.spawn(async move { send_all(address, &login, &mine).await });
    }
    let mut latencies = Vec::with_capacity(clients * per_client);
    let mut octets = 0u64;
    while let Some(result) = tasks.join_next().await {
        let (mut taken, sent) = result??;
        latencies.append(&mut taken);
        octets += sent;
    }
    let accepting = started.elapsed();
    let total = latencies.len();
    latencies.sort_unstable();
    let rate = total as f64 / accepting.as_secs_f64();
    println!(
        "accepted {total} messages ({:.1} MiB) in {:.1} s: {rate:.0} messages/s; \
         MAIL to 250: p50 {:.1} ms, p99 {:.1} ms",
        octets as f64 / (1024.0 * 1024.0),
        accepting.as_secs_f64(),
        percentile(&latencies, 50).as_secs_f64() * 1000.0,
        percentile(&latencies, 99).as_secs_f64() * 1000.0,
    );

    let connector = daemon.connector()?;
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    loop {
        let mut delivered = 0;
        for login in &logins {
            let mut client = Client::login(daemon.address, &connector, login).await?;
            let reply = client.command("STATUS INBOX (MESSAGES)").await?;
            delivered += messages_in(&reply.untagged);
        }
        if delivered >= total {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("only {delivered} of {total} delivered").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all_in = started.elapsed();
    println!(
        "all {total} in the INBOXes {:.1} s after the first MAIL: {:.0} messages/s end to end",
        all_in.as_secs_f64(),
        total as f64 / all_in.as_secs_f64(),
    );
    Ok(())
}

/// One session: EHLO, then MAIL, RCPT, DATA per message; returns each
/// transaction's time and the octets sent.
async fn send_all(
    address: SocketAddr,
    recipient: &str,
    messages: &[Vec<u8>],
) -> Result<(Vec<Duration>, u64), Error> {
    let stream = TcpStream::connect(address).await?;
    let (read, mut write) = stream.into_split();
    let mut replies = BufReader::new(read);
    expect(&mut replies, 220).await?;
    write.write_all(b"EHLO bench.client\r\n").await?;
    expect(&mut replies, 250).await?;
    let mut latencies = Vec::with_capacity(messages.len());
    let mut octets = 0u64;
    for message in messages {
        let began = Instant::now();
        // PIPELINING (RFC 2920): the envelope in one write.
        write
            .write_all(
                format!("MAIL FROM:<sender@remote.test>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n")
                    .as_bytes(),
            )
            .await?;
        expect(&mut replies, 250).await?;
        expect(&mut replies, 250).await?;
        expect(&mut replies, 354).await?;
        write.write_all(message).await?;
        write.write_all(b".\r\n").await?;
        expect(&mut replies, 250).await?;
        latencies.push(began.elapsed());
        octets += message.len() as u64;
    }
    write.write_all(b"QUIT\r\n").await?;
    Ok((latencies, octets))
}

/// Reads one whole reply and checks its code.
async fn expect<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    code: u16,
) -> Result<(), Error> {
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err("the server closed the connection".into());
        }
        if !line.starts_with(&code.to_string()) {
            return Err(format!("expected {code}, got {line:?}").into());
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// The message as DATA carries it: a line starting with '.' gets another,
/// and it ends with CRLF.
fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    let mut line_start = true;
    for &byte in message {
        if line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        line_start = byte == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The MESSAGES count of a `* STATUS INBOX (MESSAGES n)` response.
fn messages_in(untagged: &[Vec<u8>]) -> usize {
    untagged
        .iter()
        .filter_map(|line| std::str::from_utf8(line).ok())
        .find_map(|line| line.split("MESSAGES ").nth(1))
        .and_then(|rest| rest.trim().trim_end_matches(')').trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() - 1) * p / 100]
}
