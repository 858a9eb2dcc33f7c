"""Anti-spam at SMTP time, end to end: with reject_at_smtp on and a low reject_threshold,
the daemon (its global model trained from the corpus with the CLI) refuses a spam on the
inbound port with 550 5.7.1 before accepting it, and accepts and delivers a ham."""

import smtplib

import pytest

from conftest import ROOT, Instance
from smtp_support import BOB, BOB_PASSWORD, add_accounts, delivered

CORPUS = ROOT.parent / "shared" / "corpus"
REMOTE_SENDER = "friend@remote.test"

# Instance writes "[antispam]\nauthentication = false\n" just before the extra config,
# so these keys land in that section.
REJECTING = "reject_at_smtp = true\nreject_threshold = 5.0\n"


def wire(path, subject):
    """A corpus message with CRLF line ends, its mbox line dropped and `subject` set."""
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = [l for l in head.split(b"\n") if not l.lower().startswith(b"subject:")]
    head = b"\n".join(lines + [b"Subject: " + subject.encode()])
    return (head + b"\n\n" + body).replace(b"\n", b"\r\n")


def small(paths):
    return [p for p in paths if p.stat().st_size < 20000]


def score(server, path):
    """The global model's score of a corpus file, as `postamt spam check` prints it."""
    first = server.cli("spam", "check", str(path)).stdout.split("\n", 1)[0]
    return float(first.split("score=", 1)[1].split()[0])


def first_scoring(server, paths, accept):
    """The first of `paths` whose score `accept` takes: the held-out messages the model
    judges clearly, so the test shows what SMTP does with a verdict, not how good the
    model is (bench/ measures that)."""
    return next(p for p in paths[:40] if accept(score(server, p)))


@pytest.fixture
def rejecting_server(tmp_path):
    spam = sorted((CORPUS / "spam").iterdir())
    ham = sorted((CORPUS / "ham").iterdir())
    inst = Instance(tmp_path, extra_config=REJECTING)
    add_accounts(inst)
    for name, files in (("spam", spam[:300]), ("ham", ham[:300])):
        folder = tmp_path / name
        folder.mkdir()
        for path in files:
            (folder / path.name).write_bytes(path.read_bytes())
    inst.cli("spam", "train", "--spam", str(tmp_path / "spam"), "--ham", str(tmp_path / "ham"))
    inst.start()
    yield inst, small(spam[400:]), small(ham[2000:])
    inst.stop()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the project")
def test_spam_is_refused_at_smtp_time_and_ham_accepted(rejecting_server):
    server, held_out_spam, held_out_ham = rejecting_server
    # A margin either side of reject_threshold for what our Received field may change.
    spam = first_scoring(server, held_out_spam, lambda s: s >= 8.0)
    ham = first_scoring(server, held_out_ham, lambda s: s <= 0.0)
    client = smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=10)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        client.sendmail(REMOTE_SENDER, [BOB], wire(spam, "refused-spam"))
    assert refused.value.smtp_code == 550
    assert refused.value.smtp_error.startswith(b"5.7.1 ")
    # The session goes on: the next message is judged on its own.
    client.sendmail(REMOTE_SENDER, [BOB], wire(ham, "accepted-ham"))
    client.quit()

    assert len(delivered(server, BOB, BOB_PASSWORD, "accepted-ham")) == 1
    for mailbox in ("INBOX", "Junk"):
        assert delivered(server, BOB, BOB_PASSWORD, "refused-spam", mailbox=mailbox, count=0) == []
