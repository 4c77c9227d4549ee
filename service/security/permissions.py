"""The permission catalogue and the managed roles every organization is given.

Permissions are plain strings. The service's own guard its endpoints; the ``fhir:`` ones are
carried in access tokens for downstream FHIR services to enforce.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE_PERMISSIONS: dict[str, str] = {
    "users.read": "List and read the organization's members.",
    "users.write": "Add, change, deactivate and remove members.",
    "roles.read": "List and read roles and the permission catalogue.",
    "roles.write": "Create, change and delete custom roles.",
    "invitations.write": "Invite people, and list, resend and revoke invitations.",
    "organization.update": "Change the organization's profile; grant the owner role.",
    "audit.read": "Read the organization's audit trail.",
}

FHIR_RESOURCES: tuple[str, ...] = (
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
)

FHIR_PERMISSIONS: dict[str, str] = {
    f"fhir:{resource}.{action}": f"{action.title()} FHIR {resource} resources."
    for resource in FHIR_RESOURCES
    for action in ("read", "write")
}

CATALOGUE: dict[str, str] = {**SERVICE_PERMISSIONS, **FHIR_PERMISSIONS}

CARE_TEAM_RESOURCES = tuple(r for r in FHIR_RESOURCES if r not in ("Organization", "Location"))


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
        "Manages the organization: members, roles and invitations, and reads its audit trail.",
        (
            "users.read",
            "users.write",
            "roles.read",
            "roles.write",
            "invitations.write",
            "audit.read",
        ),
    ),
    ManagedRole(
        "member",
        "Care Team User",
        "Clinical and operational users who work with patient data.",
        (
            "users.read",
            "roles.read",
            *(f"fhir:{r}.read" for r in CARE_TEAM_RESOURCES),
            *(
                f"fhir:{r}.write"
                for r in CARE_TEAM_RESOURCES
                if r not in ("Practitioner", "PractitionerRole", "Questionnaire", "Schedule")
            ),
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
