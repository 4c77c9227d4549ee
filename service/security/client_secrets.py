"""App client identifiers and secrets.

A client's ``client_id`` is public: 128 random bits, base64url. Its secret is 256 random bits
shown once; the database keeps only HMAC-SHA-256 of it under a server key, so a copy of the
database alone can check nothing, and the token endpoint spends one HMAC on a secret, not an
argon2 run (a secret is not a password: nobody picks it, nothing guesses it). A presented
secret is found by its keyed hash (an indexed equality, which reveals nothing that could be
timed: the hash of a guess says nothing about the hash of the secret), and compared again in
constant time against the stored hash of the client it must belong to.

The server key is derived from ``SIGNING_KEY_ENCRYPTION_KEY`` (which production requires);
without it, in development, from a fixed label. Changing that key makes every stored secret
unusable: rotate the clients' secrets after changing it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "acs_"  # noqa: S105  (a prefix, not a secret)
SECRET_BYTES = 32
CLIENT_ID_BYTES = 16
_LABEL = b"app-client-secret/v1"


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_client_id() -> str:
    """A public client identifier: 22 characters of base64url."""
    return _text(secrets.token_bytes(CLIENT_ID_BYTES))


def new_secret() -> str:
    """A client secret, ``acs_`` and 43 characters of base64url (256 bits)."""
    return SECRET_PREFIX + _text(secrets.token_bytes(SECRET_BYTES))


class SecretHasher:
    """Keyed hashes of client secrets under the server key."""

    def __init__(self, server_key: bytes | None) -> None:
        seed = server_key if server_key is not None else b"development"
        self._key = hmac.new(seed, _LABEL, hashlib.sha256).digest()

    def digest(self, secret: str) -> bytes:
        return hmac.new(self._key, secret.encode("utf-8", "surrogatepass"), "sha256").digest()

    @staticmethod
    def same(presented: bytes, stored: bytes) -> bool:
        """Whether a presented secret's keyed hash is a stored one, in constant time."""
        return hmac.compare_digest(presented, stored)
