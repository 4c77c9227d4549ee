-- Custom domains (seed 002): hostnames an organization maps beyond its slug, each proven by a
-- TXT record at <prefix>.<domain> holding the domain's verification token. A domain routes
-- (resolves) only while verified, and at most one organization has it verified at a time.
CREATE TABLE organization_domains (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain              text NOT NULL CONSTRAINT organization_domains_domain_check
                        CHECK (char_length(domain) <= 253
                               AND domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    domain_type         text NOT NULL CONSTRAINT organization_domains_type_check
                        CHECK (domain_type IN ('clinic', 'portal')),
    status              text NOT NULL DEFAULT 'pending'
                        CONSTRAINT organization_domains_status_check
                        CHECK (status IN ('pending', 'verified')),
    verification_token  text NOT NULL CONSTRAINT organization_domains_token_check
                        CHECK (char_length(verification_token) = 36),
    verified_at         timestamptz,
    last_check_at       timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organization_domains_org_domain_key UNIQUE (organization_id, domain),
    CONSTRAINT organization_domains_verified_check
        CHECK ((status = 'verified') = (verified_at IS NOT NULL))
);
COMMENT ON TABLE organization_domains IS
    'Custom hostnames of an organization; resolve only while verified by DNS.';

-- One organization at a time has a domain verified; resolving by domain reads this index.
CREATE UNIQUE INDEX organization_domains_verified_key
    ON organization_domains (domain) WHERE status = 'verified';
-- The janitor's re-check reads verified domains oldest check first.
CREATE INDEX organization_domains_recheck_idx
    ON organization_domains (last_check_at) WHERE status = 'verified';

ALTER TABLE organization_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY organization_domains_tenant ON organization_domains
    USING (organization_id = app_current_org_id())
    WITH CHECK (organization_id = app_current_org_id());
-- Resolving a hostname (and the janitor's re-check) reads verified domains of every
-- organization, and nothing else, in the resolve context only.
CREATE POLICY organization_domains_resolve ON organization_domains FOR SELECT
    USING (current_setting('app.resolve', true) = 'on' AND status = 'verified');
GRANT SELECT, INSERT, UPDATE, DELETE ON organization_domains TO auth_app;

-- The same context shows an organization's public card to the resolve function.
CREATE POLICY organizations_resolve ON organizations FOR SELECT
    USING (current_setting('app.resolve', true) = 'on');

-- GET /v1/public/organizations/resolve in one indexed read: by slug, or by a verified domain.
CREATE FUNCTION app_resolve_organization(by_slug text, by_domain text)
    RETURNS TABLE (id uuid, name text, slug text, logo_url text, icon_url text,
                   language_code text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true), set_config('app.resolve', 'on', true);
    IF by_slug IS NOT NULL THEN
        RETURN QUERY SELECT o.id, o.name, o.slug, o.logo_url, o.icon_url, o.language_code
                     FROM organizations o WHERE o.slug = by_slug;
    ELSE
        RETURN QUERY SELECT o.id, o.name, o.slug, o.logo_url, o.icon_url, o.language_code
                     FROM organization_domains d
                     JOIN organizations o ON o.id = d.organization_id
                     WHERE d.domain = by_domain AND d.status = 'verified';
    END IF;
    PERFORM set_config('app.resolve', '', true);
END
$$;
COMMENT ON FUNCTION app_resolve_organization(text, text) IS
    'An organization''s public card by slug or by a verified custom domain.';

-- The janitor's re-check: verified domains not checked for older_than, oldest first.
CREATE FUNCTION app_domains_to_recheck(older_than interval, batch integer)
    RETURNS TABLE (id uuid, organization_id uuid, domain text, verification_token text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true), set_config('app.resolve', 'on', true);
    RETURN QUERY SELECT d.id, d.organization_id, d.domain, d.verification_token
                 FROM organization_domains d
                 WHERE d.status = 'verified'
                   AND (d.last_check_at IS NULL OR d.last_check_at < now() - older_than)
                 ORDER BY d.last_check_at NULLS FIRST
                 LIMIT batch;
    PERFORM set_config('app.resolve', '', true);
END
$$;
COMMENT ON FUNCTION app_domains_to_recheck(interval, integer) IS
    'Verified custom domains whose TXT record is due to be looked at again.';

REVOKE ALL ON FUNCTION app_resolve_organization(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_resolve_organization(text, text) TO auth_app;
REVOKE ALL ON FUNCTION app_domains_to_recheck(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_domains_to_recheck(interval, integer) TO auth_app;
