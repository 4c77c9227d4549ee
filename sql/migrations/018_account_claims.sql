-- Who may claim an account, and what one organization sees of a person.
--
-- A membership holds the organization's own name for the person and whether the person has
-- accepted it: an organization that adds an address that already has an account elsewhere
-- gets a pending membership, which carries no sessions until the person follows the mail's
-- link. Registration may replace only a pure pending self-registration, and the one narrow
-- function below is the only way an organization row is ever deleted.

ALTER TABLE memberships ADD COLUMN name text;
UPDATE memberships m SET name = u.name FROM users u WHERE u.id = m.user_id;
ALTER TABLE memberships ALTER COLUMN name SET DEFAULT '';
ALTER TABLE memberships ALTER COLUMN name SET NOT NULL;
ALTER TABLE memberships ADD CONSTRAINT memberships_name_check CHECK (char_length(name) <= 200);
COMMENT ON COLUMN memberships.name IS
    'The person''s name as this organization shows it; no other organization can change it.';

ALTER TABLE memberships ADD COLUMN accepted_at timestamptz;
UPDATE memberships SET accepted_at = created_at;
ALTER TABLE memberships ALTER COLUMN accepted_at SET DEFAULT now();
COMMENT ON COLUMN memberships.accepted_at IS
    'When the person accepted the membership; NULL while an existing account has not yet '
    'followed the link that asks them to join. No token is issued for a pending membership.';

ALTER TABLE invitations ADD COLUMN membership_request boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN invitations.membership_request IS
    'true for the link that asks an existing account to accept a membership an administrator '
    'created; such rows are not listed as invitations.';

-- The audit of discarded self-registrations: the organization they created is gone, and with
-- it that organization's own trail, so the record lives here. Only the functions below write
-- it; the app role has no privilege on it.
CREATE TABLE registration_discards (
    discarded_org_id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    reason text NOT NULL CHECK (reason IN ('replaced', 'expired')),
    discarded_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registration_discards IS
    'Organizations of pending self-registrations that were replaced or expired unverified.';

-- Row-level security applies to the functions' owner too, so they set the tenant each of
-- their statements needs (app.anonymous opens the lookups of accounts and links; see
-- migration 021) and put the caller's back before they return.

-- The organization of a pure pending self-registration: an unverified account whose only
-- membership is the organization its own verification link created, whose organization has
-- no other member and no invitation, and that no administrator created. NULL otherwise.
CREATE FUNCTION app_pending_registration(candidate uuid) RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
DECLARE
    caller_org text := coalesce(current_setting('app.org_id', true), '');
    caller_user text := coalesce(current_setting('app.user_id', true), '');
    caller_anonymous text := coalesce(current_setting('app.anonymous', true), '');
    org uuid;
    pure boolean;
BEGIN
    PERFORM set_config('app.anonymous', 'on', true);
    PERFORM set_config('app.org_id', '', true);
    PERFORM set_config('app.user_id', candidate::text, true);
    SELECT t.organization_id INTO org
    FROM users u
    JOIN LATERAL (
        SELECT organization_id FROM one_time_tokens
        WHERE user_id = u.id AND purpose = 'verify_email' AND organization_id IS NOT NULL
        ORDER BY created_at DESC LIMIT 1
    ) t ON true
    WHERE u.id = candidate AND u.email_verified_at IS NULL AND u.disabled_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM memberships m
                      WHERE m.user_id = u.id AND m.organization_id <> t.organization_id)
      AND NOT EXISTS (SELECT 1 FROM one_time_tokens s
                      WHERE s.user_id = u.id AND s.purpose = 'set_password');
    IF org IS NOT NULL THEN
        PERFORM set_config('app.org_id', org::text, true);
        SELECT NOT EXISTS (SELECT 1 FROM memberships m
                           WHERE m.organization_id = org AND m.user_id <> candidate)
           AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.organization_id = org)
          INTO pure;
        IF NOT pure THEN
            org := NULL;
        END IF;
    END IF;
    PERFORM set_config('app.org_id', caller_org, true);
    PERFORM set_config('app.user_id', caller_user, true);
    PERFORM set_config('app.anonymous', caller_anonymous, true);
    RETURN org;
END
$$;
COMMENT ON FUNCTION app_pending_registration(uuid) IS
    'The organization of a pure pending self-registration, or NULL.';
REVOKE ALL ON FUNCTION app_pending_registration(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_pending_registration(uuid) TO auth_app;

-- Discard a pure pending self-registration: its organization (with its roles and trail) and
-- its outstanding links. Locks the account first, so a membership added at the same moment
-- either waits for this or is seen by the check. Returns the organization removed, or NULL
-- when the account is not (or no longer) a pure pending self-registration: then nothing
-- changes.
CREATE FUNCTION app_discard_pending_registration(candidate uuid, why text) RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
DECLARE
    caller_org text := coalesce(current_setting('app.org_id', true), '');
    caller_user text := coalesce(current_setting('app.user_id', true), '');
    caller_anonymous text := coalesce(current_setting('app.anonymous', true), '');
    org uuid;
BEGIN
    PERFORM set_config('app.anonymous', 'on', true);
    PERFORM set_config('app.org_id', '', true);
    PERFORM 1 FROM users WHERE id = candidate FOR UPDATE;
    org := app_pending_registration(candidate);
    IF org IS NOT NULL THEN
        INSERT INTO registration_discards (discarded_org_id, user_id, reason)
        VALUES (org, candidate, why);
        UPDATE one_time_tokens SET used_at = now() WHERE user_id = candidate AND used_at IS NULL;
        PERFORM set_config('app.org_id', org::text, true);
        DELETE FROM organizations WHERE id = org;
    END IF;
    PERFORM set_config('app.org_id', caller_org, true);
    PERFORM set_config('app.user_id', caller_user, true);
    PERFORM set_config('app.anonymous', caller_anonymous, true);
    RETURN org;
END
$$;
COMMENT ON FUNCTION app_discard_pending_registration(uuid, text) IS
    'The only way an organization is deleted: that of a pure pending self-registration.';
REVOKE ALL ON FUNCTION app_discard_pending_registration(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_discard_pending_registration(uuid, text) TO auth_app;

-- Remove self-registrations nobody verified: every verification link of the account expired
-- more than older_than ago. The account goes too when nothing else holds it. Only pure
-- pending self-registrations are candidates, so accounts that are something else never fill
-- the batch. Returns how many registrations were removed (at most 1000 a call).
CREATE FUNCTION app_discard_expired_registrations(older_than interval) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
DECLARE
    caller_org text := coalesce(current_setting('app.org_id', true), '');
    caller_user text := coalesce(current_setting('app.user_id', true), '');
    caller_anonymous text := coalesce(current_setting('app.anonymous', true), '');
    candidate uuid;
    candidates uuid[];
    removed integer := 0;
BEGIN
    PERFORM set_config('app.anonymous', 'on', true);
    PERFORM set_config('app.org_id', '', true);
    PERFORM set_config('app.user_id', '', true);
    SELECT coalesce(array_agg(id), '{}') INTO candidates FROM (
        SELECT u.id FROM users u
        WHERE u.email_verified_at IS NULL
          AND EXISTS (SELECT 1 FROM one_time_tokens t
                      WHERE t.user_id = u.id AND t.purpose = 'verify_email')
          AND NOT EXISTS (SELECT 1 FROM one_time_tokens t
                          WHERE t.user_id = u.id AND t.purpose = 'verify_email'
                            AND t.expires_at > now() - older_than)
          AND app_pending_registration(u.id) IS NOT NULL
        ORDER BY u.id
        LIMIT 1000
    ) expired;
    FOREACH candidate IN ARRAY candidates LOOP
        IF app_discard_pending_registration(candidate, 'expired') IS NOT NULL THEN
            removed := removed + 1;
            PERFORM set_config('app.org_id', '', true);
            PERFORM set_config('app.user_id', candidate::text, true);
            DELETE FROM users u WHERE u.id = candidate
              AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id);
        END IF;
    END LOOP;
    PERFORM set_config('app.org_id', caller_org, true);
    PERFORM set_config('app.user_id', caller_user, true);
    PERFORM set_config('app.anonymous', caller_anonymous, true);
    RETURN removed;
END
$$;
COMMENT ON FUNCTION app_discard_expired_registrations(interval) IS
    'Janitor: removes pending self-registrations whose verification expired long ago.';
REVOKE ALL ON FUNCTION app_discard_expired_registrations(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_discard_expired_registrations(interval) TO auth_app;

-- No request deletes an organization directly.
REVOKE DELETE ON organizations FROM auth_app;
