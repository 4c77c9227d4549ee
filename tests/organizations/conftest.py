"""Organization tests run against the API flow fixtures."""

from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
