-- The token endpoint's app client paths, each in one statement (as migration 023 did for
-- people): SECURITY INVOKER, under the same policies, setting the context they need first.

-- 1. Client authentication: the client a request names and the keyed hashes of its live
--    secrets (one, or two during a rotation's grace), read in the anonymous context.
CREATE FUNCTION app_client_credentials(cid text)
    RETURNS TABLE (
        id uuid, organization_id uuid, client_id text, name text, type text,
        user_type text, role_id uuid, token_endpoint_auth_method text, redirect_uris text[],
        post_logout_redirect_uris text[], allowed_origins text[], jwks text, jwks_uri text,
        password_grant boolean, status text, tokens_since timestamptz,
        last_used_at timestamptz, created_at timestamptz, updated_at timestamptz,
        secret_hashes bytea[]
    )
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM set_config('app.org_id', '', true), set_config('app.user_id', '', true),
            set_config('app.anonymous', 'on', true);
    RETURN QUERY
        SELECT c.id, c.organization_id, c.client_id, c.name, c.type, c.user_type, c.role_id,
               c.token_endpoint_auth_method, c.redirect_uris, c.post_logout_redirect_uris,
               c.allowed_origins, c.jwks::text, c.jwks_uri, c.password_grant, c.status,
               c.tokens_since, c.last_used_at, c.created_at, c.updated_at,
               coalesce((SELECT array_agg(s.secret_hash) FROM app_client_secrets s
                         WHERE s.app_client_id = c.id
                           AND (s.expires_at IS NULL OR s.expires_at > now())), '{}')
        FROM app_clients c
        WHERE c.client_id = cid;
    PERFORM set_config('app.anonymous', '', true);
END
$$;
COMMENT ON FUNCTION app_client_credentials(text) IS
    'An app client by client_id and its live secret hashes, for client authentication.';

-- 2. A client_credentials token: the client's live role inside its organization, its last
--    use stamped (at most once a minute).
CREATE FUNCTION app_client_token(org uuid, client uuid)
    RETURNS TABLE (status text, role_code text, permissions text[])
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM set_config('app.org_id', org::text, true), set_config('app.user_id', '', true),
            set_config('app.anonymous', '', true);
    UPDATE app_clients c SET last_used_at = now()
    WHERE c.organization_id = org AND c.id = client
      AND (c.last_used_at IS NULL OR c.last_used_at < now() - interval '1 minute');
    RETURN QUERY
        SELECT c.status, r.code, r.permissions
        FROM app_clients c
        JOIN roles r ON r.organization_id = c.organization_id AND r.id = c.role_id
        WHERE c.organization_id = org AND c.id = client;
END
$$;
COMMENT ON FUNCTION app_client_token(uuid, uuid) IS
    'The live role of an app client getting a token, with its last use stamped.';
