-- The addresses things had before they changed (an event's, series' or
-- organisation's slug; a post's date and slug, "2012/11/12/slug"), so that
-- an old link is redirected (301) to where the thing is now. A slug that a
-- new thing takes is dropped from here (the new thing wins); deleting a
-- thing deletes its old addresses. entity is the audit log's name of the
-- kind ('event', 'series', 'organisation', 'post'); entity_id its row.
CREATE TABLE old_address (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    address TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity, address)
);
CREATE INDEX old_address_thing ON old_address (entity, entity_id);
