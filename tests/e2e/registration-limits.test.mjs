// registration-limits.test.mjs — one address and event may send so many
// registrations in ten minutes (harmony serve
// --registration-limit-per-address N; 600 by default, far above a room of
// 150 behind one address): beyond it a 429 with Retry-After and nothing
// stored; the organisers entering people are not held; 0 lifts the limit.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { q, sqlite } from './lib/sqlite.mjs';

const ADMIN = 'admin@example.org';
let srv, token;

before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ADMIN, name: 'Admin', role: 'admin' });
	srv = await startServer({ db, args: ['--registration-limit-per-address', '5'] });
	token = await apiToken(await signedIn(srv.url, ADMIN), 'write');
});
after(async () => srv?.stop());

async function openEvent(n) {
	let r = await bearer(srv.url, token, 'POST', '/api/v1/events', {
		title: `Limits ${n}`, starts_on: '2031-05-02', ends_on: '2031-05-03', timezone: 'UTC', city: 'Vienna', country: 'AT',
	});
	assert.equal(r.status, 201, r.body);
	const slug = r.json.slug;
	assert.equal((await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { status: 'published' })).status, 200);
	r = await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}/registration`, { mode: 'open', capacity: 100 });
	assert.equal(r.status, 200, r.body);
	return slug;
}

async function asVisitor(slug, i) {
	const c = new Client(srv.url);
	const f = await c.getJson(`/events/${slug}/register`);
	c.csrf = f.json.csrf;
	return c.api('POST', `/api/v1/events/${slug}/registrations`,
		{ name: `Person ${i}`, email: `p${i}@example.org`, sector: 'ngo', country: 'AT' });
}

const stored = (slug) => Number(sqlite(srv.db,
	`SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(slug)};`).trim());

test('a flood from one address is held at the limit, nothing stored beyond it', async () => {
	const slug = await openEvent(1);
	for (let i = 0; i < 5; i++) assert.equal((await asVisitor(slug, i)).status, 201);
	const r = await asVisitor(slug, 5);
	assert.equal(r.status, 429, r.body);
	assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
	assert.match(r.json.error, /Too many registrations/);
	assert.equal(stored(slug), 5);
	// the limit is per event: another event still takes this address
	const other = await openEvent(2);
	assert.equal((await asVisitor(other, 99)).status, 201);
});

test('organisers entering people are not held by it', async () => {
	const slug = await openEvent(3);
	for (let i = 0; i < 8; i++) {
		const r = await bearer(srv.url, token, 'POST', `/api/v1/events/${slug}/registrations`,
			{ name: `Entered ${i}`, email: `e${i}@example.org`, sector: 'ngo', country: 'AT' });
		assert.equal(r.status, 201, r.body);
	}
	assert.equal(stored(slug), 8);
});

test('the flag is checked', async () => {
	const { spawnSync } = await import('node:child_process');
	const { harmonyBin } = await import('./lib/server.mjs');
	const r = spawnSync(harmonyBin(), ['serve', '--registration-limit-per-address', 'many'], { encoding: 'utf8' });
	assert.equal(r.status, 2);
	assert.match(r.stderr, /--registration-limit-per-address takes a number/);
});
