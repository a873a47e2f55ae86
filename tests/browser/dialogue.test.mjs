// dialogue.test.mjs — the voting page on a 360×740 phone in Debian's
// chromium: an anonymous visitor votes with the big buttons (by touch and
// by keyboard alone), the page never scrolls sideways, the buttons are
// large touch targets, it reads right to left in Arabic, and axe-core finds
// no violation of moderate impact or worse on the voting page and the
// report. Screenshots: build/screenshots/dialogue-360-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { SHANGHAI } from '../e2e/lib/routes.mjs';
import { q, sqlite } from '../e2e/lib/sqlite.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = path.join(ROOT, 'build/screenshots');
const LAUNCH = {
	executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
};
const PHONE = { width: 360, height: 740 };

let srv, browser, cid;
before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	sqlite(srv.db, `
INSERT INTO conversation (event_id, topic, question, status, participation, created_at, updated_at)
SELECT id, 'Water across borders', 'How should the region share its rivers?', 'open', 'anyone',
       '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z' FROM event WHERE slug = ${q(SHANGHAI)};
INSERT INTO statement (conversation_id, by_organiser, text, text_key, status, created_at)
SELECT c.id, 1, s.text, s.text, 'accepted', '2020-01-01T00:00:00Z' FROM conversation c,
 (SELECT 'Upstream dams need the consent of the countries downstream.' AS text
  UNION ALL SELECT 'Rivers are a shared good of the whole region.'
  UNION ALL SELECT 'Farmers should pay for the water they use, as cities do.') s
WHERE c.topic = 'Water across borders';`);
	cid = sqlite(srv.db, `SELECT id FROM conversation WHERE topic = 'Water across borders'`).trim();
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
});

const sideways = (page) =>
	page.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth);

async function axe(page) {
	if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	return r.violations
		.filter((v) => ['moderate', 'serious', 'critical'].includes(v.impact))
		.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test('an anonymous visitor votes on a 360-px phone, by touch and by keyboard', async () => {
	const ctx = await browser.newContext({ viewport: PHONE });
	const page = await ctx.newPage();
	await page.goto(`${srv.url}/conversations/${cid}`);
	assert.match(await page.locator('.dialogue-progress').innerText(), /0 of 3/);
	assert.equal(await sideways(page), 0, 'the page scrolls sideways');
	for (const sel of ['.dialogue-agree', '.dialogue-disagree', '.dialogue-pass']) {
		const box = await page.locator(sel).boundingBox();
		assert.ok(box.height >= 44 && box.width >= 44, `${sel} is a small target: ${JSON.stringify(box)}`);
	}
	assert.deepEqual(await axe(page), []);
	await page.screenshot({ path: path.join(SHOTS, 'dialogue-360-vote.png'), fullPage: true });
	await Promise.all([page.waitForLoadState('load'), page.locator('.dialogue-agree').click()]);
	await page.waitForURL(`${srv.url}/conversations/${cid}`);
	assert.match(await page.locator('.dialogue-progress').innerText(), /1 of 3/);
	// by keyboard alone: focus the "Disagree" button and press Enter
	await page.locator('.dialogue-disagree').focus();
	await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
	assert.match(await page.locator('.dialogue-progress').innerText(), /2 of 3/);
	await page.goto(`${srv.url}/conversations/${cid}/report`);
	assert.equal(await sideways(page), 0);
	assert.deepEqual(await axe(page), []);
	await page.screenshot({ path: path.join(SHOTS, 'dialogue-360-report.png'), fullPage: true });
	await ctx.close();
});

test('right to left in Arabic, without sideways scrolling', async () => {
	const ctx = await browser.newContext({ viewport: PHONE });
	const page = await ctx.newPage();
	await page.goto(`${srv.url}/conversations/${cid}?lang=ar`);
	assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
	assert.equal(await sideways(page), 0);
	const quote = await page.locator('.dialogue-statement').boundingBox();
	assert.ok(quote.x >= 0 && quote.x + quote.width <= PHONE.width + 1, JSON.stringify(quote));
	await page.screenshot({ path: path.join(SHOTS, 'dialogue-360-ar.png'), fullPage: true });
	await ctx.close();
});
