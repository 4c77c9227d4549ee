"""Seed 002 surface tests: the app over HTTP, mail to a real SMTP server."""

from __future__ import annotations

from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
