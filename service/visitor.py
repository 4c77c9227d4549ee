"""The HTTP dependency of the flows anyone may start, with no session: sign-up, links from
mail, resets. What they use travels as one value, so a flow's service takes the visitor
rather than five parts of the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import Provide

from service.config import Settings
from service.mail.mailer import Mailer
from service.routing import Injected
from service.security.clients import address_of
from service.security.passwords import PasswordHasher
from service.throttle.counters import Throttle


@dataclass(frozen=True, slots=True)
class Visitor:
    """A request without a session: its client's address (what throttles count by) and the
    app's settings, pool, hasher, mailer and throttle."""

    address: str
    settings: Settings
    pool: asyncpg.Pool
    hasher: PasswordHasher
    mailer: Mailer
    throttle: Throttle


def provide_visitor(
    request: Request[Any, Any, Any],
    settings: Injected[Settings],
    pool: Injected[asyncpg.Pool],
    hasher: Injected[PasswordHasher],
    mailer: Injected[Mailer],
    throttle: Injected[Throttle],
) -> Visitor:
    return Visitor(address_of(request, settings), settings, pool, hasher, mailer, throttle)


VISITOR = {"visitor": Provide(provide_visitor, sync_to_thread=False)}
