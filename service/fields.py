"""Checks for values people type: e-mail addresses, names. Each returns a problem or None.

Names end up in mail headers and pages: control characters (CR and LF above all) are refused
here, so that nothing downstream has to wonder.
"""

from __future__ import annotations

import re
import unicodedata

from service.wire import EMAIL_PATTERN

MAX_EMAIL = 254
_EMAIL = re.compile(EMAIL_PATTERN)


def normalize_email(value: str) -> str:
    return value.strip().lower()


def email_problem(value: str) -> str | None:
    if len(value) > MAX_EMAIL:
        return f"An e-mail address has at most {MAX_EMAIL} characters."
    if _has_control(value) or not _EMAIL.fullmatch(value):
        return "This is not a valid e-mail address."
    return None


def text_problem(value: str, *, maximum: int, label: str = "This field") -> str | None:
    if not value.strip():
        return f"{label} must not be empty."
    if len(value) > maximum:
        return f"{label} has at most {maximum} characters."
    if _has_control(value):
        return f"{label} must not contain control characters or line breaks."
    return None


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value)
