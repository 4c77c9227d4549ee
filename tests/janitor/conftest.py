"""The flow fixtures: the app over HTTP with its mail delivered to a real SMTP server."""

from __future__ import annotations

from tests.support.flows import mailbox, settings, smtp

__all__ = ["mailbox", "settings", "smtp"]
