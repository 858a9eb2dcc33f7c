"""Sender authentication end to end, as in production: the daemon asks a DNS server on loopback
that the test controls, mail arrives on the inbound port from 127.0.0.1, and what SPF, DKIM and
DMARC found is read back over IMAP from the Authentication-Results field (RFC 8601). A dead
resolver costs a message its DNS budget at most, and lookups pause once it is found dead."""

import base64
import itertools
import smtplib
import subprocess
import time

import dkim
import pytest

from conftest import Instance
from dns_support import DeadDns
from smtp_support import BOB, BOB_PASSWORD, add_accounts, delivered, header_lines, message

_names = itertools.count()


def unique_domain(label):
    """A sender domain no other test of the run uses: the session's zone is shared."""
    return f"{label}-{next(_names)}-{time.monotonic_ns()}.example"


@pytest.fixture
def server(tmp_path):
    inst = Instance(tmp_path)
    add_accounts(inst)
    inst.start()
    yield inst
    inst.stop()


def send(server, mail_from, raw):
    client = smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=30)
    try:
        client.ehlo("out.sender.example")
        client.sendmail(mail_from, [BOB], raw)
    finally:
        client.quit()


def results(raw):
    """The Authentication-Results value our server wrote (the topmost one)."""
    for line in header_lines(raw):
        if line.lower().startswith("authentication-results:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no Authentication-Results field")


def received(server, subject, mailbox="INBOX"):
    [raw] = delivered(server, BOB, BOB_PASSWORD, subject, mailbox=mailbox)
    return results(raw)


def test_spf_pass_for_an_authorised_client(server):
    domain = unique_domain("spf-pass")
    server.dns.zone.add(domain, "TXT", "v=spf1 ip4:127.0.0.1 -all")
    send(server, f"news@{domain}", message("spf pass", sender=f"news@{domain}"))
    found = received(server, "spf pass")
    assert found.startswith("mail.example.test;"), found
    assert "spf=pass" in found, found
    assert server.dns.zone.asked(domain, "TXT") >= 1


def test_spf_fail_for_an_unlisted_client(server):
    domain = unique_domain("spf-fail")
    server.dns.zone.add(domain, "TXT", "v=spf1 ip4:192.0.2.1 -all")
    send(server, f"news@{domain}", message("spf fail", sender=f"news@{domain}"))
    assert "spf=fail" in received(server, "spf fail")


def test_spf_none_without_a_record(server):
    domain = unique_domain("spf-none")
    send(server, f"news@{domain}", message("spf none", sender=f"news@{domain}"))
    assert "spf=none" in received(server, "spf none")
    assert server.dns.zone.asked(domain, "TXT") >= 1


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory):
    """An RSA key pair made with openssl: the PEM private key and the p= value."""
    directory = tmp_path_factory.mktemp("dkim")
    private = directory / "private.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
         "-out", str(private)],
        check=True, capture_output=True,
    )
    public = subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout", "-outform", "DER"],
        check=True, capture_output=True,
    ).stdout
    return private.read_bytes(), base64.b64encode(public).decode()


def signed(raw, domain, private_key):
    signature = dkim.sign(
        raw, b"s1", domain.encode(), private_key,
        include_headers=[b"From", b"To", b"Subject"],
    )
    return signature + raw


def test_dkim_pass_for_a_valid_signature(server, dkim_key):
    private_key, public = dkim_key
    domain = unique_domain("dkim-pass")
    server.dns.zone.add(f"s1._domainkey.{domain}", "TXT", f"v=DKIM1; k=rsa; p={public}")
    raw = signed(message("dkim pass", sender=f"news@{domain}"), domain, private_key)
    send(server, f"news@{domain}", raw)
    found = received(server, "dkim pass")
    assert "dkim=pass" in found, found
    assert f"header.i=@{domain}" in found, found


def test_dkim_fail_for_a_body_changed_after_signing(server, dkim_key):
    private_key, public = dkim_key
    domain = unique_domain("dkim-fail")
    server.dns.zone.add(f"s1._domainkey.{domain}", "TXT", f"v=DKIM1; k=rsa; p={public}")
    raw = signed(message("dkim fail", sender=f"news@{domain}"), domain, private_key)
    send(server, f"news@{domain}", raw.replace(b"Hello.", b"Hullo."))
    [stored] = delivered(server, BOB, BOB_PASSWORD, "dkim fail")
    found = results(stored)
    # RFC 6376 §3.7: "body hash did not verify"; mail-auth reports it as neutral.
    assert "body hash did not verify" in found, found
    assert "dkim=pass" not in found, found
    [status] = [h for h in header_lines(stored) if h.startswith("X-Spam-Status:")]
    assert "DKIM_INVALID" in status, status


def spoofing(server, label):
    """A domain whose SPF allows only 192.0.2.1 and whose DMARC says reject; the message
    claims to come from it, unsigned, from 127.0.0.1."""
    domain = unique_domain(label)
    server.dns.zone.add(domain, "TXT", "v=spf1 ip4:192.0.2.1 -all")
    server.dns.zone.add(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=reject")
    return domain


def test_dmarc_reject_failure_is_filed_as_spam_by_default(server):
    domain = spoofing(server, "dmarc-junk")
    send(server, f"security@{domain}", message("verify now", sender=f"security@{domain}"))
    found = received(server, "verify now", mailbox="Junk")
    assert "dmarc=fail" in found, found
    assert "policy.dmarc=reject" in found, found


def test_dmarc_reject_failure_is_refused_at_smtp_time_with_dmarc_reject(tmp_path):
    inst = Instance(tmp_path, extra_config="dmarc_reject = true\n")
    add_accounts(inst)
    inst.start()
    try:
        domain = spoofing(inst, "dmarc-refused")
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(inst, f"security@{domain}", message("refused", sender=f"security@{domain}"))
        assert refused.value.smtp_code == 550
        assert refused.value.smtp_error.startswith(b"5.7.1 ")
    finally:
        inst.stop()


def test_a_message_checked_at_smtp_time_is_not_authenticated_again(tmp_path):
    """With dmarc_reject, SMTP authenticates before it accepts; delivery reuses that report.
    A TTL of 0 keeps the resolver's cache out of it: each lookup reaches the server."""
    inst = Instance(tmp_path, extra_config="dmarc_reject = true\n")
    add_accounts(inst)
    inst.start()
    try:
        domain = unique_domain("once")
        inst.dns.zone.add(domain, "TXT", "v=spf1 ip4:127.0.0.1 -all", ttl=0)
        inst.dns.zone.add(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=none", ttl=0)
        send(inst, f"news@{domain}", message("checked once", sender=f"news@{domain}"))
        assert "spf=pass" in received(inst, "checked once")
        assert inst.dns.zone.asked(f"_dmarc.{domain}", "TXT") == 1
        assert inst.dns.zone.asked(domain, "TXT") == 1
    finally:
        inst.stop()


def test_answers_are_cached_for_their_ttl(server):
    domain = unique_domain("cached")
    server.dns.zone.add(domain, "TXT", "v=spf1 ip4:127.0.0.1 -all", ttl=300)
    # One after the other: lookups of messages in delivery at once may all go out.
    for n in range(3):
        send(server, f"news@{domain}", message(f"cached {n}", sender=f"news@{domain}"))
        assert "spf=pass" in received(server, f"cached {n}")
    assert server.dns.zone.asked(domain, "TXT") == 1


def test_a_dead_resolver_delays_no_message_beyond_its_budget_and_pauses_lookups(tmp_path):
    dead = DeadDns()
    inst = Instance(tmp_path, dns=dead)
    add_accounts(inst)
    inst.start()
    try:
        count = 4
        for n in range(count):
            send(inst, "news@dead-dns.example", message(f"dead dns {n}"))
        for n in range(count):
            found = received(inst, f"dead dns {n}")
            assert "temperror" in found, found
        assert "DNS resolvers do not answer" in inst.log_text()
        # Paused: the next message does not wait for the dead resolver at all.
        send(inst, "news@dead-dns.example", message("after the pause"))
        found = received(inst, "after the pause")
        assert "DNS resolvers not answering" in found, found
    finally:
        inst.stop()
        dead.close()
