// api-docs-programme.test.mjs — replays every example of
// docs/api/programme.md in order, as an admin with a write API token,
// against a fresh demo, as api-docs-registration.test.mjs does: the status
// must match, and every key of the documented answer must be there with
// the same value ("…": only the key is checked; arrays must have the
// documented length). Also checks that every programme endpoint of the
// JSON API has an example, and that what the docs say a visitor gets holds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, ROOT, startServer, tempDir } from './lib/server.mjs';
import { matches, parseExamples } from './lib/apidocs.mjs';

const DOC = path.join(ROOT, 'docs/api/programme.md');
const ENDPOINTS = [
	'POST /api/v1/events/{slug}/rooms', 'GET /api/v1/events/{slug}/rooms',
	'POST /api/v1/events/{slug}/sessions', 'GET /api/v1/events/{slug}/sessions',
	'GET /api/v1/sessions/{id}', 'PATCH /api/v1/sessions/{id}', 'DELETE /api/v1/sessions/{id}',
	'POST /api/v1/events/{slug}/people', 'GET /api/v1/events/{slug}/people',
	'PATCH /api/v1/events/{slug}/people/{id}', 'POST /api/v1/sessions/{id}/copy',
	'GET /api/v1/events/{slug}/programme/conflicts',
	'POST /api/v1/events/{slug}/programme/releases', 'GET /api/v1/events/{slug}/programme/releases',
];

// The docs number the sessions they make 1, 2…; each id a documented
// answer gives is mapped to the one the server gave. A person's path
// (…/people/1) stands for the last person the docs made.
const ids = new Map();
let lastPerson = null;

let srv, token;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Ada', role: 'admin' });
	srv = await startServer({ db });
	token = await apiToken(await signedIn(srv.url, 'admin@example.org'), 'write', 'docs');
});
after(async () => {
	await srv?.stop();
});

const examples = parseExamples(readFileSync(DOC, 'utf8'));

test('the docs cover every programme endpoint', () => {
	const seen = new Set(examples.map((e) => `${e.method} ${e.path.split('?')[0]}`));
	for (const ep of ENDPOINTS) {
		const [m, pattern] = ep.split(' ');
		const re = new RegExp(`^${m} ${pattern.replace(/\{[a-z]+\}/g, '[^/]+').replaceAll('.', '\\.')}$`);
		assert.ok([...seen].some((s) => re.test(s)), `no example for ${ep}`);
	}
});

test('every example in docs/api/programme.md holds', async () => {
	for (const ex of examples) {
		const where = `docs/api/programme.md:${ex.line} ${ex.method} ${ex.path}`;
		const headers = { ...ex.headers, Authorization: `Bearer ${token}` };
		const p = ex.path.replace(/\/sessions\/(\d+)/, (all, n) => `/sessions/${ids.get(Number(n)) ?? n}`)
			.replace(/\/people\/(\d+)/, (all, n) => `/people/${lastPerson ?? n}`);
		const r = await request(srv.url + p, { method: ex.method, headers, body: ex.body });
		if (ex.method === 'POST' && /\/people$/.test(ex.path) && r.status === 201) lastPerson = JSON.parse(r.body).id;
		if (ex.method === 'POST' && /\/sessions$|\/copy$/.test(ex.path) && r.status === 201 && typeof ex.answer?.id === 'number')
			ids.set(ex.answer.id, JSON.parse(r.body).id);
		assert.equal(r.status, ex.status, `${where}: status ${r.status}, answer ${r.body.slice(0, 400)}`);
		if (ex.answer === undefined) continue;
		assert.match(r.headers['content-type'], /^application\/json/, where);
		matches(ex.answer, JSON.parse(r.body), where, ids);
	}
});

test('a visitor sees the public session only, as the docs say', async () => {
	const json = { Accept: 'application/json' };
	const list = JSON.parse((await request(`${srv.url}/api/v1/events/harmony-through-diversity-and-dialogue/sessions`, { headers: json })).body);
	assert.deepEqual(list.sessions.map((s) => s.id), [ids.get(1), ids.get(3)], 'the public ones of the release');
	assert.equal(list.version, 1);
	const one = JSON.parse((await request(`${srv.url}/api/v1/sessions/${ids.get(1)}`, { headers: json })).body);
	assert.equal(one.starts_at, '2031-11-27T09:30:00+08:00', 'as released, not as changed since');
	assert.ok(!('conflicts' in one));
	assert.equal((await request(`${srv.url}/api/v1/sessions/${ids.get(2)}`, { headers: json })).status, 404);
	const rooms = await request(`${srv.url}/api/v1/events/harmony-through-diversity-and-dialogue/rooms`, { headers: json });
	assert.equal(rooms.status, 401, 'the rooms are the organisers\'');
});
