"""Settings come from the environment once; bad values name their variable."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from service.config import ConfigError, Settings
from service.mail.transports import LogTransport, transport_from_settings


def test_defaults_match_the_contract() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.smtp_url is None
    assert settings.mail_from == "no-reply@localhost"
    assert settings.app_env == "development"
    assert settings.cors_allowed_origins == ()
    assert settings.trusted_proxies == ()


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app@db/auth",
            "PORT": "9000",
            "PUBLIC_BASE_URL": "https://auth.example.org/",
            "APP_ENV": "Sandbox",
            "CORS_ALLOWED_ORIGINS": "https://app.example.org, http://localhost:3000",
            "TRUSTED_PROXIES": "10.0.0.0/8, ::1",
            "SMTP_URL": "smtps://user:pass@mail.example.org:465",
        }
    )
    assert settings.port == 9000
    assert settings.public_base_url == "https://auth.example.org"
    assert settings.app_env == "sandbox"
    assert settings.cors_allowed_origins == ("https://app.example.org", "http://localhost:3000")
    assert ipaddress.ip_address("10.1.2.3") in settings.trusted_proxies[0]
    assert len(settings.trusted_proxies) == 2


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("APP_ENV", "staging"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("PUBLIC_BASE_URL", "auth.example.org"),
        ("PUBLIC_BASE_URL", "https://auth.example.org/?next=evil"),
        ("SMTP_URL", "http://mail.example.org"),
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example.org/path"),
        ("TRUSTED_PROXIES", "not-an-address"),
        ("FHIR_BASE_URL", "ftp://fhir.example.org"),
        ("LOG_LEVEL", "chatty"),
        ("DB_POOL_MIN", "50"),
        ("SMTP_URL", ""),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    env = {variable: value}
    if variable == "SMTP_URL" and not value:
        env["APP_ENV"] = "production"  # mail would be lost without a server
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(variable if variable != "DB_POOL_MIN" else "DB_POOL_MIN")


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


def test_every_contract_variable_is_read() -> None:
    contract = {
        "DATABASE_URL",
        "HOST",
        "PORT",
        "PUBLIC_BASE_URL",
        "SMTP_URL",
        "MAIL_FROM",
        "APP_ENV",
        "FHIR_BASE_URL",
        "CORS_ALLOWED_ORIGINS",
        "TRUSTED_PROXIES",
    }
    assert contract <= Settings.variables()


KEY = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="
PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://auth_app:db-secret-1@db.internal/auth",
    "MIGRATION_DATABASE_URL": "postgresql://auth_owner:db-secret-2@db.internal/auth",
    "PUBLIC_BASE_URL": "https://auth.example.org",
    "SMTP_URL": "smtps://mailer:smtp-secret-3@mail.example.org",
    "SIGNING_KEY_ENCRYPTION_KEY": KEY,
    "METRICS_TOKEN": "metrics-secret-4",
}


def test_a_complete_production_configuration_starts() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.is_production
    assert not settings.reveals_links


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SIGNING_KEY_ENCRYPTION_KEY", None),
        ("DATABASE_URL", None),  # the embedded database
        ("METRICS_TOKEN", None),  # /metrics would be open on the API port
        ("PUBLIC_BASE_URL", "http://auth.example.org"),
        ("PUBLIC_BASE_URL", "http://10.0.0.5:8000"),
        ("SMTP_URL", "smtp://mailer:smtp-secret-3@mail.example.org:587"),
        ("SMTP_URL", "smtp://mailer:smtp-secret-3@mail.example.org:587?starttls=opportunistic"),
    ],
)
def test_production_fails_closed(variable: str, value: str | None) -> None:
    env = {name: v for name, v in PRODUCTION.items() if name != variable}
    if value is not None:
        env[variable] = value
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert caught.value.variable == variable
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)
    # The same values are fine outside production.
    Settings.from_env({**env, "APP_ENV": "sandbox", "SMTP_URL": env.get("SMTP_URL", "smtp://m")})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        ("PUBLIC_BASE_URL", "http://localhost:8000"),
        ("SMTP_URL", "smtp://mailer:smtp-secret-3@mail.example.org:587?starttls=required"),
        ("SMTP_URL", "smtp://mail.example.org:25"),  # no credentials to protect
    ],
)
def test_production_accepts(variable: str, value: str) -> None:
    assert Settings.from_env({**PRODUCTION, variable: value}).is_production


@pytest.mark.parametrize(
    "url",
    [
        "smtp://mail.example.org?starttls=sometimes",
        "smtp://mail.example.org?tls=off",
        "smtps://mail.example.org?starttls=required",
    ],
)
def test_smtp_url_options_are_checked_everywhere(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"SMTP_URL": url})
    assert caught.value.variable == "SMTP_URL"


def test_settings_never_print_secrets() -> None:
    env = {
        **PRODUCTION,
        "SMTP_URL": "smtp://mailer:smtp-secret-3@mail.example.org?starttls=required",
        "DATABASE_URL": "postgresql://auth_app@db.internal/auth?password=db-secret-5",
    }
    settings = Settings.from_env(env)
    for shown in (repr(settings), str(settings), f"{settings}", f"{[settings]}"):
        for secret in ("db-secret-2", "db-secret-5", "smtp-secret-3", "metrics-secret-4", KEY):
            assert secret not in shown
        assert "auth_owner:***@db.internal" in shown  # what is not secret stays readable
        assert "https://auth.example.org" in shown
    assert settings.metrics_token == "metrics-secret-4"  # the values themselves are intact


@pytest.mark.parametrize(
    ("env", "reveals"),
    [
        ({}, True),
        ({"HOST": "localhost"}, True),
        ({"HOST": "::1"}, True),
        ({"HOST": "0.0.0.0"}, False),  # noqa: S104  (the case under test)
        ({"HOST": "192.168.1.20"}, False),
        ({"APP_ENV": "sandbox", "SMTP_URL": "smtp://mail.example.org"}, False),
    ],
)
def test_links_reach_the_log_only_in_development_on_loopback(
    env: dict[str, str], reveals: bool
) -> None:
    settings = Settings.from_env(env)
    assert settings.reveals_links is reveals
    # With no SMTP server the mail goes to the log; its links only where they may.
    transport = transport_from_settings(dataclasses.replace(settings, smtp_url=None))
    assert isinstance(transport, LogTransport)
    assert transport.reveal is reveals


def test_registration_is_open_unless_closed() -> None:
    assert Settings.from_env({}).registration_open
    assert not Settings.from_env({"REGISTRATION": "closed"}).registration_open
    with pytest.raises(ConfigError, match=r"^REGISTRATION"):
        Settings.from_env({"REGISTRATION": "invite-only"})
