// escaping.test.mjs — hostile text in the data comes back inert in HTML
// (escaped, in text and in attributes) and intact in JSON and Atom. The web
// interface cannot enter data yet, so the payloads go into a copy of the
// demo database with the sqlite3 command before the server starts.
import { DOMParser } from '@xmldom/xmldom';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { attrs, links, textOf, withoutSiteScript } from './lib/html.mjs';
import { get, getJson } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { q, sqlite } from './lib/sqlite.mjs';

const EVENT = '/events/asia-south-pacific-shanghai-2012';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';
const ORG = '/organisations/fudan-university';

const X = {
	eventTitle: '<script>alert(1)</script>',
	theme: `"'><img src=x onerror=alert(2)>`,
	city: 'Shang&hai <b>',
	orgName: 'Fudan" onmouseover="alert(3)',
	acronym: "F'U<",
	postTitle: '</title><script>alert(4)</script> & “quotes”',
	summary: '<iframe src="javascript:alert(5)"></iframe>',
	category: '<svg onload=alert(6)>',
	siteName: 'Site <script>alert(7)</script>',
	credit: '© <u>Photographer</u>',
	contactName: '<a href="javascript:alert(8)">Bas</a>',
	seriesTitle: "Series ' onfocus='alert(10)",
};
// Raw HTML and a javascript: link in Markdown: cmark's safe mode drops both.
const BODY_MD = 'Hello <script>alert(11)</script> **bold** <img src=x onerror=alert(12)> [click](javascript:alert(13)) [ok](https://example.org/)';

let srv, dir;
const cache = new Map();
const html = async (path) => {
	if (!cache.has(path)) {
		const r = await get(srv.url + path);
		assert.equal(r.status, 200, `${path}: status`);
		cache.set(path, r.body);
	}
	return cache.get(path);
};

before(async () => {
	dir = tempDir();
	const db = makeDemo(`${dir}/h.db`);
	sqlite(db, `
UPDATE event SET title = ${q(X.eventTitle)}, theme = ${q(X.theme)}, city = ${q(X.city)},
  contact_name = ${q(X.contactName)} WHERE id = 2;
UPDATE organisation SET name = ${q(X.orgName)}, acronym = ${q(X.acronym)}, url = 'javascript:alert(9)' WHERE id = 3;
UPDATE post SET title = ${q(X.postTitle)}, summary = ${q(X.summary)}, body_md = ${q(BODY_MD)},
  image = '${'a'.repeat(64)}.jpg', image_alt = 'A photo', image_credit = ${q(X.credit)} WHERE id = 1;
UPDATE category SET name = ${q(X.category)} WHERE id = 1;
UPDATE site_setting SET value = ${q(X.siteName)} WHERE key = 'site_name';
UPDATE series SET title = ${q(X.seriesTitle)} WHERE id = 1;
`);
	srv = await startServer({ db });
});
after(async () => {
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// The tags a page may contain, and that no tag has an event handler or a
// javascript: URL. Escaped text has no '<', so every match is a real tag.
const ALLOWED = new Set(['html', 'head', 'meta', 'title', 'link', 'body', 'a', 'header', 'div', 'img', 'span', 'nav',
	'ul', 'ol', 'li', 'main', 'section', 'h1', 'h2', 'h3', 'p', 'time', 'footer', 'article', 'aside', 'dl', 'dt', 'dd',
	'abbr', 'strong', 'em', 'br', 'code', 'pre', 'blockquote', 'hr', 'figure', 'figcaption',
	// the header's search box (a GET form to /search) and its icon
	'form', 'label', 'input', 'button', 'svg', 'circle', 'path', 'bdi']);
function assertInert(page, where) {
	const body = withoutSiteScript(page);
	for (const m of body.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)) {
		const name = m[1].toLowerCase();
		assert.ok(ALLOWED.has(name), `${where}: unexpected <${name}> tag: ${m[0].slice(0, 120)}`);
		const a = attrs(name + ' ' + m[2]);
		for (const [k, v] of Object.entries(a)) {
			assert.ok(!k.startsWith('on'), `${where}: event handler attribute ${k} in ${m[0].slice(0, 120)}`);
			if (['href', 'src', 'action'].includes(k))
				assert.doesNotMatch(v.trim(), /^(javascript|data|vbscript):/i, `${where}: ${k}="${v}"`);
		}
	}
}

const PAGES = ['/', '/events', EVENT, '/series/regional-consultations', '/news', POST, '/news/category/featured', ORG];

describe('HTML', () => {
	for (const path of PAGES) test(`html_has_no_live_payload ${path}`, async () => assertInert(await html(path), path));

	test('html_event_title_escaped_in_text_and_title', async () => {
		const body = await html(EVENT);
		assert.ok(body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped in the page');
		assert.ok(textOf(body).includes(X.eventTitle), 'a reader sees the text as typed');
		assert.match(body, /<title>&lt;script&gt;alert\(1\)&lt;\/script&gt; · Site &lt;script&gt;/, '<title>');
	});
	test('html_event_theme_city_contact_escaped', async () => {
		const t = textOf(await html(EVENT));
		for (const s of [X.theme, X.city, X.contactName]) assert.ok(t.includes(s), `shows ${JSON.stringify(s)}`);
		assert.ok(!links(await html(EVENT)).some((a) => a.text === 'Bas'), 'contact name is not a link');
	});
	test('html_organisation_name_escaped_in_attribute_free_text', async () => {
		const body = await html(ORG);
		assert.ok(body.includes('Fudan&quot; onmouseover=&quot;alert(3)'), 'quotes escaped');
		assert.ok(textOf(body).includes(X.orgName));
		assert.ok(textOf(body).includes(X.acronym));
		const ev = await html(EVENT);
		assert.ok(textOf(ev).includes(X.orgName), 'on the event page too');
	});
	test('html_organisation_javascript_url_is_not_linked', async () => {
		// A web site link must be http(s), whatever the database holds.
		for (const path of [ORG, EVENT])
			assert.deepEqual(links(await html(path)).filter((a) => !/^(https?:|mailto:|\/|#)/i.test(a.href ?? '/')).map((a) => a.href), [], path);
	});
	test('html_post_title_and_summary_escaped', async () => {
		for (const path of ['/', '/news', POST, '/news/category/featured']) {
			const body = await html(path);
			assert.ok(textOf(body).includes(X.postTitle), `${path}: title as typed`);
		}
		assert.ok(textOf(await html('/')).includes(X.summary), 'summary as typed');
		assert.ok(textOf(await html(POST)).includes(X.credit), 'credit as typed');
	});
	test('html_post_markdown_drops_raw_html_and_javascript_links', async () => {
		const body = withoutSiteScript(await html(POST));
		assert.ok(body.includes('<strong>bold</strong>'), 'Markdown still renders');
		assert.doesNotMatch(body, /<script|<img[^>]*onerror/i, 'raw HTML dropped');
		assert.ok(!links(body).some((a) => /^javascript:/i.test(a.href ?? '')), 'javascript: link dropped');
		assert.ok(links(body).some((a) => a.href === 'https://example.org/' && a.text === 'ok'), 'safe link kept');
	});
	test('html_category_and_site_name_escaped', async () => {
		const body = await html(POST);
		assert.ok(links(body).some((a) => a.rel === 'tag' && a.text === X.category), 'category name as typed');
		assert.ok(textOf(body).includes(X.siteName), 'site name as typed');
		assert.ok(textOf(await html('/series/regional-consultations')).includes(X.seriesTitle));
	});
	test('html_share_link_encodes_the_title', async () => {
		const share = links(await html(POST)).find((a) => a.href?.startsWith('https://twitter.com/intent/tweet?'));
		assert.ok(share);
		assert.equal(new URL(share.href).searchParams.get('text'), X.postTitle);
	});
});

describe('JSON and Atom', () => {
	test('json_event_intact', async () => {
		const { json } = await getJson(srv.url + EVENT);
		assert.equal(json.title, X.eventTitle);
		assert.equal(json.theme, X.theme);
		assert.equal(json.city, X.city);
		assert.equal(json.contact_name, X.contactName);
		const org = json.organisations.find((o) => o.slug === 'fudan-university');
		assert.equal(org.name, X.orgName);
		assert.equal(org.acronym, X.acronym);
	});
	test('json_post_intact', async () => {
		const { json } = await getJson(srv.url + POST);
		assert.equal(json.title, X.postTitle);
		assert.equal(json.summary, X.summary);
		assert.equal(json.body_md, BODY_MD);
		assert.equal(json.image_credit, X.credit);
		assert.equal(json.categories[0].name, X.category);
		assert.doesNotMatch(json.body_html, /<script|onerror|javascript:/i, 'body_html is safe HTML');
	});
	test('json_organisation_intact', async () => {
		const { json } = await getJson(srv.url + ORG);
		assert.equal(json.name, X.orgName);
	});
	test('atom_payloads_are_text', async () => {
		const r = await get(srv.url + '/news.atom');
		const errors = [];
		const doc = new DOMParser({ onError: (l, m) => errors.push(m) }).parseFromString(r.body, 'application/xml');
		assert.deepEqual(errors, [], 'still well-formed XML');
		const entry = doc.getElementsByTagName('entry')[0];
		assert.equal(entry.getElementsByTagName('title')[0].textContent, X.postTitle);
		assert.equal(entry.getElementsByTagName('summary')[0].textContent, X.summary);
		assert.equal(doc.getElementsByTagName('category')[0].getAttribute('label'), X.category);
		assert.equal(doc.documentElement.getElementsByTagName('name')[0].textContent, X.siteName);
		assert.doesNotMatch(entry.getElementsByTagName('content')[0].textContent, /<script|onerror|javascript:/i);
	});
});
