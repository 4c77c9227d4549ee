-- Throttle counters: failed attempts per key (an account, a client address) in a fixed window
-- that opens with the first failure. Shared by every instance of the service. Not tenant
-- data: keys are built before any organization is known, so there is no row-level security.
CREATE TABLE throttle_counters (
    key            text PRIMARY KEY CONSTRAINT throttle_counters_key_check
                   CHECK (char_length(key) BETWEEN 1 AND 512),
    failures       integer NOT NULL CONSTRAINT throttle_counters_failures_check CHECK (failures >= 1),
    max_failures   integer NOT NULL CONSTRAINT throttle_counters_max_failures_check CHECK (max_failures >= 1),
    window_ends_at timestamptz NOT NULL
);

CREATE INDEX throttle_counters_window_ends_idx ON throttle_counters (window_ends_at);

COMMENT ON TABLE throttle_counters IS 'Failed secret checks per key in the current window; blocked while failures >= max_failures and the window is open.';
COMMENT ON COLUMN throttle_counters.key IS 'What is counted, e.g. login:account:<lowercased e-mail> or login:ip:<address>.';
COMMENT ON COLUMN throttle_counters.max_failures IS 'The limit in force when the last failure was counted.';
COMMENT ON COLUMN throttle_counters.window_ends_at IS 'When the count lapses; rows past it are dead and may be deleted at any time.';

GRANT SELECT, INSERT, UPDATE, DELETE ON throttle_counters TO auth_app;
