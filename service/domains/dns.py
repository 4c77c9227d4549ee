"""Looking up a custom domain's TXT record with dnspython, against the configured resolvers
(``DOMAIN_DNS_RESOLVERS``; none: the system's), within ``TIMEOUT_SECONDS``.

Two kinds of "no": the name or its TXT record does not exist (NXDOMAIN, or an answer without
TXT), which is an empty set, the record is gone; and DNS could not tell (no answer in time,
every resolver failing or refusing, a network error), which is ``None``, nothing is known.
A verified domain is sent back to pending only on the first kind, so a resolver outage does
not stop every custom domain at once. Nothing of a DNS error reaches a client.
"""

from __future__ import annotations

import logging

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
MOST_RECORDS = 50  # TXT records read of one answer; a published token is one of the first


async def txt_values(name: str, resolvers: tuple[tuple[str, int], ...]) -> set[str] | None:
    """The TXT strings published at ``name`` (each record's strings joined): empty when there
    are none, ``None`` when DNS could not tell."""
    resolver = dns.asyncresolver.Resolver(configure=not resolvers)
    if resolvers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in resolvers]
    resolver.lifetime = TIMEOUT_SECONDS
    try:
        answer = await resolver.resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return set()
    except (dns.exception.DNSException, OSError) as exc:
        log.info("domains.lookup_failed", extra={"fields": {"error": type(exc).__name__}})
        return None
    values = set()
    for record in list(answer)[:MOST_RECORDS]:
        strings = getattr(record, "strings", ())
        values.add(b"".join(strings).decode("utf-8", "replace").strip())
    return values


def holds(values: set[str] | None, token: str) -> bool | None:
    """Whether the record holds ``token``; ``None`` when DNS could not tell."""
    return None if values is None else token in values
