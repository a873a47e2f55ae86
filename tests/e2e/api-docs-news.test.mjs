// api-docs-news.test.mjs — replays every example of docs/api/news.md in
// order, as an admin with a write API token, against a fresh demo: the
// status must match, and every key of the documented answer must be there
// with the same value ("…" stands for a value that varies: only the key is
// checked; arrays must have the documented length). A multipart example
// is sent with CRLF line ends, its "<the bytes of the PNG file>" replaced
// by the PNG seed the example describes. Also checks that every endpoint
// has an example.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { ROOT, startServer } from './lib/server.mjs';
import { matches, parseExamples } from './lib/apidocs.mjs';

const DOC = path.join(ROOT, 'docs/api/news.md');
const PNG = readFileSync(path.join(ROOT, 'tests/fuzz/corpus/image/red-blue.png'));
const PNG_MARKER = '<the bytes of the PNG file>';
const ENDPOINTS = [
	'GET /api/v1/posts', 'GET /api/v1/posts/{id}', 'POST /api/v1/posts', 'PATCH /api/v1/posts/{id}',
	'POST /api/v1/posts/{id}/publish', 'POST /api/v1/posts/{id}/unpublish', 'DELETE /api/v1/posts/{id}',
	'GET /api/v1/categories', 'GET /api/v1/categories/{id}', 'POST /api/v1/categories',
	'PATCH /api/v1/categories/{id}', 'DELETE /api/v1/categories/{id}', 'POST /api/v1/media',
];

// A documented body as sent: multipart with CRLF and the file's bytes.
function wireBody(ex) {
	if (ex.body === undefined || !/^multipart\//.test(ex.headers['Content-Type'] ?? '')) return ex.body;
	const text = `${ex.body}\n`.replace(/\n/g, '\r\n');
	const at = text.indexOf(PNG_MARKER);
	if (at < 0) return Buffer.from(text);
	return Buffer.concat([Buffer.from(text.slice(0, at)), PNG, Buffer.from(text.slice(at + PNG_MARKER.length))]);
}

let srv, token;
before(async () => {
	srv = await startServer();
	addAccount(srv.db, { email: 'admin@example.org', name: 'Ada', role: 'admin' });
	token = await apiToken(await signedIn(srv.url, 'admin@example.org'), 'write', 'docs');
});
after(async () => {
	await srv?.stop();
});

const examples = parseExamples(readFileSync(DOC, 'utf8'));

test('the docs cover every endpoint of posts, categories and images', () => {
	const seen = new Set(examples.map((e) => `${e.method} ${e.path.split('?')[0]}`));
	for (const ep of ENDPOINTS) {
		const [m, pattern] = ep.split(' ');
		const re = new RegExp(`^${m} ${pattern.replace(/\{[a-z]+\}/g, '[^/]+')}$`);
		assert.ok([...seen].some((s) => re.test(s)), `no example for ${ep}`);
	}
});

test('every example in docs/api/news.md holds', async () => {
	assert.ok(examples.length >= ENDPOINTS.length);
	for (const ex of examples) {
		const where = `docs/api/news.md:${ex.line} ${ex.method} ${ex.path}`;
		const headers = { ...ex.headers, Authorization: `Bearer ${token}` };
		const r = await request(srv.url + ex.path, { method: ex.method, headers, body: wireBody(ex) });
		assert.equal(r.status, ex.status, `${where}: status ${r.status}, answer ${r.body.slice(0, 400)}`);
		assert.match(r.headers['content-type'], /^application\/json/, where);
		if (r.status === 201) assert.match(r.headers.location ?? '', /^\/(api\/v1|media)\//, `${where}: Location`);
		if (ex.answer !== undefined) matches(ex.answer, JSON.parse(r.body), where);
	}
});

test('the documented image is served as the docs say', async () => {
	const name = '10e38da1464d6b90ffad202aecd6e4ed1a39a0a989e781f444a2f8c658dd76a9';
	const r = await request(`${srv.url}/media/${name}.png`);
	assert.equal(r.status, 200);
	assert.equal(r.headers['content-type'], 'image/png');
	assert.equal(r.headers['x-content-type-options'], 'nosniff');
	assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
	const t = await request(`${srv.url}/media/${name}-w640.webp`);
	assert.equal(t.status, 200);
	assert.equal(t.headers['content-type'], 'image/webp');
});
