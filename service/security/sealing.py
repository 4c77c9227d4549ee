"""Secrets the service must read back (TOTP secrets) are sealed at rest with AES-256-GCM, the
row's id as associated data, so a sealed value copied onto another row does not open.

The key is ``MFA_SECRET_ENCRYPTION_KEY``; without it, one derived (HKDF-SHA-256) from
``SIGNING_KEY_ENCRYPTION_KEY``, which production requires; in development without either, a
random key kept in ``DATA_DIR/mfa-secret.key``, created on first use."""

from __future__ import annotations

import base64
import contextlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.config import Settings

NONCE = 12
VERSION = b"\x01"
KEY_FILE = "mfa-secret.key"


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        """The plaintext; ``cryptography``'s ``InvalidTag`` when the value or key is wrong."""
        nonce = sealed[1 : 1 + NONCE]
        return self._aead.decrypt(nonce, sealed[1 + NONCE :], context)


def _decoded(raw: str) -> bytes:
    return base64.urlsafe_b64decode(raw.replace("+", "-").replace("/", "_") + "==")


def _file_key(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(os.urandom(32))
    return path.read_bytes()


def sealer_for(settings: Settings) -> Sealer:
    if settings.mfa_secret_encryption_key is not None:
        return Sealer(_decoded(settings.mfa_secret_encryption_key))
    if settings.signing_key_encryption_key is not None:
        derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mfa secrets")
        return Sealer(derive.derive(_decoded(settings.signing_key_encryption_key)))
    return Sealer(_file_key(settings.data_dir))
