"""The ``auth/mfa-factors`` resource (a person's own second factors) and its bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.mfa.repo import Factor
from service.wire import RequestShape, ResponseShape, visible

FACTOR: Literal["auth/mfa-factors"] = "auth/mfa-factors"
Label = Annotated[str, visible(100)]
Code = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        description="Six digits from the authenticator app.",
        examples=["123456"],
    ),
]


class FactorAttributes(ResponseShape, rename="camel"):
    kind: Literal["totp", "webauthn"]
    label: str
    confirmed: bool
    confirmed_at: str | None
    last_used_at: str | None
    created_at: str


class FactorLinks(ResponseShape):
    self: str


class FactorResource(ResponseShape):
    type: Literal["auth/mfa-factors"]
    id: str
    attributes: FactorAttributes
    links: FactorLinks


class EnrolmentMeta(ResponseShape, rename="camel", omit_defaults=True):
    """Shown once, when a factor is added. An authenticator app: what the app reads (the
    URI, as a QR code drawn as SVG too) or what a person types (the base32 secret). A
    passkey: ``publicKey``, the options for ``navigator.credentials.create()`` (binary
    members base64url), to be called on a page of this service's origin."""

    otpauth_uri: str | None = None
    secret: str | None = None
    qr_svg: str | None = None
    public_key: dict[str, Any] | None = None


class RecoveryCodesMeta(ResponseShape, rename="camel"):
    """Shown once: each code signs in once in place of the second factor."""

    recovery_codes: list[str]


class FactorDocument(ResponseShape):
    data: FactorResource


class EnrolmentDocument(ResponseShape):
    data: FactorResource
    meta: EnrolmentMeta


class ConfirmedDocument(ResponseShape, omit_defaults=True):
    data: FactorResource
    meta: RecoveryCodesMeta | None = None  # the first confirmed factor's recovery codes


class FactorListMeta(ResponseShape, rename="camel"):
    recovery_codes_left: int
    recovery_codes_issued: int


class FactorListDocument(ResponseShape):
    data: list[FactorResource]
    meta: FactorListMeta


class RecoveryCodesDocument(ResponseShape):
    meta: RecoveryCodesMeta


def _stamp(moment: object) -> str | None:
    return moment.isoformat() if moment is not None else None  # type: ignore[attr-defined]


def factor_path(factor_id: object) -> str:
    return f"/auth/me/mfa-factors/{factor_id}"


def factor_resource(factor: Factor) -> FactorResource:
    return FactorResource(
        type=FACTOR,
        id=str(factor.id),
        attributes=FactorAttributes(
            kind=factor.kind,  # type: ignore[arg-type]
            label=factor.label,
            confirmed=factor.confirmed_at is not None,
            confirmed_at=_stamp(factor.confirmed_at),
            last_used_at=_stamp(factor.last_used_at),
            created_at=factor.created_at.isoformat(),
        ),
        links=FactorLinks(factor_path(factor.id)),
    )


class NewFactorAttributes(RequestShape):
    kind: Literal["totp", "webauthn"]
    label: Label | None = None  # "Authenticator app" or "Passkey" when left out


class NewFactor(RequestShape):
    type: Literal["auth/mfa-factors"]
    attributes: NewFactorAttributes
    id: str | None = None  # refused: the service assigns ids


class NewFactorDocument(RequestShape):
    data: NewFactor


class FactorChangesAttributes(RequestShape):
    label: Label | UnsetType = UNSET


class FactorChanges(RequestShape):
    type: Literal["auth/mfa-factors"]
    id: str
    attributes: FactorChangesAttributes = msgspec.field(default_factory=FactorChangesAttributes)


class FactorChangesDocument(RequestShape):
    data: FactorChanges


class ConfirmBody(RequestShape):
    """An authenticator app is confirmed with a ``code`` from it; a passkey with the
    ``credential`` ``navigator.credentials.create()`` returned (as JSON, binary members
    base64url)."""

    code: Code | None = None
    credential: dict[str, Any] | None = None
