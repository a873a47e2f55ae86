// api-tokens.test.mjs — personal API tokens expire: the account page's form
// offers 30, 90 (preselected) or 365 days and refuses anything else with a
// message beside the field; each token's expiry is shown on the page and in
// its JSON; a token past its expiry answers 401 with the very body an
// unknown token gets, and a token made before tokens expired (expires_at
// NULL) still works and says "never".
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, PASSWORD, signedIn } from './lib/accounts.mjs';
import { textOf } from './lib/html.mjs';
import { getJson, request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, q, sqlite } from './lib/sqlite.mjs';

const EMAIL = 'tokens@example.org';
const DAY = 86400;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
	'November', 'December'];

let srv, me;

before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: EMAIL, name: 'Token holder' });
	srv = await startServer({ db });
	me = await signedIn(srv.url, EMAIL);
});
after(() => srv?.stop());

// "28 February 2027": the UTC date of t (seconds), as the page writes it.
const longDate = (t) => {
	const d = new Date(t * 1000);
	return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};
const nowS = () => Math.floor(Date.now() / 1000);
const tokenRow = (html, label) => textOf(html).split('\n').find((l) => l.includes(label)) ?? '';
const tokensOf = async () => (await me.getJson('/account')).json.api_tokens;
// The first table row of the account page that names label, as text.
const rowOf = async (label) => {
	const html = (await me.get('/account')).body;
	const tr = html.split('<tr>').find((r) => r.includes(`<td>${label}</td>`));
	assert.ok(tr, `no row for ${label}`);
	return textOf(tr);
};

describe('the form offers 30, 90 or 365 days', () => {
	test('with 90 preselected', async () => {
		const html = (await me.get('/account')).body;
		const select = /<select id="f-expires_days" name="expires_days">(.*?)<\/select>/s.exec(html);
		assert.ok(select, 'the account page has the expiry choice');
		const options = [...select[1].matchAll(/<option value="(\d+)"( selected)?>([^<]*)<\/option>/g)];
		assert.deepEqual(options.map((o) => o[1]), ['30', '90', '365']);
		assert.deepEqual(options.filter((o) => o[2]).map((o) => o[1]), ['90']);
		assert.deepEqual(options.map((o) => o[3]), ['30 days', '90 days', '365 days']);
	});

	for (const days of [30, 90, 365]) {
		test(`${days} days: the new token and the account page show its expiry`, async () => {
			const label = `ci ${days}`;
			await me.get('/account');
			const t0 = nowS();
			const r = await me.post('/account/api-tokens', { label, scope: 'read', expires_days: String(days), password: PASSWORD });
			const t1 = nowS();
			assert.equal(r.status, 201, r.body);
			const dates = new Set([longDate(t0 + days * DAY), longDate(t1 + days * DAY)]);
			const shown = (text) => [...dates].some((d) => text.includes(`expires ${d}`));
			assert.ok(shown(textOf(r.body)), `creation page: ${tokenRow(r.body, label)}`);

			const made = (await tokensOf()).find((t) => t.label === label);
			assert.ok(made, 'listed in the JSON view');
			assert.match(made.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
			const at = Date.parse(made.expires_at) / 1000;
			assert.ok(at >= t0 + days * DAY && at <= t1 + days * DAY, `${made.expires_at} is ${days} days on`);
			const row = await rowOf(label);
			assert.ok(shown(row), `account page row: ${row}`);
			assert.match(row, /Active/);
		});
	}

	test('without a choice (the JSON API, older clients) a token lives 90 days', async () => {
		const t0 = nowS();
		const r = await me.post('/account/api-tokens', { label: 'no choice', scope: 'read', password: PASSWORD }, { json: true });
		assert.equal(r.status, 201, r.body);
		const at = Date.parse(r.json.expires_at) / 1000;
		assert.ok(at >= t0 + 90 * DAY && at <= nowS() + 90 * DAY, r.json.expires_at);
		assert.equal(r.json.expires_display, `expires ${longDate(at)}`);
	});
});

describe('other lifetimes are refused', () => {
	for (const bad of ['7', '60', '366', '3650', '-90', '0', 'abc', '90.5', '90 days']) {
		test(`expires_days=${JSON.stringify(bad)}`, async () => {
			const label = `refused ${bad}`;
			await me.get('/account');
			const r = await me.post('/account/api-tokens', { label, scope: 'write', expires_days: bad, password: PASSWORD });
			assert.equal(r.status, 400);
			// the account page again, the form filled in as sent and the field marked
			const text = textOf(r.body);
			assert.match(text, /Personal API tokens/);
			assert.match(text, /Please correct the fields marked below\./);
			assert.match(r.body, /<select id="f-expires_days" name="expires_days" aria-invalid="true" aria-describedby="f-expires_days-error">/);
			assert.match(r.body, /<p class="field-error" id="f-expires_days-error">(Choose 30, 90 or 365 days\.|Enter a whole number\.)<\/p>/);
			assert.ok(r.body.includes(`value="${label}"`), 'the label is kept');
			assert.match(r.body, /<option value="write" selected>/, 'the scope is kept');
			assert.match(r.body, /<option value="90" selected>/, 'the lifetime falls back to the default');
			assert.doesNotMatch(r.body, /hm_[A-Za-z0-9_-]{43}/, 'no token shown');

			// JSON: the form's values and errors, as every other form answers
			const j = await me.post('/account/api-tokens', { label, scope: 'write', expires_days: bad, password: PASSWORD }, { json: true });
			assert.equal(j.status, 400);
			assert.ok(j.json.errors.expires_days, JSON.stringify(j.json));
			assert.equal(j.json.values.label, label);
			assert.equal(j.json.has_errors, true);
			assert.equal(j.json.token, undefined);
			assert.ok(!(await tokensOf()).some((t) => t.label === label), 'nothing was made');
		});
	}
});

describe('a form missing its label', () => {
	test('comes back with the choices made and the label marked', async () => {
		await me.get('/account');
		const r = await me.post('/account/api-tokens', { label: '', scope: 'write', expires_days: '365', password: PASSWORD });
		assert.equal(r.status, 400);
		assert.match(r.body, /<input id="f-label" name="label" required maxlength="200" value="" aria-invalid="true" aria-describedby="f-label-error">/);
		assert.match(r.body, /<p class="field-error" id="f-label-error">[^<]+<\/p>/);
		assert.match(r.body, /<option value="write" selected>/);
		assert.match(r.body, /<option value="365" selected>/);
		assert.doesNotMatch(r.body, /<option value="90" selected>/);
		assert.doesNotMatch(r.body, /hm_[A-Za-z0-9_-]{43}/, 'no token shown');
	});
});

describe('an expired token is refused like an unknown one', () => {
	test('same 401, same body; the page says "expired"', async () => {
		const token = await apiToken(me, 'write', 'to expire');
		assert.equal((await bearer(srv.url, token, 'GET', '/account')).status, 200);

		const unknown = await bearer(srv.url, `hm_${'A'.repeat(43)}`, 'GET', '/account');
		assert.equal(unknown.status, 401);
		sqlite(srv.db, `UPDATE api_token SET expires_at = ${q(new Date((nowS() - 1) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'))} WHERE label = 'to expire';`);
		const expired = await bearer(srv.url, token, 'GET', '/account');
		assert.equal(expired.status, 401);
		assert.equal(expired.body, unknown.body);
		assert.equal(expired.headers['content-type'], unknown.headers['content-type']);
		assert.equal(expired.headers['www-authenticate'], unknown.headers['www-authenticate']);

		const row = await rowOf('to expire');
		assert.match(row, /\bexpired\b/);
		assert.match(row, /Expired/);
		assert.equal((await tokensOf()).find((t) => t.label === 'to expire').expired, true);
	});

	test('a token from before tokens expired (expires_at NULL) works and says "never"', async () => {
		const token = await apiToken(me, 'write', 'old token');
		sqlite(srv.db, "UPDATE api_token SET expires_at = NULL WHERE label = 'old token';");
		assert.equal((await bearer(srv.url, token, 'GET', '/account')).status, 200);
		const row = await rowOf('old token');
		assert.match(row, /\bnever\b/);
		assert.match(row, /Active/);
		assert.equal((await tokensOf()).find((t) => t.label === 'old token').expires_at, null);
	});
});

describe('what a read-only token may do with its own account', () => {
	test('it reads the profile, and cannot change it', async () => {
		const token = await apiToken(me, 'read', 'reader');
		const r = await bearer(srv.url, token, 'GET', '/api/v1/account');
		assert.equal(r.status, 200, r.body.slice(0, 200));
		assert.equal(r.json.email ?? r.json.account?.email, EMAIL);
		const before = dbSnapshot(srv.db);
		const w = await bearer(srv.url, token, 'PATCH', '/api/v1/account', { name: 'Renamed by a reader' });
		assert.equal(w.status, 403);
		assertDbUnchanged(srv.db, before, 'a read-only token changing the profile');
	});
});

describe('a token that is not valid is refused everywhere', () => {
	test('on public pages and the API alike: 401, one answer for unknown and revoked', async () => {
		const token = await apiToken(me, 'write', 'to revoke');
		assert.equal((await bearer(srv.url, token, 'GET', '/api/v1/events')).status, 200, 'valid, it reads');
		sqlite(srv.db, `UPDATE api_token SET revoked_at = '2026-01-01T00:00:00Z' WHERE label = 'to revoke';`);
		const unknown = 'hm_' + 'x'.repeat(40);
		for (const p of ['/api/v1/events', '/events', '/news', '/api/v1/account']) {
			const revoked = await bearer(srv.url, token, 'GET', p);
			const other = await bearer(srv.url, unknown, 'GET', p);
			assert.equal(revoked.status, 401, `revoked token on ${p}`);
			assert.match(revoked.headers['www-authenticate'] ?? '', /^Bearer error="invalid_token"/);
			assert.equal(revoked.headers['cache-control'], 'no-store');
			assert.equal(other.status, 401, `unknown token on ${p}`);
			assert.equal(revoked.body, other.body, `one answer for both on ${p}`);
		}
		// Without the header, the same public pages answer as ever.
		assert.equal((await getJson(srv.url + '/api/v1/events')).status, 200);
	});

	// Every method, every kind of path (a page, the API, an asset, the
	// feed, an address nothing serves, a method a path does not take), and
	// a header that is not even a token: 401 in JSON, never public data.
	test('unknown or malformed, on every path and method: 401 JSON with WWW-Authenticate', async () => {
		const headers = ['Bearer hm_' + 'y'.repeat(40), 'Bearer', 'Bearer ', 'bearer  not-a-token'];
		const probes = [
			['GET', '/'], ['HEAD', '/events'], ['GET', '/api/v1/events'], ['GET', '/news.atom'],
			['GET', '/assets/site.css'], ['GET', '/no/such/page'], ['GET', '/api/v1/no-such-thing'],
			['POST', '/api/v1/events'], ['PATCH', '/api/v1/events/asia-south-pacific-shanghai-2012'],
			['DELETE', '/api/v1/posts/1'], ['DELETE', '/news'], ['PUT', '/api/v1/events'],
		];
		for (const authorization of headers) {
			for (const [method, p] of probes) {
				const what = `${method} ${p} with "${authorization}"`;
				const before = dbSnapshot(srv.db);
				const r = await request(srv.url + p, {
					method,
					headers: { Authorization: authorization, 'Content-Type': 'application/json' },
					body: method === 'GET' || method === 'HEAD' ? undefined : '{"title": "x"}',
				});
				assert.equal(r.status, 401, what);
				assert.match(r.headers['www-authenticate'] ?? '', /^Bearer error="invalid_token"/, what);
				assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', what);
				assert.equal(r.headers['cache-control'], 'no-store', what);
				if (method !== 'HEAD') assert.equal(JSON.parse(r.body).error.status, 401, what);
				if (method !== 'GET' && method !== 'HEAD') assertDbUnchanged(srv.db, before, what);
			}
		}
		// Another scheme is not a bearer token: the request reads as a visitor's.
		const basic = await request(srv.url + '/api/v1/events', { headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
		assert.equal(basic.status, 200);
	});
});
