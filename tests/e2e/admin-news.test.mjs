// admin-news.test.mjs — the news administration end to end: /admin/news,
// /admin/categories, /api/v1/posts, /api/v1/categories, /api/v1/media and
// /media/{name}, for each role (visitor, participant, organiser of the
// event, organiser of another event, admin): allowed and denied, HTML and
// JSON, CSRF, forms that keep what was typed, hostile text escaped,
// scheduled posts hidden, uploads checked by their bytes, audit entries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { tags, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { ROOT, startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, q, sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012'; // post 1 is about it
const AK = 'asia-pacific-auckland-2007';
const SEEDS = path.join(ROOT, 'tests/fuzz/corpus/image');
const seed = (name) => readFileSync(path.join(SEEDS, name));
const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>"'&`;

let srv;
const who = {}; // visitor, participant, orgSh, orgAk, admin: Client
const tokens = {}; // admin, adminRead, orgSh, participant

// A form body with repeated names allowed: pairs [[name, value]…].
function urlencoded(pairs) {
	const f = new URLSearchParams();
	for (const [k, v] of pairs) f.append(k, v);
	return f.toString();
}

function multipart(parts) {
	const boundary = `----harmony${Math.random().toString(16).slice(2)}`;
	const chunks = [];
	for (const p of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
		if (p.filename) head += `; filename="${p.filename}"`;
		head += '\r\n';
		if (p.type) head += `Content-Type: ${p.type}\r\n`;
		chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.value) ? p.value : Buffer.from(String(p.value)), Buffer.from('\r\n'));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

// Posts pairs as a browser form, with the client's CSRF token unless told.
function postForm(client, url, pairs, { csrf = true, json = false } = {}) {
	const all = csrf ? [['_csrf', client.csrf], ...pairs] : pairs;
	return client.req('POST', url, {
		body: urlencoded(all),
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		json,
	});
}

function postMultipart(client, url, parts, { csrf = true, json = false } = {}) {
	const all = csrf ? [{ name: '_csrf', value: client.csrf }, ...parts] : parts;
	const { body, type } = multipart(all);
	return client.req('POST', url, { body, headers: { 'Content-Type': type }, json });
}

// Reads a page first so the client's CSRF token is that of the session.
async function fresh(client, url = '/admin/news') {
	await client.get(url);
	return client;
}

const postCount = () => Number(sqlite(srv.db, 'SELECT count(*) FROM post;').trim());
const audit = (action) =>
	sqlite(srv.db, `SELECT actor || '|' || coalesce(before_json, '') || '|' || coalesce(after_json, '') FROM audit_log WHERE action = ${q(action)} ORDER BY id;`)
		.trim()
		.split('\n')
		.filter(Boolean);

// Creates a post through the API as the admin; returns its JSON.
async function apiPost(fields) {
	const r = await bearer(srv.url, tokens.admin, 'POST', '/api/v1/posts', fields);
	assert.equal(r.status, 201, r.body);
	return r.json;
}

before(async () => {
	srv = await startServer();
	addAccount(srv.db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	addAccount(srv.db, { email: 'sh@example.org', name: 'Shanghai organiser', role: 'organiser', event: SH });
	addAccount(srv.db, { email: 'ak@example.org', name: 'Auckland organiser', role: 'organiser', event: AK });
	addAccount(srv.db, { email: 'p@example.org', name: 'Participant' });
	who.visitor = new Client(srv.url);
	[who.participant, who.orgSh, who.orgAk, who.admin] = await Promise.all([
		signedIn(srv.url, 'p@example.org'),
		signedIn(srv.url, 'sh@example.org'),
		signedIn(srv.url, 'ak@example.org'),
		signedIn(srv.url, 'admin@example.org'),
	]);
	tokens.admin = await apiToken(who.admin, 'write');
	tokens.adminRead = await apiToken(who.admin, 'read');
	tokens.orgSh = await apiToken(who.orgSh, 'write');
	tokens.participant = await apiToken(who.participant, 'write');
});

after(async () => {
	await srv?.stop();
});

describe('who may open the pages', () => {
	// [role, path, status] — 303 is the sign-in redirect.
	const table = [
		['visitor', '/admin/news', 303],
		['visitor', '/admin/news/new', 303],
		['visitor', '/admin/news/1', 303],
		['visitor', '/admin/categories', 303],
		['visitor', '/admin/categories/1', 303],
		['participant', '/admin/news', 403],
		['participant', '/admin/news/new', 403],
		['participant', '/admin/news/1', 403],
		['participant', '/admin/categories', 403],
		['orgAk', '/admin/news/1', 403],
		['orgAk', '/admin/categories', 403],
		['orgSh', '/admin/categories', 403],
		['orgSh', '/admin/categories/new', 403],
		['orgSh', '/admin/news/999', 404],
		['orgSh', '/admin/news/x', 404],
		['orgSh', '/admin/news', 200],
		['orgSh', '/admin/news/new', 200],
		['orgSh', '/admin/news/1', 200],
		['orgAk', '/admin/news', 200],
		['admin', '/admin/news', 200],
		['admin', '/admin/news/new', 200],
		['admin', '/admin/news/1', 200],
		['admin', '/admin/categories', 200],
		['admin', '/admin/categories/new', 200],
		['admin', '/admin/categories/1', 200],
	];
	for (const [role, url, status] of table) {
		test(`${role} GET ${url} → ${status}`, async () => {
			const r = await who[role].get(url);
			assert.equal(r.status, status, `${role} ${url}: ${r.body.slice(0, 200)}`);
			if (status === 303) assert.equal(r.headers.location, `/sign-in?next=${encodeURIComponent(url)}`);
			if (status === 200) {
				assert.equal(r.headers['cache-control'], 'no-store', `${url} must not be cached`);
				assert.match(r.headers['content-type'], /text\/html/);
			}
		});
	}

	test('an edit page answers at …/edit too, as every kind\'s does, with the same rights', async () => {
		for (const [role, plain, status] of [['orgSh', '/admin/news/1', 200], ['admin', '/admin/categories/1', 200],
			['orgAk', '/admin/news/1', 403], ['orgSh', '/admin/categories/1', 403], ['orgSh', '/admin/news/999', 404]]) {
			const a = await who[role].getJson(plain);
			const b = await who[role].getJson(`${plain}/edit`);
			assert.equal(b.status, status, `${role} ${plain}/edit`);
			assert.equal(a.status, b.status, `${role}: both addresses answer alike`);
			if (status === 200) assert.deepEqual(b.json, a.json, `${role} ${plain}: the same page`);
		}
	});

	test('JSON twins answer 401 to a visitor and 403 to a participant', async () => {
		for (const url of ['/admin/news', '/admin/news/1', '/admin/categories']) {
			assert.equal((await who.visitor.getJson(url)).status, 401, url);
			assert.equal((await who.participant.getJson(url)).status, 403, url);
		}
	});

	test('the list shows each organiser the posts of their events only', async () => {
		const sh = await who.orgSh.getJson('/admin/news');
		assert.equal(sh.status, 200);
		assert.ok(sh.json.posts.some((p) => p.id === 1), 'Shanghai organiser sees post 1');
		assert.equal(sh.json.can_manage_categories, false);
		const ak = await who.orgAk.getJson('/admin/news');
		assert.ok(!ak.json.posts.some((p) => p.id === 1), 'Auckland organiser does not');
		const admin = await who.admin.getJson('/admin/news');
		assert.ok(admin.json.posts.some((p) => p.id === 1));
		assert.equal(admin.json.can_manage_categories, true);
	});

	test('an organiser chooses among their events; only admins may post site news', async () => {
		const sh = await who.orgSh.get('/admin/news/new');
		const options = tags(sh.body, 'option').map((o) => o.value);
		assert.deepEqual(options, [SH]);
		const admin = await who.admin.get('/admin/news/new');
		const all = tags(admin.body, 'option').map((o) => o.value);
		assert.ok(all.includes('') && all.includes(SH) && all.includes(AK), all.join());
	});
});

describe('writing posts through the forms', () => {
	test('an organiser writes a draft for their event; it stays private until published', async () => {
		const c = await fresh(who.orgSh, '/admin/news/new');
		const r = await postForm(c, '/admin/news', [
			['title', 'Programme announced'],
			['summary', 'The sessions are known.'],
			['body_md', 'Read **all** about it.'],
			['event_slug', SH],
			['categories', 'featured'],
			['categories', 'unaoc-event'],
			['status', 'draft'],
		]);
		assert.equal(r.status, 303, r.body.slice(0, 500));
		const m = /^\/admin\/news\/(\d+)\/edit\?done=created$/.exec(r.headers.location);
		assert.ok(m, r.headers.location);
		const id = Number(m[1]);
		const page = await c.get(r.headers.location);
		assert.match(textOf(page.body), /The post is saved\./);
		assert.match(page.body, /badge-draft/);
		const checked = tags(page.body, 'input').filter((i) => i.name === 'categories' && 'checked' in i).map((i) => i.value);
		assert.deepEqual(checked.sort(), ['featured', 'unaoc-event']);

		// Invisible to the public, in HTML and JSON.
		assert.doesNotMatch((await request(`${srv.url}/news`)).body, /Programme announced/);
		assert.equal((await bearer(srv.url, tokens.participant, 'GET', `/api/v1/posts/${id}`)).status, 404);
		assert.equal((await request(`${srv.url}/api/v1/posts/${id}`)).status, 404);
		const list = await request(`${srv.url}/api/v1/posts`);
		assert.ok(!JSON.parse(list.body).posts.some((p) => p.id === id));
		// Visible to who may edit it.
		assert.equal((await bearer(srv.url, tokens.orgSh, 'GET', `/api/v1/posts/${id}`)).json.state, 'draft');
		// Not to the organiser of another event.
		assert.equal((await who.orgAk.get(`/admin/news/${id}`)).status, 403);

		// Publish from the list.
		await c.get('/admin/news');
		const pub = await postForm(c, `/admin/news/${id}/publish`, []);
		assert.equal(pub.status, 303);
		const post = (await bearer(srv.url, tokens.admin, 'GET', `/api/v1/posts/${id}`)).json;
		assert.equal(post.state, 'published');
		assert.match(post.url, /^\/news\/\d{4}\/\d{2}\/\d{2}\/programme-announced$/);
		const pub2 = await request(srv.url + post.url);
		assert.equal(pub2.status, 200);
		assert.match(textOf(pub2.body), /Read all about it\./);
		assert.equal((await request(`${srv.url}/api/v1/posts/${id}`)).status, 200);

		// Unpublish: gone from the public site, kept for the editors.
		await c.get('/admin/news');
		assert.equal((await postForm(c, `/admin/news/${id}/unpublish`, [['confirm', 'yes']])).status, 303);
		assert.equal((await request(srv.url + post.url + '?after-unpublish')).status, 404);
		assert.equal((await bearer(srv.url, tokens.orgSh, 'GET', `/api/v1/posts/${id}`)).json.published_at, post.published_at,
			'the date is kept for a later publication');

		const created = audit('post.create').filter((a) => a.includes('Programme announced'));
		assert.equal(created.length, 1);
		assert.match(created[0], /^sh@example\.org\|\|\{/);
		const published = audit('post.publish').filter((a) => a.includes('Programme announced'));
		assert.equal(published.length, 1);
		assert.match(published[0], /"status":"draft".*\|.*"status":"published"/);
		assert.equal(audit('post.unpublish').filter((a) => a.includes('Programme announced')).length, 1);
	});

	test('an organiser may not write site news nor news of another event', async () => {
		const c = await fresh(who.orgSh, '/admin/news/new');
		const n = postCount();
		for (const ev of ['', AK]) {
			const r = await postForm(c, '/admin/news', [['title', 'Not mine'], ['event_slug', ev]]);
			assert.equal(r.status, 403, `event "${ev}"`);
		}
		// Nor move a post of theirs to another event.
		const r = await postForm(c, '/admin/news/1', [['title', 'Moved'], ['event_slug', AK]]);
		assert.equal(r.status, 403);
		assert.equal(postCount(), n);
		assert.equal((await bearer(srv.url, tokens.admin, 'GET', '/api/v1/posts/1')).json.event_slug, SH);
	});

	test('a participant cannot reach the organiser actions by URL', async () => {
		const c = await fresh(who.participant, '/account');
		const snap = dbSnapshot(srv.db);
		for (const url of ['/admin/news', '/admin/news/1', '/admin/news/1/publish', '/admin/news/1/unpublish', '/admin/news/1/delete',
			'/admin/categories', '/admin/categories/1', '/admin/categories/1/delete']) {
			const r = await postForm(c, url, [['title', 'x'], ['name', 'x']]);
			assert.equal(r.status, 403, url);
		}
		const v = await postForm(who.visitor, '/admin/news/1/delete', [], { csrf: false });
		assert.equal(v.status, 401, `visitor: ${v.status}`);
		assert.equal((await bearer(srv.url, tokens.admin, 'GET', '/api/v1/posts/1')).status, 200, 'post 1 still there');
		assertDbUnchanged(srv.db, snap, "a participant's and a visitor's posts to the news forms");
	});

	test('without the CSRF field every change is refused', async () => {
		const n = postCount();
		const snap = dbSnapshot(srv.db);
		const cases = [
			['/admin/news', [['title', 'No token']]],
			['/admin/news/1', [['title', 'No token']]],
			['/admin/news/1/unpublish', []],
			['/admin/news/1/delete', []],
			['/admin/categories', [['name', 'No token']]],
			['/admin/categories/1', [['name', 'No token']]],
			['/admin/categories/1/delete', []],
		];
		for (const [url, pairs] of cases) {
			const r = await postForm(who.admin, url, pairs, { csrf: false });
			assert.equal(r.status, 403, url);
			const w = await postForm(who.admin, url, [['_csrf', 'forged-token'], ...pairs], { csrf: false });
			assert.equal(w.status, 403, `${url} with a wrong token`);
		}
		// The JSON API with a session needs the X-CSRF-Token header.
		const api = await who.admin.api('POST', '/api/v1/posts', { title: 'No token' }, { csrf: false });
		assert.equal(api.status, 403);
		const up = await postMultipart(who.admin, '/api/v1/media', [{ name: 'file', filename: 'a.png', type: 'image/png', value: seed('red-blue.png') }], { csrf: false });
		assert.equal(up.status, 403);
		assert.equal(postCount(), n);
		assertDbUnchanged(srv.db, snap, 'news and category forms without a CSRF token');
		assert.equal((await bearer(srv.url, tokens.admin, 'GET', '/api/v1/posts/1')).json.state, 'published');
	});

	test('a refused form keeps what was typed and says what is wrong beside each field', async () => {
		const c = await fresh(who.admin, '/admin/news/new');
		const n = postCount();
		const r = await postForm(c, '/admin/news', [
			['title', ''],
			['slug', 'Not A Slug'],
			['summary', 'Kept summary'],
			['body_md', 'Kept *body*'],
			['image_credit', 'Kept credit'],
			['event_slug', AK],
			['categories', 'featured'],
			['published_at', 'next tuesday'],
		]);
		assert.equal(r.status, 400);
		assert.equal(postCount(), n);
		const text = textOf(r.body);
		assert.match(text, /Please correct the fields marked below\./);
		assert.match(text, /This field is required\./);
		assert.match(text, /Use lower-case letters, digits and single hyphens only\./);
		assert.match(text, /Enter a date and time as YYYY-MM-DDTHH:MM\./);
		const inputs = Object.fromEntries(tags(r.body, 'input').filter((i) => i.name && i.type !== 'checkbox' && i.type !== 'radio').map((i) => [i.name, i]));
		assert.equal(inputs.slug.value, 'Not A Slug');
		assert.equal(inputs.slug['aria-invalid'], 'true');
		assert.equal(inputs.title['aria-invalid'], 'true');
		assert.equal(inputs.image_credit.value, 'Kept credit');
		assert.equal(inputs.published_at.value, 'next tuesday');
		assert.match(r.body, /<textarea[^>]*name="summary"[^>]*>\s*Kept summary<\/textarea>/);
		assert.match(r.body, /<textarea[^>]*name="body_md"[^>]*>\s*Kept \*body\*<\/textarea>/);
		assert.ok(tags(r.body, 'option').some((o) => o.value === AK && 'selected' in o), 'event kept');
		assert.ok(tags(r.body, 'input').some((i) => i.value === 'featured' && 'checked' in i), 'category kept');

		// The domain's refusals come back the same way.
		const d = await postForm(c, '/admin/news', [['title', 'Valid'], ['slug', 'harmony-through-diversity-and-dialogue'], ['categories', 'no-such-category']]);
		assert.equal(d.status, 409);
		assert.match(textOf(d.body), /Another post already has this address\./);
		assert.match(textOf(d.body), /There is no such category\./);
		assert.equal(postCount(), n);
	});

	test('the preview shows the rendered text under the form and saves nothing', async () => {
		const c = await fresh(who.admin, '/admin/news/new');
		const n = postCount();
		const r = await postForm(c, '/admin/news', [
			['title', 'Preview me'],
			['body_md', '## Heading\n\nSome **strong** words and <b>raw html</b>.'],
			['preview', '1'],
		]);
		assert.equal(r.status, 200);
		assert.equal(postCount(), n);
		const pane = r.body.slice(r.body.indexOf('preview-pane'));
		assert.match(pane, /<h2>Heading<\/h2>/);
		assert.match(pane, /<strong>strong<\/strong>/);
		assert.doesNotMatch(pane, /<b>raw html<\/b>/, 'raw HTML is dropped');
		assert.ok(tags(r.body, 'input').some((i) => i.name === 'title' && i.value === 'Preview me'));
		assert.match(r.headers['cache-control'], /no-store/);
	});

	test('hostile text in every field comes back escaped, and intact in JSON', async () => {
		const c = await fresh(who.admin, '/admin/news/new');
		const r = await postMultipart(c, '/admin/news', [
			{ name: 'title', value: `T ${XSS}` },
			{ name: 'summary', value: `S ${XSS}` },
			{ name: 'body_md', value: `B ${XSS}\n\n[click](javascript:alert(1))` },
			{ name: 'image_alt', value: `A ${XSS}` },
			{ name: 'image_credit', value: `C ${XSS}` },
			{ name: 'status', value: 'published' },
			{ name: 'image_file', filename: 'x.png', type: 'image/png', value: seed('red-blue.png') },
		]);
		assert.equal(r.status, 303, r.body.slice(0, 400));
		const id = Number(/\/admin\/news\/(\d+)/.exec(r.headers.location)[1]);
		const post = (await bearer(srv.url, tokens.admin, 'GET', `/api/v1/posts/${id}`)).json;
		assert.equal(post.title, `T ${XSS}`);
		assert.equal(post.image_alt, `A ${XSS}`);
		const pages = [
			['admin list', (await c.get('/admin/news')).body],
			['edit form', (await c.get(`/admin/news/${id}`)).body],
			['public post', (await request(srv.url + post.url)).body],
			['news list', (await request(`${srv.url}/news`)).body],
			['home', (await request(`${srv.url}/`)).body],
		];
		for (const [name, html] of pages) {
			assert.doesNotMatch(html, /<script>alert/, name);
			assert.doesNotMatch(html, /<img src=x/, name);
			assert.doesNotMatch(html, /href="javascript:/i, name);
		}
		assert.match(pages[2][1], /alt="A &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
		assert.match(pages[2][1], /C &lt;script&gt;/);
	});

	test('a new post gets a unique address made from its title', async () => {
		const c = await fresh(who.admin, '/admin/news/new');
		const ids = [];
		for (let i = 0; i < 3; i++) {
			const r = await postForm(c, '/admin/news', [['title', 'Café Über: 上海']]);
			assert.equal(r.status, 303);
			ids.push(Number(/\/admin\/news\/(\d+)/.exec(r.headers.location)[1]));
		}
		const slugs = [];
		for (const id of ids) slugs.push((await bearer(srv.url, tokens.admin, 'GET', `/api/v1/posts/${id}`)).json.slug);
		assert.equal(slugs[0], 'cafe-uber-shang-hai');
		assert.deepEqual(slugs.slice(1), ['cafe-uber-shang-hai-2', 'cafe-uber-shang-hai-3']);
	});

	test('a post published for later is scheduled: listed for editors, hidden from the public', async () => {
		sqlite(srv.db, "INSERT INTO site_setting (key, value) VALUES ('timezone', 'Asia/Shanghai') ON CONFLICT (key) DO UPDATE SET value = excluded.value;");
		try {
			const c = await fresh(who.orgSh, '/admin/news/new');
			const r = await postForm(c, '/admin/news', [
				['title', 'Future announcement'],
				['event_slug', SH],
				['status', 'published'],
				['published_at', '2099-01-01T08:00'],
			]);
			assert.equal(r.status, 303, r.body.slice(0, 300));
			const id = Number(/\/admin\/news\/(\d+)/.exec(r.headers.location)[1]);
			const post = (await bearer(srv.url, tokens.orgSh, 'GET', `/api/v1/posts/${id}`)).json;
			assert.equal(post.state, 'scheduled');
			assert.equal(post.published_at, '2099-01-01T00:00:00Z', '08:00 in Shanghai is midnight UTC');
			const edit = await c.get(`/admin/news/${id}`);
			assert.equal(tags(edit.body, 'input').find((i) => i.name === 'published_at').value, '2099-01-01T08:00');
			assert.match(textOf(edit.body), /Asia\/Shanghai/);
			const list = await c.get('/admin/news');
			assert.match(list.body, /badge-scheduled/);
			assert.equal((await request(`${srv.url}/news/2099/01/01/future-announcement`)).status, 404);
			assert.doesNotMatch((await request(`${srv.url}/news.atom`)).body, /Future announcement/);
			assert.equal((await request(`${srv.url}/api/v1/posts/${id}`)).status, 404);
			const scheduled = await bearer(srv.url, tokens.orgSh, 'GET', '/api/v1/posts?state=scheduled');
			assert.ok(scheduled.json.posts.every((p) => p.state === 'scheduled'));
			assert.ok(scheduled.json.posts.some((p) => p.id === id));
		} finally {
			sqlite(srv.db, "DELETE FROM site_setting WHERE key = 'timezone';");
		}
	});

	test('deleting a post removes it and records who did it', async () => {
		const p = await apiPost({ title: 'To be deleted', status: 'published' });
		const c = await fresh(who.admin, `/admin/news/${p.id}`);
		const r = await postForm(c, `/admin/news/${p.id}/delete`, [['confirm', 'yes']]);
		assert.equal(r.status, 303);
		assert.match(r.headers.location, /^\/admin\/news\?done=deleted&undo=\d+$/);
		assert.match(textOf((await c.get(r.headers.location)).body), /Deleted\./);
		assert.equal((await bearer(srv.url, tokens.admin, 'GET', `/api/v1/posts/${p.id}`)).status, 404);
		assert.equal((await request(srv.url + p.url)).status, 404);
		const rows = audit('post.delete').filter((a) => a.includes('To be deleted'));
		assert.equal(rows.length, 1);
		assert.match(rows[0], /^admin@example\.org\|\{.*"title":"To be deleted".*\}\|$/);
	});
});

describe('images', () => {
	let stored;

	test('an uploaded photo is stored under its SHA-256 and shown with its alt text', async () => {
		const c = await fresh(who.orgSh, '/admin/news/new');
		const r = await postMultipart(c, '/admin/news', [
			{ name: 'title', value: 'With a photo' },
			{ name: 'event_slug', value: SH },
			{ name: 'status', value: 'published' },
			{ name: 'image_alt', value: 'Red and blue' },
			{ name: 'image_credit', value: '© UNAOC' },
			{ name: 'image_file', filename: 'holiday.PNG', type: 'application/octet-stream', value: seed('red-blue-exif6.jpg') },
		]);
		assert.equal(r.status, 303, r.body.slice(0, 400));
		const id = Number(/\/admin\/news\/(\d+)/.exec(r.headers.location)[1]);
		stored = (await bearer(srv.url, tokens.admin, 'GET', `/api/v1/posts/${id}`)).json;
		assert.match(stored.image, /^[0-9a-f]{64}\.jpg$/, 'named by content, typed by bytes (not .PNG)');
		assert.equal(stored.image_url, `/media/${stored.image}`);
		assert.equal(stored.thumb_url, `/media/${stored.image.slice(0, 64)}-w640.webp`);
		const page = await request(srv.url + stored.url);
		const img = tags(page.body, 'img').find((i) => i.src === stored.image_url);
		assert.ok(img, 'the post shows its image');
		assert.equal(img.alt, 'Red and blue');
		assert.match(textOf(page.body), /© UNAOC/);
		assert.equal(audit('media.upload').filter((a) => a.includes(stored.image)).length, 1);
	});

	test('a photo credit shows only with its photo', async () => {
		const p = await apiPost({ title: 'A credit and no photo', status: 'published', image_credit: '© Nobody Here' });
		const page = await request(srv.url + p.url);
		assert.equal(page.status, 200);
		assert.doesNotMatch(textOf(page.body), /Nobody Here|Photo/, 'no credit without its photo');
		// With the photo, the credit is its caption.
		const r = await bearer(srv.url, tokens.admin, 'PATCH', `/api/v1/posts/${p.id}`, { image: stored.image, image_alt: 'x' });
		assert.equal(r.status, 200, r.body.slice(0, 300));
		const shown = await request(srv.url + p.url);
		assert.match(shown.body, /<figcaption>Photo © Nobody Here<\/figcaption>/);
	});

	test('each row of the list shows its own image and links, never its neighbour\'s', async () => {
		// First in the list (the newest draft without a date), with an image.
		await apiPost({ title: 'Draft with an image', image: stored.image, image_alt: 'x' });
		const html = (await who.admin.get('/admin/news')).body;
		const posts = (await who.admin.getJson('/admin/news')).json.posts;
		assert.equal(posts[0].title, 'Draft with an image');
		assert.ok(posts.some((p) => !p.thumb_url), 'rows without an image too');
		const rows = html.split('<tr>').slice(2); // after the head row
		assert.equal(rows.length, posts.length);
		posts.forEach((p, i) => {
			const thumbs = tags(rows[i], 'img').map((t) => t.src);
			assert.deepEqual(thumbs, p.thumb_url ? [p.thumb_url] : [], `row ${i} (${p.title})`);
			const view = tags(rows[i], 'a').filter((a) => a.href?.startsWith('/news/')).map((a) => a.href);
			assert.deepEqual(view, p.url ? [p.url] : [], `row ${i} (${p.title}) view link`);
		});
	});

	test('stored files are served with their type, nosniff and a year of immutable caching', async () => {
		const orig = await request(srv.url + stored.image_url);
		assert.equal(orig.status, 200);
		assert.equal(orig.headers['content-type'], 'image/jpeg');
		assert.equal(orig.headers['x-content-type-options'], 'nosniff');
		assert.equal(orig.headers['cache-control'], 'public, max-age=31536000, immutable');
		// the upload without its metadata (libgd's comment), still turned
		// by its orientation, and named by the hash of what is served
		const sent = seed('red-blue-exif6.jpg');
		assert.ok(sent.includes('CREATOR') && !orig.bytes.includes('CREATOR'), 'the comment is gone');
		assert.ok(orig.bytes.length < sent.length);
		assert.ok(orig.bytes.includes(Buffer.from([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6])), 'orientation 6 kept');
		assert.equal(createHash('sha256').update(orig.bytes).digest('hex'), stored.image.slice(0, 64));
		const thumb = await request(srv.url + stored.thumb_url);
		assert.equal(thumb.status, 200);
		assert.equal(thumb.headers['content-type'], 'image/webp');
		assert.equal(thumb.bytes.subarray(0, 4).toString(), 'RIFF');
		assert.equal((await request(srv.url + stored.image_url, { method: 'HEAD' })).status, 200);
	});

	test('names that are not stored files are 404', async () => {
		const hex = stored.image.slice(0, 64);
		for (const name of [`${hex}.png`, `${hex}.JPG`, `${hex}.jpg.html`, '..%2F..%2Fh.db', `..%2F${hex}.jpg`, 'h.db', `.${hex}.jpg`, `${'0'.repeat(64)}.jpg`]) {
			const r = await request(`${srv.url}/media/${name}`);
			assert.equal(r.status, 404, name);
		}
	});

	test('uploads are judged by their bytes: other files are refused beside the field', async () => {
		const c = await fresh(who.admin, '/admin/news/new');
		const n = postCount();
		const cases = [
			['page.jpg', 'image/jpeg', Buffer.from('<html><script>alert(1)</script></html>'), /Only JPEG, PNG and WebP images are accepted\./],
			['anim.gif', 'image/gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), /Only JPEG, PNG and WebP images are accepted\./],
			['cut.jpg', 'image/jpeg', seed('red-blue.jpg').subarray(0, 400), /damaged or incomplete/],
			['vector.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), /Only JPEG, PNG and WebP/],
		];
		for (const [filename, type, value, message] of cases) {
			const r = await postMultipart(c, '/admin/news', [
				{ name: 'title', value: `Upload ${filename}` },
				{ name: 'image_alt', value: 'alt' },
				{ name: 'image_file', filename, type, value },
			]);
			assert.equal(r.status, 400, filename);
			assert.match(textOf(r.body), message, filename);
			const input = tags(r.body, 'input').find((i) => i.name === 'image_file');
			assert.equal(input['aria-invalid'], 'true', filename);
			assert.ok(tags(r.body, 'input').some((i) => i.name === 'title' && i.value === `Upload ${filename}`));
		}
		assert.equal(postCount(), n);
	});

	test('an image needs a description, and the upload is kept while the form is corrected', async () => {
		const c = await fresh(who.admin, '/admin/news/new');
		const r = await postMultipart(c, '/admin/news', [
			{ name: 'title', value: 'Alt missing' },
			{ name: 'image_file', filename: 'a.webp', type: 'image/webp', value: seed('red-blue.webp') },
		]);
		assert.equal(r.status, 400);
		assert.match(textOf(r.body), /Describe the image for people who cannot see it\./);
		const hidden = tags(r.body, 'input').find((i) => i.name === 'image');
		assert.match(hidden.value, /^[0-9a-f]{64}\.webp$/);
		const again = await postForm(c, '/admin/news', [['title', 'Alt missing'], ['image', hidden.value], ['image_alt', 'Now described']]);
		assert.equal(again.status, 303);
		// A made-up name is refused.
		const fake = await postForm(c, '/admin/news', [['title', 'Fake'], ['image', `${'a'.repeat(64)}.jpg`], ['image_alt', 'x']]);
		assert.equal(fake.status, 400);
		assert.match(textOf(fake.body), /There is no such uploaded image\./);
	});

	test('POST /api/v1/media takes one image; rights follow the event named', async () => {
		const { body, type } = multipart([{ name: 'file', filename: 'x.png', type: 'image/png', value: seed('alpha.png') }]);
		const up = (token, extra = []) => {
			const mp = extra.length ? multipart([...extra, { name: 'file', filename: 'x.png', type: 'image/png', value: seed('alpha.png') }]) : { body, type };
			return request(`${srv.url}/api/v1/media`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': mp.type }, body: mp.body });
		};
		const first = await up(tokens.admin);
		assert.equal(first.status, 201, first.body);
		const j = JSON.parse(first.body);
		assert.match(j.name, /^[0-9a-f]{64}\.png$/);
		assert.equal(j.content_type, 'image/png');
		assert.equal(j.width, 16);
		assert.equal(j.existed, false);
		assert.equal(JSON.parse((await up(tokens.admin)).body).existed, true);
		assert.equal((await up(tokens.adminRead)).status, 403, 'read-only token');
		assert.equal((await up(tokens.participant)).status, 403, 'participant');
		assert.equal((await up(tokens.orgSh)).status, 403, 'organiser: site scope');
		assert.equal((await up(tokens.orgSh, [{ name: 'event_slug', value: SH }])).status, 200, 'organiser: own event');
		assert.equal((await up(tokens.orgSh, [{ name: 'event_slug', value: AK }])).status, 403, 'organiser: other event');
		const none = await request(`${srv.url}/api/v1/media`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json' }, body: '{}' });
		assert.equal(none.status, 400);
		const visitor = await request(`${srv.url}/api/v1/media`, { method: 'POST', headers: { 'Content-Type': type }, body });
		assert.equal(visitor.status, 401);
	});
});

describe('categories', () => {
	test('an admin creates, renames and deletes a category; one in use is kept', async () => {
		const c = await fresh(who.admin, '/admin/categories/new');
		const r = await postForm(c, '/admin/categories', [['name', `Press ${XSS}`]]);
		assert.equal(r.status, 303);
		const cats = (await bearer(srv.url, tokens.admin, 'GET', '/api/v1/categories')).json.categories;
		const made = cats.find((x) => x.name === `Press ${XSS}`);
		assert.ok(made);
		assert.equal(made.posts, 0);
		const list = await c.get('/admin/categories');
		assert.doesNotMatch(list.body, /<script>alert/);
		assert.match(list.body, /Press &lt;script&gt;/);

		// Taken slug: the form says so and keeps the name.
		await c.get(`/admin/categories/${made.id}`);
		const taken = await postForm(c, `/admin/categories/${made.id}`, [['name', 'Renamed'], ['slug', 'featured']]);
		assert.equal(taken.status, 409);
		assert.match(textOf(taken.body), /Another category already has this address\./);
		assert.ok(tags(taken.body, 'input').some((i) => i.name === 'name' && i.value === 'Renamed'));
		const ok = await postForm(c, `/admin/categories/${made.id}`, [['name', 'Press releases'], ['slug', 'press']]);
		assert.equal(ok.status, 303);
		assert.equal((await request(`${srv.url}/news/category/press`)).status, 200);

		// In use: refused.
		await c.get('/admin/categories');
		const used = await postForm(c, '/admin/categories/1/delete', []);
		assert.equal(used.status, 303);
		assert.equal(used.headers.location, '/admin/categories?in_use=1');
		assert.match(textOf((await c.get(used.headers.location)).body), /Posts use this category\./);
		assert.equal((await bearer(srv.url, tokens.admin, 'DELETE', '/api/v1/categories/1')).status, 409);
		assert.equal((await request(`${srv.url}/news/category/featured`)).status, 200);

		// Unused: deleted.
		await c.get('/admin/categories');
		assert.equal((await postForm(c, `/admin/categories/${made.id}/delete`, [['confirm', 'yes']])).status, 303);
		assert.equal((await request(`${srv.url}/news/category/press`)).status, 404);
		assert.equal(audit('category.create').length, 1);
		assert.equal(audit('category.update').length, 1);
		assert.equal(audit('category.delete').length, 1);
	});

	test('organisers and participants may not manage categories', async () => {
		const snap = dbSnapshot(srv.db);
		for (const t of [tokens.orgSh, tokens.participant, tokens.adminRead]) {
			assert.equal((await bearer(srv.url, t, 'POST', '/api/v1/categories', { name: 'Nope' })).status, 403);
			assert.equal((await bearer(srv.url, t, 'PATCH', '/api/v1/categories/2', { name: 'Nope' })).status, 403);
			assert.equal((await bearer(srv.url, t, 'DELETE', '/api/v1/categories/2')).status, 403);
		}
		const v = await request(`${srv.url}/api/v1/categories`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
		assert.equal(v.status, 401);
		assertDbUnchanged(srv.db, snap, 'category writes refused');
	});

	test('the public category list counts published posts only', async () => {
		const before = JSON.parse((await request(`${srv.url}/api/v1/categories`)).body).categories;
		await apiPost({ title: 'Draft in a category', categories: ['unaoc-event'] });
		const pub = JSON.parse((await request(`${srv.url}/api/v1/categories`)).body).categories;
		assert.deepEqual(pub, before, 'a draft changes no public count');
		assert.ok(pub.every((x) => !('id' in x)), 'no admin fields for the public');
		const admin = (await bearer(srv.url, tokens.admin, 'GET', '/api/v1/categories')).json.categories;
		const all = admin.find((x) => x.slug === 'unaoc-event').posts;
		const shown = pub.find((x) => x.slug === 'unaoc-event').posts;
		assert.ok(all > shown, `admin count ${all}`);
		// The same for one category.
		const one = JSON.parse((await request(`${srv.url}/api/v1/categories/2`)).body);
		assert.equal(one.posts, shown);
		assert.equal((await bearer(srv.url, tokens.admin, 'GET', '/api/v1/categories/2')).json.posts, all);
		assert.equal((await request(`${srv.url}/api/v1/categories/999`)).status, 404);
	});
});

describe('the JSON API', () => {
	test('create, read, patch, publish and delete with a write token', async () => {
		const p = await apiPost({ title: 'API post', summary: 'One', body_md: 'Text', event_slug: SH, categories: ['featured'], is_featured: true });
		assert.equal(p.state, 'draft');
		assert.equal(p.is_featured, true);
		assert.deepEqual(p.categories.map((c) => c.slug), ['featured']);
		// PATCH changes what it names only.
		const r = await bearer(srv.url, tokens.admin, 'PATCH', `/api/v1/posts/${p.id}`, { summary: 'Two' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.summary, 'Two');
		assert.equal(r.json.title, 'API post');
		assert.equal(r.json.body_md, 'Text');
		assert.equal(r.json.event_slug, SH);
		assert.equal(r.json.is_featured, true);
		assert.deepEqual(r.json.categories.map((c) => c.slug), ['featured']);
		const cleared = await bearer(srv.url, tokens.admin, 'PATCH', `/api/v1/posts/${p.id}`, { categories: [], event_slug: null });
		assert.deepEqual(cleared.json.categories, []);
		assert.equal(cleared.json.event_slug, null);
		const pub = await bearer(srv.url, tokens.admin, 'POST', `/api/v1/posts/${p.id}/publish`);
		assert.equal(pub.json.state, 'published');
		assert.equal((await request(`${srv.url}/api/v1/posts/${p.id}`)).status, 200);
		assert.equal((await bearer(srv.url, tokens.admin, 'DELETE', `/api/v1/posts/${p.id}`)).status, 200);
		assert.equal((await bearer(srv.url, tokens.admin, 'DELETE', `/api/v1/posts/${p.id}`)).status, 404);
	});

	test('refusals: 400 with field errors, 409 for a taken slug, 403, 401, 404', async () => {
		const snap = dbSnapshot(srv.db);
		const bad = await bearer(srv.url, tokens.admin, 'POST', '/api/v1/posts', { title: '', slug: 'Bad' });
		assert.equal(bad.status, 400);
		assert.equal(bad.json.errors.title, 'This field is required.');
		assert.ok(bad.json.errors.slug);
		const notList = await bearer(srv.url, tokens.admin, 'POST', '/api/v1/posts', { title: 'x', categories: 'featured' });
		assert.equal(notList.status, 400);
		const taken = await bearer(srv.url, tokens.admin, 'POST', '/api/v1/posts', { title: 'x', slug: 'harmony-through-diversity-and-dialogue' });
		assert.equal(taken.status, 409);
		assert.equal(taken.json.errors.slug, 'Another post already has this address.');
		const alt = await bearer(srv.url, tokens.admin, 'POST', '/api/v1/posts', { title: 'x', image: stored64('jpg') });
		assert.equal(alt.status, 400);
		assert.ok(alt.json.errors.image);
		assert.ok(alt.json.errors.image_alt);
		assert.equal((await bearer(srv.url, tokens.adminRead, 'POST', '/api/v1/posts', { title: 'x' })).status, 403);
		assert.equal((await bearer(srv.url, tokens.participant, 'POST', '/api/v1/posts', { title: 'x' })).status, 403);
		assert.equal((await bearer(srv.url, tokens.orgSh, 'POST', '/api/v1/posts', { title: 'x' })).status, 403, 'site news');
		assert.equal((await bearer(srv.url, tokens.orgSh, 'POST', '/api/v1/posts', { title: 'x', event_slug: AK })).status, 403);
		assert.equal((await bearer(srv.url, tokens.orgSh, 'POST', '/api/v1/posts', { title: 'x', event_slug: 'no-such-event' })).status, 400);
		const anon = await request(`${srv.url}/api/v1/posts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title":"x"}' });
		assert.equal(anon.status, 401);
		assert.equal((await bearer(srv.url, tokens.admin, 'PATCH', '/api/v1/posts/99999', { title: 'x' })).status, 404);
		assert.equal((await bearer(srv.url, tokens.admin, 'POST', '/api/v1/posts/99999/publish')).status, 404);
		assert.equal((await bearer(srv.url, tokens.admin, 'GET', '/api/v1/posts?state=nonsense')).status, 400);
		const form = await request(`${srv.url}/api/v1/posts/1`, { method: 'PATCH', headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'title=x' });
		assert.equal(form.status, 400, 'PATCH takes JSON');
		assertDbUnchanged(srv.db, snap, 'refused post writes');
	});

	test('the session client uses the API with the X-CSRF-Token header', async () => {
		const c = await fresh(who.orgSh, '/account');
		const r = await c.api('POST', '/api/v1/posts', { title: 'From the browser', event_slug: SH });
		assert.equal(r.status, 201, r.body);
		assert.match(r.headers.location, /^\/api\/v1\/posts\/\d+$/);
		assert.equal(r.headers['cache-control'], 'no-store');
	});
});

function stored64(ext) {
	return `${'b'.repeat(64)}.${ext}`;
}
