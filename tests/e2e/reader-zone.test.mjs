// reader-zone.test.mjs — dates and times in the reader's own time zone: an
// account may choose one in its profile (the form and PATCH
// /api/v1/account); the admin pages and the account page then show times
// in it, named, and without one in the site's; a zone that does not exist
// is refused and nothing changes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, addAccount } from './lib/accounts.mjs';
import { decodeEntities } from './lib/html.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot } from './lib/sqlite.mjs';

let srv, c;
before(async () => {
	srv = await startServer();
	addAccount(srv.db, { email: 'zone@example.org', name: 'Zone Reader', role: 'admin' });
	c = await new Client(srv.url).signIn('zone@example.org');
});
after(async () => {
	await srv?.stop();
});

// The times the account page shows (its sessions' "signed in" column).
const shownTimes = async () => {
	const page = decodeEntities((await c.get('/account')).body);
	return [...page.matchAll(/<td data-label="Signed in">([^<]+)<\/td>/g)].map((m) => m[1]);
};

test('the account page shows times in the zone the reader chose', async () => {
	const site = await shownTimes();
	assert.ok(site.length > 0, 'the account page shows times');
	let r = await c.api('PATCH', '/api/v1/account', { timezone: 'Asia/Shanghai' });
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.timezone, 'Asia/Shanghai');
	const sh = await shownTimes();
	assert.ok(sh.every((t) => /GMT\+8\b/.test(t)), `Shanghai times: ${sh.join(' | ')}`);
	r = await c.api('PATCH', '/api/v1/account', { timezone: 'America/Santiago' });
	assert.equal(r.status, 200, r.body);
	const cl = await shownTimes();
	assert.ok(cl.every((t) => /GMT-[34]\b/.test(t)), `Santiago times: ${cl.join(' | ')}`);
	assert.notDeepEqual(cl, sh);
	// Back to the site's zone.
	r = await c.api('PATCH', '/api/v1/account', { timezone: '' });
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.timezone, null);
	assert.deepEqual(await shownTimes(), site);
});

test('the profile form offers the zones, and a zone that does not exist is refused', async () => {
	const form = await c.get('/account/profile');
	assert.equal(form.status, 200);
	assert.match(form.body, /<input id="f-timezone" name="timezone" list="f-timezone-list"/);
	assert.match(form.body, /<option value="Asia\/Shanghai">/);
	const before = dbSnapshot(srv.db);
	const r = await c.api('PATCH', '/api/v1/account', { timezone: 'Mars/Olympus_Mons' });
	assert.equal(r.status, 400);
	assert.ok(r.json.errors.timezone, 'the field is named');
	assertDbUnchanged(srv.db, before, 'a zone that does not exist');
	// The form too: the zone chosen there is kept.
	await c.get('/account/profile');
	const saved = await c.post('/account/profile', { name: 'Zone Reader', organisation: '', lang: 'en', timezone: 'Europe/Malta' });
	assert.equal(saved.status, 303, saved.body.slice(0, 200));
	assert.equal((await c.getJson('/api/v1/account')).json.timezone, 'Europe/Malta');
});
