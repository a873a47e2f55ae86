-- 0003 organisation logo: the stored image (media/<sha256>.<ext>, see
-- src/media/media.h) shown for an organisation; NULL when it has none.
ALTER TABLE organisation ADD COLUMN logo TEXT;
