"""The catalogues typed as Literals stay the same sets as the tables beside them, and every
route that needs a permission names one from the permission catalogue."""

from __future__ import annotations

from typing import Any, get_args

from service import errors
from service.app import create_app
from service.audit import actions
from service.config import Settings
from service.security import permissions


def test_error_codes_are_the_catalogue() -> None:
    codes = get_args(errors.ErrorCode)
    assert len(codes) == len(set(codes))
    assert set(codes) == set(errors.CATALOGUE)


def test_audit_actions_are_the_table_and_name_known_resource_types() -> None:
    names = get_args(actions.Action)
    assert len(names) == len(set(names))
    assert set(names) == set(actions.ACTIONS)
    assert set(actions.ACTIONS.values()) == set(get_args(actions.ResourceType))


def test_service_permissions_are_the_catalogue_entries_without_a_prefix() -> None:
    names = get_args(permissions.ServicePermission)
    assert len(names) == len(set(names))
    assert set(names) == set(permissions.SERVICE_PERMISSIONS)
    assert set(names) == {p for p in permissions.CATALOGUE if not p.startswith("fhir:")}
    assert len(permissions.CATALOGUE) == len(names) + 2 * len(permissions.FHIR_RESOURCES)


def test_every_managed_role_holds_only_catalogue_permissions() -> None:
    for role in permissions.MANAGED_ROLES:
        assert permissions.unknown(role.permissions) == [], role.code


def test_every_protected_route_names_a_service_permission() -> None:
    app = create_app(Settings())
    handlers: list[Any] = [
        handler for route in app.routes for handler in getattr(route, "route_handlers", ())
    ]
    needed = {
        (handler.handler_name, handler.opt["permission"])
        for handler in handlers
        if "permission" in handler.opt
    }
    assert needed, "no route names a permission"
    for name, permission in needed:
        assert permission in permissions.SERVICE_PERMISSIONS, (name, permission)
