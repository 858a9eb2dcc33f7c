"""IMAP against the real daemon with Python's imaplib: login over implicit TLS and STARTTLS,
folders, APPEND with flags and date, FETCH, STORE, COPY, MOVE, EXPUNGE, and IDLE seeing a
message that a second connection appends."""

import imaplib
import shutil
import subprocess
import socket
import time

import pytest

USER = "alice@example.test"
PASSWORD = "imap-pass-123"
MESSAGE = b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: hello\r\n\r\nHi Alice\r\n"


@pytest.fixture
def imap_server(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n")
    return instance.start()


def connect(server):
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", server.ports["imaps"], ssl_context=server.tls_context(), timeout=10
    )
    client.login(USER, PASSWORD)
    return client


def test_login_over_implicit_tls(imap_server):
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", imap_server.ports["imaps"], ssl_context=imap_server.tls_context(), timeout=10
    )
    assert "AUTH=PLAIN" in client.capabilities
    typ, _ = client.login(USER, PASSWORD)
    assert typ == "OK"
    client.logout()


def test_login_over_starttls(imap_server):
    client = imaplib.IMAP4("127.0.0.1", imap_server.ports["imap"], timeout=10)
    assert "LOGINDISABLED" in client.capabilities
    client.starttls(ssl_context=imap_server.tls_context())
    assert "AUTH=PLAIN" in client.capabilities
    typ, _ = client.login(USER, PASSWORD)
    assert typ == "OK"
    client.logout()


def test_wrong_password_fails(imap_server):
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", imap_server.ports["imaps"], ssl_context=imap_server.tls_context(), timeout=10
    )
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        client.login(USER, "wrong")


def test_create_rename_delete_folders(imap_server):
    client = connect(imap_server)
    assert client.create("Projects/2026")[0] == "OK"
    assert client.rename("Projects", "Old")[0] == "OK"
    assert client.select("Old/2026")[0] == "OK"
    assert client.delete("Old")[0] == "OK"
    assert client.select("Old/2026")[0] == "NO"
    assert client.delete("Trash")[0] == "NO"
    client.logout()


def test_append_with_flags_and_date_then_fetch(imap_server):
    client = connect(imap_server)
    date = imaplib.Time2Internaldate(time.mktime((2024, 7, 14, 2, 44, 25, 0, 0, -1)))
    typ, data = client.append("INBOX", r"(\Flagged $Forwarded)", date, MESSAGE)
    assert typ == "OK" and b"APPENDUID" in data[0]
    client.select("INBOX")
    typ, data = client.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK"
    meta, header = data[0]
    assert b"\\Flagged $Forwarded" in meta
    assert f"RFC822.SIZE {len(MESSAGE)}".encode() in meta
    assert header == b"Subject: hello\r\n\r\n"
    typ, data = client.fetch("1", "(BODY[])")
    assert data[0][1] == MESSAGE
    typ, data = client.fetch("1", "(FLAGS)")
    assert b"\\Seen" in data[0]
    client.logout()


def test_store_copy_move_expunge(imap_server):
    client = connect(imap_server)
    for _ in range(3):
        client.append("INBOX", None, None, MESSAGE)
    client.select("INBOX")
    typ, data = client.store("1", "+FLAGS", r"(\Deleted)")
    assert typ == "OK" and b"\\Deleted" in data[0]
    typ, data = client.copy("2", "Drafts")
    assert typ == "OK"
    typ, data = client.uid("MOVE", "3", "Trash")
    assert typ == "OK"
    assert client.response("EXPUNGE") == ("EXPUNGE", [b"3"])
    typ, data = client.expunge()
    assert typ == "OK" and data == [b"1"]
    typ, data = client.fetch("1:*", "(UID)")
    assert data == [b"1 (UID 2)"]
    client.select("Drafts")
    typ, data = client.fetch("1:*", "(UID)")
    assert len(data) == 1
    client.logout()


def test_idle_sees_an_append_from_a_second_connection(imap_server):
    context = imap_server.tls_context()
    raw = socket.create_connection(("127.0.0.1", imap_server.ports["imaps"]), timeout=10)
    tls = context.wrap_socket(raw, server_hostname="localhost")
    reader = tls.makefile("rb")
    reader.readline()
    tls.sendall(f"a1 LOGIN {USER} {PASSWORD}\r\na2 SELECT INBOX\r\n".encode())
    while not reader.readline().startswith(b"a2 OK"):
        pass
    tls.sendall(b"a3 IDLE\r\n")
    assert reader.readline() == b"+ idling\r\n"
    other = connect(imap_server)
    other.append("INBOX", None, None, MESSAGE)
    assert reader.readline() == b"* 1 EXISTS\r\n"
    # The idling session is the first to see it: \Recent is its (RFC 3501 §2.3.2).
    assert reader.readline() == b"* 1 RECENT\r\n"
    tls.sendall(b"DONE\r\n")
    assert reader.readline().startswith(b"a3 OK")
    other.logout()
    tls.close()


def curl(server, url, *extra):
    cert = str(server.data_dir / "certs" / "self-signed.crt")
    return subprocess.run(
        ["curl", "-sS", "--cacert", cert, "--user", f"{USER}:{PASSWORD}", *extra, url],
        capture_output=True, timeout=20,
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_fetches_a_message_over_imaps_and_starttls(imap_server):
    client = connect(imap_server)
    client.append("INBOX", None, None, MESSAGE)
    client.logout()
    imaps = curl(imap_server, f"imaps://localhost:{imap_server.ports['imaps']}/INBOX;UID=1")
    assert imaps.returncode == 0, imaps.stderr
    assert imaps.stdout == MESSAGE
    starttls = curl(
        imap_server, f"imap://localhost:{imap_server.ports['imap']}/INBOX;UID=1", "--ssl-reqd"
    )
    assert starttls.returncode == 0, starttls.stderr
    assert starttls.stdout == MESSAGE


def test_fetch_every_item_imaplib_can_read(imap_server):
    client = connect(imap_server)
    client.append("INBOX", None, None, MESSAGE)
    client.select("INBOX")
    items = (
        "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE BODY.PEEK[HEADER] "
        "BODY.PEEK[TEXT]<0.2> BODY.PEEK[1.MIME] BINARY.PEEK[1] BINARY.SIZE[1] RFC822.HEADER)"
    )
    typ, data = client.fetch("1", items)
    assert typ == "OK"
    flat = b"".join(part if isinstance(part, bytes) else b"".join(part) for part in data)
    for expected in (
        b"UID 1", b"FLAGS (\\Recent)", b"INTERNALDATE \"", f"RFC822.SIZE {len(MESSAGE)}".encode(),
        b"ENVELOPE (NIL \"hello\"", b"BODYSTRUCTURE (\"text\" \"plain\"",
        b"BODY[TEXT]<0> {2}", b"Hi", b"BINARY.SIZE[1] 10", b"Subject: hello\r\n",
    ):
        assert expected in flat, (expected, flat)
    typ, data = client.fetch("1", "(RFC822.TEXT)")
    assert data[0][1] == b"Hi Alice\r\n"
    client.logout()
