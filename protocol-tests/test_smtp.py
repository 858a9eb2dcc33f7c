"""SMTP against the real daemon: submission on 587 (STARTTLS) and 465 (implicit TLS) with
Python's smtplib and swaks, inbound on 25, local delivery checked over IMAP, and the outbound
queue delivering to (and bouncing from) a fake remote server on loopback."""

import smtplib
import shutil
import subprocess

import pytest

from conftest import Instance
from smtp_support import (
    ALICE,
    ALICE_PASSWORD,
    BOB,
    BOB_PASSWORD,
    REMOTE_DOMAIN,
    FakeMx,
    RawSmtp,
    add_accounts,
    delivered,
    header_lines,
    message,
)


def queue_config(mx_port):
    return (
        f'[outbound]\nroutes = {{ "{REMOTE_DOMAIN}" = "127.0.0.1:{mx_port}" }}\n'
        "[queue]\nretry_base = 1\nretry_max = 2\n"
    )


@pytest.fixture
def mx():
    fake = FakeMx(refuse={f"nobody@{REMOTE_DOMAIN}": "550 5.1.1 no such user here"})
    yield fake
    fake.close()


@pytest.fixture
def mail_server(tmp_path, mx):
    inst = Instance(tmp_path, extra_config=queue_config(mx.port))
    add_accounts(inst)
    inst.start()
    yield inst
    inst.stop()


def submission(server, user=ALICE, password=ALICE_PASSWORD):
    client = smtplib.SMTP("127.0.0.1", server.ports["submission"], timeout=10)
    client.starttls(context=server.tls_context())
    client.login(user, password)
    return client


def test_submission_over_starttls_delivers_locally_with_trace_fields(mail_server):
    client = submission(mail_server)
    assert "auth" in client.esmtp_features
    client.sendmail(ALICE, [BOB], message("starttls one"))
    client.quit()
    [raw] = delivered(mail_server, BOB, BOB_PASSWORD, "starttls one")
    headers = header_lines(raw)
    assert headers[0] == f"Return-Path: <{ALICE}>"
    assert any(h.startswith(f"Delivered-To: {BOB}") for h in headers)
    assert any(h.startswith("Received: from ") for h in headers)
    assert any(h.lower().startswith("message-id: <") for h in headers)
    assert any(h.lower().startswith("date: ") for h in headers)
    assert raw.endswith(b"\r\nHello.\r\n")


def test_submission_over_implicit_tls_with_auth_login(mail_server):
    client = smtplib.SMTP_SSL(
        "127.0.0.1", mail_server.ports["submissions"], context=mail_server.tls_context(), timeout=10
    )
    client.ehlo()
    client.user, client.password = ALICE, ALICE_PASSWORD
    code, _ = client.auth("LOGIN", client.auth_login)
    assert code == 235
    client.sendmail(ALICE, [BOB], message("implicit tls"))
    client.quit()
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "implicit tls")) == 1


def test_auth_is_not_offered_before_starttls(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["submission"], timeout=10)
    client.ehlo()
    assert "starttls" in client.esmtp_features
    assert "auth" not in client.esmtp_features
    client.quit()


def test_wrong_password_is_535(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["submission"], timeout=10)
    client.starttls(context=mail_server.tls_context())
    with pytest.raises(smtplib.SMTPAuthenticationError) as failure:
        client.login(ALICE, "wrong")
    assert failure.value.smtp_code == 535


def test_submission_without_auth_is_refused_at_mail(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["submission"], timeout=10)
    client.starttls(context=mail_server.tls_context())
    client.ehlo()
    code, text = client.mail(ALICE)
    assert code == 530, text


def test_sender_not_owned_is_553(mail_server):
    client = submission(mail_server)
    code, text = client.mail(BOB)
    assert code == 553 and b"5.7.1" in text
    client.rset()
    client.mail(ALICE)
    client.rcpt(BOB)
    code, text = client.data(message("forged from", sender=BOB))
    assert code == 553 and b"5.7.1" in text
    client.quit()


def test_inbound_never_relays_and_knows_its_users(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    client.ehlo("client.remote.test")
    client.mail("someone@remote.test")
    code, text = client.rcpt(f"anyone@{REMOTE_DOMAIN}")
    assert code == 554 and b"5.7.1" in text
    code, text = client.rcpt("nobody@example.test")
    assert code == 550 and b"5.1.1" in text
    code, _ = client.rcpt(BOB)
    assert code == 250
    code, _ = client.data(message("inbound one", sender="someone@remote.test"))
    assert code == 250
    client.quit()
    [raw] = delivered(mail_server, BOB, BOB_PASSWORD, "inbound one")
    assert header_lines(raw)[0] == "Return-Path: <someone@remote.test>"


def test_plus_address_and_alias_deliver_to_the_user(mail_server):
    mail_server.cli("alias", "add", "team@example.test", BOB)
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    client.sendmail("someone@remote.test", ["bob+lists@example.test"], message("plus one"))
    client.sendmail("someone@remote.test", ["team@example.test"], message("alias one"))
    client.quit()
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "plus one")) == 1
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "alias one")) == 1


def test_oversize_is_refused_at_mail_from_its_size(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    client.ehlo()
    limit = int(client.esmtp_features["size"])
    assert limit == 52428800
    code, text = client.mail("someone@remote.test", [f"SIZE={limit + 1}"])
    assert code == 552 and b"5.3.4" in text
    client.quit()


def test_oversize_data_is_refused_after_its_end_and_the_session_goes_on(tmp_path, mx):
    inst = Instance(tmp_path, extra_config=queue_config(mx.port) + "[limits]\nmessage_size = 65536\n")
    add_accounts(inst)
    inst.start()
    try:
        client = smtplib.SMTP("127.0.0.1", inst.ports["smtp"], timeout=10)
        client.ehlo()
        client.mail("someone@remote.test")
        client.rcpt(BOB)
        code, text = client.data(("x" * 998 + "\r\n").encode() * 80)
        assert (code, text[:5]) == (552, b"5.3.4")
        assert client.noop()[0] == 250
        client.quit()
    finally:
        inst.stop()


def test_pipelined_transaction_in_one_write(mail_server):
    smtp = RawSmtp(mail_server.ports["smtp"])
    assert smtp.reply()[0] == 220
    code, ehlo = smtp.command("EHLO client.remote.test")
    assert code == 250 and "PIPELINING" in ehlo
    smtp.send(
        "MAIL FROM:<someone@remote.test>\r\nRCPT TO:<nobody@example.test>\r\n"
        f"RCPT TO:<{BOB}>\r\nDATA\r\n"
    )
    assert [smtp.reply()[0] for _ in range(4)] == [250, 550, 250, 354]
    smtp.send(message("pipelined one", sender="someone@remote.test") + b".\r\nQUIT\r\n")
    assert smtp.reply()[0] == 250
    assert smtp.reply()[0] == 221
    smtp.close()
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "pipelined one")) == 1


def test_bdat_chunks_make_one_message(mail_server):
    smtp = RawSmtp(mail_server.ports["smtp"])
    smtp.reply()
    code, ehlo = smtp.command("EHLO client.remote.test")
    assert "CHUNKING" in ehlo
    assert smtp.command("MAIL FROM:<someone@remote.test>")[0] == 250
    assert smtp.command(f"RCPT TO:<{BOB}>")[0] == 250
    whole = message("chunked one", sender="someone@remote.test", body=".leading dot\r\n")
    first, second = whole[:20], whole[20:]
    smtp.send(f"BDAT {len(first)}\r\n".encode() + first)
    assert smtp.reply()[0] == 250
    smtp.send(f"BDAT {len(second)} LAST\r\n".encode() + second)
    assert smtp.reply()[0] == 250
    smtp.command("QUIT")
    smtp.close()
    [raw] = delivered(mail_server, BOB, BOB_PASSWORD, "chunked one")
    assert raw.endswith(b"\r\n\r\n.leading dot\r\n")


def test_bare_lf_dot_does_not_end_the_data(mail_server):
    """SMTP smuggling: only CRLF.CRLF ends DATA; a second message hidden behind LF.LF must
    not be delivered."""
    smtp = RawSmtp(mail_server.ports["smtp"])
    smtp.reply()
    smtp.command("EHLO client.remote.test")
    smtp.command("MAIL FROM:<someone@remote.test>")
    smtp.command(f"RCPT TO:<{BOB}>")
    assert smtp.command("DATA")[0] == 354
    smuggled = (
        b"Subject: outer\r\n\r\nouter body\n.\nMAIL FROM:<evil@remote.test>\r\n"
        b"RCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n"
    )
    smtp.send(smuggled)
    code, text = smtp.reply()
    smtp.command("QUIT")
    smtp.close()
    # The bare line ends refuse the whole thing (RFC 5321 §2.3.8, 550 5.6.11).
    assert code == 550 and "5.6.11" in text, text
    # A message sent after it arrives; by then a smuggled one would have too.
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    client.sendmail("someone@remote.test", [BOB], message("after smuggling", sender="someone@remote.test"))
    client.quit()
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "after smuggling")) == 1
    assert delivered(mail_server, BOB, BOB_PASSWORD, "smuggled", count=0) == []
    assert delivered(mail_server, BOB, BOB_PASSWORD, "outer", count=0) == []


def test_smtputf8_sender_is_accepted_only_with_the_parameter(mail_server):
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    client.ehlo()
    assert "smtputf8" in client.esmtp_features
    client.command_encoding = "utf-8"
    client.putcmd("MAIL FROM:<jörg@bücher.test>")
    assert client.getreply()[0] == 553
    client.rset()
    client.sendmail(
        "jörg@bücher.test",
        [BOB],
        message("utf8 one", sender="jörg@bücher.test"),
        mail_options=["SMTPUTF8", "BODY=8BITMIME"],
    )
    client.quit()
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, "utf8 one")) == 1


def test_remote_recipient_goes_out_through_the_queue(mail_server, mx):
    client = submission(mail_server)
    client.sendmail(ALICE, [f"carol@{REMOTE_DOMAIN}"], message("outbound one", to="carol"))
    client.quit()
    [(mail_from, rcpts, data)] = mx.wait_for(1)
    assert mail_from == ALICE
    assert rcpts == [f"carol@{REMOTE_DOMAIN}"]
    assert b"Subject: outbound one" in data


def test_remote_refusal_bounces_to_the_sender(mail_server):
    client = submission(mail_server)
    client.sendmail(ALICE, [f"nobody@{REMOTE_DOMAIN}"], message("doomed one", to="nobody"))
    client.quit()
    [bounce] = delivered(mail_server, ALICE, ALICE_PASSWORD, "Undelivered Mail Returned to Sender")
    assert b"Subject: doomed one" in bounce
    assert b"Auto-Submitted: auto-replied" in bounce
    assert b"multipart/report" in bounce
    assert b"report-type=delivery-status" in bounce or b'report-type="delivery-status"' in bounce
    assert b"Status: 5.1.1" in bounce
    assert f"Final-Recipient: rfc822; nobody@{REMOTE_DOMAIN}".encode() in bounce.replace(
        b"rfc822;nobody", b"rfc822; nobody"
    )


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is not installed")
@pytest.mark.parametrize(
    "port,tls_option,mechanism",
    [("submissions", "--tls-on-connect", "PLAIN"), ("submission", "--tls", "LOGIN")],
)
def test_swaks_submits_and_the_message_arrives(mail_server, port, tls_option, mechanism):
    subject = f"swaks {port}"
    result = subprocess.run(
        [
            "swaks", "--server", "127.0.0.1", "--port", str(mail_server.ports[port]), tls_option,
            "--auth", mechanism, "--auth-user", ALICE, "--auth-password", ALICE_PASSWORD,
            "--from", ALICE, "--to", BOB, "--header", f"Subject: {subject}",
            "--header", f"From: {ALICE}", "--body", "sent by swaks",
        ],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "250 2.0.0 Ok: queued as" in result.stdout
    assert len(delivered(mail_server, BOB, BOB_PASSWORD, subject)) == 1


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is not installed")
def test_swaks_over_implicit_tls_with_a_wrong_password_fails(mail_server):
    result = subprocess.run(
        [
            "swaks", "--server", "127.0.0.1", "--port", str(mail_server.ports["submissions"]),
            "--tlsc", "--auth", "LOGIN", "--auth-user", ALICE, "--auth-password", "wrong",
            "--from", ALICE, "--to", BOB,
        ],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "535" in result.stdout
