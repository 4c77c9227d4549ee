"""Parsers for configuration variables, and the field declaration that ties each setting to
its variable.

A setting is declared once, on its dataclass field, with :func:`setting` (or :func:`derived`
when its default depends on settings read before it): the field's default is the only default.
:func:`read` walks the fields in order and parses every variable that is set. Every error is a
:class:`ConfigError` that names the variable.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
Parser = Callable[[str, str], T]
"""``parse(variable, value)``: the value is stripped and never empty."""

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(ValueError):
    """A configuration variable has a value the service cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Variable:
    """Where a setting comes from: its variable, how it is parsed, and (for :func:`derived`)
    how its default follows from the settings read before it."""

    name: str
    parse: Parser[Any]
    derive: Callable[[Mapping[str, Any]], Any] | None = None


_KEY = "variable"


def setting(variable: str, default: T, parse: Parser[T]) -> T:
    """A dataclass field read from ``variable``; ``default`` when it is unset or blank."""
    return field(default=default, metadata={_KEY: Variable(variable, parse)})


def derived(
    variable: str,
    parse: Parser[T],
    *,
    default: Callable[[], T],
    derive: Callable[[Mapping[str, Any]], T],
) -> T:
    """A field whose default follows from other settings: ``derive(values read so far)``
    when read from the environment, ``default()`` when the dataclass is built directly."""
    return field(default_factory=default, metadata={_KEY: Variable(variable, parse, derive)})


def variable_of(spec: Field[Any]) -> Variable:
    found = spec.metadata[_KEY]
    assert isinstance(found, Variable)
    return found


def read(cls: type[DataclassInstance], env: Mapping[str, str]) -> dict[str, Any]:
    """Every field of ``cls`` from ``env``, in declaration order."""
    values: dict[str, Any] = {}
    for spec in fields(cls):
        variable = variable_of(spec)
        raw = env.get(variable.name)
        if raw is not None and raw.strip():
            values[spec.name] = variable.parse(variable.name, raw.strip())
        elif variable.derive is not None:
            values[spec.name] = variable.derive(values)
        elif spec.default is not MISSING:
            values[spec.name] = spec.default
        else:
            assert spec.default_factory is not MISSING
            values[spec.name] = spec.default_factory()
    return values


def text(variable: str, raw: str) -> str:
    return raw


def path(variable: str, raw: str) -> Path:
    return Path(raw)


def boolean(variable: str, raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(variable, f"expected true or false, got {raw!r}")


def secret_key(variable: str, raw: str) -> str:
    """A 32-byte key, base64url-encoded (``openssl rand -base64 32`` also works)."""
    try:
        key = base64.urlsafe_b64decode(raw.replace("+", "-").replace("/", "_") + "==")
    except (binascii.Error, ValueError):
        raise ConfigError(variable, "is not base64") from None
    if len(key) != 32:
        raise ConfigError(variable, f"must decode to 32 bytes, got {len(key)}")
    return raw


def integer(*, minimum: int, maximum: int) -> Parser[int]:
    def parse(variable: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(variable, f"expected a whole number, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ConfigError(variable, f"must be between {minimum} and {maximum}, got {value}")
        return value

    return parse


def number(*, minimum: float) -> Parser[float]:
    def parse(variable: str, raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(variable, f"expected a number, got {raw!r}") from None
        if value < minimum:
            raise ConfigError(variable, f"must be at least {minimum}, got {value}")
        return value

    return parse


def choice(options: tuple[str, ...], *, upper: bool = False) -> Parser[str]:
    def parse(variable: str, raw: str) -> str:
        value = raw.upper() if upper else raw.lower()
        if value not in options:
            raise ConfigError(variable, f"must be one of {', '.join(options)}, got {raw!r}")
        return value

    return parse


def url(*schemes: str) -> Parser[str]:
    def parse(variable: str, raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes:
            starts = " or ".join(s + "://" for s in schemes)
            raise ConfigError(variable, f"must start with {starts}")
        if parts.scheme in ("http", "https", "smtp", "smtps") and not parts.hostname:
            raise ConfigError(variable, "has no host name")
        return raw

    return parse


def base_url(variable: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(variable, f"must be an absolute http(s) URL, got {raw!r}")
    if parts.query or parts.fragment:
        raise ConfigError(variable, "must not carry a query or fragment")
    return raw.rstrip("/")


def _items(raw: str) -> list[str]:
    return [item for item in (part.strip() for part in raw.split(",")) if item]


def origins(variable: str, raw: str) -> tuple[str, ...]:
    found = []
    for item in _items(raw):
        parts = urlsplit(item)
        if item == "*" or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(variable, f"{item!r} is not an exact http(s) origin")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigError(variable, f"{item!r} must be an origin without a path")
        found.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(found)


def redirects(variable: str, raw: str) -> tuple[tuple[str, str], ...]:
    """``client-id=https://target,…``: the only places a flow may send a person to."""
    pairs = []
    for item in _items(raw):
        client, sep, target = item.partition("=")
        parts = urlsplit(target.strip())
        if not sep or not client.strip() or parts.scheme not in ("http", "https"):
            raise ConfigError(variable, f"{item!r} is not client-id=https://target")
        if not parts.hostname:
            raise ConfigError(variable, f"{item!r} has no host name")
        pairs.append((client.strip(), target.strip()))
    return tuple(pairs)


def networks(variable: str, raw: str) -> tuple[IPNetwork, ...]:
    found = []
    for item in _items(raw):
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(variable, f"{item!r} is not an IP address or network") from None
    return tuple(found)


def resolvers(variable: str, raw: str) -> tuple[tuple[str, int], ...]:
    """``ip[:port],…`` (an IPv6 address in brackets when it has a port): DNS servers to ask."""
    found = []
    for item in _items(raw):
        host, port = item, 53
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else 53
        elif item.count(":") == 1:
            host, _, number = item.partition(":")
            if not number.isdigit():
                raise ConfigError(variable, f"{item!r} has no port number after ':'")
            port = int(number)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ConfigError(variable, f"{item!r} is not an IP address") from None
        if not 0 < port < 65536:
            raise ConfigError(variable, f"{item!r} has no valid port")
        found.append((host, port))
    return tuple(found)
