-- 0011 search: one full-text index over what the site's search finds —
-- events, news posts, organisations and series — in SQLite an FTS5 table
-- kept current by triggers on the four tables (so every write, whoever
-- makes it, and every copy into a new file, keeps it whole). Drafts are
-- indexed too: the search reads the row's status beside the match, so a
-- publication or an unpublication needs no change here.
-- A row's rowid is its id * 4 + its kind: 0 event, 1 post,
-- 2 organisation, 3 series. Columns: title (weighted higher) and body.
-- The tokenizer folds case and keeps diacritics, as PostgreSQL's 'simple'
-- configuration does (migrations/postgresql/0011_search.sql), so both find
-- the same things.
CREATE VIRTUAL TABLE search_index USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');

CREATE TRIGGER event_search_insert AFTER INSERT ON event BEGIN
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4, new.title,
    new.theme || ' ' || new.summary || ' ' || new.description_md || ' ' || new.city || ' ' ||
    coalesce(new.venue, '') || ' ' || new.region);
END;
CREATE TRIGGER event_search_update AFTER UPDATE ON event BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4;
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4, new.title,
    new.theme || ' ' || new.summary || ' ' || new.description_md || ' ' || new.city || ' ' ||
    coalesce(new.venue, '') || ' ' || new.region);
END;
CREATE TRIGGER event_search_delete AFTER DELETE ON event BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4;
END;

CREATE TRIGGER post_search_insert AFTER INSERT ON post BEGIN
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4 + 1, new.title,
    new.summary || ' ' || new.body_md);
END;
CREATE TRIGGER post_search_update AFTER UPDATE ON post BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4 + 1, new.title,
    new.summary || ' ' || new.body_md);
END;
CREATE TRIGGER post_search_delete AFTER DELETE ON post BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
END;

CREATE TRIGGER organisation_search_insert AFTER INSERT ON organisation BEGIN
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4 + 2,
    new.name || ' ' || coalesce(new.acronym, ''), new.description);
END;
CREATE TRIGGER organisation_search_update AFTER UPDATE ON organisation BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4 + 2,
    new.name || ' ' || coalesce(new.acronym, ''), new.description);
END;
CREATE TRIGGER organisation_search_delete AFTER DELETE ON organisation BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
END;

CREATE TRIGGER series_search_insert AFTER INSERT ON series BEGIN
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4 + 3, new.title, new.summary);
END;
CREATE TRIGGER series_search_update AFTER UPDATE ON series BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4 + 3;
  INSERT INTO search_index (rowid, title, body) VALUES (new.id * 4 + 3, new.title, new.summary);
END;
CREATE TRIGGER series_search_delete AFTER DELETE ON series BEGIN
  DELETE FROM search_index WHERE rowid = old.id * 4 + 3;
END;

-- What is there already.
INSERT INTO search_index (rowid, title, body)
  SELECT id * 4, title, theme || ' ' || summary || ' ' || description_md || ' ' || city || ' ' ||
    coalesce(venue, '') || ' ' || region FROM event;
INSERT INTO search_index (rowid, title, body)
  SELECT id * 4 + 1, title, summary || ' ' || body_md FROM post;
INSERT INTO search_index (rowid, title, body)
  SELECT id * 4 + 2, name || ' ' || coalesce(acronym, ''), description FROM organisation;
INSERT INTO search_index (rowid, title, body)
  SELECT id * 4 + 3, title, summary FROM series;
