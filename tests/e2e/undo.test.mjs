// undo.test.mjs — destructive actions ask first and can be undone: every
// delete, unpublish, revoke and removal answers a browser's POST without
// confirm=yes with a page that says what will happen, and changes nothing;
// what is deleted goes to the trash, and "Undo" (or Restore in the trash,
// or the API) brings it back with what went with it, recorded in the audit
// log. After publishing or saving, the notice links to the public page; a
// scheduled post offers "Publish now".
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { onPg } from './lib/backend.mjs';
import { mainOf, tags, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, q } from './lib/sqlite.mjs';

const DAYS = { starts_on: '2031-05-01', ends_on: '2031-05-02' };
let srv, admin, token, organiser;

before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	srv = await startServer({ db });
	admin = await signedIn(srv.url, 'admin@example.org');
	token = await apiToken(admin, 'write');
});
after(() => srv?.stop());

const api = (method, p, body) => bearer(srv.url, token, method, p, body);
const rows = (sql) => jsonRows(srv.db, sql);

// The confirmation page: its question, sentences, and the form that sends
// confirm=yes back to where the first POST went.
function assertConfirmPage(r, action) {
	assert.equal(r.status, 200, r.body.slice(0, 400));
	const main = mainOf(r.body);
	const form = tags(main, 'form').find((f) => f.method === 'post' && f.action === action);
	assert.ok(form, `a form to ${action}: ${main.slice(0, 600)}`);
	assert.ok(tags(main, 'input').some((i) => i.name === 'confirm' && i.value === 'yes'), 'confirm=yes');
	assert.ok(tags(main, 'input').some((i) => i.name === '_csrf' && i.value), 'a CSRF token');
	return textOf(main);
}

async function eventWithRelations(title) {
	const r = await api('POST', '/api/v1/events', { ...DAYS, title, sectors: ['ngo', 'academia'] });
	assert.equal(r.status, 201, r.body);
	const slug = r.json.slug;
	const o = await api('POST', `/api/v1/events/${slug}/organisations`, { organisation: 'fudan-university', role: 'partner' });
	assert.equal(o.status, 201, o.body);
	addAccount(srv.db, { email: `org-${slug}@example.org`, name: 'Organiser', role: 'organiser', event: slug });
	return slug;
}

const eventRows = (slug) => ({
	event: rows(`SELECT id, slug, title, status FROM event WHERE slug = ${q(slug)}`),
	sectors: rows(`SELECT s.sector, s.position FROM event_sector s JOIN event e ON e.id = s.event_id WHERE e.slug = ${q(slug)} ORDER BY s.position`),
	orgs: rows(`SELECT o.slug, eo.role FROM event_organisation eo JOIN event e ON e.id = eo.event_id JOIN organisation o ON o.id = eo.organisation_id WHERE e.slug = ${q(slug)}`),
	grants: rows(`SELECT a.email, r.role FROM account_role r JOIN account a ON a.id = r.account_id JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(slug)}`),
});

describe('deleting asks first, and can be undone', () => {
	test('an event: the POST without confirm changes nothing; confirmed, Undo brings it back with its sectors, organisations and organisers', async () => {
		const slug = await eventWithRelations('Trash Summit');
		const was = eventRows(slug);
		assert.equal(was.sectors.length, 2);
		assert.equal(was.orgs.length, 1);
		assert.equal(was.grants.length, 1);

		await admin.get(`/admin/events/${slug}/edit`);
		const snap = dbSnapshot(srv.db);
		const ask = await admin.post(`/admin/events/${slug}/delete`, {});
		const text = assertConfirmPage(ask, `/admin/events/${slug}/delete`);
		assert.match(text, /Delete “Trash Summit”\?/);
		assert.match(text, /1 account organises it/);
		assert.match(text, /trash/);
		assertDbUnchanged(srv.db, snap, 'a delete without confirm');

		const done = await admin.post(`/admin/events/${slug}/delete`, { confirm: 'yes' });
		assert.equal(done.status, 303, done.body.slice(0, 300));
		const m = /^\/admin\/events\?done=deleted&undo=(\d+)$/.exec(done.headers.location);
		assert.ok(m, done.headers.location);
		assert.deepEqual(eventRows(slug), { event: [], sectors: [], orgs: [], grants: [] });
		assert.equal((await api('GET', `/api/v1/events/${slug}`)).status, 404);

		const list = await admin.get(done.headers.location);
		const notice = mainOf(list.body);
		assert.match(textOf(notice), /Deleted\./);
		const undo = tags(notice, 'form').find((f) => f.action === `/admin/trash/${m[1]}/restore`);
		assert.ok(undo, 'an Undo form in the notice');

		const trash = await admin.get('/admin/trash');
		assert.match(textOf(mainOf(trash.body)), /Trash Summit/);

		const back = await admin.post(`/admin/trash/${m[1]}/restore`, {});
		assert.equal(back.status, 303, back.body.slice(0, 300));
		assert.equal(back.headers.location, `/admin/events/${slug}/edit?done=restored`);
		assert.deepEqual(eventRows(slug), was);
		assert.equal((await api('GET', `/api/v1/events/${slug}`)).status, 200);

		const audit = rows(`SELECT action FROM audit_log WHERE entity = 'event' AND entity_id = ${was.event[0].id} ORDER BY id`).map((r) => r.action);
		assert.deepEqual(audit.slice(-2), ['event.delete', 'event.restore']);
		// Once restored, it is no longer in the trash.
		assert.equal((await admin.post(`/admin/trash/${m[1]}/restore`, {})).status, 404);
	});

	test('a published post through the API: the answer says how to restore it, and its public page comes back with its categories', async () => {
		const cat = await api('POST', '/api/v1/categories', { name: 'Undo Stories' });
		assert.equal(cat.status, 201, cat.body);
		const c = await api('POST', '/api/v1/posts', { title: 'Undone Post', body_md: 'Text.', status: 'published', categories: [cat.json.slug] });
		assert.equal(c.status, 201, c.body);
		const id = c.json.id;
		const url = c.json.url;
		assert.equal((await request(srv.url + url)).status, 200);

		const del = await api('DELETE', `/api/v1/posts/${id}`);
		assert.equal(del.status, 200, del.body);
		assert.equal(del.json.deleted, true);
		assert.equal(del.json.restore, `/api/v1/trash/${del.json.trash_id}/restore`);
		assert.equal((await request(srv.url + url)).status, 404);
		const listed = await api('GET', '/api/v1/trash');
		assert.ok(listed.json.trash.some((t) => t.id === del.json.trash_id && t.entity === 'post' && t.name === 'Undone Post'));

		const res = await api('POST', del.json.restore);
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json.restored, true);
		assert.equal(res.json.location, `/api/v1/posts/${id}`);
		assert.equal((await request(srv.url + url)).status, 200);
		const got = await api('GET', `/api/v1/posts/${id}`);
		assert.deepEqual(got.json.categories.map((x) => x.slug ?? x), [cat.json.slug]);
		const audit = rows(`SELECT action FROM audit_log WHERE entity = 'post' AND entity_id = ${id} ORDER BY id`).map((r) => r.action);
		assert.deepEqual(audit.slice(-2), ['post.delete', 'post.restore']);
	});

	test('a category whose number was given to a new one comes back under a new number', async () => {
		const a = await api('POST', '/api/v1/categories', { name: 'Short Lived' });
		const del = await api('DELETE', `/api/v1/categories/${a.json.id}`);
		assert.equal(del.status, 200, del.body);
		const b = await api('POST', '/api/v1/categories', { name: 'Newcomer' });
		assert.equal(b.status, 201);
		if (!onPg) assert.equal(b.json.id, a.json.id, 'SQLite gives the highest free number again');
		const res = await api('POST', del.json.restore);
		assert.equal(res.status, 200, res.body);
		const names = rows(`SELECT name FROM category WHERE slug IN ('short-lived', 'newcomer') ORDER BY name`).map((r) => r.name);
		assert.deepEqual(names, ['Newcomer', 'Short Lived']);
	});

	test('a restore whose address was taken since is refused, and nothing changes', async () => {
		const s = await api('POST', '/api/v1/series', { title: 'Taken Address' });
		const del = await api('DELETE', `/api/v1/series/${s.json.slug}`);
		assert.equal(del.status, 200, del.body);
		assert.equal((await api('POST', '/api/v1/series', { title: 'Taken Address' })).status, 201);
		const snap = dbSnapshot(srv.db);
		const res = await api('POST', del.json.restore);
		assert.equal(res.status, 409, res.body);
		assertDbUnchanged(srv.db, snap, 'a refused restore');
	});

	test('a participant may neither see the trash nor restore', async () => {
		addAccount(srv.db, { email: 'someone@example.org', name: 'Someone' });
		const p = await signedIn(srv.url, 'someone@example.org');
		assert.equal((await p.get('/admin/trash')).status, 403);
		const o = await api('POST', '/api/v1/organisations', { name: 'Gone Organisation' });
		const del = await api('DELETE', `/api/v1/organisations/${o.json.slug}`);
		const snap = dbSnapshot(srv.db);
		assert.equal((await p.post(`/admin/trash/${del.json.trash_id}/restore`, {})).status, 403);
		assertDbUnchanged(srv.db, snap, 'a participant restoring');
	});
});

describe('every destructive action asks first', () => {
	test('unpublish, remove an organisation or an organiser, revoke a role, a token, end a session: without confirm, a page and nothing changed', async () => {
		const slug = await eventWithRelations('Confirm Summit');
		assert.equal((await api('PATCH', `/api/v1/events/${slug}`, { status: 'published' })).status, 200);
		const s = await api('POST', '/api/v1/series', { title: 'Confirm Series', status: 'published' });
		const grant = rows(`SELECT r.id, r.account_id FROM account_role r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(slug)}`)[0];
		const acct = grant.account_id;
		const tok = rows(`SELECT id FROM api_token WHERE revoked_at IS NULL ORDER BY id DESC`)[0].id;
		addAccount(srv.db, { email: 'two@example.org', name: 'Two', role: 'admin' });
		const other = await signedIn(srv.url, 'two@example.org');
		const me = await signedIn(srv.url, 'two@example.org');
		const sess = rows(`SELECT s.id FROM session s JOIN account a ON a.id = s.account_id WHERE a.email = 'two@example.org' ORDER BY s.id`)[0].id;
		const cases = [
			[admin, `/admin/events/${slug}/unpublish`, /back to draft/],
			[admin, `/admin/series/${s.json.slug}/unpublish`, /back to draft/],
			[admin, `/admin/events/${slug}/organisations/fudan-university/partner/remove`, /Remove this organisation/],
			[admin, `/admin/events/${slug}/organisers/${acct}/revoke`, /Remove this organiser/],
			[admin, `/admin/accounts/${acct}/roles/event:${slug}/revoke`, /Remove this role/],
			[admin, `/account/api-tokens/${tok}/revoke`, /Revoke this API token/],
			[me, `/account/sessions/${sess}/end`, /End this session/],
			[other, '/account/sign-out-everywhere', /Sign out everywhere/],
		];
		for (const [who, p, says] of cases) {
			await who.get('/account');
			const snap = dbSnapshot(srv.db);
			const r = await who.post(p, {});
			assert.match(assertConfirmPage(r, p), says, p);
			assertDbUnchanged(srv.db, snap, `${p} without confirm`);
		}
		// Confirmed, it happens.
		const r = await admin.post(`/admin/events/${slug}/organisations/fudan-university/partner/remove`, { confirm: 'yes' });
		assert.equal(r.status, 303);
		assert.equal(eventRows(slug).orgs.length, 0);
	});

	test('the JSON API is a program that has said what it wants: no confirmation', async () => {
		const s = await api('POST', '/api/v1/series', { title: 'API Delete' });
		const del = await api('DELETE', `/api/v1/series/${s.json.slug}`);
		assert.equal(del.status, 200, del.body);
		assert.equal(rows(`SELECT id FROM series WHERE slug = ${q(s.json.slug)}`).length, 0);
	});
});

describe('notices say what was done, with a link to see it', () => {
	test('publishing a series: the notice links to its public page', async () => {
		const s = await api('POST', '/api/v1/series', { title: 'Noticed Series' });
		await admin.get(`/admin/series/${s.json.slug}/edit`);
		const r = await admin.post(`/admin/series/${s.json.slug}/publish`, {});
		assert.equal(r.status, 303);
		const page = await admin.get(r.headers.location);
		const notice = mainOf(page.body);
		const link = tags(notice, 'a').find((a) => a.href === `/series/${s.json.slug}`);
		assert.ok(link, 'a link to the public page in the notice');
		assert.equal((await request(srv.url + link.href)).status, 200);
	});

	test('publishing a post from the list: "view it" goes to the post; a scheduled one offers Publish now', async () => {
		const c = await api('POST', '/api/v1/posts', { title: 'Noticed Post', body_md: 'Text.' });
		await admin.get('/admin/news');
		const r = await admin.post(`/admin/news/${c.json.id}/publish`, {});
		assert.equal(r.status, 303);
		const page = await admin.get(r.headers.location);
		const alert = page.body.slice(page.body.indexOf('class="alert alert-success notice"'));
		const link = tags(alert.slice(0, alert.indexOf('</div>')), 'a')[0];
		assert.ok(link && link.href.startsWith('/news/'), 'a link to the post');
		assert.equal((await request(srv.url + link.href)).status, 200);

		const later = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
		const sc = await api('POST', '/api/v1/posts', { title: 'Scheduled Post', body_md: 'Text.', published_at: later });
		await admin.get('/admin/news');
		const r2 = await admin.post(`/admin/news/${sc.json.id}/publish`, {});
		const page2 = await admin.get(r2.headers.location);
		assert.match(textOf(mainOf(page2.body)), /Scheduled: it appears on/);
		const now = tags(mainOf(page2.body), 'form').find((f) => f.action === `/admin/news/${sc.json.id}/publish-now`);
		assert.ok(now, 'a Publish now form');
		const r3 = await admin.post(now.action, {});
		assert.equal(r3.status, 303);
		const got = await api('GET', `/api/v1/posts/${sc.json.id}`);
		assert.equal(got.json.state, 'published');
		assert.equal((await request(srv.url + got.json.url)).status, 200);
	});
});
