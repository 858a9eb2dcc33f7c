"""Anti-spam quality as a user sees it, end to end: a fresh account whose only training is
filing mail into and out of Junk over IMAP, then the held-out half of the corpus arriving on
the inbound SMTP port, counted by where it landed.

The corpus is split in halves with a fixed seed, per kind: 1,250 ham and 250 spam train the
account, the other 1,250 ham and 250 spam are delivered. Nothing trains the global model, so
the verdicts are the account's own model and the rules, as for a user on a new server.

The figures are printed (`pytest -s` or `-rA` shows them); about 20 s on 2 cores."""

import concurrent.futures
import random
import re
import smtplib
import socket
import time

import pytest

from antispam_support import CORPUS, corpus, wire
from smtp_support import BOB, BOB_PASSWORD, add_accounts, imap

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not beside the project"
)

SEED = 7
# The envelope sender of a remote message is only read by SPF and DMARC, which ask the test
# run's DNS server: it knows none of the corpus's 2002 domains (NXDOMAIN, so "none", scoring
# nothing either way), and Return-Path is never a token: one remote address stands for all.
REMOTE_SENDER = "sender@remote.test"
PROBE_FIELD = "X-Quality-Probe"
SMTP_CONNECTIONS = 4
# Training runs beside the IMAP session, delivery beside the SMTP one: generous bounds for a
# loaded 2-core machine, far above what a healthy run takes.
TRAINING_DEADLINE = 120.0
DELIVERY_DEADLINE = 180.0

MAX_HAM_FALSE_POSITIVES = 0.01
MIN_SPAM_RECALL = 0.90


def halves(kind):
    paths = corpus(kind)
    random.Random(SEED).shuffle(paths)
    middle = len(paths) // 2
    return paths[:middle], paths[middle:]


def user_session(server):
    """The account's IMAP session, with Nagle off: imaplib writes an APPEND's literal and its
    closing CRLF apart, and the CRLF would wait for the server's delayed ACK, some 50 ms an
    APPEND (over a minute for the training half)."""
    client = imap(server, BOB, BOB_PASSWORD)
    client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client


def file_as_user(client, messages, staging, target):
    """APPENDs `messages` to `staging`, then moves them to `target` in one UID MOVE: the move
    is what trains, and the training hook learns the whole UID set of one command."""
    first = None
    for raw in messages:
        typ, data = client.append(staging, None, None, raw)
        assert typ == "OK", data
        if first is None:
            first = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1).decode()
    client.select(staging)
    typ, data = client.uid("MOVE", f"{first}:*", target)
    assert typ == "OK", data


def wait_for_training(server, moves):
    """Waits until the log shows the training of each of `moves` MOVEs done."""
    deadline = time.monotonic() + TRAINING_DEADLINE
    while time.monotonic() < deadline:
        log = server.log_text()
        assert "anti-spam training failed" not in log, log
        if log.count("anti-spam model trained") >= moves:
            return
        time.sleep(0.2)
    raise AssertionError(f"training not done after {TRAINING_DEADLINE} s:\n{server.log_text()}")


def probe(path, tag):
    return f"{PROBE_FIELD}: {tag}\r\n".encode() + wire(path)


def send_all(server, probes):
    """Sends `probes` over several connections at once, as remote servers would."""

    def send(batch):
        client = smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=30)
        try:
            for raw in batch:
                client.sendmail(REMOTE_SENDER, [BOB], raw)
        finally:
            client.quit()

    batches = [probes[n::SMTP_CONNECTIONS] for n in range(SMTP_CONNECTIONS)]
    with concurrent.futures.ThreadPoolExecutor(SMTP_CONNECTIONS) as pool:
        # list() re-raises what any connection raised: a refused message fails the test.
        list(pool.map(send, batches))


def probes_in(client, mailbox):
    """The probe tags of the messages in `mailbox`."""
    client.select(mailbox, readonly=True)
    _, data = client.uid("SEARCH", "HEADER", PROBE_FIELD, '""')
    uids = data[0].split()
    if not uids:
        return []
    _, data = client.uid(
        "FETCH", b",".join(uids).decode(), f"(BODY.PEEK[HEADER.FIELDS ({PROBE_FIELD})])"
    )
    return [
        part[1].decode().split(":", 1)[1].strip() for part in data if isinstance(part, tuple)
    ]


def wait_for_delivery(server, count):
    """The probe tags in INBOX and in Junk once `count` probes are in either."""
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while True:
        client = imap(server, BOB, BOB_PASSWORD)
        try:
            inbox, junk = probes_in(client, "INBOX"), probes_in(client, "Junk")
        finally:
            client.logout()
        if len(inbox) + len(junk) >= count or time.monotonic() > deadline:
            return inbox, junk
        time.sleep(0.5)


def share(part, whole):
    return f"{part}/{whole} ({100 * part / whole:.2f} %)"


def test_a_user_trained_over_imap_gets_spam_in_junk_and_ham_in_the_inbox(instance):
    add_accounts(instance)
    server = instance.start()
    train_ham, test_ham = halves("ham")
    train_spam, test_spam = halves("spam")

    started = time.monotonic()
    client = user_session(server)
    try:
        file_as_user(client, [wire(p) for p in train_spam], "INBOX", "Junk")
        file_as_user(client, [wire(p) for p in train_ham], "Junk", "INBOX")
    finally:
        client.logout()
    wait_for_training(server, moves=2)
    trained = time.monotonic()

    # Tags that say nothing of the kind (and X- fields are no tokens): the kind stays here.
    held_out = [(p, "ham") for p in test_ham] + [(p, "spam") for p in test_spam]
    kinds = {f"probe-{n}": kind for n, (_, kind) in enumerate(held_out)}
    probes = [probe(p, f"probe-{n}") for n, (p, _) in enumerate(held_out)]
    send_all(server, probes)
    inbox, junk = wait_for_delivery(server, len(probes))
    delivered = time.monotonic()

    assert sorted(inbox + junk) == sorted(kinds), "some probes were lost or delivered twice"
    false_positives = sum(kinds[tag] == "ham" for tag in junk)
    caught = sum(kinds[tag] == "spam" for tag in junk)
    print(
        f"\nanti-spam end to end: ham FP {share(false_positives, len(test_ham))}, "
        f"spam recall {share(caught, len(test_spam))}; trained on {len(train_ham)} ham and "
        f"{len(train_spam)} spam over IMAP in {trained - started:.1f} s, "
        f"delivered {len(probes)} over SMTP in {delivered - trained:.1f} s"
    )
    assert false_positives <= MAX_HAM_FALSE_POSITIVES * len(test_ham)
    assert caught >= MIN_SPAM_RECALL * len(test_spam)
