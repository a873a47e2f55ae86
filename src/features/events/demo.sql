-- The demo's organisations, series and events: the Shanghai 2012
-- consultation and the meetings of its series (see demo/shanghai-2012.sql).

INSERT INTO organisation (id, slug, name, acronym, kind, country, url, created_at, updated_at) VALUES
  (1, 'unaoc', 'United Nations Alliance of Civilizations', 'UNAOC', 'international', NULL, NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  (2, 'un-association-of-china', 'UN Association of China', NULL, 'ngo', 'CN', NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  (3, 'fudan-university', 'Fudan University', NULL, 'academia', NULL, NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  (4, 'shanghai-academy-of-social-sciences', 'Shanghai Academy of Social Sciences', NULL, 'academia', NULL, NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  (5, 'centre-for-dialogue-la-trobe-university', 'Centre for Dialogue at La Trobe University', NULL, 'academia', 'AU', NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  (6, 'international-movement-for-a-just-world', 'International Movement for a Just World', NULL, 'ngo', 'MY', NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));

INSERT INTO series (id, slug, title, summary, organiser_id, status, created_at, updated_at) VALUES
  (1, 'regional-consultations', 'Regional Consultations',
   'An effort by the Alliance to root its work in a regional framework and launch joint actions to tackle shared challenges in the field of intercultural dialogue, understanding, and trust.',
   1, 'published', strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));

INSERT INTO event (id, series_id, slug, title, kind, theme, summary, region, city, country, venue,
                   starts_on, ends_on, date_precision, timezone, capacity, status,
                   contact_name, contact_title, contact_org, contact_email, created_at, updated_at) VALUES
  (1, 1, 'asia-pacific-auckland-2007', 'Asia-Pacific Symposium', 'symposium',
   'The relevance of the Alliance to the Asia-Pacific region',
   'A symposium in Auckland that focused for the first time on the relevance of the Alliance to the Asia-Pacific region.',
   'Asia-Pacific', 'Auckland', 'NZ', NULL, '2007-05-01', '2007-05-31', 'month', 'Pacific/Auckland',
   NULL, 'published', NULL, NULL, NULL, NULL, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  (2, 1, 'asia-south-pacific-shanghai-2012', 'Regional Consultations for Asia-South Pacific', 'consultation',
   'Harmony through Diversity and Dialogue',
   'How society, politics, culture and values in Asia and south Pacific are being affected by the recent economic development of the region, and what role the Alliance can play in a renewed regional cooperation.',
   'Asia-South Pacific', 'Shanghai', 'CN', NULL, '2012-11-29', '2012-11-30', 'day', 'Asia/Shanghai',
   150, 'published', 'Jean-Christophe Bas', 'Senior Advisor, Strategic Development and Partnerships',
   'Secretariat of the United Nations Alliance of Civilizations', 'basj@un.org',
   strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));

INSERT INTO event_sector (event_id, sector, position) VALUES
  (2, 'government', 1), (2, 'academia', 2), (2, 'business', 3), (2, 'ngo', 4), (2, 'cultural', 5);

INSERT INTO event_organisation (event_id, organisation_id, role, position) VALUES
  (1, 1, 'convener', 1),
  (2, 1, 'convener', 1),
  (2, 2, 'co-organiser', 2),
  (2, 3, 'partner', 3),
  (2, 4, 'partner', 4),
  (2, 5, 'partner', 5),
  (2, 6, 'partner', 6);
