-- Dialogue, continued: the analysis off the request path, the next
-- statement by the engine's priorities, vote limits and embedding.

-- Bumped in the transaction of every change the analysis reads (a vote,
-- a moderation, an exclusion, a new statement): the analysis runs again
-- when its last result read an older revision.
ALTER TABLE conversation ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- The sites that may frame the conversation (embedding): origins such as
-- https://example.org, one per line; empty: none.
ALTER TABLE conversation ADD COLUMN embed_origins TEXT NOT NULL DEFAULT '';

-- The attributes a conversation asks its participants to declare when
-- registration does not tell them (space-separated, of: sector country;
-- empty: none), and what a participant declared, optional, with the time
-- they consented (declared_at; set with both empty when they declined).
ALTER TABLE conversation ADD COLUMN ask_attributes TEXT NOT NULL DEFAULT '';
ALTER TABLE dialogue_participant ADD COLUMN sector TEXT;
ALTER TABLE dialogue_participant ADD COLUMN country TEXT;
ALTER TABLE dialogue_participant ADD COLUMN declared_at TEXT;

-- The registration a participant is known by, where it is not found by
-- their account's address (the demo's simulated participants): their
-- declared sector and country, for the report's declared groups.
ALTER TABLE dialogue_participant ADD COLUMN registration_id INTEGER
  REFERENCES registration(id) ON DELETE SET NULL;

-- The engine's routing weight of each accepted statement (Pol.is's
-- comment priorities) from the last analysis: the next statement a
-- participant sees is drawn by it. NULL: not analysed yet.
ALTER TABLE statement ADD COLUMN priority REAL;
-- what every vote's answer reads (the next statement, the progress): the
-- accepted statements of a conversation with their priority, from the
-- index alone
CREATE INDEX statement_routing ON statement(conversation_id, status, id, priority);

-- The last analysis of a conversation: the engine's JSON (the keys of
-- `harmony analyze --format json`), the revision it read, when it was
-- computed and how long it took.
CREATE TABLE dialogue_analysis (
  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
  revision        INTEGER NOT NULL,
  computed_at     TEXT NOT NULL,
  took_ms         INTEGER NOT NULL,
  report          TEXT NOT NULL,
  PRIMARY KEY (conversation_id)
);

-- Token buckets of the vote limits (an anonymous identity's, an
-- address's in a conversation), in the database so that every instance
-- counts the same votes.
CREATE TABLE vote_rate (
  key     TEXT NOT NULL,
  tokens  REAL NOT NULL,
  at_ms   INTEGER NOT NULL,
  PRIMARY KEY (key)
);
CREATE INDEX vote_rate_at ON vote_rate(at_ms);
