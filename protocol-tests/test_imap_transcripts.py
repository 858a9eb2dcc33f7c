"""Scripted IMAP transcripts against the real daemon over implicit TLS: each file in
protocol-tests/imap/ holds client lines (`C: `) and the server lines expected in answer
(`S: `), in order. In an expected line `*` beyond the response's first word matches any
text, so variable parts (UIDVALIDITY, dates, versions) need no pinning. `USER` and `PASS`
stand for the test account."""

import fnmatch
import pathlib
import socket

import pytest

USER = "alice@example.test"
PASSWORD = "transcript-pass-1"
TRANSCRIPTS = sorted((pathlib.Path(__file__).parent / "imap").glob("*.txt"))


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


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(imap_server, path):
    raw = socket.create_connection(("127.0.0.1", imap_server.ports["imaps"]), timeout=10)
    tls = imap_server.tls_context().wrap_socket(raw, server_hostname="localhost")
    reader = tls.makefile("rb")
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        kind, text = line[:2], line[3:].replace("USER", USER).replace("PASS", PASSWORD)
        if kind == "C:":
            tls.sendall(text.encode() + b"\r\n")
        elif kind == "S:":
            got = reader.readline().decode("utf-8", "replace").rstrip("\r\n")
            assert matches(text, got), f"{path.name}:{number}: expected {text!r}, got {got!r}"
        else:
            raise AssertionError(f"{path.name}:{number}: unknown line kind {kind!r}")
    tls.close()
