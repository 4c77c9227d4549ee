-- The mail outbox: one row per message, inserted in the same transaction as the change that
-- causes it, so a message exists if and only if that change committed. A worker claims due
-- rows with FOR UPDATE SKIP LOCKED under a lease (locked_until), sends them and records the
-- outcome. Not a tenant table: the worker reads every organization's mail.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY,
    message_id      text NOT NULL CONSTRAINT mail_outbox_message_id_key UNIQUE,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body_text       text,
    body_html       text,
    template        text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CONSTRAINT mail_outbox_status_check CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CONSTRAINT mail_outbox_attempts_check CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    lease_id        uuid,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    -- Bodies carry one-time links: they exist while the message waits and never after.
    CONSTRAINT mail_outbox_bodies_check
        CHECK ((status = 'pending') = (body_text IS NOT NULL AND body_html IS NOT NULL)),
    CONSTRAINT mail_outbox_sent_at_check CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

-- The claim query walks pending rows in due order.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'pending';

COMMENT ON TABLE mail_outbox IS 'Outgoing mail, written in the transaction that causes it and delivered by the mail worker.';
COMMENT ON COLUMN mail_outbox.message_id IS 'RFC 5322 Message-ID fixed at enqueue: every retry carries the same one.';
COMMENT ON COLUMN mail_outbox.body_text IS 'Plain-text part; cleared once the message is sent or dead.';
COMMENT ON COLUMN mail_outbox.body_html IS 'HTML part; cleared once the message is sent or dead.';
COMMENT ON COLUMN mail_outbox.attempts IS 'How many times a worker has claimed the message.';
COMMENT ON COLUMN mail_outbox.locked_until IS 'Lease: a worker holds the row until then; afterwards any worker may claim it.';
COMMENT ON COLUMN mail_outbox.lease_id IS 'Identifies the claim that holds the lease, so a late worker cannot overwrite a newer claim.';

-- Wake listening workers when new mail commits (NOTIFY is delivered on commit, never on rollback).
CREATE FUNCTION mail_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $$
BEGIN
    PERFORM pg_notify('mail_outbox', '');
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION mail_outbox_notify() IS 'Sends NOTIFY mail_outbox after rows are added to the outbox.';

CREATE TRIGGER mail_outbox_notify
    AFTER INSERT ON mail_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();

GRANT SELECT, INSERT, UPDATE ON mail_outbox TO auth_app;
