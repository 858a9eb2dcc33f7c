"""SMTP (port 25) and submission (587 STARTTLS, 465 implicit TLS) against the daemon, with
Python's smtplib, raw sockets and swaks. Checks the protocol side: what is accepted and what
is refused with which code. Skipped while serve does not yet run the SMTP handler."""

import shutil
import smtplib
import socket
import ssl
import subprocess

import pytest

from conftest import Instance

ALICE = "alice@example.test"
PASSWORD = "correct horse battery staple"
MESSAGE = f"From: {ALICE}\r\nTo: bob@example.test\r\nSubject: test\r\n\r\nHello Bob.\r\n"


@pytest.fixture
def smtp_server(tmp_path):
    inst = Instance(tmp_path, extra_config="[limits]\nmessage_size = 65536\n")
    inst.cli("domain", "add", "example.test")
    inst.cli("user", "add", ALICE, "--password-stdin", input=PASSWORD + "\n")
    inst.cli("user", "add", "bob@example.test", "--password-stdin", input=PASSWORD + "\n")
    inst.start()
    with socket.create_connection(("127.0.0.1", inst.ports["smtp"]), timeout=10) as probe:
        if probe.recv(200).startswith(b"421 4.3.2"):
            inst.stop()
            pytest.skip("serve does not run the SMTP handler yet")
    yield inst
    inst.stop()


def tls(server):
    context = server.tls_context()
    context.check_hostname = False
    return context


def submissions(server):
    return smtplib.SMTP_SSL("127.0.0.1", server.ports["submissions"], context=tls(server), timeout=10)


def submission(server):
    client = smtplib.SMTP("127.0.0.1", server.ports["submission"], timeout=10)
    client.starttls(context=tls(server))
    return client


def inbound(server):
    return smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=10)


def test_submission_over_465_with_auth_plain(smtp_server):
    with submissions(smtp_server) as client:
        client.ehlo()
        assert "PLAIN" in client.esmtp_features["auth"]
        client.user, client.password = ALICE, PASSWORD
        client.auth("PLAIN", client.auth_plain)
        assert client.sendmail(ALICE, ["bob@example.test", "friend@elsewhere.example"], MESSAGE) == {}


def test_submission_over_587_with_starttls_and_auth_login(smtp_server):
    with submission(smtp_server) as client:
        client.ehlo()
        assert "starttls" not in client.esmtp_features
        client.user, client.password = ALICE, PASSWORD
        client.auth("LOGIN", client.auth_login, initial_response_ok=False)
        assert client.sendmail(ALICE, ["bob@example.test"], MESSAGE) == {}


def test_587_offers_no_auth_before_starttls(smtp_server):
    with smtplib.SMTP("127.0.0.1", smtp_server.ports["submission"], timeout=10) as client:
        client.ehlo()
        assert "starttls" in client.esmtp_features
        assert "auth" not in client.esmtp_features
        code, _ = client.docmd("AUTH", "PLAIN")
        assert code == 538


def test_wrong_password_is_535(smtp_server):
    with submissions(smtp_server) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login(ALICE, "wrong")
        assert refused.value.smtp_code == 535


def test_mail_without_auth_is_530(smtp_server):
    with submissions(smtp_server) as client:
        client.ehlo()
        code, message = client.mail(ALICE)
        assert (code, message[:5]) == (530, b"5.7.0")


def test_sender_not_owned_is_553(smtp_server):
    with submissions(smtp_server) as client:
        client.login(ALICE, PASSWORD)
        code, message = client.mail("bob@example.test")
        assert (code, message[:5]) == (553, b"5.7.1")
        forged = MESSAGE.replace(f"From: {ALICE}", "From: bob@example.test")
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail(ALICE, ["bob@example.test"], forged)
        assert refused.value.smtp_code == 553


def test_relay_attempt_on_25_is_554(smtp_server):
    with inbound(smtp_server) as client:
        client.ehlo()
        client.mail("someone@elsewhere.example")
        code, message = client.rcpt("victim@elsewhere.example")
        assert (code, message[:5]) == (554, b"5.7.1")


def test_unknown_user_on_25_is_550_and_known_user_accepted(smtp_server):
    with inbound(smtp_server) as client:
        client.ehlo()
        client.mail("someone@elsewhere.example")
        assert client.rcpt("nobody@example.test")[0] == 550
        assert client.rcpt("bob@example.test")[0] == 250
        assert client.data(MESSAGE.encode())[0] == 250


def test_oversize_is_refused_at_mail_and_in_data(smtp_server):
    with inbound(smtp_server) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == "65536"
        code, message = client.mail("someone@elsewhere.example", ["SIZE=70000"])
        assert (code, message[:5]) == (552, b"5.3.4")
        client.mail("someone@elsewhere.example")
        client.rcpt("bob@example.test")
        code, message = client.data(("x" * 998 + "\r\n").encode() * 80)
        assert (code, message[:5]) == (552, b"5.3.4")
        assert client.noop()[0] == 250


def raw_session(server, data):
    with socket.create_connection(("127.0.0.1", server.ports["smtp"]), timeout=10) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"220 ")
        sock.sendall(data)
        replies = []
        while True:
            line = reader.readline()
            if not line:
                return replies
            if line[3:4] == b" ":
                replies.append(line.decode())
            if line.startswith(b"221 "):
                return replies


def test_a_pipelined_transaction_in_one_write(smtp_server):
    replies = raw_session(
        smtp_server,
        b"EHLO client.example\r\nMAIL FROM:<a@elsewhere.example>\r\nRCPT TO:<bob@example.test>\r\n"
        b"DATA\r\nSubject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n",
    )
    assert [r[:3] for r in replies] == ["250", "250", "250", "354", "250", "221"]


def test_bdat_chunks(smtp_server):
    first, last = b"Subject: chunked\r\n\r\n", b"one\r\n.\r\ntwo\r\n"
    replies = raw_session(
        smtp_server,
        b"EHLO client.example\r\nMAIL FROM:<a@elsewhere.example>\r\nRCPT TO:<bob@example.test>\r\n"
        + b"BDAT %d\r\n" % len(first) + first + b"BDAT %d LAST\r\n" % len(last) + last + b"QUIT\r\n",
    )
    assert [r[:9] for r in replies[1:]] == ["250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0",
                                            "221 2.0.0"]


def test_smtputf8_address_needs_the_parameter(smtp_server):
    with inbound(smtp_server) as client:
        client.ehlo()
        assert "smtputf8" in client.esmtp_features
        client.command_encoding = "utf-8"
        client.putcmd("MAIL FROM:<jörg@bücher.example>")
        assert client.getreply()[0] == 553
        client.putcmd("MAIL FROM:<jörg@bücher.example> SMTPUTF8")
        assert client.getreply()[0] == 250
        assert client.rcpt("bob@example.test")[0] == 250


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is not installed")
@pytest.mark.parametrize("port,tls_option,mechanism", [
    ("submissions", "--tls-on-connect", "PLAIN"),
    ("submission", "--tls", "LOGIN"),
])
def test_swaks_submits(smtp_server, port, tls_option, mechanism):
    result = subprocess.run(
        ["swaks", "--server", "127.0.0.1", "--port", str(smtp_server.ports[port]), tls_option,
         "--auth", mechanism, "--auth-user", ALICE, "--auth-password", PASSWORD,
         "--from", ALICE, "--to", "bob@example.test", "--header", f"From: {ALICE}"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "250 2.0.0 Ok: queued as" in result.stdout
