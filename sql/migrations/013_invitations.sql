-- Invitations: a person invited by address to join an organization with a role. The link in
-- the mail carries a 256-bit token stored only as SHA-256; resending replaces it.
CREATE TABLE invitations (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email            text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    role_id          uuid,
    invited_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    token_hash       bytea NOT NULL CONSTRAINT invitations_token_key UNIQUE
                     CHECK (octet_length(token_hash) = 32),
    status           text NOT NULL DEFAULT 'pending'
                     CONSTRAINT invitations_status_check CHECK (status IN ('pending', 'accepted', 'revoked')),
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz,
    accepted_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_role_fkey FOREIGN KEY (organization_id, role_id)
        REFERENCES roles (organization_id, id) ON DELETE SET NULL (role_id),
    CONSTRAINT invitations_pending_role_check CHECK (status <> 'pending' OR role_id IS NOT NULL)
);

CREATE UNIQUE INDEX invitations_pending_email_key ON invitations (organization_id, lower(email))
    WHERE status = 'pending';
CREATE INDEX invitations_org_idx ON invitations (organization_id, id);
CREATE INDEX invitations_role_idx ON invitations (organization_id, role_id) WHERE status = 'pending';

COMMENT ON TABLE invitations IS 'Invitations to join an organization; pending, accepted or revoked (expiry is read from expires_at).';

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;

-- The token in the link names its organization, so even accepting runs inside the tenant.
CREATE POLICY invitations_tenant ON invitations
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE ON invitations TO auth_app;
