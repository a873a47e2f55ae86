// dialogue-participants.test.mjs — an organiser excludes a participant's
// votes from the analysis and readmits them (issue 16): the list of a
// conversation's participants (API and admin page, 50 a page, all or the
// excluded), the exclusion through the API and through the page's form
// (CSRF), who may do it (a participant, another event's organiser and a
// visitor may not, and nothing changes), and its effect: the participant
// leaves the report's n and the exports once the analysis has run again,
// and comes back when readmitted; their votes are kept all along.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { analysed } from './lib/dialogue.mjs';
import { textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, sqlite } from './lib/sqlite.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'ptpt-org@example.org';
const ELSEWHERE = 'ptpt-elsewhere@example.org';
const PART = 'ptpt-part@example.org';

let srv, db;
const tok = {};
const as = {};
before(async () => {
	db = makeDemo(path.join(tempDir(), 'h.db'));
	sqlite(db, `
INSERT INTO event (slug, title, kind, theme, summary, description_md, region, city, country,
  starts_on, ends_on, date_precision, timezone, status, created_at, updated_at)
VALUES ('other-meeting-2030', 'Other meeting', 'consultation', '', 'Another event.', '', 'Africa', 'Stone Town',
  'TZ', '2030-01-01', '2030-01-02', 'day', 'Africa/Dar_es_Salaam', 'published',
  '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');`);
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: ELSEWHERE, name: 'Organiser elsewhere', role: 'organiser', event: 'other-meeting-2030' });
	addAccount(db, { email: PART, name: 'Mei Participant' });
	srv = await startServer({ db });
	for (const [k, email] of [['org', ORG], ['elsewhere', ELSEWHERE], ['part', PART]]) {
		as[k] = await signedIn(srv.url, email);
		tok[k] = await apiToken(as[k], 'write');
	}
	tok.orgRead = await apiToken(as.org, 'read', 'read only');
});
after(async () => {
	await srv?.stop();
});

const call = (who, method, p, body) => bearer(srv.url, tok[who], method, p, body);
const snapshot = () => dbSnapshot(db);
const excludedOf = (pid) => jsonRows(db, `SELECT excluded FROM dialogue_participant WHERE id = ${pid}`)[0].excluded;

// An open conversation anyone may join: eight anonymous participants in
// two camps and the signed-in participant, who also writes a statement.
async function room() {
	let r = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Rivers', status: 'open', participation: 'anyone', moderation: 'permissive',
	});
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await call('org', 'POST', `/api/v1/conversations/${id}/statements`, { texts: ['Dams need consent\nShare the data\nFish matter\nCities pay'] });
	assert.equal(r.status, 201, r.body);
	const sids = r.json.ids;
	const pids = [];
	for (let p = 0; p < 8; p++) {
		const c = new Client(srv.url);
		const j = await c.getJson(`/conversations/${id}`);
		c.csrf = j.json.csrf;
		for (let s = 0; s < 4; s++) {
			const x = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: sids[s], vote: (p < 4) === (s < 2) ? 1 : -1 });
			assert.ok(x.status === 201, x.body);
			if (s === 0) pids.push(x.json.participant);
		}
	}
	for (let s = 0; s < 3; s++) {
		const x = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: sids[s], vote: 1 });
		assert.equal(x.status, 201, x.body);
		if (s === 0) pids.push(x.json.participant);
	}
	r = await call('part', 'POST', `/api/v1/conversations/${id}/statements`, { text: 'Wells before dams' });
	assert.equal(r.status, 201, r.body);
	return { id, sids, pids };
}

const report = (id) => analysed(() => call('org', 'GET', `/conversations/${id}/report`));
// Before a snapshot: the background analysis has written what it will
// (the demo's conversation 1 and this one).
const settled = async (id) => {
	for (const c of [1, id]) assert.equal((await report(c)).json.pending, false);
};
const csv = async (id, file) => {
	const r = await call('org', 'GET', `/conversations/${id}/export/${file}.csv`);
	assert.equal(r.status, 200, r.body);
	return r.body.trim().split('\n').slice(1).map((l) => l.split(','));
};

describe('the API', () => {
	let id, pids;
	before(async () => ({ id, pids } = await room()));

	test('organisers list the participants by id, with kind, name, votes and statements, never an e-mail', async () => {
		const r = await call('org', 'GET', `/api/v1/conversations/${id}/participants`);
		assert.equal(r.status, 200, r.body);
		assert.match(r.headers['cache-control'] ?? '', /no-store/);
		assert.deepEqual({ total: r.json.total, page: r.json.page, pages: r.json.pages }, { total: 9, page: 1, pages: 1 });
		assert.deepEqual(r.json.participants.map((p) => p.id), pids);
		const anon = r.json.participants[0];
		assert.deepEqual(Object.keys(anon).sort(), ['created_at', 'excluded', 'id', 'kind', 'name', 'statements', 'votes']);
		assert.deepEqual({ ...anon, created_at: undefined }, { id: pids[0], kind: 'anonymous', name: null, votes: 4, statements: 0, excluded: false, created_at: undefined });
		assert.match(anon.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		const mine = r.json.participants[8];
		assert.deepEqual([mine.kind, mine.name, mine.votes, mine.statements], ['account', 'Mei Participant', 3, 1]);
		assert.ok(!r.body.includes(PART), 'no e-mail address in the answer');
		// the session and its CSRF token work too
		const s = await as.org.getJson(`/api/v1/conversations/${id}/participants?filter=all&page=1`);
		assert.equal(s.status, 200);
		assert.equal(s.json.total, 9);
	});

	test('a participant, another event\'s organiser and a visitor may not list or change them', async () => {
		await settled(id);
		const before = snapshot();
		const list = `/api/v1/conversations/${id}/participants`;
		const one = `${list}/${pids[0]}`;
		for (const who of ['part', 'elsewhere']) {
			const r = await call(who, 'GET', list);
			assert.equal(r.status, 403, `${who}: ${r.body}`);
			const w = await call(who, 'PATCH', one, { excluded: true });
			assert.equal(w.status, 403, `${who}: ${w.body}`);
		}
		const v = await request(srv.url + list, { headers: { Accept: 'application/json' } });
		assert.equal(v.status, 401, v.body);
		const vw = await request(srv.url + one, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"excluded":true}' });
		assert.ok([401, 403].includes(vw.status), `${vw.status} ${vw.body}`);
		// a session without its CSRF token
		const nc = await as.org.api('PATCH', one, { excluded: true }, { csrf: false });
		assert.equal(nc.status, 403, nc.body);
		// a read-only token: moderating is a write right, even to look (as
		// the moderation queue and the registrations are)
		assert.equal((await call('orgRead', 'GET', list)).status, 403);
		assert.equal((await call('orgRead', 'PATCH', one, { excluded: true })).status, 403);
		assertDbUnchanged(db, before, 'refused callers changed nothing');
		// a draft conversation is not there for another event's organiser
		const d = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'Draft' });
		assert.equal((await call('elsewhere', 'GET', `/api/v1/conversations/${d.json.id}/participants`)).status, 404);
		assert.equal((await call('part', 'GET', `/api/v1/conversations/${d.json.id}/participants`)).status, 404);
	});

	test('anything but a boolean is refused; a participant of another conversation is not found', async () => {
		await settled(id);
		const before = snapshot();
		const one = `/api/v1/conversations/${id}/participants/${pids[0]}`;
		for (const body of [{ excluded: 'true' }, { excluded: 1 }, { excluded: null }, {}, { excluded: [true] }]) {
			const r = await call('org', 'PATCH', one, body);
			assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
			assert.ok(r.json.errors.excluded, r.body);
		}
		const bad = await request(srv.url + one, { method: 'PATCH', headers: { Authorization: `Bearer ${tok.org}`, 'Content-Type': 'application/json' }, body: 'not json' });
		assert.equal(bad.status, 400, bad.body);
		for (const q of ['?filter=nobody', '?page=0', '?page=x'])
			assert.equal((await call('org', 'GET', `/api/v1/conversations/${id}/participants${q}`)).status, 400, q);
		// the demo's conversation (1) has participants of its own: not through this address
		const [other] = jsonRows(db, 'SELECT id FROM dialogue_participant WHERE conversation_id = 1 ORDER BY id LIMIT 1');
		let r = await call('org', 'PATCH', `/api/v1/conversations/${id}/participants/${other.id}`, { excluded: true });
		assert.equal(r.status, 404, r.body);
		r = await call('org', 'PATCH', `/api/v1/conversations/${id}/participants/999999`, { excluded: true });
		assert.equal(r.status, 404, r.body);
		r = await call('org', 'PATCH', `/api/v1/conversations/${id}/participants/abc`, { excluded: true });
		assert.equal(r.status, 404, r.body);
		assertDbUnchanged(db, before, 'refused changes changed nothing');
	});

	test('an excluded participant leaves the report and the exports once analysed, and comes back when readmitted', async () => {
		const [who] = pids;
		let r = await report(id);
		assert.equal(r.json.pending, false);
		assert.equal(r.json.n, 9);
		const votesBefore = jsonRows(db, `SELECT count(*) AS n FROM vote WHERE participant_id = ${who}`)[0].n;

		r = await call('org', 'PATCH', `/api/v1/conversations/${id}/participants/${who}`, { excluded: true });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual([r.json.id, r.json.excluded, r.json.votes, r.json.kind], [who, true, 4, 'anonymous']);
		assert.equal(excludedOf(who), 1);
		const audit = jsonRows(db, `SELECT action, entity, entity_id FROM audit_log WHERE action = 'dialogue.exclude' ORDER BY id DESC LIMIT 1`);
		assert.deepEqual(audit, [{ action: 'dialogue.exclude', entity: 'dialogue_participant', entity_id: who }]);
		// the same again changes nothing, and says so with the same answer
		await settled(id);
		const before = snapshot();
		r = await call('org', 'PATCH', `/api/v1/conversations/${id}/participants/${who}`, { excluded: true });
		assert.equal(r.status, 200);
		assert.equal(r.json.excluded, true);
		assertDbUnchanged(db, before, 'excluding twice writes once');

		r = await call('org', 'GET', `/api/v1/conversations/${id}/participants?filter=excluded`);
		assert.deepEqual([r.json.total, r.json.participants.map((p) => p.id)], [1, [who]]);
		r = await report(id);
		assert.equal(r.json.pending, false);
		assert.equal(r.json.n, 8, 'left out of the analysis');
		assert.ok(!(String(who) in (r.json.participants ?? {})), 'not among the report\'s participants');
		assert.ok(!(await csv(id, 'votes')).some((row) => row[3] === String(who)), 'not in votes.csv');
		assert.ok(!(await csv(id, 'participants-votes')).some((row) => row[0] === String(who)), 'not in participants-votes.csv');
		assert.equal(jsonRows(db, `SELECT count(*) AS n FROM vote WHERE participant_id = ${who}`)[0].n, votesBefore, 'the votes are kept');

		r = await call('org', 'PATCH', `/api/v1/conversations/${id}/participants/${who}`, { excluded: false });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.excluded, false);
		r = await report(id);
		assert.equal(r.json.n, 9, 'back in the analysis');
		assert.ok((await csv(id, 'votes')).some((row) => row[3] === String(who)), 'back in votes.csv');
		assert.ok((await csv(id, 'participants-votes')).some((row) => row[0] === String(who)));
	});
});

describe('the organisers\' page', () => {
	let id, pids;
	before(async () => ({ id, pids } = await room()));
	const rows = (html) => [...html.matchAll(/<tr data-id="(\d+)" data-excluded="([01])"/g)].map((m) => [Number(m[1]), Number(m[2])]);

	test('linked from the conversation and the moderation queue; lists, excludes and readmits with the form', async () => {
		const url = `/admin/conversations/${id}/participants`;
		for (const from of [`/admin/conversations/${id}`, `/admin/conversations/${id}/statements`]) {
			const r = await as.org.get(from);
			assert.ok(r.body.includes(`href="${url}"`), `${from} links to the participants`);
		}
		let r = await as.org.get(url);
		assert.equal(r.status, 200);
		assert.deepEqual(rows(r.body), pids.map((p) => [p, 0]));
		const text = textOf(r.body);
		assert.match(text, /An excluded participant's votes are kept, and left out of the report and the exports/);
		assert.match(text, /Mei Participant/);
		assert.ok(!r.body.includes(PART), 'no e-mail address on the page');
		assert.match(text, /Exclude from the analysis/);

		const who = pids[8];
		r = await as.org.post(url, { participant: String(who), excluded: '1', page: '1' });
		assert.equal(r.status, 303, r.body);
		assert.equal(r.headers.location, `${url}?done=excluded-${who}`);
		assert.equal(excludedOf(who), 1);
		r = await as.org.get(r.headers.location);
		assert.match(textOf(r.body), new RegExp(`Participant ${who} is left out of the analysis`));
		assert.deepEqual(rows(r.body).find(([p]) => p === who), [who, 1]);
		assert.match(textOf(r.body), /Readmit/);

		r = await as.org.get(`${url}?filter=excluded`);
		assert.deepEqual(rows(r.body), [[who, 1]]);
		assert.match(r.body, /aria-current="page"[^>]*>Excluded/);
		r = await as.org.post(url, { participant: String(who), excluded: '0', filter: 'excluded', page: '1' });
		assert.equal(r.status, 303);
		assert.equal(r.headers.location, `${url}?filter=excluded&done=readmitted-${who}`);
		assert.equal(excludedOf(who), 0);
		r = await as.org.get(r.headers.location);
		assert.match(textOf(r.body), /No participants here yet/);
		assert.match(textOf(r.body), new RegExp(`Participant ${who} is in the analysis again`));
		// the page's JSON twin
		const j = await as.org.getJson(url);
		assert.equal(j.status, 200);
		assert.equal(j.json.total, 9);
	});

	test('a forged form, another event\'s organiser, a participant and a stranger\'s participant change nothing', async () => {
		const url = `/admin/conversations/${id}/participants`;
		const who = String(pids[0]);
		await settled(id);
		const before = snapshot();
		await as.org.get(url);
		for (const csrf of [false, 'forged-token-0000']) {
			const r = await as.org.post(url, { participant: who, excluded: '1' }, { csrf });
			assert.equal(r.status, 403, r.body.slice(0, 200));
		}
		await as.elsewhere.get('/account');
		assert.equal((await as.elsewhere.get(url)).status, 403);
		assert.equal((await as.elsewhere.post(url, { participant: who, excluded: '1' })).status, 403);
		await as.part.get('/account');
		assert.equal((await as.part.get(url)).status, 403);
		assert.equal((await as.part.post(url, { participant: who, excluded: '1' })).status, 403);
		const visitor = await new Client(srv.url).get(url);
		assert.equal(visitor.status, 303, 'a visitor is sent to sign in');
		await as.org.get(url);
		const [other] = jsonRows(db, 'SELECT id FROM dialogue_participant WHERE conversation_id = 1 ORDER BY id LIMIT 1');
		assert.equal((await as.org.post(url, { participant: String(other.id), excluded: '1' })).status, 404);
		for (const bad of [{ participant: who, excluded: 'yes' }, { participant: 'x', excluded: '1' }, { excluded: '1' }])
			assert.equal((await as.org.post(url, bad)).status, 400, JSON.stringify(bad));
		assertDbUnchanged(db, before, 'nothing changed');
	});
});

describe('paging', () => {
	test('50 a page, by id, on the page and in the API; kinds of identity', async () => {
		const r0 = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'Crowded', status: 'open' });
		const id = r0.json.id;
		sqlite(db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO dialogue_participant (conversation_id, anon_key, created_at)
SELECT ${id}, 'paging-' || i, '2020-01-01T00:00:00Z' FROM n;
UPDATE dialogue_participant SET xid = 'host-7', anon_key = NULL WHERE conversation_id = ${id} AND anon_key = 'paging-7';`);
		const all = jsonRows(db, `SELECT id FROM dialogue_participant WHERE conversation_id = ${id} ORDER BY id`).map((r) => r.id);
		assert.equal(all.length, 60);
		let r = await call('org', 'GET', `/api/v1/conversations/${id}/participants`);
		assert.deepEqual([r.json.total, r.json.page, r.json.pages, r.json.participants.length], [60, 1, 2, 50]);
		assert.deepEqual(r.json.participants.map((p) => p.id), all.slice(0, 50));
		assert.equal(r.json.participants[6].kind, 'host');
		assert.equal(r.json.participants[6].name, null);
		r = await call('org', 'GET', `/api/v1/conversations/${id}/participants?page=2`);
		assert.deepEqual(r.json.participants.map((p) => p.id), all.slice(50));
		r = await call('org', 'GET', `/api/v1/conversations/${id}/participants?page=3`);
		assert.deepEqual([r.json.participants.length, r.json.total, r.json.page], [0, 60, 3]);

		const url = `/admin/conversations/${id}/participants`;
		let h = await as.org.get(url);
		assert.equal([...h.body.matchAll(/<tr data-id="(\d+)"/g)].length, 50);
		assert.match(h.body, new RegExp(`href="${url}\\?page=2" rel="next"`));
		assert.match(textOf(h.body), /Participant \(known to the embedding site\)/);
		h = await as.org.get(`${url}?page=2`);
		assert.deepEqual([...h.body.matchAll(/<tr data-id="(\d+)"/g)].map((m) => Number(m[1])), all.slice(50));
		assert.match(h.body, new RegExp(`href="${url}\\?page=1" rel="prev"`));
		// excluding from page 2 comes back to page 2
		const who = all[55];
		const p = await as.org.post(url, { participant: String(who), excluded: '1', page: '2' });
		assert.equal(p.status, 303);
		assert.equal(p.headers.location, `${url}?done=excluded-${who}&page=2`);
	});
});
