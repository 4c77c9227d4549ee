-- Second factors, recovery codes and pending second steps. Every query runs with app.user_id
-- set to the person whose rows these are (migration 033's own policies); the admin reset's
-- deletes run in the organization's context instead.

-- name: lock_person
-- Changes to one person's factors, one at a time (adding, confirming, removing): twenty
-- parallel copies of a request see each other's result, not a count from before it.
SELECT pg_advisory_xact_lock(hashtextextended('mfa:' || $1::uuid::text, 0));

-- name: list_factors
SELECT id, kind, label, confirmed_at, last_used_at, created_at
FROM mfa_factors
WHERE user_id = $1
ORDER BY created_at, id;

-- name: count_factors
SELECT count(*) AS total, count(*) FILTER (WHERE confirmed_at IS NOT NULL) AS confirmed
FROM mfa_factors
WHERE user_id = $1;

-- name: insert_totp
INSERT INTO mfa_factors (id, user_id, kind, label, secret)
VALUES ($1, $2, 'totp', $3, $4)
RETURNING id, kind, label, confirmed_at, last_used_at, created_at;

-- name: delete_unconfirmed
-- An enrolment replaces the person's unconfirmed factors: they carry no trust, and whoever
-- holds the password must not fill the person's slots with them.
DELETE FROM mfa_factors WHERE user_id = $1 AND confirmed_at IS NULL;

-- name: get_factor
SELECT id, kind, label, confirmed_at, last_used_at, created_at, secret, last_step
FROM mfa_factors
WHERE id = $1 AND user_id = $2;

-- name: confirmed_totp
SELECT id, kind, label, confirmed_at, last_used_at, created_at, secret, last_step
FROM mfa_factors
WHERE user_id = $1 AND kind = 'totp' AND confirmed_at IS NOT NULL
ORDER BY created_at, id;

-- name: accept_step
-- A TOTP step is taken once: the update only matches while the stored step is older, so of
-- two requests racing with one code exactly one gets a row back. Confirms the factor too.
UPDATE mfa_factors
SET last_step = $3, last_used_at = now(), confirmed_at = coalesce(confirmed_at, now())
WHERE id = $1 AND user_id = $2 AND (last_step IS NULL OR last_step < $3)
RETURNING id;

-- name: rename_factor
UPDATE mfa_factors SET label = $3
WHERE id = $1 AND user_id = $2
RETURNING id, kind, label, confirmed_at, last_used_at, created_at;

-- name: delete_factor
DELETE FROM mfa_factors WHERE id = $1 AND user_id = $2
RETURNING id, kind, label, confirmed_at, last_used_at, created_at;

-- name: reset_for
-- The admin reset names its member for this transaction (policies mfa_*_reset_*): set before
-- the deletes, cleared after them.
SELECT set_config('app.mfa_reset', coalesce($1::uuid::text, ''), true);

-- name: delete_member_factors
DELETE FROM mfa_factors WHERE user_id = $1;

-- name: delete_recovery_codes
DELETE FROM mfa_recovery_codes WHERE user_id = $1;

-- name: insert_recovery_codes
INSERT INTO mfa_recovery_codes (user_id, code_hash)
SELECT $1, hash FROM unnest($2::bytea[]) AS hash;

-- name: use_recovery_code
UPDATE mfa_recovery_codes SET used_at = now()
WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
RETURNING 1;

-- name: recovery_codes_left
SELECT count(*) FILTER (WHERE used_at IS NULL) AS unused, count(*) AS issued
FROM mfa_recovery_codes
WHERE user_id = $1;

-- name: insert_challenge
INSERT INTO mfa_challenges (token_hash, user_id, organization_id, sessions_epoch, purpose,
                            app_client_id, browser_family, enrol, auth_time, amr, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11));

-- name: lock_challenge
-- Serializes the attempts on one pending second step.
SELECT token_hash, user_id, organization_id, sessions_epoch, purpose, app_client_id,
       browser_family, enrol, auth_time, amr, satisfied, passkey_challenge, failures,
       expires_at <= now() AS expired, used_at IS NOT NULL AS used
FROM mfa_challenges
WHERE token_hash = $1 AND user_id = $2
FOR UPDATE;

-- name: fail_challenge
-- A wrong code: counted; the fifth spends the step.
UPDATE mfa_challenges
SET failures = failures + 1, used_at = CASE WHEN failures + 1 >= $3 THEN now() END
WHERE token_hash = $1 AND user_id = $2;

-- name: spend_challenge
UPDATE mfa_challenges SET used_at = now() WHERE token_hash = $1 AND user_id = $2;

-- name: satisfy_challenge
UPDATE mfa_challenges SET satisfied = $3 WHERE token_hash = $1 AND user_id = $2;
