"""The sign-in form, as the OpenAPI document shows it (the handler reads the form itself and
checks the authorization request's parameters as ``GET /auth/authorize`` does)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.wire import RequestShape


class SignInForm(RequestShape, forbid_unknown_fields=False):
    """The page's hidden fields carry the authorization request; the person types the
    address and the password, or, from the account chooser, sends ``choice`` instead;
    ``csrf`` repeats the form's cookie."""

    client_id: str
    redirect_uri: str
    response_type: str
    code_challenge: str
    code_challenge_method: str
    csrf: str
    email: str = ""
    password: str = ""
    choice: Annotated[
        str,
        msgspec.Meta(
            description="The account chooser's answer: `continue` (continue as the person the"
            " browser is signed in as) or `another` (show the sign-in form). Absent or anything"
            " else: the form is the sign-in form."
        ),
    ] = ""
    scope: str = ""
    state: str = ""
    nonce: str = ""
    max_age: str = ""
