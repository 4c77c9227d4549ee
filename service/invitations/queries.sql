-- name: insert_invitation
-- $8 true: the link that asks an existing account to accept a membership an administrator
-- created; such rows are the member's business, not listed or managed as invitations.
INSERT INTO invitations (id, organization_id, email, role_id, invited_by, token_hash, expires_at,
                         membership_request)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8);

-- name: revoke_pending_for_email
UPDATE invitations
SET status = 'revoked', revoked_at = now(), updated_at = now()
WHERE organization_id = $1 AND lower(email) = lower($2) AND status = 'pending'
RETURNING id;

-- name: invitation_view
SELECT i.id, i.email, i.role_id, i.invited_by, i.status, i.expires_at, i.accepted_at,
       i.accepted_user_id, i.revoked_at, i.created_at, i.updated_at,
       i.status = 'pending' AND i.expires_at <= now() AS expired
FROM invitations i
WHERE i.organization_id = $1 AND i.id = $2 AND NOT i.membership_request;

-- name: list_invitations
SELECT i.id, i.email, i.role_id, i.invited_by, i.status, i.expires_at, i.accepted_at,
       i.accepted_user_id, i.revoked_at, i.created_at, i.updated_at,
       i.status = 'pending' AND i.expires_at <= now() AS expired
FROM invitations i
WHERE i.organization_id = $1
  AND NOT i.membership_request
  AND i.id > $2
  AND ($3::text IS NULL OR lower(i.email) = lower($3))
  AND ($4::text IS NULL
       OR ($4 = 'expired' AND i.status = 'pending' AND i.expires_at <= now())
       OR ($4 = 'pending' AND i.status = 'pending' AND i.expires_at > now())
       OR ($4 IN ('accepted', 'revoked') AND i.status = $4))
ORDER BY i.id
LIMIT $5;

-- name: lock_invitation
SELECT id, status FROM invitations
WHERE organization_id = $1 AND id = $2 AND NOT membership_request
FOR UPDATE;

-- name: revoke_invitation
UPDATE invitations
SET status = 'revoked', revoked_at = now(), updated_at = now()
WHERE organization_id = $1 AND id = $2 AND status = 'pending';

-- name: renew_token
UPDATE invitations
SET token_hash = $3, expires_at = now() + make_interval(secs => $4), updated_at = now()
WHERE organization_id = $1 AND id = $2 AND status = 'pending';

-- name: lock_by_token
-- The live invitation behind a link, locked: concurrent accepts queue here.
SELECT i.id, i.email, i.role_id, r.code AS role_code, r.name AS role_name,
       o.name AS organization_name
FROM invitations i
JOIN roles r ON r.organization_id = i.organization_id AND r.id = i.role_id
JOIN organizations o ON o.id = i.organization_id
WHERE i.organization_id = $1 AND i.token_hash = $2 AND i.status = 'pending'
  AND i.expires_at > now()
FOR UPDATE OF i;

-- name: peek_by_token
SELECT i.id, i.email, i.role_id, r.code AS role_code, r.name AS role_name,
       o.name AS organization_name
FROM invitations i
JOIN roles r ON r.organization_id = i.organization_id AND r.id = i.role_id
JOIN organizations o ON o.id = i.organization_id
WHERE i.organization_id = $1 AND i.token_hash = $2 AND i.status = 'pending'
  AND i.expires_at > now();

-- name: mark_accepted
UPDATE invitations
SET status = 'accepted', accepted_at = now(), accepted_user_id = $3, updated_at = now()
WHERE organization_id = $1 AND id = $2;

-- name: pending_with_role
SELECT count(*) FROM invitations
WHERE organization_id = $1 AND role_id = $2 AND status = 'pending';
