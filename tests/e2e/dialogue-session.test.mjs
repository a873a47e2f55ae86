// dialogue-session.test.mjs — a conversation of a session of its event's
// programme (issue 16, migration 0021): organisers link and unlink it
// through the API and the conversation's admin form; a session of another
// event (or none of that id) is refused with a field error and nothing
// saved; the session's public page lists its open conversations (never a
// draft) and the voting page names its session, both in their JSON twins
// too; deleting the session keeps the conversation, unlinked. One server,
// the demo's Shanghai event and its programme.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { mainOf, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, q, sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const AUCKLAND = 'asia-pacific-auckland-2007';
const OTHER = { email: 'conv-session-other@example.org', name: 'Auckland Organiser', role: 'organiser', event: AUCKLAND };
let srv, organiser, token, otherToken, s1, s2, elsewhere;

before(async () => {
	srv = await startServer();
	addAccount(srv.db, OTHER);
	const { email, password } = srv.organiser;
	organiser = await signedIn(srv.url, email, password);
	token = await apiToken(organiser, 'write', 'conv-session', password);
	otherToken = await apiToken(await signedIn(srv.url, OTHER.email), 'write', 'conv-session');
	[s1, s2] = jsonRows(srv.db, `SELECT s.id, s.title FROM programme_session s JOIN event e ON e.id = s.event_id
		WHERE e.slug = ${q(SH)} AND s.visibility = 'public' ORDER BY s.starts_at, s.id LIMIT 2`);
	assert.ok(s1 && s2, 'the demo has a programme for Shanghai');
	sqlite(srv.db, `INSERT INTO programme_session (event_id, title, kind, starts_at, ends_at, created_at, updated_at)
		SELECT id, 'A session in Auckland', 'panel', '2007-05-29T22:00:00Z', '2007-05-29T23:00:00Z',
		'2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z' FROM event WHERE slug = ${q(AUCKLAND)};`);
	elsewhere = Number(jsonRows(srv.db, `SELECT max(id) AS id FROM programme_session`)[0].id);
});
after(() => srv?.stop());

const api = (method, p, body, t = token) => bearer(srv.url, t, method, p, body);
const sessionOf = (cid) => jsonRows(srv.db, `SELECT session_id FROM conversation WHERE id = ${cid}`)[0].session_id;
const anon = (p, json) => request(srv.url + p, json ? { headers: { Accept: 'application/json' } } : {});

let cid, draft;
test('the API links a conversation to a session of its event and unlinks it; another event\'s is refused', async () => {
	let r = await api('POST', `/api/v1/events/${SH}/conversations`, { topic: 'Rivers in the opening', status: 'open', session: s1.id });
	assert.equal(r.status, 201, r.body);
	cid = r.json.id;
	assert.equal(r.json.session.id, s1.id);
	assert.equal(r.json.session.title, s1.title);
	assert.match(r.json.session.starts_at, /^2012-11-\d\dT\d\d:\d\d:00\+08:00$/);
	assert.equal(r.json.session.url, `/events/${SH}/sessions/${s1.id}`);
	assert.equal(sessionOf(cid), s1.id);
	r = await api('GET', `/api/v1/conversations/${cid}`);
	assert.equal(r.json.session.id, s1.id);

	// refused: another event's session, an unknown one, not a number; a
	// new conversation with one is not made; nothing changes
	const snap = dbSnapshot(srv.db);
	for (const bad of [elsewhere, 999999, 'soon', -1]) {
		r = await api('PATCH', `/api/v1/conversations/${cid}`, { session: bad, topic: 'Changed' });
		assert.equal(r.status, 400, `${bad}: ${r.body}`);
		assert.ok(r.json.errors.session, r.body);
	}
	r = await api('POST', `/api/v1/events/${SH}/conversations`, { topic: 'Elsewhere', session: elsewhere });
	assert.equal(r.status, 400);
	assert.ok(r.json.errors.session);
	// the other event's organiser may not link it either
	r = await api('PATCH', `/api/v1/conversations/${cid}`, { session: elsewhere }, otherToken);
	assert.equal(r.status, 403);
	assertDbUnchanged(srv.db, snap, 'a refused session');

	r = await api('PATCH', `/api/v1/conversations/${cid}`, { session: null });
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.session, null);
	assert.equal(sessionOf(cid), null);
	r = await api('PATCH', `/api/v1/conversations/${cid}`, { session: s1.id });
	assert.equal(r.json.session.id, s1.id);
	// a change that does not name the session keeps it
	r = await api('PATCH', `/api/v1/conversations/${cid}`, { question: 'How should rivers be shared?' });
	assert.equal(r.json.session.id, s1.id);
	assert.ok(Number(jsonRows(srv.db, `SELECT count(*) AS n FROM audit_log WHERE action = 'conversation.update' AND entity_id = ${cid} AND after_json LIKE '%session_id%'`)[0].n) > 0);
});

test('the admin form chooses the session among the event\'s, or none', async () => {
	let r = await organiser.get(`/admin/conversations/${cid}`);
	assert.equal(r.status, 200);
	assert.match(r.body, /<select id="f-session" name="session">/);
	assert.match(r.body, /<option value="">— No session —<\/option>/);
	assert.match(r.body, new RegExp(`<option value="${s1.id}" selected>`));
	assert.ok(!r.body.includes('A session in Auckland'), 'only the event\'s sessions');
	const form = { topic: 'Rivers in the opening', question: '', description_md: '', participation: 'signed-in', moderation: 'strict', participants_submit: '1', max_length: '140', report_visibility: 'public', embed_origins: '' };
	r = await organiser.post(`/admin/conversations/${cid}`, { ...form, session: String(s2.id) });
	assert.equal(r.status, 303, (r.body.match(/field-error[^<]*</g) ?? []).join(' '));
	assert.equal(sessionOf(cid), s2.id);
	const snap = dbSnapshot(srv.db);
	r = await organiser.post(`/admin/conversations/${cid}`, { ...form, session: String(elsewhere) });
	assert.equal(r.status, 400);
	assert.match(r.body, /id="f-session-error"[^>]*>Please choose a session of this event/);
	assertDbUnchanged(srv.db, snap, 'a form with another event\'s session');
	r = await organiser.post(`/admin/conversations/${cid}`, { ...form, session: '' });
	assert.equal(r.status, 303);
	assert.equal(sessionOf(cid), null);
	// a new one made with a session
	r = await organiser.post(`/admin/events/${SH}/conversations`, { ...form, topic: 'A draft of the opening', session: String(s1.id) });
	assert.equal(r.status, 303);
	draft = Number(/\/admin\/conversations\/(\d+)/.exec(r.headers.location)[1]);
	assert.equal(sessionOf(draft), s1.id);
	r = await api('PATCH', `/api/v1/conversations/${cid}`, { session: s1.id });
	assert.equal(r.status, 200);
});

test('the session\'s page lists its open conversations, not a draft; the voting page names the session', async () => {
	let r = await anon(`/events/${SH}/sessions/${s1.id}`);
	assert.equal(r.status, 200);
	const main = mainOf(r.body);
	assert.match(main, new RegExp(`<a href="/conversations/${cid}"[^>]*>Rivers in the opening</a>`));
	assert.ok(!textOf(main).includes('A draft of the opening'), 'a draft is not listed');
	r = await anon(`/events/${SH}/sessions/${s1.id}`, true);
	const list = JSON.parse(r.body).session.conversations;
	assert.deepEqual(list.map((c) => [c.id, c.status, c.url]), [[cid, 'open', `/conversations/${cid}`]]);
	// another session lists none
	r = await anon(`/events/${SH}/sessions/${s2.id}`, true);
	assert.deepEqual(JSON.parse(r.body).session.conversations, []);
	assert.ok(!mainOf((await anon(`/events/${SH}/sessions/${s2.id}`)).body).includes('Conversations of this session'));

	r = await anon(`/conversations/${cid}`);
	assert.equal(r.status, 200);
	assert.match(mainOf(r.body), new RegExp(`<a href="/events/${SH}/sessions/${s1.id}"><bdi>${s1.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</bdi></a>`));
	r = await anon(`/conversations/${cid}`, true);
	assert.equal(JSON.parse(r.body).conversation.session.id, s1.id);
	// a participants-only session is not named to visitors
	sqlite(srv.db, `UPDATE programme_session SET visibility = 'participants-only' WHERE id = ${s1.id};`);
	r = await anon(`/conversations/${cid}`, true);
	assert.equal(JSON.parse(r.body).conversation.session, null);
	r = await api('GET', `/api/v1/conversations/${cid}`);
	assert.equal(r.json.session.id, s1.id, 'its organisers see it');
	sqlite(srv.db, `UPDATE programme_session SET visibility = 'public' WHERE id = ${s1.id};`);
});

test('deleting the session keeps its conversations, unlinked', async () => {
	const r = await api('DELETE', `/api/v1/sessions/${s1.id}`);
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(jsonRows(srv.db, `SELECT id, session_id FROM conversation WHERE id IN (${cid}, ${draft}) ORDER BY id`),
		[{ id: cid, session_id: null }, { id: draft, session_id: null }]);
	const g = await api('GET', `/api/v1/conversations/${cid}`);
	assert.equal(g.status, 200);
	assert.equal(g.json.session, null);
	assert.equal((await anon(`/conversations/${cid}`)).status, 200);
});
