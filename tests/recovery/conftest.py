"""Password-reset flows: the app over HTTP, mail to a real SMTP server."""

from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
