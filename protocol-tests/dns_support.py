"""A DNS server on loopback that the tests (and bench/delivery_load.py) control: an authoritative
zone held in memory, answered over UDP and TCP with the TTLs given, NXDOMAIN for every name it
does not hold. `DeadDns` is the other case: a port that takes queries and never answers.

The daemon is pointed at it with `[dns] servers = ["127.0.0.1:PORT"]`, so SPF, DKIM, DMARC,
blocklists and MX go through the same resolver code as in production."""

import socket
import threading

from dnslib import AAAA, MX, QTYPE, RCODE, RR, SOA, TXT, A, DNSRecord
from dnslib.server import BaseResolver, DNSServer

TYPES = {"A": A, "AAAA": AAAA, "TXT": TXT, "MX": MX}


def txt_chunks(text):
    """A TXT value as character-strings of at most 255 octets (RFC 1035 §3.3.14): DKIM keys are
    longer than one."""
    raw = text.encode()
    return [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]


class Zone(BaseResolver):
    """Records by (name, type); a name with no records of the asked type but some of another
    answers NOERROR with nothing (NODATA), a name with none NXDOMAIN. Negative answers carry
    an SOA whose minimum is the zone's TTL, as a real server's do, so resolvers cache them
    (RFC 2308 §5)."""

    def __init__(self, ttl=300):
        self.ttl = ttl
        self.records = {}
        self.lock = threading.Lock()
        self.queries = []

    @staticmethod
    def _key(name):
        return name.rstrip(".").lower()

    def add(self, name, rtype, value, ttl=None):
        """`add("example.net", "TXT", "v=spf1 -all")`; MX values are `(preference, host)`."""
        if rtype == "TXT":
            rdata = TXT(txt_chunks(value))
        elif rtype == "MX":
            preference, host = value
            rdata = MX(host, preference)
        else:
            rdata = TYPES[rtype](value)
        with self.lock:
            self.records.setdefault(self._key(name), []).append(
                (rtype, rdata, self.ttl if ttl is None else ttl)
            )

    def remove(self, name):
        with self.lock:
            self.records.pop(self._key(name), None)

    def asked(self, name, rtype=None):
        """How often `name` (with `rtype`, when given) was asked."""
        name = self._key(name)
        with self.lock:
            return sum(1 for n, t in self.queries if n == name and rtype in (None, t))

    def resolve(self, request, handler):
        reply = request.reply()
        question = request.q
        name = self._key(str(question.qname))
        rtype = QTYPE[question.qtype]
        with self.lock:
            self.queries.append((name, rtype))
            held = list(self.records.get(name, []))
        if not held:
            reply.header.rcode = RCODE.NXDOMAIN
        for held_type, rdata, ttl in held:
            if held_type == rtype:
                reply.add_answer(
                    RR(question.qname, QTYPE.reverse[held_type], rdata=rdata, ttl=ttl)
                )
        if not reply.rr:
            reply.add_auth(self._soa(name))
        return reply

    def _soa(self, name):
        """The SOA of the name's top-level domain, standing in for its zone's."""
        apex = name.rsplit(".", 1)[-1] + "."
        times = (1, 3600, 600, 86400, self.ttl)
        return RR(apex, QTYPE.SOA, rdata=SOA("ns." + apex, "hostmaster." + apex, times), ttl=self.ttl)


class _QuietLogger:
    def __getattr__(self, _name):
        return lambda *args, **kwargs: None


class TestDns:
    """The zone served on a free loopback port, UDP and TCP."""

    __test__ = False

    def __init__(self, zone=None):
        self.zone = zone or Zone()
        self.port = _free_udp_and_tcp_port()
        self.servers = [
            DNSServer(self.zone, port=self.port, address="127.0.0.1", tcp=tcp, logger=_QuietLogger())
            for tcp in (False, True)
        ]
        for server in self.servers:
            server.start_thread()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def close(self):
        for server in self.servers:
            server.stop()


class DeadDns:
    """A resolver that has died without closing its port: queries arrive and are never answered
    (the worst case: the client must time out, nothing tells it to give up)."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        # TCP too, accepting and never answering, so a fallback to TCP also hangs.
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(1024)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def close(self):
        self.socket.close()
        self.tcp.close()


def _free_udp_and_tcp_port():
    for _ in range(100):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket()
        try:
            tcp.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            udp.close()
            tcp.close()
    raise RuntimeError("no port free for both UDP and TCP")


def query(address, name, rtype="TXT"):
    """Asks `address` (`host:port`) once; the answer's record values, for checking the server."""
    host, port = address.rsplit(":", 1)
    packet = DNSRecord.question(name, rtype).send(host, int(port), timeout=2)
    return [str(rr.rdata) for rr in DNSRecord.parse(packet).rr]
