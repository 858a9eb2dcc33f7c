"""Anti-spam training as users do it, end to end: moving mail into Junk over IMAP teaches the
filter that similar mail is spam, moving it back out teaches it the opposite; the out-of-office
reply never answers a message judged spam."""

import smtplib
import time

import pytest

from antispam_support import CORPUS, held_out, train_from_corpus, wire
from conftest import Instance
from smtp_support import (
    BOB,
    BOB_PASSWORD,
    DELIVERY_DEADLINE,
    add_accounts,
    delivered,
    imap,
    message,
)
from test_smtp import queue_config

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not beside the project"
)

REMOTE_SENDER = "club@remote.test"

# Words no corpus message has, so only this user's training can give them a side.
CLUB_WORDS = (
    "zorvane quilbrix tamsolet vrennick glaupher moxitane draveloon pemberquist "
    "snarfolio wexbridle clondavix fruppley"
)
# Past the classifier's minimum of ten trained messages of a kind.
TRAINING_ROUNDS = 12


@pytest.fixture
def trained_server(tmp_path, mx):
    inst = Instance(tmp_path, extra_config=queue_config(mx.port))
    add_accounts(inst)
    train_from_corpus(inst, tmp_path, 100)
    inst.start()
    yield inst
    inst.stop()


def inbound(server, sender, raw):
    client = smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=10)
    client.sendmail(sender, [BOB], raw)
    client.quit()


def club_letter(subject):
    """A held-out ham with the club's words added: ham to the shared model, and distinct
    per subject so each copy is trained as a message of its own."""
    [base] = held_out("ham", 2000, 1)
    addition = f"\r\n{CLUB_WORDS}\r\n{CLUB_WORDS}\r\nSee you at {subject}.\r\n"
    return wire(base, subject, to=BOB) + addition.encode()


def folder_of(server, subject):
    """Where the message with `subject` was delivered: INBOX or Junk."""
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while time.monotonic() < deadline:
        for mailbox in ("INBOX", "Junk"):
            if delivered(server, BOB, BOB_PASSWORD, subject, mailbox=mailbox, count=0):
                return mailbox
        time.sleep(0.2)
    raise AssertionError(f"{subject!r} was not delivered")


def move_all(server, subject_prefix, source, target):
    client = imap(server, BOB, BOB_PASSWORD)
    try:
        client.select(source)
        _, data = client.uid("SEARCH", "HEADER", "Subject", f'"{subject_prefix}"')
        uids = data[0].split()
        assert uids, f"nothing matching {subject_prefix!r} in {source}"
        typ, _ = client.uid("MOVE", b",".join(uids).decode(), target)
        assert typ == "OK"
        return len(uids)
    finally:
        client.logout()


def lands_in(server, expected, probe_prefix):
    """Sends probes until one lands in `expected`: training runs beside the IMAP session,
    so the first probe may arrive before it finished. The folder each probe went to is
    returned, the last one being where the trained filter put it."""
    seen = []
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while time.monotonic() < deadline:
        subject = f"{probe_prefix} {len(seen)}"
        inbound(server, REMOTE_SENDER, club_letter(subject))
        seen.append(folder_of(server, subject))
        if seen[-1] == expected:
            break
    return seen


def test_moving_mail_into_and_out_of_junk_changes_where_similar_mail_goes(trained_server):
    for n in range(TRAINING_ROUNDS):
        inbound(trained_server, REMOTE_SENDER, club_letter(f"club night {n}"))
    for n in range(TRAINING_ROUNDS):
        assert folder_of(trained_server, f"club night {n}") == "INBOX"

    assert move_all(trained_server, "club night", "INBOX", "Junk") == TRAINING_ROUNDS
    into_junk = lands_in(trained_server, "Junk", "club probe")
    assert into_junk[-1] == "Junk", into_junk

    # Moving them out again takes their counts off the spam side: nothing is counted twice.
    move_all(trained_server, "club", "Junk", "INBOX")
    out_of_junk = lands_in(trained_server, "INBOX", "club return")
    assert out_of_junk[-1] == "INBOX", out_of_junk


def auto_replies(mx, to):
    return [m for m in mx.received if m[1] == [to] and b"Auto-Submitted: auto-replied" in m[2]]


def test_out_of_office_never_answers_spam(trained_server, mx):
    trained_server.cli(
        "vacation", "set", BOB, "--start", "2026-01-01", "--end", "2099-12-31",
        "--subject", "Away", "--text", "Back soon.",
    )
    # Only spam that nothing but its spamminess keeps from an answer (RFC 3834 §2 rules
    # already silence list and bulk mail).
    list_fields = (b"list-id:", b"list-unsubscribe:", b"precedence:", b"auto-submitted:")
    spam = [
        path for path in held_out("spam", 400, 20)
        if not any(field in path.read_bytes().split(b"\n\n", 1)[0].lower() for field in list_fields)
    ][:5]
    for n, path in enumerate(spam):
        inbound(trained_server, f"offers{n}@remote.test", wire(path, f"vacation-spam-{n}", to=BOB))
    judged_spam = [
        n for n in range(len(spam)) if folder_of(trained_server, f"vacation-spam-{n}") == "Junk"
    ]
    assert judged_spam, "no held-out spam was judged spam"

    friend = "friend@remote.test"
    inbound(trained_server, friend, message("a question", sender=friend, to=BOB))
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while not auto_replies(mx, friend) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(auto_replies(mx, friend)) == 1
    # Any reply to a spam was queued before the friend's message even arrived.
    for n in judged_spam:
        assert auto_replies(mx, f"offers{n}@remote.test") == []
