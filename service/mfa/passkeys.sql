-- Passkeys: factor rows of kind webauthn, and used challenges of passkey sign-ins.

-- name: insert_passkey
INSERT INTO mfa_factors (id, user_id, kind, label, challenge)
VALUES ($1, $2, 'webauthn', $3, $4)
RETURNING id, kind, label, confirmed_at, last_used_at, created_at;

-- name: pending_passkey
SELECT challenge FROM mfa_factors
WHERE id = $1 AND user_id = $2 AND kind = 'webauthn' AND confirmed_at IS NULL;

-- name: confirm_passkey
UPDATE mfa_factors
SET credential_id = $3, public_key = $4, sign_count = $5, transports = $6,
    confirmed_at = now(), last_used_at = now(), challenge = NULL
WHERE id = $1 AND user_id = $2 AND kind = 'webauthn' AND confirmed_at IS NULL
RETURNING id, kind, label, confirmed_at, last_used_at, created_at;

-- name: passkeys
SELECT id, credential_id, public_key, sign_count, transports
FROM mfa_factors
WHERE user_id = $1 AND kind = 'webauthn' AND confirmed_at IS NOT NULL
ORDER BY created_at, id;

-- name: name_credential
-- Which passkey an assertion names, before anyone is known (policy mfa_factors_passkey_lookup).
SELECT set_config('app.credential_id', $1, true);

-- name: passkey_by_credential
SELECT id, user_id, credential_id, public_key, sign_count, transports
FROM mfa_factors
WHERE credential_id = $1 AND kind = 'webauthn' AND confirmed_at IS NOT NULL;

-- name: use_passkey
-- The signature counter only goes up (a cloned authenticator shows an old count); zero means
-- the authenticator keeps none.
UPDATE mfa_factors SET sign_count = $3, last_used_at = now()
WHERE id = $1 AND user_id = $2 AND (sign_count < $3 OR $3 = 0)
RETURNING id;

-- name: set_passkey_challenge
UPDATE mfa_challenges SET passkey_challenge = $3 WHERE token_hash = $1 AND user_id = $2;

-- name: use_sign_in_challenge
INSERT INTO passkey_challenges_used (challenge_hash, expires_at) VALUES ($1, $2)
ON CONFLICT DO NOTHING
RETURNING 1;
