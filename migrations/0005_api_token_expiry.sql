-- 0005 API token expiry: a token made from now on is valid until expires_at
-- (UTC RFC 3339 text, as in 0001) and refused from that second on. NULL is
-- "never": the tokens issued before this migration keep working.

ALTER TABLE api_token ADD COLUMN expires_at TEXT;
