-- A message may carry one text file (an event's calendar file): its name,
-- its media type and its UTF-8 content, sent base64 as a second MIME part.
ALTER TABLE mail_outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE mail_outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE mail_outbox ADD COLUMN attachment TEXT;
