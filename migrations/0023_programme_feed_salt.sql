-- The secret address of an agenda feed stays retrievable: its token is a
-- keyed hash (server key "agenda") of this random salt and the account,
-- so the page can show the address again while the store keeps no usable
-- token (token_hash, its digest, is what a calendar's request is looked
-- up by). A new salt is a new address; the old one stops working.
ALTER TABLE programme_feed ADD COLUMN salt TEXT NOT NULL DEFAULT '';
