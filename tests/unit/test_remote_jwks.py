"""Key sets fetched from a client's jwksUri: only from public https addresses, small, without
redirects, and kept for a while (a real HTTP server on loopback stands in for the client)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.security.remote_jwks import MAX_BYTES, RemoteKeySets

KEYS = {"keys": [{"kty": "EC", "kid": "k1", "crv": "P-256", "x": "x", "y": "y"}]}


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path == "/big":
            body = b"{" + b" " * (MAX_BYTES + 10) + b"}"
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/jwks")
            self.end_headers()
            return
        else:
            body = json.dumps(KEYS).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_a_public_set_is_fetched_once_and_kept(server: str) -> None:
    remote = RemoteKeySets(allow_private=True)  # loopback stands in for a public host
    assert await remote.get(f"{server}/jwks", "k1") == KEYS
    assert await remote.get(f"{server}/jwks", "k1") == KEYS
    assert _Handler.hits == ["/jwks"]


async def test_parallel_asks_fetch_once(server: str) -> None:
    remote = RemoteKeySets(allow_private=True)
    found = await asyncio.gather(*(remote.get(f"{server}/jwks") for _ in range(5)))
    assert found == [KEYS] * 5
    assert _Handler.hits == ["/jwks"]


async def test_too_big_and_redirected_sets_are_refused(server: str) -> None:
    remote = RemoteKeySets(allow_private=True)
    assert await remote.get(f"{server}/big") is None
    assert await remote.get(f"{server}/moved") is None
    assert "/jwks" not in _Handler.hits  # the redirect was not followed


async def test_loopback_private_and_plain_http_are_never_asked(server: str) -> None:
    remote = RemoteKeySets()
    port = server.rsplit(":", 1)[1]
    for uri in (
        f"{server}/jwks",
        f"https://127.0.0.1:{port}/jwks",
        f"https://localhost:{port}/jwks",
        "https://10.0.0.8/jwks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/jwks",
        "https://user@example.org/jwks",
    ):
        assert await remote.get(uri) is None, uri
    assert _Handler.hits == []
