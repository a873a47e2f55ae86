// error-summary.test.mjs — a form that comes back with errors starts with
// a summary (the GOV.UK pattern: role="alert", tabindex="-1", marked for
// site.js to focus) that lists each field's error as a link to the field
// (href="#f-<name>", an id the page has); the limits of text fields are
// said beside them ("At most 200 characters."), from the fields'
// descriptors. The focus itself is tests/browser/forms.test.mjs's.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, signedIn } from './lib/accounts.mjs';
import { mainOf, tags, textOf } from './lib/html.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

let srv, admin;

before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	srv = await startServer({ db });
	admin = await signedIn(srv.url, 'admin@example.org');
});
after(() => srv?.stop());

// The summary of a page: its element's attributes and its links.
function summaryOf(html) {
	const main = mainOf(html);
	const at = main.indexOf('data-error-summary');
	assert.ok(at >= 0, `an error summary: ${textOf(main).slice(0, 300)}`);
	const open = main.lastIndexOf('<div', at);
	const box = main.slice(open, main.indexOf('</div>', at));
	const div = tags(box, 'div')[0];
	return { div, links: tags(box, 'a'), text: textOf(box) };
}

// Every link of the summary points at an element of the page.
function assertLinksResolve(html, expected) {
	const { div, links, text } = summaryOf(html);
	assert.equal(div.role, 'alert');
	assert.equal(div.tabindex, '-1');
	const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
	for (const a of links) {
		assert.match(a.href, /^#f-[a-z_]+$/);
		assert.ok(ids.has(a.href.slice(1)), `${a.href} is an element of the page`);
	}
	for (const field of expected) assert.ok(links.some((a) => a.href === `#f-${field}`), `${field} in ${text}`);
	return links;
}

describe('the error summary links each error to its field', () => {
	const cases = [
		['a new event', '/admin/events/new', '/admin/events', { title: '', starts_on: 'soon' }, ['title', 'starts_on']],
		['a new series', '/admin/series/new', '/admin/series', { title: '' }, ['title']],
		['a new organisation', '/admin/organisations/new', '/admin/organisations', { name: '' }, ['name']],
		['a new post', '/admin/news/new', '/admin/news', { title: '', published_at: 'later' }, ['title']],
		['a new category', '/admin/categories/new', '/admin/categories', { name: '' }, ['name']],
		['a new account', '/admin/accounts', '/admin/accounts', { email: 'not an address', name: '' }, ['email', 'name']],
		['a new API token', '/account', '/account/api-tokens', { label: '' }, ['label']],
		['one\'s profile', '/account/profile', '/account/profile', { name: '' }, ['name']],
	];
	for (const [what, page, action, fields, expected] of cases) {
		test(what, async () => {
			await admin.get(page);
			const r = await admin.post(action, fields);
			assert.ok(r.status === 400 || r.status === 409, `${r.status} ${r.body.slice(0, 300)}`);
			assertLinksResolve(r.body, expected);
		});
	}

	test('the summary names the field: "Title: …"', async () => {
		await admin.get('/admin/series/new');
		const r = await admin.post('/admin/series', { title: '' });
		assert.match(summaryOf(r.body).text, /Title: /);
	});

	test('the JSON answer carries the summary too', async () => {
		await admin.get('/account');
		const r = await admin.api('POST', '/api/v1/series', { title: '' });
		assert.equal(r.status, 400);
		assert.ok(Array.isArray(r.json.summary), r.body);
		assert.deepEqual(r.json.summary.map((s) => s.href), ['#f-title']);
	});
});

describe('limits are said beside the fields', () => {
	for (const [page, field, n] of [
		['/admin/events/new', 'title', 200],
		['/admin/series/new', 'title', 200],
		['/admin/organisations/new', 'name', 200],
		['/admin/news/new', 'title', 200],
	]) {
		test(`${page}: ${field}`, async () => {
			const r = await admin.get(page);
			assert.equal(r.status, 200);
			const p = new RegExp(`<p class="field-hint field-limit" id="f-${field}-limit">At most ${n} characters\\.</p>`);
			assert.match(r.body, p);
			const control = tags(mainOf(r.body), 'input').find((i) => i.id === `f-${field}`);
			assert.ok(control, `#f-${field}`);
			assert.ok(control['aria-describedby'].split(' ').includes(`f-${field}-limit`), control['aria-describedby']);
			assert.equal(control.maxlength, String(n));
		});
	}

	test('a date has no limit said', async () => {
		const r = await admin.get('/admin/events/new');
		assert.doesNotMatch(r.body, /id="f-starts_on-limit"/);
	});
});
