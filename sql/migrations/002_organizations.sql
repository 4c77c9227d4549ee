-- Organizations: the tenants. A request sees the organization named by app.org_id; the
-- policy that also shows a user's other organizations is added with memberships.
CREATE TABLE organizations (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CONSTRAINT organizations_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    slug          text NOT NULL CONSTRAINT organizations_slug_key UNIQUE
                  CONSTRAINT organizations_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 63),
    tagline       text CHECK (char_length(tagline) <= 200),
    description   text CHECK (char_length(description) <= 2000),
    email         text CHECK (char_length(email) <= 254),
    phone         text CHECK (char_length(phone) <= 50),
    website       text CHECK (char_length(website) <= 2048),
    location      text CHECK (char_length(location) <= 200),
    logo_url      text CHECK (char_length(logo_url) <= 2048),
    icon_url      text CHECK (char_length(icon_url) <= 2048),
    language_code text CHECK (language_code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE organizations IS 'Tenants: a hospital, clinic, laboratory or application developer.';
COMMENT ON COLUMN organizations.slug IS 'Unique, URL-safe and immutable after creation.';

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;

CREATE POLICY organizations_tenant ON organizations
    FOR ALL
    USING (id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (id = nullif(current_setting('app.org_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE ON organizations TO auth_app;
