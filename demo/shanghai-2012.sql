-- The demo: the UNAOC Regional Consultations for Asia-South Pacific,
-- Shanghai, 29-30 November 2012, exactly as announced (see README). Only
-- facts the announcement states are here; what it does not say (the venue,
-- the exact dates of the 2007 symposium, some partners' countries) is left
-- empty rather than invented.

INSERT INTO site_setting (key, value) VALUES
  ('site_name', 'United Nations Alliance of Civilizations'),
  ('site_tagline', 'Regional Consultations');

-- Each feature adds its own part (src/features/*/demo.sql), in the order
-- src/site/features.c lists the features.
