"""``/auth/me/mfa-factors`` and ``/auth/me/recovery-codes``: a person's own second factors,
JSON:API. Only a person's token reaches them (never an app client's); each acts on the
caller's own rows, which row-level security scopes to them as well.

Adding a factor beside a confirmed one, removing a confirmed factor, and new recovery codes
need a fresh second factor: a token whose ``amr`` holds one, signed in (``auth_time``) within
the last five minutes."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath

from service import bodies, jsonapi
from service.errors import ApiError
from service.ids import path_id
from service.mfa import enrolment, service
from service.mfa.enroller import Enroller, provide_enroller, satisfy
from service.mfa.schemas import (
    ConfirmBody,
    ConfirmedDocument,
    EnrolmentDocument,
    EnrolmentMeta,
    FactorChangesDocument,
    FactorDocument,
    FactorListDocument,
    FactorListMeta,
    NewFactorDocument,
    RecoveryCodesDocument,
    RecoveryCodesMeta,
    factor_path,
    factor_resource,
)
from service.routing import Injected, options
from service.security.principal import Principal
from service.security.sign_in import has_second_factor
from service.session import BEARER_SECURITY, SESSION, Caller

NO_STORE = {"Cache-Control": "no-store"}


def fresh(principal: Principal) -> bool:
    """Whether the token proves a second factor given within :data:`STEP_UP_SECONDS`."""
    moment = principal.auth_time
    recent = moment is not None and time.time() - moment <= service.STEP_UP_SECONDS
    return recent and has_second_factor(principal.amr)


@get("/me/mfa-factors", summary="Your second factors", media_type=jsonapi.JSONAPI)
async def list_factors(
    caller: Injected[Caller], factors: Injected[service.Kit]
) -> Response[FactorListDocument]:
    """Confirmed and unconfirmed factors (never a secret), and how many recovery codes of
    the current set are left."""
    found = await service.listing(factors, caller.principal.user_id)
    meta = FactorListMeta(found.recovery_codes_left, found.recovery_codes_issued)
    document = FactorListDocument([factor_resource(f) for f in found.factors], meta)
    return Response(document, media_type=jsonapi.JSONAPI)


@get("/me/mfa-factors/{factor_id:str}", summary="One of your factors", media_type=jsonapi.JSONAPI)
async def get_factor(
    factor_id: FromPath[str], caller: Injected[Caller], factors: Injected[service.Kit]
) -> Response[FactorDocument]:
    found = await service.one(factors, caller.principal.user_id, path_id(factor_id))
    return Response(FactorDocument(factor_resource(found)), media_type=jsonapi.JSONAPI)


@post(
    "/me/mfa-factors",
    summary="Add an authenticator app (TOTP) or a passkey",
    status_code=201,
    media_type=jsonapi.JSONAPI,
    opt=options(bodies={jsonapi.JSONAPI: NewFactorDocument}),
)
async def add_factor(
    request: Request[Any, Any, Any], enroller: Injected[Enroller], factors: Injected[service.Kit]
) -> Response[EnrolmentDocument]:
    """`kind: totp` (an authenticator app) or `webauthn` (a passkey), and an optional
    `label`. 201 with the factor unconfirmed and, in `meta`, shown this once: for TOTP
    `otpauthUri`, `secret` (base32) and `qrSvg`; for a passkey `publicKey`, the options for
    `navigator.credentials.create()` on a page of this service's origin. Confirm it with a
    code, or the credential the browser returned.
    Replaces any unconfirmed factor; beside a confirmed one it needs a fresh second factor
    (403 `step_up_required`); at most 10 factors (409). A person whose organization requires
    a factor they lack may come with the password grant's `mfa_token` as the bearer token."""
    body = await bodies.read_json(request, NewFactorDocument)
    if body.data.id is not None:
        raise ApiError("forbidden", "Factor ids are assigned by the service.", pointer="/data/id")
    who, attributes = enroller.principal, body.data.attributes
    added = await enrolment.add(factors, who, attributes.kind, attributes.label, fresh=fresh(who))
    meta = EnrolmentMeta(added.otpauth_uri, added.secret, added.qr_svg, added.public_key)
    document = EnrolmentDocument(factor_resource(added.factor), meta)
    headers = {"Location": factor_path(added.factor.id), **NO_STORE}
    return Response(document, status_code=201, media_type=jsonapi.JSONAPI, headers=headers)


@post(
    "/me/mfa-factors/{factor_id:str}/confirm",
    summary="Confirm an authenticator app with a code from it",
    status_code=200,
    media_type=jsonapi.JSONAPI,
    opt=options(bodies={jsonapi.JSON: ConfirmBody, jsonapi.JSONAPI: ConfirmBody}),
)
async def confirm_factor(
    factor_id: FromPath[str],
    request: Request[Any, Any, Any],
    enroller: Injected[Enroller],
    factors: Injected[service.Kit],
) -> Response[ConfirmedDocument]:
    """`{"code": "123456"}` for an authenticator app, `{"credential": {...}}` (what
    `navigator.credentials.create()` returned, as JSON) for a passkey. 200 with the factor
    confirmed and, for a person's first confirmed factor, `meta.recoveryCodes`: ten
    single-use codes, shown this once. A wrong code is 400 `invalid_code`, throttled per
    person as a password is; a credential that does not verify is 400 `invalid_code` too.
    Confirmed with an `mfa_token`, it also passes that sign-in's second step: the grant
    completes with the token alone."""
    body = await bodies.read_json(request, ConfirmBody)
    factor, codes = await enrolment.confirm(
        factors,
        enroller.principal,
        path_id(factor_id),
        code=body.code,
        credential=body.credential,
    )
    await satisfy(factors.pool, enroller, "otp" if factor.kind == "totp" else "hwk")
    meta = RecoveryCodesMeta(codes) if codes is not None else None
    document = ConfirmedDocument(factor_resource(factor), meta)
    return Response(document, media_type=jsonapi.JSONAPI, headers=NO_STORE)


@patch(
    "/me/mfa-factors/{factor_id:str}",
    summary="Rename one of your factors",
    media_type=jsonapi.JSONAPI,
    opt=options(bodies={jsonapi.JSONAPI: FactorChangesDocument}),
)
async def rename_factor(
    factor_id: FromPath[str],
    request: Request[Any, Any, Any],
    caller: Injected[Caller],
    factors: Injected[service.Kit],
) -> Response[FactorDocument]:
    """Only `label` changes."""
    who, parsed = caller.principal, path_id(factor_id)
    stored = factor_resource(await service.one(factors, who.user_id, parsed))
    body = await bodies.read_update(request, FactorChangesDocument, stored)
    label = body.data.attributes.label
    if not isinstance(label, str):
        return Response(FactorDocument(stored), media_type=jsonapi.JSONAPI)
    changed = await service.relabel(
        factors,
        user_id=who.user_id,
        org_id=who.org_id,
        factor_id=parsed,
        label=label,
        address=who.address,
    )
    return Response(FactorDocument(factor_resource(changed)), media_type=jsonapi.JSONAPI)


@delete(
    "/me/mfa-factors/{factor_id:str}",
    summary="Remove one of your factors",
    status_code=204,
    media_type=jsonapi.JSONAPI,
)
async def remove_factor(
    factor_id: FromPath[str], caller: Injected[Caller], factors: Injected[service.Kit]
) -> None:
    """A confirmed factor needs a fresh second factor (403 `step_up_required`); the last one
    takes the recovery codes with it."""
    who = caller.principal
    await service.remove(
        factors,
        user_id=who.user_id,
        org_id=who.org_id,
        factor_id=path_id(factor_id),
        fresh=fresh(who),
        address=who.address,
    )


@post(
    "/me/recovery-codes",
    summary="New recovery codes (the old set stops working)",
    status_code=200,
    media_type=jsonapi.JSONAPI,
    opt=options(accepts=()),
)
async def regenerate_codes(
    caller: Injected[Caller], factors: Injected[service.Kit]
) -> Response[RecoveryCodesDocument]:
    """Ten new codes in `meta.recoveryCodes`, shown this once. Needs a fresh second factor
    (403 `step_up_required`) and a confirmed factor (409)."""
    who = caller.principal
    codes = await service.regenerate(
        factors, user_id=who.user_id, org_id=who.org_id, fresh=fresh(who), address=who.address
    )
    document = RecoveryCodesDocument(RecoveryCodesMeta(codes))
    return Response(document, media_type=jsonapi.JSONAPI, headers=NO_STORE)


ROUTER = Router(
    "/auth",
    route_handlers=[
        list_factors,
        get_factor,
        add_factor,
        confirm_factor,
        rename_factor,
        remove_factor,
        regenerate_codes,
    ],
    tags=["second factors"],
    dependencies={**SESSION, "enroller": Provide(provide_enroller)},
    security=BEARER_SECURITY,
)
