"""The documentation page works without the internet: Swagger UI's files come from the
``swagger-ui-py`` package (Swagger UI 5, which reads OpenAPI 3.1) that the normal install
brings, pinned in ``uv.lock``, and are
served here under ``/schema/assets``. ``GET /`` is a small page that links the docs,
discovery and health; ``/schema/scalar``, a page whose scripts only a CDN serves, leads to
the Swagger page instead."""

from __future__ import annotations

import html
from importlib.util import find_spec
from pathlib import Path

from litestar import Response, Router, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from service.config import Settings
from service.routing import Injected

ASSETS_PATH = "/schema/assets"


def _assets() -> Path:
    """Swagger UI's files in the installed package, found without importing it."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


ASSETS = _assets()
DOCS_PATH = "/schema/swagger"


def swagger_page() -> SwaggerRenderPlugin:
    """Litestar's Swagger UI page, loading its scripts and styles from this service."""
    return SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f'<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon-32x32.png">',
    )


FRONT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;">
<h1>{title}</h1>
<p>Identity and auth for health-tech platforms.</p>
<ul>
<li><a href="{docs}">API documentation</a> (the OpenAPI document is
<a href="/schema/openapi.json">/schema/openapi.json</a>)</li>
<li><a href="/.well-known/openid-configuration">Discovery</a> and the
<a href="/.well-known/jwks.json">signing keys</a></li>
<li><a href="/health/ready">Health</a></li>
</ul>
<p>This service answers at <code>{base}</code>.</p>
</body></html>
"""


@get("/", include_in_schema=False, media_type="text/html", sync_to_thread=False)
def front_page(settings: Injected[Settings]) -> Response[str]:
    page = FRONT.format(
        title="Health Auth Service", docs=DOCS_PATH, base=html.escape(settings.public_base_url)
    )
    return Response(page, media_type="text/html")


@get("/schema/scalar", include_in_schema=False, sync_to_thread=False)
def scalar_page() -> Redirect:
    """The Scalar page needed a CDN; the Swagger page has the same document, offline."""
    return Redirect(DOCS_PATH, status_code=308)


ASSET_ROUTER = create_static_files_router(
    path=ASSETS_PATH, directories=[ASSETS], include_in_schema=False, name="docs-assets"
)
ROUTER = Router("/", route_handlers=[front_page, scalar_page, ASSET_ROUTER])
