"""POP3 against the real daemon with Python's poplib, over implicit TLS (995's role) and over
the STARTTLS port with STLS (110's role): STAT, LIST, UIDL, TOP, RETR byte-exact with what was
appended over IMAP (dot-stuffing included), DELE + QUIT moving to Trash (checked over IMAP),
RSET, UIDL stable across sessions, [IN-USE] on a second session, passwords refused before
STLS, RETR marking \\Seen, and a sample of the corpus round-tripping byte for byte."""

import base64
import imaplib
import pathlib
import poplib
import ssl

import pytest

USER = "alice@example.test"
PASSWORD = "pop3-pass-123"
CORPUS = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

PLAIN = b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: one\r\n\r\nHi Alice\r\n"
DOTTED = (
    b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: dots\r\n\r\n"
    b".leading dot\r\n..two dots\r\n.\r\nlast line\r\n"
)


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


def append(server, *messages):
    client = imap(server)
    for message in messages:
        typ, _ = client.append("INBOX", None, None, message)
        assert typ == "OK"
    client.logout()


def count(server, mailbox):
    client = imap(server)
    typ, data = client.select(mailbox, readonly=True)
    assert typ == "OK"
    client.logout()
    return int(data[0])


def pop3s(server, login=True):
    client = poplib.POP3_SSL(
        "127.0.0.1", server.ports["pop3s"], context=server.tls_context(), timeout=10
    )
    if login:
        client.user(USER)
        client.pass_(PASSWORD)
    return client


def unverified():
    """A client context that accepts the self-signed certificate without checking it, as
    a user clicking "accept" would."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def retrieved(lines):
    """The message as poplib hands it over (unstuffed lines without CRLF), as stored."""
    return b"".join(line + b"\r\n" for line in lines)


def test_stat_list_uidl_and_top_over_implicit_tls(pop3_server):
    append(pop3_server, PLAIN, DOTTED)
    client = pop3s(pop3_server)
    assert client.stat() == (2, len(PLAIN) + len(DOTTED))
    _, listing, _ = client.list()
    assert listing == [f"1 {len(PLAIN)}".encode(), f"2 {len(DOTTED)}".encode()]
    assert client.list(2).startswith(f"+OK 2 {len(DOTTED)}".encode())
    _, uids, _ = client.uidl()
    assert len(uids) == 2 and len({u.split()[1] for u in uids}) == 2
    _, top, _ = client.top(2, 1)
    assert top == [
        b"From: bob@example.test",
        b"To: alice@example.test",
        b"Subject: dots",
        b"",
        b".leading dot",
    ]
    assert client.quit().startswith(b"+OK")


def test_retr_is_byte_exact_with_what_was_appended(pop3_server):
    append(pop3_server, PLAIN, DOTTED)
    client = pop3s(pop3_server)
    for number, message in [(1, PLAIN), (2, DOTTED)]:
        response, lines, octets = client.retr(number)
        assert response == f"+OK {len(message)} octets".encode()
        assert retrieved(lines) == message
    client.quit()


def test_stls_on_the_starttls_port_then_login(pop3_server):
    append(pop3_server, PLAIN)
    client = poplib.POP3("127.0.0.1", pop3_server.ports["pop3"], timeout=10)
    capabilities = client.capa()
    assert "STLS" in capabilities and "USER" not in capabilities
    client.stls(context=unverified())
    capabilities = client.capa()
    assert "USER" in capabilities and "STLS" not in capabilities
    assert capabilities["SASL"] == ["PLAIN", "LOGIN"]
    client.user(USER)
    client.pass_(PASSWORD)
    assert client.stat() == (1, len(PLAIN))
    client.quit()


def test_passwords_are_refused_before_stls(pop3_server):
    client = poplib.POP3("127.0.0.1", pop3_server.ports["pop3"], timeout=10)
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
        client.user(USER)
    with pytest.raises(poplib.error_proto):
        client.pass_(PASSWORD)
    client.quit()


def test_dele_then_quit_moves_the_message_to_trash(pop3_server):
    append(pop3_server, PLAIN, DOTTED)
    client = pop3s(pop3_server)
    client.dele(1)
    assert client.stat() == (1, len(DOTTED))
    assert client.quit().startswith(b"+OK")
    assert count(pop3_server, "INBOX") == 1
    assert count(pop3_server, "Trash") == 1
    mail = imap(pop3_server)
    mail.select("Trash", readonly=True)
    _, data = mail.fetch("1", "(BODY.PEEK[])")
    assert data[0][1] == PLAIN
    mail.logout()


def test_a_session_that_ends_without_quit_deletes_nothing(pop3_server):
    append(pop3_server, PLAIN)
    client = pop3s(pop3_server)
    client.dele(1)
    client.sock.close()
    assert count(pop3_server, "INBOX") == 1
    assert count(pop3_server, "Trash") == 0


def test_rset_undoes_dele(pop3_server):
    append(pop3_server, PLAIN, DOTTED)
    client = pop3s(pop3_server)
    client.dele(1)
    client.dele(2)
    client.rset()
    assert client.stat()[0] == 2
    client.quit()
    assert count(pop3_server, "INBOX") == 2


def test_uidl_is_stable_across_sessions(pop3_server):
    append(pop3_server, PLAIN, DOTTED)
    client = pop3s(pop3_server)
    _, first, _ = client.uidl()
    client.quit()
    append(pop3_server, PLAIN)
    client = pop3s(pop3_server)
    _, second, _ = client.uidl()
    client.quit()
    assert second[:2] == first
    assert second[2].split()[1] not in {u.split()[1] for u in first}


def test_a_second_session_is_told_the_maildrop_is_in_use(pop3_server):
    first = pop3s(pop3_server)
    second = pop3s(pop3_server, login=False)
    second.user(USER)
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        second.pass_(PASSWORD)
    first.quit()
    second.user(USER)
    assert second.pass_(PASSWORD).startswith(b"+OK")
    second.quit()


def test_retr_marks_the_message_seen_for_imap(pop3_server):
    append(pop3_server, PLAIN, DOTTED)
    client = pop3s(pop3_server)
    client.retr(2)
    client.top(1, 0)
    client.quit()
    mail = imap(pop3_server)
    mail.select("INBOX", readonly=True)
    _, unseen = mail.search(None, "UNSEEN")
    assert unseen == [b"1"]
    mail.logout()


def test_auth_plain_over_implicit_tls(pop3_server):
    client = pop3s(pop3_server, login=False)
    token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    assert client._shortcmd(f"AUTH PLAIN {token}").startswith(b"+OK")
    assert client.stat() == (0, 0)
    client.quit()


def corpus_sample(limit=25):
    """Corpus messages as a mail server stores them: the mbox "From " line stripped, CRLF
    line endings, no line longer than poplib accepts."""
    sample = []
    for path in sorted(CORPUS.glob("*/*.txt")):
        data = path.read_bytes()
        if data.startswith(b"From "):
            data = data.partition(b"\n")[2]
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if not data.endswith(b"\r\n") or any(len(l) > 2000 for l in data.split(b"\r\n")):
            continue
        sample.append(data)
        if len(sample) == limit:
            break
    return sample


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not there")
def test_corpus_messages_round_trip_byte_for_byte(pop3_server):
    sample = corpus_sample()
    assert sample
    append(pop3_server, *sample)
    client = pop3s(pop3_server)
    assert client.stat() == (len(sample), sum(len(m) for m in sample))
    for number, message in enumerate(sample, 1):
        _, lines, _ = client.retr(number)
        assert retrieved(lines) == message, f"message {number}"
    client.quit()
