-- name: lock_key_ring
-- One transaction at a time creates or rotates keys (held until commit).
SELECT pg_advisory_xact_lock($1)

-- name: any_signing_key
SELECT kid FROM signing_keys WHERE signing_until IS NULL LIMIT 1

-- name: insert_key
-- $6: seconds from now until the key signs (0: at once); it is published from now on.
INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key, encrypted, signing_from)
VALUES ($1, $2, $3::jsonb, $4, $5, now() + make_interval(secs => $6))

-- name: retire_signing_keys
-- The keys that sign now keep signing for $2 seconds (until their successor starts), then
-- stay published for $1 seconds more.
UPDATE signing_keys
SET signing_until = now() + make_interval(secs => $2),
    published_until = now() + make_interval(secs => $2 + $1)
WHERE signing_until IS NULL

-- name: published_keys
-- Keys whose signing ended come without their private half: nothing signs with them any
-- more. Newest first by the moment they start signing.
SELECT kid, algorithm, public_jwk::text AS public_jwk,
       CASE WHEN signing_until IS NULL OR signing_until > now() THEN private_key END
           AS private_key,
       encrypted,
       extract(epoch FROM signing_from)::float8 AS signing_from,
       extract(epoch FROM published_until)::float8 AS published_until
FROM signing_keys
WHERE published_until IS NULL OR published_until > now()
ORDER BY signing_from DESC, created_at DESC, kid DESC

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
