-- Two tightenings of what a request can make the database keep.
--
-- 1. The audit trail's request_id is the id the service gives every request. The
--    X-Request-ID a client sends is its own reference: kept apart, so that no client can make
--    an event pass for another request's.
ALTER TABLE audit_events
    ADD COLUMN client_request_id text
        CONSTRAINT audit_events_client_request_id_check CHECK (length(client_request_id) <= 64);

COMMENT ON COLUMN audit_events.request_id IS
    'The id the service gave the request that made the change (its X-Request-ID answer).';
COMMENT ON COLUMN audit_events.client_request_id IS
    'The X-Request-ID the client sent with that request, if any: the client''s word only.';

GRANT INSERT (client_request_id) ON audit_events TO auth_app;

-- 2. Inside an organization, a one-time token may only be written for one of its members:
--    an organization cannot mint a reset or first-password link for someone else's account.
--    Flows with no organization set (registration, reset, verification) are unchanged.
DROP POLICY one_time_tokens_tenant ON one_time_tokens;
CREATE POLICY one_time_tokens_tenant ON one_time_tokens
    FOR ALL
    USING (nullif(current_setting('app.org_id', true), '') IS NULL)
    WITH CHECK (
        nullif(current_setting('app.org_id', true), '') IS NULL
        OR (organization_id = nullif(current_setting('app.org_id', true), '')::uuid
            AND app_member_of_current_org(user_id))
    );
