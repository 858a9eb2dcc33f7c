"""Fixtures that run the real postamt binary: a data dir, a configuration on free loopback
ports, the daemon as a child process, and the admin CLI."""

import os
import pathlib
import signal
import socket
import ssl
import subprocess
import time

import pytest

from dns_support import TestDns

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = os.environ.get("POSTAMT_BIN", str(ROOT / "target" / "release" / "postamt"))

PROTOCOLS = {
    # name in the config: (protocol, tls mode)
    "imap": ("imap", "starttls"),
    "imaps": ("imap", "implicit"),
    "pop3": ("pop3", "starttls"),
    "pop3s": ("pop3", "implicit"),
    "smtp": ("smtp", "starttls"),
    "submission": ("submission", "starttls"),
    "submissions": ("submission", "implicit"),
    "managesieve": ("managesieve", "starttls"),
}


def free_ports(count):
    """Distinct free loopback ports: every socket stays bound until all are chosen, so the
    kernel cannot hand out the same port twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def wait_for_port(port, process, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"postamt exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


_SESSION_DNS = None


def session_dns():
    """The DNS server on loopback every daemon of the test run asks, unless a test gives its
    own: NXDOMAIN for every name a test has not added to its zone (tests add names of their
    own, so they never meet another test's records)."""
    global _SESSION_DNS
    if _SESSION_DNS is None:
        _SESSION_DNS = TestDns()
    return _SESSION_DNS


class Instance:
    """One data dir and configuration; the daemon and the CLI both work on it. The daemon runs
    as in production, SPF, DKIM and DMARC included, against `dns` (by default the session's
    DNS server on loopback)."""

    def __init__(self, base: pathlib.Path, extra_config: str = "", dns=None):
        self.base = base
        self.dns = dns or session_dns()
        self.data_dir = base / "data"
        self.config = base / "postamt.toml"
        self.ports = dict(zip(PROTOCOLS, free_ports(len(PROTOCOLS))))
        listeners = "".join(
            f'\n[[listener]]\nprotocol = "{proto}"\naddress = "127.0.0.1:{self.ports[name]}"\n'
            f'tls = "{mode}"\n'
            for name, (proto, mode) in PROTOCOLS.items()
        )
        self.config.write_text(
            f'[server]\nhostname = "mail.example.test"\ndata_dir = "{self.data_dir}"\n'
            f'[dns]\nservers = ["{self.dns.address}"]\ntimeout = 1\nattempts = 2\nmessage_budget = 3\n'
            f"[antispam]\n"
            f"{extra_config}\n{listeners}"
        )
        self.process = None
        self.log = base / "postamt.log"

    def cli(self, *args, input=None, check=True):
        result = subprocess.run(
            [BIN, "--config", str(self.config), *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"postamt {' '.join(args)} exited {result.returncode}: {result.stderr}"
            )
        return result

    def start(self):
        log = open(self.log, "ab")
        self.process = subprocess.Popen(
            [BIN, "serve", "--config", str(self.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port in self.ports.values():
            wait_for_port(port, self.process)
        return self

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self, timeout=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("postamt did not stop within 30 s of SIGTERM")
        return self.process.returncode if self.process else None

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tls_context(self):
        """A client context that trusts the daemon's self-signed certificate."""
        context = ssl.create_default_context(cafile=str(self.data_dir / "certs" / "self-signed.crt"))
        return context


@pytest.fixture
def instance(tmp_path):
    inst = Instance(tmp_path)
    yield inst
    inst.stop()


@pytest.fixture
def server(instance):
    instance.cli("domain", "add", "example.test")
    return instance.start()


@pytest.fixture
def mx():
    """A fake remote mail server on loopback; route a domain to `mx.port` to reach it."""
    from smtp_support import FakeMx

    fake = FakeMx()
    yield fake
    fake.close()
