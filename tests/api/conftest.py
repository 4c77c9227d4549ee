"""The cross-cutting API tests follow whole flows: the app over HTTP with a real SMTP server."""

from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
