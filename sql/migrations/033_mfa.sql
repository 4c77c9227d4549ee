-- Multi-factor sign-in: the factors a person holds (an authenticator app's TOTP secret, sealed;
-- a passkey's public key), their recovery codes (hashed, single use), the pending second step
-- of a sign-in (a short-lived opaque token, hashed), each organization's policy, and what a
-- session's sign-in was made of (its amr, and when the second factor was last given).

CREATE TABLE mfa_factors (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL CONSTRAINT mfa_factors_kind_check
                    CHECK (kind IN ('totp', 'webauthn')),
    label           text NOT NULL CONSTRAINT mfa_factors_label_check
                    CHECK (char_length(label) BETWEEN 1 AND 100),
    secret          bytea CONSTRAINT mfa_factors_secret_check
                    CHECK ((kind = 'totp') = (secret IS NOT NULL)),
    last_step       bigint,
    credential_id   bytea CONSTRAINT mfa_factors_credential_key UNIQUE,
    public_key      bytea,
    sign_count      bigint NOT NULL DEFAULT 0,
    transports      text[] NOT NULL DEFAULT '{}',
    discoverable    boolean NOT NULL DEFAULT false,
    challenge       bytea,
    confirmed_at    timestamptz,
    last_used_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mfa_factors_passkey_check
        CHECK (kind <> 'webauthn' OR confirmed_at IS NULL OR
               (credential_id IS NOT NULL AND public_key IS NOT NULL))
);

CREATE INDEX mfa_factors_user_idx ON mfa_factors (user_id, created_at);

COMMENT ON TABLE mfa_factors IS
    'Second factors: TOTP (secret sealed with AES-256-GCM) and passkeys (public key only).';
COMMENT ON COLUMN mfa_factors.last_step IS
    'The last TOTP time step accepted: a step is never accepted twice.';
COMMENT ON COLUMN mfa_factors.challenge IS
    'A passkey registration''s pending challenge, until it is confirmed.';

ALTER TABLE mfa_factors ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_factors FORCE ROW LEVEL SECURITY;

-- A person's own factors, whichever organization they act in.
CREATE POLICY mfa_factors_own ON mfa_factors
    FOR ALL
    USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid)
    WITH CHECK (user_id = nullif(current_setting('app.user_id', true), '')::uuid);

-- An organization may remove the factors of its own members (the admin reset), and nothing
-- else of them: only inside a transaction that names the member in app.mfa_reset (the reset
-- sets it, after the service decided the caller may), and only while they are a member of
-- the tenant. A DELETE with a WHERE clause also needs a SELECT policy, hence the pair.
CREATE POLICY mfa_factors_reset_select ON mfa_factors
    FOR SELECT
    USING (user_id = nullif(current_setting('app.mfa_reset', true), '')::uuid
           AND EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = mfa_factors.user_id
                         AND m.organization_id = nullif(current_setting('app.org_id', true), '')::uuid));
CREATE POLICY mfa_factors_reset_delete ON mfa_factors
    FOR DELETE
    USING (user_id = nullif(current_setting('app.mfa_reset', true), '')::uuid
           AND EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = mfa_factors.user_id
                         AND m.organization_id = nullif(current_setting('app.org_id', true), '')::uuid));

GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_factors TO auth_app;

-- Recovery codes: about 80 random bits each, typed by a person, so SHA-256 is enough; one
-- set per person, replaced whole.
CREATE TABLE mfa_recovery_codes (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   bytea NOT NULL CONSTRAINT mfa_recovery_codes_hash_check
                CHECK (octet_length(code_hash) = 32),
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, code_hash)
);

COMMENT ON TABLE mfa_recovery_codes IS 'Single-use recovery codes (SHA-256), shown once.';

ALTER TABLE mfa_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_recovery_codes FORCE ROW LEVEL SECURITY;

CREATE POLICY mfa_recovery_codes_own ON mfa_recovery_codes
    FOR ALL
    USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid)
    WITH CHECK (user_id = nullif(current_setting('app.user_id', true), '')::uuid);

CREATE POLICY mfa_recovery_codes_reset_select ON mfa_recovery_codes
    FOR SELECT
    USING (user_id = nullif(current_setting('app.mfa_reset', true), '')::uuid
           AND EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = mfa_recovery_codes.user_id
                         AND m.organization_id = nullif(current_setting('app.org_id', true), '')::uuid));
CREATE POLICY mfa_recovery_codes_reset_delete ON mfa_recovery_codes
    FOR DELETE
    USING (user_id = nullif(current_setting('app.mfa_reset', true), '')::uuid
           AND EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = mfa_recovery_codes.user_id
                         AND m.organization_id = nullif(current_setting('app.org_id', true), '')::uuid));

GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_recovery_codes TO auth_app;

-- The second step of a sign-in whose password was right: 256 random bits behind the user's
-- id (only SHA-256 here), five minutes long, spent by its one success or its fifth failure.
-- ``enrol``: the person has no factor yet and their organization requires one: the token lets
-- them enrol one, then completes the sign-in.
CREATE TABLE mfa_challenges (
    token_hash       bytea PRIMARY KEY CONSTRAINT mfa_challenges_hash_check
                     CHECK (octet_length(token_hash) = 32),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sessions_epoch   bigint NOT NULL,
    purpose          text NOT NULL CONSTRAINT mfa_challenges_purpose_check
                     CHECK (purpose IN ('grant', 'page')),
    app_client_id    uuid,
    browser_family   uuid,
    enrol            boolean NOT NULL DEFAULT false,
    auth_time        timestamptz NOT NULL,
    amr              text[] NOT NULL DEFAULT '{pwd}',
    satisfied        text[],
    passkey_challenge bytea,
    failures         integer NOT NULL DEFAULT 0,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);

COMMENT ON TABLE mfa_challenges IS
    'Pending second steps of sign-ins (hashed opaque tokens), single use, five minutes.';
COMMENT ON COLUMN mfa_challenges.browser_family IS
    'A browser session asked for its second factor again (re-prompt): it is that session''s.';
COMMENT ON COLUMN mfa_challenges.satisfied IS
    'The factor methods given on the page (after enrolling), before the person continues.';

ALTER TABLE mfa_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_challenges FORCE ROW LEVEL SECURITY;

CREATE POLICY mfa_challenges_own ON mfa_challenges
    FOR ALL
    USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid)
    WITH CHECK (user_id = nullif(current_setting('app.user_id', true), '')::uuid);

-- The janitor sweeps challenges a day after they expired.
CREATE POLICY mfa_challenges_sweep ON mfa_challenges
    FOR SELECT
    USING (current_setting('app.anonymous', true) = 'on' AND expires_at < now() - interval '1 day');
CREATE POLICY mfa_challenges_sweep_delete ON mfa_challenges
    FOR DELETE
    USING (current_setting('app.anonymous', true) = 'on' AND expires_at < now() - interval '1 day');

GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_challenges TO auth_app;

-- A passkey signing someone in alone names its credential before anyone is known: the
-- service sets app.credential_id (hex) to the id the assertion carries, and this policy shows
-- that one confirmed passkey's row (a public key, nothing secret) in the anonymous context.
CREATE POLICY mfa_factors_passkey_lookup ON mfa_factors
    FOR SELECT
    USING (current_setting('app.anonymous', true) = 'on'
           AND kind = 'webauthn' AND confirmed_at IS NOT NULL
           AND credential_id = decode(nullif(current_setting('app.credential_id', true), ''), 'hex'));

-- The challenges of passkey sign-ins are sealed by the service and need no row until used;
-- a used one is kept (hashed) until it expires, so an assertion never signs in twice.
CREATE TABLE passkey_challenges_used (
    challenge_hash  bytea PRIMARY KEY CONSTRAINT passkey_challenges_used_hash_check
                    CHECK (octet_length(challenge_hash) = 32),
    expires_at      timestamptz NOT NULL
);

COMMENT ON TABLE passkey_challenges_used IS
    'Challenges of passkey sign-ins already used (SHA-256), kept until they expire.';

ALTER TABLE passkey_challenges_used ENABLE ROW LEVEL SECURITY;
ALTER TABLE passkey_challenges_used FORCE ROW LEVEL SECURITY;

CREATE POLICY passkey_challenges_used_anonymous ON passkey_challenges_used
    FOR ALL
    USING (current_setting('app.anonymous', true) = 'on')
    WITH CHECK (current_setting('app.anonymous', true) = 'on');

GRANT SELECT, INSERT, DELETE ON passkey_challenges_used TO auth_app;

-- Each organization's policy.
ALTER TABLE organizations ADD COLUMN mfa_required boolean NOT NULL DEFAULT false;
ALTER TABLE organizations ADD COLUMN mfa_reprompt_hours integer NOT NULL DEFAULT 72
    CONSTRAINT organizations_mfa_reprompt_hours_check CHECK (mfa_reprompt_hours BETWEEN 0 AND 2160);
COMMENT ON COLUMN organizations.mfa_required IS
    'Members must give a second factor before any token is issued for this organization.';
COMMENT ON COLUMN organizations.mfa_reprompt_hours IS
    'How long a browser session''s second factor counts before it is asked for again.';

-- What a session's sign-in was made of (RFC 8176 methods), carried through rotation.
ALTER TABLE refresh_tokens ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}';
ALTER TABLE refresh_tokens ADD COLUMN auth_time timestamptz NOT NULL DEFAULT now();
ALTER TABLE refresh_tokens ADD COLUMN mfa_at timestamptz;
COMMENT ON COLUMN refresh_tokens.amr IS 'How the family''s sign-in was made (RFC 8176 methods).';
COMMENT ON COLUMN refresh_tokens.auth_time IS
    'When the family''s person last authenticated (signed in, or gave a second factor again).';
COMMENT ON COLUMN refresh_tokens.mfa_at IS 'When the family''s person last gave a second factor.';

ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_revoked_reason_check;
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_revoked_reason_check
    CHECK (revoked_reason IN ('logout', 'reuse', 'password_reset', 'deactivated', 'removed',
                              'left', 'code_reuse', 'client_removed', 'mfa_reset'));

ALTER TABLE authorization_codes ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}';

-- A password grant whose password was right now also answers whether a second step comes
-- first: 'mfa_required' (the person has a factor) or 'mfa_enrol' (none, but the chosen
-- organization requires one). Neither issues anything; both settle the throttle as a right
-- password does, and the second step has its own throttle.
CREATE OR REPLACE FUNCTION app_login_complete(
    usr uuid, requested_org uuid, epoch bigint,
    refund text[], clear text[], known text, known_seconds integer,
    new_hash text, old_hash text,
    token_id uuid, family uuid, token_hash bytea, ttl_seconds integer,
    event_id uuid, resource_type text, request_id text, client_request_id text,
    client_address text
)
    RETURNS TABLE (
        outcome text, organization_id uuid, role_code text, permissions text[],
        practitioner_id text, sessions_epoch bigint
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    chosen record;
    locked record;
    second text;
BEGIN
    PERFORM throttle_settle(refund, clear, known, known_seconds, NULL);
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', usr::text, true),
            set_config('app.anonymous', '', true);
    SELECT m.organization_id, r.code, r.permissions, m.practitioner_id
      INTO chosen
    FROM memberships m
    JOIN users u ON u.id = m.user_id
    JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
    WHERE m.user_id = usr AND m.active AND m.accepted_at IS NOT NULL
      AND (requested_org IS NULL OR m.organization_id = requested_org)
    ORDER BY m.organization_id IS NOT DISTINCT FROM u.last_organization_id DESC,
             m.created_at, m.organization_id
    LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_membership', NULL::uuid, NULL::text, NULL::text[], NULL::text,
                            NULL::bigint;
        RETURN;
    END IF;
    IF new_hash IS NOT NULL THEN
        UPDATE users u SET password_hash = new_hash WHERE u.id = usr AND u.password_hash = old_hash;
    END IF;
    PERFORM set_config('app.org_id', chosen.organization_id::text, true);
    SELECT CASE
             WHEN EXISTS (SELECT 1 FROM mfa_factors f
                          WHERE f.user_id = usr AND f.confirmed_at IS NOT NULL)
               THEN 'mfa_required'
             WHEN o.mfa_required THEN 'mfa_enrol'
           END
      INTO second
    FROM organizations o WHERE o.id = chosen.organization_id;
    IF second IS NOT NULL THEN
        RETURN QUERY SELECT second, chosen.organization_id, chosen.code, chosen.permissions,
                            chosen.practitioner_id, epoch;
        RETURN;
    END IF;
    SELECT u.sessions_epoch, u.disabled_at, u.last_organization_id
      INTO locked
    FROM users u WHERE u.id = usr
    FOR NO KEY UPDATE;
    IF NOT FOUND OR locked.disabled_at IS NOT NULL OR locked.sessions_epoch <> epoch THEN
        RETURN QUERY SELECT 'sessions_ended', NULL::uuid, NULL::text, NULL::text[], NULL::text,
                            NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO refresh_tokens (id, family_id, user_id, organization_id, token_hash, parent_id,
                                expires_at, sessions_epoch)
    VALUES (token_id, family, usr, chosen.organization_id, token_hash, NULL,
            now() + make_interval(secs => ttl_seconds), locked.sessions_epoch);
    IF locked.last_organization_id IS DISTINCT FROM chosen.organization_id THEN
        UPDATE users u SET last_organization_id = chosen.organization_id WHERE u.id = usr;
    END IF;
    INSERT INTO audit_events (id, organization_id, actor_user_id, actor_kind, action,
                              resource_type, resource_id, changes, request_id,
                              client_request_id, address)
    VALUES (event_id, chosen.organization_id, usr, 'user', 'auth.login', resource_type,
            usr::text, '{}'::jsonb, request_id, client_request_id, client_address);
    RETURN QUERY SELECT 'issued', chosen.organization_id, chosen.code, chosen.permissions,
                        chosen.practitioner_id, locked.sessions_epoch;
END
$$;
COMMENT ON FUNCTION app_login_complete(uuid, uuid, bigint, text[], text[], text, integer, text, text, uuid, uuid, bytea, integer, uuid, text, text, text, text) IS
    'Finishes a password grant whose password was right: throttle, organization, second step or refresh family, audit.';
