"""A small authoritative DNS server for the tests: dnslib's server on a loopback UDP port,
answering TXT questions from a zone the test writes (a dict of name to TXT strings), and
NXDOMAIN for everything else; SERVFAIL for everything while ``failing`` (DNS cannot tell).
The service under test is pointed at it through ``DOMAIN_DNS_RESOLVERS``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class Zone(BaseResolver):  # type: ignore[misc]
    """TXT records by name (without the trailing dot, lowercase); edit ``records`` and
    ``failing`` freely."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.questions: list[str] = []
        self.failing = False

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.questions.append(name)
        values = self.records.get(name)
        if self.failing:
            reply.header.rcode = RCODE.SERVFAIL
        elif values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving() -> Iterator[tuple[Zone, int]]:
    zone = Zone()
    port = _free_udp_port()
    quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data")
    server = DNSServer(zone, address="127.0.0.1", port=port, logger=quiet)
    server.start_thread()
    try:
        yield zone, port
    finally:
        server.stop()
        server.server.server_close()
