-- The time zone an account reads times in; NULL: the site's (the setting
-- timezone, else UTC).
ALTER TABLE account ADD COLUMN timezone TEXT;
