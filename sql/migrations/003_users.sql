-- Users: the global identity of a person, shared by all organizations they belong to.
-- Row-level security is added with memberships, which it depends on.
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text NOT NULL CONSTRAINT users_email_check
                      CHECK (char_length(email) BETWEEN 3 AND 254 AND strpos(email, '@') > 1),
    name              text NOT NULL DEFAULT '' CHECK (char_length(name) <= 200),
    given_name        text CHECK (char_length(given_name) <= 100),
    family_name       text CHECK (char_length(family_name) <= 100),
    password_hash     text,
    email_verified_at timestamptz,
    disabled_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

COMMENT ON TABLE users IS 'People who can sign in; organization access comes from memberships.';
COMMENT ON COLUMN users.password_hash IS 'argon2id PHC string; NULL until the user sets a password.';
COMMENT ON COLUMN users.email_verified_at IS 'NULL until the address is proven by a link sent to it.';
