"""Settings, read once from the environment and passed down explicitly.

Nothing in the service reads ``os.environ`` except :meth:`Settings.from_env`. A bad value
stops start-up with a :class:`ConfigError` that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from service import deployment

APP_ENVS = ("development", "sandbox", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
REGISTRATION_MODES = ("open", "closed")


class ConfigError(ValueError):
    """A configuration variable has a value the service cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    migration_database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    mail_from: str = "no-reply@localhost"
    app_env: str = "development"
    fhir_base_url: str | None = None
    cors_allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    data_dir: Path = field(default_factory=lambda: Path(".data"))
    log_level: str = "INFO"
    db_pool_min: int = 1
    db_pool_max: int = 10
    db_acquire_timeout: float = 5.0
    db_statement_timeout_ms: int = 10_000
    max_body_bytes: int = 64 * 1024
    workers: int = 1
    # tokens
    jwt_audience: str = "health-auth"
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    signing_key_encryption_key: str | None = None
    # passwords
    password_min_length: int = 12
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    argon2_max_concurrency: int = field(default_factory=lambda: _hashers_per_worker(1))
    argon2_max_wait_seconds: float = 2.0
    # mail
    mail_worker: bool = True
    mail_max_attempts: int = 8
    mail_retry_seconds: float = 30.0
    mail_per_recipient_per_hour: int = 5
    mail_requests_per_address_per_hour: int = 30
    mail_retention_days: int = 7
    janitor_interval_seconds: float = 3600.0
    # where people go after setting a password, by the clientId that created them
    client_redirects: tuple[tuple[str, str], ...] = ()
    metrics_token: str | None = None
    # "closed": only invitations and operators create accounts
    registration: str = "open"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping (``os.environ`` in production)."""
        return cls._build(_Reader(env))

    @classmethod
    def _build(cls, reader: _Reader) -> Settings:
        settings = cls(
            database_url=reader.url("DATABASE_URL", schemes=("postgres", "postgresql")),
            migration_database_url=reader.url(
                "MIGRATION_DATABASE_URL", schemes=("postgres", "postgresql")
            ),
            host=reader.text("HOST", "127.0.0.1"),
            port=reader.integer("PORT", 8000, minimum=0, maximum=65535),
            public_base_url=reader.base_url("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
            smtp_url=reader.url("SMTP_URL", schemes=("smtp", "smtps")),
            mail_from=reader.text("MAIL_FROM", "no-reply@localhost"),
            app_env=reader.choice("APP_ENV", "development", APP_ENVS),
            fhir_base_url=reader.url("FHIR_BASE_URL", schemes=("http", "https")),
            cors_allowed_origins=reader.origins("CORS_ALLOWED_ORIGINS"),
            trusted_proxies=reader.networks("TRUSTED_PROXIES"),
            data_dir=Path(reader.text("DATA_DIR", ".data")),
            log_level=reader.choice("LOG_LEVEL", "INFO", LOG_LEVELS, upper=True),
            db_pool_min=reader.integer("DB_POOL_MIN", 1, minimum=0, maximum=1000),
            db_pool_max=reader.integer("DB_POOL_MAX", 10, minimum=1, maximum=1000),
            db_acquire_timeout=reader.number("DB_ACQUIRE_TIMEOUT", 5.0, minimum=0.1),
            db_statement_timeout_ms=reader.integer(
                "DB_STATEMENT_TIMEOUT_MS", 10_000, minimum=100, maximum=3_600_000
            ),
            max_body_bytes=reader.integer(
                "MAX_BODY_BYTES", 64 * 1024, minimum=1024, maximum=10 * 1024 * 1024
            ),
            workers=reader.integer("WORKERS", 1, minimum=1, maximum=64),
            jwt_audience=reader.text("JWT_AUDIENCE", "health-auth"),
            access_token_ttl=reader.integer("ACCESS_TOKEN_TTL", 900, minimum=60, maximum=86_400),
            refresh_token_ttl=reader.integer(
                "REFRESH_TOKEN_TTL", 30 * 24 * 3600, minimum=3600, maximum=365 * 24 * 3600
            ),
            signing_key_encryption_key=reader.secret_key("SIGNING_KEY_ENCRYPTION_KEY"),
            password_min_length=reader.integer("PASSWORD_MIN_LENGTH", 12, minimum=8, maximum=64),
            argon2_memory_kib=reader.integer(
                "ARGON2_MEMORY_KIB", 19456, minimum=8, maximum=4 * 1024 * 1024
            ),
            argon2_time_cost=reader.integer("ARGON2_TIME_COST", 2, minimum=1, maximum=20),
            argon2_parallelism=reader.integer("ARGON2_PARALLELISM", 1, minimum=1, maximum=16),
            argon2_max_concurrency=reader.integer(
                "ARGON2_MAX_CONCURRENCY",
                _hashers_per_worker(reader.integer("WORKERS", 1, minimum=1, maximum=64)),
                minimum=1,
                maximum=256,
            ),
            argon2_max_wait_seconds=reader.number("ARGON2_MAX_WAIT_SECONDS", 2.0, minimum=0.01),
            mail_worker=reader.boolean("MAIL_WORKER", True),
            mail_max_attempts=reader.integer("MAIL_MAX_ATTEMPTS", 8, minimum=1, maximum=100),
            mail_retry_seconds=reader.number("MAIL_RETRY_SECONDS", 30.0, minimum=0.1),
            mail_per_recipient_per_hour=reader.integer(
                "MAIL_PER_RECIPIENT_PER_HOUR", 5, minimum=1, maximum=1000
            ),
            mail_requests_per_address_per_hour=reader.integer(
                "MAIL_REQUESTS_PER_ADDRESS_PER_HOUR", 30, minimum=1, maximum=1_000_000
            ),
            mail_retention_days=reader.integer("MAIL_RETENTION_DAYS", 7, minimum=1, maximum=3650),
            janitor_interval_seconds=reader.number("JANITOR_INTERVAL_SECONDS", 3600.0, minimum=0),
            client_redirects=reader.redirects("CLIENT_REDIRECTS"),
            metrics_token=reader.text("METRICS_TOKEN", "") or None,
            registration=reader.choice("REGISTRATION", "open", REGISTRATION_MODES),
        )
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
        reader = _Reader({})
        cls._build(reader)
        return frozenset(reader.seen)


def _hashers_per_worker(workers: int) -> int:
    """The cores shared out among the worker processes: argon2 threads beyond that only
    queue behind each other and crowd out the event loops."""
    return max(1, (os.cpu_count() or 2) // workers)


class _Reader:
    """Parses one variable at a time and names it in every error."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.seen: list[str] = []

    def _raw(self, name: str) -> str | None:
        self.seen.append(name)
        value = self._env.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def text(self, name: str, default: str) -> str:
        return self._raw(name) or default

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(name, f"expected true or false, got {raw!r}")

    def secret_key(self, name: str) -> str | None:
        """A 32-byte key, base64url-encoded (``openssl rand -base64 32`` also works)."""
        raw = self._raw(name)
        if raw is None:
            return None
        import base64
        import binascii

        try:
            key = base64.urlsafe_b64decode(raw.replace("+", "-").replace("/", "_") + "==")
        except (binascii.Error, ValueError):
            raise ConfigError(name, "is not base64") from None
        if len(key) != 32:
            raise ConfigError(name, f"must decode to 32 bytes, got {len(key)}")
        return raw

    def integer(self, name: str, default: int, *, minimum: int, maximum: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(name, f"expected a whole number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ConfigError(name, f"must be between {minimum} and {maximum}, got {value}")
        return value

    def number(self, name: str, default: float, *, minimum: float) -> float:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(name, f"expected a number, got {raw!r}") from None
        if value < minimum:
            raise ConfigError(name, f"must be at least {minimum}, got {value}")
        return value

    def choice(
        self, name: str, default: str, options: tuple[str, ...], *, upper: bool = False
    ) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        value = raw.upper() if upper else raw.lower()
        if value not in options:
            raise ConfigError(name, f"must be one of {', '.join(options)}, got {raw!r}")
        return value

    def url(self, name: str, *, schemes: tuple[str, ...]) -> str | None:
        raw = self._raw(name)
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in schemes:
            raise ConfigError(name, f"must start with {' or '.join(s + '://' for s in schemes)}")
        if parts.scheme in ("http", "https", "smtp", "smtps") and not parts.hostname:
            raise ConfigError(name, "has no host name")
        return raw

    def base_url(self, name: str, default: str) -> str:
        raw = self._raw(name) or default
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(name, f"must be an absolute http(s) URL, got {raw!r}")
        if parts.query or parts.fragment:
            raise ConfigError(name, "must not carry a query or fragment")
        return raw.rstrip("/")

    def origins(self, name: str) -> tuple[str, ...]:
        raw = self._raw(name)
        if raw is None:
            return ()
        origins = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            parts = urlsplit(item)
            if item == "*" or parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(name, f"{item!r} is not an exact http(s) origin")
            if parts.path not in ("", "/") or parts.query or parts.fragment:
                raise ConfigError(name, f"{item!r} must be an origin without a path")
            origins.append(f"{parts.scheme}://{parts.netloc}")
        return tuple(origins)

    def redirects(self, name: str) -> tuple[tuple[str, str], ...]:
        """``client-id=https://target,…``: the only places a flow may send a person to."""
        raw = self._raw(name)
        if raw is None:
            return ()
        pairs = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            client, sep, target = item.partition("=")
            parts = urlsplit(target.strip())
            if not sep or not client.strip() or parts.scheme not in ("http", "https"):
                raise ConfigError(name, f"{item!r} is not client-id=https://target")
            if not parts.hostname:
                raise ConfigError(name, f"{item!r} has no host name")
            pairs.append((client.strip(), target.strip()))
        return tuple(pairs)

    def networks(self, name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        raw = self._raw(name)
        if raw is None:
            return ()
        networks = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ConfigError(name, f"{item!r} is not an IP address or network") from None
        return tuple(networks)
