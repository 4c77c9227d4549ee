-- Lookups that stay index scans under row-level security.
--
-- Addresses are stored normalized (lower case), so a lookup is plain text equality, which is
-- leakproof and may use the index below the policies; lower() is not, and made every lookup
-- by address a scan of all users.
UPDATE users SET email = lower(email) WHERE email <> lower(email);
ALTER TABLE users ADD CONSTRAINT users_email_lower_check CHECK (email = lower(email));
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Whether a user belongs to the request's organization: one index probe per row, whatever
-- plan the query around it gets (an inlined EXISTS could become a scan of every membership).
CREATE FUNCTION app_member_of_current_org(candidate uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = candidate
                         AND m.organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    $$;
COMMENT ON FUNCTION app_member_of_current_org(uuid) IS
    'Used by the users policy; memberships stay under their own tenant policy inside it.';
REVOKE ALL ON FUNCTION app_member_of_current_org(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_member_of_current_org(uuid) TO auth_app;

DROP POLICY users_visible ON users;
CREATE POLICY users_visible ON users
    FOR ALL
    USING (
        nullif(current_setting('app.org_id', true), '') IS NULL
        OR id = nullif(current_setting('app.user_id', true), '')::uuid
        OR app_member_of_current_org(id)
    )
    WITH CHECK (true);
