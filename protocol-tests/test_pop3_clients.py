"""Real POP3 clients from Debian against the real daemon over implicit TLS, checking the
daemon's certificate: fetchmail keeping mail, then flushing it (the messages fetched before
go to Trash at QUIT), and getmail6's SimplePOP3SSLRetriever into a Maildir, run twice to show
that only new mail is fetched the second time. Messages are put in over IMAP."""

import imaplib
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile

import pytest

USER = "alice@example.test"
PASSWORD = "pop3-client-pass-1"


def message(n):
    return (
        f"From: bob@example.test\r\nTo: {USER}\r\nSubject: client test {n}\r\n"
        f"Message-ID: <client-{n}@example.test>\r\n\r\nbody of message {n}\r\n"
        f".a line that needs stuffing {n}\r\n"
    ).encode()


@pytest.fixture
def pop3_server(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n")
    return instance.start()


def imap(server):
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", server.ports["imaps"], ssl_context=server.tls_context(), timeout=10
    )
    client.login(USER, PASSWORD)
    return client


def deliver(server, *numbers):
    client = imap(server)
    for n in numbers:
        assert client.append("INBOX", None, None, message(n))[0] == "OK"
    client.logout()


def count(server, mailbox):
    client = imap(server)
    typ, data = client.select(mailbox, readonly=True)
    client.logout()
    assert typ == "OK"
    return int(data[0])


def certificate(server):
    return server.data_dir / "certs" / "self-signed.crt"


def run_fetchmail(server, home, *options):
    rc = home / "fetchmailrc"
    inbox = home / "delivered"
    inbox.mkdir(exist_ok=True)
    rc.write_text(
        f'poll "127.0.0.1" with proto POP3 service {server.ports["pop3s"]} uidl timeout 30\n'
        f'  user "{USER}" there with password "{PASSWORD}" is "{os.environ.get("USER", "root")}" here\n'
        f'  ssl sslcertck sslcommonname "localhost" sslcertfile "{certificate(server)}"\n'
        f'  mda "cat > {inbox}/message.$$"\n'
    )
    rc.chmod(0o600)
    env = dict(os.environ, FETCHMAILHOME=str(home), HOME=str(home))
    result = subprocess.run(
        ["fetchmail", "-f", str(rc), "--nodetach", "-v", *options],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    # fetchmail exits 0 when it fetched mail and 1 when there was none.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return sorted(p.read_bytes() for p in inbox.iterdir()), result


@pytest.mark.skipif(shutil.which("fetchmail") is None, reason="fetchmail is not installed")
def test_fetchmail_keeps_then_flushes(pop3_server, tmp_path):
    home = tmp_path / "fetchmail"
    home.mkdir()
    deliver(pop3_server, 1, 2, 3)
    fetched, result = run_fetchmail(pop3_server, home, "--keep")
    assert len(fetched) == 3, result.stderr
    for n in (1, 2, 3):
        # fetchmail delivers with LF line endings and adds its own Received field.
        assert any(f"Subject: client test {n}\n".encode() in m for m in fetched)
    assert any(b"\n.a line that needs stuffing 1\n" in m for m in fetched)
    assert count(pop3_server, "INBOX") == 3
    deliver(pop3_server, 4)
    fetched, result = run_fetchmail(pop3_server, home, "--keep", "--flush")
    assert len(fetched) == 4, result.stderr
    assert sum(b"Subject: client test 4\n" in m for m in fetched) == 1
    # --flush deleted the three fetched in the first run; the new one was kept.
    assert count(pop3_server, "INBOX") == 1
    assert count(pop3_server, "Trash") == 3


@pytest.fixture
def maildir():
    """An empty Maildir. getmail refuses to deliver as root, so as root (CI) it delivers as
    nobody: the Maildir then lives in a directory of its own that nobody owns."""
    base = pathlib.Path(tempfile.mkdtemp(prefix="postamt-getmail-"))
    path = base / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for directory in (base, path, path / "cur", path / "new", path / "tmp"):
            os.chown(directory, nobody.pw_uid, nobody.pw_gid)
    yield path
    shutil.rmtree(base)


def run_getmail(server, directory, maildir):
    deliver_as = "user = nobody\n" if os.geteuid() == 0 else ""
    rc = directory / "getmailrc"
    rc.write_text(
        "[retriever]\n"
        "type = SimplePOP3SSLRetriever\n"
        "server = 127.0.0.1\n"
        f"port = {server.ports['pop3s']}\n"
        f"username = {USER}\n"
        f"password = {PASSWORD}\n"
        f"ca_certs = {certificate(server)}\n"
        "ssl_cert_hostname = localhost\n"
        "\n[destination]\n"
        "type = Maildir\n"
        f"path = {maildir}/\n"
        f"{deliver_as}"
        "\n[options]\n"
        "read_all = false\n"
        "delete = false\n"
    )
    result = subprocess.run(
        ["getmail", "--getmaildir", str(directory), "--rcfile", str(rc)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(p.read_bytes() for p in (maildir / "new").iterdir()), result


@pytest.mark.skipif(shutil.which("getmail") is None, reason="getmail6 is not installed")
def test_getmail6_fetches_only_new_mail_on_the_second_run(pop3_server, tmp_path, maildir):
    directory = tmp_path / "getmail"
    directory.mkdir()
    deliver(pop3_server, 1, 2)
    fetched, result = run_getmail(pop3_server, directory, maildir)
    assert len(fetched) == 2, result.stdout + result.stderr
    assert any(b"Subject: client test 1\n" in m for m in fetched)
    deliver(pop3_server, 3)
    fetched, result = run_getmail(pop3_server, directory, maildir)
    assert len(fetched) == 3, result.stdout + result.stderr
    assert "1 messages" in result.stdout, result.stdout
    assert sum(b"Subject: client test 3\n" in m for m in fetched) == 1
    # delete = false: nothing left the server.
    assert count(pop3_server, "INBOX") == 3
