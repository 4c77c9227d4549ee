-- name: lock_sessions
-- The user's row lock that orders every grant against every revocation of the user's
-- sessions, held until the transaction ends. Taken before any refresh token's own lock.
SELECT sessions_epoch, disabled_at IS NOT NULL AS disabled
FROM users
WHERE id = $1
FOR NO KEY UPDATE;

-- name: sessions_epoch
SELECT sessions_epoch FROM users WHERE id = $1;

-- name: end_sessions
-- Every token of the user issued so far is refused from now on (takes the row lock too).
UPDATE users SET sessions_epoch = sessions_epoch + 1 WHERE id = $1;

-- name: insert_refresh_token
INSERT INTO refresh_tokens (id, family_id, user_id, organization_id, token_hash, parent_id,
                            expires_at, sessions_epoch, app_client_id, amr, auth_time, mfa_at)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8, $9, $10, $11, $12);

-- name: lock_refresh_token
-- Serializes concurrent refreshes of one token: the first rotates it, the rest see that.
SELECT id, family_id, user_id, organization_id, expires_at <= now() AS expired,
       rotated_at, now() - rotated_at AS since_rotation, revoked_at, sessions_epoch,
       app_client_id, browser, amr, auth_time, mfa_at
FROM refresh_tokens
WHERE token_hash = $1 AND user_id = $2
FOR UPDATE;

-- name: mark_rotated
UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1;

-- name: revoke_family
UPDATE refresh_tokens
SET revoked_at = now(), revoked_reason = $2
WHERE family_id = $1 AND revoked_at IS NULL;

-- name: revoke_user
UPDATE refresh_tokens
SET revoked_at = now(), revoked_reason = $2
WHERE user_id = $1 AND revoked_at IS NULL;

-- name: revoke_member
UPDATE refresh_tokens
SET revoked_at = now(), revoked_reason = $3
WHERE organization_id = $1 AND user_id = $2 AND revoked_at IS NULL;

-- name: family_of
SELECT family_id, organization_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2;

-- name: login_begin
-- A password grant's first statement (migration 023): reserve the attempt, find the account.
SELECT * FROM app_login_begin($1, $2::text[], $3::integer[], $4::integer[], $5::boolean[],
                              $6::text, $7::timestamptz);

-- name: login_complete
-- A password grant's last statement once the password was right (migration 023).
SELECT * FROM app_login_complete($1, $2, $3, $4::text[], $5::text[], $6, $7, $8, $9, $10, $11,
                                 $12, $13, $14, $15, $16, $17, $18);

-- name: bind_to_client
-- The family a password grant through an app client opened is that client's.
UPDATE refresh_tokens SET app_client_id = $3 WHERE token_hash = $1 AND user_id = $2;

-- name: make_browser_session
UPDATE refresh_tokens SET browser = true WHERE token_hash = $1 AND user_id = $2;

-- name: step_up_browser_session
-- The browser session's person gave their second factor again (a re-prompt).
UPDATE refresh_tokens SET amr = $3, auth_time = now(), mfa_at = now()
WHERE family_id = $1 AND user_id = $2 AND browser AND revoked_at IS NULL;

-- name: browser_session
-- A live browser session: not revoked, not expired, of the user's current sessions epoch.
SELECT t.family_id, t.user_id, t.auth_time, t.sessions_epoch, t.amr, t.mfa_at,
       t.organization_id
FROM refresh_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.user_id = $2 AND t.browser AND t.revoked_at IS NULL
  AND t.expires_at > now() AND t.sessions_epoch = u.sessions_epoch AND u.disabled_at IS NULL;


-- name: insert_code
INSERT INTO authorization_codes (code_hash, organization_id, app_client_id, user_id,
                                 redirect_uri, code_challenge, scope, nonce, auth_time,
                                 expires_at, amr)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10), $11);

-- name: take_code
-- The code, locked, with whether it can still be used; the caller marks it used.
SELECT code_hash, organization_id, app_client_id, user_id, redirect_uri, code_challenge,
       scope, nonce, auth_time, used_at IS NOT NULL AS used, expires_at <= now() AS expired,
       issued_family, amr
FROM authorization_codes
WHERE code_hash = $1 AND organization_id = $2
FOR UPDATE;

-- name: use_code
UPDATE authorization_codes SET used_at = now(), issued_family = $3
WHERE code_hash = $1 AND organization_id = $2;
