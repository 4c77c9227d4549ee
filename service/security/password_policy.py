"""What makes a password acceptable: length, not common, not the account's own words.

Length is counted in Unicode code points after NFKC normalisation (the form the hasher
stores), between the configured minimum and :data:`MAX_LENGTH`. Nothing is truncated and there
are no composition rules. A password is refused when it is on the bundled list of common
passwords (see ``COMMON_PASSWORDS_LICENSE``), or equal, ignoring case, to the e-mail address,
its local part, the organization's name or one of the person's names.
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
from collections.abc import Iterable
from pathlib import Path

MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")


def check_password(
    password: str,
    *,
    min_length: int,
    email: str | None = None,
    organization_name: str | None = None,
    names: Iterable[str | None] = (),
) -> list[str]:
    """Readable problems with ``password``; an empty list means it is acceptable."""
    problems: list[str] = []
    normalised = unicodedata.normalize("NFKC", password)
    length = len(normalised)
    if length < min_length:
        problems.append(f"The password must have at least {min_length} characters.")
    if length > MAX_LENGTH:
        problems.append(f"The password must have at most {MAX_LENGTH} characters.")
    folded = _fold(password)
    if folded in common_passwords():
        problems.append("The password is too common: choose one that is harder to guess.")
    if email and folded in _email_words(email):
        problems.append("The password must not be the e-mail address.")
    if organization_name and folded == _fold(organization_name):
        problems.append("The password must not be the organization's name.")
    if any(name and folded == _fold(name) for name in names):
        problems.append("The password must not be your name.")
    return problems


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list, read once on first use, in the folded form :func:`_fold` gives."""
    text = gzip.decompress(COMMON_PASSWORDS_FILE.read_bytes()).decode("utf-8")
    return frozenset(_fold(line) for line in text.splitlines() if line.strip())


def _email_words(email: str) -> set[str]:
    folded = _fold(email)
    local, at, _domain = folded.rpartition("@")
    return {folded, local} if at and local else {folded}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()
