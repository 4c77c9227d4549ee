-- name: insert_organization
INSERT INTO organizations (id, name, slug)
VALUES ($1, $2, $3)
ON CONFLICT (slug) DO NOTHING
RETURNING id, name, slug, created_at;

-- name: insert_role
INSERT INTO roles (id, organization_id, code, name, description, is_managed, permissions)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: role_id_by_code
SELECT id FROM roles WHERE organization_id = $1 AND code = $2;

-- name: insert_membership
INSERT INTO memberships (organization_id, user_id, role_id)
VALUES ($1, $2, $3);

-- name: organization_name
SELECT name FROM organizations WHERE id = $1;

-- name: sole_member_organizations
-- Organizations among $2 whose only member is the user $1.
SELECT o.id
FROM organizations o
WHERE o.id = ANY($2::uuid[])
  AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id AND m.user_id <> $1);

-- name: delete_organization
DELETE FROM organizations WHERE id = $1;
