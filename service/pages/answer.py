"""One answer for every link post: a page for the form the mail's link opened, JSON for API
clients. A refusal is raised to JSON clients (rendered as JSON:API) and shown as a page to
people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Response

from service.errors import ApiError

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
