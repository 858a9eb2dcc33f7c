"""Helpers for the SMTP tests: accounts, reading what was delivered over IMAP, raw SMTP
conversations, and a fake remote mail server that the outbound queue reaches through a
static route."""

import imaplib
import re
import socket
import socketserver
import threading
import time

ALICE = "alice@example.test"
ALICE_PASSWORD = "alice-pass-123"
BOB = "bob@example.test"
BOB_PASSWORD = "bob-pass-456"
REMOTE_DOMAIN = "remote.test"

# Long enough for a loaded CI machine; a test that needs it has already failed.
DELIVERY_DEADLINE = 30.0


def add_accounts(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", ALICE, "--password-stdin", input=ALICE_PASSWORD + "\n")
    instance.cli("user", "add", BOB, "--password-stdin", input=BOB_PASSWORD + "\n")


def message(subject, sender=ALICE, to=BOB, body="Hello.\r\n", extra=""):
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n{extra}\r\n{body}"
    ).encode()


def imap(server, user, password):
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", server.ports["imaps"], ssl_context=server.tls_context(), timeout=10
    )
    client.login(user, password)
    return client


def delivered(server, user, password, subject, mailbox="INBOX", count=1):
    """The raw messages in `mailbox` whose Subject contains `subject`, once there are
    `count` of them (or whatever is there at the deadline)."""
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while True:
        client = imap(server, user, password)
        try:
            typ, _ = client.select(mailbox, readonly=True)
            # A folder a filter creates appears with the first message filed into it.
            numbers = []
            if typ == "OK":
                _, data = client.search(None, "HEADER", "Subject", f'"{subject}"')
                numbers = data[0].split()
            found = []
            for n in numbers:
                _, parts = client.fetch(n, "(BODY.PEEK[])")
                found.append(parts[0][1])
        finally:
            client.logout()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def header_lines(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.decode("utf-8", "replace").split("\r\n")


class RawSmtp:
    """A plaintext SMTP conversation on a socket, for what smtplib will not send."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """One whole (possibly multi-line) reply as (code, text)."""
        lines = []
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed after {lines!r}")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            text = line.decode("utf-8", "replace")
            lines.append(text)
            if len(text) < 4 or text[3] != "-":
                return int(text[:3]), "\n".join(lines)

    def command(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


class FakeMx:
    """A remote mail server: answers RCPT for addresses in `refuse` with their reply,
    everything else with 250, and records every message it accepts."""

    def __init__(self, refuse=None):
        self.refuse = refuse or {}
        self.received = []
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 mx.remote.test ESMTP fake\r\n")
                mail_from, rcpts = None, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250-mx.remote.test\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n")
                    elif verb == b"MAIL":
                        mail_from = re.search(rb"<(.*?)>", line).group(1).decode()
                        rcpts = []
                        self.wfile.write(b"250 2.1.0 ok\r\n")
                    elif verb == b"RCPT":
                        address = re.search(rb"<(.*?)>", line).group(1).decode()
                        answer = fake.refuse.get(address)
                        if answer:
                            self.wfile.write(answer.encode() + b"\r\n")
                        else:
                            rcpts.append(address)
                            self.wfile.write(b"250 2.1.5 ok\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        data = b""
                        while True:
                            chunk = self.rfile.readline()
                            if chunk in (b".\r\n", b""):
                                break
                            data += chunk[1:] if chunk.startswith(b".") else chunk
                        fake.received.append((mail_from, rcpts, data))
                        self.wfile.write(b"250 2.0.0 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 2.0.0 bye\r\n")
                        return
                    elif verb == b"RSET" or verb == b"NOOP":
                        self.wfile.write(b"250 2.0.0 ok\r\n")
                    else:
                        self.wfile.write(b"502 5.5.1 not here\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count):
        deadline = time.monotonic() + DELIVERY_DEADLINE
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received

    def close(self):
        self.server.shutdown()
        self.server.server_close()
