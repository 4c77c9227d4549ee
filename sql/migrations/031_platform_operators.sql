-- Platform operators: people who may open organizations and see every organization's
-- profile through the /v1 surface. Granted and taken back only from the command line
-- (python -m service grant-operator), through the owner's connection: the app role may read
-- its own caller's row and nothing else, and can never write one.
CREATE TABLE platform_operators (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    granted_by  text NOT NULL CONSTRAINT platform_operators_granted_by_check
                CHECK (char_length(granted_by) BETWEEN 1 AND 200)
);
COMMENT ON TABLE platform_operators IS
    'People with the platform operator role; written only by the owner role (the CLI).';

ALTER TABLE platform_operators ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_operators FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_operators_self ON platform_operators FOR SELECT
    USING (user_id = app_current_user_id());
-- The owner role (the one migrating, which the command line connects as) grants and revokes.
CREATE POLICY platform_operators_owner ON platform_operators TO CURRENT_USER
    USING (true) WITH CHECK (true);
GRANT SELECT ON platform_operators TO auth_app;

-- An operator reads every organization's profile (and only reads: every change still needs
-- the organization as the request's tenant).
CREATE POLICY organizations_select_operator ON organizations FOR SELECT
    USING (EXISTS (SELECT 1 FROM platform_operators p WHERE p.user_id = app_current_user_id()));

-- The seed 002 permissions, given to the managed roles that hold them: the profile stays the
-- owner's (as organization.update), members and domains are the admins' too.
UPDATE roles
SET permissions = permissions || ARRAY['organizations.update']
WHERE is_managed AND code = 'owner' AND NOT permissions @> ARRAY['organizations.update'];
UPDATE roles
SET permissions = permissions
                  || ARRAY['organizations.manage_members', 'organizations.manage_domains']
WHERE is_managed AND code IN ('owner', 'admin')
  AND NOT permissions @> ARRAY['organizations.manage_members'];
