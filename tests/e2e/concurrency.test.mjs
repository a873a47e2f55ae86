// concurrency.test.mjs — many requests at once against the sanitized
// server's thread pool: creations racing for one address (only 201 or 409,
// exactly one row), edits while others read (every read whole, never a
// 500, the last edit shown at the end), and the page cache never serving
// a page older than the last change.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { get, getJson } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { q, sqlite } from './lib/sqlite.mjs';
import { eventually } from './lib/backend.mjs';

const EVENT = 'asia-south-pacific-shanghai-2012';
const ADMIN = { email: 'admin@example.org', name: 'Admin', role: 'admin' };
const RACERS = 24;

let srv, token;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, ADMIN);
	srv = await startServer({ db });
	token = await apiToken(await signedIn(srv.url, ADMIN.email), 'write', 'concurrency');
});
after(() => srv?.stop());

const count = (sql) => Number(sqlite(srv.db, sql).trim());

describe('creations racing for one address', () => {
	for (const [kind, route, body, table] of [
		['series', '/api/v1/series', (i) => ({ title: `Racing series ${i}`, slug: 'racing-series' }), 'series'],
		['organisation', '/api/v1/organisations', (i) => ({ name: `Racing organisation ${i}`, slug: 'racing-org' }), 'organisation'],
		['category', '/api/v1/categories', (i) => ({ name: `Racing category ${i}`, slug: 'racing-category' }), 'category'],
		['post', '/api/v1/posts', (i) => ({ title: `Racing post ${i}`, slug: 'racing-post' }), 'post'],
	]) {
		test(`${RACERS} ${kind} creations with the same slug: one 201, the others 409, one row`, async () => {
			const slug = body(0).slug;
			const answers = await Promise.all(
				Array.from({ length: RACERS }, (_, i) => bearer(srv.url, token, 'POST', route, body(i))));
			const statuses = answers.map((r) => r.status);
			for (const s of statuses) assert.ok(s === 201 || s === 409, `only 201 or 409: ${statuses.join(' ')}`);
			assert.equal(statuses.filter((s) => s === 201).length, 1, `exactly one created: ${statuses.join(' ')}`);
			for (const r of answers.filter((a) => a.status === 409))
				assert.ok(r.json?.errors?.slug, `a 409 names the slug: ${r.body.slice(0, 200)}`);
			assert.equal(count(`SELECT count(*) FROM ${table} WHERE slug = ${q(slug)};`), 1);
			// The one row is the one the 201 described.
			const won = answers.find((a) => a.status === 201).json;
			const name = won.title ?? won.name;
			assert.equal(sqlite(srv.db, `SELECT ${won.title ? 'title' : 'name'} FROM ${table} WHERE slug = ${q(slug)};`).trim(), name);
		});
	}

	test('creations without a slug each get their own address', async () => {
		const answers = await Promise.all(Array.from({ length: RACERS }, () =>
			bearer(srv.url, token, 'POST', '/api/v1/series', { title: 'Same title everywhere' })));
		assert.deepEqual(answers.map((r) => r.status), answers.map(() => 201));
		const slugs = new Set(answers.map((r) => r.json.slug));
		assert.equal(slugs.size, RACERS, 'every one a different slug');
		assert.equal(count(`SELECT count(*) FROM series WHERE title = 'Same title everywhere';`), RACERS);
	});
});

describe('edits while others read', () => {
	test('every read is whole and shows one of the titles written; the last one shows at the end', async () => {
		const titles = Array.from({ length: 30 }, (_, i) => `Shanghai consultations, edit ${i}`);
		const seen = [];
		let writing = true;
		const readers = Array.from({ length: 4 }, async (_, k) => {
			while (writing) {
				const html = k % 2 === 0;
				const r = html ? await get(`${srv.url}/events/${EVENT}`) : await getJson(`${srv.url}/events/${EVENT}`);
				assert.equal(r.status, 200, `a read during the edits: ${r.status}`);
				const title = html ? /<h1[^>]*>([^<]*)</.exec(r.body)?.[1] : r.json.event?.title ?? r.json.title;
				assert.ok(title, 'the read has a title');
				seen.push(title);
			}
		});
		const original = (await getJson(`${srv.url}/api/v1/events/${EVENT}`)).json.title;
		for (const title of titles) {
			const r = await bearer(srv.url, token, 'PATCH', `/api/v1/events/${EVENT}`, { title });
			assert.equal(r.status, 200, r.body.slice(0, 200));
		}
		writing = false;
		await Promise.all(readers);
		assert.ok(seen.length > 0, 'the readers read');
		const allowed = new Set([original, ...titles].map((t) => t.replaceAll('&', '&amp;')));
		for (const t of seen) assert.ok(allowed.has(t) || allowed.has(t.replaceAll('&amp;', '&')), `a title that was written: ${t}`);
		// After the last write, every way of reading shows it.
		const last = titles.at(-1);
		assert.match((await get(`${srv.url}/events/${EVENT}`)).body, new RegExp(last));
		assert.equal((await getJson(`${srv.url}/api/v1/events/${EVENT}`)).json.title, last);
		assert.equal(sqlite(srv.db, `SELECT title FROM event WHERE slug = ${q(EVENT)};`).trim(), last);
	});
});

describe('the page cache under writes', () => {
	test('a cached public page is never older than the last change', async () => {
		for (let i = 0; i < 10; i++) {
			const summary = `Summary after change ${i}`;
			// Read twice so the page is in the cache, then change it.
			await get(`${srv.url}/events/${EVENT}`);
			await get(`${srv.url}/events/${EVENT}`);
			const r = await bearer(srv.url, token, 'PATCH', `/api/v1/events/${EVENT}`, { summary });
			assert.equal(r.status, 200, r.body.slice(0, 200));
			const [a, b] = await Promise.all([get(`${srv.url}/events/${EVENT}`), get(`${srv.url}/events/${EVENT}`)]);
			assert.ok(a.body.includes(summary), `change ${i} shows at once`);
			assert.ok(b.body.includes(summary), `change ${i} shows at once, to a second reader too`);
		}
	});

	test('a change made by another process shows too', async () => {
		await get(`${srv.url}/events/${EVENT}`);
		sqlite(srv.db, `UPDATE event SET summary = 'Changed behind the server' WHERE slug = ${q(EVENT)};`);
		assert.ok(await eventually(async () => (await get(`${srv.url}/events/${EVENT}`)).body.includes('Changed behind the server')));
	});
});
