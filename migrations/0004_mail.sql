-- 0004 mail: the outbox of e-mail messages, each with its delivery status,
-- and the counts behind rate limits on requests that send mail (reset links).
-- Times are UTC RFC 3339 text, as in 0001, so they compare as strings.

CREATE TABLE mail_outbox (
  id              INTEGER PRIMARY KEY,
  message_id      TEXT NOT NULL UNIQUE,   -- "<…@host>", the Message-ID header
  from_addr       TEXT NOT NULL,          -- "Name <addr>" as the site sent it
  recipient       TEXT NOT NULL,
  recipient_name  TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,          -- plain UTF-8 text; composed when sent
  -- a part of the body never shown (a reset link's token), erased from the
  -- body once the message is sent or has finally failed
  secret          TEXT,
  status          TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      TEXT NOT NULL,          -- also the Date header
  next_attempt_at TEXT NOT NULL,
  claimed_at      TEXT,                   -- when a sender took it ('sending')
  sent_at         TEXT,
  delivered_to    TEXT                    -- the relay (no credentials) or the .eml file
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);

-- One row per counted request; keys are digests (no addresses kept).
CREATE TABLE mail_rate (
  rate_key TEXT NOT NULL,
  at       TEXT NOT NULL
);
CREATE INDEX mail_rate_key ON mail_rate(rate_key, at);
