"""Invariant 1 for SMTP: kill -9 while clients are being answered 250; after a restart every
acknowledged message is delivered, and exactly once."""

import random
import signal
import smtplib
import threading
import time

from conftest import Instance
from smtp_support import BOB, BOB_PASSWORD, DELIVERY_DEADLINE, add_accounts, imap, message

ROUNDS = 3


def send_until_killed(port, prefix, acknowledged, stop):
    n = 0
    while not stop.is_set():
        subject = f"{prefix}-{n}"
        n += 1
        try:
            client = smtplib.SMTP("127.0.0.1", port, timeout=10)
            client.sendmail("someone@remote.test", [BOB], message(subject, sender="someone@remote.test"))
            acknowledged.append(subject)
            client.close()
        except (OSError, smtplib.SMTPException):
            return


def subjects_in_inbox(server):
    client = imap(server, BOB, BOB_PASSWORD)
    client.select("INBOX", readonly=True)
    _, data = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    client.logout()
    subjects = []
    for part in data:
        if isinstance(part, tuple):
            subjects.append(part[1].decode().split(":", 1)[1].strip())
    return subjects


def test_acknowledged_mail_survives_kill_9_exactly_once(tmp_path):
    inst = Instance(tmp_path)
    add_accounts(inst)
    acknowledged = []
    rng = random.Random(20261124)
    for round_ in range(ROUNDS):
        inst.start()
        stop = threading.Event()
        sender = threading.Thread(
            target=send_until_killed,
            args=(inst.ports["smtp"], f"crash{round_}", acknowledged, stop),
        )
        sender.start()
        time.sleep(rng.uniform(0.3, 1.5))
        inst.process.send_signal(signal.SIGKILL)
        inst.process.wait()
        stop.set()
        sender.join()
    inst.start()
    try:
        assert acknowledged, "no message was acknowledged before the kills"
        deadline = time.monotonic() + DELIVERY_DEADLINE
        while True:
            subjects = subjects_in_inbox(inst)
            missing = [s for s in acknowledged if s not in subjects]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert missing == []
        twice = sorted({s for s in subjects if subjects.count(s) > 1})
        assert twice == []
    finally:
        inst.stop()
