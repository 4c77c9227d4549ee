-- Memberships: a user in an organization with exactly one role of that organization and an
-- optional link to a FHIR Practitioner that lives in another system.
CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id         uuid NOT NULL,
    practitioner_id text CONSTRAINT memberships_practitioner_check
                    CHECK (practitioner_id ~ '^[A-Za-z0-9.-]{1,64}$'),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memberships_pkey PRIMARY KEY (organization_id, user_id),
    CONSTRAINT memberships_role_fkey FOREIGN KEY (organization_id, role_id)
        REFERENCES roles (organization_id, id),
    CONSTRAINT memberships_practitioner_key UNIQUE (organization_id, practitioner_id)
);

CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE INDEX memberships_role_idx ON memberships (organization_id, role_id);

COMMENT ON TABLE memberships IS 'Who belongs to which organization, with which role.';
COMMENT ON COLUMN memberships.practitioner_id IS 'FHIR Practitioner id; the token carries it as fhirUser.';

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;

CREATE POLICY memberships_tenant ON memberships
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- An authenticated user may read their own memberships in every organization (to choose or
-- switch organizations); changing them still needs the organization's tenant policy.
CREATE POLICY memberships_select_own ON memberships
    FOR SELECT
    USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO auth_app;

-- An authenticated user may read the organizations they belong to.
CREATE POLICY organizations_select_member ON organizations
    FOR SELECT
    USING (id IN (SELECT m.organization_id FROM memberships m
                  WHERE m.user_id = nullif(current_setting('app.user_id', true), '')::uuid));

-- Users are global, but inside an organization's context a request sees only that
-- organization's members and itself. Flows with no organization yet (registration, login,
-- reset) run with no tenant set and look users up by address.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;

CREATE POLICY users_visible ON users
    FOR ALL
    USING (
        nullif(current_setting('app.org_id', true), '') IS NULL
        OR id = nullif(current_setting('app.user_id', true), '')::uuid
        OR EXISTS (SELECT 1 FROM memberships m
                   WHERE m.user_id = users.id
                     AND m.organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    )
    WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE ON users TO auth_app;
