-- The dead-lettered mail an operator's scrape counts: a partial index, so the count reads only
-- the dead rows however much delivered mail the outbox keeps.
CREATE INDEX mail_outbox_dead_idx ON mail_outbox (id) WHERE status = 'dead';
