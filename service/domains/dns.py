"""Looking up a custom domain's TXT record with dnspython, against the configured resolvers
(``DOMAIN_DNS_RESOLVERS``; none: the system's). Every failure (no such name, no record, no
answer in time, a resolver refusing) is "not found": the caller keeps the domain pending and
nothing of the DNS error reaches a client."""

from __future__ import annotations

import logging

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
MOST_STRINGS = 50  # TXT strings read of one answer; a published token is one of the first


async def txt_values(name: str, resolvers: tuple[tuple[str, int], ...]) -> set[str]:
    """The TXT strings published at ``name`` (each record's strings joined), or none."""
    resolver = dns.asyncresolver.Resolver(configure=not resolvers)
    if resolvers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in resolvers]
    resolver.lifetime = TIMEOUT_SECONDS
    try:
        answer = await resolver.resolve(name, "TXT", search=False)
    except (dns.exception.DNSException, OSError) as exc:
        log.info("domains.lookup_failed", extra={"fields": {"error": type(exc).__name__}})
        return set()
    values = set()
    for record in list(answer)[:MOST_STRINGS]:
        strings = getattr(record, "strings", ())
        values.add(b"".join(strings).decode("utf-8", "replace").strip())
    return values
