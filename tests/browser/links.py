"""The link a person clicks in a mail, exactly as the mail writes it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.support.smtp import Received


def link_to(mail: Received, base: str, path: str) -> str:
    """The one link with a token in the mail's text part; it must lead to ``base`` + ``path``."""
    found: list[str] = [
        url for url in re.findall(r"https?://[^\s\"<>]+", mail.text) if "token=" in url
    ]
    assert len(found) == 1, f"expected one link with a token, found {found}"
    url = found[0]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == base, f"{url} does not lead to {base}"
    assert parts.path == path, url
    assert parse_qs(parts.query)["token"][0]
    assert url in mail.html, "the HTML part carries another link"
    return url
