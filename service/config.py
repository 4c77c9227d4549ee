"""Settings, read once from the environment and passed down explicitly.

Nothing in the service reads ``os.environ`` except :meth:`Settings.from_env`. A bad value
stops start-up with a :class:`ConfigError` that names the variable. Each field names its
variable, its parser and its default, once (see :mod:`service.config_parse`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from service import deployment
from service.config_parse import (
    ConfigError,
    IPNetwork,
    base_url,
    boolean,
    choice,
    derived,
    integer,
    networks,
    number,
    origins,
    path,
    read,
    redirects,
    resolvers,
    secret_key,
    setting,
    text,
    url,
    variable_of,
)
from service.wire import PASSWORD_MIN

__all__ = ["APP_ENVS", "LOG_FORMATS", "LOG_LEVELS", "REGISTRATION_MODES", "ConfigError", "Settings"]

APP_ENVS = ("development", "sandbox", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
REGISTRATION_MODES = ("open", "closed")
_POSTGRES = url("postgres", "postgresql")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = setting("DATABASE_URL", None, _POSTGRES)
    migration_database_url: str | None = setting("MIGRATION_DATABASE_URL", None, _POSTGRES)
    host: str = setting("HOST", "127.0.0.1", text)
    port: int = setting("PORT", 8000, integer(minimum=0, maximum=65535))
    # unset: this process's own address, so links in mail lead back to it on any PORT
    public_base_url: str = derived(
        "PUBLIC_BASE_URL",
        base_url,
        default=lambda: _local_base_url(_default_of("host"), _default_of("port")),
        derive=lambda values: _local_base_url(values["host"], values["port"]),
    )
    smtp_url: str | None = setting("SMTP_URL", None, url("smtp", "smtps"))
    mail_from: str = setting("MAIL_FROM", "no-reply@localhost", text)
    app_env: str = setting("APP_ENV", "development", choice(APP_ENVS))
    fhir_base_url: str | None = setting("FHIR_BASE_URL", None, url("http", "https"))
    cors_allowed_origins: tuple[str, ...] = setting("CORS_ALLOWED_ORIGINS", (), origins)
    trusted_proxies: tuple[IPNetwork, ...] = setting("TRUSTED_PROXIES", (), networks)
    data_dir: Path = setting("DATA_DIR", Path(".data"), path)  # noqa: RUF009  (immutable)
    log_level: str = setting("LOG_LEVEL", "INFO", choice(LOG_LEVELS, upper=True))
    # "text": lines a person reads (the default in development); "json": one object a line
    log_format: str = derived(
        "LOG_FORMAT",
        choice(LOG_FORMATS),
        default=lambda: _log_format_for(_default_of("app_env")),
        derive=lambda values: _log_format_for(values["app_env"]),
    )
    db_pool_min: int = setting("DB_POOL_MIN", 1, integer(minimum=0, maximum=1000))
    db_pool_max: int = setting("DB_POOL_MAX", 10, integer(minimum=1, maximum=1000))
    db_acquire_timeout: float = setting("DB_ACQUIRE_TIMEOUT", 5.0, number(minimum=0.1))
    db_statement_timeout_ms: int = setting(
        "DB_STATEMENT_TIMEOUT_MS", 10_000, integer(minimum=100, maximum=3_600_000)
    )
    max_body_bytes: int = setting(
        "MAX_BODY_BYTES", 64 * 1024, integer(minimum=1024, maximum=10 * 1024 * 1024)
    )
    workers: int = setting("WORKERS", 1, integer(minimum=1, maximum=64))
    # tokens
    jwt_audience: str = setting("JWT_AUDIENCE", "health-auth", text)
    access_token_ttl: int = setting("ACCESS_TOKEN_TTL", 900, integer(minimum=60, maximum=86_400))
    refresh_token_ttl: int = setting(
        "REFRESH_TOKEN_TTL", 30 * 24 * 3600, integer(minimum=3600, maximum=365 * 24 * 3600)
    )
    signing_key_encryption_key: str | None = setting("SIGNING_KEY_ENCRYPTION_KEY", None, secret_key)
    # second factors: TOTP secrets are sealed with this key (service.security.sealing)
    mfa_secret_encryption_key: str | None = setting("MFA_SECRET_ENCRYPTION_KEY", None, secret_key)
    # passwords
    password_min_length: int = setting(
        "PASSWORD_MIN_LENGTH", 12, integer(minimum=PASSWORD_MIN, maximum=64)
    )
    argon2_memory_kib: int = setting(
        "ARGON2_MEMORY_KIB", 19456, integer(minimum=8, maximum=4 * 1024 * 1024)
    )
    argon2_time_cost: int = setting("ARGON2_TIME_COST", 2, integer(minimum=1, maximum=20))
    argon2_parallelism: int = setting("ARGON2_PARALLELISM", 1, integer(minimum=1, maximum=16))
    argon2_max_concurrency: int = derived(
        "ARGON2_MAX_CONCURRENCY",
        integer(minimum=1, maximum=256),
        default=lambda: _hashers_per_worker(_default_of("workers")),
        derive=lambda values: _hashers_per_worker(values["workers"]),
    )
    argon2_max_wait_seconds: float = setting("ARGON2_MAX_WAIT_SECONDS", 2.0, number(minimum=0.01))
    # mail
    mail_worker: bool = setting("MAIL_WORKER", True, boolean)
    mail_max_attempts: int = setting("MAIL_MAX_ATTEMPTS", 8, integer(minimum=1, maximum=100))
    mail_retry_seconds: float = setting("MAIL_RETRY_SECONDS", 30.0, number(minimum=0.1))
    mail_per_recipient_per_hour: int = setting(
        "MAIL_PER_RECIPIENT_PER_HOUR", 5, integer(minimum=1, maximum=1000)
    )
    mail_requests_per_address_per_hour: int = setting(
        "MAIL_REQUESTS_PER_ADDRESS_PER_HOUR", 30, integer(minimum=1, maximum=1_000_000)
    )
    mail_retention_days: int = setting("MAIL_RETENTION_DAYS", 7, integer(minimum=1, maximum=3650))
    janitor_interval_seconds: float = setting("JANITOR_INTERVAL_SECONDS", 3600.0, number(minimum=0))
    # where people go after setting a password, by the clientId that created them
    client_redirects: tuple[tuple[str, str], ...] = setting("CLIENT_REDIRECTS", (), redirects)
    app_client_tokens_per_hour: int = setting(
        "APP_CLIENT_TOKENS_PER_HOUR", 200, integer(minimum=1, maximum=1_000_000)
    )
    app_clients_per_organization: int = setting(
        "APP_CLIENTS_PER_ORGANIZATION", 100, integer(minimum=1, maximum=10_000)
    )
    # custom domains: where their TXT records are looked up, under which name, how often again
    domain_dns_resolvers: tuple[tuple[str, int], ...] = setting(
        "DOMAIN_DNS_RESOLVERS", (), resolvers
    )
    domain_txt_prefix: str = setting("DOMAIN_TXT_PREFIX", "_health-auth-verification", text)
    domain_recheck_hours: int = setting(
        "DOMAIN_RECHECK_HOURS", 24, integer(minimum=1, maximum=24 * 30)
    )
    resolve_per_minute: int = setting("RESOLVE_PER_MINUTE", 60, integer(minimum=1, maximum=100_000))
    metrics_token: str | None = setting("METRICS_TOKEN", None, text)
    # "closed": only invitations and operators create accounts
    registration: str = setting("REGISTRATION", "open", choice(REGISTRATION_MODES))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping (``os.environ`` in production)."""
        settings = cls(**read(cls, env))
        _refuse_to_start_with(settings)
        return settings

    def redirect_for(self, client_id: str | None) -> str | None:
        return dict(self.client_redirects).get(client_id) if client_id else None

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def reveals_links(self) -> bool:
        """Mail links may be written to the log: only in development, listening on loopback."""
        return self.app_env == "development" and deployment.is_loopback(self.host)

    @property
    def registration_open(self) -> bool:
        return self.registration == "open"

    def __repr__(self) -> str:  # never a secret: see deployment.masked
        return deployment.masked(self)

    @classmethod
    def variables(cls) -> frozenset[str]:
        """The names of every environment variable the service reads."""
        return frozenset(variable_of(spec).name for spec in fields(cls))


def _refuse_to_start_with(settings: Settings) -> None:
    """Raise for the first combination of values the service must not start with."""
    if settings.is_production and settings.argon2_memory_kib < 19456:
        raise ConfigError("ARGON2_MEMORY_KIB", "must be at least 19456 in production")
    if settings.app_env != "development" and settings.smtp_url is None:
        raise ConfigError("SMTP_URL", f"is required when APP_ENV is {settings.app_env}")
    if settings.is_production and settings.argon2_time_cost < 2:
        raise ConfigError("ARGON2_TIME_COST", "must be at least 2 in production")
    if settings.db_pool_min > settings.db_pool_max:
        raise ConfigError("DB_POOL_MIN", "must not be larger than DB_POOL_MAX")
    for variable, problem in deployment.problems(settings):
        raise ConfigError(variable, problem)


def _default_of(name: str) -> Any:
    return Settings.__dataclass_fields__[name].default


def _local_base_url(host: str, port: int) -> str:
    """``http://HOST:PORT`` for a loopback HOST; ``http://127.0.0.1:PORT`` when the service
    listens on every interface (``0.0.0.0``) or a public one, which a reverse proxy fronts
    (set PUBLIC_BASE_URL there)."""
    name = host.strip().strip("[]")
    if not deployment.is_loopback(name):
        name = "127.0.0.1"
    return f"http://{f'[{name}]' if ':' in name else name}:{port}"


def _log_format_for(app_env: str) -> str:
    return "text" if app_env == "development" else "json"


def _hashers_per_worker(workers: int) -> int:
    """The cores shared out among the worker processes: argon2 threads beyond that only
    queue behind each other and crowd out the event loops."""
    return max(1, (os.cpu_count() or 2) // workers)
