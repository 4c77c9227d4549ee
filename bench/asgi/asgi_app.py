"""ASGI entry point for servers that need an import string (``asgi_app:app``).

Builds the app from the environment exactly as ``python -m service serve`` does, minus the
migration step: DATABASE_URL must already name a migrated database (compare.py sees to it).
"""

from __future__ import annotations

import os

from service import logs
from service.app import create_app
from service.config import Settings

settings = Settings.from_env(os.environ)
if settings.database_url is None:
    raise RuntimeError("DATABASE_URL must be set (run bench/asgi/compare.py)")
logs.configure(settings.log_level)
app = create_app(settings)
