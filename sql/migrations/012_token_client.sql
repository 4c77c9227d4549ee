-- A first-password link may name the client application that created the account; after the
-- password is set the page offers a way back to that client's configured address.
ALTER TABLE one_time_tokens
    ADD COLUMN client_id text CONSTRAINT one_time_tokens_client_check CHECK (char_length(client_id) <= 200);

COMMENT ON COLUMN one_time_tokens.client_id IS
    'For set_password: the clientId whose configured redirect the page links to afterwards.';
