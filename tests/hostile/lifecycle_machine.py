"""A hypothesis state machine over the account life cycle, against the app over HTTP.

Rules register, verify through the mail, log in, refresh, reset passwords, invite, accept,
deactivate and remove members, in any order hypothesis finds; a model (lifecycle_model) says
what each answer must be. After every step the invariants are checked against the service:

* a person can log in iff verified, holding an active membership and using the latest
  password set (older passwords never work);
* a removed or deactivated member's tokens for that organization stop working;
* a link that was used, or replaced, never works (again): tried right after, and at the end;
* refresh tokens rotate: each refresh gives a new one and the old one is spent;
* every organization keeps an active owner.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from typing import Any, ClassVar, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.hostile.lifecycle_api import Api, org_of
from tests.hostile.lifecycle_model import Link, Membership, Person, Session, World

T = TypeVar("T")
STEP_TIMEOUT = 30.0
NEWCOMERS = 3  # addresses beyond the two first owners, per example
MAX_SESSIONS = 8


class AccountLifecycle(RuleBasedStateMachine):
    api: ClassVar[Api]
    loop: ClassVar[asyncio.AbstractEventLoop]
    examples: ClassVar[itertools.count[int]] = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        self.world = World()
        self.example = next(self.examples)
        self.serial = itertools.count()

    # plumbing

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(step, self.loop).result(STEP_TIMEOUT)

    def fresh_password(self) -> str:
        return f"lifecycle passphrase {self.example}-{next(self.serial)}"

    def addresses(self) -> list[str]:
        newcomers = [f"p{i}.e{self.example}@life.example.org" for i in range(NEWCOMERS)]
        return sorted({*newcomers, *self.world.persons})

    def acting_orgs(self) -> list[str]:
        return sorted(org for org in self.world.orgs if self.world.acting_owner(org))

    def targets(self) -> list[tuple[str, str]]:
        world = self.world
        return [(o, p.email) for o in self.acting_orgs() for p in world.members(o)]

    def owner_headers(self, org: str) -> dict[str, str]:
        owner = self.world.acting_owner(org)
        assert owner is not None
        assert owner.password is not None
        return self.run(self.api.as_owner(owner.email, owner.password, org))

    def _register(self, email: str) -> None:
        world, person = self.world, self.world.persons.get(email)
        password, name = self.fresh_password(), f"Clinic {self.example}-{next(self.serial)}"
        assert self.run(self.api.register(email, password, name)) == 202
        if person is not None and person.verified:
            assert self.run(self.api.organization_named(name)) is None
            return
        if person is None:
            person = world.persons[email] = Person(email)
        for link in world.live("verify"):  # the older registration goes, its organization too
            if link.email == email and link.org and world.members(link.org) == [person]:
                world.orgs.discard(link.org)
                del person.memberships[link.org]
        world.kill_links(email, "verify", "reset")
        person.set_password(password)
        org = self.run(self.api.organization_named(name))
        assert org is not None
        world.orgs.add(org)
        person.memberships[org] = Membership("owner")
        token = self.run(self.api.link(email, "/auth/verify-email"))
        world.links.append(Link("verify", token, email, org))

    def _verify(self, link: Link) -> None:
        password = self.world.persons[link.email].password
        assert password is not None
        assert self.run(self.api.verify(link.token, password)) == 204
        self.world.kill_links(link.email, "verify")
        link.state = "used"
        self.world.persons[link.email].verified = True

    def _track(self, email: str, tokens: dict[str, Any]) -> str:
        org = org_of(tokens["access_token"])
        if len(self.world.sessions) < MAX_SESSIONS:
            session = Session(email, org, tokens["access_token"], tokens["refresh_token"])
            self.world.sessions.append(session)
        return org

    # rules

    @initialize()
    def two_organizations(self) -> None:
        for owner in ("a", "b"):
            email = f"owner-{owner}.e{self.example}@life.example.org"
            self._register(email)
            self._verify(self.world.live("verify")[-1])

    @rule(data=st.data())
    def register(self, data: st.DataObject) -> None:
        self._register(data.draw(st.sampled_from(self.addresses()), label="email"))

    @precondition(lambda self: bool(self.world.live("verify")))
    @rule(data=st.data())
    def verify(self, data: st.DataObject) -> None:
        self._verify(data.draw(st.sampled_from(self.world.live("verify")), label="link"))

    @rule(data=st.data())
    def login(self, data: st.DataObject) -> None:
        person = data.draw(st.sampled_from(sorted(self.world.persons.values(), key=_email)))
        assert person.password is not None
        response = self.run(self.api.login(person.email, person.password))
        assert (response.status_code == 200) == person.may_log_in, response.text
        if response.status_code == 200:
            org = self._track(person.email, response.json())
            assert person.memberships[org].active

    @precondition(lambda self: bool(self.world.sessions))
    @rule(data=st.data())
    def refresh(self, data: st.DataObject) -> None:
        session = data.draw(st.sampled_from(self.world.sessions), label="session")
        response = self.run(self.api.refresh(session.refresh))
        if not session.refresh_alive:
            assert response.status_code == 400, response.text
            return
        assert response.status_code == 200, response.text
        tokens, spent = response.json(), session.refresh
        assert tokens["refresh_token"] != spent
        assert org_of(tokens["access_token"]) == session.org
        session.access, session.refresh = tokens["access_token"], tokens["refresh_token"]
        assert self.run(self.api.refresh(spent)).status_code == 400
        assert self.run(self.api.me(session.access)) == 200

    @rule(data=st.data())
    def request_reset(self, data: st.DataObject) -> None:
        email = data.draw(st.sampled_from(sorted(self.world.persons)), label="email")
        assert self.run(self.api.request_reset(email)) == 202
        self.world.kill_links(email, "reset")
        token = self.run(self.api.link(email, "/auth/reset-password"))
        self.world.links.append(Link("reset", token, email))

    @precondition(lambda self: bool(self.world.live("reset")))
    @rule(data=st.data())
    def confirm_reset(self, data: st.DataObject) -> None:
        link = data.draw(st.sampled_from(self.world.live("reset")), label="link")
        password = self.fresh_password()
        assert self.run(self.api.confirm_reset(link.token, password)) == 204
        person = self.world.persons[link.email]
        person.set_password(password)
        person.verified = True
        self.world.kill_links(link.email, "verify", "reset")
        link.state = "used"
        self.world.end_sessions(link.email)

    @precondition(lambda self: bool(self.acting_orgs()))
    @rule(data=st.data(), role=st.sampled_from(["member", "owner"]))
    def invite(self, data: st.DataObject, role: str) -> None:
        org = data.draw(st.sampled_from(self.acting_orgs()), label="org")
        email = data.draw(st.sampled_from(self.addresses()), label="email")
        status = self.run(self.api.invite(self.owner_headers(org), email, role))
        person = self.world.persons.get(email)
        if person is not None and org in person.memberships:
            assert status == 409
            return
        assert status == 201
        self.world.kill_links(email, "invite", org=org)
        token = self.run(self.api.link(email, "/auth/invitations/accept"))
        self.world.links.append(Link("invite", token, email, org, role))

    @precondition(lambda self: bool(self.world.live("invite")))
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        link = data.draw(st.sampled_from(self.world.live("invite")), label="link")
        assert link.org is not None
        assert link.role is not None
        person = self.world.persons.setdefault(link.email, Person(link.email))
        # A new person chooses a password; someone with an account proves it with theirs.
        password = person.password if person.verified else self.fresh_password()
        assert password is not None
        response = self.run(self.api.accept(link.token, password))
        assert response.status_code == 200, response.text
        link.state = "used"
        if not person.verified:  # a new account, or one whose address was never proven
            person.set_password(password)
            person.verified = True
        person.memberships[link.org] = Membership(link.role)
        self.world.forget_ended_sessions(link.email, link.org)
        assert self._track(link.email, response.json()) == link.org

    @precondition(lambda self: bool(self.targets()))
    @rule(data=st.data(), remove=st.booleans())
    def end_membership(self, data: st.DataObject, remove: bool) -> None:
        """Remove the member, or deactivate them; the last active owner stays."""
        org, email = data.draw(st.sampled_from(self.targets()), label="member")
        headers = self.owner_headers(org)
        user_id = self.run(self.api.user_id(email))
        call = self.api.remove if remove else self.api.deactivate
        status = self.run(call(headers, user_id))
        person = self.world.persons[email]
        if self.world.active_owners(org) == [person]:
            assert status == 409
            return
        assert status == (204 if remove else 200)
        if remove:
            del person.memberships[org]
        else:
            person.memberships[org].active = False
        self.world.end_membership_sessions(email, org)

    # invariants

    @invariant()
    def the_service_agrees_with_the_model(self) -> None:
        api, world = self.api, self.world
        for person in world.persons.values():
            assert person.password is not None
            response = self.run(api.login(person.email, person.password))
            assert (response.status_code == 200) == person.may_log_in, (person, response.text)
            for old in set(person.old_passwords[-2:]) - {person.password}:
                assert self.run(api.login(person.email, old)).status_code == 401, person
        for session in world.sessions:
            assert (self.run(api.me(session.access)) == 200) == session.access_alive, session
        self.replay(world.spent(fresh_only=True))
        assert self.run(api.organizations_without_an_active_owner()) == 0
        self.run(api.forget_throttling())

    def replay(self, links: list[Link]) -> None:
        for link in links:
            assert self.run(self.api.replay(link.kind, link.token)) == 400, link
            link.replayed = True

    def teardown(self) -> None:
        """Whatever happened since, no spent link came back to life."""
        self.replay(self.world.spent())
        self.run(self.api.forget_throttling())


def _email(person: Person) -> str:
    return person.email
