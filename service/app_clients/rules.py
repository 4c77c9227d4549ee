"""What an app client may be registered with: each rule returns the problems it finds, as
(pointer relative to the attributes, detail), so that a request learns every problem at once.

Redirect URIs are matched exactly at sign-in, so what is registered must be exact too: an
absolute URI without a fragment or user information; ``https``, or ``http`` only on a loopback
host (RFC 8252 7.3, where ``native`` apps may then use any port); ``native`` apps may also use
a private-use scheme in reverse-domain form (RFC 8252 7.1: ``com.example.app:/callback``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from service.security.client_assertion import public_jwks_problem

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
PUBLIC_TYPES = frozenset({"single_page_application", "native"})
BROWSER_TYPES = frozenset({"regular_web_application", "single_page_application", "native"})

Problem = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Shape:
    """The settings the rules look at together."""

    type: str
    auth_method: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    allowed_origins: list[str]
    jwks: dict[str, Any] | None
    jwks_uri: str | None
    password_grant: bool


def default_auth_method(client_type: str) -> str:
    return "none" if client_type in PUBLIC_TYPES else "client_secret_basic"


def problems(shape: Shape) -> list[Problem]:
    found: list[Problem] = []
    found += _auth_method(shape)
    for field, uris in (
        ("redirectUris", shape.redirect_uris),
        ("postLogoutRedirectUris", shape.post_logout_redirect_uris),
    ):
        if uris and shape.type not in BROWSER_TYPES:
            found.append((f"/{field}", "A machine_to_machine client signs nobody in."))
            continue
        for index, uri in enumerate(uris):
            problem = redirect_uri_problem(uri, shape.type)
            if problem:
                found.append((f"/{field}/{index}", problem))
        if len(set(uris)) != len(uris):
            found.append((f"/{field}", "A URI is listed twice."))
    if shape.allowed_origins and shape.type != "single_page_application":
        found.append(("/allowedOrigins", "Only a single_page_application has origins."))
    else:
        for index, origin in enumerate(shape.allowed_origins):
            problem = origin_problem(origin)
            if problem:
                found.append((f"/allowedOrigins/{index}", problem))
    if shape.password_grant and shape.type == "machine_to_machine":
        found.append(
            ("/passwordGrant", "A machine_to_machine client never gets a person's password.")
        )
    return found


def _auth_method(shape: Shape) -> list[Problem]:
    public = shape.type in PUBLIC_TYPES
    if public and shape.auth_method != "none":
        return [("/tokenEndpointAuthMethod", f"A {shape.type} cannot keep a secret: use none.")]
    if not public and shape.auth_method == "none":
        return [("/tokenEndpointAuthMethod", f"A {shape.type} must authenticate.")]
    if shape.auth_method != "private_key_jwt":
        if shape.jwks is not None or shape.jwks_uri is not None:
            return [("/jwks", "Keys are only for private_key_jwt.")]
        return []
    if (shape.jwks is None) == (shape.jwks_uri is None):
        return [("/jwks", "private_key_jwt needs exactly one of jwks and jwksUri.")]
    if shape.jwks is not None:
        problem = public_jwks_problem(shape.jwks)
        return [("/jwks", problem)] if problem else []
    assert shape.jwks_uri is not None
    parts = urlsplit(shape.jwks_uri)
    if parts.scheme != "https" or not parts.hostname or parts.fragment or parts.username:
        return [("/jwksUri", "The key set's address must be an https URL.")]
    return []


def redirect_uri_problem(uri: str, client_type: str) -> str | None:
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018  (a bad port raises)
    except ValueError:
        return "This is not a valid URI."
    if any(ch.isspace() for ch in uri) or not parts.scheme:
        return "This is not an absolute URI."
    if parts.fragment or "#" in uri:
        return "A redirect URI has no fragment."
    if parts.username is not None or parts.password is not None:
        return "A redirect URI has no user information."
    if parts.scheme == "https":
        return None if host else "An https URI needs a host."
    if parts.scheme == "http":
        if host in LOOPBACK_HOSTS:
            return None
        return "http is allowed only on a loopback host (127.0.0.1, [::1]); use https."
    if client_type == "native" and "." in parts.scheme and not parts.netloc:
        return None
    return "Use https, http on a loopback host, or (native apps) a reverse-domain scheme."


def origin_problem(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018
    except ValueError:
        return "This is not a valid origin."
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        return "An origin is a scheme, a host and an optional port: https://app.example."
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        return "http origins are allowed only on a loopback host; use https."
    return None
