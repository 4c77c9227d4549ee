"""Wire types of registration and verification."""

from __future__ import annotations

from typing import Literal

import msgspec

REGISTERED = "Verification email sent. Please check your inbox to activate your account."
ACCEPTED = "If the address belongs to an account that needs it, a message is on its way."


class RegistrationAttributes(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """The seed's registration body; the same members are a JSON:API resource's attributes."""

    email: str
    password: str
    first_name: str
    last_name: str
    organization_name: str


class RegistrationResource(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["auth/registrations"]
    attributes: RegistrationAttributes


class RegistrationDocument(msgspec.Struct, forbid_unknown_fields=True):
    data: RegistrationResource


class Message(msgspec.Struct):
    message: str


class MetaDocument(msgspec.Struct):
    """A JSON:API document that carries only ``meta`` (nothing to return as a resource)."""

    meta: Message


class VerifyBody(msgspec.Struct, forbid_unknown_fields=True):
    """The link's token and the password chosen at registration: a registrant's password
    becomes usable only when someone who holds the address's mail also knows it."""

    token: str
    password: str


class EmailBody(msgspec.Struct, forbid_unknown_fields=True):
    email: str
