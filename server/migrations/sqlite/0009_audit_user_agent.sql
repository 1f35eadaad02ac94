-- The User-Agent of the request that made an audited change (bounded, printable; none from the CLI).
ALTER TABLE audit_log ADD COLUMN user_agent TEXT;
