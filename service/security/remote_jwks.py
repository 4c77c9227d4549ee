"""Key sets that app clients publish at a ``jwksUri`` (for ``private_key_jwt``), fetched and
kept for a few minutes.

An organization's admin chooses the address, so fetching it must not become a way into the
network the service runs in: only ``https``, on the default port or one given, to a host
whose every address is public (no loopback, private, link-local, reserved or multicast
address); no redirects; at most 64 KiB; five seconds. A set that cannot be fetched is None
(the client's authentication fails) and is asked for again after a short pause, not on every
request. A kid the cached set lacks refreshes it at most once a minute (key rotation).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

MAX_BYTES = 64 * 1024
TIMEOUT_SECONDS = 5.0
KEEP_SECONDS = 300.0
RETRY_SECONDS = 30.0
REFRESH_FOR_NEW_KID_SECONDS = 60.0


@dataclass
class _Entry:
    keys: dict[str, Any] | None
    fetched_at: float


class RemoteKeySets:
    def __init__(self, *, allow_private: bool = False) -> None:
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._allow_private = allow_private  # tests serve key sets on loopback

    async def get(self, uri: str, kid: str | None = None) -> dict[str, Any] | None:
        now = time.monotonic()
        entry = self._entries.get(uri)
        if entry is not None and self._fresh(entry, kid, now):
            return entry.keys
        async with self._locks.setdefault(uri, asyncio.Lock()):
            entry = self._entries.get(uri)
            if entry is not None and self._fresh(entry, kid, time.monotonic()):
                return entry.keys
            keys = await self._fetch(uri)
            self._entries[uri] = _Entry(keys, time.monotonic())
            return keys

    @staticmethod
    def _fresh(entry: _Entry, kid: str | None, now: float) -> bool:
        age = now - entry.fetched_at
        if entry.keys is None:
            return age < RETRY_SECONDS
        if age >= KEEP_SECONDS:
            return False
        known = {key.get("kid") for key in entry.keys.get("keys", []) if isinstance(key, dict)}
        return kid is None or kid in known or age < REFRESH_FOR_NEW_KID_SECONDS

    async def _fetch(self, uri: str) -> dict[str, Any] | None:
        parts = urlsplit(uri)
        if parts.scheme != "https" and not (self._allow_private and parts.scheme == "http"):
            return None
        if not parts.hostname or parts.username or not await self._public(parts.hostname):
            return None
        try:
            async with (
                httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http,
                http.stream("GET", uri, headers={"Accept": "application/json"}) as answer,
            ):
                if answer.status_code != 200:
                    return None
                body = b""
                async for chunk in answer.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        return None
        except httpx.HTTPError:
            return None
        try:
            keys = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return None
        return keys if isinstance(keys, dict) else None

    async def _public(self, host: str) -> bool:
        if self._allow_private:
            return True
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
        except OSError:
            return False
        addresses = {info[4][0] for info in infos}
        return bool(addresses) and all(ipaddress.ip_address(a).is_global for a in addresses)
