// public-site.test.mjs — the public site as visitors expect it: index
// pages of organisations and series (and their JSON twins), breadcrumbs
// that include Events, "Add to calendar" (.ics, parsed by Python's
// icalendar), images in the Atom feed, Markdown tables and block quotes.
import { DOMParser } from '@xmldom/xmldom';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { get, getJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';
const IMAGE = `${'ab'.repeat(32)}.jpg`;
let srv;

before(async () => {
	srv = await startServer();
	sqlite(srv.db, `
INSERT INTO series (id, slug, title, summary, status, created_at, updated_at)
VALUES (90, 'secret-series', 'Secret series', '', 'draft', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');
UPDATE post SET image = '${IMAGE}', image_alt = 'Delegates "in" the hall & more', image_credit = 'UNAOC',
  body_md = '> Dialogue is the way.

| Region | City |
| --- | :-: |
| Asia | Shanghai |
| Europe | <script>alert(1)</script> |
' WHERE id = 1;
UPDATE event SET title = 'Regional, Consultations; for Asia-South Pacific' WHERE slug = '${SH}';`);
});
after(async () => {
	await srv?.stop();
});

describe('index pages', () => {
	test('I01 /organisations lists every organisation with a link, and its JSON twin', async () => {
		const html = await get(`${srv.url}/organisations`);
		assert.equal(html.status, 200);
		assert.match(html.body, /<h1>Organisations<\/h1>/);
		assert.match(html.body, /<a href="\/organisations\/unaoc">United Nations Alliance of Civilizations<\/a>/);
		const j = await getJson(`${srv.url}/organisations`);
		assert.equal(j.status, 200);
		const un = j.json.organisations.find((o) => o.slug === 'unaoc');
		assert.equal(un.url, '/organisations/unaoc');
		assert.equal(typeof un.events, 'number');
		assert.match(un.events_text, /^\d+ events?$/);
		for (const o of j.json.organisations) assert.equal((await get(srv.url + o.url)).status, 200, o.url);
	});

	test('I02 /series lists published series only, and its JSON twin', async () => {
		const html = await get(`${srv.url}/series`);
		assert.equal(html.status, 200);
		assert.match(html.body, /<a href="\/series\/regional-consultations">Regional Consultations<\/a>/);
		assert.doesNotMatch(html.body, /Secret series/);
		const j = await getJson(`${srv.url}/series`);
		assert.deepEqual(j.json.series.map((s) => s.slug), ['regional-consultations']);
		assert.equal(j.json.series[0].events, 2);
		assert.equal(j.json.series[0].years, '2007–2012');
		assert.equal(j.json.series[0].organiser_url, '/organisations/unaoc');
	});

	test('I03 the places that name them link them', async () => {
		const events = await get(`${srv.url}/events`);
		assert.match(events.body, /href="\/series"/);
		assert.match(events.body, /href="\/organisations"/);
		const series = await get(`${srv.url}/series/regional-consultations`);
		assert.match(series.body, /<p class="kicker"><a href="\/series">Series<\/a>/);
		const home = await get(`${srv.url}/`);
		assert.match(home.body, /<a href="\/series">All series<\/a>/);
		assert.match(home.body, /<a href="\/organisations">All organisations<\/a>/);
	});
});

describe('breadcrumbs', () => {
	const crumbs = (html) => {
		const nav = /<nav class="breadcrumb" aria-label="Breadcrumb"><ol itemscope itemtype="https:\/\/schema\.org\/BreadcrumbList">([\s\S]*?)<\/ol><\/nav>/.exec(html);
		assert.ok(nav, 'a breadcrumb nav with its label and BreadcrumbList');
		return [...nav[1].matchAll(/<li itemprop="itemListElement"[^>]*?( aria-current="page")?>(?:<a itemprop="item" href="([^"]*)">)?<span itemprop="name"[^>]*>([^<]*)<\/span>(?:<\/a>)?<meta itemprop="position" content="(\d+)"><\/li>/g)]
			.map((m) => ({ href: m[2] ?? null, name: m[3], pos: Number(m[4]), current: !!m[1] }));
	};
	const CASES = [
		[`/events/${SH}`, [['/', 'Home'], ['/events', 'Events'], ['/series/regional-consultations', 'Regional Consultations'], [null, 'Regional, Consultations; for Asia-South Pacific']]],
		['/events', [['/', 'Home'], [null, 'Events']]],
		['/series/regional-consultations', [['/', 'Home'], ['/series', 'Series'], [null, 'Regional Consultations']]],
		['/organisations/unaoc', [['/', 'Home'], ['/organisations', 'Organisations'], [null, 'United Nations Alliance of Civilizations']]],
		['/organisations', [['/', 'Home'], [null, 'Organisations']]],
		['/series', [['/', 'Home'], [null, 'Series']]],
		[POST, [['/', 'Home'], ['/news', 'News'], [null, 'Harmony Through Diversity and Dialogue']]],
		['/news', [['/', 'Home'], [null, 'News']]],
	];
	for (const [path, want] of CASES) {
		test(`B ${path}`, async () => {
			const r = await get(srv.url + path);
			assert.equal(r.status, 200);
			const got = crumbs(r.body);
			assert.deepEqual(got.map((c) => [c.href, c.name]), want);
			assert.deepEqual(got.map((c) => c.pos), want.map((_, i) => i + 1), 'positions 1…n');
			assert.deepEqual(got.map((c) => c.current), want.map((_, i) => i === want.length - 1), 'the last is the current page');
		});
	}
});

describe('add to calendar', () => {
	const PY = `
import sys, json, icalendar
raw = sys.stdin.buffer.read()
cal = icalendar.Calendar.from_ical(raw)
evs = cal.walk('VEVENT')
e = evs[0]
print(json.dumps({
  'n': len(evs), 'version': str(cal['VERSION']), 'prodid': str(cal['PRODID']),
  'uid': str(e['UID']), 'summary': str(e['SUMMARY']), 'location': str(e.get('LOCATION', '')),
  'description': str(e.get('DESCRIPTION', '')), 'url': str(e.get('URL', '')), 'status': str(e.get('STATUS', '')),
  'dtstart': e.decoded('DTSTART').isoformat(), 'dtend': e.decoded('DTEND').isoformat(),
  'start_type': type(e.decoded('DTSTART')).__name__, 'dtstamp': e.decoded('DTSTAMP').isoformat(),
}))
`;
	const parse = (body) => {
		const r = spawnSync('/usr/bin/python3', ['-c', PY], { input: body, encoding: 'utf8' });
		assert.equal(r.status, 0, `icalendar could not read it: ${r.stderr}`);
		return JSON.parse(r.stdout);
	};

	test('K01 an event as one all-day VEVENT that icalendar reads', async () => {
		const r = await get(`${srv.url}/events/${SH}/calendar.ics`);
		assert.equal(r.status, 200);
		assert.equal(r.headers['content-type'], 'text/calendar; charset=utf-8');
		assert.match(r.headers['content-disposition'], new RegExp(`^attachment; filename="${SH}\\.ics"$`));
		// CRLF only, and 75 octets at most a line.
		assert.doesNotMatch(r.body.replaceAll('\r\n', ''), /[\r\n]/);
		assert.ok(r.body.endsWith('\r\n'));
		for (const line of r.body.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
		assert.match(r.body, /\r\nDTSTART;VALUE=DATE:20121129\r\n/);
		assert.match(r.body, /\r\nDTEND;VALUE=DATE:20121201\r\n/, 'the day after the last, exclusive');
		assert.match(r.body, /\r\nSUMMARY:Regional\\, Consultations\\; for Asia-South Pacific\r\n/, 'commas and semicolons escaped');
		const ev = parse(r.body);
		assert.equal(ev.n, 1);
		assert.equal(ev.version, '2.0');
		assert.equal(ev.start_type, 'date', 'an all-day event');
		assert.equal(ev.dtstart, '2012-11-29');
		assert.equal(ev.dtend, '2012-12-01');
		assert.equal(ev.summary, 'Regional, Consultations; for Asia-South Pacific');
		assert.equal(ev.location, 'Shanghai, China');
		assert.equal(ev.url, `${srv.url}/events/${SH}`);
		assert.ok(ev.description.endsWith(`\n\n${srv.url}/events/${SH}`), 'newlines kept through escaping');
		assert.equal(ev.status, 'CONFIRMED');
		assert.match(ev.uid, /^event-\d+@127\.0\.0\.1$/);
	});

	test('K02 the UID stays when the address changes; the old address redirects', async () => {
		const before = parse((await get(`${srv.url}/events/${SH}/calendar.ics`)).body).uid;
		sqlite(srv.db, `INSERT INTO old_address (entity, address, entity_id, created_at)
SELECT 'event', '${SH}', id, '2020-01-01T00:00:00Z' FROM event WHERE slug = '${SH}';
UPDATE event SET slug = 'shanghai-2012' WHERE slug = '${SH}';`);
		const moved = await get(`${srv.url}/events/${SH}/calendar.ics`);
		assert.equal(moved.status, 301);
		assert.equal(new URL(moved.headers.location, srv.url).pathname, '/events/shanghai-2012/calendar.ics');
		const now = parse((await get(`${srv.url}/events/shanghai-2012/calendar.ics`)).body);
		assert.equal(now.uid, before);
		sqlite(srv.db, `DELETE FROM old_address WHERE entity = 'event' AND address = '${SH}';
UPDATE event SET slug = '${SH}' WHERE slug = 'shanghai-2012';`);
	});

	test('K03 a cancelled event says so; a month-only event and a draft have none', async () => {
		sqlite(srv.db, `UPDATE event SET status = 'cancelled' WHERE slug = '${SH}';`);
		assert.equal(parse((await get(`${srv.url}/events/${SH}/calendar.ics`)).body).status, 'CANCELLED');
		sqlite(srv.db, `UPDATE event SET status = 'published' WHERE slug = '${SH}';`);
		const month = await get(`${srv.url}/events/asia-pacific-auckland-2007/calendar.ics`);
		assert.equal(month.status, 404);
		const page = await getJson(`${srv.url}/events/asia-pacific-auckland-2007`);
		assert.equal(page.json.calendar_url, null);
		sqlite(srv.db, `UPDATE event SET status = 'draft' WHERE slug = 'asia-pacific-auckland-2007';`);
		assert.equal((await get(`${srv.url}/events/asia-pacific-auckland-2007/calendar.ics`)).status, 404);
		sqlite(srv.db, `UPDATE event SET status = 'published' WHERE slug = 'asia-pacific-auckland-2007';`);
	});

	test('K04 the event page links it', async () => {
		const r = await get(`${srv.url}/events/${SH}`);
		assert.match(r.body, new RegExp(`<a class="calendar-link" href="/events/${SH}/calendar\\.ics" download>Add to calendar`));
		assert.equal((await getJson(`${srv.url}/events/${SH}`)).json.calendar_url, `/events/${SH}/calendar.ics`);
	});
});

describe('feed and Markdown', () => {
	test('F01 a feed entry shows its image with its alt text, and links it as an enclosure', async () => {
		const r = await get(`${srv.url}/news.atom`);
		assert.equal(r.status, 200);
		const doc = new DOMParser().parseFromString(r.body, 'application/xml');
		const entry = doc.getElementsByTagName('entry')[0];
		const links = Array.from(entry.getElementsByTagName('link'));
		const enc = links.find((l) => l.getAttribute('rel') === 'enclosure');
		assert.ok(enc, 'a link rel="enclosure"');
		assert.equal(enc.getAttribute('href'), `${srv.url}/media/${IMAGE}`);
		assert.equal(enc.getAttribute('type'), 'image/jpeg');
		assert.equal(enc.getAttribute('title'), 'Delegates "in" the hall & more');
		const content = entry.getElementsByTagName('content')[0].textContent;
		assert.ok(content.startsWith(`<figure><img src="${srv.url}/media/${IMAGE}" alt="Delegates &quot;in&quot; the hall &amp; more"><figcaption>Photo UNAOC</figcaption></figure>`), content.slice(0, 200));
		assert.match(content, /<table>/);
		assert.doesNotMatch(content, /<script/);
	});

	test('F02 a post renders Markdown tables and block quotes, raw HTML still dropped', async () => {
		const r = await get(srv.url + POST);
		assert.equal(r.status, 200);
		assert.match(r.body, /<blockquote>\n<p>Dialogue is the way\.<\/p>\n<\/blockquote>/);
		assert.match(r.body, /<table>\n<thead>\n<tr>\n<th>Region<\/th>\n<th align="center">City<\/th>/);
		assert.match(r.body, /<td align="center">Shanghai<\/td>/);
		assert.doesNotMatch(r.body, /<script>alert/);
	});
});
