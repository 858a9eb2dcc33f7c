#!/usr/bin/env python3
"""End-to-end delivery: postamt against Postfix on the same machine, with the same messages and
the same SMTP client.

Each run starts a fresh server whose state lives in a temp dir under target/ (the build disk, not
tmpfs, so fsync costs what it costs), sends corpus messages over concurrent SMTP sessions to its
inbound port, and times two spans from the first MAIL: to the last 250 after DATA (accepted/s),
and until every message is a file in a recipient's maildir (delivered/s).

postamt runs with its defaults (anti-spam with SPF, DKIM and DMARC, Sieve, the full-text index)
against a loopback DNS server, once answering and once dead. Postfix delivers with virtual(8)
into Maildirs and checks nothing, so DNS does not matter to it: it runs once per user profile.

    python3 bench/delivery_load.py [--messages N] [--clients C] [--deadline SECONDS]

POSTAMT_BIN names the binary (default target/release/postamt); DELIVERY_BENCH_MESSAGES and
DELIVERY_BENCH_CLIENTS set the defaults of the two counts (1000 and 8). Exits 1 when some run did
not deliver every message within the deadline, else 0 whether the targets are met or not.
"""

import argparse
import asyncio
import os
import pathlib
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "protocol-tests"))
from dns_support import DeadDns, TestDns  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
DOMAIN = "bench.test"
SENDER_DOMAIN = "sender.bench.test"
SENDER = f"someone@{SENDER_DOMAIN}"
PASSWORD = "bench-password-1"
SEED = 20261208
# Fine enough against runs of seconds, coarse enough that counting files costs nothing.
POLL_SECONDS = 0.02
TICKS = os.sysconf("SC_CLK_TCK")


def load_corpus(count):
    """`count` corpus messages, ham and spam shuffled with a fixed seed, each as DATA carries it."""
    paths = sorted(CORPUS.glob("ham/*.txt")) + sorted(CORPUS.glob("spam/*.txt"))
    if count > len(paths):
        sys.exit(f"at most {len(paths)} messages: the corpus has no more")
    random.Random(SEED).shuffle(paths)
    return [as_data(path.read_bytes()) for path in paths[:count]]


def as_data(raw):
    """mbox `From ` line stripped, CRLF line ends, dot-stuffed, ending with the lone `.` line."""
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    stuffed = (b"." + line if line.startswith(b".") else line for line in lines)
    return b"".join(line + b"\r\n" for line in stuffed) + b".\r\n"


async def expect(reader, code):
    """Reads one reply, all its lines, and fails unless it has `code`."""
    while True:
        line = await reader.readline()
        if not line.startswith(str(code).encode()):
            raise RuntimeError(f"expected {code}, got {line!r}")
        if line[3:4] != b"-":
            return


async def open_session(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await expect(reader, 220)
    writer.write(b"EHLO client.sender.bench.test\r\n")
    await expect(reader, 250)
    return reader, writer


async def send(session, jobs):
    """One transaction per job; returns the times of the first MAIL and of the last 250."""
    reader, writer = session
    first_mail = time.monotonic()
    for recipient, data in jobs:
        # PIPELINING (RFC 2920), both servers offer it: the envelope in one write, as MTAs send it.
        writer.write(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode())
        for code in (250, 250, 354):
            await expect(reader, code)
        writer.write(data)
        await expect(reader, 250)
    last_reply = time.monotonic()
    writer.write(b"QUIT\r\n")
    await expect(reader, 221)
    writer.close()
    return first_mail, last_reply


async def send_all(port, messages, recipients, clients):
    """Message i goes to recipient i mod len(recipients), client i mod `clients` sends it. Every
    session is open before the first MAIL, so connecting is not part of the figures."""
    jobs = [(recipients[i % len(recipients)], data) for i, data in enumerate(messages)]
    sessions = await asyncio.gather(*(open_session(port) for _ in range(clients)))
    spans = await asyncio.gather(*(send(s, jobs[c::clients]) for c, s in enumerate(sessions)))
    return min(first for first, _ in spans), max(last for _, last in spans)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, alive, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the server died before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def count_files(directories):
    return sum(1 for d in directories if d.is_dir() for f in os.scandir(d) if f.is_file())


def process_cpu_seconds(pid):
    """CPU time of a process and of the children it has reaped, and of its live children: what a
    forking server (Postfix's master and its daemons) has used."""
    def own_and_reaped(stat):
        utime, stime, cutime, cstime = (int(v) for v in stat[11:15])
        return utime + stime + cutime + cstime

    ticks = 0
    for entry in pathlib.Path("/proc").iterdir():
        try:
            # The command name may hold spaces: the fields start after its closing ')'.
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name == str(pid) or stat[1] == str(pid):
            ticks += own_and_reaped(stat)
    return ticks / TICKS


def machine_cpu():
    """(busy, iowait, all) seconds of every core since boot."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(v) for v in pathlib.Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    busy = user + nice + system + irq + softirq + steal
    return busy / TICKS, iowait / TICKS, (busy + idle + iowait) / TICKS


class Postamt:
    """The daemon with its default pipeline, on its own data dir and ports."""

    def __init__(self, base, binary, users, dns_address):
        self.binary = binary
        self.data = base / "data"
        self.config = base / "postamt.toml"
        self.log = base / "postamt.log"
        self.port = free_port()
        self.config.write_text(
            "\n".join(
                [
                    "[server]",
                    f'hostname = "mail.{DOMAIN}"',
                    f'data_dir = "{self.data}"',
                    "[[listener]]",
                    'protocol = "smtp"',
                    f'address = "127.0.0.1:{self.port}"',
                    # As deployed: IMAP sessions would be told of each delivery.
                    "[[listener]]",
                    'protocol = "imap"',
                    f'address = "127.0.0.1:{free_port()}"',
                    'tls = "implicit"',
                    "[limits]",
                    "max_connections = 1000",
                    "max_connections_per_ip = 1000",
                    "shutdown_grace = 2",
                    "[dns]",
                    f'servers = ["{dns_address}"]',
                    "timeout = 2",
                    "attempts = 2",
                    "message_budget = 5",
                    "[log]",
                    'level = "warn"',
                    "",
                ]
            )
        )
        self.cli("domain", "add", DOMAIN)
        for user in users:
            self.cli("user", "add", user, "--password-stdin", input=PASSWORD + "\n")
        self.process = None

    def cli(self, *args, input=None):
        subprocess.run(
            [self.binary, "--config", str(self.config), *args],
            input=input, capture_output=True, text=True, check=True, timeout=60,
        )

    def __enter__(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--config", str(self.config)], stdout=log, stderr=log
            )
        wait_for_port(self.port, lambda: self.process.poll() is None)
        return self

    def __exit__(self, *_):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cpu_seconds(self):
        return process_cpu_seconds(self.process.pid)

    def delivered(self):
        # INBOX or Junk, whichever the anti-spam stage chose: every mailbox of every user.
        return count_files(
            mailbox / sub
            for mailbox in self.data.glob("users/*/mail/*")
            for sub in ("new", "cur")
        )

    def queue_empty(self):
        return count_files([self.data / "queue" / "messages"]) == 0

    def log_tail(self):
        return self.log.read_text(errors="replace")[-2000:]


class Postfix:
    """A private instance: its own config dir, queue and maildirs, on its own port."""

    def __init__(self, base, users):
        self.config_dir = base / "etc"
        self.queue = base / "queue"
        self.vmail = base / "vmail"
        self.log = base / "maillog"
        self.port = free_port()
        self.config_dir.mkdir()
        for name in ("main.cf", "master.cf"):
            shutil.copy(pathlib.Path("/etc/postfix") / name, self.config_dir)
        self.queue.mkdir()
        (base / "data").mkdir()
        shutil.chown(base / "data", "postfix")
        # virtual(8) writes as this user; it must not be root (virtual_minimum_uid).
        owner = pwd.getpwnam("nobody")
        self.vmail.mkdir()
        os.chown(self.vmail, owner.pw_uid, owner.pw_gid)
        mailboxes = self.config_dir / "vmailbox"
        # A trailing slash makes the mailbox a Maildir.
        mailboxes.write_text("".join(f"{u} {u.split('@')[0]}/\n" for u in users))
        self.postconf(
            "-e",
            f"queue_directory = {self.queue}",
            f"data_directory = {base / 'data'}",
            f"myhostname = mail.{DOMAIN}",
            "mydestination =",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mynetworks = 127.0.0.0/8",
            "smtpd_client_restrictions =",
            "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination",
            "smtpd_peername_lookup = no",
            "alias_maps =",
            "alias_database =",
            f"virtual_mailbox_domains = {DOMAIN}",
            f"virtual_mailbox_base = {self.vmail}",
            f"virtual_mailbox_maps = texthash:{mailboxes}",
            f"virtual_uid_maps = static:{owner.pw_uid}",
            f"virtual_gid_maps = static:{owner.pw_gid}",
            "compatibility_level = 3.6",
            "default_process_limit = 100",
            f"maillog_file_prefixes = {base}",
            f"maillog_file = {self.log}",
        )
        self.postconf("-M#", "smtp/inet")
        listener = f"127.0.0.1:{self.port}"
        self.postconf("-Me", f"{listener}/inet = {listener} inet n - n - - smtpd")
        # Debian chroots its daemons into the queue directory, which would need copies of /etc
        # files there; the private instance runs them unchrooted.
        self.postconf("-F", "*/*/chroot = n")

    def postconf(self, *args):
        subprocess.run(
            ["postconf", "-c", str(self.config_dir), *args], check=True, capture_output=True
        )

    def postfix(self, *args, check=True):
        return subprocess.run(
            ["postfix", "-c", str(self.config_dir), *args],
            check=check,
            capture_output=True,
            text=True,
        )

    def master_pid(self):
        try:
            return int((self.queue / "pid" / "master.pid").read_text())
        except (OSError, ValueError):
            return None

    def __enter__(self):
        try:
            self.postfix("start")
            wait_for_port(self.port, lambda: self.postfix("status", check=False).returncode == 0)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        pid = self.master_pid()
        self.postfix("stop", check=False)
        # Its daemons must be gone before the next run is timed.
        deadline = time.monotonic() + 30
        while pid and pathlib.Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    def cpu_seconds(self):
        return process_cpu_seconds(self.master_pid())

    def delivered(self):
        return count_files(self.vmail.glob("*/new")) + count_files(self.vmail.glob("*/cur"))

    def queue_empty(self):
        return all(
            not any(f.is_file() for f in (self.queue / d).rglob("*"))
            for d in ("incoming", "active", "deferred")
        )

    def log_tail(self):
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""


@dataclass
class Run:
    label: str
    messages: int
    accepted_seconds: float
    # None when not all were delivered within the deadline.
    delivered_seconds: float | None
    client_cpu: float
    server_cpu: float
    machine_busy: float
    machine_iowait: float
    dns_queries: int | None

    @property
    def accepted_rate(self):
        return self.messages / self.accepted_seconds

    @property
    def delivered_rate(self):
        return self.messages / self.delivered_seconds if self.delivered_seconds else 0.0

    def report(self):
        delivered = (
            f"{self.delivered_rate:6.1f}/s ({self.delivered_seconds:5.2f} s)"
            if self.delivered_seconds
            else "NOT ALL DELIVERED"
        )
        dns = f", {self.dns_queries} DNS queries" if self.dns_queries is not None else ""
        print(
            f"  {self.label:24} accepted {self.accepted_rate:6.1f}/s "
            f"({self.accepted_seconds:5.2f} s), delivered {delivered}\n"
            f"  {'':24} server CPU {self.server_cpu:.1f} s; client and DNS server "
            f"{self.client_cpu:.0%} of a core while sending; machine {self.machine_busy:.0%} busy, "
            f"{self.machine_iowait:.0%} iowait{dns}",
            flush=True,
        )


def wait_delivered(server, total, since, deadline):
    """When all `total` messages were in the maildirs, once the queue is empty too (nothing left
    to retry); None past the deadline."""
    in_maildirs = None
    while time.monotonic() < since + deadline:
        if in_maildirs is None and server.delivered() >= total:
            in_maildirs = time.monotonic()
        if in_maildirs is not None and server.queue_empty():
            return in_maildirs
        time.sleep(POLL_SECONDS)
    return None


def measure(label, server, messages, recipients, clients, deadline, dns=None):
    with server:
        server_cpu = server.cpu_seconds()
        busy, iowait, total = machine_cpu()
        client_cpu = time.process_time()
        first_mail, last_reply = asyncio.run(send_all(server.port, messages, recipients, clients))
        client_cpu = (time.process_time() - client_cpu) / (last_reply - first_mail)
        delivered_at = wait_delivered(server, len(messages), first_mail, deadline)
        count = server.delivered()
        if delivered_at is None or count != len(messages):
            print(
                f"  {label}: {count} of {len(messages)} messages in the maildirs after "
                f"{time.monotonic() - first_mail:.0f} s; the end of its log:\n"
                f"{server.log_tail().strip() or '(empty)'}"
            )
            delivered_at = None
        server_cpu = server.cpu_seconds() - server_cpu
        busy2, iowait2, total2 = machine_cpu()
    run = Run(
        label=label,
        messages=len(messages),
        accepted_seconds=last_reply - first_mail,
        delivered_seconds=delivered_at - first_mail if delivered_at else None,
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        machine_busy=(busy2 - busy) / (total2 - total),
        machine_iowait=(iowait2 - iowait) / (total2 - total),
        dns_queries=len(dns.zone.queries) if isinstance(dns, TestDns) else None,
    )
    run.report()
    return run


def answering_dns():
    """SPF passes for the envelope sender from loopback, its DMARC policy is p=none; every other
    name (the corpus's From domains, DKIM keys, the HELO name) is NXDOMAIN."""
    dns = TestDns()
    dns.zone.add(SENDER_DOMAIN, "TXT", "v=spf1 ip4:127.0.0.1 -all")
    dns.zone.add(f"_dmarc.{SENDER_DOMAIN}", "TXT", "v=DMARC1; p=none")
    return dns


def summarise(rows):
    """The table, in Markdown as bench/README.md keeps it, and the targets."""
    print(
        "\n| users | DNS | postamt accepted/s | postamt delivered/s | Postfix accepted/s"
        " | Postfix delivered/s | accepted ratio | delivered ratio |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    for profile, scenario, postamt, postfix in rows:
        cells = [
            profile,
            scenario,
            f"{postamt.accepted_rate:.0f}",
            f"{postamt.delivered_rate:.0f}",
            f"{postfix.accepted_rate:.0f}",
            f"{postfix.delivered_rate:.0f}",
            f"{postamt.accepted_rate / postfix.accepted_rate:.2f}",
            f"{postamt.delivered_rate / postfix.delivered_rate:.2f}"
            if postfix.delivered_rate
            else "-",
        ]
        print(f"| {' | '.join(cells)} |")
    print("\nTargets:")
    for profile, scenario, postamt, postfix in rows:
        # A dead resolver costs messages their lookup timeouts: half of Postfix is the bar then.
        share = 0.5 if scenario == "dead" else 1.0
        delivered = postamt.delivered_rate >= share * postfix.delivered_rate
        accepted = postamt.accepted_rate >= postfix.accepted_rate
        print(
            f"  {profile}, DNS {scenario}: delivered/s >= {share:g} x Postfix's "
            f"{'met' if delivered else 'NOT MET'}; "
            f"accepted/s >= Postfix's {'met' if accepted else 'NOT MET'}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages", type=int, default=int(os.environ.get("DELIVERY_BENCH_MESSAGES", 1000))
    )
    parser.add_argument(
        "--clients", type=int, default=int(os.environ.get("DELIVERY_BENCH_CLIENTS", 8))
    )
    parser.add_argument(
        "--deadline", type=float, default=600, help="seconds each run may take to deliver all"
    )
    args = parser.parse_args()
    binary = os.environ.get("POSTAMT_BIN", str(ROOT / "target" / "release" / "postamt"))
    if not shutil.which("postfix", path="/usr/sbin:/usr/bin"):
        sys.exit("Postfix is missing: DEBIAN_FRONTEND=noninteractive apt-get install -y postfix")

    messages = load_corpus(args.messages)
    print(
        f"{len(messages)} messages ({sum(map(len, messages)) / 2**20:.1f} MiB), "
        f"{args.clients} clients, postamt {binary}, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    (ROOT / "target").mkdir(exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(dir=ROOT / "target", prefix="delivery-bench-") as tmp:
        tmp = pathlib.Path(tmp)
        # Postfix's daemons and virtual(8) run as other users and must reach their directories.
        tmp.chmod(0o755)
        for users in (1, 100):
            profile = f"{users} user{'s' if users > 1 else ''}"
            print(f"{profile}:", flush=True)
            recipients = [f"u{i}@{DOMAIN}" for i in range(users)]
            base = tmp / f"postfix-{users}"
            base.mkdir()
            postfix = measure(
                "Postfix", Postfix(base, recipients), messages, recipients, args.clients,
                args.deadline,
            )
            for scenario, start_dns in (("answering", answering_dns), ("dead", DeadDns)):
                base = tmp / f"postamt-{users}-{scenario}"
                base.mkdir()
                dns = start_dns()
                try:
                    server = Postamt(base, binary, recipients, dns.address)
                    postamt = measure(
                        f"postamt, DNS {scenario}", server, messages, recipients, args.clients,
                        args.deadline, dns,
                    )
                finally:
                    dns.close()
                rows.append((profile, scenario, postamt, postfix))

    summarise(rows)
    failed = any(run.delivered_seconds is None for _, _, a, b in rows for run in (a, b))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
