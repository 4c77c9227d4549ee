-- Every statement runs alone on its own connection (its own transaction); $now is NULL in
-- production, so the database's clock decides, the same for every instance.

-- name: record_failures
-- One failure for each key: open a new window when there is none or it has lapsed, else count
-- one more in the open window. Keys arrive sorted, so concurrent callers lock rows in the same
-- order. Returns how long the most distant block that is now in force lasts (0 when none).
WITH counted AS (
    INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
    SELECT r.key, 1, r.max_failures,
           coalesce($4::timestamptz, now()) + make_interval(secs => r.window_seconds)
    FROM unnest($1::text[], $2::integer[], $3::integer[]) AS r (key, max_failures, window_seconds)
    ORDER BY r.key
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_ends_at <= coalesce($4::timestamptz, now())
                        THEN 1 ELSE t.failures + 1 END,
        max_failures = excluded.max_failures,
        window_ends_at = CASE WHEN t.window_ends_at <= coalesce($4::timestamptz, now())
                              THEN excluded.window_ends_at ELSE t.window_ends_at END
    RETURNING t.failures, t.max_failures, t.window_ends_at
)
SELECT coalesce(ceil(extract(epoch FROM max(window_ends_at) - coalesce($4::timestamptz, now()))), 0)::integer AS retry_after
FROM counted
WHERE failures >= max_failures

-- name: check
-- How long the most distant block in force lasts (0 when none), and which of the keys have
-- failures counted in an open window (a success needs to forget only those).
SELECT coalesce(ceil(extract(epoch FROM
           max(window_ends_at) FILTER (WHERE failures >= max_failures)
           - coalesce($2::timestamptz, now()))), 0)::integer AS retry_after,
       coalesce(array_agg(key), '{}') AS counted
FROM throttle_counters
WHERE key = ANY($1::text[])
  AND window_ends_at > coalesce($2::timestamptz, now())

-- name: failures
SELECT key, failures, max_failures, window_ends_at
FROM throttle_counters
WHERE key = ANY($1::text[])
  AND window_ends_at > coalesce($2::timestamptz, now())
ORDER BY key

-- name: reset
DELETE FROM throttle_counters
WHERE key = ANY($1::text[])

-- name: prune
-- Lapsed windows only, a bounded batch, skipping rows another statement holds.
DELETE FROM throttle_counters
WHERE window_ends_at <= coalesce($1::timestamptz, now())
  AND key IN (
    SELECT key FROM throttle_counters
    WHERE window_ends_at <= coalesce($1::timestamptz, now())
    ORDER BY window_ends_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
