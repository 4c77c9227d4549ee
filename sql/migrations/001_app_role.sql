-- The app connects as (a member of) the role auth_app: not the owner of any table, not a
-- superuser, not BYPASSRLS, so row-level security applies to every query it makes.
-- Creating login roles is a deployment step (see README); this migration only insists on it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auth_app') THEN
        RAISE EXCEPTION 'role auth_app does not exist: create it first (CREATE ROLE auth_app LOGIN PASSWORD ...)';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auth_app' AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION 'role auth_app must be neither SUPERUSER nor BYPASSRLS';
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO auth_app;
GRANT SELECT ON schema_migrations TO auth_app;
