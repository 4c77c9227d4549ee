"""What the account life cycle should look like from outside: people, organizations, the
links mailed to them and the sessions they hold; and from that, who may log in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LinkKind = Literal["verify", "reset", "invite"]
LinkState = Literal["live", "used", "dead"]


@dataclass
class Membership:
    role: str
    active: bool = True


@dataclass
class Person:
    email: str
    password: str | None = None
    verified: bool = False
    old_passwords: list[str] = field(default_factory=list)
    # organization id -> membership
    memberships: dict[str, Membership] = field(default_factory=dict)

    def set_password(self, password: str) -> None:
        if self.password is not None and self.password != password:
            self.old_passwords.append(self.password)
        self.password = password

    @property
    def may_log_in(self) -> bool:
        """Verified, holding an active membership somewhere, with a password set."""
        active = any(m.active for m in self.memberships.values())
        return self.verified and self.password is not None and active

    def active_owner_of(self, org: str) -> bool:
        membership = self.memberships.get(org)
        return membership is not None and membership.active and membership.role == "owner"


@dataclass
class Link:
    kind: LinkKind
    token: str
    email: str
    org: str | None = None
    role: str | None = None
    state: LinkState = "live"
    replayed: bool = False  # tried again once it was spent


@dataclass
class Session:
    email: str
    org: str
    access: str
    refresh: str
    access_alive: bool = True
    refresh_alive: bool = True


@dataclass
class World:
    persons: dict[str, Person] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)

    def live(self, kind: LinkKind) -> list[Link]:
        return [link for link in self.links if link.kind == kind and link.state == "live"]

    def spent(self, *, fresh_only: bool = False) -> list[Link]:
        spent = [link for link in self.links if link.state != "live"]
        return [link for link in spent if not link.replayed] if fresh_only else spent

    def kill_links(self, email: str, *kinds: LinkKind, org: str | None = None) -> None:
        for link in self.links:
            mine = link.email == email and (org is None or link.org == org)
            if mine and link.kind in kinds and link.state == "live":
                link.state = "dead"

    def active_owners(self, org: str) -> list[Person]:
        return [p for p in self.persons.values() if p.active_owner_of(org)]

    def acting_owner(self, org: str) -> Person | None:
        """An owner of ``org`` who can sign in to act for it."""
        return next((p for p in self.active_owners(org) if p.may_log_in), None)

    def members(self, org: str) -> list[Person]:
        return [p for p in self.persons.values() if org in p.memberships]

    def end_membership_sessions(self, email: str, org: str) -> None:
        """Removal and deactivation: the member's tokens for that organization stop working."""
        for session in self.sessions:
            if session.email == email and session.org == org:
                session.access_alive = session.refresh_alive = False

    def forget_ended_sessions(self, email: str, org: str) -> None:
        """Joining again: the old sessions were seen dead at every step since they ended;
        how the service tells them from new ones (their age) is tested on its own."""
        self.sessions = [
            s for s in self.sessions if s.email != email or s.org != org or s.access_alive
        ]

    def end_sessions(self, email: str) -> None:
        """A password reset ends every session of the person: refresh and access tokens."""
        for session in self.sessions:
            if session.email == email:
                session.access_alive = session.refresh_alive = False
