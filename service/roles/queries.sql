-- Roles of one organization. Every query names the organization even though row-level
-- security checks it too: the roles_select_member policy lets a user read the roles they
-- hold in their other organizations, and those must never answer here.

-- name: list_roles
-- A keyset page ordered by id; each filter applies only when its parameter is not null.
SELECT id, organization_id, code, name, description, is_managed, permissions,
       created_at, updated_at
FROM roles
WHERE organization_id = $1
  AND ($2::text IS NULL OR lower(name) = lower($2))
  AND ($3::text IS NULL OR code = $3)
  AND ($4::boolean IS NULL OR is_managed = $4)
  AND ($5::uuid IS NULL OR id > $5)
ORDER BY id
LIMIT $6;

-- name: role_by_id
SELECT id, organization_id, code, name, description, is_managed, permissions,
       created_at, updated_at
FROM roles
WHERE organization_id = $1 AND id = $2;

-- name: lock_role
-- The role, locked until the transaction ends: a membership being added with this role
-- (whose foreign key check takes a share lock on the row) waits, or is waited for.
SELECT id, organization_id, code, name, description, is_managed, permissions,
       created_at, updated_at
FROM roles
WHERE organization_id = $1 AND id = $2
FOR UPDATE;

-- name: role_by_code
SELECT id, organization_id, code, name, description, is_managed, permissions,
       created_at, updated_at
FROM roles
WHERE organization_id = $1 AND code = $2;

-- name: clashes
-- Whether another role of the organization (other than $4) has the name $2 or the code $3.
SELECT coalesce(bool_or(lower(name) = lower($2)), false) AS name_taken,
       coalesce(bool_or(code = $3), false) AS code_taken
FROM roles
WHERE organization_id = $1 AND ($4::uuid IS NULL OR id <> $4);

-- name: insert_role
-- $6 is true only for the managed roles an organization is created with.
INSERT INTO roles (id, organization_id, code, name, description, is_managed, permissions)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, organization_id, code, name, description, is_managed, permissions,
          created_at, updated_at;

-- name: update_role
-- Custom roles only: a managed role is never changed through here.
UPDATE roles
SET name = $3, description = $4, permissions = $5, updated_at = now()
WHERE organization_id = $1 AND id = $2 AND NOT is_managed
RETURNING id, organization_id, code, name, description, is_managed, permissions,
          created_at, updated_at;

-- name: delete_role
DELETE FROM roles
WHERE organization_id = $1 AND id = $2 AND NOT is_managed;

-- name: role_holders
-- What still refers to the role, one row per kind of holder. A table that comes to
-- reference roles adds its own UNION ALL branch here, and nowhere else.
SELECT 'members' AS holder
WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = $1 AND m.role_id = $2)
UNION ALL
SELECT 'pending invitations'
WHERE EXISTS (SELECT 1 FROM invitations i
              WHERE i.organization_id = $1 AND i.role_id = $2 AND i.status = 'pending');
