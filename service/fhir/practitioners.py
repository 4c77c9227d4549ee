"""Checking that a Practitioner exists before a member is linked to it.

With ``FHIR_BASE_URL`` unset, ids are stored unchecked (their syntax still is). With it set,
``GET <base>/Practitioner/<id>`` must answer a Practitioner; a missing one is the client's
mistake (400), an unreachable or failing server is ours to report (503, nothing written).
"""

from __future__ import annotations

import logging
import re

import httpx

from service.errors import ApiError, service_unavailable

log = logging.getLogger("service.fhir")

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
TIMEOUT = httpx.Timeout(3.0, connect=2.0)


class PractitionerDirectory:
    def __init__(self, base_url: str | None, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self._client = httpx.AsyncClient(
            timeout=timeout,
            headers={"Accept": "application/fhir+json"},
            follow_redirects=False,
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def require(self, practitioner_id: str, *, pointer: str) -> None:
        """Raise unless ``practitioner_id`` is a well-formed id of an existing Practitioner."""
        if not FHIR_ID.match(practitioner_id):
            raise ApiError("validation_error", "This is not a FHIR resource id.", pointer=pointer)
        if self.base_url is None:
            return
        url = f"{self.base_url}/Practitioner/{practitioner_id}"
        try:
            response = await self._client.get(url)
        except httpx.HTTPError as exc:
            log.warning("fhir.unreachable", extra={"fields": {"error": type(exc).__name__}})
            raise service_unavailable("The FHIR server cannot be reached right now.") from None
        if response.status_code in (404, 410):
            raise ApiError(
                "validation_error", "No such Practitioner on the FHIR server.", pointer=pointer
            )
        if response.status_code != 200 or not _is_practitioner(response, practitioner_id):
            log.warning("fhir.unexpected", extra={"fields": {"status": response.status_code}})
            raise service_unavailable("The FHIR server gave an unexpected answer.")


def _is_practitioner(response: httpx.Response, practitioner_id: str) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("resourceType") == "Practitioner"
        and body.get("id") in (None, practitioner_id)
    )
