"""Role tests: the app over HTTP with the role routes, mail to a real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service import app as service_app
from service.config import Settings
from service.roles.http import ROUTES
from tests.api.conftest import *  # noqa: F403
from tests.support.server import serve


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:
    """The app with the role routes mounted, unless the app already serves them."""
    extra = [route for route in ROUTES if route not in service_app.ROUTES]
    async with serve(settings, extra_routes=extra) as url:
        yield url
