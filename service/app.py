"""The application factory: ``create_app(settings)`` builds everything; nothing is global."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from service import http, openapi_doc
from service.account.http import ROUTER as ACCOUNT_ROUTER
from service.app_clients.http import ROUTER as APP_CLIENT_ROUTER
from service.audit.http import ROUTER as AUDIT_ROUTER
from service.authorize.http import ROUTER as AUTHORIZE_ROUTER
from service.config import Settings
from service.docs.http import ROUTER as DOCS_ROUTER
from service.docs.http import schema_router, swagger_page
from service.domains.http import ROUTER as V1_DOMAIN_ROUTER
from service.domains.public_http import ROUTER as V1_PUBLIC_ROUTER
from service.health.http import ROUTER as HEALTH_ROUTER
from service.invitations.accept_http import ROUTER as ACCEPT_ROUTER
from service.invitations.http import ROUTER as INVITATION_ROUTER
from service.metrics.http import ROUTES as METRICS_ROUTES
from service.metrics.middleware import RequestMetrics
from service.mfa.http import ROUTER as FACTOR_ROUTER
from service.oidc.http import ROUTER as OIDC_ROUTER
from service.organizations.http import ROUTER as ORGANIZATION_ROUTER
from service.organizations.v1_http import ROUTER as V1_ORGANIZATION_ROUTER
from service.pages.http import ROUTES as PAGE_ROUTES
from service.recovery.http import ROUTER as RECOVERY_ROUTER
from service.registration.http import ROUTER as REGISTRATION_ROUTER
from service.roles.http import ROUTER as ROLE_ROUTER
from service.roles.v1_http import ROUTER as V1_ROLE_ROUTER
from service.tokens.errors import OAuthError, handle_oauth_error
from service.tokens.http import ROUTER as TOKEN_ROUTER
from service.tokens.http import handle_http_exception as handle_http_exception_by_path
from service.tokens.introspection_http import ROUTER as INTROSPECTION_ROUTER
from service.users.http import ROUTER as USER_ROUTER
from service.users.v1_http import ROUTER as V1_MEMBER_ROUTER
from service.v1 import envelope as v1
from service.wellknown.http import ROUTER as WELLKNOWN_ROUTER
from service.wiring import Resources, dependencies


def handle_http_exception(request: Any, exc: HTTPException) -> Any:
    """An HTTP error raised before any route was chosen (404, 405): in the seed 002 shape
    under ``/v1/``, RFC 6749's on the OAuth paths, JSON:API elsewhere."""
    if request.scope["path"].startswith(v1.PREFIX):
        return v1.handle_http_exception(request, exc)
    return handle_http_exception_by_path(request, exc)


ROUTES: list[Any] = [
    HEALTH_ROUTER,
    WELLKNOWN_ROUTER,
    REGISTRATION_ROUTER,
    RECOVERY_ROUTER,
    TOKEN_ROUTER,
    INTROSPECTION_ROUTER,
    USER_ROUTER,
    FACTOR_ROUTER,
    ROLE_ROUTER,
    INVITATION_ROUTER,
    ACCEPT_ROUTER,
    ORGANIZATION_ROUTER,
    APP_CLIENT_ROUTER,
    AUTHORIZE_ROUTER,
    ACCOUNT_ROUTER,
    OIDC_ROUTER,
    AUDIT_ROUTER,
    V1_PUBLIC_ROUTER,
    V1_ORGANIZATION_ROUTER,
    V1_MEMBER_ROUTER,
    V1_ROLE_ROUTER,
    V1_DOMAIN_ROUTER,
    *PAGE_ROUTES,
    DOCS_ROUTER,
]

API_DESCRIPTION = """\
Identity and auth for health-tech platforms: organizations and their staff, passwords,
signed access tokens verifiable from the JWKS, e-mailed verification, reset and invitation
links, per-organization roles and permissions, and links from staff to FHIR Practitioners.

Resource documents follow JSON:API (`application/vnd.api+json`) with one deliberate departure:
resource types and relationship names carry a slash (`auth/users`, `fhir/practitioner`), as
the Zus Health Auth Service does, so that clients written for it work unchanged. Errors are
JSON:API `errors[]` with a `code` from a closed catalogue and `meta.requestId`.
"""


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Health Auth Service",
        version="0.1.0",
        description=API_DESCRIPTION,
        openapi_router=schema_router(),
        render_plugins=[swagger_page()],
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An access token from POST /auth/token.",
                )
            }
        ),
    )


def create_app(settings: Settings, *, extra_routes: Sequence[Any] = ()) -> Litestar:
    """Build the app. ``settings.database_url`` must name the app role's database by now.

    ``extra_routes`` mounts further handlers beside the service's own (an embedding
    application's, or a test's).
    """

    resources = Resources(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with resources.start(app.state):
            yield

    cors = None
    if settings.cors_allowed_origins:
        cors = CORSConfig(
            allow_origins=list(settings.cors_allowed_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept",
                "X-Request-ID",
                "X-Organization-ID",
            ],
            allow_credentials=False,
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )

    routes: list[Any] = [*ROUTES, *METRICS_ROUTES, *extra_routes]
    app = Litestar(
        route_handlers=routes,
        dependencies=dependencies(resources),
        lifespan=[lifespan],
        exception_handlers={
            **http.EXCEPTION_HANDLERS,
            HTTPException: handle_http_exception,
            OAuthError: handle_oauth_error,
        },
        before_request=http.check_media_types,
        openapi_config=openapi_config(),
        cors_config=cors,
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.mailer = resources.mailer
    app.state.metrics = resources.metrics
    openapi_doc.describe(app)
    http.answer_options_for_every_method(app)
    app.asgi_handler = http.RequestContext(
        RequestMetrics(http.HeadAsGet(app.asgi_handler), resources.metrics)
    )
    return app
