-- The demo's programme: two days of the Shanghai 2012 consultation
-- (29–30 November, Asia/Shanghai, UTC+8; times below in UTC) built from
-- the announcement's themes (../shared/context/consultation.txt): how
-- society, politics, culture and values in Asia and the South Pacific are
-- affected by the region's economic development, and the Alliance's role
-- in a renewed regional cooperation. ILLUSTRATIVE: the rooms, sessions
-- and their times are invented for the demo, not what took place in
-- Shanghai; each description says so. No ids are given, so the
-- backends' own numbering carries on after them.

INSERT INTO programme_room (event_id, name, capacity, created_at)
SELECT e.id, r.name, r.capacity, '2012-11-01T00:00:00Z'
FROM event e, (SELECT 'Main Hall' AS name, 300 AS capacity
               UNION ALL SELECT 'Fudan Room', 60
               UNION ALL SELECT 'Pujiang Room', 40) r
WHERE e.slug = 'asia-south-pacific-shanghai-2012';

INSERT INTO programme_session (event_id, title, kind, track, description_md, starts_at, ends_at,
                               room_id, languages, capacity, visibility, created_at, updated_at)
SELECT e.id, s.title, s.kind, s.track,
       s.body || '

*An illustrative session of the demo: invented, not the record of the consultation.*',
       s.starts_at, s.ends_at,
       (SELECT r.id FROM programme_room r WHERE r.event_id = e.id AND r.name = s.room),
       s.languages, s.capacity, s.visibility, '2012-11-01T00:00:00Z', '2012-11-01T00:00:00Z'
FROM event e, (
  SELECT 'Opening: Harmony through Diversity and Dialogue' AS title, 'opening' AS kind, '' AS track,
         'Welcome by the United Nations Alliance of Civilizations and the UN Association of China.' AS body,
         '2012-11-29T01:00:00Z' AS starts_at, '2012-11-29T01:45:00Z' AS ends_at, 'Main Hall' AS room,
         'en,zh' AS languages, CAST(NULL AS INTEGER) AS capacity, 'public' AS visibility
  UNION ALL SELECT 'Society, politics, culture and values under economic development', 'plenary', 'Society',
         'How the recent economic development of Asia and the South Pacific is changing its societies, its politics and what people value.',
         '2012-11-29T01:45:00Z', '2012-11-29T03:15:00Z', 'Main Hall', 'en,zh', NULL, 'public'
  UNION ALL SELECT 'Coffee', 'break', '', '', '2012-11-29T03:15:00Z', '2012-11-29T03:30:00Z', NULL, '', NULL, 'public'
  UNION ALL SELECT 'Living together in diversity', 'panel', 'Culture and values',
         'Debates on the challenges of living together in diversity, towards more inclusive and tolerant societies.',
         '2012-11-29T03:30:00Z', '2012-11-29T05:00:00Z', 'Main Hall', 'en,zh', NULL, 'public'
  UNION ALL SELECT 'Lunch', 'break', '', '', '2012-11-29T05:00:00Z', '2012-11-29T06:30:00Z', NULL, '', NULL, 'public'
  UNION ALL SELECT 'Knowing each other: the region and the West', 'workshop', 'Culture and values',
         'Ignorance about the Asia-Pacific region in the West, and the other way round: what exchange and the media can change.',
         '2012-11-29T06:30:00Z', '2012-11-29T08:00:00Z', 'Fudan Room', 'en', 60, 'public'
  UNION ALL SELECT 'Faiths and cultures of the region', 'workshop', 'Society',
         'A region home to many cultures and faiths: how it can enlarge and deepen the scope of the Alliance.',
         '2012-11-29T06:30:00Z', '2012-11-29T08:00:00Z', 'Pujiang Room', 'zh,en', 40, 'public'
  UNION ALL SELECT 'Reception', 'reception', '', 'Offered by the hosts.',
         '2012-11-29T10:30:00Z', '2012-11-29T12:30:00Z', 'Main Hall', '', NULL, 'participants-only'
  UNION ALL SELECT 'The Alliance in a renewed regional cooperation', 'plenary', 'Regional cooperation',
         'What role the Alliance can play in the region, five years after its launch and the Auckland symposium of 2007.',
         '2012-11-30T01:00:00Z', '2012-11-30T02:30:00Z', 'Main Hall', 'en,zh', NULL, 'public'
  UNION ALL SELECT 'Joint actions on shared challenges', 'roundtable', 'Regional cooperation',
         'Governments, academia, corporations, NGOs and cultural organisations propose joint actions for intercultural dialogue, understanding and trust.',
         '2012-11-30T02:45:00Z', '2012-11-30T04:15:00Z', 'Fudan Room', 'en', 40, 'participants-only'
  UNION ALL SELECT 'Lunch', 'break', '', '', '2012-11-30T04:15:00Z', '2012-11-30T05:30:00Z', NULL, '', NULL, 'public'
  UNION ALL SELECT 'Trust across communities', 'panel', 'Politics',
         'Cross-cultural understanding and trust across communities as a matter of common concern.',
         '2012-11-30T05:30:00Z', '2012-11-30T07:00:00Z', 'Main Hall', 'en,zh', NULL, 'public'
  UNION ALL SELECT 'Closing: the way forward', 'closing', '',
         'Conclusions of the consultations and the next steps of the Alliance in Asia and the South Pacific.',
         '2012-11-30T07:30:00Z', '2012-11-30T08:30:00Z', 'Main Hall', 'en,zh', NULL, 'public'
) s
WHERE e.slug = 'asia-south-pacific-shanghai-2012';
