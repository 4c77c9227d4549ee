"""The ``auth/organizations`` resource, with the profile fields of the seed's Organizations API
and the organization's multi-factor policy (migration 033; /auth only, /v1 shows the profile)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from service.wire import (
    CONTROLS,
    EMAIL_PATTERN,
    SPACES,
    RequestShape,
    ResponseShape,
    optional,
    visible,
)

PROFILE_FIELDS = (
    "name",
    "tagline",
    "description",
    "email",
    "phone",
    "website",
    "location",
    "logo_url",
    "icon_url",
    "language_code",
)
POLICY_FIELDS = ("mfa_required", "mfa_reprompt_hours")
"""The multi-factor policy's attributes: on the /auth surface alone (/v1 takes the profile)."""
REPROMPT_HOURS_MAX = 2160  # 90 days, the column's CHECK


class OrganizationAttributes(ResponseShape, rename="camel"):
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
    mfa_required: bool
    mfa_reprompt_hours: int
    created_at: int
    updated_at: int


class RoleIdentifier(ResponseShape):
    type: Literal["auth/roles"]
    id: str


class RoleLinkage(ResponseShape):
    data: RoleIdentifier


class OrganizationRelationships(ResponseShape):
    role: RoleLinkage = msgspec.field(name="auth/roles")


class OrganizationMeta(ResponseShape):
    """The caller's place in the organization."""

    role: str
    current: bool


class Links(ResponseShape):
    self: str


class OrganizationResource(ResponseShape):
    type: Literal["auth/organizations"]
    id: str
    attributes: OrganizationAttributes
    relationships: OrganizationRelationships
    meta: OrganizationMeta
    links: Links


class OrganizationDocument(ResponseShape):
    data: OrganizationResource


class OrganizationListDocument(ResponseShape):
    data: list[OrganizationResource]


Url = Annotated[
    str,
    msgspec.Meta(
        max_length=2048,
        pattern=(
            r"^$|^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9._~-]+(?::[0-9]{1,5})?"
            f"(?:[/?#][^{CONTROLS}{SPACES}]*)?$"
        ),
        description="An absolute http(s) URL; empty clears it.",
    ),
]
OptionalEmail = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        pattern=f"^$|{EMAIL_PATTERN}",
        description="An e-mail address; empty clears it.",
    ),
]
Language = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^$|^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$",
        description="A language tag such as en or pt-BR; empty clears it.",
    ),
]


class ProfileChanges(RequestShape, rename="camel"):
    """Any subset of the profile; ``null`` or an empty string clears an optional field."""

    name: Annotated[str, visible(200)] | msgspec.UnsetType = msgspec.UNSET
    tagline: Annotated[str, optional(200)] | msgspec.UnsetType | None = msgspec.UNSET
    description: Annotated[str, optional(2000)] | msgspec.UnsetType | None = msgspec.UNSET
    email: OptionalEmail | msgspec.UnsetType | None = msgspec.UNSET
    phone: Annotated[str, optional(50)] | msgspec.UnsetType | None = msgspec.UNSET
    website: Url | msgspec.UnsetType | None = msgspec.UNSET
    location: Annotated[str, optional(200)] | msgspec.UnsetType | None = msgspec.UNSET
    logo_url: Url | msgspec.UnsetType | None = msgspec.UNSET
    icon_url: Url | msgspec.UnsetType | None = msgspec.UNSET
    language_code: Language | msgspec.UnsetType | None = msgspec.UNSET


# A JSON number with an integer value (900 or 900.0, as JSON Schema's "integer" allows).
RepromptHours = Annotated[
    float,
    msgspec.Meta(
        ge=0,
        le=REPROMPT_HOURS_MAX,
        multiple_of=1,
        description=(
            "How many hours a browser session's second factor counts before it is asked for "
            f"again: 0 (every sign-in) to {REPROMPT_HOURS_MAX} (90 days)."
        ),
    ),
]


class OrganizationAttributeChanges(ProfileChanges, rename="camel"):
    """PATCH's attributes on the /auth surface: the profile and the multi-factor policy.

    A struct of its own so that the policy stays off /v1, whose bodies are built from
    :class:`ProfileChanges`. Neither policy field may be ``null``: one not sent stays as it is.
    """

    mfa_required: bool | msgspec.UnsetType = msgspec.UNSET
    mfa_reprompt_hours: RepromptHours | msgspec.UnsetType = msgspec.UNSET


class OrganizationChanges(RequestShape):
    type: Literal["auth/organizations"]
    id: str
    attributes: OrganizationAttributeChanges


class OrganizationChangesDocument(RequestShape):
    data: OrganizationChanges
