-- Signing keys for access tokens, shared by every instance of the service. Not a tenant
-- table: one key ring serves all organizations. A key signs until signing_until, and its
-- public half stays in the JWKS until published_until, when the last token it signed has
-- expired. A key that is still signing has neither set.
CREATE TABLE signing_keys (
    kid             text PRIMARY KEY
                    CONSTRAINT signing_keys_kid_check CHECK (kid ~ '^[A-Za-z0-9_-]{16,64}$'),
    algorithm       text NOT NULL
                    CONSTRAINT signing_keys_algorithm_check
                    CHECK (algorithm IN ('RS256', 'ES256', 'Ed25519')),
    public_jwk      jsonb NOT NULL
                    CONSTRAINT signing_keys_public_jwk_check
                    CHECK (jsonb_typeof(public_jwk) = 'object' AND public_jwk ->> 'kid' = kid
                           AND public_jwk ->> 'alg' = algorithm),
    private_key     bytea NOT NULL,
    encrypted       boolean NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    signing_until   timestamptz,
    published_until timestamptz,
    CONSTRAINT signing_keys_retirement_check
        CHECK ((signing_until IS NULL) = (published_until IS NULL)
               AND (published_until IS NULL OR published_until >= signing_until))
);

CREATE INDEX signing_keys_published_idx ON signing_keys (published_until);

COMMENT ON TABLE signing_keys IS 'Keys that sign access tokens; public halves are served as the JWKS.';
COMMENT ON COLUMN signing_keys.public_jwk IS 'The public JWK as published, with kid, alg and use.';
COMMENT ON COLUMN signing_keys.private_key IS 'PKCS#8 PEM, or nonce || AES-256-GCM ciphertext of it (kid as associated data) when encrypted.';
COMMENT ON COLUMN signing_keys.signing_until IS 'When the key stopped signing; NULL while it signs.';
COMMENT ON COLUMN signing_keys.published_until IS 'When the key leaves the JWKS: signing_until plus the access-token lifetime and a margin.';

-- The app creates the first key and rotates; it never deletes a key or rewrites one.
GRANT SELECT, INSERT ON signing_keys TO auth_app;
GRANT UPDATE (signing_until, published_until) ON signing_keys TO auth_app;
