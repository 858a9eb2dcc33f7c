"""The delivery pipeline end to end: a Sieve script uploaded over ManageSieve files and flags
mail delivered over SMTP; the out-of-office reply answers once per sender and never a list;
forwarding that would loop is refused; the anti-spam stage, trained from the corpus with the
CLI, files spam into Junk."""

import base64
import shutil
import smtplib
import socket
import subprocess
import time

import pytest

from antispam_support import CORPUS, held_out, train_from_corpus, wire
from conftest import Instance
from smtp_support import (
    ALICE,
    ALICE_PASSWORD,
    BOB,
    BOB_PASSWORD,
    DELIVERY_DEADLINE,
    add_accounts,
    delivered,
    imap,
    message,
)
from test_smtp import queue_config

REMOTE_SENDER = "friend@remote.test"


@pytest.fixture
def mail_server(tmp_path, mx):
    inst = Instance(tmp_path, extra_config=queue_config(mx.port))
    add_accounts(inst)
    inst.start()
    yield inst
    inst.stop()


def inbound(server, sender, recipient, raw):
    client = smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=10)
    client.sendmail(sender, [recipient], raw)
    client.quit()


class ManageSieve:
    """Just enough of RFC 5804 to log in over STARTTLS and upload a script."""

    def __init__(self, server):
        raw = socket.create_connection(("127.0.0.1", server.ports["managesieve"]), timeout=10)
        self.file = raw.makefile("rb")
        self.sock = raw
        self.until_ok()
        self.command(b"STARTTLS")
        self.sock = server.tls_context().wrap_socket(raw, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        self.until_ok()

    def until_ok(self):
        lines = []
        while True:
            line = self.file.readline()
            assert line, f"connection closed after {lines!r}"
            lines.append(line)
            if line.startswith((b"OK", b"NO", b"BYE")):
                return line, lines

    def command(self, line):
        self.sock.sendall(line + b"\r\n")
        return self.until_ok()[0]

    def login(self, user, password):
        token = base64.b64encode(f"\0{user}\0{password}".encode())
        return self.command(b'AUTHENTICATE "PLAIN" "' + token + b'"')

    def put(self, name, script):
        body = script.encode()
        literal = b"{%d+}\r\n" % len(body) + body
        return self.command(b'PUTSCRIPT "' + name.encode() + b'" ' + literal)


def test_a_script_uploaded_over_managesieve_files_and_flags_delivered_mail(mail_server):
    sieve = ManageSieve(mail_server)
    assert sieve.login(BOB, BOB_PASSWORD).startswith(b"OK")
    script = (
        'require ["fileinto", "imap4flags"];\r\n'
        'if header :contains "subject" "[lists]" {\r\n'
        '    addflag "\\\\Flagged";\r\n'
        '    fileinto "Lists";\r\n'
        "}\r\n"
    )
    assert sieve.put("mine", script).startswith(b"OK")
    assert sieve.command(b'SETACTIVE "mine"').startswith(b"OK")
    broken = sieve.put("broken", "fileinto 42;\r\n")
    assert broken.startswith(b"NO"), broken
    inbound(mail_server, REMOTE_SENDER, BOB, message("[lists] weekly", sender=REMOTE_SENDER))
    inbound(mail_server, REMOTE_SENDER, BOB, message("personal", sender=REMOTE_SENDER))
    # A missing folder without :create: RFC 5228 §4.1 keeps the message in INBOX.
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "personal")) == 1
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "[lists] weekly")) == 1

    mail_server.cli("sieve", "put", BOB, "create", input=(
        'require ["fileinto", "imap4flags", "mailbox"];\r\n'
        'if header :contains "subject" "[lists]" {\r\n'
        '    addflag "\\\\Flagged";\r\n'
        '    fileinto :create "Lists";\r\n'
        "}\r\n"
    ))
    mail_server.cli("sieve", "activate", BOB, "create")
    inbound(mail_server, REMOTE_SENDER, BOB, message("[lists] second", sender=REMOTE_SENDER))
    [filed] = delivered(mail_server, BOB, BOB_PASSWORD, "[lists] second", mailbox="Lists")
    client = imap(mail_server, BOB, BOB_PASSWORD)
    client.select("Lists", readonly=True)
    _, data = client.fetch("1", "(FLAGS)")
    client.logout()
    assert b"\\Flagged" in data[0]


def auto_replies(mx, to):
    return [m for m in mx.received if m[1] == [to] and b"Auto-Submitted: auto-replied" in m[2]]


def test_out_of_office_answers_once_per_sender_and_never_a_list(mail_server, mx):
    mail_server.cli(
        "vacation", "set", BOB, "--start", "2026-01-01", "--end", "2099-12-31",
        "--subject", "Away", "--text", "Back in January.",
    )
    first = message("question one", sender=REMOTE_SENDER, to=BOB)
    inbound(mail_server, REMOTE_SENDER, BOB, first)
    inbound(mail_server, REMOTE_SENDER, BOB, message("question two", sender=REMOTE_SENDER, to=BOB))
    listed = message("newsletter", sender="news@lists.test", to=BOB, extra="List-Id: <news.lists.test>\r\n")
    inbound(mail_server, "news@lists.test", BOB, listed)
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "question two")) == 1
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "newsletter")) == 1
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while not auto_replies(mx, REMOTE_SENDER) and time.monotonic() < deadline:
        time.sleep(0.2)
    # Everything else is delivered by now; give a second reply a moment to show up.
    time.sleep(2)
    replies = auto_replies(mx, REMOTE_SENDER)
    assert len(replies) == 1
    mail_from, _, reply = replies[0]
    assert mail_from == ""
    assert b"Subject: Away" in reply and b"Back in January." in reply
    assert auto_replies(mx, "news@lists.test") == []


def test_forwarding_that_would_come_back_is_refused(mail_server):
    mail_server.cli("forward", "set", ALICE, BOB)
    refused = mail_server.cli("forward", "set", BOB, ALICE, check=False)
    assert refused.returncode == 65, refused.stderr
    inbound(mail_server, REMOTE_SENDER, ALICE, message("forwarded", sender=REMOTE_SENDER, to=ALICE))
    [copy] = delivered(mail_server, BOB, BOB_PASSWORD, "forwarded")
    assert b"Delivered-To: alice@example.test" in copy
    assert delivered(mail_server, ALICE, ALICE_PASSWORD, "forwarded", count=0) == []


def test_a_forward_that_comes_back_through_a_users_script_stops_at_the_first_hop(mail_server):
    # Alice forwards to Bob (the CLI checks that setting); Bob's own script sends it back,
    # which no setting check sees: the Delivered-To fields end the loop at delivery.
    mail_server.cli("forward", "set", ALICE, BOB)
    mail_server.cli("sieve", "put", BOB, "back", input='redirect "alice@example.test";\r\n')
    mail_server.cli("sieve", "activate", BOB, "back")
    inbound(mail_server, REMOTE_SENDER, ALICE, message("round trip", sender=REMOTE_SENDER, to=ALICE))
    [kept] = delivered(mail_server, ALICE, ALICE_PASSWORD, "round trip")
    assert b"Delivered-To: bob@example.test" in kept
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while "the queue is empty" not in mail_server.cli("queue", "list").stdout:
        assert time.monotonic() < deadline, "forwards still queued: a loop"
        time.sleep(0.2)
    assert len(delivered(mail_server, ALICE, ALICE_PASSWORD, "round trip")) == 1
    assert delivered(mail_server, BOB, BOB_PASSWORD, "round trip", count=0) == []


@pytest.mark.skipif(shutil.which("sieve-connect") is None, reason="sieve-connect is not installed")
def test_a_script_uploaded_with_sieve_connect_files_delivered_mail(mail_server, tmp_path):
    script = tmp_path / "work.sieve"
    script.write_text(
        'require ["fileinto", "imap4flags", "mailbox"];\n'
        'if allof (header :contains "subject" "build", address :domain "from" "remote.test") {\n'
        '    fileinto :create :flags "$Build" "Work";\n'
        "}\n"
    )
    password = tmp_path / "password"
    password.write_text(BOB_PASSWORD)
    certificate = mail_server.data_dir / "certs" / "self-signed.crt"
    for action in (
        f"--upload --localsieve {script} --remotesieve work",
        "--activate --remotesieve work",
    ):
        run = subprocess.run(
            f"sieve-connect --4 -s localhost -p {mail_server.ports['managesieve']} -u {BOB} "
            f"--passwordfd 3 --tlscafile {certificate} {action} 3<{password}",
            shell=True, capture_output=True, timeout=30,
        )
        assert run.returncode == 0, run
    inbound(mail_server, REMOTE_SENDER, BOB, message("build 42 failed", sender=REMOTE_SENDER))
    delivered(mail_server, BOB, BOB_PASSWORD, "build 42", mailbox="Work")
    client = imap(mail_server, BOB, BOB_PASSWORD)
    client.select("Work", readonly=True)
    _, data = client.fetch("1", "(FLAGS)")
    client.logout()
    assert b"$Build" in data[0]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the project")
def test_the_trained_filter_files_spam_into_junk(mail_server, tmp_path):
    train_from_corpus(mail_server, tmp_path, 300)
    held_out_spam = held_out("spam", 400, 5)
    held_out_ham = held_out("ham", 2000, 5)
    for n, path in enumerate(held_out_spam):
        inbound(mail_server, REMOTE_SENDER, BOB, wire(path, f"heldout-spam-{n}"))
    for n, path in enumerate(held_out_ham):
        inbound(mail_server, REMOTE_SENDER, BOB, wire(path, f"heldout-ham-{n}"))
    in_junk = sum(
        len(delivered(mail_server, BOB, BOB_PASSWORD, f"heldout-spam-{n}", mailbox="Junk", count=1)) > 0
        for n in range(len(held_out_spam))
    )
    in_inbox = sum(
        len(delivered(mail_server, BOB, BOB_PASSWORD, f"heldout-ham-{n}", count=1)) > 0
        for n in range(len(held_out_ham))
    )
    assert in_junk >= 4, f"only {in_junk} of {len(held_out_spam)} spam in Junk"
    assert in_inbox == len(held_out_ham)
