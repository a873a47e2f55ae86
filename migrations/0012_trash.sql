-- 0010 trash: what a deletion keeps so that it can be undone (src/site/trash.c).
-- A deleted series, event, organisation, post or category is kept here for
-- 30 days with the rows that went with it (data: {"thing": as the audit log
-- keeps it, "rows": {part: [rows as they were]}, "addresses": [its old
-- addresses]}); restoring puts them back and drops the entry, the
-- scheduler forgets entries older than that. entity is the audit log's name
-- of the kind, entity_id the id the thing had, name what it was called.
CREATE TABLE trash (
  id         INTEGER PRIMARY KEY,
  entity     TEXT NOT NULL,
  entity_id  INTEGER NOT NULL,
  name       TEXT NOT NULL,
  data       TEXT NOT NULL,
  -- the uploaded image it names (a post's, an organisation's logo), which
  -- the sweep of unused uploads keeps while it is here
  media      TEXT,
  deleted_by INTEGER REFERENCES account(id) ON DELETE SET NULL,
  deleted_at TEXT NOT NULL
);
CREATE INDEX trash_deleted ON trash (deleted_at);
