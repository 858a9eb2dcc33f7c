"""Anti-spam at SMTP time, end to end: with reject_at_smtp on and a low reject_threshold,
the daemon (its global model trained from the corpus with the CLI) refuses a spam on the
inbound port with 550 5.7.1 before accepting it, and accepts and delivers a ham."""

import smtplib

import pytest

from antispam_support import CORPUS, held_out, train_from_corpus, wire
from conftest import Instance
from smtp_support import BOB, BOB_PASSWORD, add_accounts, delivered

REMOTE_SENDER = "friend@remote.test"

# Instance writes "[antispam]" just before the extra config, so these keys land in that
# section.
REJECTING = "reject_at_smtp = true\nreject_threshold = 5.0\n"


def score(server, path):
    """The global model's score of a corpus file, as `postamt spam check` prints it."""
    first = server.cli("spam", "check", str(path)).stdout.split("\n", 1)[0]
    return float(first.split("score=", 1)[1].split()[0])


def first_scoring(server, paths, accept):
    """The first of `paths` whose score `accept` takes: the held-out messages the model
    judges clearly, so the test shows what SMTP does with a verdict, not how good the
    model is (bench/ measures that)."""
    return next(p for p in paths if accept(score(server, p)))


@pytest.fixture
def rejecting_server(tmp_path):
    inst = Instance(tmp_path, extra_config=REJECTING)
    add_accounts(inst)
    train_from_corpus(inst, tmp_path, 300)
    inst.start()
    yield inst, held_out("spam", 400, 40), held_out("ham", 2000, 40)
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
