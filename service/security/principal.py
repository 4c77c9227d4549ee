"""Who is acting: the authenticated member or app client as the services see it (no request,
no database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

PrincipalKind = Literal["user", "app_client"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who an audit event names: a person (``user_id``) or an app client (``client_id``)."""

    kind: PrincipalKind
    user_id: UUID | None
    client_id: UUID | None


@dataclass(frozen=True, slots=True)
class Principal:
    """A member of ``org_id`` holding ``role``, or an app client of it acting with its role.

    For an app client, ``user_id`` is the client's id (the token's ``sub``), ``email`` is
    empty and ``name`` is the client's name; :attr:`person_id` is None, so nothing that needs
    a person (an inviter, a creator) is ever given a client's id."""

    user_id: UUID
    org_id: UUID
    email: str
    role: str
    permissions: frozenset[str]
    practitioner_id: str | None
    address: str | None = None
    kind: PrincipalKind = "user"
    name: str = ""
    scope: str | None = None  # the token's OpenID Connect scope, when it has one
    amr: frozenset[str] = frozenset()  # how the person signed in (RFC 8176), from the token
    auth_time: int | None = None  # when they last authenticated, from the token

    @property
    def person_id(self) -> UUID | None:
        return self.user_id if self.kind == "user" else None

    @property
    def label(self) -> str:
        """How a message names the one who acted: a person's address, a client's name."""
        return self.email if self.kind == "user" else self.name

    @property
    def actor(self) -> Actor:
        if self.kind == "user":
            return Actor("user", self.user_id, None)
        return Actor("app_client", None, self.user_id)
