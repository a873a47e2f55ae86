// people-readable.test.mjs — the admin speaks as people do. The audit log
// says who did what to which thing in a sentence with links, the changes
// one click away; roles and languages are named, not coded; no admin page
// shows a raw timestamp, and times follow the site's zone; countries are
// chosen from a list named in the reader's language, time zones from a
// searchable list, and the event of a role from a list of titles.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, signedIn } from './lib/accounts.mjs';
import { between, textOf } from './lib/html.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { jsonRows, outboxSettled, sqlite } from './lib/sqlite.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', role: 'admin' };
const ORG = { email: 'org@example.org', name: 'Demo organiser', role: 'organiser', event: SHANGHAI };
const RAW_STAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

let srv, db, admin, org, eventTitle, postId, postTitle;
before(async () => {
	db = makeDemo(path.join(tempDir(), 'h.db'));
	for (const p of [ADMIN, ORG]) addAccount(db, p);
	srv = await startServer({ db });
	admin = await signedIn(srv.url, ADMIN.email);
	org = await signedIn(srv.url, ORG.email);
	[{ title: eventTitle }] = jsonRows(db, `SELECT title FROM event WHERE slug = '${SHANGHAI}'`);
	[{ id: postId, title: postTitle }] = jsonRows(db, 'SELECT id, title FROM post ORDER BY id LIMIT 1');
});
after(() => srv?.stop());

describe('the audit log', () => {
	test('speaks in sentences with names and links, the changes behind <details>', async () => {
		await org.get(`/admin/news/${postId}/edit`);
		const r = await org.api('PATCH', `/api/v1/posts/${postId}`, { summary: 'A summary changed by the organiser.' });
		assert.equal(r.status, 200, r.body.slice(0, 300));
		const [{ id: orgId }] = jsonRows(db, `SELECT id FROM account WHERE email = '${ORG.email}'`);
		const log = await admin.getJson('/api/v1/audit?action=post.update');
		const e = log.json.entries[0];
		assert.equal(e.summary, `Demo organiser changed the post ${postTitle}`);
		assert.equal(e.who, 'Demo organiser');
		assert.equal(e.who_url, `/admin/accounts/${orgId}`);
		assert.equal(e.thing_url, `/admin/news/${postId}/edit`);
		const page = await admin.get('/admin/audit?action=post.update');
		const first = between(page.body, '<li class="audit-entry">', '</li>');
		assert.match(first, new RegExp(`<a href="/admin/accounts/${orgId}">Demo organiser</a> changed the post <a href="/admin/news/${postId}/edit">`));
		assert.ok(textOf(first).includes(`Demo organiser changed the post “${postTitle}”`), textOf(first));
		assert.match(first, /<details class="audit-changes">\s*<summary>What changed<\/summary>/);
		assert.match(between(first, '<details', '</details>'), /A summary changed by the organiser\./);
	});

	test('names the command line, settings and accounts', async () => {
		const page = textOf((await admin.get('/admin/audit')).body);
		assert.match(page, /The command line made the account of “Ada Admin”/);
		assert.match(page, /The command line gave “Demo organiser” a role/);
		assert.match(page, /Ada Admin signed in/);
	});
});

describe('roles and languages by name', () => {
	test('in the accounts admin and on one\'s own account page', async () => {
		const [{ id }] = jsonRows(db, `SELECT id FROM account WHERE email = '${ORG.email}'`);
		const one = await admin.get(`/admin/accounts/${id}`);
		const t = textOf(one.body);
		assert.ok(t.includes(`Organiser of the event ${eventTitle}`), t.slice(0, 2000));
		assert.match(t, /Language English/);
		assert.ok(!/Language en\b/.test(t));
		const list = textOf((await admin.get('/admin/accounts')).body);
		assert.ok(list.includes(`Organiser of the event ${eventTitle}`));
		const own = textOf((await org.get('/account')).body);
		assert.ok(own.includes(`Organiser of the event ${eventTitle}`), own.slice(0, 1500));
		assert.match(own, /Language English/);
		const json = await admin.getJson(`/api/v1/accounts/${id}`);
		assert.equal(json.json.account?.lang_name ?? json.json.lang_name, 'English');
	});

	test('the role form chooses the event and the series from lists of titles', async () => {
		const page = await admin.get('/admin/accounts/1');
		const ev = between(page.body, '<select id="f-event" name="event"', '</select>');
		assert.ok(ev, 'the event is a <select>');
		assert.ok(ev.includes(`<option value="${SHANGHAI}">${eventTitle}</option>`), ev.slice(0, 500));
		assert.ok(between(page.body, '<select id="f-series" name="series"', '</select>'));
		// A refused form keeps the event chosen.
		const r = await admin.post('/admin/accounts/1/roles', { role: 'organiser', event: SHANGHAI, password: 'wrong password here' });
		assert.equal(r.status, 400);
		assert.ok(r.body.includes(`<option value="${SHANGHAI}" selected>`));
	});
});

describe('dates and times', () => {
	const PAGES = () => ['/admin/audit', '/admin/outbox', '/admin/accounts/1', `/admin/events/${SHANGHAI}/edit`, `/admin/news/${postId}/edit`, '/account'];

	test('no admin page shows a raw timestamp', async () => {
		// One message in the outbox, and a token on the account page.
		await admin.get('/admin/accounts/1');
		assert.equal((await admin.post('/admin/accounts/1/invite', {})).status, 303);
		await outboxSettled(db);
		await admin.get('/account');
		assert.equal((await admin.post('/account/api-tokens', { label: 'readable', scope: 'read', password: 'correct horse battery staple' })).status, 201);
		for (const p of [...PAGES(), '/admin/outbox/1']) {
			const r = await admin.get(p);
			assert.equal(r.status, 200, p);
			const text = textOf(between(r.body, '<main', '</main>') ?? r.body);
			assert.ok(!RAW_STAMP.test(text), `${p} shows ${RAW_STAMP.exec(text)?.[0]}`);
		}
		const own = textOf((await admin.get('/account')).body);
		assert.match(own, /readable Read only/);
	});

	test('follow the site\'s time zone', async () => {
		const before = textOf((await admin.get('/admin/audit')).body);
		assert.match(before, /UTC|GMT/);
		sqlite(db, "INSERT INTO site_setting (key, value) VALUES ('timezone', 'Asia/Shanghai');");
		const after = textOf((await admin.get('/admin/audit')).body);
		assert.match(after, /GMT\+8/);
	});
});

describe('countries and time zones from lists', () => {
	test('the event form names countries in the reader\'s language and suggests zones', async () => {
		const page = await admin.get(`/admin/events/${SHANGHAI}/edit`);
		const country = between(page.body, '<select id="f-country" name="country"', '</select>');
		assert.ok(country, 'the country is a <select>');
		assert.match(country, /<option value="CN" selected>China<\/option>/);
		assert.match(country, /<option value="">— No country —<\/option>/);
		const names = [...country.matchAll(/<option value="[A-Z]{2}"[^>]*>([^<]*)</g)].map((m) => m[1]);
		assert.ok(names.length > 200, `${names.length} countries`);
		assert.deepEqual(names.slice(0, 3), [...names.slice(0, 3)].sort((a, b) => a.localeCompare(b, 'en')));
		assert.match(page.body, /<input id="f-timezone" name="timezone" type="text" value="Asia\/Shanghai" list="f-timezone-list"/);
		assert.match(between(page.body, '<datalist id="f-timezone-list">', '</datalist>'), /<option value="Asia\/Shanghai">China Standard Time/);
		const fr = await admin.get(`/admin/events/${SHANGHAI}/edit?lang=fr`);
		assert.match(between(fr.body, '<select id="f-country"', '</select>'), /<option value="CN" selected>Chine<\/option>/);
	});

	test('the organisation form too, and the admin list names the country', async () => {
		const [{ slug, country }] = jsonRows(db, "SELECT slug, country FROM organisation WHERE country IS NOT NULL AND country <> '' ORDER BY id LIMIT 1");
		const page = await admin.get(`/admin/organisations/${slug}/edit`);
		assert.match(between(page.body, '<select id="f-country" name="country"', '</select>'), new RegExp(`<option value="${country}" selected>`));
		const list = between((await admin.get('/admin/organisations')).body, '<tbody', '</tbody>');
		assert.ok(!new RegExp(`<td>${country}</td>`).test(list), 'no bare country code');
	});
});

describe('one name for one idea', () => {
	test('sectors are named alike in the event form and on the public page', async () => {
		const form = await admin.get(`/admin/events/${SHANGHAI}/edit`);
		const boxes = [...between(form.body, '<legend>Sectors invited</legend>', '</fieldset>').matchAll(/<label for="f-sectors-[a-z]+">([^<]*)<\/label>/g)].map((m) => m[1]);
		const page = await admin.get(`/events/${SHANGHAI}`);
		const shown = [...between(page.body, '<ul class="tags">', '</ul>').matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
		assert.ok(shown.length >= 3, shown.join());
		for (const s of shown) assert.ok(boxes.includes(s), `"${s}" of the public page is in the form (${boxes.join(', ')})`);
		assert.ok(boxes.includes('Corporations') && boxes.includes('Governments'));
	});

	test('the home page flag is "Pinned to the home page", not "Featured" like the category', async () => {
		const form = await admin.get(`/admin/news/${postId}/edit`);
		assert.match(form.body, /<label for="post-featured">Pinned to the home page<\/label>/);
		assert.match(textOf(form.body), /Categories only group posts for readers/);
		const cats = textOf((await admin.get('/admin/categories')).body);
		assert.match(cats, /They do not put a post on the home page: pin the post for that/);
	});
});
