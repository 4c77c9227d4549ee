-- Roles: per organization. Managed roles are cloned at organization creation and read-only;
-- custom roles are created by the organization's administrators.
CREATE TABLE roles (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code            text NOT NULL CONSTRAINT roles_code_check CHECK (code ~ '^[a-z][a-z0-9_-]{0,62}$'),
    name            text NOT NULL CONSTRAINT roles_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    description     text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    is_managed      boolean NOT NULL DEFAULT false,
    permissions     text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT roles_org_code_key UNIQUE (organization_id, code),
    CONSTRAINT roles_org_id_key UNIQUE (organization_id, id)
);

CREATE UNIQUE INDEX roles_org_name_key ON roles (organization_id, lower(name));

COMMENT ON TABLE roles IS 'Per-organization roles; each member holds exactly one.';
COMMENT ON COLUMN roles.is_managed IS 'true for the roles every organization gets; those are read-only.';

ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE roles FORCE ROW LEVEL SECURITY;

CREATE POLICY roles_tenant ON roles
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON roles TO auth_app;
