-- name: discard_pending
-- The one way an organization row is deleted (see migration 018): checks and discards under
-- the account's row lock, or changes nothing and answers NULL.
SELECT app_discard_pending_registration($1, $2);
