"""A person signing in through the hosted page, driven over HTTP as a browser would: the
authorization request, the form with its CSRF cookie, the redirect with the code."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Flow:
    """One authorization request of one client."""

    client_id: str
    redirect_uri: str
    scope: str = "openid profile email"
    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    verifier: str = ""
    challenge: str = ""

    def __post_init__(self) -> None:
        self.verifier, self.challenge = pkce()

    def params(self, **changes: Any) -> dict[str, Any]:
        values = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the page's first form (the one a person fills in; a passkey
    button's form follows it)."""
    first = page.split("</form>", 1)[0]
    return {name: html.unescape(value) for name, value in HIDDEN.findall(first)}


def redirected(response: httpx.Response) -> dict[str, str]:
    """The query of a 303 to the client, one value each."""
    assert response.status_code == 303, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


class Browser:
    """Cookies kept by hand: the service sets ``Secure`` ``__Host-`` cookies (its public
    address is https) while the tests reach it over plain http, where a cookie jar would
    withhold them."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.cookies: dict[str, str] = {}

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def _headers(self) -> dict[str, str]:
        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": jar} if jar else {}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return self._keep(await self.http.get(path, params=params, headers=self._headers()))

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self._keep(await self.http.post(path, data=data, headers=self._headers()))


async def sign_in(
    browser: Browser, flow: Flow, email: str, password: str, **changes: Any
) -> httpx.Response:
    """GET the page, then post its form with the address and password."""
    page = await browser.get("/auth/authorize", **flow.params(**changes))
    assert page.status_code == 200, page.text
    fields = form_fields(page.text)
    return await browser.post("/auth/authorize", {**fields, "email": email, "password": password})


async def exchange(http: httpx.AsyncClient, flow: Flow, code: str, **extra: str) -> httpx.Response:
    return await http.post(
        "/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow.redirect_uri,
            "code_verifier": flow.verifier,
            "client_id": flow.client_id,
            **extra,
        },
    )
