-- Signing people in through app clients (authorization code with PKCE, a hosted page).
--
-- A refresh family now remembers the app client it was issued to (a refresh must come from that
-- client), and a family may be a browser session: the hosted page's cookie, which signs the
-- person in to a second app without the password and is revoked exactly as sessions are
-- (logout, reset, removal), but never refreshes tokens itself.
ALTER TABLE refresh_tokens ADD COLUMN app_client_id uuid;
ALTER TABLE refresh_tokens ADD COLUMN browser boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN refresh_tokens.app_client_id IS
    'The app client the family was issued to; none for the first-party client.';
COMMENT ON COLUMN refresh_tokens.browser IS
    'A browser session of the hosted sign-in page (its cookie), not a refresh token.';

ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_revoked_reason_check;
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_revoked_reason_check
    CHECK (revoked_reason IN ('logout', 'reuse', 'password_reset', 'deactivated', 'removed',
                              'left', 'code_reuse', 'client_removed'));

-- Authorization codes: 256 random bits for the redirect, only SHA-256 here; single use,
-- a minute long, bound to the client, the redirect URI and the PKCE challenge. A code
-- presented again revokes what its first use issued (RFC 6749 4.1.2).
CREATE TABLE authorization_codes (
    code_hash        bytea PRIMARY KEY CONSTRAINT authorization_codes_hash_check
                     CHECK (octet_length(code_hash) = 32),
    organization_id  uuid NOT NULL,
    app_client_id    uuid NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri     text NOT NULL CONSTRAINT authorization_codes_redirect_check
                     CHECK (char_length(redirect_uri) <= 2000),
    code_challenge   text NOT NULL CONSTRAINT authorization_codes_challenge_check
                     CHECK (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
    scope            text NOT NULL DEFAULT '' CONSTRAINT authorization_codes_scope_check
                     CHECK (char_length(scope) <= 1000),
    nonce            text CONSTRAINT authorization_codes_nonce_check
                     CHECK (char_length(nonce) <= 500),
    auth_time        timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    issued_family    uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT authorization_codes_client_fkey FOREIGN KEY (organization_id, app_client_id)
        REFERENCES app_clients (organization_id, id) ON DELETE CASCADE
);

CREATE INDEX authorization_codes_expires_idx ON authorization_codes (expires_at);

COMMENT ON TABLE authorization_codes IS
    'Single-use authorization codes (hashed), bound to client, redirect URI and PKCE challenge.';

ALTER TABLE authorization_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE authorization_codes FORCE ROW LEVEL SECURITY;

CREATE POLICY authorization_codes_tenant ON authorization_codes
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON authorization_codes TO auth_app;
