// api-docs-site.test.mjs — the examples of docs/api/site.md still hold.
// Each ```http block (request line, headers, body) is sent in order, as the
// administrator with a personal API token, to a fresh demo database; the
// ```json block after it gives the status and an answer whose every key
// must be present with the same value. "…" matches any value; inside a
// string, any run of characters; as the last element of an array, any
// further elements. Objects may hold more keys than documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, PASSWORD, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, ROOT, startServer, tempDir } from './lib/server.mjs';

const DOC = path.join(ROOT, 'docs/api/site.md');
const ANY = '…';

// [{method, path, headers, body, status, answer, line}] in document order.
function examples(md) {
	const out = [];
	const re = /```http\n([\s\S]*?)```\n```json\n([\s\S]*?)```/g;
	for (const m of md.matchAll(re)) {
		const line = md.slice(0, m.index).split('\n').length;
		const [head, ...rest] = m[1].split('\n\n');
		const [reqLine, ...headerLines] = head.trim().split('\n');
		const [method, target] = reqLine.trim().split(/\s+/);
		const headers = Object.fromEntries(headerLines.map((h) => h.split(/:\s*/, 2)));
		const body = rest.join('\n\n').trim();
		const nl = m[2].indexOf('\n');
		out.push({
			method,
			path: target,
			headers,
			body: body || undefined,
			status: Number(m[2].slice(0, nl)),
			answer: JSON.parse(m[2].slice(nl + 1)),
			line,
		});
	}
	return out;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function check(doc, got, where) {
	if (doc === ANY) return;
	if (typeof doc === 'string' && doc.includes(ANY)) {
		assert.equal(typeof got, 'string', `${where}: a string`);
		const re = new RegExp(`^${doc.split(ANY).map(escapeRe).join('[\\s\\S]*')}$`);
		assert.match(got, re, `${where}`);
		return;
	}
	if (Array.isArray(doc)) {
		assert.ok(Array.isArray(got), `${where}: an array, got ${JSON.stringify(got)}`);
		const open = doc.at(-1) === ANY;
		const items = open ? doc.slice(0, -1) : doc;
		if (open) assert.ok(got.length >= items.length, `${where}: at least ${items.length} items`);
		else assert.equal(got.length, items.length, `${where}: ${items.length} items, got ${JSON.stringify(got)}`);
		items.forEach((d, i) => check(d, got[i], `${where}[${i}]`));
		return;
	}
	if (doc && typeof doc === 'object') {
		assert.ok(got && typeof got === 'object' && !Array.isArray(got), `${where}: an object, got ${JSON.stringify(got)}`);
		for (const [k, v] of Object.entries(doc)) {
			assert.ok(k in got, `${where}.${k} is missing in ${JSON.stringify(got).slice(0, 400)}`);
			check(v, got[k], `${where}.${k}`);
		}
		return;
	}
	assert.equal(got, doc, where);
}

const all = examples(readFileSync(DOC, 'utf8'));
let srv, token;

before(async () => {
	const dir = tempDir();
	const db = makeDemo(path.join(dir, 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin', password: PASSWORD });
	srv = await startServer({ db });
	token = await apiToken(await signedIn(srv.url, 'admin@example.org'), 'write', 'docs');
});
after(() => srv?.stop());

test('the document has examples of every kind of call', () => {
	assert.ok(all.length >= 20, `${all.length} examples`);
	for (const m of ['GET', 'POST', 'PATCH', 'DELETE']) assert.ok(all.some((e) => e.method === m), m);
	for (const s of [200, 201, 400, 404, 409]) assert.ok(all.some((e) => e.status === s), String(s));
});

for (const ex of all) {
	test(`line ${ex.line}: ${ex.method} ${ex.path} → ${ex.status}`, async () => {
		const r = await request(srv.url + ex.path, {
			method: ex.method,
			headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, ...ex.headers },
			body: ex.body,
		});
		assert.equal(r.status, ex.status, `status; answer: ${r.body.slice(0, 500)}`);
		assert.match(r.headers['content-type'], /application\/json/);
		check(ex.answer, JSON.parse(r.body), 'answer');
		// A new password revokes every token, as the document says: the old
		// one is refused, and the rest runs on a new one.
		if (ex.path === '/api/v1/account/password' && r.status === 200) {
			const again = await request(srv.url + '/api/v1/account', { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
			assert.equal(again.status, 401, 'the token made before the change is revoked');
			const pw = JSON.parse(ex.body).password;
			token = await apiToken(await signedIn(srv.url, 'admin@example.org', pw), 'write', 'docs', pw);
		}
	});
}
