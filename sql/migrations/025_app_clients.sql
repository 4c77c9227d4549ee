-- App clients: applications an organization's admin registers, each acting with exactly one
-- role of that organization. A machine_to_machine client signs in as itself (client
-- credentials); the other types sign people in. The public identifier (client_id) is what the
-- token endpoint is given; the secret is stored only as a keyed hash in its own table, so a
-- rotation can keep the previous one for a grace period.
CREATE TABLE app_clients (
    id                          uuid PRIMARY KEY,
    organization_id             uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id                   text NOT NULL CONSTRAINT app_clients_client_id_key UNIQUE
                                CONSTRAINT app_clients_client_id_check
                                CHECK (client_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    name                        text NOT NULL CONSTRAINT app_clients_name_check
                                CHECK (char_length(name) BETWEEN 1 AND 200),
    type                        text NOT NULL CONSTRAINT app_clients_type_check
                                CHECK (type IN ('machine_to_machine', 'regular_web_application',
                                                'single_page_application', 'native')),
    user_type                   text NOT NULL DEFAULT 'builder'
                                CONSTRAINT app_clients_user_type_check CHECK (user_type = 'builder'),
    role_id                     uuid NOT NULL,
    token_endpoint_auth_method  text NOT NULL CONSTRAINT app_clients_auth_method_check
                                CHECK (token_endpoint_auth_method IN (
                                    'client_secret_basic', 'client_secret_post',
                                    'private_key_jwt', 'none')),
    redirect_uris               text[] NOT NULL DEFAULT '{}'
                                CONSTRAINT app_clients_redirect_uris_check
                                CHECK (cardinality(redirect_uris) <= 20),
    post_logout_redirect_uris   text[] NOT NULL DEFAULT '{}'
                                CONSTRAINT app_clients_post_logout_uris_check
                                CHECK (cardinality(post_logout_redirect_uris) <= 20),
    allowed_origins             text[] NOT NULL DEFAULT '{}'
                                CONSTRAINT app_clients_allowed_origins_check
                                CHECK (cardinality(allowed_origins) <= 20),
    jwks                        jsonb CONSTRAINT app_clients_jwks_check
                                CHECK (jwks IS NULL OR (jsonb_typeof(jwks) = 'object'
                                                        AND pg_column_size(jwks) < 65536)),
    jwks_uri                    text CONSTRAINT app_clients_jwks_uri_check
                                CHECK (char_length(jwks_uri) <= 2000),
    password_grant              boolean NOT NULL DEFAULT false,
    status                      text NOT NULL DEFAULT 'active'
                                CONSTRAINT app_clients_status_check
                                CHECK (status IN ('active', 'disabled')),
    tokens_since                timestamptz NOT NULL DEFAULT now(),
    last_used_at                timestamptz,
    created_by                  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_clients_org_id_key UNIQUE (organization_id, id),
    -- A role held by a client cannot be deleted (409 role_in_use), as for members.
    CONSTRAINT app_clients_role_fkey FOREIGN KEY (organization_id, role_id)
        REFERENCES roles (organization_id, id) ON DELETE RESTRICT,
    -- A client acting as itself never signs a person in with their password.
    CONSTRAINT app_clients_password_grant_check
        CHECK (type <> 'machine_to_machine' OR NOT password_grant),
    -- Browser and native apps cannot keep a secret; servers must authenticate.
    CONSTRAINT app_clients_public_check
        CHECK ((token_endpoint_auth_method = 'none')
               = (type IN ('single_page_application', 'native'))),
    CONSTRAINT app_clients_keys_check
        CHECK (token_endpoint_auth_method <> 'private_key_jwt'
               OR num_nonnulls(jwks, jwks_uri) = 1)
);

CREATE INDEX app_clients_org_idx ON app_clients (organization_id, id);
CREATE INDEX app_clients_role_idx ON app_clients (organization_id, role_id);

COMMENT ON TABLE app_clients IS
    'Applications of an organization, each acting with one of its roles (Zus auth/app-clients).';
COMMENT ON COLUMN app_clients.client_id IS 'The public identifier sent to the token endpoint.';
COMMENT ON COLUMN app_clients.tokens_since IS
    'Tokens issued to the client before this moment are refused (set when it is disabled).';

ALTER TABLE app_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE app_clients FORCE ROW LEVEL SECURITY;

-- The token endpoint finds a client by client_id before any tenant is known (the anonymous
-- context, read only); everything else happens inside the client's organization.
CREATE POLICY app_clients_tenant ON app_clients
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY app_clients_anonymous_read ON app_clients
    FOR SELECT
    USING (current_setting('app.anonymous', true) = 'on');

GRANT SELECT, INSERT, UPDATE, DELETE ON app_clients TO auth_app;

-- Secrets: 256 random bits, stored as HMAC-SHA-256 under a server key. The current secret
-- has no expiry; a rotated-out one keeps working until expires_at.
CREATE TABLE app_client_secrets (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    app_client_id    uuid NOT NULL,
    secret_hash      bytea NOT NULL CONSTRAINT app_client_secrets_hash_key UNIQUE
                     CONSTRAINT app_client_secrets_hash_check CHECK (octet_length(secret_hash) = 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz,
    CONSTRAINT app_client_secrets_client_fkey FOREIGN KEY (organization_id, app_client_id)
        REFERENCES app_clients (organization_id, id) ON DELETE CASCADE
);

CREATE INDEX app_client_secrets_client_idx ON app_client_secrets (app_client_id);

COMMENT ON TABLE app_client_secrets IS
    'Keyed hashes of app client secrets; a rotated-out secret works until expires_at.';

ALTER TABLE app_client_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE app_client_secrets FORCE ROW LEVEL SECURITY;

CREATE POLICY app_client_secrets_tenant ON app_client_secrets
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY app_client_secrets_anonymous_read ON app_client_secrets
    FOR SELECT
    USING (current_setting('app.anonymous', true) = 'on');

GRANT SELECT, INSERT, UPDATE, DELETE ON app_client_secrets TO auth_app;

-- RFC 7523 client assertions already used (jti), kept until they would have expired anyway.
CREATE TABLE client_assertions (
    client_id   text NOT NULL,
    jti         text NOT NULL CONSTRAINT client_assertions_jti_check
                CHECK (char_length(jti) BETWEEN 1 AND 200),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (client_id, jti)
);

CREATE INDEX client_assertions_expires_idx ON client_assertions (expires_at);

COMMENT ON TABLE client_assertions IS 'Used client assertion ids (replay protection).';

GRANT SELECT, INSERT, DELETE ON client_assertions TO auth_app;

-- The audit trail names a client acting as itself.
ALTER TABLE audit_events ADD COLUMN actor_client_id uuid;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check
    CHECK (actor_kind IN ('user', 'system', 'anonymous', 'app_client'));
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_client_check
    CHECK ((actor_kind = 'app_client') = (actor_client_id IS NOT NULL));
COMMENT ON COLUMN audit_events.actor_client_id IS
    'The acting app client (its id), as it was; no foreign key, the trail outlives it.';
GRANT INSERT (actor_client_id) ON audit_events TO auth_app;

-- The permissions that guard app clients, given to the managed roles that hold them.
UPDATE roles
SET permissions = permissions || ARRAY['app_clients.read', 'app_clients.write']
WHERE is_managed AND code IN ('owner', 'admin')
  AND NOT permissions @> ARRAY['app_clients.read'];
UPDATE roles
SET description = 'Manages the organization: members, roles, invitations and app clients, '
                  'and reads its audit trail.'
WHERE is_managed AND code = 'admin';

-- An authenticated request of an app client: the tenant and the client in one statement,
-- like app_session_caller for a member (SECURITY INVOKER, under the same policies).
CREATE FUNCTION app_client_caller(org uuid, client uuid)
    RETURNS TABLE (
        id uuid, client_id text, name text, status text, role_code text,
        permissions text[], tokens_since timestamptz
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM set_config('app.org_id', org::text, true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true);
    RETURN QUERY
        SELECT c.id, c.client_id, c.name, c.status, r.code, r.permissions, c.tokens_since
        FROM app_clients c
        JOIN roles r ON r.organization_id = c.organization_id AND r.id = c.role_id
        WHERE c.organization_id = org AND c.id = client;
END
$$;
COMMENT ON FUNCTION app_client_caller(uuid, uuid) IS
    'The app client of an authenticated request, read inside its organization in one statement.';
