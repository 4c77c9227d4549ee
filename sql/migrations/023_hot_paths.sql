-- The two paths every client takes most, each in as few round trips as the rules allow.
--
-- All three functions are SECURITY INVOKER: they run as the app role, under the same row-level
-- policies as the statements they replace. Each sets the request context itself
-- (app.org_id, app.user_id, app.anonymous, transaction-local, as db.tx does) before the
-- statement that needs it, because a policy reads its settings when its statement starts: a
-- set_config earlier in the same statement would come too late. Called alone (autocommit),
-- a function is one transaction, so the context ends with it.

-- 1. An authenticated request that needs nothing but its caller (GET /auth/me): the tenant
--    and the member read in one statement. The first eleven columns are organization_members'
--    (migration 022: how the organization shows the person; a test holds the two equal),
--    read here from the tables themselves, which costs the planner and the executor a third
--    less than joining the view back to them; then what authentication decides on.
CREATE FUNCTION app_session_caller(org uuid, usr uuid)
    RETURNS TABLE (
        id uuid, email text, name text, email_verified boolean, active boolean, role_id uuid,
        role_code text, practitioner_id text, organization_id uuid,
        created_at timestamptz, updated_at timestamptz,
        accepted boolean, disabled_at timestamptz, permissions text[],
        sessions_since timestamptz, sessions_epoch bigint
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
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
COMMENT ON FUNCTION app_session_caller(uuid, uuid) IS
    'The caller of an authenticated request, read inside the token''s organization in one statement.';

-- 2. A password grant before the password is checked: reserve the attempt on the throttle
--    (throttle_reserve, same arguments) and find the account by its normalized address (the
--    anonymous context, as every lookup before anyone is known). One statement, so the
--    reservation commits before the slow check starts, as it did on its own.
CREATE FUNCTION app_login_begin(
    address text, keys text[], limits integer[], windows integer[], waivable boolean[],
    known text, now_at timestamptz
)
    RETURNS TABLE (
        retry_after integer, id uuid, email text, name text, given_name text,
        family_name text, password_hash text, email_verified_at timestamptz,
        disabled_at timestamptz, last_organization_id uuid, sessions_epoch bigint
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
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
COMMENT ON FUNCTION app_login_begin(text, text[], integer[], integer[], boolean[], text, timestamptz) IS
    'Reserves a password grant''s attempt and finds the account, before the password is checked.';

-- 3. A password grant whose password was right: give the reservations back and remember the
--    client (throttle_settle), choose the organization (the one asked for; else the last one
--    used while still a live membership; else the oldest), rehash when asked, then under the
--    user's row lock, and only for the sessions epoch the grant was decided under, open the
--    refresh family, make the organization the last used one and record auth.login. The
--    outcome is 'issued', 'no_membership' or 'sessions_ended'; only 'issued' writes anything
--    beyond the throttle.
CREATE FUNCTION app_login_complete(
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
    'Finishes a password grant whose password was right: throttle, organization, refresh family, audit.';

REVOKE ALL ON FUNCTION app_session_caller(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_session_caller(uuid, uuid) TO auth_app;
REVOKE ALL ON FUNCTION app_login_begin(text, text[], integer[], integer[], boolean[], text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_login_begin(text, text[], integer[], integer[], boolean[], text, timestamptz) TO auth_app;
REVOKE ALL ON FUNCTION app_login_complete(uuid, uuid, bigint, text[], text[], text, integer, text, text, uuid, uuid, bytea, integer, uuid, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_login_complete(uuid, uuid, bigint, text[], text[], text, integer, text, text, uuid, uuid, bytea, integer, uuid, text, text, text, text) TO auth_app;
