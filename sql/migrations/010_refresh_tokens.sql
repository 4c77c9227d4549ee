-- Refresh tokens: opaque, stored as SHA-256, rotated on every use. Tokens descending from one
-- login form a family; a rotated token presented again revokes the whole family.
CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY,
    family_id       uuid NOT NULL,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL CONSTRAINT refresh_tokens_hash_key UNIQUE
                    CHECK (octet_length(token_hash) = 32),
    parent_id       uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    rotated_at      timestamptz,
    revoked_at      timestamptz,
    revoked_reason  text CHECK (revoked_reason IN
                    ('logout', 'reuse', 'password_reset', 'deactivated', 'removed', 'left'))
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_org_user_idx ON refresh_tokens (organization_id, user_id)
    WHERE revoked_at IS NULL;

COMMENT ON TABLE refresh_tokens IS 'Hashed, rotating refresh tokens grouped in families.';
COMMENT ON COLUMN refresh_tokens.organization_id IS 'The organization the session acts in now.';

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;

-- An organization's administrators may revoke its members' sessions.
CREATE POLICY refresh_tokens_tenant ON refresh_tokens
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- A user's own tokens, in every organization: the token carries its user id, which the
-- service sets as app.user_id before looking the token up.
CREATE POLICY refresh_tokens_own ON refresh_tokens
    FOR ALL
    USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid)
    WITH CHECK (user_id = nullif(current_setting('app.user_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE ON refresh_tokens TO auth_app;

ALTER TABLE users ADD COLUMN last_organization_id uuid REFERENCES organizations (id) ON DELETE SET NULL;
COMMENT ON COLUMN users.last_organization_id IS 'Where the last login or switch went; the default next time.';

-- A signed-in user may read the roles they hold in each of their organizations (to choose
-- an organization at login, or switch to another).
CREATE POLICY roles_select_member ON roles
    FOR SELECT
    USING (EXISTS (SELECT 1 FROM memberships m
                   WHERE m.organization_id = roles.organization_id
                     AND m.role_id = roles.id
                     AND m.user_id = nullif(current_setting('app.user_id', true), '')::uuid));
