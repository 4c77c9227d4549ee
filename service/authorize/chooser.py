"""The account chooser (``prompt=select_account``): a browser signed in here is asked whether
to continue as the person it is signed in as, or to use another account.

It is offered only when that session could give a code now: live, young enough for
``max_age``, its person a live member of the client's organization. Otherwise the sign-in
page is shown, and nothing about the session is. "Continue" posts the request back with the
form's CSRF token, and the session is checked again then: a session that ended, or a person
who left the organization, gets the sign-in page and no code. The code carries the
session's ``auth_time``: continuing is not a fresh sign-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Response

from service.authorize import answer, browser, service
from service.authorize.request import Authorization
from service.config import Settings
from service.tokens.issue import Issuer
from service.tokens.repo import BrowserSession

CHOICES = ("continue", "another")


def choice(given: Sequence[Any]) -> str:
    """The chooser's answer: ``continue`` or ``another``, sent once; else ``""`` (the form
    is the sign-in form)."""
    if len(given) == 1 and given[0] in CHOICES:
        return str(given[0])
    return ""


async def page(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    session: BrowserSession | None,
    organization_name: str,
    *,
    expired: bool = False,
) -> Response[Any]:
    """The chooser when ``session`` may continue; else the sign-in page. ``expired``: the
    answer to a form whose CSRF token did not hold (403, saying so)."""
    email = None
    if session is not None and service.may_continue(auth, session.auth_time):
        email = await service.member_email(issuer, auth, session)
    status = 403 if expired else 200
    if email is None:
        error = answer.FORM_EXPIRED if expired else ""
        return answer.sign_in_page(
            settings, auth, organization_name=organization_name, error=error, status=status
        )
    return answer.choose_account_page(
        settings,
        auth,
        organization_name=organization_name,
        email=email,
        error=answer.CHOICE_EXPIRED if expired else "",
        status=status,
    )


async def go_on(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    session: BrowserSession | None,
    organization_name: str,
) -> Response[Any] | service.StepUp:
    """ "Continue as": a code for ``session`` as it stands now, with its own ``auth_time``,
    and the spent CSRF cookie cleared; :class:`~service.authorize.service.StepUp` when its
    second factor is due first; otherwise the sign-in page and no code."""
    if session is not None and service.may_continue(auth, session.auth_time):
        code = await service.code_for_session(issuer, auth, session)
        if isinstance(code, service.StepUp):
            return code
        if code is not None:
            spent = browser.cookie(settings, browser.names(settings).csrf, "", max_age=0)
            return answer.back(settings, auth, {"code": code}, [spent])
    return answer.sign_in_page(settings, auth, organization_name=organization_name)
