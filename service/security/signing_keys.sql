-- name: lock_key_ring
-- One transaction at a time creates or rotates keys (held until commit).
SELECT pg_advisory_xact_lock($1)

-- name: any_signing_key
SELECT kid FROM signing_keys WHERE signing_until IS NULL LIMIT 1

-- name: insert_key
INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key, encrypted)
VALUES ($1, $2, $3::jsonb, $4, $5)

-- name: retire_signing_keys
UPDATE signing_keys
SET signing_until = now(),
    published_until = now() + make_interval(secs => $1)
WHERE signing_until IS NULL

-- name: published_keys
-- Retired keys come without their private half: nothing signs with them any more.
SELECT kid, algorithm, public_jwk::text AS public_jwk,
       CASE WHEN signing_until IS NULL THEN private_key END AS private_key,
       encrypted,
       extract(epoch FROM published_until)::float8 AS published_until
FROM signing_keys
WHERE published_until IS NULL OR published_until > now()
ORDER BY created_at DESC, kid DESC

-- name: revoke_published_keys
-- A leaked key: every key still published stops signing, if it still did, and leaves the
-- key set now; nothing it signed verifies any more.
UPDATE signing_keys
SET signing_until = coalesce(signing_until, now()),
    published_until = now()
WHERE published_until IS NULL OR published_until > now()
RETURNING kid

-- name: announce
SELECT pg_notify($1, $2)
