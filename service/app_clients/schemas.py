"""The ``auth/app-clients`` resource, shaped like the Zus Auth Service's App Clients."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

import msgspec
from msgspec import UNSET, UnsetType

from service.app_clients.repo import Client
from service.jsonapi import Links
from service.wire import NonEmpty, RequestShape, ResponseShape, visible

APP_CLIENT: Literal["auth/app-clients"] = "auth/app-clients"

ClientType = Literal[
    "machine_to_machine", "regular_web_application", "single_page_application", "native"
]
CLIENT_TYPES: tuple[str, ...] = get_args(ClientType)
AuthMethod = Literal["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
AUTH_METHODS: tuple[str, ...] = get_args(AuthMethod)
Status = Literal["active", "disabled"]
STATUSES: tuple[str, ...] = get_args(Status)

ClientName = Annotated[str, visible(200)]
Uri = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2000,
        description="An absolute URI without a fragment: https, http on a loopback host, or "
        "(native apps) a private-use scheme such as com.example.app:/callback.",
    ),
]
Origin = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=300,
        description="An origin (scheme, host and optional port, no path): https://app.example.",
    ),
]
Uris = Annotated[list[Uri], msgspec.Meta(max_length=20)]
Origins = Annotated[list[Origin], msgspec.Meta(max_length=20)]
Jwks = Annotated[
    dict[str, Any],
    msgspec.Meta(description='A JWK Set of public keys for private_key_jwt: {"keys": [...]}'),
]
GraceSeconds = Annotated[
    float,
    msgspec.Meta(
        ge=0,
        le=30 * 86_400,
        multiple_of=1,
        description="Whole seconds, at most 30 days.",
    ),
]


class RoleIdentifier(ResponseShape):
    type: Literal["auth/roles"]
    id: str


class RoleLinkage(ResponseShape):
    data: RoleIdentifier


class ClientRelationships(ResponseShape):
    role: RoleLinkage = msgspec.field(name="auth/roles")


class ClientAttributes(ResponseShape, rename="camel"):
    name: str
    type: str
    user_type: str
    client_id: str
    status: str
    token_endpoint_auth_method: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    allowed_origins: list[str]
    jwks: dict[str, Any] | None
    jwks_uri: str | None
    password_grant: bool
    last_used_at: int | None
    created_at: int
    updated_at: int
    client_secret: str | UnsetType = UNSET  # only in the answers that create one


class ResourceLinks(ResponseShape):
    self: str


class SecretMeta(ResponseShape, rename="camel"):
    """Beside a new secret: until when the previous one keeps working (None: not at all)."""

    previous_secret_expires_at: int | None


class ClientResource(ResponseShape):
    type: Literal["auth/app-clients"]
    id: str
    attributes: ClientAttributes
    relationships: ClientRelationships
    links: ResourceLinks


class ClientDocument(ResponseShape):
    data: ClientResource


class SecretDocument(ResponseShape):
    data: ClientResource
    meta: SecretMeta


class ClientListDocument(ResponseShape):
    data: list[ClientResource]
    links: Links


def client_path(client_id: object) -> str:
    return f"/auth/app-clients/{client_id}"


def client_resource(client: Client, *, secret: str | None = None) -> ClientResource:
    return ClientResource(
        type=APP_CLIENT,
        id=str(client.id),
        attributes=ClientAttributes(
            name=client.name,
            type=client.type,
            user_type=client.user_type,
            client_id=client.client_id,
            status=client.status,
            token_endpoint_auth_method=client.token_endpoint_auth_method,
            redirect_uris=list(client.redirect_uris),
            post_logout_redirect_uris=list(client.post_logout_redirect_uris),
            allowed_origins=list(client.allowed_origins),
            jwks=msgspec.json.decode(client.jwks) if client.jwks else None,
            jwks_uri=client.jwks_uri,
            password_grant=client.password_grant,
            last_used_at=int(client.last_used_at.timestamp()) if client.last_used_at else None,
            created_at=int(client.created_at.timestamp()),
            updated_at=int(client.updated_at.timestamp()),
            client_secret=UNSET if secret is None else secret,
        ),
        relationships=ClientRelationships(
            RoleLinkage(RoleIdentifier("auth/roles", str(client.role_id)))
        ),
        links=ResourceLinks(self=client_path(client.id)),
    )


# --- requests ---------------------------------------------------------------------------


class RoleRef(RequestShape):
    type: Literal["auth/roles"]
    id: NonEmpty


class RoleRelationship(RequestShape):
    data: RoleRef


class NewClientAttributes(RequestShape, rename="camel", kw_only=True):
    """Zus's ``type``, ``name`` and ``userType``, and the OAuth 2.0 client metadata.

    ``tokenEndpointAuthMethod`` defaults to ``client_secret_basic`` for the types that can
    keep a secret and is ``none`` for ``single_page_application`` and ``native``."""

    type: ClientType
    name: ClientName
    user_type: Literal["builder"] = "builder"
    redirect_uris: Uris = []
    post_logout_redirect_uris: Uris = []
    allowed_origins: Origins = []
    token_endpoint_auth_method: AuthMethod | UnsetType = UNSET
    jwks: Jwks | None = None
    jwks_uri: Uri | None = None
    password_grant: bool = False
    status: Status = "active"


class NewClientRelationships(RequestShape):
    role: RoleRelationship = msgspec.field(name="auth/roles")


class NewClient(RequestShape):
    type: Literal["auth/app-clients"]
    attributes: NewClientAttributes
    relationships: NewClientRelationships
    id: str | None = None  # refused: the service assigns ids


class NewClientDocument(RequestShape):
    data: NewClient


class ClientChangesAttributes(RequestShape, rename="camel"):
    name: ClientName | UnsetType = UNSET
    redirect_uris: Uris | UnsetType = UNSET
    post_logout_redirect_uris: Uris | UnsetType = UNSET
    allowed_origins: Origins | UnsetType = UNSET
    token_endpoint_auth_method: AuthMethod | UnsetType = UNSET
    jwks: Jwks | UnsetType | None = UNSET
    jwks_uri: Uri | UnsetType | None = UNSET
    password_grant: bool | UnsetType = UNSET
    status: Status | UnsetType = UNSET


class ClientChangesRelationships(RequestShape):
    role: RoleRelationship | UnsetType = msgspec.field(default=UNSET, name="auth/roles")


class ClientChanges(RequestShape):
    type: Literal["auth/app-clients"]
    id: str
    attributes: ClientChangesAttributes = msgspec.field(default_factory=ClientChangesAttributes)
    relationships: ClientChangesRelationships = msgspec.field(
        default_factory=ClientChangesRelationships
    )


class ClientChangesDocument(RequestShape):
    data: ClientChanges


class RotateMeta(RequestShape, rename="camel"):
    grace_period_seconds: GraceSeconds = 86_400.0


class RotateDocument(RequestShape):
    """Optional body of rotate-secret: how long the previous secret keeps working (seconds,
    default 86400; 0 ends it at once, for a leaked secret)."""

    meta: RotateMeta = msgspec.field(default_factory=RotateMeta)
