//! The framer: a byte-fed state machine that cuts the client's stream into
//! commands (RFC 9051 §2.2, §4.3 literals; RFC 7888 LITERAL+ / LITERAL-).
//!
//! It owns the limits: a line is refused once it is longer than the limit,
//! a literal as soon as its announcement is read, before any octet of it is
//! buffered; the octets of a refused non-synchronising literal are skipped,
//! never read as commands. APPEND message literals are streamed out in
//! chunks, not buffered. It performs no I/O and writes no responses: the
//! session feeds it what it reads and answers the events it returns.

mod event;

pub use event::{Event, FrameError, LITERAL_MINUS_MAX, Limits, LiteralMode};

use super::append::{AppendMessage, parse_append_next};
use super::command::{Command, CommandBody, Tag};
use super::commands::parse_command;
use super::primitives::trailing_literal;

#[derive(Debug)]
enum State {
    /// Reading a line of a command into `command`.
    Line,
    /// Reading the octets of a small literal into `command`.
    Literal { remaining: u64 },
    /// Streaming an APPEND message out.
    Message {
        tag: Tag,
        remaining: u64,
        utf8: bool,
        synchronizing: bool,
    },
    /// Reading what follows an APPEND message.
    AppendTail { tag: Tag, utf8: bool },
    /// Skipping the octets of a refused non-synchronising literal.
    Skip { remaining: u64 },
    /// Skipping to the end of the line (and any literal it announces).
    SkipLine { tail: Vec<u8> },
}

/// How much of a skipped line is kept to spot a literal announcement.
const SKIP_TAIL: usize = 32;

/// The command framer.
///
/// The session loops: read from the stream, [`feed`](Self::feed) what was
/// read, take [`next_event`](Self::next_event)s until `None`, answer each.
/// Fed that way, it holds at most one read plus `max_line + max_literal`
/// octets. After `Command(Idle)` and `Command(Authenticate)` the session
/// reads [`next_line`](Self::next_line) instead until the exchange ends.
/// After `Command(Append)` or `AppendNext` it sends a continuation request
/// for a synchronising literal, or calls [`refuse_message`](Self::refuse_message);
/// it may [`abort_message`](Self::abort_message) while the octets stream.
pub struct Framer {
    limits: Limits,
    input: Vec<u8>,
    pos: usize,
    /// Octets at `pos` already searched for a line end without finding one,
    /// so a line dripping in byte by byte is scanned once, not quadratically.
    scanned: usize,
    state: State,
    command: Vec<u8>,
    line_len: usize,
    literal_len: u64,
}

impl Framer {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            input: Vec::new(),
            pos: 0,
            scanned: 0,
            state: State::Line,
            command: Vec::new(),
            line_len: 0,
            literal_len: 0,
        }
    }

    /// Adds bytes read from the client.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.pos > 0 {
            self.input.drain(..self.pos);
            self.pos = 0;
        }
        self.input.extend_from_slice(bytes);
    }

    /// Takes the bytes fed but not yet consumed, e.g. after STARTTLS (where
    /// they must be dropped, RFC 9051 §6.2.1) or COMPRESS (where they are
    /// compressed data).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self.input.split_off(self.pos.min(self.input.len()));
        self.input.clear();
        self.pos = 0;
        self.scanned = 0;
        rest
    }

    fn available(&self) -> &[u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.input.len());
        self.scanned = 0;
    }

    /// Where the next line end is in the available octets.
    fn find_lf(&mut self) -> Option<usize> {
        let avail = self.available();
        let from = self.scanned.min(avail.len());
        let found = avail[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| from + i);
        if found.is_none() {
            self.scanned = avail.len();
        }
        found
    }

    /// The next raw line without its line ending, for IDLE's `DONE` (RFC 2177)
    /// and AUTHENTICATE responses (RFC 9051 §6.2.2). Only between commands;
    /// `None` until a whole line is there.
    pub fn next_line(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        if !matches!(self.state, State::Line) || !self.command.is_empty() {
            return None;
        }
        let line = self.take_line()?;
        if line.is_err() {
            self.reset_command();
        }
        Some(line)
    }

    /// The session refuses the APPEND message just announced, without having
    /// sent a continuation request: a synchronising literal will not come, a
    /// non-synchronising one is skipped with the rest of the command.
    pub fn refuse_message(&mut self) {
        if let State::Message {
            remaining,
            synchronizing,
            ..
        } = self.state
        {
            self.state = if synchronizing {
                State::Line
            } else {
                State::Skip { remaining }
            };
            self.reset_command();
        }
    }

    /// The session gives up on an APPEND whose message octets are coming (a
    /// continuation request was sent, or the literal is non-synchronising):
    /// the rest of the message and of the command is skipped.
    pub fn abort_message(&mut self) {
        if let State::Message { remaining, .. } = self.state {
            self.state = State::Skip { remaining };
            self.reset_command();
        }
    }

    /// The next event, or `None` when more input is needed.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            let state = std::mem::replace(&mut self.state, State::Line);
            let (next, event) = self.step(state);
            match next {
                Some(state) => self.state = state,
                // No progress possible: the state was put back by step.
                None => return event,
            }
            if event.is_some() {
                return event;
            }
        }
    }

    /// One transition. Returns the new state (or `None` when waiting for
    /// input, having restored the state) and maybe an event.
    fn step(&mut self, state: State) -> (Option<State>, Option<Event>) {
        match state {
            State::Line => self.step_line(),
            State::Literal { remaining } => {
                let n = self.take_upto(remaining);
                if n.is_empty() && remaining > 0 {
                    self.state = State::Literal { remaining };
                    return (None, None);
                }
                self.command.extend_from_slice(&n);
                let remaining = remaining - n.len() as u64;
                if remaining == 0 {
                    (Some(State::Line), None)
                } else {
                    (Some(State::Literal { remaining }), None)
                }
            }
            State::Message {
                tag,
                remaining,
                utf8,
                synchronizing,
            } => {
                if remaining == 0 {
                    return (
                        Some(State::AppendTail { tag, utf8 }),
                        Some(Event::MessageEnd),
                    );
                }
                let data = self.take_upto(remaining);
                if data.is_empty() {
                    self.state = State::Message {
                        tag,
                        remaining,
                        utf8,
                        synchronizing,
                    };
                    return (None, None);
                }
                let remaining = remaining - data.len() as u64;
                let next = State::Message {
                    tag,
                    remaining,
                    utf8,
                    synchronizing,
                };
                (Some(next), Some(Event::MessageData(data)))
            }
            State::AppendTail { tag, utf8 } => self.step_append_tail(tag, utf8),
            State::Skip { remaining } => {
                let skipped = self.take_upto(remaining).len() as u64;
                if skipped == 0 && remaining > 0 {
                    self.state = State::Skip { remaining };
                    return (None, None);
                }
                let remaining = remaining - skipped;
                if remaining == 0 {
                    (Some(State::SkipLine { tail: Vec::new() }), None)
                } else {
                    (Some(State::Skip { remaining }), None)
                }
            }
            State::SkipLine { tail } => self.step_skip_line(tail),
        }
    }

    /// Takes up to `n` available octets.
    fn take_upto(&mut self, n: u64) -> Vec<u8> {
        let avail = self.available();
        let k = usize::try_from(n).unwrap_or(usize::MAX).min(avail.len());
        let out = avail[..k].to_vec();
        self.consume(k);
        out
    }

    /// Takes one line if complete (without its CR LF or bare LF); refuses it
    /// when longer than what is left of the line limit.
    fn take_line(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        let budget = self.limits.max_line.saturating_sub(self.line_len);
        let lf = self.find_lf();
        let avail = self.available();
        let Some(lf) = lf else {
            if avail.len() > budget {
                // Keep the start: it names the tag for the refusal.
                let head = avail[..avail.len().min(SKIP_TAIL * 4)].to_vec();
                let tail = avail[avail.len().saturating_sub(SKIP_TAIL)..].to_vec();
                self.consume(avail.len());
                self.command.extend_from_slice(&head);
                self.state = State::SkipLine { tail };
                return Some(Err(FrameError::LineTooLong {
                    max: self.limits.max_line,
                }));
            }
            return None;
        };
        let line = &avail[..lf];
        let line = line.strip_suffix(b"\r").unwrap_or(line).to_vec();
        self.consume(lf + 1);
        if line.len() + 2 > budget {
            self.command
                .extend_from_slice(&line[..line.len().min(SKIP_TAIL * 4)]);
            self.skip_rest_of(&line);
            return Some(Err(FrameError::LineTooLong {
                max: self.limits.max_line,
            }));
        }
        Some(Ok(line))
    }

    /// After a refusal: skip the literal `line` announces if the client sends
    /// it anyway (non-synchronising), then the rest of its command.
    fn skip_rest_of(&mut self, line: &[u8]) {
        self.state = match trailing_literal(line) {
            Some(a) if !a.synchronizing => State::Skip { remaining: a.size },
            _ => State::Line,
        };
    }

    fn reset_command(&mut self) {
        self.command.clear();
        self.line_len = 0;
        self.literal_len = 0;
    }

    /// The tag of the command being assembled, if it has a readable one.
    fn current_tag(&self) -> Option<Tag> {
        let end = self.command.iter().position(|&b| b == b' ')?;
        Tag::new(&self.command[..end])
    }

    fn refuse(&mut self, error: FrameError) -> Event {
        let tag = self.current_tag();
        self.reset_command();
        Event::Refused { tag, error }
    }

    fn step_line(&mut self) -> (Option<State>, Option<Event>) {
        let line = match self.take_line() {
            None => {
                self.state = State::Line;
                return (None, None);
            }
            Some(Err(error)) => {
                let next = std::mem::replace(&mut self.state, State::Line);
                return (Some(next), Some(self.refuse(error)));
            }
            Some(Ok(line)) => line,
        };
        self.line_len += line.len() + 2;
        self.command.extend_from_slice(&line);
        self.command.extend_from_slice(b"\r\n");
        let Some(announced) = trailing_literal(&line) else {
            let command = std::mem::take(&mut self.command);
            self.reset_command();
            let event = match parse_command(&command) {
                Ok(c) => Event::Command(c),
                Err(e) => Event::Invalid(e),
            };
            return (Some(State::Line), Some(event));
        };
        let minus = self.limits.literal_mode == LiteralMode::Minus;
        if minus && !announced.synchronizing && announced.size > LITERAL_MINUS_MAX {
            let event = self.refuse(FrameError::NonSyncLiteralTooLarge {
                size: announced.size,
            });
            return (
                Some(State::Skip {
                    remaining: announced.size,
                }),
                Some(event),
            );
        }
        if self.is_append() {
            let head = self.command.strip_suffix(b"\r\n").unwrap_or(&self.command);
            if let Ok(Command {
                tag,
                body: CommandBody::Append { mailbox, message },
            }) = parse_command(head)
            {
                return self.start_message(tag, mailbox, message);
            }
        }
        let size = announced.size;
        let max = self.limits.max_literal;
        if self.literal_len.saturating_add(size) > max {
            let event = self.refuse(FrameError::LiteralTooLarge { size, max });
            return (
                Some(self.skip_refused(announced.synchronizing, size)),
                Some(event),
            );
        }
        self.literal_len += size;
        let event = announced
            .synchronizing
            .then_some(Event::ContinuationRequest);
        (Some(State::Literal { remaining: size }), event)
    }

    fn skip_refused(&self, synchronizing: bool, size: u64) -> State {
        if synchronizing {
            State::Line
        } else {
            State::Skip { remaining: size }
        }
    }

    /// Whether the command being assembled is an APPEND.
    fn is_append(&self) -> bool {
        let mut words = self.command.splitn(3, |&b| b == b' ');
        words
            .nth(1)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"APPEND"))
    }

    fn start_message(
        &mut self,
        tag: Tag,
        mailbox: super::command::Mailbox,
        message: AppendMessage,
    ) -> (Option<State>, Option<Event>) {
        if let Some(error) = self.message_error(&message) {
            let event = self.refuse(error);
            return (
                Some(self.skip_refused(message.synchronizing, message.size)),
                Some(event),
            );
        }
        self.reset_command();
        let state = State::Message {
            tag: tag.clone(),
            remaining: message.size,
            utf8: message.utf8,
            synchronizing: message.synchronizing,
        };
        let body = CommandBody::Append { mailbox, message };
        (Some(state), Some(Event::Command(Command { tag, body })))
    }

    fn message_error(&self, message: &AppendMessage) -> Option<FrameError> {
        let max = self.limits.max_message;
        (message.size > max).then_some(FrameError::MessageTooLarge {
            size: message.size,
            max,
        })
    }

    fn step_append_tail(&mut self, tag: Tag, utf8: bool) -> (Option<State>, Option<Event>) {
        let line = match self.take_line() {
            None => {
                self.state = State::AppendTail { tag, utf8 };
                return (None, None);
            }
            Some(Err(error)) => {
                let next = std::mem::replace(&mut self.state, State::Line);
                self.reset_command();
                return (
                    Some(next),
                    Some(Event::Refused {
                        tag: Some(tag),
                        error,
                    }),
                );
            }
            Some(Ok(line)) => line,
        };
        self.reset_command();
        match parse_append_next(&tag, &line, utf8) {
            Ok(None) => (Some(State::Line), Some(Event::AppendEnd)),
            Ok(Some(message)) => {
                let minus = self.limits.literal_mode == LiteralMode::Minus;
                let error = if minus && !message.synchronizing && message.size > LITERAL_MINUS_MAX {
                    Some(FrameError::NonSyncLiteralTooLarge { size: message.size })
                } else {
                    self.message_error(&message)
                };
                if let Some(error) = error {
                    let next = self.skip_refused(message.synchronizing, message.size);
                    return (
                        Some(next),
                        Some(Event::Refused {
                            tag: Some(tag),
                            error,
                        }),
                    );
                }
                let state = State::Message {
                    tag,
                    remaining: message.size,
                    utf8: message.utf8,
                    synchronizing: message.synchronizing,
                };
                (Some(state), Some(Event::AppendNext(message)))
            }
            Err(e) => {
                self.skip_rest_of(&line);
                let next = std::mem::replace(&mut self.state, State::Line);
                (Some(next), Some(Event::Invalid(e)))
            }
        }
    }

    fn step_skip_line(&mut self, mut tail: Vec<u8>) -> (Option<State>, Option<Event>) {
        let avail = self.available();
        let Some(lf) = avail.iter().position(|&b| b == b'\n') else {
            tail.extend_from_slice(avail);
            let keep = tail.len().saturating_sub(SKIP_TAIL);
            tail.drain(..keep);
            self.consume(avail.len());
            self.state = State::SkipLine { tail };
            return (None, None);
        };
        tail.extend_from_slice(&avail[..lf]);
        self.consume(lf + 1);
        let line = tail.strip_suffix(b"\r").unwrap_or(&tail);
        self.skip_rest_of(line);
        let next = std::mem::replace(&mut self.state, State::Line);
        (Some(next), None)
    }
}

/// Shows sizes, never buffered octets: they may hold credentials or mail.
impl std::fmt::Debug for Framer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framer")
            .field("limits", &self.limits)
            .field("state", &self.state)
            .field(
                "buffered",
                &(self.input.len() - self.pos.min(self.input.len())),
            )
            .field("command", &self.command.len())
            .finish()
    }
}

/// Whether an IDLE continuation line is `DONE` (RFC 2177 §3, any case).
pub fn is_idle_done(line: &[u8]) -> bool {
    line.eq_ignore_ascii_case(b"DONE")
}

#[cfg(test)]
mod append_tests;
#[cfg(test)]
mod tests;
