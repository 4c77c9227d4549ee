"""Account page tests: the app over HTTP, mail to a real SMTP server, codes from pyotp."""

from __future__ import annotations

from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
