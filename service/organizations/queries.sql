-- name: insert_organization
INSERT INTO organizations (id, name, slug)
VALUES ($1, $2, $3)
ON CONFLICT (slug) DO NOTHING
RETURNING id, name, slug, created_at;

-- name: organization_name
SELECT name FROM organizations WHERE id = $1;

-- name: my_organizations
-- Runs with app.user_id set and no tenant: the caller's own memberships.
SELECT o.id, o.name, o.slug, o.tagline, o.description, o.email, o.phone, o.website, o.location,
       o.logo_url, o.icon_url, o.language_code, o.created_at, o.updated_at,
       o.mfa_required, o.mfa_reprompt_hours,
       r.id AS role_id, r.code AS role_code, m.active
FROM memberships m
JOIN organizations o ON o.id = m.organization_id
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
WHERE m.user_id = $1 AND m.active AND m.accepted_at IS NOT NULL
ORDER BY o.id;

-- name: organization_by_id
SELECT o.id, o.name, o.slug, o.tagline, o.description, o.email, o.phone, o.website, o.location,
       o.logo_url, o.icon_url, o.language_code, o.created_at, o.updated_at,
       o.mfa_required, o.mfa_reprompt_hours,
       r.id AS role_id, r.code AS role_code, m.active
FROM organizations o
JOIN memberships m ON m.organization_id = o.id AND m.user_id = $2
JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
WHERE o.id = $1;

-- name: update_profile
UPDATE organizations
SET name = $2, tagline = $3, description = $4, email = $5, phone = $6, website = $7,
    location = $8, logo_url = $9, icon_url = $10, language_code = $11, updated_at = now()
WHERE id = $1;

-- name: update_mfa_policy
-- The multi-factor policy (migration 033); the column's CHECK bounds the hours.
UPDATE organizations
SET mfa_required = $2, mfa_reprompt_hours = $3, updated_at = now()
WHERE id = $1;

-- name: mfa_policy
-- The multi-factor policy alone, for the sign-in flows (migration 033).
SELECT mfa_required, mfa_reprompt_hours
FROM organizations
WHERE id = $1;

-- name: organization_card
-- The profile alone (no membership needed): the tenant's own organization, or any for a
-- platform operator (migration 031).
SELECT o.id, o.name, o.slug, o.tagline, o.description, o.email, o.phone, o.website, o.location,
       o.logo_url, o.icon_url, o.language_code, o.created_at, o.updated_at
FROM organizations o
WHERE o.id = $1;

-- name: all_organizations
-- Every organization a platform operator may see (migration 031), in id order, bounded.
SELECT o.id, o.name, o.slug, o.tagline, o.description, o.email, o.phone, o.website, o.location,
       o.logo_url, o.icon_url, o.language_code, o.created_at, o.updated_at
FROM organizations o
ORDER BY o.id
LIMIT $1;
