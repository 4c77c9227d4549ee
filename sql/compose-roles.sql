-- Runs once when the compose PostgreSQL starts on an empty volume: the app's login role.
-- It is neither owner, superuser nor BYPASSRLS, so row-level security applies to it.
CREATE ROLE auth_app LOGIN PASSWORD 'auth_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
