"""Settings come from the environment once; bad values name their variable."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from service.config import ConfigError, Settings


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
