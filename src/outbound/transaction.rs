//! One mail transaction on an opened session: MAIL, RCPT for each recipient,
//! DATA (or BDAT for BINARYMIME) and QUIT (RFC 5321 §3.3), pipelined when the
//! server offers PIPELINING (RFC 2920).
//!
//! Owns checking that the server can take this message at all and collecting an
//! outcome per recipient: a RCPT refusal is that recipient's, the reply after the
//! data is every accepted recipient's. It must not pick servers: `transport` does.

use tokio::fs::File;

use super::commands;
use super::data::{self, DataError};
use super::extensions::Extensions;
use super::outcome;
use super::reply::Reply;
use super::session::{Attempt, Opened, Peer, quit};
use super::wire::{Wire, WireError};
use crate::queue::{BodyType, Outcome, OutcomeKind, RemoteJob};

/// Runs the transaction for `job` on `opened`.
pub async fn run(opened: Opened, job: &RemoteJob, peer: Peer<'_>) -> Attempt {
    let Opened {
        mut wire,
        extensions,
    } = opened;
    if let Some(refusal) = unsupported(job, &extensions, peer.host) {
        quit(&mut wire, peer.timeouts).await;
        return Attempt::NextHost(refusal);
    }
    let message = match File::open(&job.message).await {
        Ok(message) => message,
        Err(error) => {
            quit(&mut wire, peer.timeouts).await;
            return Attempt::Done(everyone(job, &local_error(&error)));
        }
    };
    let mail = match commands::mail(job, &extensions) {
        Ok(mail) => mail,
        Err(error) => {
            quit(&mut wire, peer.timeouts).await;
            return Attempt::Done(everyone(
                job,
                &outcome::ours(OutcomeKind::Permanent, "5.1.7", error, None),
            ));
        }
    };
    let mut transaction = Transaction {
        job,
        peer,
        standings: vec![Standing::Waiting; job.recipients.len()],
    };
    let rcpts = transaction.rcpt_lines(&extensions);
    let chunking = job.body == BodyType::BinaryMime;
    let envelope = if extensions.pipelining {
        transaction
            .pipelined(&mut wire, &mail, &rcpts, chunking)
            .await
    } else {
        transaction
            .step_by_step(&mut wire, &mail, &rcpts, chunking)
            .await
    };
    let data_reply = match envelope {
        Ok(Envelope::Accepted { data_reply }) => data_reply,
        Ok(Envelope::Refused(mail_reply)) => {
            quit(&mut wire, peer.timeouts).await;
            return Attempt::Done(everyone(job, &outcome::from_reply(&mail_reply, peer.host)));
        }
        Err(error) => return Attempt::Done(transaction.finish_lost(&error)),
    };
    let result = transaction
        .data(&mut wire, message, data_reply, chunking)
        .await;
    match result {
        Ok(()) => {
            quit(&mut wire, peer.timeouts).await;
            // Every recipient is decided by now, so the fallback is only a guard.
            let unanswered = outcome::ours(
                OutcomeKind::Transient,
                "4.5.0",
                "the transaction ended without an answer for this recipient",
                Some(peer.host),
            );
            Attempt::Done(transaction.finish(&unanswered))
        }
        Err(error) => Attempt::Done(transaction.finish_with(&error)),
    }
}

/// RFC 1870 §6, RFC 6152 §3, RFC 3030 §3, RFC 6531 §3.4: what this message needs
/// that the server lacks. Permanent, since the message cannot change; another MX
/// may still do. An 8-bit message is not downgraded (RFC 6152 §3 allows a bounce):
/// converting MIME parts would break signatures.
fn unsupported(job: &RemoteJob, offered: &Extensions, host: &str) -> Option<Outcome> {
    let refuse = |status: &str, why: String| {
        Some(outcome::ours(
            OutcomeKind::Permanent,
            status,
            why,
            Some(host),
        ))
    };
    if let Some(limit) = offered.size_limit()
        && job.size > limit
    {
        return refuse(
            "5.3.4",
            format!(
                "the message of {} octets exceeds the server's limit of {limit}",
                job.size
            ),
        );
    }
    match job.body {
        BodyType::EightBitMime if !offered.eight_bit_mime => {
            return refuse(
                "5.6.3",
                "the message has 8-bit content and the server does not offer 8BITMIME".to_owned(),
            );
        }
        BodyType::BinaryMime if !(offered.binary_mime && offered.chunking) => {
            return refuse(
                "5.6.3",
                "the message has binary content and the server does not offer BINARYMIME with CHUNKING"
                    .to_owned(),
            );
        }
        _ => {}
    }
    if job.smtputf8 && !offered.smtputf8 {
        return refuse(
            "5.6.7",
            "the message needs SMTPUTF8 and the server does not offer it".to_owned(),
        );
    }
    None
}

fn local_error(error: &std::io::Error) -> Outcome {
    outcome::ours(
        OutcomeKind::Transient,
        "4.3.0",
        format!("cannot read the spooled message: {error}"),
        None,
    )
}

fn everyone(job: &RemoteJob, outcome: &Outcome) -> Vec<Outcome> {
    vec![outcome.clone(); job.recipients.len()]
}

/// Commands written before their replies are read, at most (RFC 2920 §3.1).
const PIPELINE_GROUP: usize = 100;

/// One command of a pipelined envelope.
enum Step<'a> {
    Mail(&'a str),
    /// The recipient's index and its RCPT line.
    Rcpt(usize, &'a str),
    Data,
}

impl Step<'_> {
    fn line(&self) -> &str {
        match self {
            Step::Mail(line) | Step::Rcpt(_, line) => line,
            Step::Data => "DATA",
        }
    }
}

/// How the envelope went.
enum Envelope {
    /// The sender was refused: every recipient gets that reply.
    Refused(Reply),
    /// MAIL was taken; the RCPT outcomes are recorded, and `data_reply` is the
    /// reply to a pipelined DATA.
    Accepted { data_reply: Option<Reply> },
}

/// Where a recipient stands in the transaction.
#[derive(Clone)]
enum Standing {
    /// No reply to its RCPT yet.
    Waiting,
    /// RCPT taken; the reply to the data decides.
    Accepted,
    Decided(Outcome),
}

/// The recipients' standing as replies come in.
struct Transaction<'a> {
    job: &'a RemoteJob,
    peer: Peer<'a>,
    standings: Vec<Standing>,
}

impl Transaction<'_> {
    /// The RCPT lines; a recipient whose address cannot be written is refused
    /// here and gets no line.
    fn rcpt_lines(&mut self, offered: &Extensions) -> Vec<Option<String>> {
        let mut lines = Vec::with_capacity(self.job.recipients.len());
        for (recipient, standing) in self.job.recipients.iter().zip(&mut self.standings) {
            match commands::rcpt(recipient, offered) {
                Ok(line) => lines.push(Some(line)),
                Err(error) => {
                    let refused = outcome::ours(OutcomeKind::Permanent, "5.1.3", error, None);
                    *standing = Standing::Decided(refused);
                    lines.push(None);
                }
            }
        }
        lines
    }

    fn accepted(&self) -> impl Iterator<Item = usize> + '_ {
        self.standings
            .iter()
            .enumerate()
            .filter_map(|(index, standing)| matches!(standing, Standing::Accepted).then_some(index))
    }

    /// Records a RCPT reply: a positive one makes the recipient wait for the
    /// reply to the data, any other decides it.
    fn record(&mut self, index: usize, reply: &Reply) {
        if let Some(standing) = self.standings.get_mut(index) {
            *standing = if reply.is_positive() {
                Standing::Accepted
            } else {
                Standing::Decided(outcome::from_reply(reply, self.peer.host))
            };
        }
    }

    /// RFC 2920 §3.1: MAIL, the RCPTs and DATA written in groups, the replies
    /// read in order after each group. Groups are bounded so a long recipient list
    /// cannot deadlock both sides on full socket buffers (RFC 2920 §3.1 warns of
    /// it).
    async fn pipelined(
        &mut self,
        wire: &mut Wire,
        mail: &str,
        rcpts: &[Option<String>],
        chunking: bool,
    ) -> Result<Envelope, WireError> {
        let limits = self.peer.timeouts;
        let mut steps = vec![Step::Mail(mail)];
        steps.extend(
            rcpts
                .iter()
                .enumerate()
                .filter_map(|(index, line)| Some(Step::Rcpt(index, line.as_deref()?))),
        );
        if !chunking {
            steps.push(Step::Data);
        }
        let mut mail_reply = None;
        let mut data_reply = None;
        for group in steps.chunks(PIPELINE_GROUP) {
            let mut batch = String::new();
            for step in group {
                batch.push_str(step.line());
                batch.push_str("\r\n");
            }
            wire.send(batch.as_bytes(), "the envelope to be taken", limits.mail)
                .await?;
            for step in group {
                match step {
                    Step::Mail(_) => {
                        mail_reply = Some(wire.read_reply("the reply to MAIL", limits.mail).await?);
                    }
                    Step::Rcpt(index, _) => {
                        let reply = wire.read_reply("the reply to RCPT", limits.rcpt).await?;
                        self.record(*index, &reply);
                    }
                    Step::Data => {
                        data_reply = Some(
                            wire.read_reply("the reply to DATA", limits.data_init)
                                .await?,
                        );
                    }
                }
            }
        }
        let Some(mail_reply) = mail_reply else {
            return Err(WireError::Closed);
        };
        if !mail_reply.is_positive() {
            if let Some(reply) = &data_reply
                && reply.code == 354
            {
                // RFC 2920 §3.1: a 354 nobody can use still needs an end of data.
                wire.send(b".\r\n", "the end of data to be taken", limits.data_block)
                    .await?;
                wire.read_reply("the reply to an empty message", limits.data_end)
                    .await?;
            }
            return Ok(Envelope::Refused(mail_reply));
        }
        Ok(Envelope::Accepted { data_reply })
    }

    /// One command, one reply.
    async fn step_by_step(
        &mut self,
        wire: &mut Wire,
        mail: &str,
        rcpts: &[Option<String>],
        chunking: bool,
    ) -> Result<Envelope, WireError> {
        let limits = self.peer.timeouts;
        let mail_reply = wire.command(mail, "the reply to MAIL", limits.mail).await?;
        if !mail_reply.is_positive() {
            return Ok(Envelope::Refused(mail_reply));
        }
        for (index, line) in rcpts.iter().enumerate() {
            if let Some(line) = line {
                let reply = wire.command(line, "the reply to RCPT", limits.rcpt).await?;
                self.record(index, &reply);
            }
        }
        if chunking || self.accepted().next().is_none() {
            return Ok(Envelope::Accepted { data_reply: None });
        }
        let data_reply = wire
            .command("DATA", "the reply to DATA", limits.data_init)
            .await?;
        Ok(Envelope::Accepted {
            data_reply: Some(data_reply),
        })
    }

    /// Sends the message to the accepted recipients and records the final reply
    /// for each of them.
    async fn data(
        &mut self,
        wire: &mut Wire,
        message: File,
        data_reply: Option<Reply>,
        chunking: bool,
    ) -> Result<(), DataError> {
        let limits = self.peer.timeouts;
        if self.accepted().next().is_none() {
            if let Some(reply) = data_reply
                && reply.code == 354
            {
                wire.send(b".\r\n", "the end of data to be taken", limits.data_block)
                    .await?;
                wire.read_reply("the reply to an empty message", limits.data_end)
                    .await?;
            }
            return Ok(());
        }
        if chunking {
            let size = message.metadata().await.map_err(DataError::Spool)?.len();
            data::send_last_chunk(message, size, wire, limits.data_block).await?;
        } else {
            match data_reply {
                Some(reply) if reply.code == 354 => {}
                Some(reply) => {
                    self.answer_accepted(&reply);
                    return Ok(());
                }
                None => return Err(DataError::Wire(WireError::Closed)),
            }
            data::send_dot_stuffed(message, wire, limits.data_block).await?;
        }
        let last = wire
            .read_reply("the reply to the end of data", limits.data_end)
            .await?;
        self.answer_accepted(&last);
        Ok(())
    }

    /// The reply after (or instead of) the data applies to every accepted
    /// recipient (RFC 5321 §3.3).
    fn answer_accepted(&mut self, reply: &Reply) {
        let answer = outcome::from_reply(reply, self.peer.host);
        for standing in &mut self.standings {
            if let Standing::Accepted = standing {
                *standing = Standing::Decided(answer.clone());
            }
        }
    }

    /// Every recipient not yet decided (no reply, or accepted without a reply
    /// to the data) gets the failure; the rest keep their outcome.
    fn finish_lost(self, error: &WireError) -> Vec<Outcome> {
        let lost = outcome::connection_lost(error, self.peer.host);
        self.finish(&lost)
    }

    fn finish_with(self, error: &DataError) -> Vec<Outcome> {
        let failure = match error {
            DataError::Spool(error) => local_error(error),
            DataError::Wire(error) => outcome::connection_lost(error, self.peer.host),
        };
        self.finish(&failure)
    }

    fn finish(self, failure: &Outcome) -> Vec<Outcome> {
        self.standings
            .into_iter()
            .map(|standing| match standing {
                Standing::Decided(outcome) => outcome,
                Standing::Waiting | Standing::Accepted => failure.clone(),
            })
            .collect()
    }
}
