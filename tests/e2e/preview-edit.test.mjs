// preview-edit.test.mjs — an organiser sees a draft event's or series'
// page before it is public (a preview only those who may edit it open,
// marked and never cached or indexed), and a signed-in organiser reading
// a public page they may edit finds an "Edit" link on it; nobody else
// does, and visitors' shared pages never carry one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, addAccount } from './lib/accounts.mjs';
import { get } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const AUCKLAND = 'asia-pacific-auckland-2007';
let srv, organiser, other, admin;
before(async () => {
	srv = await startServer();
	addAccount(srv.db, { email: 'pe-admin@example.org', name: 'Preview admin', role: 'admin' });
	addAccount(srv.db, { email: 'pe-auckland@example.org', name: 'Auckland organiser', role: 'organiser', event: AUCKLAND });
	organiser = await new Client(srv.url).signIn(srv.organiser.email, srv.organiser.password);
	other = await new Client(srv.url).signIn('pe-auckland@example.org');
	admin = await new Client(srv.url).signIn('pe-admin@example.org');
});
after(async () => {
	await srv?.stop();
});

const editLink = (html) => /<p class="edit-link"><a class="button button-secondary" href="([^"]*)">/.exec(html)?.[1] ?? null;

describe('an Edit link on public pages', () => {
	test('for whoever may edit the thing, and only for them', async () => {
		assert.equal(editLink((await get(`${srv.url}/events/${SH}`)).body), null, 'a visitor');
		assert.equal(editLink((await organiser.get(`/events/${SH}`)).body), `/admin/events/${SH}/edit`);
		assert.equal(editLink((await other.get(`/events/${SH}`)).body), null, 'an organiser of another event');
		assert.equal(editLink((await other.get(`/events/${AUCKLAND}`)).body), `/admin/events/${AUCKLAND}/edit`);
		assert.equal(editLink((await admin.get('/series/regional-consultations')).body), '/admin/series/regional-consultations/edit');
		assert.equal(editLink((await organiser.get('/series/regional-consultations')).body), null, 'the series is not theirs');
		assert.equal(editLink((await admin.get('/organisations/unaoc')).body), '/admin/organisations/unaoc/edit');
		assert.equal(editLink((await admin.get('/news/2012/11/12/harmony-through-diversity-and-dialogue')).body), '/admin/news/1/edit');
		// The visitor's page after all that still carries none: signed-in
		// answers never went into the shared cache.
		const v = await get(`${srv.url}/events/${SH}`);
		assert.equal(editLink(v.body), null);
		const signedIn = await organiser.get(`/events/${SH}`);
		assert.match(signedIn.headers['cache-control'] ?? '', /no-store/);
	});
});

describe('a preview of a draft', () => {
	test('an event: its organisers see it, marked, before the public does', async () => {
		const made = await admin.api('POST', '/api/v1/events', {
			title: 'Regional Consultations for the Caribbean', series: 'regional-consultations',
			starts_on: '2031-03-03', ends_on: '2031-03-04', city: 'Bridgetown', country: 'BB',
			summary: 'Two days in Bridgetown.',
		});
		assert.equal(made.status, 201, made.body);
		const slug = made.json.slug;
		assert.equal((await get(`${srv.url}/events/${slug}`)).status, 404, 'not public');
		const r = await admin.get(`/admin/events/${slug}/preview`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<h1 lang="en" dir="auto">Regional Consultations for the Caribbean<\/h1>/);
		assert.match(r.body, /<div class="alert alert-warning" role="status"><p>Preview: this is how the page will look\. It is not public yet\.<\/p><\/div>/);
		assert.match(r.body, /<meta name="robots" content="noindex">/);
		assert.match(r.headers['cache-control'] ?? '', /no-store/);
		assert.match(r.body, /Bridgetown/);
		const edit = await admin.get(`/admin/events/${slug}/edit`);
		assert.match(edit.body, new RegExp(`href="/admin/events/${slug}/preview"`), 'the edit page links it');
		// Nobody else: a visitor or another organiser finds nothing (as
		// the draft's edit page, it is not said to exist).
		const v = await get(`${srv.url}/admin/events/${slug}/preview`);
		assert.equal(v.status, 404);
		assert.doesNotMatch(v.body, /Caribbean/);
		assert.ok([403, 404].includes((await other.get(`/admin/events/${slug}/preview`)).status));
		// Published, the public page has no preview mark.
		assert.equal((await admin.api('POST', `/admin/events/${slug}/publish`)).status < 400, true);
		const pub = await get(`${srv.url}/events/${slug}`);
		assert.equal(pub.status, 200);
		assert.doesNotMatch(pub.body, /Preview: this is how/);
		assert.doesNotMatch(pub.body, /noindex/);
	});

	test('a series', async () => {
		const made = await admin.api('POST', '/api/v1/series', { title: 'Youth Dialogues', summary: 'Young people in the region.' });
		assert.equal(made.status, 201, made.body);
		assert.equal((await get(`${srv.url}/series/${made.json.slug}`)).status, 404);
		const r = await admin.get(`/admin/series/${made.json.slug}/preview`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<h1 lang="en" dir="auto">Youth Dialogues<\/h1>/);
		assert.match(r.body, /Preview: this is how the page will look/);
		assert.equal((await organiser.get(`/admin/series/${made.json.slug}/preview`)).status >= 400, true);
	});
});
