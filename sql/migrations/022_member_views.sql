-- The request's tenant and user, each read in one place, and a member as an organization
-- shows it, defined in one place.
--
-- 1. app_current_org_id() and app_current_user_id() read the transaction-local settings the
--    request's transaction sets (an unset or empty setting is NULL, which matches no row).
--    They are plain SQL, STABLE, without SECURITY DEFINER or SET clauses, so the planner
--    inlines them: a policy that calls one plans exactly as the expression it replaces, and
--    an index condition on the tenant stays one.
CREATE FUNCTION app_current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('app.org_id', true), '')::uuid;
COMMENT ON FUNCTION app_current_org_id() IS
    'The organization the transaction runs for (app.org_id), or NULL; read by every tenant policy.';
REVOKE ALL ON FUNCTION app_current_org_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_current_org_id() TO auth_app;

CREATE FUNCTION app_current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('app.user_id', true), '')::uuid;
COMMENT ON FUNCTION app_current_user_id() IS
    'The signed-in user the transaction runs for (app.user_id), or NULL.';
REVOKE ALL ON FUNCTION app_current_user_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_current_user_id() TO auth_app;

-- The same function body as before, reading the tenant through the new function.
CREATE OR REPLACE FUNCTION app_member_of_current_org(candidate uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = candidate
                         AND m.organization_id = app_current_org_id())
    $$;

-- 2. Every policy keeps its name, command, roles and meaning; only the way it reads the
--    settings changes. ALTER POLICY cannot change the command or make a policy restrictive,
--    so nothing else about a policy can move here. The app.anonymous parts stay as they are.
ALTER POLICY organizations_tenant ON organizations
    USING (id = app_current_org_id())
    WITH CHECK (id = app_current_org_id());

ALTER POLICY organizations_select_member ON organizations
    USING (id IN (SELECT m.organization_id FROM memberships m
                  WHERE m.user_id = app_current_user_id()));

ALTER POLICY roles_tenant ON roles
    USING (organization_id = app_current_org_id())
    WITH CHECK (organization_id = app_current_org_id());

ALTER POLICY roles_select_member ON roles
    USING (EXISTS (SELECT 1 FROM memberships m
                   WHERE m.organization_id = roles.organization_id
                     AND m.role_id = roles.id
                     AND m.user_id = app_current_user_id()));

ALTER POLICY memberships_tenant ON memberships
    USING (organization_id = app_current_org_id())
    WITH CHECK (organization_id = app_current_org_id());

ALTER POLICY memberships_select_own ON memberships
    USING (user_id = app_current_user_id());

ALTER POLICY users_visible ON users
    USING (
        current_setting('app.anonymous', true) = 'on'
        OR id = app_current_user_id()
        OR app_member_of_current_org(id)
    )
    WITH CHECK (true);

ALTER POLICY one_time_tokens_anonymous_or_member ON one_time_tokens
    USING (current_setting('app.anonymous', true) = 'on')
    WITH CHECK (
        current_setting('app.anonymous', true) = 'on'
        OR (organization_id = app_current_org_id()
            AND app_member_of_current_org(user_id))
    );

ALTER POLICY refresh_tokens_tenant ON refresh_tokens
    USING (organization_id = app_current_org_id())
    WITH CHECK (organization_id = app_current_org_id());

ALTER POLICY refresh_tokens_own ON refresh_tokens
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());

ALTER POLICY audit_events_tenant ON audit_events
    USING (organization_id = app_current_org_id())
    WITH CHECK (organization_id = app_current_org_id());

ALTER POLICY invitations_tenant ON invitations
    USING (organization_id = app_current_org_id())
    WITH CHECK (organization_id = app_current_org_id());

-- 3. A member as the API shows it, inside the organization that shows it: that
--    organization's name for the person, when it added them, and whether the person has
--    proven the address and accepted (never another organization's view, nor the account's
--    creation time, which would tell that the address had an account elsewhere).
--    security_invoker: the caller's row-level security applies to every table underneath, as
--    if the query had named them itself. The id is the membership's user_id (equal to the
--    account's id through the join), so a range or an order on it reaches the memberships
--    index.
CREATE VIEW organization_members WITH (security_invoker = true) AS
SELECT m.user_id AS id, u.email, m.name,
       u.email_verified_at IS NOT NULL AND m.accepted_at IS NOT NULL AS email_verified,
       m.active, m.role_id, r.code AS role_code, m.practitioner_id, m.organization_id,
       m.created_at, m.updated_at
FROM memberships m
JOIN users u ON u.id = m.user_id
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id;

COMMENT ON VIEW organization_members IS
    'A member as the organization shows it; row-level security of the caller applies.';

GRANT SELECT ON organization_members TO auth_app;
