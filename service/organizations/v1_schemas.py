"""Seed 002's organization shapes: snake_case, RFC 3339 times, ``null`` for an empty field.

The request bodies take the profile fields with the very checks of the JSON:API surface's
:class:`~service.organizations.schemas.ProfileChanges` (built from its annotations, so the
two cannot drift apart), under their snake_case names; ``slug`` is taken only on creation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, get_type_hints

import msgspec

from service.organizations.schemas import PROFILE_FIELDS, ProfileChanges
from service.v1.envelope import Shape

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[
    str,
    msgspec.Meta(
        pattern=SLUG,
        min_length=1,
        max_length=63,
        description="Lowercase letters, digits and single hyphens between them; unique.",
    ),
]


class OrganizationV1(msgspec.Struct):
    id: str
    name: str
    slug: str
    tagline: str | None
    description: str | None
    email: str | None
    phone: str | None
    website: str | None
    location: str | None
    logo_url: str | None
    icon_url: str | None
    language_code: str | None
    created_at: datetime
    updated_at: datetime


def _profile_fields(*, required_name: bool) -> list[tuple[str, Any, Any]]:
    hints = get_type_hints(ProfileChanges, include_extras=True)
    fields: list[tuple[str, Any, Any]] = []
    for name in PROFILE_FIELDS:
        if name == "name" and required_name:
            fields.append((name, hints[name].__args__[0]))  # type: ignore[arg-type]
        else:
            fields.append((name, hints[name], msgspec.UNSET))
    return fields


OrganizationChangesV1: Any = msgspec.defstruct(
    "OrganizationChangesV1", _profile_fields(required_name=False), bases=(Shape,)
)
"""PATCH: any subset of the profile; ``slug`` is refused (it never changes)."""

_new = _profile_fields(required_name=True)
NewOrganizationV1: Any = msgspec.defstruct(
    "NewOrganizationV1", [_new[0], ("slug", Slug), *_new[1:]], bases=(Shape,)
)
"""POST: ``name`` and ``slug`` required, the rest of the profile optional."""
