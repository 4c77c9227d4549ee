"""RFC 6749 and RFC 7009 wire types: form requests, JSON answers, error bodies."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.wire import RequestShape, ResponseShape

# Documented as a UUID; the handler checks it and answers RFC 6749's invalid_request.
OrganizationId = Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]


class TokenRequest(RequestShape, forbid_unknown_fields=False):
    """The form of ``POST /auth/token``. Unknown parameters are ignored, as RFC 6749 says."""

    grant_type: str = ""
    username: str | None = None
    password: str | None = None
    refresh_token: str | None = None
    organization_id: OrganizationId | None = None
    scope: str | None = None
    client_id: str | None = None


class TokenResponse(ResponseShape):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str


class RevokeRequest(RequestShape, forbid_unknown_fields=False):
    token: str = ""
    token_type_hint: str | None = None
    client_id: str | None = None


class OAuthErrorBody(ResponseShape, omit_defaults=True):
    error: str
    error_description: str | None = None
