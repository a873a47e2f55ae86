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

-- Simultaneous interpretation between English and Chinese in the Main Hall.
UPDATE programme_session SET interpretation = 1, interpretation_languages = 'en,zh'
WHERE languages = 'en,zh'
  AND event_id = (SELECT id FROM event WHERE slug = 'asia-south-pacific-shanghai-2012');

-- The people of the sessions: ILLUSTRATIVE guests drawn from the demo's
-- organisations, with invented names; the contact of the announcement
-- (Jean-Christophe Bas, of the Alliance's secretariat) chairs the
-- opening and the closing, as a convener would.
INSERT INTO programme_person (event_id, name, title, organisation, bio, created_at, updated_at)
SELECT e.id, p.name, p.title, p.organisation, p.bio, '2012-11-01T00:00:00Z', '2012-11-01T00:00:00Z'
FROM event e, (
  SELECT 'Jean-Christophe Bas' AS name, 'Senior Advisor, Strategic Development and Partnerships' AS title,
         'United Nations Alliance of Civilizations' AS organisation,
         'Convener of the Regional Consultations.' AS bio
  UNION ALL SELECT 'Li Wen', 'Vice-President', 'UN Association of China',
         'An illustrative speaker of the demo.'
  UNION ALL SELECT 'Zhang Min', 'Professor of International Relations', 'Fudan University',
         'An illustrative speaker of the demo.'
  UNION ALL SELECT 'Chen Hui', 'Research Fellow', 'Shanghai Academy of Social Sciences',
         'An illustrative rapporteur of the demo.'
  UNION ALL SELECT 'Sarah Mitchell', 'Director', 'Centre for Dialogue at La Trobe University',
         'An illustrative speaker of the demo.'
  UNION ALL SELECT 'Aziz Rahman', 'Programme Coordinator', 'International Movement for a Just World',
         'An illustrative moderator of the demo.'
) p
WHERE e.slug = 'asia-south-pacific-shanghai-2012';

INSERT INTO programme_session_person (session_id, person_id, role, position)
SELECT s.id, p.id, x.role, x.position
FROM event e
JOIN programme_session s ON s.event_id = e.id
JOIN (
  SELECT 'Opening: Harmony through Diversity and Dialogue' AS title, 'Jean-Christophe Bas' AS name, 'chair' AS role, 0 AS position
  UNION ALL SELECT 'Opening: Harmony through Diversity and Dialogue', 'Li Wen', 'speaker', 1
  UNION ALL SELECT 'Society, politics, culture and values under economic development', 'Zhang Min', 'speaker', 0
  UNION ALL SELECT 'Society, politics, culture and values under economic development', 'Sarah Mitchell', 'speaker', 1
  UNION ALL SELECT 'Society, politics, culture and values under economic development', 'Aziz Rahman', 'moderator', 2
  UNION ALL SELECT 'Society, politics, culture and values under economic development', 'Chen Hui', 'rapporteur', 3
  UNION ALL SELECT 'Living together in diversity', 'Sarah Mitchell', 'moderator', 0
  UNION ALL SELECT 'The Alliance in a renewed regional cooperation', 'Jean-Christophe Bas', 'speaker', 0
  UNION ALL SELECT 'The Alliance in a renewed regional cooperation', 'Li Wen', 'speaker', 1
  UNION ALL SELECT 'The Alliance in a renewed regional cooperation', 'Chen Hui', 'rapporteur', 2
  UNION ALL SELECT 'Joint actions on shared challenges', 'Aziz Rahman', 'moderator', 0
  UNION ALL SELECT 'Closing: the way forward', 'Jean-Christophe Bas', 'chair', 0
  UNION ALL SELECT 'Closing: the way forward', 'Chen Hui', 'rapporteur', 1
) x ON x.title = s.title
JOIN programme_person p ON p.event_id = e.id AND p.name = x.name
WHERE e.slug = 'asia-south-pacific-shanghai-2012';

-- Version 1 of the programme, released: what the public sees.
INSERT INTO programme_release (event_id, version, note, changes, released_at)
SELECT e.id, 1, 'The programme of the consultation.', '[]', '2012-11-01T00:00:00Z'
FROM event e WHERE e.slug = 'asia-south-pacific-shanghai-2012';

INSERT INTO programme_release_session (release_id, session_id, sequence, title, kind, track,
                                       description_md, starts_at, ends_at, room, room_capacity,
                                       languages, interpretation, interpretation_languages,
                                       capacity, visibility, updated_at)
SELECT r.id, s.id, 0, s.title, s.kind, s.track, s.description_md, s.starts_at, s.ends_at,
       ro.name, ro.capacity, s.languages, s.interpretation, s.interpretation_languages,
       s.capacity, s.visibility, s.updated_at
FROM programme_release r
JOIN programme_session s ON s.event_id = r.event_id
LEFT JOIN programme_room ro ON ro.id = s.room_id
JOIN event e ON e.id = r.event_id
WHERE e.slug = 'asia-south-pacific-shanghai-2012' AND r.version = 1;

INSERT INTO programme_release_person (release_id, session_id, person_id, role, position)
SELECT r.id, sp.session_id, sp.person_id, sp.role, sp.position
FROM programme_release r
JOIN programme_session s ON s.event_id = r.event_id
JOIN programme_session_person sp ON sp.session_id = s.id
JOIN event e ON e.id = r.event_id
WHERE e.slug = 'asia-south-pacific-shanghai-2012' AND r.version = 1;
