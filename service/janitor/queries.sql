-- Each statement deletes one bounded batch, skipping rows another transaction holds, so
-- several instances may sweep at once and none blocks a request for long.

-- name: discard_registrations
-- Pure pending self-registrations whose verification expired more than $1 seconds ago, with
-- the organization they created (the function writes the audit line). At most 1000 a call.
SELECT app_discard_expired_registrations(make_interval(secs => $1))

-- name: delete_links
-- Links that expired, or were used, more than $1 days ago.
DELETE FROM one_time_tokens
WHERE id IN (
    SELECT id FROM one_time_tokens
    WHERE least(expires_at, coalesce(used_at, expires_at)) < now() - make_interval(days => $1)
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)

-- name: delete_mail
-- Mail that was delivered or dead-lettered, queued more than $1 days ago.
DELETE FROM mail_outbox
WHERE id IN (
    SELECT id FROM mail_outbox
    WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)
    ORDER BY created_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)

-- name: delete_codes
-- Authorization codes expired more than $1 days ago (at least one: the sweep policy's).
DELETE FROM authorization_codes
WHERE code_hash IN (
    SELECT code_hash FROM authorization_codes
    WHERE expires_at < now() - make_interval(days => greatest($1, 1))
    LIMIT $2
);

-- name: delete_assertions
-- Client assertion ids whose assertion expired more than $1 days ago: a replay would fail
-- on its expiry by then.
DELETE FROM client_assertions
WHERE (client_id, jti) IN (
    SELECT client_id, jti FROM client_assertions
    WHERE expires_at < now() - make_interval(days => $1)
    LIMIT $2
);

-- name: delete_challenges
-- Pending second steps of sign-ins expired more than $1 days ago (at least one: the sweep
-- policy's).
DELETE FROM mfa_challenges
WHERE token_hash IN (
    SELECT token_hash FROM mfa_challenges
    WHERE expires_at < now() - make_interval(days => greatest($1, 1))
    LIMIT $2
);

-- name: delete_used_passkey_challenges
-- Used challenges of passkey sign-ins, once they expired (a replay fails on expiry then).
DELETE FROM passkey_challenges_used
WHERE challenge_hash IN (
    SELECT challenge_hash FROM passkey_challenges_used
    WHERE expires_at < now() - make_interval(days => $1)
    LIMIT $2
);
