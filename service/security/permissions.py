"""The permission catalogue and the managed roles every organization is given.

Permissions are strings on the wire and in the database. The service's own
(:data:`ServicePermission`) guard its endpoints, named in a route's options through
:func:`service.routing.options`; the ``fhir:`` ones, built by :func:`fhir` from
:data:`FhirResource`, are carried in access tokens for downstream FHIR services to enforce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

ServicePermission = Literal[
    "users.read",
    "users.write",
    "roles.read",
    "roles.write",
    "invitations.write",
    "organization.update",
    "audit.read",
    "app_clients.read",
    "app_clients.write",
    "organizations.update",
    "organizations.manage_members",
    "organizations.manage_domains",
]

SERVICE_PERMISSIONS: dict[ServicePermission, str] = {
    "users.read": "List and read the organization's members.",
    "users.write": "Add, change, deactivate and remove members.",
    "roles.read": "List and read roles and the permission catalogue.",
    "roles.write": "Create, change and delete custom roles.",
    "invitations.write": "Invite people, and list, resend and revoke invitations.",
    "organization.update": "Change the organization's profile; grant the owner role.",
    "audit.read": "Read the organization's audit trail.",
    "app_clients.read": "List and read the organization's app clients.",
    "app_clients.write": "Register, change, disable and delete app clients; rotate secrets.",
    "organizations.update": "Change the organization's profile through the /v1 surface.",
    "organizations.manage_members": "List, enrol, re-role and remove members through /v1.",
    "organizations.manage_domains": "Add, verify and remove the organization's custom domains.",
}

FhirResource = Literal[
    "AllergyIntolerance",
    "Appointment",
    "CarePlan",
    "CareTeam",
    "Communication",
    "Condition",
    "Consent",
    "Coverage",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "Immunization",
    "Location",
    "Medication",
    "MedicationRequest",
    "MedicationStatement",
    "Observation",
    "Organization",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Questionnaire",
    "QuestionnaireResponse",
    "RelatedPerson",
    "Schedule",
    "ServiceRequest",
    "Slot",
    "Task",
]
FHIR_RESOURCES: tuple[FhirResource, ...] = get_args(FhirResource)

Access = Literal["read", "write"]
ACCESS: tuple[Access, ...] = get_args(Access)


def fhir(resource: FhirResource, access: Access) -> str:
    return f"fhir:{resource}.{access}"


def services(*permissions: ServicePermission) -> tuple[str, ...]:
    return permissions


FHIR_PERMISSIONS: dict[str, str] = {
    fhir(resource, access): f"{access.title()} FHIR {resource} resources."
    for resource in FHIR_RESOURCES
    for access in ACCESS
}

CATALOGUE: dict[str, str] = dict(SERVICE_PERMISSIONS.items())
CATALOGUE.update(FHIR_PERMISSIONS)

NOT_CARE_TEAM: tuple[FhirResource, ...] = ("Organization", "Location")
CARE_TEAM_RESOURCES = tuple(r for r in FHIR_RESOURCES if r not in NOT_CARE_TEAM)
# the care team reads these but does not write them
CARE_TEAM_READ_ONLY: tuple[FhirResource, ...] = (
    "Practitioner",
    "PractitionerRole",
    "Questionnaire",
    "Schedule",
)


@dataclass(frozen=True, slots=True)
class ManagedRole:
    code: str
    name: str
    description: str
    permissions: tuple[str, ...]


MANAGED_ROLES: tuple[ManagedRole, ...] = (
    ManagedRole(
        "owner",
        "Owner",
        "Created the organization or was promoted: every permission, including the "
        "organization's settings and its owners.",
        tuple(CATALOGUE),
    ),
    ManagedRole(
        "admin",
        "Builder Admin",
        "Manages the organization: members, roles, invitations and app clients, and reads "
        "its audit trail.",
        services(
            "users.read",
            "users.write",
            "roles.read",
            "roles.write",
            "invitations.write",
            "audit.read",
            "app_clients.read",
            "app_clients.write",
            "organizations.manage_members",
            "organizations.manage_domains",
        ),
    ),
    ManagedRole(
        "member",
        "Care Team User",
        "Clinical and operational users who work with patient data.",
        (
            *services("users.read", "roles.read"),
            *(fhir(r, "read") for r in CARE_TEAM_RESOURCES),
            *(fhir(r, "write") for r in CARE_TEAM_RESOURCES if r not in CARE_TEAM_READ_ONLY),
        ),
    ),
    ManagedRole(
        "permissionless",
        "Permissionless",
        "Keeps the account and its membership but grants nothing.",
        (),
    ),
)

OWNER = "owner"


def unknown(permissions: list[str] | tuple[str, ...]) -> list[int]:
    """Indexes of the entries that are not in the catalogue."""
    return [i for i, p in enumerate(permissions) if p not in CATALOGUE]
