// api-docs-events.test.mjs — replays every example of docs/api/events.md
// in order, as an admin with a write API token, against a fresh demo: the
// status must match, and every key of the documented answer must be there
// with the same value ("…" stands for a value that varies: only the key is
// checked; arrays must have the documented length). Also checks that every
// series, event and organisation endpoint has at least one example.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { request } from './lib/http.mjs';
import { ROOT, assertNoSanitizerReport, harmonyBin, startServer } from './lib/server.mjs';
import { matches, parseExamples } from './lib/apidocs.mjs';

const DOC = path.join(ROOT, 'docs/api/events.md');
const PASSWORD = 'correct horse battery staple';
const ENDPOINTS = [
	'GET /api/v1/series', 'POST /api/v1/series', 'GET /api/v1/series/{slug}', 'PATCH /api/v1/series/{slug}',
	'GET /api/v1/events', 'POST /api/v1/events', 'GET /api/v1/events/{slug}', 'PATCH /api/v1/events/{slug}',
	'GET /api/v1/events/{slug}/organisations', 'POST /api/v1/events/{slug}/organisations',
	'PUT /api/v1/events/{slug}/organisations', 'DELETE /api/v1/events/{slug}/organisations/{org}/{role}',
	'GET /api/v1/events/{slug}/organisers', 'POST /api/v1/events/{slug}/organisers',
	'DELETE /api/v1/events/{slug}/organisers/{id}', 'GET /api/v1/organisations', 'POST /api/v1/organisations',
	'GET /api/v1/organisations/{slug}', 'PATCH /api/v1/organisations/{slug}',
	'DELETE /api/v1/series/{slug}', 'DELETE /api/v1/events/{slug}', 'DELETE /api/v1/organisations/{slug}',
];

let srv, token;
before(async () => {
	srv = await startServer();
	const r = spawnSync(harmonyBin(), ['user', 'add', '--db', srv.db, '--email', 'admin@example.org', '--name', 'Ada',
		'--role', 'admin'], { input: PASSWORD + '\n', encoding: 'utf8' });
	assertNoSanitizerReport(r.stderr, 'harmony user add');
	assert.equal(r.status, 0, r.stderr);
	// Sign in through the browser forms, then make a write token.
	let cookies = new Map();
	const send = async (method, p, form) => {
		const headers = { Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
		let body;
		if (form) {
			body = new URLSearchParams(form).toString();
			headers['Content-Type'] = 'application/x-www-form-urlencoded';
			headers.Accept = 'application/json';
		}
		const res = await request(srv.url + p, { method, headers, body });
		for (const c of [res.headers['set-cookie'] ?? []].flat()) {
			const [k, v] = c.split(';')[0].split('=');
			if (v) cookies.set(k, v);
			else cookies.delete(k);
		}
		return res;
	};
	const csrfOf = (html) => /name="_csrf" value="([^"]*)"/.exec(html)[1];
	const page = await send('GET', '/sign-in');
	const signed = await send('POST', '/sign-in', { email: 'admin@example.org', password: PASSWORD, _csrf: csrfOf(page.body) });
	assert.equal(signed.status, 200, signed.body);
	const acct = await send('GET', '/account');
	const made = await send('POST', '/account/api-tokens', { label: 'docs', scope: 'write', password: PASSWORD, _csrf: csrfOf(acct.body) });
	assert.equal(made.status, 201, made.body);
	token = JSON.parse(made.body).token;
});
after(async () => {
	await srv?.stop();
});

const examples = parseExamples(readFileSync(DOC, 'utf8'));

test('the docs cover every endpoint of series, events and organisations', () => {
	const seen = new Set(examples.map((e) => `${e.method} ${e.path}`));
	for (const ep of ENDPOINTS) {
		const [m, pattern] = ep.split(' ');
		const re = new RegExp(`^${m} ${pattern.replace(/\{[a-z]+\}/g, '[^/]+')}$`);
		assert.ok([...seen].some((s) => re.test(s)), `no example for ${ep}`);
	}
	assert.ok(examples.length >= ENDPOINTS.length);
});

test('every example in docs/api/events.md holds', async () => {
	for (const ex of examples) {
		const where = `docs/api/events.md:${ex.line} ${ex.method} ${ex.path}`;
		const headers = { ...ex.headers, Authorization: `Bearer ${token}` };
		const r = await request(srv.url + ex.path, { method: ex.method, headers, body: ex.body });
		assert.equal(r.status, ex.status, `${where}: status ${r.status}, answer ${r.body.slice(0, 400)}`);
		if (ex.status === 204) { // No Content: no body, no type
			assert.equal(r.body, '', where);
			continue;
		}
		assert.match(r.headers['content-type'], /^application\/json/, where);
		if (ex.answer !== undefined) matches(ex.answer, JSON.parse(r.body), where);
	}
});
