// feed.test.mjs — the Atom feed (/news.atom) parsed as XML and checked
// against RFC 4287 by assertion (no RelaxNG schema is available offline):
// feed id/title/updated/author/link rel=self, each entry's id/title/
// updated/link, RFC 3339 dates, newest first, and links that resolve.
import { DOMParser } from '@xmldom/xmldom';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { get, getJson } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';
import { eventually } from './lib/backend.mjs';

const ATOM = 'http://www.w3.org/2005/Atom';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';
// RFC 3339 date-time (section 5.6), as Atom requires (RFC 4287 §3.3).
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

let srv, res, doc, feed, dir;

// Besides the demo post: an older and a newer post, a draft and a post
// scheduled for the future (neither of which may appear).
const EXTRA = `
INSERT INTO post (id, slug, title, summary, body_md, status, published_at, created_at, updated_at) VALUES
 (10, 'older-news', 'Older news', 'Old.', 'An *older* item.', 'published', '2010-01-05T09:00:00Z', '2010-01-05T09:00:00Z', '2010-01-05T09:00:00Z'),
 (11, 'newer-news', 'Newer news & notes', 'New.', 'A newer item.', 'published', '2013-03-01T10:30:00Z', '2013-03-01T10:30:00Z', '2013-03-02T08:00:00Z'),
 (12, 'a-draft', 'A draft', '', 'Not yet.', 'draft', '2011-01-01T00:00:00Z', '2011-01-01T00:00:00Z', '2011-01-01T00:00:00Z'),
 (13, 'scheduled', 'Scheduled', '', 'Later.', 'published', '2999-01-01T00:00:00Z', '2011-01-01T00:00:00Z', '2011-01-01T00:00:00Z');
INSERT INTO post_category (post_id, category_id) VALUES (11, 2);
`;
const PUBLISHED = ['/news/2013/03/01/newer-news', POST, '/news/2010/01/05/older-news'];

// Direct Atom children of el with this local name.
const kids = (el, name) =>
	Array.from(el.childNodes).filter((n) => n.nodeType === 1 && n.namespaceURI === ATOM && n.localName === name);
const one = (el, name, where) => {
	const k = kids(el, name);
	assert.equal(k.length, 1, `${where}: exactly one atom:${name} (found ${k.length})`);
	return k[0];
};
const text = (el) => el.textContent.trim();

before(async () => {
	dir = tempDir();
	const db = makeDemo(`${dir}/h.db`);
	sqlite(db, EXTRA);
	srv = await startServer({ db });
	res = await get(srv.url + '/news.atom');
	const errors = [];
	doc = new DOMParser({ onError: (level, msg) => errors.push(`${level}: ${msg}`) })
		.parseFromString(res.body, 'application/xml');
	assert.deepEqual(errors, [], 'the feed is well-formed XML');
	feed = doc.documentElement;
});
after(async () => {
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

test('feed_is_served_as_atom', () => {
	assert.equal(res.status, 200);
	assert.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
	assert.match(res.body, /^<\?xml version="1\.0" encoding="utf-8"\?>/);
	assert.ok(res.headers.etag, 'an ETag');
});

test('feed_root_is_atom_feed', () => {
	assert.equal(feed.localName, 'feed');
	assert.equal(feed.namespaceURI, ATOM);
});

test('feed_has_id_title_updated_author', () => {
	const id = text(one(feed, 'id', 'feed'));
	assert.doesNotThrow(() => new URL(id), `feed id "${id}" is an IRI`);
	assert.equal(text(one(feed, 'title', 'feed')), 'United Nations Alliance of Civilizations · News');
	const updated = text(one(feed, 'updated', 'feed'));
	assert.match(updated, RFC3339, `feed updated "${updated}"`);
	// atom:author is required on the feed unless every entry has one.
	const authors = kids(feed, 'author');
	assert.ok(authors.length >= 1, 'feed author');
	assert.ok(text(one(authors[0], 'name', 'feed author')), 'author name');
});

test('feed_links_self_and_alternate', () => {
	const ls = kids(feed, 'link').map((l) => ({ rel: l.getAttribute('rel') || 'alternate', type: l.getAttribute('type'), href: l.getAttribute('href') }));
	const self = ls.filter((l) => l.rel === 'self');
	assert.equal(self.length, 1, 'one rel=self');
	assert.equal(self[0].href, srv.url + '/news.atom');
	assert.equal(self[0].type, 'application/atom+xml');
	const alt = ls.filter((l) => l.rel === 'alternate');
	// RFC 4287 §4.1.1: at most one alternate per type and hreflang.
	assert.equal(alt.length, 1, 'one rel=alternate');
	assert.equal(alt[0].href, srv.url + '/news');
});

test('feed_entries_are_complete', () => {
	const entries = kids(feed, 'entry');
	assert.deepEqual(entries.map((e) => text(one(e, 'id', 'entry'))), PUBLISHED.map((p) => srv.url + p),
		'the published posts, newest first, without the draft and the scheduled post');
	const ids = new Set();
	for (const [i, e] of entries.entries()) {
		const where = `entry ${i}`;
		const id = text(one(e, 'id', where));
		assert.doesNotThrow(() => new URL(id), `${where}: id "${id}" is an IRI`);
		assert.ok(!ids.has(id), `${where}: id is unique`);
		ids.add(id);
		assert.ok(text(one(e, 'title', where)), `${where}: title`);
		assert.match(text(one(e, 'updated', where)), RFC3339, `${where}: updated`);
		for (const p of kids(e, 'published')) assert.match(text(p), RFC3339, `${where}: published`);
		const alt = kids(e, 'link').filter((l) => (l.getAttribute('rel') || 'alternate') === 'alternate');
		assert.equal(alt.length, 1, `${where}: one alternate link`);
		// An entry without content needs an alternate link; with content of
		// type html, a summary is optional. Either way both are well placed:
		const content = kids(e, 'content');
		assert.ok(content.length <= 1, `${where}: at most one content`);
		if (content.length) assert.ok(['text', 'html', 'xhtml', null, ''].includes(content[0].getAttribute('type')), `${where}: content type`);
	}
});

test('feed_entry_matches_the_post', () => {
	const e = kids(feed, 'entry').find((x) => text(one(x, 'id', 'entry')) === srv.url + POST);
	assert.equal(text(one(e, 'title', 'entry')), 'Harmony Through Diversity and Dialogue');
	assert.equal(text(one(e, 'id', 'entry')), srv.url + POST);
	assert.equal(text(one(e, 'published', 'entry')), '2012-11-12T12:00:00Z');
	const updated = text(one(e, 'updated', 'entry'));
	assert.ok(Date.parse(updated) >= Date.parse('2012-11-12T12:00:00Z'), 'updated is not before published');
	assert.deepEqual(kids(e, 'category').map((c) => [c.getAttribute('term'), c.getAttribute('label')]),
		[['featured', 'Featured'], ['unaoc-event', 'UNAOC Event']]);
	const content = one(e, 'content', 'entry');
	assert.equal(content.getAttribute('type'), 'html');
	// type="html": the element's text is the escaped HTML of the body.
	assert.ok(content.textContent.includes('<strong>Shanghai Consultations</strong>'), 'content carries the body');
	assert.ok(text(one(e, 'summary', 'entry')).startsWith('The United Nations Alliance of Civilizations is convening'));
});

test('feed_updated_is_the_newest_entry_update', () => {
	const feedUpdated = Date.parse(text(one(feed, 'updated', 'feed')));
	const entryUpdated = kids(feed, 'entry').map((e) => Date.parse(text(one(e, 'updated', 'entry'))));
	assert.equal(feedUpdated, Math.max(...entryUpdated));
});

test('feed_entries_newest_first', () => {
	const dates = kids(feed, 'entry').map((e) => Date.parse(text((kids(e, 'published')[0] ?? one(e, 'updated', 'entry')))));
	assert.equal(dates.length, 3);
	assert.deepEqual(dates, [...dates].sort((a, b) => b - a));
});

test('feed_escapes_text', () => {
	assert.ok(res.body.includes('<title>Newer news &amp; notes</title>'), 'an ampersand in a title is escaped');
	const e = kids(feed, 'entry')[0];
	assert.equal(text(one(e, 'title', 'entry')), 'Newer news & notes');
});

test('feed_links_resolve', async () => {
	const hrefs = [...kids(feed, 'link'), ...kids(feed, 'entry').flatMap((e) => kids(e, 'link'))].map((l) => l.getAttribute('href'));
	assert.ok(hrefs.length >= 3);
	for (const h of hrefs) {
		const r = await get(h);
		assert.equal(r.status, 200, h);
	}
});

test('feed_is_advertised_by_the_pages', async () => {
	const home = (await get(srv.url + '/')).body;
	assert.match(home, /<link rel="alternate" type="application\/atom\+xml" title="[^"]+" href="\/news\.atom">/);
});

test('feed_json_twin', async () => {
	const { json } = await getJson(srv.url + '/news.atom');
	assert.equal(json.feed_url, srv.url + '/news.atom');
	assert.deepEqual(json.posts.map((p) => p.title), ['Newer news & notes', 'Harmony Through Diversity and Dialogue', 'Older news']);
	assert.equal(json.updated, text(one(feed, 'updated', 'feed')));
});

// Runs last: changes the data under the running server.
test('feed_shows_a_new_post_at_once', async () => {
	const before = await get(srv.url + '/news.atom');
	sqlite(srv.db, `INSERT INTO post (id, slug, title, body_md, status, published_at, created_at, updated_at) VALUES
	 (14, 'late-news', 'Late news', 'Just in.', 'published', '2014-06-01T00:00:00Z', '2014-06-01T00:00:00Z', '2014-06-01T00:00:00Z');`);
	let now;
	await eventually(async () => (now = await get(srv.url + '/news.atom', { headers: { 'If-None-Match': before.headers.etag } })).status === 200);
	assert.equal(now.status, 200, 'the old ETag no longer matches');
	assert.notEqual(now.headers.etag, before.headers.etag);
	const d = new DOMParser().parseFromString(now.body, 'application/xml');
	const ids = kids(d.documentElement, 'entry').map((e) => text(one(e, 'id', 'entry')));
	assert.equal(ids[0], srv.url + '/news/2014/06/01/late-news');
	assert.equal(ids.length, 4);
	const news = await get(srv.url + '/news');
	assert.ok(news.body.includes('href="/news/2014/06/01/late-news"'), '/news shows it too');
});
