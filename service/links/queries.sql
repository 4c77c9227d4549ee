-- name: insert_token
INSERT INTO one_time_tokens (id, user_id, purpose, token_hash, email, organization_id, expires_at,
                             client_id)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8);

-- name: consume_token
-- Atomic: of any number of concurrent redemptions exactly one gets the row.
UPDATE one_time_tokens
SET used_at = now()
WHERE token_hash = $1
  AND purpose = ANY($2::text[])
  AND used_at IS NULL
  AND expires_at > now()
RETURNING id, user_id, purpose, email, organization_id, client_id;

-- name: peek_token
SELECT id, user_id, purpose, email, organization_id, client_id
FROM one_time_tokens
WHERE token_hash = $1
  AND purpose = ANY($2::text[])
  AND used_at IS NULL
  AND expires_at > now();

-- name: expire_unused
UPDATE one_time_tokens
SET used_at = now()
WHERE user_id = $1 AND purpose = ANY($2::text[]) AND used_at IS NULL
RETURNING organization_id;

-- name: pending_registration_organization
SELECT organization_id
FROM one_time_tokens
WHERE user_id = $1 AND purpose = 'verify_email' AND organization_id IS NOT NULL
ORDER BY created_at DESC
LIMIT 1;
