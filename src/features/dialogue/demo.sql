-- The demo's dialogue: one conversation of the Shanghai 2012 consultation
-- (event 2) with 20 statements drawn from the announcement's themes
-- (../shared/context/consultation.txt) and SIMULATED votes: the statements
-- and votes are ILLUSTRATIVE, invented for the demo, not what was said in
-- Shanghai. Seventeen are the organisers' seeds, three by participants.
--
-- The voters are the demo's approved registrations (FICTIONAL people, see
-- registration's demo.sql), one participant each, with the id of their
-- registration and an anon_key no browser's cookie can hash to ("demo-…",
-- not 64 hex digits). Their votes follow from their declared sector so
-- that the report shows groups: government and business lean one way,
-- NGOs, academia and culture the other, on the statements marked so;
-- everyone mostly agrees on the common-ground ones; a deterministic
-- scramble of ids adds passes, some dissent and unvoted statements. Plain
-- SQL with integer arithmetic: the same votes on SQLite and PostgreSQL.

INSERT INTO conversation (id, event_id, topic, question, description_md, status, participation,
                          moderation, participants_submit, max_length, report_visibility,
                          created_at, updated_at) VALUES
  (1, 2, 'Harmony through diversity and dialogue',
   'What should the Alliance do in Asia-South Pacific?',
   'An **illustrative** conversation of the demo: the statements and votes are invented, to show the voting page and the report. Agree, disagree or pass on each statement, or write your own.',
   'closed', 'registered', 'strict', 1, 140, 'public',
   '2012-11-29T01:00:00Z', '2012-11-30T10:00:00Z');

INSERT INTO dialogue_participant (id, conversation_id, account_id, anon_key, xid, excluded,
                                  registration_id, created_at)
  SELECT id, 1, NULL, 'demo-registration-' || id, NULL, 0, id, '2012-11-29T02:00:00Z'
  FROM registration WHERE event_id = 2 AND status = 'approved';

INSERT INTO statement (id, conversation_id, participant_id, by_organiser, text, text_key, status,
                       lang, created_at, moderated_at) VALUES
  (1, 1, NULL, 1, 'Intercultural dialogue has to reach schools, not only conferences.',
   'interculturaldialoguehastoreachschools,notonlyconferences', 'accepted', 'en', '2012-11-29T02:11:00Z', '2012-11-29T02:11:00Z'),
  (2, 1, NULL, 1, 'The region''s many cultures and faiths are a strength to build on.',
   'theregion''smanyculturesandfaithsareastrengthtobuildon', 'accepted', 'en', '2012-11-29T02:12:00Z', '2012-11-29T02:12:00Z'),
  (3, 1, NULL, 1, 'The West and Asia-Pacific still know too little about each other''s societies.',
   'thewestandasia-pacificstillknowtoolittleabouteachother''ssocieties', 'accepted', 'en', '2012-11-29T02:13:00Z', '2012-11-29T02:13:00Z'),
  (4, 1, NULL, 1, 'Young people should have more chances to study and work across the region.',
   'youngpeopleshouldhavemorechancestostudyandworkacrosstheregion', 'accepted', 'en', '2012-11-29T02:14:00Z', '2012-11-29T02:14:00Z'),
  (5, 1, NULL, 1, 'Economic development is the surest path to tolerance between communities.',
   'economicdevelopmentisthesurestpathtotolerancebetweencommunities', 'accepted', 'en', '2012-11-29T02:15:00Z', '2012-11-29T02:15:00Z'),
  (6, 1, NULL, 1, 'Governments should set the priorities of intercultural programmes.',
   'governmentsshouldsettheprioritiesofinterculturalprogrammes', 'accepted', 'en', '2012-11-29T02:16:00Z', '2012-11-29T02:16:00Z'),
  (7, 1, NULL, 1, 'Business partnerships across borders build more trust than cultural exchanges.',
   'businesspartnershipsacrossbordersbuildmoretrustthanculturalexchanges', 'accepted', 'en', '2012-11-29T02:17:00Z', '2012-11-29T02:17:00Z'),
  (8, 1, NULL, 1, 'Regional cooperation should start with trade and infrastructure.',
   'regionalcooperationshouldstartwithtradeandinfrastructure', 'accepted', 'en', '2012-11-29T02:18:00Z', '2012-11-29T02:18:00Z'),
  (9, 1, NULL, 1, 'Stability must come before public debate on sensitive religious questions.',
   'stabilitymustcomebeforepublicdebateonsensitivereligiousquestions', 'accepted', 'en', '2012-11-29T02:19:00Z', '2012-11-29T02:19:00Z'),
  (10, 1, NULL, 1, 'The Alliance should work mainly through national governments.',
   'theallianceshouldworkmainlythroughnationalgovernments', 'accepted', 'en', '2012-11-29T02:20:00Z', '2012-11-29T02:20:00Z'),
  (11, 1, NULL, 1, 'Rapid economic growth is eroding local cultures and traditional values.',
   'rapideconomicgrowthiserodinglocalculturesandtraditionalvalues', 'accepted', 'en', '2012-11-29T02:21:00Z', '2012-11-29T02:21:00Z'),
  (12, 1, NULL, 1, 'Faith communities and NGOs need a seat at every regional consultation.',
   'faithcommunitiesandngosneedaseatateveryregionalconsultation', 'accepted', 'en', '2012-11-29T02:22:00Z', '2012-11-29T02:22:00Z'),
  (13, 1, NULL, 1, 'How migrant workers are treated shows how inclusive a society is.',
   'howmigrantworkersaretreatedshowshowinclusiveasocietyis', 'accepted', 'en', '2012-11-29T02:23:00Z', '2012-11-29T02:23:00Z'),
  (14, 1, NULL, 1, 'Indigenous peoples of the South Pacific must speak for themselves here.',
   'indigenouspeoplesofthesouthpacificmustspeakforthemselveshere', 'accepted', 'en', '2012-11-29T02:24:00Z', '2012-11-29T02:24:00Z'),
  (15, 1, NULL, 1, 'Independent media are essential to trust between communities.',
   'independentmediaareessentialtotrustbetweencommunities', 'accepted', 'en', '2012-11-29T02:25:00Z', '2012-11-29T02:25:00Z'),
  (16, 1, NULL, 1, 'Joint actions should be judged by what changes in communities, not by declarations.',
   'jointactionsshouldbejudgedbywhatchangesincommunities,notbydeclarations', 'accepted', 'en', '2012-11-29T02:26:00Z', '2012-11-29T02:26:00Z'),
  (17, 1, NULL, 1, 'The Alliance should open a regional office in Asia-South Pacific.',
   'theallianceshouldopenaregionalofficeinasia-southpacific', 'accepted', 'en', '2012-11-29T02:27:00Z', '2012-11-29T02:27:00Z'),
  (18, 1, 1, 0, 'A regional youth network would be the best first joint action.',
   'aregionalyouthnetworkwouldbethebestfirstjointaction', 'accepted', 'en', '2012-11-29T02:28:00Z', '2012-11-29T02:28:00Z'),
  (19, 1, 2, 0, 'Climate change will shape relations between Pacific cultures more than trade.',
   'climatechangewillshaperelationsbetweenpacificculturesmorethantrade', 'accepted', 'en', '2012-11-29T02:29:00Z', '2012-11-29T02:29:00Z'),
  (20, 1, 4, 0, 'Every country should report each year on its intercultural programmes.',
   'everycountryshouldreporteachyearonitsinterculturalprogrammes', 'accepted', 'en', '2012-11-29T02:30:00Z', '2012-11-29T02:30:00Z');

-- lean: the statement's; camp: +1 government and business, -1 the others;
-- h: a scramble of (participant, statement) in 0..99. h < 12: not voted;
-- h < 27: pass; h < 35: against their camp (or, on common ground, disagree).
CREATE TEMPORARY TABLE demo_vote AS
  SELECT p.id AS participant_id, s.id AS statement_id,
         CASE WHEN h < 27 THEN 0
              WHEN lean = 0 THEN CASE WHEN h < 35 THEN -1 ELSE 1 END
              WHEN h < 35 THEN -lean * camp ELSE lean * camp END AS vote,
         h
  FROM (SELECT p.id, CASE WHEN r.sector IN ('government', 'business') THEN 1 ELSE -1 END AS camp
        FROM dialogue_participant p JOIN registration r ON r.id = p.id
        WHERE p.conversation_id = 1) p
  JOIN (SELECT id, CASE id WHEN 1 THEN 0 WHEN 2 THEN 0 WHEN 3 THEN 0 WHEN 4 THEN 0 WHEN 5 THEN 1 WHEN 6 THEN 1 WHEN 7 THEN 1 WHEN 8 THEN 1 WHEN 9 THEN 1 WHEN 10 THEN 1 WHEN 11 THEN -1 WHEN 12 THEN -1 WHEN 13 THEN -1 WHEN 14 THEN -1 WHEN 15 THEN -1 WHEN 16 THEN -1 WHEN 17 THEN 0 WHEN 18 THEN 0 WHEN 19 THEN -1 WHEN 20 THEN 1 END AS lean FROM statement WHERE conversation_id = 1) s ON 1 = 1
  JOIN (SELECT p2.id AS pid, s2.id AS sid, (p2.id * 37 + s2.id * 53 + p2.id * s2.id * 11) % 100 AS h
        FROM dialogue_participant p2, statement s2
        WHERE p2.conversation_id = 1 AND s2.conversation_id = 1) x
    ON x.pid = p.id AND x.sid = s.id
  WHERE h >= 12;

INSERT INTO vote (statement_id, participant_id, conversation_id, vote, created_at)
  SELECT statement_id, participant_id, 1, vote, '2012-11-29T03:00:00Z' FROM demo_vote;
INSERT INTO vote_history (conversation_id, statement_id, participant_id, vote, created_at)
  SELECT 1, statement_id, participant_id, vote, '2012-11-29T03:00:00Z' FROM demo_vote
  ORDER BY participant_id, statement_id;
DROP TABLE demo_vote;
-- the analysis runs when the server finds the votes newer than it
UPDATE conversation SET revision = 1 WHERE id = 1;
