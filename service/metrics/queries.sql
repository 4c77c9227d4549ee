-- name: outbox_stats
-- Each figure walks a partial index (pending rows, dead rows), not the whole outbox; the
-- statement still runs under a short timeout and is left out of the scrape when that runs out.
SELECT
    (SELECT count(*) FROM mail_outbox WHERE status = 'pending') AS pending,
    (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)
     FROM mail_outbox WHERE status = 'pending')::float8 AS oldest_pending_seconds,
    (SELECT count(*) FROM mail_outbox WHERE status = 'dead') AS dead
