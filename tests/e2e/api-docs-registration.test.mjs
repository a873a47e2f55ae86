// api-docs-registration.test.mjs — replays every example of
// docs/api/registration.md in order, as an admin with a write API token,
// against a fresh demo, as api-docs-events.test.mjs does for events.md:
// the status must match, and every key of the documented answer must be
// there with the same value ("…": only the key is checked; arrays must
// have the documented length). An answer documented by its status alone
// (the CSV export) is checked for its status. Also checks that every
// registration endpoint of the JSON API has an example.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, ROOT, startServer, tempDir } from './lib/server.mjs';
import { matches, parseExamples } from './lib/apidocs.mjs';

const DOC = path.join(ROOT, 'docs/api/registration.md');
const ENDPOINTS = [
	'GET /api/v1/events/{slug}/registration', 'PATCH /api/v1/events/{slug}/registration',
	'GET /events/{slug}/register', 'POST /api/v1/events/{slug}/registrations',
	'GET /api/v1/events/{slug}/registrations', 'PATCH /api/v1/registrations/{id}',
	'GET /api/v1/events/{slug}/registrations.csv', 'GET /events/{slug}/diversity',
	'GET /api/v1/events/{slug}/invitations', 'POST /api/v1/events/{slug}/invitations',
	'POST /api/v1/events/{slug}/delegations', 'GET /api/v1/events/{slug}/delegations',
	'GET /api/v1/events/{slug}/badges.pdf', 'GET /api/v1/registrations/{id}/letter.pdf',
	'GET /api/v1/events/{slug}/participants',
];

// The docs number the registrations they make 1, 2, 3…; the server
// numbers them after the demo's. Each id a documented answer gives is
// mapped to the one the server gave, in paths and answers that follow.
const ids = new Map();

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

test('the docs cover every registration endpoint', () => {
	const seen = new Set(examples.map((e) => `${e.method} ${e.path.split('?')[0]}`));
	for (const ep of ENDPOINTS) {
		const [m, pattern] = ep.split(' ');
		const re = new RegExp(`^${m} ${pattern.replace(/\{[a-z]+\}/g, '[^/]+').replaceAll('.', '\\.')}$`);
		assert.ok([...seen].some((s) => re.test(s)), `no example for ${ep}`);
	}
});

test('every example in docs/api/registration.md holds', async () => {
	for (const ex of examples) {
		const where = `docs/api/registration.md:${ex.line} ${ex.method} ${ex.path}`;
		const headers = { ...ex.headers, Authorization: `Bearer ${token}` };
		const p = ex.path.replace(/\/registrations\/(\d+)/, (all, n) => `/registrations/${ids.get(Number(n)) ?? n}`);
		const r = await request(srv.url + p, { method: ex.method, headers, body: ex.body });
		// a registration made here: its documented id stands for the one given
		if (ex.method === 'POST' && /\/registrations$/.test(ex.path) && r.status === 201 && typeof ex.answer?.id === 'number')
			ids.set(ex.answer.id, JSON.parse(r.body).id);
		assert.equal(r.status, ex.status, `${where}: status ${r.status}, answer ${r.body.slice(0, 400)}`);
		if (ex.answer === undefined) continue;
		assert.match(r.headers['content-type'], /^application\/json/, where);
		matches(ex.answer, JSON.parse(r.body), where, ids);
	}
});
