-- 0011 search, PostgreSQL's form (SQLite's: migrations/0011_search.sql):
-- a GIN index on each table's document, the same expressions as the
-- search's statements (src/features/search/search.c), so PostgreSQL keeps
-- them current on every write with no trigger. The 'simple' configuration
-- folds case and keeps every word (no stemming, no stop words), as SQLite's
-- unicode61 tokenizer does with remove_diacritics 0.
CREATE INDEX event_search ON event USING GIN ((
  setweight(to_tsvector('simple', title), 'A') ||
  to_tsvector('simple', theme || ' ' || summary || ' ' || description_md || ' ' || city || ' ' ||
    coalesce(venue, '') || ' ' || region)));
CREATE INDEX post_search ON post USING GIN ((
  setweight(to_tsvector('simple', title), 'A') ||
  to_tsvector('simple', summary || ' ' || body_md)));
CREATE INDEX organisation_search ON organisation USING GIN ((
  setweight(to_tsvector('simple', name || ' ' || coalesce(acronym, '')), 'A') ||
  to_tsvector('simple', description)));
CREATE INDEX series_search ON series USING GIN ((
  setweight(to_tsvector('simple', title), 'A') ||
  to_tsvector('simple', summary)));
