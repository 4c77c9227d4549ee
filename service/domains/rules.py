"""What may be claimed as a custom domain.

A hostname (letters, digits and hyphens in dot-separated labels, lowercase, at most 253
characters, internationalized names in their ``xn--`` form), strictly below a public suffix
(``example.co.uk`` yes, ``co.uk`` or ``com`` no: nobody may route a whole registry), and
unrelated to the service's own host: neither that host, nor a name under it, nor a name above
it (whoever controls a parent of our host would not need to ask).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from service.errors import ApiError

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
KINDS = ("clinic", "portal")


@functools.cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def _problem(field: str, message: str) -> ApiError:
    return ApiError("validation_error", message, pointer=f"/{field}")


def normalized(raw: str) -> str:
    """The hostname as stored: trimmed, lowercase, no trailing dot, IDNA (``xn--``) form."""
    name = raw.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise _problem("domain", "This is not a valid hostname.") from None
    return name


def claimable(raw: str, public_base_url: str) -> str:
    """The normalized domain, or 400 ``validation_error`` naming ``domain``."""
    name = normalized(raw)
    if not HOSTNAME.match(name) or name.replace(".", "").isdigit():
        raise _problem("domain", "This is not a valid hostname.")
    if _suffixes().privatesuffix(name) is None:
        raise _problem("domain", "A public suffix (such as com or co.uk) cannot be claimed.")
    own = (urlsplit(public_base_url).hostname or "").lower()
    if own and (name == own or name.endswith("." + own) or own.endswith("." + name)):
        raise _problem("domain", "This service's own host cannot be claimed.")
    return name


def kind(raw: str) -> str:
    if raw not in KINDS:
        raise _problem("domain_type", "domain_type is clinic or portal.")
    return raw
