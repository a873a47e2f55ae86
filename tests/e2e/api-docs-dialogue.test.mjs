// api-docs-dialogue.test.mjs — replays every example of
// docs/api/dialogue.md in order, as an admin with a write API token,
// against a fresh demo, as api-docs-events.test.mjs does for events.md:
// the status must match, and every key of the documented answer must be
// there with the same value ("…": only the key is checked; arrays must
// have the documented length). An answer documented by its status alone
// is checked for its status. Also checks that every
// dialogue endpoint of the JSON API has an example.
import assert from 'node:assert/strict';
import { analysed } from './lib/dialogue.mjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, ROOT, startServer, tempDir } from './lib/server.mjs';
import { matches, parseExamples } from './lib/apidocs.mjs';

const DOC = path.join(ROOT, 'docs/api/dialogue.md');
const ENDPOINTS = [
	'POST /api/v1/events/{slug}/conversations', 'PATCH /api/v1/conversations/{id}',
	'POST /api/v1/conversations/{id}/statements', 'PATCH /api/v1/statements/{id}',
	'GET /conversations/{id}', 'POST /api/v1/conversations/{id}/votes',
	'GET /conversations/{id}/report', 'GET /conversations/{id}/live',
	'POST /api/v1/conversations/{id}/declare',
	'GET /api/v1/conversations/{id}/participants', 'PATCH /api/v1/conversations/{id}/participants/{pid}',
	'GET /api/v1/statements/{id}/translations', 'PATCH /api/v1/statements/{id}/translations',
	'PUT /api/v1/statements/{id}/translations/{lang}', 'DELETE /api/v1/statements/{id}/translations/{lang}',
	'POST /api/v1/conversations/{id}/suggestions', 'GET /api/v1/statements/{id}/suggestions',
	'PATCH /api/v1/statements/{id}/suggestions/{sug}',
];

// The docs' ids are the server's: after the demo's conversation (1, with
// statements 1-20 and participants up to 160, src/features/dialogue/demo.sql).
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

test('the docs cover every dialogue endpoint', () => {
	const seen = new Set(examples.map((e) => `${e.method} ${e.path.split('?')[0]}`));
	for (const ep of ENDPOINTS) {
		const [m, pattern] = ep.split(' ');
		const re = new RegExp(`^${m} ${pattern.replace(/\{[a-z]+\}/g, '[^/]+').replaceAll('.', '\\.')}$`);
		assert.ok([...seen].some((s) => re.test(s)), `no example for ${ep}`);
	}
});

test('every example in docs/api/dialogue.md holds', async () => {
	for (const ex of examples) {
		const where = `docs/api/dialogue.md:${ex.line} ${ex.method} ${ex.path}`;
		const headers = { ...ex.headers, Authorization: `Bearer ${token}` };
		const ask = () => request(srv.url + ex.path, { method: ex.method, headers, body: ex.body });
		// a report is read once the analysis has caught up with the votes
		const r = /\/(report|live)$/.test(ex.path)
			? await analysed(async () => { const x = await ask(); return { ...x, json: JSON.parse(x.body) }; })
			: await ask();
		assert.equal(r.status, ex.status, `${where}: status ${r.status}, answer ${r.body.slice(0, 400)}`);
		if (ex.answer === undefined) continue;
		assert.match(r.headers['content-type'], /^application\/json/, where);
		matches(ex.answer, JSON.parse(r.body), where, ids);
	}
});
