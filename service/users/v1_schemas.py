"""Seed 002's member shapes: snake_case, ids as canonical UUID strings, RFC 3339 times."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from service.accounts.repo import MemberView
from service.v1.envelope import Shape
from service.wire import EMAIL

RoleCode = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        description="The code of one of the organization's roles (GET .../roles).",
    ),
]


class MemberV1(msgspec.Struct):
    """``joined_at``: when the membership was created in this organization."""

    principal_id: UUID
    email: str
    role_id: UUID
    role_code: str
    joined_at: datetime


class EnrolledV1(msgspec.Struct):
    principal_id: UUID
    email: str
    organization_id: UUID
    role_id: UUID
    role_code: str


class MemberUpsertV1(Shape):
    """POST .../members: who (an account's address) and which role (a role code)."""

    email: Annotated[str, EMAIL]
    role: RoleCode


def member_v1(view: MemberView) -> MemberV1:
    return MemberV1(
        principal_id=view.id,
        email=view.email,
        role_id=view.role_id,
        role_code=view.role_code,
        joined_at=view.created_at,
    )


def enrolled_v1(view: MemberView) -> EnrolledV1:
    return EnrolledV1(
        principal_id=view.id,
        email=view.email,
        organization_id=view.organization_id,
        role_id=view.role_id,
        role_code=view.role_code,
    )
