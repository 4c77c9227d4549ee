"""The app for server processes started by import string (several workers)."""

from __future__ import annotations

import os

from litestar import Litestar

from service import logs
from service.app import create_app
from service.config import Settings


def app_from_env() -> Litestar:
    """Each worker reads the environment its parent prepared (the resolved database URL)."""
    settings = Settings.from_env(os.environ)
    logs.configure(settings.log_level, settings.log_format)
    return create_app(settings)
