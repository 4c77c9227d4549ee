-- Access tokens are verified without calling us, but this service checks each one against the
-- live membership: a token issued before the membership last (re)started — before a removed
-- member joined again, or before a deactivated one was reactivated — is refused.
ALTER TABLE memberships
    ADD COLUMN sessions_since timestamptz NOT NULL DEFAULT now();

COMMENT ON COLUMN memberships.sessions_since IS
    'When the membership last became active; access tokens issued earlier are refused.';
