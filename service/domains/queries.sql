-- name: verified_domain
-- Whether this organization has this domain verified (the tenant is the organization).
SELECT EXISTS (
    SELECT 1 FROM organization_domains
    WHERE organization_id = $1 AND domain = $2 AND status = 'verified'
);

-- name: list_domains
SELECT id, organization_id, domain, domain_type, status, verification_token, verified_at,
       last_check_at, created_at, updated_at
FROM organization_domains
WHERE organization_id = $1
ORDER BY id
LIMIT 500;

-- name: domain_by_id
SELECT id, organization_id, domain, domain_type, status, verification_token, verified_at,
       last_check_at, created_at, updated_at
FROM organization_domains
WHERE organization_id = $1 AND id = $2;

-- name: insert_domain
INSERT INTO organization_domains (id, organization_id, domain, domain_type, verification_token)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (organization_id, domain) DO NOTHING
RETURNING id, organization_id, domain, domain_type, status, verification_token, verified_at,
          last_check_at, created_at, updated_at;

-- name: lock_domain
-- The domain as it is now, held until the transaction ends (a check's "before").
SELECT id, organization_id, domain, domain_type, status, verification_token, verified_at,
       last_check_at, created_at, updated_at
FROM organization_domains
WHERE organization_id = $1 AND id = $2
FOR UPDATE;

-- name: checked_domain
-- The outcome of a look at the TXT record ($3): found, verified (kept or newly); not found,
-- back to pending; NULL (DNS could not tell), the status as it was. Always last_check_at.
UPDATE organization_domains
SET status = CASE WHEN $3::boolean IS NULL THEN status
                  WHEN $3 THEN 'verified' ELSE 'pending' END,
    verified_at = CASE WHEN $3::boolean IS NULL THEN verified_at
                       WHEN NOT $3 THEN NULL
                       WHEN status = 'verified' THEN verified_at
                       ELSE now() END,
    last_check_at = now(),
    updated_at = CASE WHEN $3::boolean IS NULL OR (status = 'verified') = $3 THEN updated_at
                      ELSE now() END
WHERE organization_id = $1 AND id = $2
RETURNING id, organization_id, domain, domain_type, status, verification_token, verified_at,
          last_check_at, created_at, updated_at;

-- name: delete_domain
DELETE FROM organization_domains WHERE organization_id = $1 AND id = $2
RETURNING id, organization_id, domain, domain_type, status, verification_token, verified_at,
          last_check_at, created_at, updated_at;

-- name: resolve
-- By slug or by a verified domain, in the resolve context (migration 032).
SELECT id, name, slug, logo_url, icon_url, language_code FROM app_resolve_organization($1, $2);

-- name: to_recheck
SELECT id, organization_id, domain, verification_token FROM app_domains_to_recheck($1, $2);
