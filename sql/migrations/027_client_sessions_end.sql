-- Disabling or deleting an app client ends the sessions issued through it: their refresh
-- families are revoked in the same transaction (the trigger runs as the caller, under the
-- same tenant policies). Access tokens issued through it are refused by the session check.
CREATE FUNCTION app_clients_end_sessions() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    UPDATE refresh_tokens
    SET revoked_at = now(), revoked_reason = 'client_removed'
    WHERE organization_id = OLD.organization_id AND app_client_id = OLD.id
      AND revoked_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER app_clients_disabled
    AFTER UPDATE OF status ON app_clients
    FOR EACH ROW WHEN (OLD.status = 'active' AND NEW.status = 'disabled')
    EXECUTE FUNCTION app_clients_end_sessions();

CREATE TRIGGER app_clients_deleted
    AFTER DELETE ON app_clients
    FOR EACH ROW EXECUTE FUNCTION app_clients_end_sessions();

CREATE INDEX refresh_tokens_client_idx ON refresh_tokens (organization_id, app_client_id)
    WHERE app_client_id IS NOT NULL AND revoked_at IS NULL;
