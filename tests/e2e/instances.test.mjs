// instances.test.mjs — two `harmony serve` on one database, as behind a
// load balancer: what one instance does, the other knows at once.
// - A session made on one is a session on the other, with its CSRF token
//   (both live in the database), and the sign-in throttle counts the
//   failures made on both (the table auth_throttle).
// - A post published through one is on the other's home page, news list
//   and feed within a second, though the other had those pages cached:
//   PostgreSQL's NOTIFY (SQLite's data_version) drops its page cache.
// - One instance killed with SIGKILL in the middle of writes loses none of
//   the writes it answered 201 for, leaves no lock behind, and the other
//   carries on serving and writing throughout.
// - Two instances given one --media folder serve each other's uploads, and
//   an e-mail queued on one is sent once, by one of them (the outbox's
//   messages are claimed), though both deliver mail.
// Run on both backends; on PostgreSQL it is the must-hold case.
// What stays per process: the page cache (kept coherent as above) and the
// per-address connection and stream limits (libmicrohttpd's, in memory).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { get, getJson, request } from './lib/http.mjs';
import { makeDemo, ROOT, startServer, tempDir } from './lib/server.mjs';
import { q, sqlite } from './lib/sqlite.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', role: 'admin' };
const PERSON = { email: 'person@example.org', name: 'Person' };
let dir, db, a, b, token;

before(async () => {
	dir = tempDir();
	db = makeDemo(path.join(dir, 'h.db'));
	for (const p of [ADMIN, PERSON, { email: 'thr@example.org', name: 'Throttled' }]) addAccount(db, p);
	[a, b] = await Promise.all([startServer({ db }), startServer({ db })]);
	token = await apiToken(await signedIn(a.url, ADMIN.email), 'write', 'instances');
});
after(async () => {
	await Promise.all([a?.stop(), b?.stop()]);
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// The same browser, its requests sent to the other instance.
function onOther(client, base) {
	const other = new Client(base);
	other.cookies = new Map(client.cookies);
	other.csrf = client.csrf;
	return other;
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// Polls until check(await fetch()) holds: the milliseconds it took.
async function within(ms, fetch, check, what) {
	const t0 = Date.now();
	for (;;) {
		const r = await fetch();
		if (check(r)) return Date.now() - t0;
		assert.ok(Date.now() - t0 < ms, `${what}: not within ${ms} ms`);
		await sleep(20);
	}
}

describe('two instances on one database', () => {
	test('signed in on one, acting on the other: the session and its CSRF token are shared', async () => {
		const onA = await signedIn(a.url, PERSON.email);
		const onB = onOther(onA, b.url);
		const me = await onB.getJson('/api/v1/account');
		assert.equal(me.status, 200, `the session made on A, on B: ${me.body}`);
		assert.equal(me.json.email, PERSON.email);
		// A form whose CSRF token came from A's page, posted to B.
		const r = await onB.post('/account/profile', { name: 'Renamed on B', organisation: '', lang: 'en' }, { csrf: onA.csrf });
		assert.equal(r.status, 303, `B takes A's CSRF token: ${r.status} ${r.body.slice(0, 200)}`);
		assert.equal((await onA.getJson('/api/v1/account')).json.name, 'Renamed on B', 'A sees the change at once');
		// A forged token is refused by both.
		for (const [who, c] of [['A', onA], ['B', onB]]) {
			const bad = await c.post('/account/profile', { name: 'Forged', lang: 'en' }, { csrf: 'x'.repeat(43) });
			assert.equal(bad.status, 403, `${who}: a wrong CSRF token`);
		}
		// Signed out on B: the session is over on A too.
		await onB.get('/account');
		assert.equal((await onB.post('/sign-out')).status, 303);
		assert.equal((await onA.getJson('/api/v1/account')).status, 401, 'signed out everywhere');
	});

	test('the sign-in throttle counts failures made on either instance', async () => {
		// Alone, neither instance sees enough failures to throttle: the
		// attempts alternate between them.
		let throttled = 0;
		for (let i = 0; i < 12; i++) {
			const c = new Client(i % 2 ? b.url : a.url);
			await c.get('/sign-in');
			const r = await c.post('/sign-in', { email: 'thr@example.org', password: `wrong password number ${i}` }, { json: true });
			if (r.status === 429) throttled++;
		}
		assert.ok(throttled >= 2, `${throttled} answers were throttled`);
		// The right password is refused too while the throttle lasts, on both.
		for (const base of [a.url, b.url]) {
			const c = new Client(base);
			await c.get('/sign-in');
			assert.equal((await c.post('/sign-in', { email: 'thr@example.org', password: PASSWORD }, { json: true })).status, 429, base);
		}
	});

	test('a post published on one is on the other\'s pages and feed within a second', async (t) => {
		// B has the pages cached, with their ETags.
		const pages = ['/', '/news', '/news.atom'];
		const etags = {};
		for (const p of pages) {
			const r1 = await get(b.url + p);
			const r2 = await get(b.url + p);
			assert.equal(r2.status, 200, p);
			assert.equal(r2.body, r1.body, `${p}: the same page twice`);
			etags[p] = r2.headers.etag;
		}
		const title = `Published on A at ${Date.now()}`;
		const r = await bearer(a.url, token, 'POST', '/api/v1/posts', { title, body_md: 'Seen everywhere.', status: 'published' });
		assert.equal(r.status, 201, r.body);
		for (const p of pages) {
			const ms = await within(1000, () => get(b.url + p), (x) => x.status === 200 && x.body.includes(title), `${p} on B`);
			const again = await get(b.url + p, { headers: { 'If-None-Match': etags[p] } });
			assert.equal(again.status, 200, `${p} on B: the old ETag no longer matches (${ms} ms)`);
			t.diagnostic(`${p} on B showed the post after ${ms} ms`);
		}
		// And the JSON twin of the post itself.
		const slug = r.json.slug;
		assert.ok((await getJson(`${b.url}/api/v1/posts/${r.json.id}`)).json.slug === slug);
	});

	test('one instance killed with SIGKILL in the middle of writes: nothing committed is lost, the other carries on', async (t) => {
		const c = await startServer({ db });
		const answered = []; // names the killed instance answered 201 for
		const onB = [];
		let stop = false;
		// Writers on C, four at a time, until it dies; B writes alongside.
		const writer = async (w) => {
			for (let i = 0; !stop; i++) {
				const name = `Kill test C${w}-${i}`;
				let r;
				try {
					r = await bearer(c.url, token, 'POST', '/api/v1/categories', { name });
				} catch {
					return; // the connection went with the process
				}
				if (r.status === 201) answered.push(name);
			}
		};
		const other = async () => {
			for (let i = 0; !stop; i++) {
				const name = `Kill test B-${i}`;
				const r = await bearer(b.url, token, 'POST', '/api/v1/categories', { name });
				assert.equal(r.status, 201, `B while C dies: ${r.status} ${r.body.slice(0, 200)}`);
				onB.push(name);
				assert.equal((await get(b.url + '/events')).status, 200, 'B reads while C dies');
			}
		};
		const writers = [0, 1, 2, 3].map(writer);
		const bWrites = other();
		// Let writes flow, then kill C while they do.
		await within(20_000, async () => answered.length, (n) => n >= 20, 'C answers writes');
		c.proc.kill('SIGKILL');
		const { signal } = await c.exited;
		assert.equal(signal, 'SIGKILL');
		await Promise.all(writers);
		// B goes on writing after the kill: the write lock C may have held
		// went with its connection.
		const afterKill = onB.length;
		await within(10_000, async () => onB.length, (n) => n >= afterKill + 5, 'B writes after the kill');
		stop = true;
		await bWrites;
		rmSync(c.dir, { recursive: true, force: true });

		// Every write C answered 201 for is there, once; so is every one of B's.
		const stored = new Set(sqlite(db, "SELECT name FROM category WHERE name LIKE 'Kill test %';").split('\n').filter(Boolean));
		for (const n of [...answered, ...onB]) assert.ok(stored.has(n), `${n} was answered 201 and is stored`);
		assert.equal(sqlite(db, `SELECT count(*) - count(DISTINCT name) FROM category WHERE name LIKE 'Kill test %';`).trim(), '0');
		// And B shows them.
		const list = await getJson(`${b.url}/api/v1/categories`);
		assert.equal(list.status, 200);
		const names = new Set(list.json.categories.map((x) => x.name));
		for (const n of answered) assert.ok(names.has(n), `B lists ${n}`);
		assert.ok(answered.length >= 20, `${answered.length} writes answered before the kill`);
		t.diagnostic(`C answered ${answered.length} writes before SIGKILL; B made ${onB.length} meanwhile`);
		assert.equal(sqlite(db, `SELECT count(*) FROM category WHERE name = ${q(answered[0])};`).trim(), '1');
	});
});

describe('two instances sharing one media folder', () => {
	let c, d, media, outboxes, tok;
	before(async () => {
		media = path.join(dir, 'shared-media');
		outboxes = [path.join(dir, 'outbox-c'), path.join(dir, 'outbox-d')];
		for (const f of [media, ...outboxes]) mkdirSync(f, { recursive: true });
		[c, d] = await Promise.all(outboxes.map((o) => startServer({ db, args: ['--media', media, '--outbox', o] })));
		tok = await apiToken(await signedIn(c.url, ADMIN.email), 'write', 'media');
	});
	after(async () => {
		await Promise.all([c?.stop(), d?.stop()]);
	});

	test('an image uploaded through one is served by the other', async () => {
		const png = readFileSync(path.join(ROOT, 'tests/fuzz/corpus/image/red-blue.png'));
		const boundary = 'harmony-instances';
		const body = Buffer.concat([
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
			png,
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		const up = await request(`${c.url}/api/v1/media`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${tok}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body,
		});
		assert.equal(up.status, 201, up.body);
		const { name } = JSON.parse(up.body);
		assert.match(name, /^[0-9a-f]{64}\.png$/);
		assert.equal((await request(`${c.url}/media/${name}`)).status, 200);
		const there = await request(`${d.url}/media/${name}`);
		assert.equal(there.status, 200, 'the other instance serves it');
		assert.ok(there.bytes.equals(png), 'the same bytes');
	});

	test('an e-mail queued on one is sent once, by one of them', async () => {
		// The messages to PERSON (the administrator's sign-in brings others).
		const emls = () => outboxes.flatMap((o) => readdirSync(o)
			.filter((f) => f.endsWith('.eml') && readFileSync(path.join(o, f), 'utf8').includes(PERSON.email)));
		assert.equal(emls().length, 0);
		const person = new Client(c.url);
		await person.get('/forgot-password');
		assert.equal((await person.post('/forgot-password', { email: PERSON.email })).status, 200);
		await within(10_000, async () => emls().length, (n) => n >= 1, 'the reset e-mail');
		// Both deliver every few seconds: past a turn of each, still one.
		await sleep(6_000);
		assert.equal(emls().length, 1, `sent once: ${emls().join(', ')}`);
	});
});
