"""Debian's Chromium, driven by Playwright, for the pages that links in mail open.

The browser is the system's own (``/usr/bin/chromium``): a test tool's downloaded browser is
never used. Playwright starts every launch with a new, empty profile directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

# Quiet and self-contained: no first-run screens, no background calls to other hosts.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MISSING = (
    "The browser tests need Debian's Chromium at {path}, which is missing. Install it with\n"
    "    sudo apt-get update && sudo apt-get install -y chromium\n"
    ".ci/run installs it before running the tests."
)


def executable() -> str:
    """The Chromium binary, or a failed test that says how to install it."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(MISSING.format(path=CHROMIUM), pytrace=False)
    return str(CHROMIUM)
