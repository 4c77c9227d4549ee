-- One-time tokens mailed to a user: e-mail verification, password reset, first password.
-- Only the SHA-256 of the token is stored; a token is used once, before it expires, and is
-- bound to the address it was sent to.
CREATE TABLE one_time_tokens (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose         text NOT NULL CONSTRAINT one_time_tokens_purpose_check
                    CHECK (purpose IN ('verify_email', 'password_reset', 'set_password')),
    token_hash      bytea NOT NULL CONSTRAINT one_time_tokens_hash_key UNIQUE
                    CHECK (octet_length(token_hash) = 32),
    email           text NOT NULL,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX one_time_tokens_user_idx ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL;

COMMENT ON TABLE one_time_tokens IS 'Hashed single-use tokens for links in mail.';
COMMENT ON COLUMN one_time_tokens.organization_id IS
    'For verify_email: the organization the pending registration created.';

-- The token's organization is only a reference; the rows belong to a user, are found by
-- hash before anyone is authenticated, and are never listed. RLS keeps tenant contexts out.
ALTER TABLE one_time_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE one_time_tokens FORCE ROW LEVEL SECURITY;

CREATE POLICY one_time_tokens_tenant ON one_time_tokens
    FOR ALL
    USING (nullif(current_setting('app.org_id', true), '') IS NULL)
    WITH CHECK (nullif(current_setting('app.org_id', true), '') IS NULL
                OR organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON one_time_tokens TO auth_app;

-- A registration that is superseded before its address is verified takes its organization
-- with it (only while no one else belongs to it).
GRANT DELETE ON organizations TO auth_app;
