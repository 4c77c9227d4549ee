-- A new signing key is published before it signs. Verifiers cache the JWKS (max-age 60 s), so
-- a key that signed the moment it was added would be unknown to a warm verifier for up to a
-- minute; rotate-keys now publishes the new key at once and lets it sign from signing_from
-- (twice the JWKS max-age later), while the key it replaces keeps signing until then.
-- rotate-keys --now (an emergency) and --revoke-previous (a leak) sign with it at once.
ALTER TABLE signing_keys ADD COLUMN signing_from timestamptz NOT NULL DEFAULT now();

COMMENT ON COLUMN signing_keys.signing_from IS
    'When the key starts signing; it is published from its creation, so verifiers know it first.';
COMMENT ON COLUMN signing_keys.signing_until IS
    'When the key stops signing (may lie ahead, until its successor starts); NULL while no successor is set.';

ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_window_check
    CHECK (signing_until IS NULL OR signing_until >= signing_from);
