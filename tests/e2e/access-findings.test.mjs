// access-findings.test.mjs — what a security review found about who may
// see and change what, each case as the reviewer reproduced it: an
// organiser editing an organisation that is shown by what is not theirs,
// and API answers naming a draft event to readers who may not see it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { getJson } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { q, sqlite } from './lib/sqlite.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const SERIES = 'regional-consultations';
let srv;
const tok = {};
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	addAccount(db, { email: 'sh@example.org', name: 'Shanghai organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: 'other@example.org', name: 'Other organiser', role: 'organiser', event: SHANGHAI });
	srv = await startServer({ db });
	for (const [k, email] of [['admin', 'admin@example.org'], ['sh', 'sh@example.org'], ['other', 'other@example.org']])
		tok[k] = await apiToken(await signedIn(srv.url, email), 'write');
});
after(async () => {
	await srv?.stop();
});

const call = (who, method, p, body) => bearer(srv.url, tok[who], method, p, body);
const orgName = (slug) => sqlite(srv.db, `SELECT name FROM organisation WHERE slug = ${q(slug)};`).trim();

describe('who may change an organisation', () => {
	test('not an organiser of an event, when the organisation runs a series that is not theirs', async () => {
		let r = await call('admin', 'POST', '/api/v1/organisations', { name: 'Series Runner', kind: 'international' });
		assert.equal(r.status, 201, r.body);
		const slug = r.json.slug;
		r = await call('admin', 'PATCH', `/api/v1/series/${SERIES}`, { organisation: slug });
		assert.equal(r.status, 200, r.body);
		// It is on no event: only the series shows it.
		r = await call('sh', 'PATCH', `/api/v1/organisations/${slug}`, { name: 'Renamed by an event organiser', website: 'https://evil.example' });
		assert.equal(r.status, 403, r.body);
		assert.equal(orgName(slug), 'Series Runner', 'the name is unchanged');
		r = await call('admin', 'PATCH', `/api/v1/organisations/${slug}`, { name: 'Series Runners' });
		assert.equal(r.status, 200, 'an administrator may');
		// The form says the same as the API.
		const page = await (await signedIn(srv.url, 'sh@example.org')).get(`/admin/organisations/${slug}/edit`);
		assert.equal(page.status, 403);
	});

	test('one that nothing shows yet is its maker\'s alone', async () => {
		let r = await call('sh', 'POST', '/api/v1/organisations', { name: 'New Partner', kind: 'ngo' });
		assert.equal(r.status, 201, r.body);
		const mine = r.json.slug;
		assert.equal((await call('sh', 'PATCH', `/api/v1/organisations/${mine}`, { acronym: 'NP' })).status, 200, 'its maker may');
		r = await call('other', 'PATCH', `/api/v1/organisations/${mine}`, { name: 'Taken over' });
		assert.equal(r.status, 403, 'another organiser may not');
		assert.equal(orgName(mine), 'New Partner');
		// Once on the maker's event, the event's organisers may.
		r = await call('sh', 'POST', `/api/v1/events/${SHANGHAI}/organisations`, { organisation: mine, role: 'partner' });
		assert.equal(r.status, 201, r.body);
		assert.equal((await call('other', 'PATCH', `/api/v1/organisations/${mine}`, { acronym: 'NPO' })).status, 200);
	});

	test('the API does not show what decides it', async () => {
		const r = await call('admin', 'GET', '/api/v1/organisations/unaoc');
		assert.equal(r.status, 200);
		assert.equal(r.json.created_by, undefined);
		assert.equal(r.json.series, undefined);
	});
});

describe('a draft event is named to nobody who may not see it', () => {
	const SECRET = /secret-meeting|Secret Meeting/;
	let post;
	before(async () => {
		let r = await call('admin', 'POST', '/api/v1/events', {
			title: 'Secret Meeting', series: SERIES, starts_on: '2031-03-01', ends_on: '2031-03-02',
		});
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json.status, 'draft');
		r = await call('admin', 'POST', '/api/v1/posts', {
			title: 'Preparations begin', body_md: 'Soon.', event_slug: 'secret-meeting', status: 'published',
		});
		assert.equal(r.status, 201, r.body);
		post = r.json;
	});

	test('the posts API names it to those who may read it', async () => {
		const r = await call('admin', 'GET', `/api/v1/posts/${post.id}`);
		assert.equal(r.json.event_slug, 'secret-meeting');
		const sh = await call('sh', 'GET', `/api/v1/posts/${post.id}`);
		assert.equal(sh.status, 200);
		assert.equal(sh.json.event_slug, null, 'an organiser of another event may not see the draft');
		assert.equal(sh.json.event_title, null);
	});

	test('a visitor finds it in no JSON answer', async () => {
		const urls = ['/', '/events', '/news', '/news.atom', `/series/${SERIES}`, `/events/${SHANGHAI}`,
			'/organisations/unaoc', post.url, '/api/v1/events', '/api/v1/series', `/api/v1/series/${SERIES}`,
			'/api/v1/organisations', '/api/v1/organisations/unaoc', '/api/v1/categories', '/api/v1/posts',
			`/api/v1/posts/${post.id}`, `/api/v1/events/${SHANGHAI}`, `/api/v1/events/${SHANGHAI}/organisations`];
		// Every one answers (an error page names nothing, so would pass).
		for (const u of urls) {
			const r = await getJson(srv.url + u);
			assert.equal(r.status, 200, `${u}: ${r.status}`);
			assert.doesNotMatch(r.body, SECRET, `${u} names the draft event`);
		}
		// The post itself is public and says it is about no event a visitor may see.
		const r = await getJson(srv.url + `/api/v1/posts/${post.id}`);
		assert.equal(r.status, 200);
		assert.equal(r.json.event_slug, null);
	});
});

describe('on an https site, a write from another site is refused even with its token', () => {
	let https;
	before(async () => {
		const db = makeDemo(path.join(tempDir(), 'h.db'));
		addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
		https = await startServer({ db, args: ['--base-url', 'https://harmony.example'] });
	});
	after(async () => {
		await https?.stop();
	});

	test('Origin and Referer are checked against the site', async () => {
		const c = await signedIn(https.url, 'admin@example.org');
		const write = (headers) => c.req('POST', '/api/v1/categories', {
			body: JSON.stringify({ name: `Origin ${Object.values(headers).join(' ') || 'none'}` }),
			headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c.csrf, ...headers },
			json: true,
		});
		for (const h of [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { Origin: 'http://harmony.example' },
			{ Referer: 'https://evil.example/page' }, { Referer: 'https://harmony.example.evil.example/' }]) {
			const r = await write(h);
			assert.equal(r.status, 403, `${JSON.stringify(h)}: ${r.status}`);
			assert.equal(r.json.error.message, 'This request comes from another site and was refused.');
		}
		assert.equal((await write({ Origin: 'https://harmony.example' })).status, 201, 'the site itself');
		assert.equal((await write({ Referer: 'https://harmony.example/admin/categories' })).status, 201);
		assert.equal((await write({})).status, 201, 'no origin named: the token decides');
		// The refused five made nothing; the three allowed made one each.
		assert.equal(sqlite(https.db, "SELECT count(*) FROM category WHERE name LIKE 'Origin %';").trim(), '3');
	});

	test('an http site checks the token alone', async () => {
		const c = await signedIn(srv.url, 'admin@example.org');
		const r = await c.req('POST', '/api/v1/categories', {
			body: JSON.stringify({ name: 'From anywhere' }),
			headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c.csrf, Origin: 'https://evil.example' },
			json: true,
		});
		assert.equal(r.status, 201);
	});
});
