"""Scripted IMAP transcripts against the real daemon over implicit TLS: each file in
protocol-tests/imap/ holds client lines (`C: `) and the server lines expected in answer
(`S: `), in order. In an expected line `*` beyond the response's first word matches any
text, so variable parts (UIDVALIDITY, dates, versions) need no pinning. `USER` and `PASS`
stand for the test account. A literal is written as the client lines that make it up, each
sent with its CRLF. In a client line `<<c*N>>` stands for N copies of the character c, for
over-long input.

`C2: `/`S2: ` lines (and `C3: `/`S3: `, ...) talk over further connections to the same
account, opened at their first line: for what one session must see of another's changes
(IDLE, EXISTS, EXPUNGE) and for cases that end a session. A first line `# xfail: <reason>`
marks a transcript that states the RFC-correct answer for a known server bug; it runs
strictly, so the run fails once the bug is fixed, and then the mark must go."""

import fnmatch
import pathlib
import re
import socket

import pytest

USER = "alice@example.test"
PASSWORD = "transcript-pass-1"
TRANSCRIPTS = sorted((pathlib.Path(__file__).parent / "imap").glob("*.txt"))
XFAIL = "# xfail:"
REPEAT = re.compile(r"<<(.)\*(\d+)>>")


def transcript_param(path):
    first = path.read_text(encoding="utf-8").partition("\n")[0]
    marks = []
    if first.startswith(XFAIL):
        marks.append(
            pytest.mark.xfail(
                reason=first[len(XFAIL) :].strip(), raises=AssertionError, strict=True
            )
        )
    return pytest.param(path, marks=marks, id=path.stem)


@pytest.fixture
def imap_server(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n")
    return instance.start()


def matches(expected: str, got: str) -> bool:
    head, _, rest = expected.partition(" ")
    got_head, _, got_rest = got.partition(" ")
    if head != got_head:
        return False
    pattern = rest.replace("[", "[[]")
    return fnmatch.fnmatchcase(got_rest, pattern)


class Connection:
    def __init__(self, server):
        raw = socket.create_connection(("127.0.0.1", server.ports["imaps"]), timeout=10)
        self.tls = server.tls_context().wrap_socket(raw, server_hostname="localhost")
        self.reader = self.tls.makefile("rb")

    def close(self):
        self.reader.close()
        self.tls.close()


@pytest.mark.parametrize("path", [transcript_param(p) for p in TRANSCRIPTS])
def test_transcript(imap_server, path):
    connections = {}
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line or line.startswith("#"):
                continue
            kind, _, text = line.partition(" ")
            text = text.replace("USER", USER).replace("PASS", PASSWORD)
            side, which = kind[:1], kind[1:-1] or "1"
            if side not in ("C", "S") or not kind.endswith(":"):
                raise AssertionError(f"{path.name}:{number}: unknown line kind {kind!r}")
            if which not in connections:
                connections[which] = Connection(imap_server)
            conn = connections[which]
            if side == "C":
                text = REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), text)
                conn.tls.sendall(text.encode() + b"\r\n")
            else:
                got = conn.reader.readline().decode("utf-8", "replace").rstrip("\r\n")
                assert matches(text, got), f"{path.name}:{number}: expected {text!r}, got {got!r}"
    finally:
        for conn in connections.values():
            conn.close()
