// search.test.mjs — the site's search (/search and its JSON twin) on the
// backend under test: the same queries find the same things on SQLite
// (FTS5) and PostgreSQL (tsvector), as the expectations below are one list
// for both; drafts, unpublished and scheduled things never appear; the
// index follows creations, edits, publication, unpublication and
// deletions made through the API and by SQL; empty, punctuation-only and
// over-long queries and query-language syntax answer with a sentence,
// never a 500; snippets mark matches and escape everything.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { textOf } from './lib/html.mjs';
import { get, getJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';

const XSS = '<img src=x onerror=alert(1)>';
let srv, token;

// Things the demo does not have: a draft event and a draft post that
// share a rare word with nothing public, a scheduled post, a post with
// hostile text around a match.
const EXTRA = `
INSERT INTO event (id, slug, title, kind, theme, summary, description_md, region, city, country,
  starts_on, ends_on, date_precision, timezone, status, created_at, updated_at)
VALUES (90, 'secret-draft-event', 'Zanzibarian draft meeting', 'consultation', '', 'Nobody may find this.',
  '', 'Africa', 'Stone Town', 'TZ', '2030-01-01', '2030-01-02', 'day', 'Africa/Dar_es_Salaam', 'draft',
  '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');
INSERT INTO post (id, slug, title, summary, body_md, status, published_at, created_at, updated_at) VALUES
 (90, 'draft-post', 'Zanzibarian draft post', '', 'Hidden.', 'draft', NULL, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'),
 (91, 'scheduled-post', 'Zanzibarian scheduled post', '', 'Later.', 'published', '2999-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'),
 (92, 'hostile', 'Quokka notes', '', 'Before ${XSS} the quokka "sat" & <b>after</b>', 'published', '2013-01-01T00:00:00Z', '2013-01-01T00:00:00Z', '2013-01-01T00:00:00Z');
`;

const search = async (q, extra = '') => getJson(`${srv.url}/search?q=${encodeURIComponent(q)}${extra}`);
const found = (r) => r.json.results.map((x) => `${x.kind}:${x.key}`).sort();

before(async () => {
	srv = await startServer();
	sqlite(srv.db, EXTRA);
	addAccount(srv.db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	token = await apiToken(await signedIn(srv.url, 'admin@example.org'));
});
after(async () => {
	await srv?.stop();
});

describe('finding', () => {
	// One list for both backends: the same words find the same things.
	const CASES = [
		['S01 a city', 'shanghai', ['event:asia-south-pacific-shanghai-2012', 'organisation:shanghai-academy-of-social-sciences', 'post:harmony-through-diversity-and-dialogue']],
		['S02 two words: both must be there', 'asia pacific', ['event:asia-pacific-auckland-2007', 'event:asia-south-pacific-shanghai-2012', 'post:harmony-through-diversity-and-dialogue']],
		['S03 a prefix', 'dialog', ['event:asia-south-pacific-shanghai-2012', 'organisation:centre-for-dialogue-la-trobe-university', 'post:harmony-through-diversity-and-dialogue', 'series:regional-consultations']],
		['S04 case does not matter', 'SHANGHAI', ['event:asia-south-pacific-shanghai-2012', 'organisation:shanghai-academy-of-social-sciences', 'post:harmony-through-diversity-and-dialogue']],
		['S05 an acronym', 'unaoc', ['organisation:unaoc', 'post:harmony-through-diversity-and-dialogue']],
		['S06 nothing', 'xylophonic', []],
		['S07 punctuation separates', 'asia-pacific!', ['event:asia-pacific-auckland-2007', 'event:asia-south-pacific-shanghai-2012', 'post:harmony-through-diversity-and-dialogue']],
	];
	for (const [id, q, want] of CASES) {
		test(`${id}: "${q}"`, async () => {
			const r = await search(q);
			assert.equal(r.status, 200, r.body);
			assert.deepEqual(found(r), want);
			assert.equal(r.json.total, want.length);
			for (const x of r.json.results) {
				assert.ok(x.url.startsWith('/'), x.url);
				assert.equal((await get(srv.url + x.url)).status, 200, `${x.url} answers`);
			}
		});
	}

	test('S10 counts by kind, and ?type= narrows', async () => {
		const r = await search('shanghai');
		assert.deepEqual(r.json.counts, { event: 1, organisation: 1, post: 1, series: 0 });
		const ev = await search('shanghai', '&type=events');
		assert.deepEqual(found(ev), ['event:asia-south-pacific-shanghai-2012']);
		assert.deepEqual(ev.json.counts, r.json.counts, 'the counts of every kind stay');
		const bad = await search('shanghai', '&type=people');
		assert.equal(bad.status, 400);
	});

	test('S11 a title match ranks first', async () => {
		const r = await search('auckland');
		assert.equal(r.json.results[0].key, 'asia-pacific-auckland-2007');
	});

	test('S12 pages of ten', async () => {
		const rows = [];
		for (let i = 0; i < 23; i++)
			rows.push(`(${200 + i}, 'wombat-${i}', 'Wombat note ${i}', '', 'About wombats.', 'published', '2013-02-01T00:00:00Z', '2013-02-01T00:00:00Z', '2013-02-01T00:00:00Z')`);
		sqlite(srv.db, `INSERT INTO post (id, slug, title, summary, body_md, status, published_at, created_at, updated_at) VALUES ${rows.join(',\n')};`);
		const p1 = await search('wombat');
		assert.equal(p1.json.total, 23);
		assert.equal(p1.json.results.length, 10);
		assert.equal(p1.json.pages, 3);
		assert.equal(p1.json.next_url, '/search?q=wombat&page=2');
		const p3 = await getJson(`${srv.url}/search?q=wombat&page=3`);
		assert.equal(p3.json.results.length, 3);
		const all = new Set([...p1.json.results, ...(await getJson(`${srv.url}/search?q=wombat&page=2`)).json.results, ...p3.json.results].map((x) => x.key));
		assert.equal(all.size, 23, 'the pages do not overlap');
		assert.equal((await get(`${srv.url}/search?q=wombat&page=4`)).status, 404);
		assert.equal((await get(`${srv.url}/search?q=wombat&page=x`)).status, 400);
		const html = await get(`${srv.url}/search?q=wombat`);
		assert.match(html.body, /<a rel="next" href="\/search\?q=wombat&amp;page=2">/);
	});
});

describe('drafts never leak', () => {
	test('D01 draft event, draft post and scheduled post are not found', async () => {
		const r = await search('zanzibarian');
		assert.equal(r.status, 200);
		assert.deepEqual(found(r), []);
		assert.equal(r.json.total, 0);
		assert.deepEqual(r.json.counts, { event: 0, organisation: 0, post: 0, series: 0 });
		const html = await get(`${srv.url}/search?q=zanzibarian`);
		assert.doesNotMatch(html.body, /Zanzibarian/);
	});
});

describe('the index stays current', () => {
	test('C01 an event created, published, edited, unpublished and deleted through the API', async () => {
		const made = await bearer(srv.url, token, 'POST', '/api/v1/events', {
			title: 'Platypus summit', theme: 'Monotremes', city: 'Hobart', country: 'AU',
			starts_on: '2031-03-01', ends_on: '2031-03-02', timezone: 'Australia/Hobart',
		});
		assert.equal(made.status, 201, made.body);
		const slug = made.json.slug;
		assert.deepEqual(found(await search('platypus')), [], 'a draft is not found');
		assert.equal((await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { status: 'published' })).status, 200);
		assert.deepEqual(found(await search('platypus')), [`event:${slug}`], 'published: found');
		assert.deepEqual(found(await search('monotremes')), [`event:${slug}`]);
		const ed = await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { title: 'Echidna summit', theme: 'Spines' });
		assert.equal(ed.status, 200, ed.body);
		assert.deepEqual(found(await search('platypus')), [], 'the old title is gone from the index');
		assert.deepEqual(found(await search('monotremes')), []);
		assert.deepEqual(found(await search('echidna')), [`event:${slug}`], 'the new title is found');
		assert.equal((await bearer(srv.url, token, 'PATCH', `/api/v1/events/${slug}`, { status: 'draft' })).status, 200);
		assert.deepEqual(found(await search('echidna')), [], 'back to draft: gone');
		const del = await bearer(srv.url, token, 'DELETE', `/api/v1/events/${slug}`);
		assert.equal(del.status, 200, del.body);
		assert.deepEqual(found(await search('echidna')), []);
	});

	test('C02 a post published, edited, unpublished and deleted through the API', async () => {
		const made = await bearer(srv.url, token, 'POST', '/api/v1/posts', { title: 'Kookaburra report', body_md: 'The **kookaburra** laughs.' });
		assert.equal(made.status, 201, made.body);
		const id = made.json.id;
		assert.deepEqual(found(await search('kookaburra')), []);
		assert.equal((await bearer(srv.url, token, 'POST', `/api/v1/posts/${id}/publish`)).status, 200);
		assert.deepEqual(found(await search('kookaburra')), [`post:${made.json.slug}`]);
		assert.equal((await bearer(srv.url, token, 'PATCH', `/api/v1/posts/${id}`, { body_md: 'The lyrebird sings.' })).status, 200);
		assert.deepEqual(found(await search('lyrebird')), [`post:${made.json.slug}`], 'the new body');
		assert.deepEqual(found(await search('laughs')), [], 'not the old one');
		assert.equal((await bearer(srv.url, token, 'POST', `/api/v1/posts/${id}/unpublish`)).status, 200);
		assert.deepEqual(found(await search('lyrebird')), []);
		assert.equal((await bearer(srv.url, token, 'DELETE', `/api/v1/posts/${id}`)).status, 200);
		assert.deepEqual(found(await search('lyrebird')), []);
	});

	test('C03 an organisation renamed and deleted by SQL (not only the store writes)', async () => {
		sqlite(srv.db, `INSERT INTO organisation (id, slug, name, kind, description, created_at, updated_at)
VALUES (95, 'numbat-trust', 'Numbat Trust', 'ngo', 'Termite eaters.', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');`);
		assert.deepEqual(found(await search('numbat')), ['organisation:numbat-trust']);
		assert.deepEqual(found(await search('termite')), ['organisation:numbat-trust']);
		sqlite(srv.db, `UPDATE organisation SET name = 'Bilby Trust' WHERE id = 95;`);
		assert.deepEqual(found(await search('numbat')), []);
		assert.deepEqual(found(await search('bilby')), ['organisation:numbat-trust']);
		sqlite(srv.db, `DELETE FROM organisation WHERE id = 95;`);
		assert.deepEqual(found(await search('bilby')), []);
	});
});

describe('what a visitor types', () => {
	test('Q01 empty: the page with a hint, 200', async () => {
		for (const q of ['', '   ']) {
			const r = await search(q);
			assert.equal(r.status, 200);
			assert.deepEqual(r.json.results, []);
			assert.match(r.json.notice, /Type a word/);
		}
		const bare = await getJson(`${srv.url}/search`);
		assert.equal(bare.status, 200);
		const html = await get(`${srv.url}/search`);
		assert.equal(html.status, 200);
		assert.match(html.body, /<form class="search-form[^"]*" role="search"/);
	});

	test('Q02 punctuation only, or too long: 400 with a sentence, never 500', async () => {
		const p = await search('!!! ??? ---');
		assert.equal(p.status, 400);
		assert.match(p.json.notice, /words or numbers/);
		const long = await search('a'.repeat(201));
		assert.equal(long.status, 400);
		assert.match(long.json.notice, /at most 200 characters/);
		assert.equal((await search('a'.repeat(200))).status, 200);
	});

	test('Q03 query-language syntax is only words', async () => {
		// FTS5 and tsquery syntax, unbalanced quotes, operators, NUL-free
		// control characters: each answers 200, as the words it holds.
		const words = ['"shanghai', 'shanghai"', 'shang*', 'shanghai:*', '(shanghai', '\\shanghai', 'shanghai |',
			'-shanghai', '+shanghai', '^shanghai', "shanghai'", '{shanghai}', 'shanghai;', '"shanghai" "asia"'];
		for (const q of words) {
			const r = await search(q);
			assert.equal(r.status, 200, `${q}: ${r.body.slice(0, 200)}`);
			assert.ok(r.json.total >= 1, `${q} finds what its words find`);
		}
		for (const q of ['NEAR(shanghai asia)', 'title:shanghai', "shanghai' & !asia", 'shanghai AND NOT asia', '*', ':*', "'", '"']) {
			const r = await search(q);
			assert.ok(r.status === 200 || r.status === 400, `${q}: ${r.status} ${r.body.slice(0, 200)}`);
			assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
		}
		const or = await search('shanghai OR xylophonic');
		assert.equal(or.json.total, 0, '"OR" is a word like the others: all words must be there');
	});

	test('Q04 more than eight words: the first eight, said so', async () => {
		const r = await search('shanghai asia pacific region alliance dialogue society culture values trust');
		assert.equal(r.status, 200);
		assert.match(r.json.notice, /first 8 words/);
	});

	test('Q05 other scripts', async () => {
		sqlite(srv.db, `INSERT INTO post (id, slug, title, summary, body_md, status, published_at, created_at, updated_at) VALUES
 (96, 'zh', '上海合作对话', '', 'Сотрудничество и диалог — حوار الحضارات', 'published', '2013-01-02T00:00:00Z', '2013-01-02T00:00:00Z', '2013-01-02T00:00:00Z');`);
		for (const q of ['上海', 'диалог', 'حوار']) assert.deepEqual(found(await search(q)), ['post:zh'], q);
	});
});

describe('the page', () => {
	test('P01 snippets mark the match and escape everything', async () => {
		const r = await search('quokka');
		const hit = r.json.results.find((x) => x.key === 'hostile');
		assert.ok(hit.snippet_parts.some((p) => p.match && /quokka/i.test(p.text)));
		assert.ok(hit.snippet.includes(XSS), 'the JSON keeps the text as it is');
		const html = await get(`${srv.url}/search?q=quokka`);
		assert.equal(html.status, 200);
		assert.doesNotMatch(html.body, /<img src=x/);
		assert.doesNotMatch(html.body, /<b>after<\/b>/);
		assert.match(html.body, /&lt;img src=x onerror=alert\(1\)&gt;/);
		assert.match(html.body, /<mark>quokka<\/mark>/);
		assert.match(html.body, /<h2 class="card-title"><a href="\/news\/2013\/01\/01\/hostile">Quokka notes<\/a><\/h2>/);
	});

	test('P02 the query is kept in the box, escaped, and named in the title', async () => {
		const html = await get(`${srv.url}/search?q=${encodeURIComponent('"><script>x</script> shanghai')}`);
		assert.equal(html.status, 200);
		assert.doesNotMatch(html.body, /<script>x/);
		assert.match(html.body, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt; shanghai"/);
		assert.match(textOf(html.body), /Search: "><script>x<\/script> shanghai ·/, 'the title, escaped once');
		const plain = await get(`${srv.url}/search?q=shanghai`);
		assert.match(textOf(plain.body), /3 results/);
	});

	test('P03 every page has the search box in its header', async () => {
		for (const path of ['/', '/events', '/news', '/organisations']) {
			const r = await get(srv.url + path);
			assert.match(r.body, /<form class="header-search" role="search" method="get" action="\/search">/, path);
			assert.match(r.body, /<input type="search" id="header-q" name="q"/, path);
		}
	});
});
