"""Checks on what a client sends for a role; none of them reads or writes the database.

Problems are ``(field, detail)`` pairs, collected so that a client learns of all of them at
once; :func:`refuse` turns them into one error per field, pointing into the document sent.
"""

from __future__ import annotations

import re
import unicodedata

from service.errors import ApiError, ErrorItem
from service.fields import text_problem
from service.security.permissions import CATALOGUE, MANAGED_ROLES

ATTRIBUTES = "/data/attributes"
CODE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
MAX_CODE = 63
MAX_NAME = 100
MAX_DESCRIPTION = 1000
RESERVED_CODES: frozenset[str] = frozenset(role.code for role in MANAGED_ROLES)

_NOT_CODE = re.compile(r"[^a-z0-9_-]+")
_ALLOWED_IN_TEXT = {"\n", "\r", "\t"}

Problems = list[tuple[str, str]]


def name_problems(name: str) -> Problems:
    problem = text_problem(name, maximum=MAX_NAME, label="A role name")
    return [("name", problem)] if problem else []


def description_problems(description: str) -> Problems:
    if len(description) > MAX_DESCRIPTION:
        return [("description", f"A description has at most {MAX_DESCRIPTION} characters.")]
    for ch in description:
        if ch not in _ALLOWED_IN_TEXT and unicodedata.category(ch) in ("Cc", "Cf"):
            return [("description", "A description must not contain control characters.")]
    return []


def code_problems(code: str) -> Problems:
    if not CODE.match(code):
        return [
            (
                "code",
                "A code is 1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter.",
            )
        ]
    if code in RESERVED_CODES:
        return [("code", f"The code {code!r} belongs to a managed role.")]
    return []


def permission_problems(permissions: list[str]) -> Problems:
    """One problem per entry that is not in the catalogue, pointing at its index."""
    return [
        (f"permissions/{index}", f"{permission!r} is not a permission of this service.")
        for index, permission in enumerate(permissions)
        if permission not in CATALOGUE
    ]


def canonical(permissions: list[str]) -> list[str]:
    """Duplicates collapsed, in catalogue order (call after :func:`permission_problems`)."""
    wanted = set(permissions)
    return [permission for permission in CATALOGUE if permission in wanted]


def code_from_name(name: str) -> str:
    """``Night Nurse`` -> ``night-nurse``: lowercase ASCII, other runs become ``-``; a name
    that starts with a digit gets ``role-`` in front (``2nd Shift`` -> ``role-2nd-shift``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    code = _NOT_CODE.sub("-", ascii_name.lower()).strip("-_")
    if code and not code[0].isalpha():
        code = f"role-{code}"
    return code[:MAX_CODE].rstrip("-_") or "role"


def numbered(base: str, number: int) -> str:
    """``base-2``, ``base-3``, ... shortened so the result is still a valid code."""
    suffix = f"-{number}"
    return base[: MAX_CODE - len(suffix)].rstrip("-_") + suffix


def refuse(problems: Problems) -> None:
    """400 with every problem, when there are any."""
    if problems:
        raise ApiError.many(
            [
                ErrorItem("validation_error", detail, f"{ATTRIBUTES}/{field}")
                for field, detail in problems
            ]
        )


def within_reach(held: frozenset[str], permissions: tuple[str, ...] | list[str]) -> None:
    """403 unless the acting member holds every permission the role holds now: nobody
    changes, deletes or manages invitations to a role that reaches beyond their own."""
    beyond = [p for p in permissions if p not in held]
    if beyond:
        raise ApiError(
            "forbidden",
            f"This role holds permissions you lack ({', '.join(beyond)}); only someone who "
            "holds them may change it.",
        )


def no_escalation(held: frozenset[str], permissions: list[str], *, sent: bool) -> None:
    """403 unless the acting member holds every permission the role would hold."""
    beyond = [p for p in permissions if p not in held]
    if beyond:
        raise ApiError(
            "forbidden",
            f"A role may hold only permissions you hold yourself; you lack {', '.join(beyond)}.",
            pointer=f"{ATTRIBUTES}/permissions" if sent else None,
        )
