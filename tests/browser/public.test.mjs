// public.test.mjs — what the public pages added for newcomers look like in
// a real browser: the header's search box (used with the keyboard, on a
// phone too), the search page with its marked matches, the index pages,
// Markdown tables and block quotes, and long words that must wrap rather
// than push a page sideways at 390 px; axe-core finds no serious or
// critical violation on the new pages; screenshots in build/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { AXE, LAUNCH } from './lib/chromium.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';
import { sqlite } from '../e2e/lib/sqlite.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const EVENT = '/events/asia-south-pacific-shanghai-2012';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';
const LONG = 'Rechtsschutzversicherungsgesellschaften'.repeat(3);

let srv, browser;
before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	sqlite(srv.db, `
UPDATE event SET title = 'Consultation ${LONG}' WHERE slug = 'asia-south-pacific-shanghai-2012';
UPDATE post SET body_md = '> Dialogue is the way, said a ${LONG}.

| Region | City | Participants | Sectors | Themes discussed at length |
| --- | :-: | --: | --- | --- |
| Asia and the South Pacific | Shanghai | 150 | government, academia, business | ${LONG} |
| Europe | Vienna | 140 | NGOs, media | migration |
' WHERE id = 1;
INSERT INTO programme_room (event_id, name, capacity, created_at)
SELECT id, 'Hall ${LONG}', 300, '2020-01-01T00:00:00Z' FROM event WHERE slug = 'asia-south-pacific-shanghai-2012';
INSERT INTO programme_session (id, event_id, title, kind, track, description_md, starts_at, ends_at, room_id, languages, created_at, updated_at)
SELECT 9001, e.id, 'The ${LONG} and regional cooperation', 'plenary', 'Culture ${LONG}', 'A *plenary* on the ${LONG}.',
       '2012-11-29T01:30:00Z', '2012-11-29T03:00:00Z', r.id, 'en,zh,ar', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'
FROM event e JOIN programme_room r ON r.event_id = e.id WHERE e.slug = 'asia-south-pacific-shanghai-2012' AND r.name = 'Hall ${LONG}';
-- in the released programme, which the public reads
INSERT INTO programme_release_session (release_id, session_id, sequence, title, kind, track, description_md, starts_at, ends_at,
                                       room, room_capacity, languages, capacity, visibility, updated_at)
SELECT r.id, s.id, 0, s.title, s.kind, s.track, s.description_md, s.starts_at, s.ends_at, ro.name, ro.capacity, s.languages,
       s.capacity, s.visibility, s.updated_at
FROM programme_release r JOIN programme_session s ON s.id = 9001 JOIN programme_room ro ON ro.id = s.room_id;`);
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
});

async function open(viewport, opts = {}) {
	const context = await browser.newContext({ viewport, ...opts });
	const page = await context.newPage();
	const problems = [];
	page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
	page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	return { page, context, problems };
}
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('on a phone (390 × 844)', () => {
	for (const [id, url] of [['event_long_word', EVENT], ['post_table', POST], ['search', '/search?q=shanghai'],
		['organisations', '/organisations'], ['series_index', '/series'], ['programme', `${EVENT}/programme`],
		['session', `${EVENT}/sessions/9001`], ['programme_rtl', `${EVENT}/programme?lang=ar`]]) {
		test(`no sideways scroll: ${id}`, async () => {
			const { page, context, problems } = await open({ width: 390, height: 844 });
			assert.equal((await page.goto(srv.url + url)).status(), 200);
			assert.equal(await overflow(page), 0, `${url} scrolls sideways`);
			const box = await page.locator('#header-q').boundingBox();
			assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the header search box fits');
			await page.screenshot({ path: path.join(SHOTS, `public-phone-${id}.png`), fullPage: true });
			assert.deepEqual(problems, []);
			await context.close();
		});
	}

	test('a long word in a heading wraps inside it', async () => {
		const { page, context } = await open({ width: 390, height: 844 });
		await page.goto(srv.url + EVENT);
		const h1 = await page.evaluate(() => {
			const h = document.querySelector('h1');
			return { scroll: h.scrollWidth, client: h.clientWidth, right: h.getBoundingClientRect().right };
		});
		assert.ok(h1.scroll <= h1.client, `the h1 overflows: ${JSON.stringify(h1)}`);
		assert.ok(h1.right <= 390);
		await context.close();
	});

	test('a wide Markdown table scrolls inside its own box', async () => {
		const { page, context } = await open({ width: 390, height: 844 });
		await page.goto(srv.url + POST);
		const t = await page.evaluate(() => {
			const el = document.querySelector('.prose table');
			const q = document.querySelector('.prose blockquote');
			return { right: el.getBoundingClientRect().right, display: getComputedStyle(el).display,
				quoteBorder: getComputedStyle(q).borderInlineStartWidth, th: el.querySelectorAll('th').length };
		});
		assert.equal(t.th, 5);
		assert.ok(t.right <= 390, 'the table stays within the page');
		assert.equal(t.quoteBorder, '4px', 'the block quote is styled');
		await context.close();
	});
});

describe('searching', () => {
	test('from the header with the keyboard, to marked results', async () => {
		const { page, context, problems } = await open({ width: 1280, height: 900 });
		await page.goto(srv.url + '/events');
		await page.focus('#header-q');
		await page.keyboard.type('dialogue');
		await Promise.all([page.waitForURL(/\/search\?q=dialogue$/), page.keyboard.press('Enter')]);
		const marks = await page.locator('.search-snippet mark').allInnerTexts();
		assert.ok(marks.length >= 1 && marks.every((m) => /^dialogue$/i.test(m)), marks.join(','));
		assert.equal(await page.inputValue('#search-q'), 'dialogue', 'the query stays in the page\'s box');
		await page.screenshot({ path: path.join(SHOTS, 'public-search.png'), fullPage: true });
		await page.getByRole('link', { name: /^Organisations/ }).first().click();
		await page.waitForURL(/type=organisations/);
		assert.equal(await page.locator('.search-result').count(), 1);
		assert.deepEqual(problems, []);
		await context.close();
	});

	test('right to left (Arabic): a session\'s time reads from its start to its end', async () => {
		const { page, context } = await open({ width: 390, height: 844 });
		await page.goto(srv.url + `${EVENT}/programme?lang=ar`);
		assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
		const [start, end] = await page.locator('.programme-time time').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().left));
		assert.ok(start < end, '09:30 stays left of 11:00');
		const time = await page.locator('.programme-time').first().boundingBox();
		const title = await page.locator('.programme-title').first().boundingBox();
		assert.ok(time.y < title.y, 'on a phone the time stands over the title');
		await context.close();
	});

	test('right to left (Arabic): the box and results keep their place', async () => {
		const { page, context } = await open({ width: 390, height: 844 });
		await page.goto(srv.url + '/search?q=shanghai&lang=ar');
		assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
		assert.equal(await overflow(page), 0);
		await page.screenshot({ path: path.join(SHOTS, 'public-search-rtl-phone.png'), fullPage: true });
		await context.close();
	});
});

describe('accessibility (axe-core)', () => {
	for (const [id, url] of [['search', '/search?q=shanghai'], ['search_empty', '/search'], ['search_none', '/search?q=xylophonic'],
		['organisations', '/organisations'], ['series_index', '/series'], ['post_table', POST], ['event', EVENT],
		['programme', `${EVENT}/programme`], ['session', `${EVENT}/sessions/9001`]]) {
		test(`axe_${id}`, async () => {
			const { page, context } = await open({ width: 1280, height: 900 }, { bypassCSP: true });
			assert.equal((await page.goto(srv.url + url)).status(), 200);
			await page.addScriptTag({ path: AXE });
			const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
			const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
			assert.equal(bad.length, 0, `${url}: ${bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`).join('; ')}`);
			await context.close();
		});
	}
});
