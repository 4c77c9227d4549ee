-- name: enqueue
INSERT INTO mail_outbox (id, message_id, recipient, subject, body_text, body_html, template)
VALUES ($1, $2, $3, $4, $5, $6, $7)

-- name: claim_due
-- Takes up to $1 due messages under a lease of $2 seconds, marked with lease id $3.
WITH due AS (
    SELECT id
    FROM mail_outbox
    WHERE status = 'pending'
      AND next_attempt_at <= now()
      AND (locked_until IS NULL OR locked_until <= now())
    ORDER BY next_attempt_at, id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE mail_outbox AS o
SET locked_until = now() + make_interval(secs => $2),
    lease_id = $3,
    attempts = o.attempts + 1
FROM due
WHERE o.id = due.id
RETURNING o.id, o.message_id, o.recipient, o.subject, o.body_text, o.body_html, o.template,
          o.attempts, o.created_at

-- name: release_lease
-- The claim under lease $1 may have committed without its rows reaching the worker.
UPDATE mail_outbox
SET locked_until = NULL, lease_id = NULL, attempts = attempts - 1
WHERE lease_id = $1 AND status = 'pending'

-- name: mark_sent
-- The server accepted the message: record it whoever holds the lease now.
UPDATE mail_outbox
SET status = 'sent', sent_at = now(), body_text = NULL, body_html = NULL,
    locked_until = NULL, lease_id = NULL, last_error = NULL
WHERE id = $1 AND status = 'pending'

-- name: mark_retry
UPDATE mail_outbox
SET next_attempt_at = now() + make_interval(secs => $3), last_error = $4,
    locked_until = NULL, lease_id = NULL
WHERE id = $1 AND lease_id = $2 AND status = 'pending'

-- name: mark_dead
UPDATE mail_outbox
SET status = 'dead', body_text = NULL, body_html = NULL, last_error = $3,
    locked_until = NULL, lease_id = NULL
WHERE id = $1 AND lease_id = $2 AND status = 'pending'
