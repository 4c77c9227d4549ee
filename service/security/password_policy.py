"""What makes a password acceptable: length, not common, not the account's own words, and
not easy to guess.

Length is counted in Unicode code points after NFKC normalisation (the form the hasher
stores), between the configured minimum and :data:`MAX_LENGTH`. Nothing is truncated and there
are no composition rules. A password is refused when it is on the bundled list of common
passwords (see ``COMMON_PASSWORDS_LICENSE``), or equal, ignoring case, to the e-mail address,
its local part, the organization's name or one of the person's names.

It is also refused when zxcvbn (offline: its own dictionaries, plus the address, the names and
the organization's name, whole and word by word, as words an attacker knows) estimates fewer
than 10^8 guesses, its score 3 (:data:`MIN_SCORE`). Measured (``bench/password_strength.py``),
this refuses runs and repeats (``aaaaaaaaaaaa``, ``password password password``), sequences
(``abcdefghijkl``, ``123456789012``), keyboard walks (``1qaz2wsx3edc``, ``qwertyuiopasdfghjkl``),
common words with digits (``Password123!``, ``Password123Password123``) and the account's own
words with a digit (``admin@hospital.com1``, ``City General Hospital 1``); it accepts ordinary
passphrases ("correct horse battery staple", "my cat likes warm windowsills", about 10^20
guesses) and the ESUS seed's ``SecurePass123!`` (about 10^9, score 3). Score 4 (10^10) would
refuse that seed password, which must register as it is.

zxcvbn sees a bounded prefix: its cost grows with the square of the length times the number of
l33t substitution tables the characters allow (``4@`` for a, ``(<[{`` for c, ``1!|`` for i, ...),
and the check runs on the event loop before any throttle counts the request. Measured on the
shared 2-core machine, worst of a few hundred random, patterned and l33t-heavy inputs (best of
three runs each), a password made of l33t characters costs zxcvbn about 45 ms at 16 code points,
130 ms at 20, 340 ms at 32 and 1.4 to 1.7 s at 64; ordinary text about 2 ms at 32. So
zxcvbn judges the first :data:`ESTIMATE_LENGTH` (32) code points, fewer when those allow many
substitution tables (their product times the length squared stays within
:data:`L33T_BUDGET`), never fewer than :data:`MIN_ESTIMATE_LENGTH` (16): the whole check of a
128-code-point password then costs about 45 ms at worst. Thirty-two code points keep repeats
such as ``Password123Password123`` refused (a 16-point prefix passes it); a passphrase passes
on its first 16 alone.
"""

from __future__ import annotations

import functools
import gzip
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from zxcvbn import zxcvbn
from zxcvbn.matching import L33T_TABLE

from service.wire import PASSWORD_MAX

MAX_LENGTH = PASSWORD_MAX
MIN_SCORE = 3  # zxcvbn: at least 10^8 guesses
ESTIMATE_LENGTH = 32
MIN_ESTIMATE_LENGTH = 16
L33T_BUDGET = 32 * ESTIMATE_LENGTH**2  # substitution tables times length squared: ~20 ms
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")
_WORDS = re.compile(r"[\s@._+-]+")  # what separates the words of an address or a name


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
    given = [name for name in names if name]
    if any(folded == _fold(name) for name in given):
        problems.append("The password must not be your name.")
    if not problems:
        problems += _guessable(normalised, [email, organization_name, *given])
    return problems


def _guessable(password: str, known: list[str | None]) -> list[str]:
    """zxcvbn's verdict, in plain words, when the password is too easy to guess."""
    words = [w for text in known if text for w in (text, *_WORDS.split(text)) if len(w) > 2]
    verdict = zxcvbn(estimated_part(password), user_inputs=words)
    if verdict["score"] >= MIN_SCORE:
        return []
    feedback = verdict["feedback"]
    hints = [feedback.get("warning") or "", *feedback.get("suggestions", [])[:1]]
    detail = " ".join(h.strip() for h in hints if h.strip())
    message = "The password is too easy to guess: use a longer phrase of unrelated words."
    return [f"{message} {detail}".strip()]


def estimated_part(password: str) -> str:
    """The prefix zxcvbn judges: the longest, from :data:`ESTIMATE_LENGTH` code points down to
    :data:`MIN_ESTIMATE_LENGTH`, whose substitution work stays within :data:`L33T_BUDGET`."""
    for length in range(min(len(password), ESTIMATE_LENGTH), MIN_ESTIMATE_LENGTH, -1):
        prefix = password[:length]
        if _l33t_tables(prefix) * length * length <= L33T_BUDGET:
            return prefix
    return password[:MIN_ESTIMATE_LENGTH]


def _l33t_tables(text: str) -> int:
    """How many substitution tables zxcvbn tries on ``text``, at most: for each letter, the
    l33t characters of it that ``text`` holds, multiplied."""
    present = set(text)
    return math.prod(max(1, len(present.intersection(subs))) for subs in L33T_TABLE.values())


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
