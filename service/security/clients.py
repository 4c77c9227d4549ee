"""The address a request really comes from, for throttling and audit.

``X-Forwarded-For`` is believed only when the connection's peer is a configured trusted proxy;
anyone else could write any address there. Each proxy appends the address it saw, so the list
is read from the right and the first address that is not itself a trusted proxy is the client.
Entries that are not IP addresses are skipped; a port (``1.2.3.4:5678``, ``[::1]:443``) is
dropped. IPv4-mapped IPv6 addresses are reported as IPv4.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from litestar import Request

from service.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


def client_address(
    scope_client_host: str | None,
    x_forwarded_for: str | None,
    trusted_proxies: Iterable[IPNetwork],
) -> str:
    """The client's address as text (``UNKNOWN`` when the server was not told the peer)."""
    networks = tuple(trusted_proxies)
    peer = parse_address(scope_client_host) if scope_client_host else None
    if peer is None:
        # A peer that is not an IP address (a Unix socket, a test transport) is never trusted.
        return scope_client_host.strip() if scope_client_host else UNKNOWN
    if not x_forwarded_for or not _is_trusted(peer, networks):
        return str(peer)
    hops = [hop for hop in map(parse_address, x_forwarded_for.split(",")) if hop is not None]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return str(hop)
    # Every hop is a trusted proxy: the left-most is the closest to the origin.
    return str(hops[0]) if hops else str(peer)


def parse_address(text: str) -> IPAddress | None:
    """An IP address from one header entry, or None when it is not one."""
    entry = text.strip().strip('"')
    if entry.startswith("["):  # [IPv6] or [IPv6]:port
        end = entry.find("]")
        if end == -1 or not _port_or_nothing(entry[end + 1 :]):
            return None
        entry = entry[1:end]
    elif entry.count(":") == 1:  # IPv4:port
        entry, _, port = entry.partition(":")
        if not _port_or_nothing(":" + port):
            return None
    try:
        address = ipaddress.ip_address(entry)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _port_or_nothing(rest: str) -> bool:
    if rest == "":
        return True
    digits = rest[1:]
    return rest.startswith(":") and digits.isascii() and digits.isdigit() and len(digits) <= 5


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def address_of(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The client address of an HTTP request, by the rules above."""
    peer = request.client.host if request.client else None
    forwarded = ",".join(request.headers.getall("x-forwarded-for", [])) or None
    return client_address(peer, forwarded, settings.trusted_proxies)
