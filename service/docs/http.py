"""The documentation page works without the internet: Swagger UI's files come from the
``swagger-ui-py`` package (Swagger UI 5, which reads OpenAPI 3.1) that the normal install
brings, pinned in ``uv.lock``, and are
served here under ``/schema/assets``. ``GET /`` is a small page that links the docs,
discovery and health; ``/schema/scalar``, a page whose scripts only a CDN serves, leads to
the Swagger page instead.

Everything under ``/schema`` answers with a Content-Security-Policy that lets the page load
scripts, styles, images and the OpenAPI document from this service and nothing else: the
page has no inline script or style (its start-up script is ``/schema/swagger-init.js``), so
neither ``'unsafe-inline'`` nor a hash is needed."""

from __future__ import annotations

import base64
import hashlib
import html
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.datastructures import ResponseHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from service.config import Settings
from service.routing import Injected

SCHEMA_PATH = "/schema"
ASSETS_PATH = f"{SCHEMA_PATH}/assets"
DOCS_PATH = f"{SCHEMA_PATH}/swagger"
DOCUMENT_PATH = f"{SCHEMA_PATH}/openapi.json"
INIT_PATH = f"{SCHEMA_PATH}/swagger-init.js"

# Swagger UI draws its icons from data: URIs in its stylesheet and fetches the document and
# "Try it out" requests from this service; nothing else is allowed.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _assets() -> Path:
    """Swagger UI's files in the installed package, found without importing it."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


ASSETS = _assets()

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{assets}/index.css"></head>
<body><div id="swagger-ui"></div>
<script src="{js}"></script>
<script src="{preset}"></script>
<script src="{init}"></script>
</body></html>
"""

INIT_SCRIPT = f"""window.ui = SwaggerUIBundle({{
  url: "{DOCUMENT_PATH}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
}});
"""


class OfflineSwagger(SwaggerRenderPlugin):
    """Litestar's Swagger UI page without inline script or style: the page loads Swagger UI
    and its start-up script from this service, and the start-up script fetches the document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return PAGE.format(
            title=html.escape(str(openapi_schema["info"]["title"])),
            assets=ASSETS_PATH,
            css=self.css_url,
            js=self.js_url,
            preset=self.standalone_preset_js_url,
            init=INIT_PATH,
        ).encode()


def swagger_page() -> SwaggerRenderPlugin:
    """The Swagger UI page, loading its scripts and styles from this service."""
    return OfflineSwagger(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
    )


@get("/scalar", include_in_schema=False, sync_to_thread=False)
def scalar_page() -> Redirect:
    """The Scalar page needed a CDN; the Swagger page has the same document, offline."""
    return Redirect(DOCS_PATH, status_code=308)


@get("/swagger-init.js", include_in_schema=False, sync_to_thread=False)
def swagger_init() -> Response[str]:
    return Response(INIT_SCRIPT, media_type="text/javascript")


def schema_router() -> Router:
    """The router Litestar adds the docs page and the OpenAPI document to (a new one for each
    app, since Litestar registers its handlers on it), with the docs' policy on every answer."""
    assets = create_static_files_router(
        path="/assets", directories=[ASSETS], include_in_schema=False, name="docs-assets"
    )
    return Router(
        SCHEMA_PATH,
        route_handlers=[scalar_page, swagger_init, assets],
        response_headers=[ResponseHeader(name="Content-Security-Policy", value=DOCS_POLICY)],
        include_in_schema=False,
    )


FRONT_STYLE = "body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; }"
_FRONT_STYLE_HASH = base64.b64encode(hashlib.sha256(FRONT_STYLE.encode()).digest()).decode()
FRONT_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_FRONT_STYLE_HASH}'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)

FRONT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{style}</style></head>
<body>
<h1>{title}</h1>
<p>Identity and auth for health-tech platforms.</p>
<ul>
<li><a href="{docs}">API documentation</a> (the OpenAPI document is
<a href="{document}">{document}</a>)</li>
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
        title="Health Auth Service",
        style=FRONT_STYLE,
        docs=DOCS_PATH,
        document=DOCUMENT_PATH,
        base=html.escape(settings.public_base_url),
    )
    headers = {"Content-Security-Policy": FRONT_POLICY, "Referrer-Policy": "no-referrer"}
    return Response(page, media_type="text/html", headers=headers)


ROUTER = Router("/", route_handlers=[front_page])
