-- Statements outside a transaction run alone on their own connection; $now is NULL in
-- production, so the database's clock decides, the same for every instance.

-- name: reserve
-- One attempt on every key, or on none when any key is at its limit (see migration 019).
-- 0 when reserved, else the seconds until the latest block in force lifts.
SELECT throttle_reserve($1::text[], $2::integer[], $3::integer[], $4::boolean[], $5::text,
                        $6::timestamptz)

-- name: settle
SELECT throttle_settle($1::text[], $2::text[], $3::text, $4::integer, $5::timestamptz)

-- name: take
-- Inside the caller's transaction: count one unless the key is at its limit. A row comes back
-- only when counted; the row stays locked until the caller's commit, so concurrent callers
-- count one after the other.
INSERT INTO throttle_counters AS t (key, failures, max_failures, window_ends_at)
VALUES ($1, 1, $2, now() + make_interval(secs => $3))
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.window_ends_at <= now() THEN 1 ELSE t.failures + 1 END,
    max_failures = excluded.max_failures,
    window_ends_at = CASE WHEN t.window_ends_at <= now()
                          THEN excluded.window_ends_at ELSE t.window_ends_at END
WHERE t.window_ends_at <= now() OR t.failures < excluded.max_failures
RETURNING true

-- name: retry_after
SELECT greatest(ceil(extract(epoch FROM window_ends_at - now())), 0)::integer
FROM throttle_counters
WHERE key = $1

-- name: failures
SELECT key, failures, max_failures, window_ends_at
FROM throttle_counters
WHERE key = ANY($1::text[])
  AND window_ends_at > coalesce($2::timestamptz, now())
ORDER BY key

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
