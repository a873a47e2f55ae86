// status-changes.test.mjs — no change of status puts a draft in public
// view by accident: a draft event is never cancelled (no button for it, the
// form route and the API refuse it with a sentence, nothing changes),
// cancelling a published event asks first on a page of its own (no script
// needed) and says what will happen, and a draft series' title never shows
// beside its published events.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { links, mainOf, tags, textOf } from './lib/html.mjs';
import { getJson, request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot } from './lib/sqlite.mjs';

const REFUSAL = 'A draft cannot be cancelled: it has never been public. Keep it as a draft, or delete it.';
const DAYS = { starts_on: '2031-05-01', ends_on: '2031-05-02' };

let srv, admin, token;

before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	srv = await startServer({ db });
	admin = await signedIn(srv.url, 'admin@example.org');
	token = await apiToken(admin, 'write');
});
after(() => srv?.stop());

async function newEvent(fields) {
	const r = await bearer(srv.url, token, 'POST', '/api/v1/events', { ...DAYS, ...fields });
	assert.equal(r.status, 201, r.body);
	return r.json.slug;
}

// Is the title anywhere a visitor looks: the home page, the events page
// and their JSON twins, the event's own page?
async function publicSees(title, slug) {
	const seen = [];
	for (const p of ['/', '/events']) {
		if ((await request(srv.url + p)).body.includes(title)) seen.push(p);
		if ((await getJson(srv.url + p)).body.includes(title)) seen.push(`${p} (JSON)`);
	}
	if ((await request(srv.url + `/events/${slug}`)).status !== 404) seen.push(`/events/${slug}`);
	return seen;
}

describe('a draft event is never cancelled into public view', () => {
	test('its edit page offers no cancel, and says why', async () => {
		const slug = await newEvent({ title: 'Draft Summit One' });
		const page = await admin.get(`/admin/events/${slug}/edit`);
		assert.equal(page.status, 200);
		const main = mainOf(page.body);
		assert.ok(!tags(main, 'form').some((f) => (f.action ?? '').endsWith('/cancel')), 'no cancel form');
		assert.ok(!links(main).some((a) => (a.href ?? '').endsWith('/cancel')), 'no cancel link');
		assert.match(textOf(main), /A draft is not cancelled: it is not public\./);
	});

	test('the form route refuses it, confirmed or not, and nothing changes', async () => {
		const slug = await newEvent({ title: 'Draft Summit Two' });
		await admin.get(`/admin/events/${slug}/edit`);
		const before = dbSnapshot(srv.db);
		for (const fields of [{}, { confirm: 'yes' }]) {
			const r = await admin.post(`/admin/events/${slug}/cancel`, fields);
			assert.equal(r.status, 409, JSON.stringify(fields));
			assert.ok(textOf(mainOf(r.body)).includes(REFUSAL), r.body.slice(0, 300));
		}
		const page = await admin.get(`/admin/events/${slug}/cancel`);
		assert.equal(page.status, 409);
		assert.ok(textOf(mainOf(page.body)).includes(REFUSAL));
		assertDbUnchanged(srv.db, before, 'cancelling a draft');
		assert.deepEqual(await publicSees('Draft Summit Two', slug), []);
	});

	test('the API refuses it with a 409 that says why, on PATCH, on creation and on the action', async () => {
		const slug = await newEvent({ title: 'Draft Summit Three' });
		const before = dbSnapshot(srv.db);
		const patch = await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { status: 'cancelled' });
		assert.equal(patch.status, 409, patch.body);
		assert.equal(patch.json.errors.status, REFUSAL);
		assert.equal(patch.json.has_errors, true);
		const create = await bearer(srv.url, token, 'POST', '/api/v1/events', { title: 'Born Cancelled', status: 'cancelled', ...DAYS });
		assert.equal(create.status, 409, create.body);
		assert.equal(create.json.errors.status, REFUSAL);
		const action = await bearer(srv.url, token, 'POST', `/admin/events/${slug}/cancel`);
		assert.equal(action.status, 409, action.body);
		assert.equal(action.json.error.message, REFUSAL);
		assertDbUnchanged(srv.db, before, 'cancelling a draft through the API');
		assert.deepEqual(await publicSees('Draft Summit Three', slug), []);
		assert.deepEqual(await publicSees('Born Cancelled', 'born-cancelled'), []);
		// Deleting the draft is what an administrator does with it.
		assert.equal((await bearer(srv.url, token, 'DELETE', `/api/v1/events/${slug}`)).status, 200);
	});

	test('an event published, then taken back to draft, is a draft again: not cancelled either', async () => {
		const slug = await newEvent({ title: 'Withdrawn Summit', status: 'published' });
		assert.equal((await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { status: 'draft' })).status, 200);
		const r = await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { status: 'cancelled' });
		assert.equal(r.status, 409);
		assert.deepEqual(await publicSees('Withdrawn Summit', slug), []);
	});
});

describe('cancelling a published event asks first', () => {
	test('the edit page links to a confirmation page that says what will happen', async () => {
		const slug = await newEvent({ title: 'Public Summit', status: 'published' });
		const edit = await admin.get(`/admin/events/${slug}/edit`);
		assert.ok(links(mainOf(edit.body)).some((a) => a.href === `/admin/events/${slug}/cancel`), 'a link to the confirmation');
		assert.ok(!tags(mainOf(edit.body), 'form').some((f) => (f.action ?? '').endsWith('/cancel')), 'no one-click form');

		const page = await admin.get(`/admin/events/${slug}/cancel`);
		assert.equal(page.status, 200);
		assert.equal(page.headers['cache-control'], 'no-store');
		const main = mainOf(page.body);
		const t = textOf(main);
		assert.match(t, /Cancel the event “Public Summit”\?/);
		assert.match(t, /its public page stays and says that the event is cancelled/);
		const form = tags(main, 'form').find((f) => f.action === `/admin/events/${slug}/cancel`);
		assert.ok(form, 'the form that cancels');
		assert.equal(form.method, 'post');
		assert.ok(tags(main, 'input').some((i) => i.name === '_csrf' && i.value), 'its CSRF token');
		assert.ok(tags(main, 'input').some((i) => i.name === 'confirm' && i.value === 'yes'), 'the confirmation');
		assert.ok(links(main).some((a) => a.href === `/admin/events/${slug}/edit`), 'a way back');

		// Without the confirmation, the POST only asks again.
		const before = dbSnapshot(srv.db);
		const unconfirmed = await admin.post(`/admin/events/${slug}/cancel`, {});
		assert.equal(unconfirmed.status, 200);
		assert.match(textOf(mainOf(unconfirmed.body)), /Cancel the event “Public Summit”\?/);
		assertDbUnchanged(srv.db, before, 'an unconfirmed cancel');

		const done = await admin.post(`/admin/events/${slug}/cancel`, { confirm: 'yes' });
		assert.equal(done.status, 303);
		assert.equal(done.headers.location, `/admin/events/${slug}/edit?done=cancelled`);
		assert.match(textOf((await request(srv.url + `/events/${slug}`)).body), /This event has been cancelled\./);
		// Once cancelled, there is nothing left to confirm.
		const again = await admin.get(`/admin/events/${slug}/cancel`);
		assert.equal(again.status, 303);
	});
});

describe('a draft series stays out of public view', () => {
	test('a published event in a draft series does not name it', async () => {
		const s = await bearer(srv.url, token, 'POST', '/api/v1/series', { title: 'Secret Programme' });
		assert.equal(s.status, 201, s.body);
		const slug = await newEvent({ title: 'Open Meeting', series: s.json.slug, status: 'published' });
		for (const p of ['/', '/events', `/events/${slug}`, '/organisations/unaoc']) {
			const j = await getJson(srv.url + p);
			assert.equal(j.status, 200, p);
			assert.ok(!j.body.includes('Secret Programme') && !j.body.includes(s.json.slug), `${p} names the draft series`);
		}
		assert.ok((await getJson(srv.url + '/events')).body.includes('Open Meeting'));
	});
});
