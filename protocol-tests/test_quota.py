"""Quota at delivery, end to end: mail that would take a mailbox over its quota first makes
room by purging Trash, oldest first, and is delivered; mail that cannot fit even with Trash
empty stays queued (a temporary failure) and never lands."""

import imaplib
import smtplib
import time

import pytest

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

SENDER = "friend@remote.test"


@pytest.fixture
def mail_server(tmp_path):
    inst = Instance(tmp_path)
    add_accounts(inst)
    inst.cli("user", "quota", BOB, "40K")
    inst.start()
    yield inst
    inst.stop()


def padded(subject, kib):
    return message(subject, sender=SENDER, to=BOB, body=("x" * 1022 + "\r\n") * kib)


def trash_subjects(server):
    client = imap(server, BOB, BOB_PASSWORD)
    try:
        client.select("Trash", readonly=True)
        _, data = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    except imaplib.IMAP4.error:
        return []
    finally:
        client.logout()
    return [part[1].decode().strip() for part in data if isinstance(part, tuple)]


def test_delivery_over_quota_purges_trash_oldest_first(mail_server):
    client = imap(mail_server, BOB, BOB_PASSWORD)
    for subject in ("old trash", "new trash"):
        typ, _ = client.append("Trash", None, None, padded(subject, 18))
        assert typ == "OK"
    client.logout()

    smtp = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    smtp.sendmail(SENDER, [BOB], padded("fits after purge", 8))
    smtp.quit()

    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "fits after purge")) == 1
    # 36 KiB in Trash + 8 KiB is over the 40 KiB quota: the oldest went, the newer one stays.
    assert trash_subjects(mail_server) == ["Subject: new trash"]


def test_delivery_that_cannot_fit_is_deferred_not_stored(mail_server):
    smtp = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    smtp.sendmail(SENDER, [BOB], padded("fits", 30))
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "fits")) == 1
    # Without a SIZE parameter RCPT cannot know it will not fit: delivery finds out.
    smtp.ehlo()
    smtp.mail(SENDER)
    assert smtp.rcpt(BOB)[0] == 250
    assert smtp.data(padded("too big for what is left", 20))[0] == 250
    smtp.quit()
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while time.monotonic() < deadline:
        queued = mail_server.cli("queue", "list").stdout
        if "deferred" in queued:
            break
        time.sleep(0.2)
    [line] = [line for line in queued.splitlines() if BOB in line]
    assert "deferred" in line and "4.2.2" in line, line
    assert delivered(mail_server, BOB, BOB_PASSWORD, "too big", count=0) == []
