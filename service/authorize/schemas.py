"""The sign-in form, as the OpenAPI document shows it (the handler reads the form itself and
checks the authorization request's parameters as ``GET /auth/authorize`` does)."""

from __future__ import annotations

from service.wire import RequestShape


class SignInForm(RequestShape, forbid_unknown_fields=False):
    """The page's hidden fields carry the authorization request; the person types the
    address and the password; ``csrf`` repeats the form's cookie."""

    client_id: str
    redirect_uri: str
    response_type: str
    code_challenge: str
    code_challenge_method: str
    csrf: str
    email: str
    password: str
    scope: str = ""
    state: str = ""
    nonce: str = ""
    max_age: str = ""
