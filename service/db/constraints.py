"""Database constraint names mapped to API errors, in one table.

When a constraint catches what the application did not (two requests racing for one slug,
say), the violation still becomes a catalogue error with a pointer instead of a 500.
"""

from __future__ import annotations

import asyncpg

from service.errors import ErrorCode, ErrorItem

# constraint name -> (code, pointer, detail)
CONSTRAINTS: dict[str, tuple[ErrorCode, str | None, str]] = {
    "organizations_slug_key": (
        "conflict",
        "/data/attributes/slug",
        "Another organization already uses this slug.",
    ),
    "users_email_key": ("conflict", "/data/attributes/email", "This e-mail address is taken."),
    "roles_org_code_key": (
        "conflict",
        "/data/attributes/code",
        "Another role of this organization has this code.",
    ),
    "roles_org_name_key": (
        "conflict",
        "/data/attributes/name",
        "Another role of this organization has this name.",
    ),
    "app_clients_role_fkey": (
        "role_in_use",
        None,
        "An app client holds this role; give it another role or delete it first.",
    ),
    "memberships_pkey": ("conflict", None, "This person is already a member here."),
    "organization_domains_verified_key": (
        "conflict",
        "/domain",
        "Another organization has this domain verified.",
    ),
    "organization_domains_org_domain_key": (
        "conflict",
        "/domain",
        "This organization has this domain already.",
    ),
    "memberships_practitioner_key": (
        "conflict",
        "/data/relationships/fhir~1practitioner/data/id",
        "Another member of this organization is linked to this Practitioner.",
    ),
}


def error_for_constraint(exc: asyncpg.IntegrityConstraintViolationError) -> ErrorItem | None:
    name = getattr(exc, "constraint_name", None)
    if name in CONSTRAINTS:
        code, pointer, detail = CONSTRAINTS[name]
        return ErrorItem(code, detail, pointer)
    if isinstance(exc, asyncpg.UniqueViolationError):
        return ErrorItem("conflict", "The request conflicts with existing data.")
    return None
