-- App clients of one organization. Every tenant query names the organization even though
-- row-level security checks it too. The token endpoint's lookups run in the anonymous
-- context (read only) before the client's organization is known.

-- name: list_clients
-- A keyset page ordered by id; each filter applies only when its parameter is not null.
SELECT id, organization_id, client_id, name, type, user_type, role_id,
       token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, allowed_origins,
       jwks::text AS jwks, jwks_uri, password_grant, status, tokens_since, last_used_at,
       created_at, updated_at
FROM app_clients
WHERE organization_id = $1
  AND ($2::text IS NULL OR type = $2)
  AND ($3::text IS NULL OR status = $3)
  AND ($4::uuid IS NULL OR role_id = $4)
  AND ($5::uuid IS NULL OR id > $5)
ORDER BY id
LIMIT $6;

-- name: client_by_id
SELECT id, organization_id, client_id, name, type, user_type, role_id,
       token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, allowed_origins,
       jwks::text AS jwks, jwks_uri, password_grant, status, tokens_since, last_used_at,
       created_at, updated_at
FROM app_clients
WHERE organization_id = $1 AND id = $2;

-- name: lock_client
SELECT id, organization_id, client_id, name, type, user_type, role_id,
       token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, allowed_origins,
       jwks::text AS jwks, jwks_uri, password_grant, status, tokens_since, last_used_at,
       created_at, updated_at
FROM app_clients
WHERE organization_id = $1 AND id = $2
FOR UPDATE;

-- name: client_by_client_id
-- The token endpoint's lookup (anonymous context): the client a request names.
SELECT id, organization_id, client_id, name, type, user_type, role_id,
       token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, allowed_origins,
       jwks::text AS jwks, jwks_uri, password_grant, status, tokens_since, last_used_at,
       created_at, updated_at
FROM app_clients
WHERE client_id = $1;

-- name: insert_client
INSERT INTO app_clients (id, organization_id, client_id, name, type, user_type, role_id,
                         token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris,
                         allowed_origins, jwks, jwks_uri, password_grant, status, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $16)
RETURNING id, organization_id, client_id, name, type, user_type, role_id,
          token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, allowed_origins,
          jwks::text AS jwks, jwks_uri, password_grant, status, tokens_since, last_used_at,
          created_at, updated_at;

-- name: update_client
-- A client disabled here refuses every token it was given before (tokens_since).
UPDATE app_clients
SET name = $3, role_id = $4, token_endpoint_auth_method = $5, redirect_uris = $6,
    post_logout_redirect_uris = $7, allowed_origins = $8, jwks = $9::jsonb, jwks_uri = $10,
    password_grant = $11, status = $12,
    -- Five seconds ahead: the session check allows tokens five seconds of clock difference,
    -- which must not let a token issued just before the disabling live on once re-enabled.
    tokens_since = CASE WHEN $12 = 'disabled' AND status = 'active'
                        THEN now() + interval '5 seconds' ELSE tokens_since END,
    updated_at = now()
WHERE organization_id = $1 AND id = $2
RETURNING id, organization_id, client_id, name, type, user_type, role_id,
          token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, allowed_origins,
          jwks::text AS jwks, jwks_uri, password_grant, status, tokens_since, last_used_at,
          created_at, updated_at;

-- name: delete_client
DELETE FROM app_clients WHERE organization_id = $1 AND id = $2 RETURNING id;

-- name: insert_secret
INSERT INTO app_client_secrets (id, organization_id, app_client_id, secret_hash)
VALUES ($1, $2, $3, $4);

-- name: retire_secrets
-- The client's live secrets end at $3 (now for a leak), unless they end sooner already.
UPDATE app_client_secrets
SET expires_at = LEAST(coalesce(expires_at, $3), $3)
WHERE organization_id = $1 AND app_client_id = $2 AND (expires_at IS NULL OR expires_at > now());

-- name: drop_dead_secrets
DELETE FROM app_client_secrets
WHERE organization_id = $1 AND app_client_id = $2 AND expires_at <= now();

-- name: remember_assertion
-- A client assertion's jti, once: nothing is returned when it was seen before.
INSERT INTO client_assertions (client_id, jti, expires_at)
VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING jti;

-- name: client_credentials
-- The client and its live secret hashes, in one statement (migration 028).
SELECT * FROM app_client_credentials($1);

-- name: client_token
-- Its token budget counted, then its live role with its last use stamped (migration 030).
SELECT retry_after, status, role_code, permissions FROM app_client_token($1, $2, $3, $4, $5);

-- name: client_credentials_token
-- The client and its live secret hashes and, when the presented secret is one of them, its
-- token budget counted and its live role (migration 030).
SELECT * FROM app_client_credentials_token($1, $2, $3, $4, $5);

-- name: client_credentials_caller
-- The client and its live secret hashes and, when the presented secret is one of them, a
-- member of its own organization as authentication reads one (migration 030).
SELECT * FROM app_client_credentials_caller($1, $2, $3, $4);

-- name: lock_clients_of
-- Serializes registrations within one organization (a transaction-level lock), so that the
-- count that follows, in a statement of its own, sees every client registered before.
SELECT pg_advisory_xact_lock(hashtextextended('app_clients:' || $1::uuid::text, 0));

-- name: count_clients
SELECT count(*) FROM app_clients WHERE organization_id = $1;
