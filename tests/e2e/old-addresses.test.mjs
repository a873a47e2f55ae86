// old-addresses.test.mjs — changing an address breaks no link: after an
// event's, series', organisation's or post's slug (or a post's date)
// changes, every old address answers 301 to the current one (the page, its
// JSON twin, the API item, with the query kept), feeds keep their entries'
// ids; a draft's new address is never told to someone who may not see it;
// a new thing that takes a freed slug wins over the redirect; deleting a
// thing deletes its old addresses.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { getJson, request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { jsonRows } from './lib/sqlite.mjs';

const DAYS = { starts_on: '2031-05-01', ends_on: '2031-05-02' };

let srv, token;

before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	srv = await startServer({ db });
	token = await apiToken(await signedIn(srv.url, 'admin@example.org'), 'write');
});
after(() => srv?.stop());

const api = (method, p, body) => bearer(srv.url, token, method, p, body);
async function ok(r, status = 200) {
	assert.equal(r.status, status, r.body.slice(0, 300));
	return r.json;
}
// The answer to a visitor's GET of p, not followed.
const visit = (p, headers = {}) => request(srv.url + p, { headers });
async function assertMoved(from, to, what = from) {
	const r = await visit(from);
	assert.equal(r.status, 301, `${what}: ${r.status} ${r.body.slice(0, 200)}`);
	assert.equal(r.headers.location, to, what);
	const j = await visit(from, { Accept: 'application/json' });
	assert.equal(j.status, 301, `${what} (JSON twin)`);
	assert.equal(j.headers.location, to, `${what} (JSON twin)`);
	assert.equal((await visit(to)).status, 200, `${what}: where it goes`);
}
const oldRows = (entity) => jsonRows(srv.db, `SELECT address, entity_id FROM old_address WHERE entity = '${entity}' ORDER BY address`);

describe('an event, a series and an organisation keep their old addresses', () => {
	test('an event renamed twice: both old pages, twins and API items go to the current one', async () => {
		await ok(await api('POST', '/api/v1/events', { title: 'Address Summit', slug: 'address-a', status: 'published', ...DAYS }), 201);
		await ok(await api('PATCH', '/api/v1/events/address-a', { slug: 'address-b' }));
		await assertMoved('/events/address-a', '/events/address-b');
		await ok(await api('PATCH', '/api/v1/events/address-b', { slug: 'address-c' }));
		await assertMoved('/events/address-a', '/events/address-c', 'the first address, after a second change');
		await assertMoved('/events/address-b', '/events/address-c');
		// The query goes along (the language asked for, say).
		assert.equal((await visit('/events/address-a?lang=fr')).headers.location, '/events/address-c?lang=fr');
		// The API item, for a visitor and for a token alike.
		const item = await visit('/api/v1/events/address-a');
		assert.equal(item.status, 301);
		assert.equal(item.headers.location, '/api/v1/events/address-c');
		const byToken = await api('GET', '/api/v1/events/address-b');
		assert.equal(byToken.status, 301);
		assert.equal(byToken.headers.location, '/api/v1/events/address-c');
		// Other addresses stay 404.
		assert.equal((await visit('/events/address-z')).status, 404);
		assert.equal((await visit('/api/v1/events/address-z')).status, 404);
	});

	test('a series and an organisation, through the API and the admin form alike', async () => {
		await ok(await api('POST', '/api/v1/series', { title: 'Address Series', slug: 'series-a', status: 'published' }), 201);
		await ok(await api('PATCH', '/api/v1/series/series-a', { slug: 'series-b' }));
		await assertMoved('/series/series-a', '/series/series-b');
		assert.equal((await visit('/api/v1/series/series-a')).headers.location, '/api/v1/series/series-b');

		await ok(await api('POST', '/api/v1/organisations', { name: 'Address Foundation', slug: 'org-a', kind: 'ngo' }), 201);
		await ok(await api('PATCH', '/api/v1/organisations/org-a', { slug: 'org-b' }));
		await assertMoved('/organisations/org-a', '/organisations/org-b');
		assert.equal((await visit('/api/v1/organisations/org-a')).headers.location, '/api/v1/organisations/org-b');
	});

	test('a demo event renamed: its old address, linked from everywhere, still leads to it', async () => {
		const SH = 'asia-south-pacific-shanghai-2012';
		await ok(await api('PATCH', `/api/v1/events/${SH}`, { slug: 'shanghai-2012' }));
		await assertMoved(`/events/${SH}`, '/events/shanghai-2012');
		await ok(await api('PATCH', '/api/v1/events/shanghai-2012', { slug: SH }));
		// Back where it was: its own address again, not a redirect to itself.
		assert.equal((await visit(`/events/${SH}`)).status, 200);
		await assertMoved('/events/shanghai-2012', `/events/${SH}`);
		assert.ok(!oldRows('event').some((r) => r.address === SH), 'its own address is not an old one');
	});
});

describe('a draft keeps its new address to those who may see it', () => {
	test('a renamed draft: 404 to visitors, never a Location that names it; 301 to its editors', async () => {
		await ok(await api('POST', '/api/v1/events', { title: 'Hidden Summit', slug: 'hidden-a', ...DAYS }), 201);
		await ok(await api('PATCH', '/api/v1/events/hidden-a', { slug: 'hidden-secret-b' }));
		for (const p of ['/events/hidden-a', '/api/v1/events/hidden-a']) {
			const r = await visit(p);
			assert.equal(r.status, 404, p);
			assert.equal(r.headers.location, undefined, p);
			assert.ok(!r.body.includes('hidden-secret-b'), `${p} names the draft's address`);
		}
		const mine = await api('GET', '/api/v1/events/hidden-a');
		assert.equal(mine.status, 301);
		assert.equal(mine.headers.location, '/api/v1/events/hidden-secret-b');
		assert.equal(mine.headers['cache-control'], 'no-store');
	});
});

describe('a freed address may be taken, and deleting forgets', () => {
	test('a new event that takes a freed slug wins over the redirect', async () => {
		await ok(await api('POST', '/api/v1/events', { title: 'First Holder', slug: 'taken-a', status: 'published', ...DAYS }), 201);
		await ok(await api('PATCH', '/api/v1/events/taken-a', { slug: 'first-holder' }));
		await assertMoved('/events/taken-a', '/events/first-holder');
		await ok(await api('POST', '/api/v1/events', { title: 'Second Holder', slug: 'taken-a', ...DAYS }), 201);
		assert.ok(!oldRows('event').some((r) => r.address === 'taken-a'), 'the redirect is dropped');
		// A draft for now: not found, and not a redirect to the first holder.
		assert.equal((await visit('/events/taken-a')).status, 404);
		await ok(await api('PATCH', '/api/v1/events/taken-a', { status: 'published' }));
		const r = await visit('/events/taken-a');
		assert.equal(r.status, 200);
		assert.match(r.body, /Second Holder/);
	});

	test('deleting a thing deletes its old addresses', async () => {
		const ev = await ok(await api('POST', '/api/v1/events', { title: 'Short Lived', slug: 'gone-a', ...DAYS }), 201);
		await ok(await api('PATCH', '/api/v1/events/gone-a', { slug: 'gone-b' }));
		assert.equal(oldRows('event').filter((r) => r.entity_id === ev.id).length, 1);
		await ok(await api('DELETE', '/api/v1/events/gone-b'));
		assert.equal(oldRows('event').filter((r) => r.entity_id === ev.id).length, 0);
		assert.equal((await api('GET', '/api/v1/events/gone-a')).status, 404);

		const org = await ok(await api('POST', '/api/v1/organisations', { name: 'Gone Foundation', slug: 'gone-org-a', kind: 'ngo' }), 201);
		await ok(await api('PATCH', '/api/v1/organisations/gone-org-a', { slug: 'gone-org-b' }));
		await ok(await api('DELETE', '/api/v1/organisations/gone-org-b'));
		assert.equal(oldRows('organisation').filter((r) => r.entity_id === org.id).length, 0);
		assert.equal((await visit('/organisations/gone-org-a')).status, 404);
	});
});

describe('a post keeps its old addresses, and its feed entry its id', () => {
	test('a new slug and a new date: the old permalink goes to the new one; the entry keeps its id', async () => {
		const p = await ok(await api('POST', '/api/v1/posts', { title: 'Moving Post', slug: 'moving-post', status: 'published', published_at: '2020-03-04T10:00:00Z' }), 201);
		const first = '/news/2020/03/04/moving-post';
		assert.equal(p.url, first);
		const feedId = async () => {
			const feed = (await visit('/news.atom')).body;
			const entry = feed.split(/<entry[ >]/).find((e) => e.includes('<title>Moving Post</title>'));
			assert.ok(entry, 'the entry is in the feed');
			return [/<id>([^<]*)<\/id>/.exec(entry)[1], /<link rel="alternate" type="text\/html" href="([^"]*)"/.exec(entry)[1]];
		};
		assert.deepEqual(await feedId(), [srv.url + first, srv.url + first]);

		await ok(await api('PATCH', `/api/v1/posts/${p.id}`, { slug: 'moved-post' }));
		await assertMoved(first, '/news/2020/03/04/moved-post');
		await ok(await api('PATCH', `/api/v1/posts/${p.id}`, { published_at: '2020-03-06T10:00:00Z' }));
		await assertMoved(first, '/news/2020/03/06/moved-post', 'the first permalink, after the date changed');
		await assertMoved('/news/2020/03/04/moved-post', '/news/2020/03/06/moved-post');
		// The feed links the new address, under the id it always had.
		assert.deepEqual(await feedId(), [srv.url + first, srv.url + '/news/2020/03/06/moved-post']);

		// Back to draft: the old addresses no longer lead anywhere.
		await ok(await api('POST', `/api/v1/posts/${p.id}/unpublish`));
		assert.equal((await visit(first)).status, 404);
		assert.equal((await visit(first)).headers.location, undefined);
		// Deleted: its old addresses go with it.
		await ok(await api('DELETE', `/api/v1/posts/${p.id}`));
		assert.equal(oldRows('post').filter((r) => r.entity_id === p.id).length, 0);
	});

	test('the JSON twin of an old permalink follows to the post', async () => {
		const p = await ok(await api('POST', '/api/v1/posts', { title: 'Twin Post', slug: 'twin-a', status: 'published', published_at: '2021-01-02T10:00:00Z' }), 201);
		await ok(await api('PATCH', `/api/v1/posts/${p.id}`, { slug: 'twin-b' }));
		const r = await visit('/news/2021/01/02/twin-a', { Accept: 'application/json' });
		assert.equal(r.status, 301);
		const j = await getJson(srv.url + r.headers.location);
		assert.equal(j.status, 200);
		assert.equal(j.json.title, 'Twin Post');
	});
});
