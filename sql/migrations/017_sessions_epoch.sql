-- Sessions end together. Every path that issues tokens locks the user's row and reads this
-- epoch; every path that ends sessions locks the same row first, and ending all of a person's
-- sessions (a password reset) raises the epoch. So a grant either commits before a revocation,
-- which then sees and revokes what it issued, or runs after it and sees the new epoch; and
-- access tokens, which carry the epoch they were issued under, die with it.
ALTER TABLE users ADD COLUMN sessions_epoch bigint NOT NULL DEFAULT 0
    CONSTRAINT users_sessions_epoch_check CHECK (sessions_epoch >= 0);

COMMENT ON COLUMN users.sessions_epoch IS
    'Raised when all of the person''s sessions end; tokens of an earlier epoch are refused.';

ALTER TABLE refresh_tokens ADD COLUMN sessions_epoch bigint NOT NULL DEFAULT 0;

COMMENT ON COLUMN refresh_tokens.sessions_epoch IS
    'The user''s sessions epoch when the family began; an older one never rotates again.';
