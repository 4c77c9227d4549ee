-- name: insert_event
-- Runs inside the organization's tenant (RLS WITH CHECK refuses any other organization).
INSERT INTO audit_events (id, organization_id, actor_user_id, actor_kind, action,
                          resource_type, resource_id, changes, request_id, client_request_id,
                          address, actor_client_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12);

-- name: list_events
-- One page, newest first, after the keyset cursor ($8, $9) when given; null filters match all.
SELECT id, organization_id, actor_user_id, actor_kind, action, resource_type, resource_id,
       changes::text AS changes, request_id, client_request_id, address, created_at,
       actor_client_id
FROM audit_events
WHERE organization_id = $1
  AND ($2::uuid IS NULL OR actor_user_id = $2)
  AND ($3::text IS NULL OR action = $3)
  AND ($4::text IS NULL OR resource_type = $4)
  AND ($5::text IS NULL OR resource_id = $5)
  AND ($6::timestamptz IS NULL OR created_at >= $6)
  AND ($7::timestamptz IS NULL OR created_at < $7)
  AND ($8::timestamptz IS NULL OR (created_at, id) < ($8, $9::uuid))
ORDER BY created_at DESC, id DESC
LIMIT $10;

-- name: event_by_id
SELECT id, organization_id, actor_user_id, actor_kind, action, resource_type, resource_id,
       changes::text AS changes, request_id, client_request_id, address, created_at,
       actor_client_id
FROM audit_events
WHERE organization_id = $1 AND id = $2;
