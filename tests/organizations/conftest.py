"""Organization tests run against the API flow fixtures."""

from tests.api.conftest import mailbox, settings, smtp  # noqa: F401  (fixtures)
