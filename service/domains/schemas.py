"""Seed 002's custom domain shapes (snake_case, RFC 3339 times)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.v1.envelope import Shape


class DomainV1(msgspec.Struct):
    id: str
    organization_id: str
    domain: str
    domain_type: str
    status: str
    verification_token: str
    verified_at: datetime | None
    last_check_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Challenge(msgspec.Struct):
    """Where to publish the TXT record, and what it must hold."""

    txt_host: str
    txt_value: str


class AddedDomain(msgspec.Struct):
    """``POST …/domains``: the domain and its challenge beside it, as the seed shows."""

    data: DomainV1
    verification: Challenge


class NewDomain(Shape):
    domain: Annotated[
        str,
        msgspec.Meta(
            min_length=1, max_length=253, description="A hostname, e.g. clinic.example.com"
        ),
    ]
    domain_type: Annotated[str, msgspec.Meta(description="clinic or portal")]


class PublicOrganization(msgspec.Struct):
    """What resolving a slug or a hostname tells anyone."""

    id: str
    name: str
    slug: str
    logo_url: str | None
    icon_url: str | None
    language_code: str | None
