-- A client_credentials token in one statement: the client's hourly budget is counted (one
-- key of throttle_counters, counted as throttle_reserve of migration 019 counts it) in the
-- call that reads its live role and stamps its last use, not in a statement of its own.
-- Neither write is worth a WAL flush of its own: after a crash the budget may have forgotten
-- the last moment's tokens and the last use may be a minute older, so this transaction
-- commits without waiting for the flush.
DROP FUNCTION app_client_token(uuid, uuid);

-- One key, so one upsert does what throttle_reserve does for many: count the token, or (the
-- budget spent) count nothing and answer the seconds until the window ends; 0 when counted.
CREATE FUNCTION app_client_budget(budget_key text, budget integer, window_seconds integer)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    ends timestamptz;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
    VALUES (budget_key, 1, budget, now() + make_interval(secs => window_seconds))
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_ends_at <= now() THEN 1 ELSE t.failures + 1 END,
        max_failures = excluded.max_failures,
        window_ends_at = CASE WHEN t.window_ends_at <= now() THEN excluded.window_ends_at
                              ELSE t.window_ends_at END
    WHERE t.window_ends_at <= now() OR t.failures < excluded.max_failures;
    IF FOUND THEN
        RETURN 0;
    END IF;
    SELECT t.window_ends_at INTO ends FROM throttle_counters t WHERE t.key = budget_key;
    RETURN greatest(ceil(extract(epoch FROM ends - now()))::integer, 1);
END
$$;
COMMENT ON FUNCTION app_client_budget(text, integer, integer) IS
    'Counts one token on an app client''s budget; 0, or the seconds until it allows one.';

CREATE FUNCTION app_client_token(
    org uuid, client uuid, budget_key text, budget integer, window_seconds integer
)
    RETURNS TABLE (retry_after integer, status text, role_code text, permissions text[])
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    waited integer := app_client_budget(budget_key, budget, window_seconds);
BEGIN
    IF waited > 0 THEN
        RETURN QUERY SELECT waited, NULL::text, NULL::text, NULL::text[];
        RETURN;
    END IF;
    PERFORM set_config('app.org_id', org::text, true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true);
    UPDATE app_clients c SET last_used_at = now()
    WHERE c.organization_id = org AND c.id = client
      AND (c.last_used_at IS NULL OR c.last_used_at < now() - interval '1 minute');
    RETURN QUERY
        SELECT 0, c.status, r.code, r.permissions
        FROM app_clients c
        JOIN roles r ON r.organization_id = c.organization_id AND r.id = c.role_id
        WHERE c.organization_id = org AND c.id = client;
END
$$;
COMMENT ON FUNCTION app_client_token(uuid, uuid, text, integer, integer) IS
    'Counts an app client''s token budget, then its live role, with its last use stamped.';

-- Client authentication and what the request asks for, in one statement. Both read the
-- client as app_client_credentials does (its query, written out: a call of that function
-- here would cost a third of the statement; a test holds the answers equal) and hand back
-- its live secret hashes: the service
-- still decides on them (in constant time) exactly as for any other request. The second half
-- runs only when the presented secret's keyed hash is among them (an equality on keyed
-- hashes, which a wrong guess learns nothing from), so a caller without the secret spends no
-- budget and reads nothing; "ran" says whether it did.

-- 1. client_credentials: with the secret, the token's budget and live role as above.
CREATE FUNCTION app_client_credentials_token(
    cid text, presented bytea, budget_prefix text, budget integer, window_seconds integer
)
    RETURNS TABLE (
        id uuid, organization_id uuid, client_id text, name text, type text,
        user_type text, role_id uuid, token_endpoint_auth_method text, redirect_uris text[],
        post_logout_redirect_uris text[], allowed_origins text[], jwks text, jwks_uri text,
        password_grant boolean, status text, tokens_since timestamptz,
        last_used_at timestamptz, created_at timestamptz, updated_at timestamptz,
        secret_hashes bytea[], ran boolean, retry_after integer, live_status text,
        role_code text, permissions text[]
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    c record;
    done boolean := false;
    waited integer;
    live text;
    code text;
    granted text[];
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', 'on', true);
    SELECT a.*, coalesce((SELECT array_agg(s.secret_hash) FROM app_client_secrets s
                          WHERE s.app_client_id = a.id
                            AND (s.expires_at IS NULL OR s.expires_at > now())), '{}')
                AS secret_hashes
      INTO c FROM app_clients a WHERE a.client_id = cid;
    IF NOT FOUND THEN
        PERFORM set_config('app.anonymous', '', true);
        RETURN;
    END IF;
    PERFORM set_config('app.anonymous', '', true);
    IF c.status = 'active' AND c.type = 'machine_to_machine'
       AND presented = ANY (c.secret_hashes) THEN
        -- The client row was just read in this statement: its status, role and last use
        -- stand as app_client_token would read them again.
        done := true;
        live := c.status;
        waited := app_client_budget(budget_prefix || c.id::text, budget, window_seconds);
        IF waited = 0 THEN
            PERFORM set_config('app.org_id', c.organization_id::text, true),
                    set_config('app.anonymous', '', true);
            IF c.last_used_at IS NULL OR c.last_used_at < now() - interval '1 minute' THEN
                UPDATE app_clients a SET last_used_at = now()
                WHERE a.organization_id = c.organization_id AND a.id = c.id;
            END IF;
            SELECT r.code, r.permissions INTO code, granted
            FROM roles r WHERE r.organization_id = c.organization_id AND r.id = c.role_id;
            IF NOT FOUND THEN
                live := NULL;  -- no role, no token
            END IF;
        END IF;
    END IF;
    RETURN QUERY SELECT c.id, c.organization_id, c.client_id, c.name, c.type, c.user_type,
        c.role_id, c.token_endpoint_auth_method, c.redirect_uris, c.post_logout_redirect_uris,
        c.allowed_origins, c.jwks::text, c.jwks_uri, c.password_grant, c.status,
        c.tokens_since, c.last_used_at, c.created_at, c.updated_at, c.secret_hashes, done,
        waited, live, code, granted;
END
$$;
COMMENT ON FUNCTION app_client_credentials_token(text, bytea, text, integer, integer) IS
    'An app client''s credentials and, when the secret is right, its counted token and live role.';

-- 2. Introspection: with the secret, the token's subject (a person of the client's own
--    organization) as app_session_caller reads it.
CREATE FUNCTION app_client_credentials_caller(cid text, presented bytea, org uuid, usr uuid)
    RETURNS TABLE (
        id uuid, organization_id uuid, client_id text, name text, type text,
        user_type text, role_id uuid, token_endpoint_auth_method text, redirect_uris text[],
        post_logout_redirect_uris text[], allowed_origins text[], jwks text, jwks_uri text,
        password_grant boolean, status text, tokens_since timestamptz,
        last_used_at timestamptz, created_at timestamptz, updated_at timestamptz,
        secret_hashes bytea[], ran boolean, caller_id uuid, caller_email text,
        caller_name text, caller_email_verified boolean, caller_active boolean,
        caller_role_id uuid, caller_role_code text, caller_practitioner_id text,
        caller_organization_id uuid, caller_created_at timestamptz,
        caller_updated_at timestamptz, caller_accepted boolean,
        caller_disabled_at timestamptz, caller_permissions text[],
        caller_sessions_since timestamptz, caller_sessions_epoch bigint
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    c record;
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', 'on', true);
    SELECT a.*, coalesce((SELECT array_agg(s.secret_hash) FROM app_client_secrets s
                          WHERE s.app_client_id = a.id
                            AND (s.expires_at IS NULL OR s.expires_at > now())), '{}')
                AS secret_hashes
      INTO c FROM app_clients a WHERE a.client_id = cid;
    IF NOT FOUND THEN
        PERFORM set_config('app.anonymous', '', true);
        RETURN;
    END IF;
    IF c.status = 'active' AND c.organization_id = org
       AND presented = ANY (c.secret_hashes) THEN
        -- The member as app_session_caller reads them (a test holds the two equal), here
        -- without a function call of its own.
        PERFORM set_config('app.org_id', org::text, true),
                set_config('app.user_id', usr::text, true),
                set_config('app.anonymous', '', true);
        RETURN QUERY SELECT c.id, c.organization_id, c.client_id, c.name, c.type,
            c.user_type, c.role_id, c.token_endpoint_auth_method, c.redirect_uris,
            c.post_logout_redirect_uris, c.allowed_origins, c.jwks::text, c.jwks_uri,
            c.password_grant, c.status, c.tokens_since, c.last_used_at, c.created_at,
            c.updated_at, c.secret_hashes, true,
            m.user_id, u.email, m.name,
            u.email_verified_at IS NOT NULL AND m.accepted_at IS NOT NULL,
            m.active, m.role_id, r.code, m.practitioner_id, m.organization_id,
            m.created_at, m.updated_at,
            m.accepted_at IS NOT NULL, u.disabled_at, r.permissions, m.sessions_since,
            u.sessions_epoch
        FROM (SELECT 1) AS one
        LEFT JOIN (memberships m
                   JOIN users u ON u.id = m.user_id
                   JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id)
               ON m.organization_id = org AND m.user_id = usr;
        RETURN;
    END IF;
    PERFORM set_config('app.anonymous', '', true);
    RETURN QUERY SELECT c.id, c.organization_id, c.client_id, c.name, c.type, c.user_type,
        c.role_id, c.token_endpoint_auth_method, c.redirect_uris, c.post_logout_redirect_uris,
        c.allowed_origins, c.jwks::text, c.jwks_uri, c.password_grant, c.status,
        c.tokens_since, c.last_used_at, c.created_at, c.updated_at, c.secret_hashes, false,
        NULL::uuid, NULL::text, NULL::text, NULL::boolean, NULL::boolean, NULL::uuid,
        NULL::text, NULL::text, NULL::uuid, NULL::timestamptz, NULL::timestamptz,
        NULL::boolean, NULL::timestamptz, NULL::text[], NULL::timestamptz, NULL::bigint;
END
$$;
COMMENT ON FUNCTION app_client_credentials_caller(text, bytea, uuid, uuid) IS
    'An app client''s credentials and, when the secret is right, a member of its organization.';

REVOKE ALL ON FUNCTION app_client_budget(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_client_budget(text, integer, integer) TO auth_app;
REVOKE ALL ON FUNCTION app_client_token(uuid, uuid, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_client_token(uuid, uuid, text, integer, integer) TO auth_app;
REVOKE ALL ON FUNCTION app_client_credentials_token(text, bytea, text, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_client_credentials_token(text, bytea, text, integer, integer)
    TO auth_app;
REVOKE ALL ON FUNCTION app_client_credentials_caller(text, bytea, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_client_credentials_caller(text, bytea, uuid, uuid) TO auth_app;
