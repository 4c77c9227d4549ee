-- With no tenant set, row-level security shows nothing.
--
-- Until now a transaction that set no organization saw every account and every link, so a
-- query that ran before its tenant was set (or a connection used without one) saw them all.
-- Flows that must find an account by address or a link by its hash before anyone is known
-- (sign-up, sign-in, reset, links) now say so with app.anonymous = 'on'; everything else sees
-- only its tenant, its own account and its own memberships.

DROP POLICY users_visible ON users;
CREATE POLICY users_visible ON users
    FOR ALL
    USING (
        current_setting('app.anonymous', true) = 'on'
        OR id = nullif(current_setting('app.user_id', true), '')::uuid
        OR app_member_of_current_org(id)
    )
    WITH CHECK (true);

-- Links are found only in the anonymous context (by their hash); inside a tenant one may be
-- written for a member of that tenant only.
DROP POLICY one_time_tokens_tenant ON one_time_tokens;
CREATE POLICY one_time_tokens_anonymous_or_member ON one_time_tokens
    FOR ALL
    USING (current_setting('app.anonymous', true) = 'on')
    WITH CHECK (
        current_setting('app.anonymous', true) = 'on'
        OR (organization_id = nullif(current_setting('app.org_id', true), '')::uuid
            AND app_member_of_current_org(user_id))
    );
