"""One answer for every link post: a page for the form the mail's link opened, JSON for API
clients. A refusal is raised to JSON clients (rendered as JSON:API) and shown as a page to
people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Response

from service.config import Settings
from service.errors import ApiError
from service.pages import render

T = TypeVar("T")


async def link_post(
    from_page: bool,
    run: Callable[[], Awaitable[T]],
    *,
    page: Callable[[T], Response[Any]],
    json: Callable[[T], Response[Any]],
    refused_page: Callable[[ApiError], Response[Any]],
) -> Response[Any]:
    try:
        result = await run()
    except ApiError as error:
        if not from_page:
            raise
        return refused_page(error)
    return page(result) if from_page else json(result)


async def new_link_post(
    from_page: bool,
    settings: Settings,
    link: str,
    email: str,
    *,
    ask: Callable[[], Awaitable[None]],
    json: Callable[[], Response[Any]],
) -> Response[Any]:
    """A request to mail a new ``link`` (``verify_email``, ``reset_password``) to ``email``:
    the same answer whether or not an account can use one, JSON for API clients, and for the
    form on a dead link's page a page (or that form again, with the address, when refused)."""
    return await link_post(
        from_page,
        ask,
        page=lambda _: render.link_sent(settings, email),
        json=lambda _: json(),
        refused_page=lambda error: render.send_link_again(settings, link, email, error),
    )
