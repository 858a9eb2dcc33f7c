"""Scripted POP3 transcripts against the real daemon, for the error cases above all: each
file in protocol-tests/pop3/ holds client lines (`C: `) and the server lines expected in
answer (`S: `), in order, multi-line responses line by line. In an expected line `*` beyond
the first word (`+OK`, `-ERR`) matches any text. In a client line `{user}` and `{pass}` stand
for the test account, `{plain}` for its AUTH PLAIN response, and `<<c*N>>` for N copies of
the character c.

Connections run over implicit TLS unless the file starts with `# connect: pop3` (the
STARTTLS port, in plaintext). `C2: `/`S2: ` lines talk over a second connection, opened at
its first line. INBOX holds two messages before each transcript, appended over IMAP:
`first` (87 octets, with a line starting with a dot) and `second` (76 octets)."""

import base64
import fnmatch
import imaplib
import pathlib
import re
import socket

import pytest

USER = "alice@example.test"
PASSWORD = "transcript-pass-1"
TRANSCRIPTS = sorted((pathlib.Path(__file__).parent / "pop3").glob("*.txt"))
REPEAT = re.compile(r"<<(.)\*(\d+)>>")
PLAINTEXT = "# connect: pop3"
MESSAGES = [
    b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: first\r\n\r\n"
    b"line one\r\n.dot line\r\n",
    b"From: carol@example.test\r\nTo: alice@example.test\r\nSubject: second\r\n\r\nhello\r\n",
]


@pytest.fixture
def pop3_server(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n")
    instance.start()
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", instance.ports["imaps"], ssl_context=instance.tls_context(), timeout=10
    )
    client.login(USER, PASSWORD)
    for message in MESSAGES:
        assert client.append("INBOX", None, None, message)[0] == "OK"
    client.logout()
    return instance


def matches(expected: str, got: str) -> bool:
    head, _, rest = expected.partition(" ")
    got_head, _, got_rest = got.partition(" ")
    return head == got_head and fnmatch.fnmatchcase(got_rest, rest.replace("[", "[[]"))


class Connection:
    def __init__(self, server, plaintext):
        port = server.ports["pop3" if plaintext else "pop3s"]
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.socket = raw if plaintext else server.tls_context().wrap_socket(
            raw, server_hostname="localhost"
        )
        self.reader = self.socket.makefile("rb")

    def close(self):
        self.reader.close()
        self.socket.close()


def client_line(text):
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    text = text.replace("{user}", USER).replace("{pass}", PASSWORD).replace("{plain}", plain)
    return REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), text)


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(pop3_server, path):
    lines = path.read_text(encoding="utf-8").splitlines()
    plaintext = bool(lines) and lines[0].strip() == PLAINTEXT
    connections = {}
    try:
        for number, line in enumerate(lines, 1):
            if not line or line.startswith("#"):
                continue
            kind, _, text = line.partition(" ")
            side, which = kind[:1], kind[1:-1] or "1"
            if side not in ("C", "S") or not kind.endswith(":"):
                raise AssertionError(f"{path.name}:{number}: unknown line kind {kind!r}")
            if which not in connections:
                connections[which] = Connection(pop3_server, plaintext)
            conn = connections[which]
            if side == "C":
                conn.socket.sendall(client_line(text).encode() + b"\r\n")
            else:
                raw = conn.reader.readline()
                assert raw.endswith(b"\r\n"), f"{path.name}:{number}: no CRLF in {raw!r}"
                got = raw.decode("utf-8", "replace")[:-2]
                assert matches(text, got), f"{path.name}:{number}: expected {text!r}, got {got!r}"
    finally:
        for conn in connections.values():
            conn.close()
