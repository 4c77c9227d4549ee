-- The schema after every migration in sql/migrations; rewritten by `make schema`.

CREATE FUNCTION public.app_client_budget(budget_key text, budget integer, window_seconds integer) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
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

COMMENT ON FUNCTION public.app_client_budget(budget_key text, budget integer, window_seconds integer) IS 'Counts one token on an app client''s budget; 0, or the seconds until it allows one.';

CREATE FUNCTION public.app_client_caller(org uuid, client uuid) RETURNS TABLE(id uuid, client_id text, name text, status text, role_code text, permissions text[], tokens_since timestamp with time zone)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
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

COMMENT ON FUNCTION public.app_client_caller(org uuid, client uuid) IS 'The app client of an authenticated request, read inside its organization in one statement.';

CREATE FUNCTION public.app_client_credentials(cid text) RETURNS TABLE(id uuid, organization_id uuid, client_id text, name text, type text, user_type text, role_id uuid, token_endpoint_auth_method text, redirect_uris text[], post_logout_redirect_uris text[], allowed_origins text[], jwks text, jwks_uri text, password_grant boolean, status text, tokens_since timestamp with time zone, last_used_at timestamp with time zone, created_at timestamp with time zone, updated_at timestamp with time zone, secret_hashes bytea[])
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', 'on', true);
    RETURN QUERY
        SELECT c.id, c.organization_id, c.client_id, c.name, c.type, c.user_type, c.role_id,
               c.token_endpoint_auth_method, c.redirect_uris, c.post_logout_redirect_uris,
               c.allowed_origins, c.jwks::text, c.jwks_uri, c.password_grant, c.status,
               c.tokens_since, c.last_used_at, c.created_at, c.updated_at,
               coalesce((SELECT array_agg(s.secret_hash) FROM app_client_secrets s
                         WHERE s.app_client_id = c.id
                           AND (s.expires_at IS NULL OR s.expires_at > now())), '{}')
        FROM app_clients c
        WHERE c.client_id = cid;
    PERFORM set_config('app.anonymous', '', true);
END
$$;

COMMENT ON FUNCTION public.app_client_credentials(cid text) IS 'An app client by client_id and its live secret hashes, for client authentication.';

CREATE FUNCTION public.app_client_credentials_caller(cid text, presented bytea, org uuid, usr uuid) RETURNS TABLE(id uuid, organization_id uuid, client_id text, name text, type text, user_type text, role_id uuid, token_endpoint_auth_method text, redirect_uris text[], post_logout_redirect_uris text[], allowed_origins text[], jwks text, jwks_uri text, password_grant boolean, status text, tokens_since timestamp with time zone, last_used_at timestamp with time zone, created_at timestamp with time zone, updated_at timestamp with time zone, secret_hashes bytea[], ran boolean, caller_id uuid, caller_email text, caller_name text, caller_email_verified boolean, caller_active boolean, caller_role_id uuid, caller_role_code text, caller_practitioner_id text, caller_organization_id uuid, caller_created_at timestamp with time zone, caller_updated_at timestamp with time zone, caller_accepted boolean, caller_disabled_at timestamp with time zone, caller_permissions text[], caller_sessions_since timestamp with time zone, caller_sessions_epoch bigint)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
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

COMMENT ON FUNCTION public.app_client_credentials_caller(cid text, presented bytea, org uuid, usr uuid) IS 'An app client''s credentials and, when the secret is right, a member of its organization.';

CREATE FUNCTION public.app_client_credentials_token(cid text, presented bytea, budget_prefix text, budget integer, window_seconds integer) RETURNS TABLE(id uuid, organization_id uuid, client_id text, name text, type text, user_type text, role_id uuid, token_endpoint_auth_method text, redirect_uris text[], post_logout_redirect_uris text[], allowed_origins text[], jwks text, jwks_uri text, password_grant boolean, status text, tokens_since timestamp with time zone, last_used_at timestamp with time zone, created_at timestamp with time zone, updated_at timestamp with time zone, secret_hashes bytea[], ran boolean, retry_after integer, live_status text, role_code text, permissions text[])
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
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

COMMENT ON FUNCTION public.app_client_credentials_token(cid text, presented bytea, budget_prefix text, budget integer, window_seconds integer) IS 'An app client''s credentials and, when the secret is right, its counted token and live role.';

CREATE FUNCTION public.app_client_token(org uuid, client uuid, budget_key text, budget integer, window_seconds integer) RETURNS TABLE(retry_after integer, status text, role_code text, permissions text[])
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
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

COMMENT ON FUNCTION public.app_client_token(org uuid, client uuid, budget_key text, budget integer, window_seconds integer) IS 'Counts an app client''s token budget, then its live role, with its last use stamped.';

CREATE FUNCTION public.app_clients_end_sessions() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    UPDATE refresh_tokens
    SET revoked_at = now(), revoked_reason = 'client_removed'
    WHERE organization_id = OLD.organization_id AND app_client_id = OLD.id
      AND revoked_at IS NULL;
    RETURN NULL;
END
$$;

CREATE FUNCTION public.app_current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid;

COMMENT ON FUNCTION public.app_current_org_id() IS 'The organization the transaction runs for (app.org_id), or NULL; read by every tenant policy.';

CREATE FUNCTION public.app_current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid;

COMMENT ON FUNCTION public.app_current_user_id() IS 'The signed-in user the transaction runs for (app.user_id), or NULL.';

CREATE FUNCTION public.app_discard_expired_registrations(older_than interval) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    caller_org text := coalesce(current_setting('app.org_id', true), '');
    caller_user text := coalesce(current_setting('app.user_id', true), '');
    caller_anonymous text := coalesce(current_setting('app.anonymous', true), '');
    candidate uuid;
    candidates uuid[];
    removed integer := 0;
BEGIN
    PERFORM set_config('app.anonymous', 'on', true);
    PERFORM set_config('app.org_id', '', true);
    PERFORM set_config('app.user_id', '', true);
    SELECT coalesce(array_agg(id), '{}') INTO candidates FROM (
        SELECT u.id FROM users u
        WHERE u.email_verified_at IS NULL
          AND EXISTS (SELECT 1 FROM one_time_tokens t
                      WHERE t.user_id = u.id AND t.purpose = 'verify_email')
          AND NOT EXISTS (SELECT 1 FROM one_time_tokens t
                          WHERE t.user_id = u.id AND t.purpose = 'verify_email'
                            AND t.expires_at > now() - older_than)
          AND app_pending_registration(u.id) IS NOT NULL
        ORDER BY u.id
        LIMIT 1000
    ) expired;
    FOREACH candidate IN ARRAY candidates LOOP
        IF app_discard_pending_registration(candidate, 'expired') IS NOT NULL THEN
            removed := removed + 1;
            PERFORM set_config('app.org_id', '', true);
            PERFORM set_config('app.user_id', candidate::text, true);
            DELETE FROM users u WHERE u.id = candidate
              AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id);
        END IF;
    END LOOP;
    PERFORM set_config('app.org_id', caller_org, true);
    PERFORM set_config('app.user_id', caller_user, true);
    PERFORM set_config('app.anonymous', caller_anonymous, true);
    RETURN removed;
END
$$;

COMMENT ON FUNCTION public.app_discard_expired_registrations(older_than interval) IS 'Janitor: removes pending self-registrations whose verification expired long ago.';

CREATE FUNCTION public.app_discard_pending_registration(candidate uuid, why text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    caller_org text := coalesce(current_setting('app.org_id', true), '');
    caller_user text := coalesce(current_setting('app.user_id', true), '');
    caller_anonymous text := coalesce(current_setting('app.anonymous', true), '');
    org uuid;
BEGIN
    PERFORM set_config('app.anonymous', 'on', true);
    PERFORM set_config('app.org_id', '', true);
    PERFORM 1 FROM users WHERE id = candidate FOR UPDATE;
    org := app_pending_registration(candidate);
    IF org IS NOT NULL THEN
        INSERT INTO registration_discards (discarded_org_id, user_id, reason)
        VALUES (org, candidate, why);
        UPDATE one_time_tokens SET used_at = now() WHERE user_id = candidate AND used_at IS NULL;
        PERFORM set_config('app.org_id', org::text, true);
        DELETE FROM organizations WHERE id = org;
    END IF;
    PERFORM set_config('app.org_id', caller_org, true);
    PERFORM set_config('app.user_id', caller_user, true);
    PERFORM set_config('app.anonymous', caller_anonymous, true);
    RETURN org;
END
$$;

COMMENT ON FUNCTION public.app_discard_pending_registration(candidate uuid, why text) IS 'The only way an organization is deleted: that of a pure pending self-registration.';

CREATE FUNCTION public.app_domains_to_recheck(older_than interval, batch integer) RETURNS TABLE(id uuid, organization_id uuid, domain text, verification_token text)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true), set_config('app.resolve', 'on', true);
    RETURN QUERY SELECT d.id, d.organization_id, d.domain, d.verification_token
                 FROM organization_domains d
                 WHERE d.status = 'verified'
                   AND (d.last_check_at IS NULL OR d.last_check_at < now() - older_than)
                 ORDER BY d.last_check_at NULLS FIRST
                 LIMIT batch;
    PERFORM set_config('app.resolve', '', true);
END
$$;

COMMENT ON FUNCTION public.app_domains_to_recheck(older_than interval, batch integer) IS 'Verified custom domains whose TXT record is due to be looked at again.';

CREATE FUNCTION public.app_login_begin(address text, keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) RETURNS TABLE(retry_after integer, id uuid, email text, name text, given_name text, family_name text, password_hash text, email_verified_at timestamp with time zone, disabled_at timestamp with time zone, last_organization_id uuid, sessions_epoch bigint)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    waited integer := throttle_reserve(keys, limits, windows, waivable, known, now_at);
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', 'on', true);
    RETURN QUERY
        SELECT waited, u.id, u.email, u.name, u.given_name, u.family_name, u.password_hash,
               u.email_verified_at, u.disabled_at, u.last_organization_id, u.sessions_epoch
        FROM (SELECT 1) one
        LEFT JOIN users u ON u.email = address;
    PERFORM set_config('app.anonymous', '', true);
END
$$;

COMMENT ON FUNCTION public.app_login_begin(address text, keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) IS 'Reserves a password grant''s attempt and finds the account, before the password is checked.';

CREATE FUNCTION public.app_login_complete(usr uuid, requested_org uuid, epoch bigint, refund text[], clear text[], known text, known_seconds integer, new_hash text, old_hash text, token_id uuid, family uuid, token_hash bytea, ttl_seconds integer, event_id uuid, resource_type text, request_id text, client_request_id text, client_address text) RETURNS TABLE(outcome text, organization_id uuid, role_code text, permissions text[], practitioner_id text, sessions_epoch bigint)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
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

COMMENT ON FUNCTION public.app_login_complete(usr uuid, requested_org uuid, epoch bigint, refund text[], clear text[], known text, known_seconds integer, new_hash text, old_hash text, token_id uuid, family uuid, token_hash bytea, ttl_seconds integer, event_id uuid, resource_type text, request_id text, client_request_id text, client_address text) IS 'Finishes a password grant whose password was right: throttle, organization, second step or refresh family, audit.';

CREATE FUNCTION public.app_member_of_current_org(candidate uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
        SELECT EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = candidate
                         AND m.organization_id = app_current_org_id())
    $$;

COMMENT ON FUNCTION public.app_member_of_current_org(candidate uuid) IS 'Used by the users policy; memberships stay under their own tenant policy inside it.';

CREATE FUNCTION public.app_pending_registration(candidate uuid) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    caller_org text := coalesce(current_setting('app.org_id', true), '');
    caller_user text := coalesce(current_setting('app.user_id', true), '');
    caller_anonymous text := coalesce(current_setting('app.anonymous', true), '');
    org uuid;
    pure boolean;
BEGIN
    PERFORM set_config('app.anonymous', 'on', true);
    PERFORM set_config('app.org_id', '', true);
    PERFORM set_config('app.user_id', candidate::text, true);
    SELECT t.organization_id INTO org
    FROM users u
    JOIN LATERAL (
        SELECT organization_id FROM one_time_tokens
        WHERE user_id = u.id AND purpose = 'verify_email' AND organization_id IS NOT NULL
        ORDER BY created_at DESC LIMIT 1
    ) t ON true
    WHERE u.id = candidate AND u.email_verified_at IS NULL AND u.disabled_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM memberships m
                      WHERE m.user_id = u.id AND m.organization_id <> t.organization_id)
      AND NOT EXISTS (SELECT 1 FROM one_time_tokens s
                      WHERE s.user_id = u.id AND s.purpose = 'set_password');
    IF org IS NOT NULL THEN
        PERFORM set_config('app.org_id', org::text, true);
        SELECT NOT EXISTS (SELECT 1 FROM memberships m
                           WHERE m.organization_id = org AND m.user_id <> candidate)
           AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.organization_id = org)
          INTO pure;
        IF NOT pure THEN
            org := NULL;
        END IF;
    END IF;
    PERFORM set_config('app.org_id', caller_org, true);
    PERFORM set_config('app.user_id', caller_user, true);
    PERFORM set_config('app.anonymous', caller_anonymous, true);
    RETURN org;
END
$$;

COMMENT ON FUNCTION public.app_pending_registration(candidate uuid) IS 'The organization of a pure pending self-registration, or NULL.';

CREATE FUNCTION public.app_resolve_organization(by_slug text, by_domain text) RETURNS TABLE(id uuid, name text, slug text, logo_url text, icon_url text, language_code text)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true), set_config('app.resolve', 'on', true);
    IF by_slug IS NOT NULL THEN
        RETURN QUERY SELECT o.id, o.name, o.slug, o.logo_url, o.icon_url, o.language_code
                     FROM organizations o WHERE o.slug = by_slug;
    ELSE
        RETURN QUERY SELECT o.id, o.name, o.slug, o.logo_url, o.icon_url, o.language_code
                     FROM organization_domains d
                     JOIN organizations o ON o.id = d.organization_id
                     WHERE d.domain = by_domain AND d.status = 'verified';
    END IF;
    PERFORM set_config('app.resolve', '', true);
END
$$;

COMMENT ON FUNCTION public.app_resolve_organization(by_slug text, by_domain text) IS 'An organization''s public card by slug or by a verified custom domain.';

CREATE FUNCTION public.app_session_caller(org uuid, usr uuid) RETURNS TABLE(id uuid, email text, name text, email_verified boolean, active boolean, role_id uuid, role_code text, practitioner_id text, organization_id uuid, created_at timestamp with time zone, updated_at timestamp with time zone, accepted boolean, disabled_at timestamp with time zone, permissions text[], sessions_since timestamp with time zone, sessions_epoch bigint)
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM set_config('app.org_id', org::text, true), set_config('app.user_id', usr::text, true),
            set_config('app.anonymous', '', true);
    RETURN QUERY
        SELECT m.user_id, u.email, m.name,
               u.email_verified_at IS NOT NULL AND m.accepted_at IS NOT NULL,
               m.active, m.role_id, r.code, m.practitioner_id, m.organization_id,
               m.created_at, m.updated_at,
               m.accepted_at IS NOT NULL, u.disabled_at, r.permissions, m.sessions_since,
               u.sessions_epoch
        FROM memberships m
        JOIN users u ON u.id = m.user_id
        JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
        WHERE m.organization_id = org AND m.user_id = usr;
END
$$;

COMMENT ON FUNCTION public.app_session_caller(org uuid, usr uuid) IS 'The caller of an authenticated request, read inside the token''s organization in one statement.';

CREATE FUNCTION public.audit_events_refuse_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION public.mail_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
BEGIN
    PERFORM pg_notify('mail_outbox', '');
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION public.mail_outbox_notify() IS 'Sends NOTIFY mail_outbox after rows are added to the outbox.';

CREATE FUNCTION public.throttle_reserve(keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    moment timestamptz := coalesce(now_at, now());
    waived boolean;
    k text[];
    l integer[];
    w integer[];
    blocked_for integer;
BEGIN
    waived := known IS NOT NULL AND EXISTS (
        SELECT 1 FROM throttle_counters c WHERE c.key = known AND c.window_ends_at > moment);
    SELECT array_agg(r.key ORDER BY r.key), array_agg(r.max_failures ORDER BY r.key),
           array_agg(r.window_seconds ORDER BY r.key)
      INTO k, l, w
    FROM (
        SELECT DISTINCT ON (u.key) u.key, u.max_failures, u.window_seconds
        FROM unnest(keys, limits, windows, waivable)
             AS u (key, max_failures, window_seconds, waivable)
        WHERE NOT (waived AND u.waivable)
        ORDER BY u.key
    ) r;
    IF k IS NULL THEN
        RETURN 0;
    END IF;
    -- Rows are created and then locked in key order, so concurrent calls cannot deadlock.
    INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
    SELECT r.key, 0, r.max_failures, moment + make_interval(secs => r.window_seconds)
    FROM unnest(k, l, w) AS r (key, max_failures, window_seconds)
    ORDER BY r.key
    ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM throttle_counters t WHERE t.key = ANY (k) ORDER BY t.key FOR UPDATE;
    SELECT coalesce(max(ceil(extract(epoch FROM t.window_ends_at - moment))), 0)::integer
      INTO blocked_for
    FROM throttle_counters t JOIN unnest(k, l) AS r (key, max_failures) ON r.key = t.key
    WHERE t.window_ends_at > moment AND t.failures >= r.max_failures;
    IF blocked_for > 0 THEN
        RETURN blocked_for;
    END IF;
    UPDATE throttle_counters t SET
        failures = CASE WHEN t.window_ends_at <= moment THEN 1 ELSE t.failures + 1 END,
        max_failures = r.max_failures,
        window_ends_at = CASE WHEN t.window_ends_at <= moment
                              THEN moment + make_interval(secs => r.window_seconds)
                              ELSE t.window_ends_at END
    FROM unnest(k, l, w) AS r (key, max_failures, window_seconds)
    WHERE t.key = r.key;
    RETURN 0;
END
$$;

COMMENT ON FUNCTION public.throttle_reserve(keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) IS 'Counts one attempt on every key, or on none when any key is at its limit; 0 or the seconds to wait.';

CREATE FUNCTION public.throttle_settle(refund text[], clear text[], known text, known_seconds integer, now_at timestamp with time zone) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    moment timestamptz := coalesce(now_at, now());
BEGIN
    PERFORM 1 FROM throttle_counters t
    WHERE t.key = ANY (refund) OR t.key = ANY (clear)
    ORDER BY t.key
    FOR UPDATE;
    UPDATE throttle_counters t SET failures = greatest(t.failures - 1, 0)
    WHERE t.key = ANY (refund) AND t.window_ends_at > moment;
    DELETE FROM throttle_counters t WHERE t.key = ANY (clear);
    IF known IS NOT NULL THEN
        INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
        VALUES (known, 0, 1, moment + make_interval(secs => known_seconds))
        ON CONFLICT (key) DO UPDATE SET window_ends_at = excluded.window_ends_at;
    END IF;
END
$$;

COMMENT ON FUNCTION public.throttle_settle(refund text[], clear text[], known text, known_seconds integer, now_at timestamp with time zone) IS 'Gives reservations back after a success and remembers the client that succeeded.';

CREATE TABLE public.app_client_secrets (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    app_client_id uuid NOT NULL,
    secret_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT app_client_secrets_hash_check CHECK ((octet_length(secret_hash) = 32))
);

ALTER TABLE ONLY public.app_client_secrets FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.app_client_secrets IS 'Keyed hashes of app client secrets; a rotated-out secret works until expires_at.';

CREATE TABLE public.app_clients (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    client_id text NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    user_type text DEFAULT 'builder'::text NOT NULL,
    role_id uuid NOT NULL,
    token_endpoint_auth_method text NOT NULL,
    redirect_uris text[] DEFAULT '{}'::text[] NOT NULL,
    post_logout_redirect_uris text[] DEFAULT '{}'::text[] NOT NULL,
    allowed_origins text[] DEFAULT '{}'::text[] NOT NULL,
    jwks jsonb,
    jwks_uri text,
    password_grant boolean DEFAULT false NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    tokens_since timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT app_clients_allowed_origins_check CHECK ((cardinality(allowed_origins) <= 20)),
    CONSTRAINT app_clients_auth_method_check CHECK ((token_endpoint_auth_method = ANY (ARRAY['client_secret_basic'::text, 'client_secret_post'::text, 'private_key_jwt'::text, 'none'::text]))),
    CONSTRAINT app_clients_client_id_check CHECK ((client_id ~ '^[A-Za-z0-9_-]{16,64}$'::text)),
    CONSTRAINT app_clients_jwks_check CHECK (((jwks IS NULL) OR ((jsonb_typeof(jwks) = 'object'::text) AND (pg_column_size(jwks) < 65536)))),
    CONSTRAINT app_clients_jwks_uri_check CHECK ((char_length(jwks_uri) <= 2000)),
    CONSTRAINT app_clients_keys_check CHECK (((token_endpoint_auth_method <> 'private_key_jwt'::text) OR (num_nonnulls(jwks, jwks_uri) = 1))),
    CONSTRAINT app_clients_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT app_clients_password_grant_check CHECK (((type <> 'machine_to_machine'::text) OR (NOT password_grant))),
    CONSTRAINT app_clients_post_logout_uris_check CHECK ((cardinality(post_logout_redirect_uris) <= 20)),
    CONSTRAINT app_clients_public_check CHECK (((token_endpoint_auth_method = 'none'::text) = (type = ANY (ARRAY['single_page_application'::text, 'native'::text])))),
    CONSTRAINT app_clients_redirect_uris_check CHECK ((cardinality(redirect_uris) <= 20)),
    CONSTRAINT app_clients_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text]))),
    CONSTRAINT app_clients_type_check CHECK ((type = ANY (ARRAY['machine_to_machine'::text, 'regular_web_application'::text, 'single_page_application'::text, 'native'::text]))),
    CONSTRAINT app_clients_user_type_check CHECK ((user_type = 'builder'::text))
);

ALTER TABLE ONLY public.app_clients FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.app_clients IS 'Applications of an organization, each acting with one of its roles (Zus auth/app-clients).';

COMMENT ON COLUMN public.app_clients.client_id IS 'The public identifier sent to the token endpoint.';

COMMENT ON COLUMN public.app_clients.tokens_since IS 'Tokens issued to the client before this moment are refused (set when it is disabled).';

CREATE TABLE public.audit_events (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    actor_user_id uuid,
    actor_kind text NOT NULL,
    action text NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    changes jsonb DEFAULT '{}'::jsonb NOT NULL,
    request_id text,
    address text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    client_request_id text,
    actor_client_id uuid,
    CONSTRAINT audit_events_action_check CHECK (((action ~ '^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$'::text) AND (length(action) <= 64))),
    CONSTRAINT audit_events_actor_check CHECK (((actor_kind = 'user'::text) = (actor_user_id IS NOT NULL))),
    CONSTRAINT audit_events_actor_client_check CHECK (((actor_kind = 'app_client'::text) = (actor_client_id IS NOT NULL))),
    CONSTRAINT audit_events_actor_kind_check CHECK ((actor_kind = ANY (ARRAY['user'::text, 'system'::text, 'anonymous'::text, 'app_client'::text]))),
    CONSTRAINT audit_events_address_check CHECK ((length(address) <= 100)),
    CONSTRAINT audit_events_changes_object_check CHECK ((jsonb_typeof(changes) = 'object'::text)),
    CONSTRAINT audit_events_changes_size_check CHECK ((pg_column_size(changes) < 16384)),
    CONSTRAINT audit_events_client_request_id_check CHECK ((length(client_request_id) <= 64)),
    CONSTRAINT audit_events_request_id_check CHECK ((length(request_id) <= 200)),
    CONSTRAINT audit_events_resource_id_check CHECK (((length(resource_id) >= 1) AND (length(resource_id) <= 200))),
    CONSTRAINT audit_events_resource_type_check CHECK (((resource_type ~ '^[a-z]+/[a-z]+(-[a-z]+)*$'::text) AND (length(resource_type) <= 64)))
);

ALTER TABLE ONLY public.audit_events FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.audit_events IS 'Append-only audit trail per organization; written in the transaction of the change.';

COMMENT ON COLUMN public.audit_events.actor_user_id IS 'The acting user as it was; no foreign key, so the trail outlives the account.';

COMMENT ON COLUMN public.audit_events.changes IS 'Field-level diff {"field": {"before": x, "after": y}}; secrets are never recorded.';

COMMENT ON COLUMN public.audit_events.request_id IS 'The id the service gave the request that made the change (its X-Request-ID answer).';

COMMENT ON COLUMN public.audit_events.address IS 'The client address the request came from, when known.';

COMMENT ON COLUMN public.audit_events.client_request_id IS 'The X-Request-ID the client sent with that request, if any: the client''s word only.';

COMMENT ON COLUMN public.audit_events.actor_client_id IS 'The acting app client (its id), as it was; no foreign key, the trail outlives it.';

CREATE TABLE public.authorization_codes (
    code_hash bytea NOT NULL,
    organization_id uuid NOT NULL,
    app_client_id uuid NOT NULL,
    user_id uuid NOT NULL,
    redirect_uri text NOT NULL,
    code_challenge text NOT NULL,
    scope text DEFAULT ''::text NOT NULL,
    nonce text,
    auth_time timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    issued_family uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    amr text[] DEFAULT '{pwd}'::text[] NOT NULL,
    CONSTRAINT authorization_codes_challenge_check CHECK ((code_challenge ~ '^[A-Za-z0-9_-]{43}$'::text)),
    CONSTRAINT authorization_codes_hash_check CHECK ((octet_length(code_hash) = 32)),
    CONSTRAINT authorization_codes_nonce_check CHECK ((char_length(nonce) <= 500)),
    CONSTRAINT authorization_codes_redirect_check CHECK ((char_length(redirect_uri) <= 2000)),
    CONSTRAINT authorization_codes_scope_check CHECK ((char_length(scope) <= 1000))
);

ALTER TABLE ONLY public.authorization_codes FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.authorization_codes IS 'Single-use authorization codes (hashed), bound to client, redirect URI and PKCE challenge.';

CREATE TABLE public.client_assertions (
    client_id text NOT NULL,
    jti text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT client_assertions_jti_check CHECK (((char_length(jti) >= 1) AND (char_length(jti) <= 200)))
);

COMMENT ON TABLE public.client_assertions IS 'Used client assertion ids (replay protection).';

CREATE TABLE public.invitations (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    email text NOT NULL,
    role_id uuid,
    invited_by uuid,
    token_hash bytea NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    accepted_user_id uuid,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    membership_request boolean DEFAULT false NOT NULL,
    CONSTRAINT invitations_email_check CHECK (((char_length(email) >= 3) AND (char_length(email) <= 254))),
    CONSTRAINT invitations_pending_role_check CHECK (((status <> 'pending'::text) OR (role_id IS NOT NULL))),
    CONSTRAINT invitations_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'accepted'::text, 'revoked'::text]))),
    CONSTRAINT invitations_token_hash_check CHECK ((octet_length(token_hash) = 32))
);

ALTER TABLE ONLY public.invitations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.invitations IS 'Invitations to join an organization; pending, accepted or revoked (expiry is read from expires_at).';

COMMENT ON COLUMN public.invitations.membership_request IS 'true for the link that asks an existing account to accept a membership an administrator created; such rows are not listed as invitations.';

CREATE TABLE public.mail_outbox (
    id uuid NOT NULL,
    message_id text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    body_text text,
    body_html text,
    template text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    lease_id uuid,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT mail_outbox_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT mail_outbox_bodies_check CHECK (((status = 'pending'::text) = ((body_text IS NOT NULL) AND (body_html IS NOT NULL)))),
    CONSTRAINT mail_outbox_sent_at_check CHECK (((status = 'sent'::text) = (sent_at IS NOT NULL))),
    CONSTRAINT mail_outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'dead'::text])))
);

COMMENT ON TABLE public.mail_outbox IS 'Outgoing mail, written in the transaction that causes it and delivered by the mail worker.';

COMMENT ON COLUMN public.mail_outbox.message_id IS 'RFC 5322 Message-ID fixed at enqueue: every retry carries the same one.';

COMMENT ON COLUMN public.mail_outbox.body_text IS 'Plain-text part; cleared once the message is sent or dead.';

COMMENT ON COLUMN public.mail_outbox.body_html IS 'HTML part; cleared once the message is sent or dead.';

COMMENT ON COLUMN public.mail_outbox.attempts IS 'How many times a worker has claimed the message.';

COMMENT ON COLUMN public.mail_outbox.locked_until IS 'Lease: a worker holds the row until then; afterwards any worker may claim it.';

COMMENT ON COLUMN public.mail_outbox.lease_id IS 'Identifies the claim that holds the lease, so a late worker cannot overwrite a newer claim.';

CREATE TABLE public.memberships (
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role_id uuid NOT NULL,
    practitioner_id text,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    sessions_since timestamp with time zone DEFAULT now() NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    accepted_at timestamp with time zone DEFAULT now(),
    CONSTRAINT memberships_name_check CHECK ((char_length(name) <= 200)),
    CONSTRAINT memberships_practitioner_check CHECK ((practitioner_id ~ '^[A-Za-z0-9.-]{1,64}$'::text))
);

ALTER TABLE ONLY public.memberships FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memberships IS 'Who belongs to which organization, with which role.';

COMMENT ON COLUMN public.memberships.practitioner_id IS 'FHIR Practitioner id; the token carries it as fhirUser.';

COMMENT ON COLUMN public.memberships.sessions_since IS 'When the membership last became active; access tokens issued earlier are refused.';

COMMENT ON COLUMN public.memberships.name IS 'The person''s name as this organization shows it; no other organization can change it.';

COMMENT ON COLUMN public.memberships.accepted_at IS 'When the person accepted the membership; NULL while an existing account has not yet followed the link that asks them to join. No token is issued for a pending membership.';

CREATE TABLE public.mfa_challenges (
    token_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    sessions_epoch bigint NOT NULL,
    purpose text NOT NULL,
    app_client_id uuid,
    browser_family uuid,
    enrol boolean DEFAULT false NOT NULL,
    auth_time timestamp with time zone NOT NULL,
    amr text[] DEFAULT '{pwd}'::text[] NOT NULL,
    satisfied text[],
    passkey_challenge bytea,
    failures integer DEFAULT 0 NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mfa_challenges_hash_check CHECK ((octet_length(token_hash) = 32)),
    CONSTRAINT mfa_challenges_purpose_check CHECK ((purpose = ANY (ARRAY['grant'::text, 'page'::text])))
);

ALTER TABLE ONLY public.mfa_challenges FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.mfa_challenges IS 'Pending second steps of sign-ins (hashed opaque tokens), single use, five minutes.';

COMMENT ON COLUMN public.mfa_challenges.browser_family IS 'A browser session asked for its second factor again (re-prompt): it is that session''s.';

COMMENT ON COLUMN public.mfa_challenges.satisfied IS 'The factor methods given on the page (after enrolling), before the person continues.';

CREATE TABLE public.mfa_factors (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    label text NOT NULL,
    secret bytea,
    last_step bigint,
    credential_id bytea,
    public_key bytea,
    sign_count bigint DEFAULT 0 NOT NULL,
    transports text[] DEFAULT '{}'::text[] NOT NULL,
    discoverable boolean DEFAULT false NOT NULL,
    challenge bytea,
    confirmed_at timestamp with time zone,
    last_used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mfa_factors_kind_check CHECK ((kind = ANY (ARRAY['totp'::text, 'webauthn'::text]))),
    CONSTRAINT mfa_factors_label_check CHECK (((char_length(label) >= 1) AND (char_length(label) <= 100))),
    CONSTRAINT mfa_factors_passkey_check CHECK (((kind <> 'webauthn'::text) OR (confirmed_at IS NULL) OR ((credential_id IS NOT NULL) AND (public_key IS NOT NULL)))),
    CONSTRAINT mfa_factors_secret_check CHECK (((kind = 'totp'::text) = (secret IS NOT NULL)))
);

ALTER TABLE ONLY public.mfa_factors FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.mfa_factors IS 'Second factors: TOTP (secret sealed with AES-256-GCM) and passkeys (public key only).';

COMMENT ON COLUMN public.mfa_factors.last_step IS 'The last TOTP time step accepted: a step is never accepted twice.';

COMMENT ON COLUMN public.mfa_factors.challenge IS 'A passkey registration''s pending challenge, until it is confirmed.';

CREATE TABLE public.mfa_recovery_codes (
    user_id uuid NOT NULL,
    code_hash bytea NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mfa_recovery_codes_hash_check CHECK ((octet_length(code_hash) = 32))
);

ALTER TABLE ONLY public.mfa_recovery_codes FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.mfa_recovery_codes IS 'Single-use recovery codes (SHA-256), shown once.';

CREATE TABLE public.one_time_tokens (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    token_hash bytea NOT NULL,
    email text NOT NULL,
    organization_id uuid,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    client_id text,
    CONSTRAINT one_time_tokens_client_check CHECK ((char_length(client_id) <= 200)),
    CONSTRAINT one_time_tokens_purpose_check CHECK ((purpose = ANY (ARRAY['verify_email'::text, 'password_reset'::text, 'set_password'::text]))),
    CONSTRAINT one_time_tokens_token_hash_check CHECK ((octet_length(token_hash) = 32))
);

ALTER TABLE ONLY public.one_time_tokens FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.one_time_tokens IS 'Hashed single-use tokens for links in mail.';

COMMENT ON COLUMN public.one_time_tokens.organization_id IS 'For verify_email: the organization the pending registration created.';

COMMENT ON COLUMN public.one_time_tokens.client_id IS 'For set_password: the clientId whose configured redirect the page links to afterwards.';

CREATE TABLE public.organization_domains (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    domain text NOT NULL,
    domain_type text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    verification_token text NOT NULL,
    verified_at timestamp with time zone,
    last_check_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organization_domains_domain_check CHECK (((char_length(domain) <= 253) AND (domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'::text))),
    CONSTRAINT organization_domains_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'verified'::text]))),
    CONSTRAINT organization_domains_token_check CHECK ((char_length(verification_token) = 36)),
    CONSTRAINT organization_domains_type_check CHECK ((domain_type = ANY (ARRAY['clinic'::text, 'portal'::text]))),
    CONSTRAINT organization_domains_verified_check CHECK (((status = 'verified'::text) = (verified_at IS NOT NULL)))
);

ALTER TABLE ONLY public.organization_domains FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.organization_domains IS 'Custom hostnames of an organization; resolve only while verified by DNS.';

CREATE TABLE public.roles (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    is_managed boolean DEFAULT false NOT NULL,
    permissions text[] DEFAULT '{}'::text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT roles_code_check CHECK ((code ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT roles_description_check CHECK ((char_length(description) <= 1000)),
    CONSTRAINT roles_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 100)))
);

ALTER TABLE ONLY public.roles FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.roles IS 'Per-organization roles; each member holds exactly one.';

COMMENT ON COLUMN public.roles.is_managed IS 'true for the roles every organization gets; those are read-only.';

CREATE TABLE public.users (
    id uuid NOT NULL,
    email text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    given_name text,
    family_name text,
    password_hash text,
    email_verified_at timestamp with time zone,
    disabled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_organization_id uuid,
    sessions_epoch bigint DEFAULT 0 NOT NULL,
    CONSTRAINT users_email_check CHECK ((((char_length(email) >= 3) AND (char_length(email) <= 254)) AND (strpos(email, '@'::text) > 1))),
    CONSTRAINT users_email_lower_check CHECK ((email = lower(email))),
    CONSTRAINT users_family_name_check CHECK ((char_length(family_name) <= 100)),
    CONSTRAINT users_given_name_check CHECK ((char_length(given_name) <= 100)),
    CONSTRAINT users_name_check CHECK ((char_length(name) <= 200)),
    CONSTRAINT users_sessions_epoch_check CHECK ((sessions_epoch >= 0))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.users IS 'People who can sign in; organization access comes from memberships.';

COMMENT ON COLUMN public.users.password_hash IS 'argon2id PHC string; NULL until the user sets a password.';

COMMENT ON COLUMN public.users.email_verified_at IS 'NULL until the address is proven by a link sent to it.';

COMMENT ON COLUMN public.users.last_organization_id IS 'Where the last login or switch went; the default next time.';

COMMENT ON COLUMN public.users.sessions_epoch IS 'Raised when all of the person''s sessions end; tokens of an earlier epoch are refused.';

CREATE VIEW public.organization_members WITH (security_invoker='true') AS
 SELECT m.user_id AS id,
    u.email,
    m.name,
    ((u.email_verified_at IS NOT NULL) AND (m.accepted_at IS NOT NULL)) AS email_verified,
    m.active,
    m.role_id,
    r.code AS role_code,
    m.practitioner_id,
    m.organization_id,
    m.created_at,
    m.updated_at
   FROM ((public.memberships m
     JOIN public.users u ON ((u.id = m.user_id)))
     JOIN public.roles r ON (((r.organization_id = m.organization_id) AND (r.id = m.role_id))));

COMMENT ON VIEW public.organization_members IS 'A member as the organization shows it; row-level security of the caller applies.';

CREATE TABLE public.organizations (
    id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    tagline text,
    description text,
    email text,
    phone text,
    website text,
    location text,
    logo_url text,
    icon_url text,
    language_code text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    mfa_required boolean DEFAULT false NOT NULL,
    mfa_reprompt_hours integer DEFAULT 72 NOT NULL,
    CONSTRAINT organizations_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT organizations_email_check CHECK ((char_length(email) <= 254)),
    CONSTRAINT organizations_icon_url_check CHECK ((char_length(icon_url) <= 2048)),
    CONSTRAINT organizations_language_code_check CHECK ((language_code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'::text)),
    CONSTRAINT organizations_location_check CHECK ((char_length(location) <= 200)),
    CONSTRAINT organizations_logo_url_check CHECK ((char_length(logo_url) <= 2048)),
    CONSTRAINT organizations_mfa_reprompt_hours_check CHECK (((mfa_reprompt_hours >= 0) AND (mfa_reprompt_hours <= 2160))),
    CONSTRAINT organizations_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT organizations_phone_check CHECK ((char_length(phone) <= 50)),
    CONSTRAINT organizations_slug_check CHECK (((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text) AND (char_length(slug) <= 63))),
    CONSTRAINT organizations_tagline_check CHECK ((char_length(tagline) <= 200)),
    CONSTRAINT organizations_website_check CHECK ((char_length(website) <= 2048))
);

ALTER TABLE ONLY public.organizations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.organizations IS 'Tenants: a hospital, clinic, laboratory or application developer.';

COMMENT ON COLUMN public.organizations.slug IS 'Unique, URL-safe and immutable after creation.';

COMMENT ON COLUMN public.organizations.mfa_required IS 'Members must give a second factor before any token is issued for this organization.';

COMMENT ON COLUMN public.organizations.mfa_reprompt_hours IS 'How long a browser session''s second factor counts before it is asked for again.';

CREATE TABLE public.passkey_challenges_used (
    challenge_hash bytea NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT passkey_challenges_used_hash_check CHECK ((octet_length(challenge_hash) = 32))
);

ALTER TABLE ONLY public.passkey_challenges_used FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.passkey_challenges_used IS 'Challenges of passkey sign-ins already used (SHA-256), kept until they expire.';

CREATE TABLE public.platform_operators (
    user_id uuid NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    granted_by text NOT NULL,
    CONSTRAINT platform_operators_granted_by_check CHECK (((char_length(granted_by) >= 1) AND (char_length(granted_by) <= 200)))
);

ALTER TABLE ONLY public.platform_operators FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.platform_operators IS 'People with the platform operator role; written only by the owner role (the CLI).';

CREATE TABLE public.refresh_tokens (
    id uuid NOT NULL,
    family_id uuid NOT NULL,
    user_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    parent_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    rotated_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoked_reason text,
    sessions_epoch bigint DEFAULT 0 NOT NULL,
    app_client_id uuid,
    browser boolean DEFAULT false NOT NULL,
    amr text[] DEFAULT '{pwd}'::text[] NOT NULL,
    auth_time timestamp with time zone DEFAULT now() NOT NULL,
    mfa_at timestamp with time zone,
    CONSTRAINT refresh_tokens_revoked_reason_check CHECK ((revoked_reason = ANY (ARRAY['logout'::text, 'reuse'::text, 'password_reset'::text, 'deactivated'::text, 'removed'::text, 'left'::text, 'code_reuse'::text, 'client_removed'::text, 'mfa_reset'::text]))),
    CONSTRAINT refresh_tokens_token_hash_check CHECK ((octet_length(token_hash) = 32))
);

ALTER TABLE ONLY public.refresh_tokens FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.refresh_tokens IS 'Hashed, rotating refresh tokens grouped in families.';

COMMENT ON COLUMN public.refresh_tokens.organization_id IS 'The organization the session acts in now.';

COMMENT ON COLUMN public.refresh_tokens.sessions_epoch IS 'The user''s sessions epoch when the family began; an older one never rotates again.';

COMMENT ON COLUMN public.refresh_tokens.app_client_id IS 'The app client the family was issued to; none for the first-party client.';

COMMENT ON COLUMN public.refresh_tokens.browser IS 'A browser session of the hosted sign-in page (its cookie), not a refresh token.';

COMMENT ON COLUMN public.refresh_tokens.amr IS 'How the family''s sign-in was made (RFC 8176 methods).';

COMMENT ON COLUMN public.refresh_tokens.auth_time IS 'When the family''s person last authenticated (signed in, or gave a second factor again).';

COMMENT ON COLUMN public.refresh_tokens.mfa_at IS 'When the family''s person last gave a second factor.';

CREATE TABLE public.registration_discards (
    discarded_org_id uuid NOT NULL,
    user_id uuid NOT NULL,
    reason text NOT NULL,
    discarded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT registration_discards_reason_check CHECK ((reason = ANY (ARRAY['replaced'::text, 'expired'::text])))
);

COMMENT ON TABLE public.registration_discards IS 'Organizations of pending self-registrations that were replaced or expired unverified.';

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.signing_keys (
    kid text NOT NULL,
    algorithm text NOT NULL,
    public_jwk jsonb NOT NULL,
    private_key bytea NOT NULL,
    encrypted boolean NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    signing_until timestamp with time zone,
    published_until timestamp with time zone,
    signing_from timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT signing_keys_algorithm_check CHECK ((algorithm = ANY (ARRAY['RS256'::text, 'ES256'::text, 'Ed25519'::text]))),
    CONSTRAINT signing_keys_kid_check CHECK ((kid ~ '^[A-Za-z0-9_-]{16,64}$'::text)),
    CONSTRAINT signing_keys_public_jwk_check CHECK (((jsonb_typeof(public_jwk) = 'object'::text) AND ((public_jwk ->> 'kid'::text) = kid) AND ((public_jwk ->> 'alg'::text) = algorithm))),
    CONSTRAINT signing_keys_retirement_check CHECK ((((signing_until IS NULL) = (published_until IS NULL)) AND ((published_until IS NULL) OR (published_until >= signing_until)))),
    CONSTRAINT signing_keys_window_check CHECK (((signing_until IS NULL) OR (signing_until >= signing_from)))
);

COMMENT ON TABLE public.signing_keys IS 'Keys that sign access tokens; public halves are served as the JWKS.';

COMMENT ON COLUMN public.signing_keys.public_jwk IS 'The public JWK as published, with kid, alg and use.';

COMMENT ON COLUMN public.signing_keys.private_key IS 'PKCS#8 PEM, or nonce || AES-256-GCM ciphertext of it (kid as associated data) when encrypted.';

COMMENT ON COLUMN public.signing_keys.signing_until IS 'When the key stops signing (may lie ahead, until its successor starts); NULL while no successor is set.';

COMMENT ON COLUMN public.signing_keys.published_until IS 'When the key leaves the JWKS: signing_until plus the access-token lifetime and a margin.';

COMMENT ON COLUMN public.signing_keys.signing_from IS 'When the key starts signing; it is published from its creation, so verifiers know it first.';

CREATE TABLE public.throttle_counters (
    key text NOT NULL,
    failures integer NOT NULL,
    max_failures integer NOT NULL,
    window_ends_at timestamp with time zone NOT NULL,
    CONSTRAINT throttle_counters_failures_check CHECK ((failures >= 0)),
    CONSTRAINT throttle_counters_key_check CHECK (((char_length(key) >= 1) AND (char_length(key) <= 512))),
    CONSTRAINT throttle_counters_max_failures_check CHECK ((max_failures >= 1))
);

COMMENT ON TABLE public.throttle_counters IS 'Attempts per key (an account, a client address, a recipient) in the current window; an attempt is refused while failures >= max_failures and the window is open.';

COMMENT ON COLUMN public.throttle_counters.key IS 'What is counted, e.g. login:account:<lowercased e-mail> or login:ip:<address>.';

COMMENT ON COLUMN public.throttle_counters.failures IS 'Attempts reserved in the window and not given back by a success.';

COMMENT ON COLUMN public.throttle_counters.max_failures IS 'The limit in force when the last failure was counted.';

COMMENT ON COLUMN public.throttle_counters.window_ends_at IS 'When the count lapses; rows past it are dead and may be deleted at any time.';

ALTER TABLE ONLY public.app_client_secrets
    ADD CONSTRAINT app_client_secrets_hash_key UNIQUE (secret_hash);

ALTER TABLE ONLY public.app_client_secrets
    ADD CONSTRAINT app_client_secrets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.app_clients
    ADD CONSTRAINT app_clients_client_id_key UNIQUE (client_id);

ALTER TABLE ONLY public.app_clients
    ADD CONSTRAINT app_clients_org_id_key UNIQUE (organization_id, id);

ALTER TABLE ONLY public.app_clients
    ADD CONSTRAINT app_clients_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.authorization_codes
    ADD CONSTRAINT authorization_codes_pkey PRIMARY KEY (code_hash);

ALTER TABLE ONLY public.client_assertions
    ADD CONSTRAINT client_assertions_pkey PRIMARY KEY (client_id, jti);

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_token_key UNIQUE (token_hash);

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_message_id_key UNIQUE (message_id);

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (organization_id, user_id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_practitioner_key UNIQUE (organization_id, practitioner_id);

ALTER TABLE ONLY public.mfa_challenges
    ADD CONSTRAINT mfa_challenges_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY public.mfa_factors
    ADD CONSTRAINT mfa_factors_credential_key UNIQUE (credential_id);

ALTER TABLE ONLY public.mfa_factors
    ADD CONSTRAINT mfa_factors_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.mfa_recovery_codes
    ADD CONSTRAINT mfa_recovery_codes_pkey PRIMARY KEY (user_id, code_hash);

ALTER TABLE ONLY public.one_time_tokens
    ADD CONSTRAINT one_time_tokens_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.one_time_tokens
    ADD CONSTRAINT one_time_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.organization_domains
    ADD CONSTRAINT organization_domains_org_domain_key UNIQUE (organization_id, domain);

ALTER TABLE ONLY public.organization_domains
    ADD CONSTRAINT organization_domains_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);

ALTER TABLE ONLY public.passkey_challenges_used
    ADD CONSTRAINT passkey_challenges_used_pkey PRIMARY KEY (challenge_hash);

ALTER TABLE ONLY public.platform_operators
    ADD CONSTRAINT platform_operators_pkey PRIMARY KEY (user_id);

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.registration_discards
    ADD CONSTRAINT registration_discards_pkey PRIMARY KEY (discarded_org_id);

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_org_code_key UNIQUE (organization_id, code);

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_org_id_key UNIQUE (organization_id, id);

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.signing_keys
    ADD CONSTRAINT signing_keys_pkey PRIMARY KEY (kid);

ALTER TABLE ONLY public.throttle_counters
    ADD CONSTRAINT throttle_counters_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX app_client_secrets_client_idx ON public.app_client_secrets USING btree (app_client_id);

CREATE INDEX app_clients_org_idx ON public.app_clients USING btree (organization_id, id);

CREATE INDEX app_clients_role_idx ON public.app_clients USING btree (organization_id, role_id);

CREATE INDEX audit_events_org_action_idx ON public.audit_events USING btree (organization_id, action, created_at DESC, id DESC);

CREATE INDEX audit_events_org_actor_idx ON public.audit_events USING btree (organization_id, actor_user_id, created_at DESC, id DESC) WHERE (actor_user_id IS NOT NULL);

CREATE INDEX audit_events_org_created_idx ON public.audit_events USING btree (organization_id, created_at DESC, id DESC);

CREATE INDEX audit_events_org_resource_idx ON public.audit_events USING btree (organization_id, resource_type, resource_id, created_at DESC, id DESC);

CREATE INDEX authorization_codes_expires_idx ON public.authorization_codes USING btree (expires_at);

CREATE INDEX client_assertions_expires_idx ON public.client_assertions USING btree (expires_at);

CREATE INDEX invitations_org_idx ON public.invitations USING btree (organization_id, id);

CREATE UNIQUE INDEX invitations_pending_email_key ON public.invitations USING btree (organization_id, lower(email)) WHERE (status = 'pending'::text);

CREATE INDEX invitations_role_idx ON public.invitations USING btree (organization_id, role_id) WHERE (status = 'pending'::text);

CREATE INDEX mail_outbox_dead_idx ON public.mail_outbox USING btree (id) WHERE (status = 'dead'::text);

CREATE INDEX mail_outbox_done_idx ON public.mail_outbox USING btree (created_at) WHERE (status <> 'pending'::text);

CREATE INDEX mail_outbox_due_idx ON public.mail_outbox USING btree (next_attempt_at, id) WHERE (status = 'pending'::text);

CREATE INDEX memberships_role_idx ON public.memberships USING btree (organization_id, role_id);

CREATE INDEX memberships_user_idx ON public.memberships USING btree (user_id);

CREATE INDEX mfa_challenges_expires_idx ON public.mfa_challenges USING btree (expires_at);

CREATE INDEX mfa_factors_user_idx ON public.mfa_factors USING btree (user_id, created_at);

CREATE INDEX one_time_tokens_done_idx ON public.one_time_tokens USING btree (LEAST(expires_at, COALESCE(used_at, expires_at)));

CREATE INDEX one_time_tokens_user_idx ON public.one_time_tokens USING btree (user_id, purpose) WHERE (used_at IS NULL);

CREATE INDEX organization_domains_recheck_idx ON public.organization_domains USING btree (last_check_at) WHERE (status = 'verified'::text);

CREATE UNIQUE INDEX organization_domains_verified_key ON public.organization_domains USING btree (domain) WHERE (status = 'verified'::text);

CREATE INDEX refresh_tokens_client_idx ON public.refresh_tokens USING btree (organization_id, app_client_id) WHERE ((app_client_id IS NOT NULL) AND (revoked_at IS NULL));

CREATE INDEX refresh_tokens_family_idx ON public.refresh_tokens USING btree (family_id);

CREATE INDEX refresh_tokens_org_user_idx ON public.refresh_tokens USING btree (organization_id, user_id) WHERE (revoked_at IS NULL);

CREATE INDEX refresh_tokens_user_idx ON public.refresh_tokens USING btree (user_id) WHERE (revoked_at IS NULL);

CREATE UNIQUE INDEX roles_org_name_key ON public.roles USING btree (organization_id, lower(name));

CREATE INDEX signing_keys_published_idx ON public.signing_keys USING btree (published_until);

CREATE INDEX throttle_counters_window_ends_idx ON public.throttle_counters USING btree (window_ends_at);

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);

CREATE TRIGGER app_clients_deleted AFTER DELETE ON public.app_clients FOR EACH ROW EXECUTE FUNCTION public.app_clients_end_sessions();

CREATE TRIGGER app_clients_disabled AFTER UPDATE OF status ON public.app_clients FOR EACH ROW WHEN (((old.status = 'active'::text) AND (new.status = 'disabled'::text))) EXECUTE FUNCTION public.app_clients_end_sessions();

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON public.audit_events FOR EACH STATEMENT EXECUTE FUNCTION public.audit_events_refuse_update();

CREATE TRIGGER mail_outbox_notify AFTER INSERT ON public.mail_outbox FOR EACH STATEMENT EXECUTE FUNCTION public.mail_outbox_notify();

ALTER TABLE ONLY public.app_client_secrets
    ADD CONSTRAINT app_client_secrets_client_fkey FOREIGN KEY (organization_id, app_client_id) REFERENCES public.app_clients(organization_id, id) ON DELETE CASCADE;

ALTER TABLE ONLY public.app_clients
    ADD CONSTRAINT app_clients_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.app_clients
    ADD CONSTRAINT app_clients_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.app_clients
    ADD CONSTRAINT app_clients_role_fkey FOREIGN KEY (organization_id, role_id) REFERENCES public.roles(organization_id, id) ON DELETE RESTRICT;

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.authorization_codes
    ADD CONSTRAINT authorization_codes_client_fkey FOREIGN KEY (organization_id, app_client_id) REFERENCES public.app_clients(organization_id, id) ON DELETE CASCADE;

ALTER TABLE ONLY public.authorization_codes
    ADD CONSTRAINT authorization_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_accepted_user_id_fkey FOREIGN KEY (accepted_user_id) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_role_fkey FOREIGN KEY (organization_id, role_id) REFERENCES public.roles(organization_id, id) ON DELETE SET NULL (role_id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_role_fkey FOREIGN KEY (organization_id, role_id) REFERENCES public.roles(organization_id, id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mfa_challenges
    ADD CONSTRAINT mfa_challenges_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mfa_challenges
    ADD CONSTRAINT mfa_challenges_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mfa_factors
    ADD CONSTRAINT mfa_factors_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mfa_recovery_codes
    ADD CONSTRAINT mfa_recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.one_time_tokens
    ADD CONSTRAINT one_time_tokens_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.one_time_tokens
    ADD CONSTRAINT one_time_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.organization_domains
    ADD CONSTRAINT organization_domains_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.platform_operators
    ADD CONSTRAINT platform_operators_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.refresh_tokens(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_last_organization_id_fkey FOREIGN KEY (last_organization_id) REFERENCES public.organizations(id) ON DELETE SET NULL;

ALTER TABLE public.app_client_secrets ENABLE ROW LEVEL SECURITY;

CREATE POLICY app_client_secrets_anonymous_read ON public.app_client_secrets FOR SELECT USING ((current_setting('app.anonymous'::text, true) = 'on'::text));

CREATE POLICY app_client_secrets_tenant ON public.app_client_secrets USING ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)) WITH CHECK ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid));

ALTER TABLE public.app_clients ENABLE ROW LEVEL SECURITY;

CREATE POLICY app_clients_anonymous_read ON public.app_clients FOR SELECT USING ((current_setting('app.anonymous'::text, true) = 'on'::text));

CREATE POLICY app_clients_tenant ON public.app_clients USING ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)) WITH CHECK ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid));

ALTER TABLE public.audit_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_events_tenant ON public.audit_events USING ((organization_id = public.app_current_org_id())) WITH CHECK ((organization_id = public.app_current_org_id()));

ALTER TABLE public.authorization_codes ENABLE ROW LEVEL SECURITY;

CREATE POLICY authorization_codes_sweep ON public.authorization_codes FOR SELECT USING (((current_setting('app.anonymous'::text, true) = 'on'::text) AND (expires_at < (now() - '1 day'::interval))));

CREATE POLICY authorization_codes_sweep_delete ON public.authorization_codes FOR DELETE USING (((current_setting('app.anonymous'::text, true) = 'on'::text) AND (expires_at < (now() - '1 day'::interval))));

CREATE POLICY authorization_codes_tenant ON public.authorization_codes USING ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)) WITH CHECK ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid));

ALTER TABLE public.invitations ENABLE ROW LEVEL SECURITY;

CREATE POLICY invitations_tenant ON public.invitations USING ((organization_id = public.app_current_org_id())) WITH CHECK ((organization_id = public.app_current_org_id()));

ALTER TABLE public.memberships ENABLE ROW LEVEL SECURITY;

CREATE POLICY memberships_select_own ON public.memberships FOR SELECT USING ((user_id = public.app_current_user_id()));

CREATE POLICY memberships_tenant ON public.memberships USING ((organization_id = public.app_current_org_id())) WITH CHECK ((organization_id = public.app_current_org_id()));

ALTER TABLE public.mfa_challenges ENABLE ROW LEVEL SECURITY;

CREATE POLICY mfa_challenges_own ON public.mfa_challenges USING ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid)) WITH CHECK ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid));

CREATE POLICY mfa_challenges_sweep ON public.mfa_challenges FOR SELECT USING (((current_setting('app.anonymous'::text, true) = 'on'::text) AND (expires_at < (now() - '1 day'::interval))));

CREATE POLICY mfa_challenges_sweep_delete ON public.mfa_challenges FOR DELETE USING (((current_setting('app.anonymous'::text, true) = 'on'::text) AND (expires_at < (now() - '1 day'::interval))));

ALTER TABLE public.mfa_factors ENABLE ROW LEVEL SECURITY;

CREATE POLICY mfa_factors_own ON public.mfa_factors USING ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid)) WITH CHECK ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid));

CREATE POLICY mfa_factors_passkey_lookup ON public.mfa_factors FOR SELECT USING (((current_setting('app.anonymous'::text, true) = 'on'::text) AND (kind = 'webauthn'::text) AND (confirmed_at IS NOT NULL) AND (credential_id = decode(NULLIF(current_setting('app.credential_id'::text, true), ''::text), 'hex'::text))));

CREATE POLICY mfa_factors_reset_delete ON public.mfa_factors FOR DELETE USING (((user_id = (NULLIF(current_setting('app.mfa_reset'::text, true), ''::text))::uuid) AND (EXISTS ( SELECT 1
   FROM public.memberships m
  WHERE ((m.user_id = mfa_factors.user_id) AND (m.organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid))))));

CREATE POLICY mfa_factors_reset_select ON public.mfa_factors FOR SELECT USING (((user_id = (NULLIF(current_setting('app.mfa_reset'::text, true), ''::text))::uuid) AND (EXISTS ( SELECT 1
   FROM public.memberships m
  WHERE ((m.user_id = mfa_factors.user_id) AND (m.organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid))))));

ALTER TABLE public.mfa_recovery_codes ENABLE ROW LEVEL SECURITY;

CREATE POLICY mfa_recovery_codes_own ON public.mfa_recovery_codes USING ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid)) WITH CHECK ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid));

CREATE POLICY mfa_recovery_codes_reset_delete ON public.mfa_recovery_codes FOR DELETE USING (((user_id = (NULLIF(current_setting('app.mfa_reset'::text, true), ''::text))::uuid) AND (EXISTS ( SELECT 1
   FROM public.memberships m
  WHERE ((m.user_id = mfa_recovery_codes.user_id) AND (m.organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid))))));

CREATE POLICY mfa_recovery_codes_reset_select ON public.mfa_recovery_codes FOR SELECT USING (((user_id = (NULLIF(current_setting('app.mfa_reset'::text, true), ''::text))::uuid) AND (EXISTS ( SELECT 1
   FROM public.memberships m
  WHERE ((m.user_id = mfa_recovery_codes.user_id) AND (m.organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid))))));

ALTER TABLE public.one_time_tokens ENABLE ROW LEVEL SECURITY;

CREATE POLICY one_time_tokens_anonymous_or_member ON public.one_time_tokens USING ((current_setting('app.anonymous'::text, true) = 'on'::text)) WITH CHECK (((current_setting('app.anonymous'::text, true) = 'on'::text) OR ((organization_id = public.app_current_org_id()) AND public.app_member_of_current_org(user_id))));

ALTER TABLE public.organization_domains ENABLE ROW LEVEL SECURITY;

CREATE POLICY organization_domains_resolve ON public.organization_domains FOR SELECT USING (((current_setting('app.resolve'::text, true) = 'on'::text) AND (status = 'verified'::text)));

CREATE POLICY organization_domains_tenant ON public.organization_domains USING ((organization_id = public.app_current_org_id())) WITH CHECK ((organization_id = public.app_current_org_id()));

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;

CREATE POLICY organizations_resolve ON public.organizations FOR SELECT USING ((current_setting('app.resolve'::text, true) = 'on'::text));

CREATE POLICY organizations_select_member ON public.organizations FOR SELECT USING ((id IN ( SELECT m.organization_id
   FROM public.memberships m
  WHERE (m.user_id = public.app_current_user_id()))));

CREATE POLICY organizations_select_operator ON public.organizations FOR SELECT USING ((EXISTS ( SELECT 1
   FROM public.platform_operators p
  WHERE (p.user_id = public.app_current_user_id()))));

CREATE POLICY organizations_tenant ON public.organizations USING ((id = public.app_current_org_id())) WITH CHECK ((id = public.app_current_org_id()));

ALTER TABLE public.passkey_challenges_used ENABLE ROW LEVEL SECURITY;

CREATE POLICY passkey_challenges_used_anonymous ON public.passkey_challenges_used USING ((current_setting('app.anonymous'::text, true) = 'on'::text)) WITH CHECK ((current_setting('app.anonymous'::text, true) = 'on'::text));

ALTER TABLE public.platform_operators ENABLE ROW LEVEL SECURITY;

CREATE POLICY platform_operators_owner ON public.platform_operators TO auth_owner USING (true) WITH CHECK (true);

CREATE POLICY platform_operators_self ON public.platform_operators FOR SELECT USING ((user_id = public.app_current_user_id()));

ALTER TABLE public.refresh_tokens ENABLE ROW LEVEL SECURITY;

CREATE POLICY refresh_tokens_own ON public.refresh_tokens USING ((user_id = public.app_current_user_id())) WITH CHECK ((user_id = public.app_current_user_id()));

CREATE POLICY refresh_tokens_tenant ON public.refresh_tokens USING ((organization_id = public.app_current_org_id())) WITH CHECK ((organization_id = public.app_current_org_id()));

ALTER TABLE public.roles ENABLE ROW LEVEL SECURITY;

CREATE POLICY roles_select_member ON public.roles FOR SELECT USING ((EXISTS ( SELECT 1
   FROM public.memberships m
  WHERE ((m.organization_id = roles.organization_id) AND (m.role_id = roles.id) AND (m.user_id = public.app_current_user_id())))));

CREATE POLICY roles_tenant ON public.roles USING ((organization_id = public.app_current_org_id())) WITH CHECK ((organization_id = public.app_current_org_id()));

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_visible ON public.users USING (((current_setting('app.anonymous'::text, true) = 'on'::text) OR (id = public.app_current_user_id()) OR public.app_member_of_current_org(id))) WITH CHECK (true);

GRANT USAGE ON SCHEMA public TO auth_app;

REVOKE ALL ON FUNCTION public.app_client_budget(budget_key text, budget integer, window_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_client_budget(budget_key text, budget integer, window_seconds integer) TO auth_app;

REVOKE ALL ON FUNCTION public.app_client_credentials_caller(cid text, presented bytea, org uuid, usr uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_client_credentials_caller(cid text, presented bytea, org uuid, usr uuid) TO auth_app;

REVOKE ALL ON FUNCTION public.app_client_credentials_token(cid text, presented bytea, budget_prefix text, budget integer, window_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_client_credentials_token(cid text, presented bytea, budget_prefix text, budget integer, window_seconds integer) TO auth_app;

REVOKE ALL ON FUNCTION public.app_client_token(org uuid, client uuid, budget_key text, budget integer, window_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_client_token(org uuid, client uuid, budget_key text, budget integer, window_seconds integer) TO auth_app;

REVOKE ALL ON FUNCTION public.app_current_org_id() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_current_org_id() TO auth_app;

REVOKE ALL ON FUNCTION public.app_current_user_id() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_current_user_id() TO auth_app;

REVOKE ALL ON FUNCTION public.app_discard_expired_registrations(older_than interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_discard_expired_registrations(older_than interval) TO auth_app;

REVOKE ALL ON FUNCTION public.app_discard_pending_registration(candidate uuid, why text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_discard_pending_registration(candidate uuid, why text) TO auth_app;

REVOKE ALL ON FUNCTION public.app_domains_to_recheck(older_than interval, batch integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_domains_to_recheck(older_than interval, batch integer) TO auth_app;

REVOKE ALL ON FUNCTION public.app_login_begin(address text, keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_login_begin(address text, keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) TO auth_app;

REVOKE ALL ON FUNCTION public.app_login_complete(usr uuid, requested_org uuid, epoch bigint, refund text[], clear text[], known text, known_seconds integer, new_hash text, old_hash text, token_id uuid, family uuid, token_hash bytea, ttl_seconds integer, event_id uuid, resource_type text, request_id text, client_request_id text, client_address text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_login_complete(usr uuid, requested_org uuid, epoch bigint, refund text[], clear text[], known text, known_seconds integer, new_hash text, old_hash text, token_id uuid, family uuid, token_hash bytea, ttl_seconds integer, event_id uuid, resource_type text, request_id text, client_request_id text, client_address text) TO auth_app;

REVOKE ALL ON FUNCTION public.app_member_of_current_org(candidate uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_member_of_current_org(candidate uuid) TO auth_app;

REVOKE ALL ON FUNCTION public.app_pending_registration(candidate uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_pending_registration(candidate uuid) TO auth_app;

REVOKE ALL ON FUNCTION public.app_resolve_organization(by_slug text, by_domain text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_resolve_organization(by_slug text, by_domain text) TO auth_app;

REVOKE ALL ON FUNCTION public.app_session_caller(org uuid, usr uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_session_caller(org uuid, usr uuid) TO auth_app;

REVOKE ALL ON FUNCTION public.throttle_reserve(keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.throttle_reserve(keys text[], limits integer[], windows integer[], waivable boolean[], known text, now_at timestamp with time zone) TO auth_app;

REVOKE ALL ON FUNCTION public.throttle_settle(refund text[], clear text[], known text, known_seconds integer, now_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.throttle_settle(refund text[], clear text[], known text, known_seconds integer, now_at timestamp with time zone) TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.app_client_secrets TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.app_clients TO auth_app;

GRANT SELECT ON TABLE public.audit_events TO auth_app;

GRANT INSERT(id) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(organization_id) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(actor_user_id) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(actor_kind) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(action) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(resource_type) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(resource_id) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(changes) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(request_id) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(address) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(client_request_id) ON TABLE public.audit_events TO auth_app;

GRANT INSERT(actor_client_id) ON TABLE public.audit_events TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.authorization_codes TO auth_app;

GRANT SELECT,INSERT,DELETE ON TABLE public.client_assertions TO auth_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.invitations TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.mail_outbox TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.memberships TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.mfa_challenges TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.mfa_factors TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.mfa_recovery_codes TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.one_time_tokens TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.organization_domains TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.roles TO auth_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.users TO auth_app;

GRANT SELECT ON TABLE public.organization_members TO auth_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.organizations TO auth_app;

GRANT SELECT,INSERT,DELETE ON TABLE public.passkey_challenges_used TO auth_app;

GRANT SELECT ON TABLE public.platform_operators TO auth_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.refresh_tokens TO auth_app;

GRANT SELECT ON TABLE public.schema_migrations TO auth_app;

GRANT SELECT,INSERT ON TABLE public.signing_keys TO auth_app;

GRANT UPDATE(signing_until) ON TABLE public.signing_keys TO auth_app;

GRANT UPDATE(published_until) ON TABLE public.signing_keys TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.throttle_counters TO auth_app;
