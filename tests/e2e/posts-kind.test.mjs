// posts-kind.test.mjs — posts through the generic kind handlers
// (src/site/kind.c) and what struct kind learnt for them: a kind whose
// status buttons are on its list (status_to) goes back to the list, asks
// with the list as the way back, and answers a JSON status change with the
// thing; a scheduled post is published now (publish_at, kind_publish_now);
// a form's preview (k->preview) shows the form again, reads it whole and
// saves nothing. All as the demo organiser, on posts of their event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { mainOf, tags, textOf } from './lib/html.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot } from './lib/sqlite.mjs';

// The demo's organiser: posts of the Shanghai event are theirs to publish.
const SH = 'asia-south-pacific-shanghai-2012';
let srv, organiser, token;

before(async () => {
	srv = await startServer();
	const { email, password } = srv.organiser;
	organiser = await signedIn(srv.url, email, password);
	token = await apiToken(organiser, 'write', 'posts-kind', password);
});
after(() => srv?.stop());

const api = (method, p, body) => bearer(srv.url, token, method, p, body);

async function newPost(fields) {
	const r = await api('POST', '/api/v1/posts', { body_md: 'Text.', event_slug: SH, ...fields });
	assert.equal(r.status, 201, r.body);
	return r.json;
}

describe('posts through the kind', () => {
	test('taking a post back to draft asks first, with the news list as the way back', async () => {
		const p = await newPost({ title: 'Asked Post', status: 'published' });
		await organiser.get('/admin/news');
		const snap = dbSnapshot(srv.db);
		const ask = await organiser.post(`/admin/news/${p.id}/unpublish`, {});
		assert.equal(ask.status, 200, ask.body.slice(0, 300));
		const main = mainOf(ask.body);
		assert.ok(tags(main, 'form').some((f) => f.action === `/admin/news/${p.id}/unpublish`), 'the same form again');
		assert.ok(tags(main, 'a').some((a) => a.href === '/admin/news'), 'No goes back to the list');
		assertDbUnchanged(srv.db, snap, 'asking');
		const done = await organiser.post(`/admin/news/${p.id}/unpublish`, { confirm: 'yes' });
		assert.equal(done.status, 303);
		assert.equal(done.headers.location, `/admin/news?done=unpublished&post=${p.id}`);
		assert.equal((await api('GET', `/api/v1/posts/${p.id}`)).json.state, 'draft');
	});

	test('the API answers publish, publish-now and unpublish with the post', async () => {
		const later = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
		const p = await newPost({ title: 'Answered Post', published_at: later });
		const pub = await api('POST', `/api/v1/posts/${p.id}/publish`);
		assert.equal(pub.status, 200);
		assert.equal(pub.json.id, p.id);
		assert.equal(pub.json.state, 'scheduled');
		assert.equal(pub.json.published_at, later, 'its time kept');
		const now = await api('POST', `/api/v1/posts/${p.id}/publish-now`);
		assert.equal(now.status, 200);
		assert.equal(now.json.state, 'published');
		assert.match(now.json.published_at, /:00Z$/, 'to the minute');
		assert.ok(Date.parse(now.json.published_at) <= Date.now());
		assert.match(now.json.url, /^\/news\/\d{4}\/\d\d\/\d\d\/answered-post$/);
		const un = await api('POST', `/api/v1/posts/${p.id}/unpublish`);
		assert.equal(un.status, 200);
		assert.equal(un.json.state, 'draft');
		assert.equal(un.json.title, 'Answered Post');
	});

	test('Publish now from the list goes back to it with the notice of a publication', async () => {
		const later = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
		const p = await newPost({ title: 'Listed Post', status: 'published', published_at: later });
		await organiser.get('/admin/news');
		const r = await organiser.post(`/admin/news/${p.id}/publish-now`, {});
		assert.equal(r.status, 303);
		assert.equal(r.headers.location, `/admin/news?done=published&post=${p.id}`);
		assert.match(textOf(mainOf((await organiser.get(r.headers.location)).body)), /Published: everyone can see it now\./);
	});

	test("an edited post's preview shows what was sent, reads the whole form and saves nothing", async () => {
		const p = await newPost({ title: 'Stored Title' });
		await organiser.get(`/admin/news/${p.id}/edit`);
		const snap = dbSnapshot(srv.db);
		const r = await organiser.post(`/admin/news/${p.id}`, { title: 'Previewed Title', body_md: 'Some **new** words.', status: 'draft', preview: '1' });
		assert.equal(r.status, 200, r.body.slice(0, 300));
		const pane = r.body.slice(r.body.indexOf('preview-pane'));
		assert.match(pane, /Previewed Title/);
		assert.match(pane, /<strong>new<\/strong>/);
		assert.ok(tags(r.body, 'input').some((i) => i.name === 'title' && i.value === 'Previewed Title'));
		// A preview is of the whole form: a title not sent is missing.
		const bad = await organiser.post(`/admin/news/${p.id}`, { body_md: 'Words.', preview: '1' });
		assert.equal(bad.status, 400);
		assert.ok(tags(bad.body, 'input').some((i) => i.name === 'title' && i['aria-invalid'] === 'true'));
		assertDbUnchanged(srv.db, snap, 'a preview');
		assert.equal((await api('GET', `/api/v1/posts/${p.id}`)).json.title, 'Stored Title');
	});
});
