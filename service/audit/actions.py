"""The audit vocabulary: every action the trail knows, and the resource type each acts on.

Actions are ``<subject>.<verb>``. The ``auth.*`` actions are about a user's own account and
session, so their resource is the user (``auth/users``) whose account it is.
"""

from __future__ import annotations

USERS = "auth/users"
ROLES = "auth/roles"
INVITATIONS = "auth/invitations"
ORGANIZATIONS = "auth/organizations"

# action -> the resource type its events name
ACTIONS: dict[str, str] = {
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
    "auth.login": USERS,
    "auth.login_failed": USERS,
    "auth.refresh_reuse": USERS,
    "auth.password_reset": USERS,
    "auth.email_verified": USERS,
    "auth.logout": USERS,
}

RESOURCE_TYPES: frozenset[str] = frozenset(ACTIONS.values())

ACTOR_KINDS: frozenset[str] = frozenset({"user", "system", "anonymous"})
