"""Role tests: the app over HTTP, mail to a real SMTP server."""

from __future__ import annotations

from tests.api.conftest import *  # noqa: F403
