-- Where a session or a personal API token was last used (the client
-- address, as the server or its trusted proxy sees it), for the list of
-- one's own sessions and tokens on the account page.
ALTER TABLE session ADD COLUMN address TEXT;
ALTER TABLE api_token ADD COLUMN last_address TEXT;
