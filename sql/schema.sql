-- The schema after every migration in sql/migrations; rewritten by `make schema`.

CREATE TABLE public.memberships (
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role_id uuid NOT NULL,
    practitioner_id text,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memberships_practitioner_check CHECK ((practitioner_id ~ '^[A-Za-z0-9.-]{1,64}$'::text))
);

ALTER TABLE ONLY public.memberships FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memberships IS 'Who belongs to which organization, with which role.';

COMMENT ON COLUMN public.memberships.practitioner_id IS 'FHIR Practitioner id; the token carries it as fhirUser.';

CREATE TABLE public.organizations (
    id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    tagline text,
    description text,
    email text,
    phone text,
    website text,
    location text,
    logo_url text,
    icon_url text,
    language_code text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organizations_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT organizations_email_check CHECK ((char_length(email) <= 254)),
    CONSTRAINT organizations_icon_url_check CHECK ((char_length(icon_url) <= 2048)),
    CONSTRAINT organizations_language_code_check CHECK ((language_code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'::text)),
    CONSTRAINT organizations_location_check CHECK ((char_length(location) <= 200)),
    CONSTRAINT organizations_logo_url_check CHECK ((char_length(logo_url) <= 2048)),
    CONSTRAINT organizations_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT organizations_phone_check CHECK ((char_length(phone) <= 50)),
    CONSTRAINT organizations_slug_check CHECK (((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text) AND (char_length(slug) <= 63))),
    CONSTRAINT organizations_tagline_check CHECK ((char_length(tagline) <= 200)),
    CONSTRAINT organizations_website_check CHECK ((char_length(website) <= 2048))
);

ALTER TABLE ONLY public.organizations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.organizations IS 'Tenants: a hospital, clinic, laboratory or application developer.';

COMMENT ON COLUMN public.organizations.slug IS 'Unique, URL-safe and immutable after creation.';

CREATE TABLE public.roles (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    is_managed boolean DEFAULT false NOT NULL,
    permissions text[] DEFAULT '{}'::text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT roles_code_check CHECK ((code ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT roles_description_check CHECK ((char_length(description) <= 1000)),
    CONSTRAINT roles_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 100)))
);

ALTER TABLE ONLY public.roles FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.roles IS 'Per-organization roles; each member holds exactly one.';

COMMENT ON COLUMN public.roles.is_managed IS 'true for the roles every organization gets; those are read-only.';

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.users (
    id uuid NOT NULL,
    email text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    given_name text,
    family_name text,
    password_hash text,
    email_verified_at timestamp with time zone,
    disabled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_check CHECK ((((char_length(email) >= 3) AND (char_length(email) <= 254)) AND (strpos(email, '@'::text) > 1))),
    CONSTRAINT users_family_name_check CHECK ((char_length(family_name) <= 100)),
    CONSTRAINT users_given_name_check CHECK ((char_length(given_name) <= 100)),
    CONSTRAINT users_name_check CHECK ((char_length(name) <= 200))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.users IS 'People who can sign in; organization access comes from memberships.';

COMMENT ON COLUMN public.users.password_hash IS 'argon2id PHC string; NULL until the user sets a password.';

COMMENT ON COLUMN public.users.email_verified_at IS 'NULL until the address is proven by a link sent to it.';

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (organization_id, user_id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_practitioner_key UNIQUE (organization_id, practitioner_id);

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_org_code_key UNIQUE (organization_id, code);

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_org_id_key UNIQUE (organization_id, id);

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX memberships_role_idx ON public.memberships USING btree (organization_id, role_id);

CREATE INDEX memberships_user_idx ON public.memberships USING btree (user_id);

CREATE UNIQUE INDEX roles_org_name_key ON public.roles USING btree (organization_id, lower(name));

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_role_fkey FOREIGN KEY (organization_id, role_id) REFERENCES public.roles(organization_id, id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;

ALTER TABLE public.memberships ENABLE ROW LEVEL SECURITY;

CREATE POLICY memberships_select_own ON public.memberships FOR SELECT USING ((user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid));

CREATE POLICY memberships_tenant ON public.memberships USING ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)) WITH CHECK ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid));

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;

CREATE POLICY organizations_select_member ON public.organizations FOR SELECT USING ((id IN ( SELECT m.organization_id
   FROM public.memberships m
  WHERE (m.user_id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid))));

CREATE POLICY organizations_tenant ON public.organizations USING ((id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)) WITH CHECK ((id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid));

ALTER TABLE public.roles ENABLE ROW LEVEL SECURITY;

CREATE POLICY roles_tenant ON public.roles USING ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)) WITH CHECK ((organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid));

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_visible ON public.users USING (((NULLIF(current_setting('app.org_id'::text, true), ''::text) IS NULL) OR (id = (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid) OR (EXISTS ( SELECT 1
   FROM public.memberships m
  WHERE ((m.user_id = users.id) AND (m.organization_id = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)))))) WITH CHECK (true);

GRANT USAGE ON SCHEMA public TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.memberships TO auth_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.organizations TO auth_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.roles TO auth_app;

GRANT SELECT ON TABLE public.schema_migrations TO auth_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.users TO auth_app;
