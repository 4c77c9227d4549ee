"""What the app builds and hands to its handlers as typed dependencies.

Settings, the mailer and the metrics exist as soon as the app does; the pool and everything
that needs it are built when the app starts (:meth:`Resources.start`) and closed when it
stops. :func:`dependencies` names each of them for Litestar, so a handler declares only what
it uses, with its type (``pool: Injected[asyncpg.Pool]``). The same objects stay on
``app.state`` for code outside the handlers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from litestar.datastructures import State
from litestar.di import Provide

from service.config import Settings
from service.db import migrations, privileges
from service.db.migrations import Migration
from service.db.pool import create_pool
from service.fhir.practitioners import PractitionerDirectory
from service.janitor.service import Janitor
from service.mail.mailer import Mailer
from service.mail.worker import MailWorker
from service.metrics.registry import Metrics
from service.mfa.service import Kit
from service.security.client_secrets import SecretHasher
from service.security.key_store import encryption_key
from service.security.keys import KeyRing
from service.security.passwords import PasswordHasher
from service.security.sealing import sealer_for
from service.throttle.counters import Throttle
from service.throttle.policy import ThrottlePolicy
from service.tokens.service import Issuer


@dataclass(frozen=True, slots=True)
class Running:
    """What lives from start-up to shut-down."""

    migrations: list[Migration]
    pool: asyncpg.Pool
    hasher: PasswordHasher
    keyring: KeyRing
    throttle: Throttle
    fhir: PractitionerDirectory
    issuer: Issuer
    secrets: SecretHasher


class Resources:
    """One app's settings, mailer and metrics, and, while it runs, its :class:`Running`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mailer = Mailer(settings)
        self.metrics = Metrics()
        self._running: Running | None = None

    @property
    def running(self) -> Running:
        if self._running is None:
            raise RuntimeError("the app has not started")
        return self._running

    @asynccontextmanager
    async def start(self, state: State) -> AsyncIterator[None]:
        """Build the pool and its users, run the background workers, and close all at exit."""
        settings = self.settings
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not resolved; start through `python -m service`")
        found = migrations.discover()
        pool = await create_pool(settings.database_url, settings)
        try:
            await privileges.refuse_unsafe(pool)
        except BaseException:
            await pool.close()
            raise
        hasher = PasswordHasher(settings)
        keys = await KeyRing.load(pool, settings)
        policy = ThrottlePolicy.with_requests_per_hour(settings.mail_requests_per_address_per_hour)
        throttle = Throttle(pool, policy)
        fhir = PractitionerDirectory(settings.fhir_base_url)
        secrets = SecretHasher(encryption_key(settings))
        issuer = Issuer(
            pool=pool,
            settings=settings,
            keys=keys,
            hasher=hasher,
            throttle=throttle,
            secrets=secrets,
            sealer=sealer_for(settings),
            mailer=self.mailer,
        )
        self._running = Running(found, pool, hasher, keys, throttle, fhir, issuer, secrets)
        _mirror(state, self._running)
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


def _mirror(state: State, running: Running) -> None:
    state.migrations = running.migrations
    state.pool = running.pool
    state.hasher = running.hasher
    state.keyring = running.keyring
    state.throttle = running.throttle
    state.fhir = running.fhir
    state.issuer = running.issuer


def dependencies(resources: Resources) -> dict[str, Provide]:
    """Every app-wide dependency by the name handlers give it."""

    def settings() -> Settings:
        return resources.settings

    def mailer() -> Mailer:
        return resources.mailer

    def metrics() -> Metrics:
        return resources.metrics

    def migrations() -> list[Migration]:
        return resources.running.migrations

    def pool() -> asyncpg.Pool:
        return resources.running.pool

    def hasher() -> PasswordHasher:
        return resources.running.hasher

    def keyring() -> KeyRing:
        return resources.running.keyring

    def throttle() -> Throttle:
        return resources.running.throttle

    def fhir() -> PractitionerDirectory:
        return resources.running.fhir

    def issuer() -> Issuer:
        return resources.running.issuer

    def secrets() -> SecretHasher:
        return resources.running.secrets

    def factors() -> Kit:
        return resources.running.issuer.mfa

    return {
        name: Provide(provide, sync_to_thread=False)
        for name, provide in (
            ("settings", settings),
            ("mailer", mailer),
            ("metrics", metrics),
            ("migrations", migrations),
            ("pool", pool),
            ("hasher", hasher),
            ("keyring", keyring),
            ("throttle", throttle),
            ("fhir", fhir),
            ("issuer", issuer),
            ("secrets", secrets),
            ("factors", factors),
        )
    }
