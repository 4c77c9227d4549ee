"""How handlers are declared: what they are given, and their options.

:data:`Injected` marks a parameter as a dependency given by name (the app's settings, pool,
mailer and the rest, see :mod:`service.wiring`, or a feature's session): built by us, so
Litestar does not validate it again. :func:`options` names a route's options once and typed:
who may call it and what it exchanges. Litestar keeps them in a handler's ``opt`` (merged
with its ``Router``'s); :mod:`service.session` checks the permission,
:func:`service.http.check_media_types` the media types, and the OpenAPI document shows the
bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeAlias, TypeVar

from litestar.di import Dependency
from litestar.params import SkipValidationMarker

from service import jsonapi
from service.security.permissions import ServicePermission

T = TypeVar("T")

Injected: TypeAlias = Annotated[T, Dependency(kind="named"), SkipValidationMarker()]
"""A dependency given by the parameter's name, of the parameter's type."""


def options(
    permission: ServicePermission | None = None,
    *,
    accepts: tuple[str, ...] | None = None,
    answers: tuple[str, ...] | None = None,
    bodies: Mapping[str, Any] | None = None,
    replies: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``permission``: only members whose role holds it may call the route. ``accepts``: the
    request bodies' media types (JSON:API and plain JSON unless named). ``answers``: the
    media types the route can answer with (the same default). ``bodies``: the body's shape
    for each media type, for the OpenAPI document when the handler decodes it itself;
    ``replies`` likewise for the success answer when its shape follows the request's."""
    opt: dict[str, Any] = {}
    if permission is not None:
        opt["permission"] = permission
    if accepts is not None:
        opt["request_types"] = accepts
    if answers is not None:
        opt["response_types"] = answers
    if bodies is not None:
        opt["request_body"] = dict(bodies)
    if replies is not None:
        opt["response_body"] = dict(replies)
    return opt


ANY_BODY = (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.FORM)
"""What a route takes when a page's form posts to it as well as API clients."""


def form_or_json(
    body: type[Any], *, page: bool = False, replies: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The options of a route that a page's form posts to as well as API clients: any of
    :data:`ANY_BODY`, read as ``body`` whether JSON or a form; with ``page``, a form post is
    answered with a page (see :mod:`service.pages.answer`)."""
    answers = (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.HTML) if page else None
    return options(
        accepts=ANY_BODY,
        answers=answers,
        bodies={jsonapi.JSON: body, jsonapi.FORM: body},
        replies=replies,
    )
