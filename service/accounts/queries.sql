-- name: user_by_email
SELECT id, email, name, given_name, family_name, password_hash, email_verified_at,
       disabled_at, last_organization_id
FROM users
WHERE email = $1;

-- name: user_by_id
SELECT id, email, name, given_name, family_name, password_hash, email_verified_at,
       disabled_at, last_organization_id
FROM users
WHERE id = $1;

-- name: user_by_id_locked
-- The account, locked until the transaction ends: serializes every change of who holds it.
SELECT id, email, name, given_name, family_name, password_hash, email_verified_at,
       disabled_at, last_organization_id
FROM users
WHERE id = $1
FOR UPDATE;

-- name: insert_user
INSERT INTO users (id, email, name, given_name, family_name, password_hash, email_verified_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: restart_registration
UPDATE users
SET password_hash = $2, name = $3, given_name = $4, family_name = $5, updated_at = now()
WHERE id = $1 AND email_verified_at IS NULL;

-- name: mark_verified
UPDATE users
SET email_verified_at = coalesce(email_verified_at, now()),
    last_organization_id = coalesce(last_organization_id, $2),
    updated_at = now()
WHERE id = $1;

-- name: set_password
UPDATE users
SET password_hash = $2,
    email_verified_at = coalesce(email_verified_at, now()),
    updated_at = now()
WHERE id = $1;

-- name: rehash_password
UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3;

-- name: set_last_organization
UPDATE users SET last_organization_id = $2 WHERE id = $1;

-- name: active_memberships
-- The user's active memberships, oldest first; runs with app.user_id set to the user.
SELECT m.organization_id, o.name AS organization_name, r.code AS role_code,
       r.permissions, m.practitioner_id
FROM memberships m
JOIN organizations o ON o.id = m.organization_id
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
WHERE m.user_id = $1 AND m.active AND m.accepted_at IS NOT NULL
ORDER BY m.created_at, m.organization_id;

-- name: membership
-- One active membership, with what a token needs; runs inside the organization's tenant.
SELECT m.organization_id, o.name AS organization_name, r.code AS role_code,
       r.permissions, m.practitioner_id, m.sessions_since AS member_since
FROM memberships m
JOIN organizations o ON o.id = m.organization_id
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
WHERE m.organization_id = $1 AND m.user_id = $2 AND m.active AND m.accepted_at IS NOT NULL;

-- name: member_view
-- A member as the API shows it; runs inside the organization's tenant. The view
-- organization_members (migration 022) says which columns, and why only the organization's own.
SELECT * FROM organization_members WHERE organization_id = $1 AND id = $2;

-- name: session_caller
-- The caller of an authenticated request: the member as the API shows it, plus what
-- authentication decides on. Sets the tenant itself, so it may run alone (migration 023).
SELECT * FROM app_session_caller($1, $2);

-- name: list_members
-- Keyset page of the organization's members in id order; $2 is the last id seen (the nil
-- UUID for the first page). Without filters on the person, the page is cut from the
-- memberships index first and only its rows are joined, whatever the organization's size.
WITH page AS MATERIALIZED (
    SELECT m.user_id
    FROM memberships m
    WHERE m.organization_id = $1
      AND m.user_id > $2
      AND ($5::uuid IS NULL OR m.role_id = $5)
      AND $3::text IS NULL AND $4::text IS NULL
    ORDER BY m.user_id
    LIMIT $6
)
SELECT v.*
FROM page p
JOIN organization_members v ON v.organization_id = $1 AND v.id = p.user_id
ORDER BY v.id;

-- name: list_members_filtered
-- The same page when the person's address or name is filtered on.
SELECT *
FROM organization_members
WHERE organization_id = $1
  AND id > $2
  AND ($3::text IS NULL OR email = $3)
  AND ($4::text IS NULL OR name ILIKE $4 ESCAPE '\')
  AND ($5::uuid IS NULL OR role_id = $5)
ORDER BY id
LIMIT $6;

-- name: role_for_assignment
SELECT id, code, name, permissions FROM roles WHERE organization_id = $1 AND id = $2;

-- name: role_by_code
SELECT id, code, name, permissions FROM roles WHERE organization_id = $1 AND code = $2;

-- name: lock_owners
-- Serializes changes that could leave an organization without an owner.
SELECT m.user_id
FROM memberships m
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
WHERE m.organization_id = $1 AND r.code = 'owner' AND m.active
FOR UPDATE OF m;

-- name: member_role
SELECT m.role_id, r.code, r.permissions, m.active, m.practitioner_id,
       m.accepted_at IS NOT NULL AS accepted
FROM memberships m
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
WHERE m.organization_id = $1 AND m.user_id = $2
FOR UPDATE OF m;

-- name: update_membership
UPDATE memberships
SET role_id = $3, active = $4, practitioner_id = $5, updated_at = now(),
    sessions_since = CASE WHEN NOT active AND $4 THEN now() ELSE sessions_since END
WHERE organization_id = $1 AND user_id = $2;

-- name: rename_member
-- The organization's own name for the person; the account and other organizations keep theirs.
UPDATE memberships SET name = $3, updated_at = now() WHERE organization_id = $1 AND user_id = $2;

-- name: accept_membership
UPDATE memberships
SET accepted_at = now(), updated_at = now(), sessions_since = now()
WHERE organization_id = $1 AND user_id = $2 AND accepted_at IS NULL;

-- name: delete_membership
DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2;

-- name: add_membership
-- $6 false: a pending membership, which the person accepts through a link before any session.
INSERT INTO memberships (organization_id, user_id, role_id, practitioner_id, name, accepted_at)
VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::boolean THEN now() END);

-- name: session_client
-- An app client's request: sets the tenant and reads the client there (migration 025).
SELECT id, client_id, name, status, role_code, permissions, tokens_since
FROM app_client_caller($1, $2);

-- name: issuing_client
-- The app client a person's token was issued through, inside the token's organization (the
-- tenant): whether it still stands behind that token.
SELECT status, tokens_since FROM app_clients WHERE organization_id = $1 AND client_id = $2;

-- name: is_operator
-- Whether the request's person is a platform operator (RLS lets them read only their own row).
SELECT EXISTS (SELECT 1 FROM platform_operators WHERE user_id = $1);

-- name: grant_operator
-- The owner role's connection only (the command line): the app role cannot write this table.
-- Answers the account's id whether or not it was an operator already.
WITH target AS (SELECT u.id FROM users u WHERE u.email = $1),
     added AS (
         INSERT INTO platform_operators (user_id, granted_by)
         SELECT t.id, $2 FROM target t
         ON CONFLICT (user_id) DO NOTHING
     )
SELECT t.id FROM target t;

-- name: revoke_operator
DELETE FROM platform_operators p USING users u
WHERE u.id = p.user_id AND u.email = $1
RETURNING p.user_id;

-- name: anonymous_session
-- The command line's owner connection finds accounts by address as sign-in does.
SELECT set_config('app.anonymous', 'on', false);
