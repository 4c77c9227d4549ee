"""The audit vocabulary: every action the trail knows, and the resource type each acts on.

Actions are ``<subject>.<verb>``. The ``auth.*`` actions are about a user's own account and
session, so their resource is the user (``auth/users``) whose account it is. Each action names
exactly one resource type, so :func:`service.audit.recorder.record` takes the action alone and
looks its type up here. A unit test keeps :data:`Action` and the keys of :data:`ACTIONS` the
same set.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

ResourceType = Literal[
    "auth/users",
    "auth/roles",
    "auth/invitations",
    "auth/organizations",
    "auth/app-clients",
    "auth/organization-domains",
    "auth/mfa-factors",
]

USERS: Final = "auth/users"
ROLES: Final = "auth/roles"
INVITATIONS: Final = "auth/invitations"
ORGANIZATIONS: Final = "auth/organizations"
APP_CLIENTS: Final = "auth/app-clients"
DOMAINS: Final = "auth/organization-domains"
FACTORS: Final = "auth/mfa-factors"

Action = Literal[
    "user.create",
    "user.update",
    "user.remove",
    "role.create",
    "role.update",
    "role.delete",
    "invitation.create",
    "invitation.revoke",
    "invitation.resend",
    "invitation.accept",
    "organization.create",
    "organization.update",
    "app_client.create",
    "app_client.update",
    "app_client.delete",
    "app_client.rotate_secret",
    "domain.create",
    "domain.verify",
    "domain.delete",
    "mfa_factor.create",
    "mfa_factor.confirm",
    "mfa_factor.update",
    "mfa_factor.delete",
    "mfa_factor.reset",
    "auth.login",
    "auth.login_failed",
    "auth.refresh_reuse",
    "auth.password_reset",
    "auth.email_verified",
    "auth.logout",
    "auth.mfa_passed",
    "auth.mfa_failed",
    "auth.recovery_code_used",
    "auth.recovery_codes_regenerated",
]

# action -> the resource type its events name
ACTIONS: dict[Action, ResourceType] = {
    "user.create": USERS,
    "user.update": USERS,
    "user.remove": USERS,
    "role.create": ROLES,
    "role.update": ROLES,
    "role.delete": ROLES,
    "invitation.create": INVITATIONS,
    "invitation.revoke": INVITATIONS,
    "invitation.resend": INVITATIONS,
    "invitation.accept": INVITATIONS,
    "organization.create": ORGANIZATIONS,
    "organization.update": ORGANIZATIONS,
    "app_client.create": APP_CLIENTS,
    "app_client.update": APP_CLIENTS,
    "app_client.delete": APP_CLIENTS,
    "app_client.rotate_secret": APP_CLIENTS,
    "domain.create": DOMAINS,
    "domain.verify": DOMAINS,
    "domain.delete": DOMAINS,
    "mfa_factor.create": FACTORS,
    "mfa_factor.confirm": FACTORS,
    "mfa_factor.update": FACTORS,
    "mfa_factor.delete": FACTORS,
    "mfa_factor.reset": USERS,
    "auth.login": USERS,
    "auth.login_failed": USERS,
    "auth.refresh_reuse": USERS,
    "auth.password_reset": USERS,
    "auth.email_verified": USERS,
    "auth.logout": USERS,
    "auth.mfa_passed": USERS,
    "auth.mfa_failed": USERS,
    "auth.recovery_code_used": USERS,
    "auth.recovery_codes_regenerated": USERS,
}

RESOURCE_TYPES: frozenset[ResourceType] = frozenset(get_args(ResourceType))

ActorKind = Literal["user", "system", "anonymous", "app_client"]
ACTOR_KINDS: frozenset[ActorKind] = frozenset(get_args(ActorKind))
