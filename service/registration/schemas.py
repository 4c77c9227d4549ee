"""Wire types of registration and verification."""

from __future__ import annotations

from typing import Annotated, Literal

from service.wire import (
    EMAIL,
    Email,
    NonEmpty,
    Password,
    RequestShape,
    ResponseShape,
    stated,
    visible,
)

REGISTERED = "Verification email sent. Please check your inbox to activate your account."
ACCEPTED = "If the address belongs to an account that needs it, a message is on its way."


class RegistrationAttributes(RequestShape, rename="camel"):
    """The seed's registration body; the same members are a JSON:API resource's attributes."""

    email: Annotated[str, stated(EMAIL)]
    password: Password
    first_name: Annotated[str, stated(visible(100))]
    last_name: Annotated[str, stated(visible(100))]
    organization_name: Annotated[str, stated(visible(200))]


class RegistrationResource(RequestShape):
    type: Literal["auth/registrations"]
    attributes: RegistrationAttributes


class RegistrationDocument(RequestShape):
    data: RegistrationResource


class Message(ResponseShape):
    message: str


class MetaDocument(ResponseShape):
    """A JSON:API document that carries only ``meta`` (nothing to return as a resource)."""

    meta: Message


class VerifyBody(RequestShape):
    """The link's token and the password chosen at registration: a registrant's password
    becomes usable only when someone who holds the address's mail also knows it."""

    token: NonEmpty
    password: str


class EmailBody(RequestShape):
    email: Email
