-- Organisers' texts in other languages. A thing is written in one language,
-- its own (the lang column added below: 'en' for what exists); versions of
-- its texts in the site's other languages are kept here, one row a field.
-- entity is the audit log's name of the kind ('event', 'series',
-- 'organisation', 'post'), entity_id its row; deleting a thing deletes its
-- versions (the store does, as for old_address).
CREATE TABLE content_translation (
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    lang TEXT NOT NULL,
    field TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, lang, field)
);

ALTER TABLE event ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE series ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE organisation ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE post ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
