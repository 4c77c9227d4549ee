"""The application factory: ``create_app(settings)`` builds everything; nothing is global."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from service import http, openapi_doc
from service.audit.http import ROUTES as AUDIT_ROUTES
from service.config import Settings
from service.db import migrations, privileges
from service.db.pool import create_pool
from service.fhir.practitioners import PractitionerDirectory
from service.health.http import ROUTES as HEALTH_ROUTES
from service.invitations.accept_http import ROUTES as ACCEPT_ROUTES
from service.invitations.http import ROUTES as INVITATION_ROUTES
from service.janitor.service import Janitor
from service.mail.mailer import Mailer
from service.mail.worker import MailWorker
from service.metrics.http import ROUTES as METRICS_ROUTES
from service.metrics.middleware import RequestMetrics
from service.metrics.registry import Metrics
from service.organizations.http import ROUTES as ORGANIZATION_ROUTES
from service.pages.http import ROUTES as PAGE_ROUTES
from service.recovery.http import ROUTES as RECOVERY_ROUTES
from service.registration.http import ROUTES as REGISTRATION_ROUTES
from service.roles.http import ROUTES as ROLE_ROUTES
from service.security.keys import KeyRing
from service.security.passwords import PasswordHasher
from service.throttle.counters import Throttle
from service.throttle.policy import ThrottlePolicy
from service.tokens.errors import OAuthError, handle_oauth_error
from service.tokens.http import ROUTES as TOKEN_ROUTES
from service.tokens.service import Issuer
from service.users.http import ROUTES as USER_ROUTES
from service.wellknown.http import ROUTES as WELLKNOWN_ROUTES

ROUTES: list[Any] = [
    *HEALTH_ROUTES,
    *WELLKNOWN_ROUTES,
    *REGISTRATION_ROUTES,
    *RECOVERY_ROUTES,
    *TOKEN_ROUTES,
    *USER_ROUTES,
    *ROLE_ROUTES,
    *INVITATION_ROUTES,
    *ACCEPT_ROUTES,
    *ORGANIZATION_ROUTES,
    *AUDIT_ROUTES,
    *PAGE_ROUTES,
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
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(), ScalarRenderPlugin()],
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

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not resolved; start through `python -m service`")
        app.state.migrations = migrations.discover()
        pool = app.state.pool = await create_pool(settings.database_url, settings)
        try:
            await privileges.refuse_unsafe(pool)
        except BaseException:
            await pool.close()
            raise
        hasher = app.state.hasher = PasswordHasher(settings)
        keys = app.state.keyring = await KeyRing.load(pool, settings)
        policy = ThrottlePolicy.with_requests_per_hour(settings.mail_requests_per_address_per_hour)
        throttle = app.state.throttle = Throttle(pool, policy)
        fhir = app.state.fhir = PractitionerDirectory(settings.fhir_base_url)
        app.state.issuer = Issuer(
            pool=pool, settings=settings, keys=keys, hasher=hasher, throttle=throttle
        )
        worker = None
        if settings.mail_worker:
            worker = MailWorker.from_settings(
                settings, pool, backoff_base=settings.mail_retry_seconds
            )
        keys.start()
        if worker is not None:
            await worker.start()
        janitor = Janitor(pool, settings)
        janitor.start()
        try:
            yield
        finally:
            await janitor.stop()
            if worker is not None:
                await worker.stop()
            await keys.stop()
            await fhir.close()
            hasher.close()
            await pool.close()

    cors = None
    if settings.cors_allowed_origins:
        cors = CORSConfig(
            allow_origins=list(settings.cors_allowed_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
            allow_credentials=False,
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )

    routes: list[Any] = [*ROUTES, *METRICS_ROUTES, *extra_routes]
    app = Litestar(
        route_handlers=routes,
        lifespan=[lifespan],
        exception_handlers={**http.EXCEPTION_HANDLERS, OAuthError: handle_oauth_error},
        before_request=http.check_media_types,
        openapi_config=openapi_config(),
        cors_config=cors,
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.mailer = Mailer(settings)
    openapi_doc.describe(app)
    http.answer_options_for_every_method(app)
    metrics = app.state.metrics = Metrics()
    app.asgi_handler = http.RequestContext(RequestMetrics(app.asgi_handler, metrics))
    return app
