-- The audit trail: who did what to which resource of an organization, and what changed.
-- Rows are written in the same transaction as the change they describe and are never changed
-- afterwards: the app role may only read and append.
CREATE TABLE audit_events (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor_user_id   uuid,
    actor_kind      text NOT NULL CONSTRAINT audit_events_actor_kind_check
                    CHECK (actor_kind IN ('user', 'system', 'anonymous')),
    action          text NOT NULL CONSTRAINT audit_events_action_check
                    CHECK (action ~ '^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$' AND length(action) <= 64),
    resource_type   text NOT NULL CONSTRAINT audit_events_resource_type_check
                    CHECK (resource_type ~ '^[a-z]+/[a-z]+(-[a-z]+)*$' AND length(resource_type) <= 64),
    resource_id     text NOT NULL CONSTRAINT audit_events_resource_id_check
                    CHECK (length(resource_id) BETWEEN 1 AND 200),
    changes         jsonb NOT NULL DEFAULT '{}'
                    CONSTRAINT audit_events_changes_object_check
                    CHECK (jsonb_typeof(changes) = 'object')
                    CONSTRAINT audit_events_changes_size_check
                    CHECK (pg_column_size(changes) < 16384),
    request_id      text CONSTRAINT audit_events_request_id_check CHECK (length(request_id) <= 200),
    address         text CONSTRAINT audit_events_address_check CHECK (length(address) <= 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- A user actor names the user; a system or anonymous actor names no one.
    CONSTRAINT audit_events_actor_check CHECK ((actor_kind = 'user') = (actor_user_id IS NOT NULL))
);

-- Newest first per organization, the listing's keyset order; the filters narrow it.
CREATE INDEX audit_events_org_created_idx
    ON audit_events (organization_id, created_at DESC, id DESC);
CREATE INDEX audit_events_org_actor_idx
    ON audit_events (organization_id, actor_user_id, created_at DESC, id DESC)
    WHERE actor_user_id IS NOT NULL;
CREATE INDEX audit_events_org_action_idx
    ON audit_events (organization_id, action, created_at DESC, id DESC);
CREATE INDEX audit_events_org_resource_idx
    ON audit_events (organization_id, resource_type, resource_id, created_at DESC, id DESC);

COMMENT ON TABLE audit_events IS
    'Append-only audit trail per organization; written in the transaction of the change.';
COMMENT ON COLUMN audit_events.actor_user_id IS
    'The acting user as it was; no foreign key, so the trail outlives the account.';
COMMENT ON COLUMN audit_events.changes IS
    'Field-level diff {"field": {"before": x, "after": y}}; secrets are never recorded.';
COMMENT ON COLUMN audit_events.request_id IS 'The X-Request-ID of the request that made the change.';
COMMENT ON COLUMN audit_events.address IS 'The client address the request came from, when known.';

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;

CREATE POLICY audit_events_tenant ON audit_events
    FOR ALL
    USING (organization_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (organization_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- Append-only: no UPDATE, no DELETE, no TRUNCATE for the app. Rows leave only with their
-- organization (the cascade runs with the table owner's rights). created_at is left out of
-- the INSERT grant: the time of an event is the database's, never the app's to choose.
GRANT SELECT ON audit_events TO auth_app;
GRANT INSERT (id, organization_id, actor_user_id, actor_kind, action, resource_type,
              resource_id, changes, request_id, address) ON audit_events TO auth_app;

-- Not even the owner rewrites history in place.
CREATE FUNCTION audit_events_refuse_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update
    BEFORE UPDATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_update();
