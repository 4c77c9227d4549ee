"""The closed error catalogue.

Every error the API returns has a ``code`` from :data:`CATALOGUE`, which fixes its HTTP status
and title. Handlers raise :class:`ApiError` (or a subclass); :mod:`service.http` renders it once
as a JSON:API ``errors`` document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Every code the API can answer with; :data:`CATALOGUE` gives each its status and title (a
# unit test keeps the two the same set), so mypy refuses an ``ApiError`` with a mistyped code.
ErrorCode = Literal[
    "invalid_id",
    "invalid_body",
    "validation_error",
    "invalid_token",
    "invalid_code",
    "role_not_found",
    "unauthorized",
    "forbidden",
    "step_up_required",
    "not_found",
    "user_not_found",
    "organization_not_found",
    "invitation_not_found",
    "app_client_not_found",
    "mfa_factor_not_found",
    "method_not_allowed",
    "not_acceptable",
    "conflict",
    "last_owner",
    "role_in_use",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
    "internal_error",
    "service_unavailable",
]

# code -> (status, title)
CATALOGUE: dict[ErrorCode, tuple[int, str]] = {
    "invalid_id": (400, "Invalid id"),
    "invalid_body": (400, "Invalid request body"),
    "validation_error": (400, "Validation error"),
    "invalid_token": (400, "Invalid or expired token"),
    "invalid_code": (400, "Invalid code"),
    "role_not_found": (400, "Role not found"),
    "unauthorized": (401, "Unauthorized"),
    "forbidden": (403, "Forbidden"),
    "step_up_required": (403, "A fresh second factor is required"),
    "not_found": (404, "Not found"),
    "user_not_found": (404, "User not found"),
    "organization_not_found": (404, "Organization not found"),
    "invitation_not_found": (404, "Invitation not found"),
    "app_client_not_found": (404, "App client not found"),
    "mfa_factor_not_found": (404, "Second factor not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "not_acceptable": (406, "Not acceptable"),
    "conflict": (409, "Conflict"),
    "last_owner": (409, "Last owner"),
    "role_in_use": (409, "Role in use"),
    "payload_too_large": (413, "Payload too large"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "rate_limited": (429, "Too many requests"),
    "internal_error": (500, "Internal error"),
    "service_unavailable": (503, "Service unavailable"),
}


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One entry of a JSON:API ``errors`` array."""

    code: ErrorCode
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"error code {self.code!r} is not in the catalogue")

    @property
    def status(self) -> int:
        return CATALOGUE[self.code][0]

    @property
    def title(self) -> str:
        return CATALOGUE[self.code][1]


class ApiError(Exception):
    """An error that becomes a JSON:API error response.

    All items of one error share one HTTP status (that of the first item).
    """

    def __init__(
        self,
        code: ErrorCode,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.items: tuple[ErrorItem, ...] = (ErrorItem(code, detail, pointer, parameter),)
        self.headers = headers or {}
        super().__init__(detail)

    @classmethod
    def many(cls, items: list[ErrorItem], headers: dict[str, str] | None = None) -> ApiError:
        if not items:
            raise ValueError("an ApiError needs at least one item")
        error = cls(items[0].code, items[0].detail, pointer=items[0].pointer, headers=headers)
        error.items = tuple(items)
        return error

    @property
    def status(self) -> int:
        return self.items[0].status


def validation_error(pointer: str, detail: str) -> ApiError:
    return ApiError("validation_error", detail, pointer=pointer)


def not_found(
    code: ErrorCode = "not_found", detail: str = "The resource does not exist."
) -> ApiError:
    return ApiError(code, detail)


def service_unavailable(detail: str, retry_after: int = 5) -> ApiError:
    return ApiError("service_unavailable", detail, headers={"Retry-After": str(retry_after)})
