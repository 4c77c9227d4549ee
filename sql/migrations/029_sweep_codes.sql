-- The janitor sweeps authorization codes a day after they expired (the anonymous context may
-- see and delete those, and only those) and client assertion ids once they would have expired
-- anyway (that table has no tenant).
CREATE POLICY authorization_codes_sweep ON authorization_codes
    FOR SELECT
    USING (current_setting('app.anonymous', true) = 'on' AND expires_at < now() - interval '1 day');
CREATE POLICY authorization_codes_sweep_delete ON authorization_codes
    FOR DELETE
    USING (current_setting('app.anonymous', true) = 'on' AND expires_at < now() - interval '1 day');
