-- Throttles that reserve before they verify, and what the janitor needs.
--
-- A counter now counts attempts reserved in its window (a success gives its reservation back),
-- so a counter may stand at zero. throttle_reserve counts one attempt on every key, or on none
-- when any key is at its limit, in one call that locks its keys in key order: a burst of
-- simultaneous guesses gets no more attempts than a slow sequence of them.

ALTER TABLE throttle_counters DROP CONSTRAINT throttle_counters_failures_check;
ALTER TABLE throttle_counters ADD CONSTRAINT throttle_counters_failures_check CHECK (failures >= 0);

COMMENT ON TABLE throttle_counters IS
    'Attempts per key (an account, a client address, a recipient) in the current window; an attempt is refused while failures >= max_failures and the window is open.';
COMMENT ON COLUMN throttle_counters.failures IS
    'Attempts reserved in the window and not given back by a success.';

-- Reserve one attempt on each key (arrays of equal length: key, limit, window in seconds), or
-- on none of them. Keys whose waivable flag is set are left out when the key named by known
-- has an open window (a client that signed in to the account before). Returns 0 when the
-- attempt is reserved, else the seconds until the latest block in force lifts. now_at is NULL in
-- production (the database's clock); tests pass their own time.
CREATE FUNCTION throttle_reserve(
    keys text[], limits integer[], windows integer[], waivable boolean[], known text,
    now_at timestamptz
) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    moment timestamptz := coalesce(now_at, now());
    waived boolean;
    k text[];
    l integer[];
    w integer[];
    blocked_for integer;
BEGIN
    waived := known IS NOT NULL AND EXISTS (
        SELECT 1 FROM throttle_counters c WHERE c.key = known AND c.window_ends_at > moment);
    SELECT array_agg(r.key ORDER BY r.key), array_agg(r.max_failures ORDER BY r.key),
           array_agg(r.window_seconds ORDER BY r.key)
      INTO k, l, w
    FROM (
        SELECT DISTINCT ON (u.key) u.key, u.max_failures, u.window_seconds
        FROM unnest(keys, limits, windows, waivable)
             AS u (key, max_failures, window_seconds, waivable)
        WHERE NOT (waived AND u.waivable)
        ORDER BY u.key
    ) r;
    IF k IS NULL THEN
        RETURN 0;
    END IF;
    -- Rows are created and then locked in key order, so concurrent calls cannot deadlock.
    INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
    SELECT r.key, 0, r.max_failures, moment + make_interval(secs => r.window_seconds)
    FROM unnest(k, l, w) AS r (key, max_failures, window_seconds)
    ORDER BY r.key
    ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM throttle_counters t WHERE t.key = ANY (k) ORDER BY t.key FOR UPDATE;
    SELECT coalesce(max(ceil(extract(epoch FROM t.window_ends_at - moment))), 0)::integer
      INTO blocked_for
    FROM throttle_counters t JOIN unnest(k, l) AS r (key, max_failures) ON r.key = t.key
    WHERE t.window_ends_at > moment AND t.failures >= r.max_failures;
    IF blocked_for > 0 THEN
        RETURN blocked_for;
    END IF;
    UPDATE throttle_counters t SET
        failures = CASE WHEN t.window_ends_at <= moment THEN 1 ELSE t.failures + 1 END,
        max_failures = r.max_failures,
        window_ends_at = CASE WHEN t.window_ends_at <= moment
                              THEN moment + make_interval(secs => r.window_seconds)
                              ELSE t.window_ends_at END
    FROM unnest(k, l, w) AS r (key, max_failures, window_seconds)
    WHERE t.key = r.key;
    RETURN 0;
END
$$;
COMMENT ON FUNCTION throttle_reserve(text[], integer[], integer[], boolean[], text, timestamptz) IS
    'Counts one attempt on every key, or on none when any key is at its limit; 0 or the seconds to wait.';

-- After a success: give one reservation back on each key of refund, forget the keys of clear,
-- and open (or extend) the window of known for known_seconds. Locks in key order.
CREATE FUNCTION throttle_settle(
    refund text[], clear text[], known text, known_seconds integer, now_at timestamptz
) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    moment timestamptz := coalesce(now_at, now());
BEGIN
    PERFORM 1 FROM throttle_counters t
    WHERE t.key = ANY (refund) OR t.key = ANY (clear)
    ORDER BY t.key
    FOR UPDATE;
    UPDATE throttle_counters t SET failures = greatest(t.failures - 1, 0)
    WHERE t.key = ANY (refund) AND t.window_ends_at > moment;
    DELETE FROM throttle_counters t WHERE t.key = ANY (clear);
    IF known IS NOT NULL THEN
        INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
        VALUES (known, 0, 1, moment + make_interval(secs => known_seconds))
        ON CONFLICT (key) DO UPDATE SET window_ends_at = excluded.window_ends_at;
    END IF;
END
$$;
COMMENT ON FUNCTION throttle_settle(text[], text[], text, integer, timestamptz) IS
    'Gives reservations back after a success and remembers the client that succeeded.';

REVOKE ALL ON FUNCTION throttle_reserve(text[], integer[], integer[], boolean[], text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION throttle_reserve(text[], integer[], integer[], boolean[], text, timestamptz) TO auth_app;
REVOKE ALL ON FUNCTION throttle_settle(text[], text[], text, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION throttle_settle(text[], text[], text, integer, timestamptz) TO auth_app;

-- The janitor deletes delivered and dead-lettered mail once it is old, and links long past.
GRANT DELETE ON mail_outbox TO auth_app;
CREATE INDEX mail_outbox_done_idx ON mail_outbox (created_at) WHERE status <> 'pending';
CREATE INDEX one_time_tokens_done_idx
    ON one_time_tokens (least(expires_at, coalesce(used_at, expires_at)));
