// dialogue.test.mjs — the voting page on a 360×740 phone in Debian's
// chromium: an anonymous visitor votes with the big buttons (by touch and
// by keyboard alone), the page never scrolls sideways, the buttons are
// large touch targets, it reads right to left in Arabic, and axe-core finds
// no violation of moderate impact or worse on the voting page and the
// report; a statement a moderator translated into Arabic reads right to
// left, marked lang="ar", with the English original a tap away; and the room of issue 16: three people vote on phones, one
// writes a statement, the organiser accepts it in the moderation queue,
// and the live view, open on a fourth page, follows by itself to the new
// statement and two opinion groups. Screenshots:
// build/screenshots/dialogue-*.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAUNCH } from './lib/chromium.mjs';
import { SHANGHAI } from '../e2e/lib/routes.mjs';
import { q, sqlite } from '../e2e/lib/sqlite.mjs';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from '../e2e/lib/accounts.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = path.join(ROOT, 'build/screenshots');
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
	// with script, the next statement comes without a reload, and focus with it
	const first = await page.locator('.dialogue-statement').innerText();
	await page.locator('.dialogue-agree').click();
	await page.waitForFunction(() => /1 of 3/.test(document.querySelector('.dialogue-progress').innerText));
	assert.equal(page.url(), `${srv.url}/conversations/${cid}`);
	assert.notEqual(await page.locator('.dialogue-statement').innerText(), first);
	assert.equal(await page.evaluate(() => document.activeElement.className), 'dialogue-statement');
	// by keyboard alone: focus the "Disagree" button and press Enter
	await page.locator('.dialogue-disagree').focus();
	await page.keyboard.press('Enter');
	await page.waitForFunction(() => /2 of 3/.test(document.querySelector('.dialogue-progress').innerText));
	await page.goto(`${srv.url}/conversations/${cid}/report`);
	assert.equal(await sideways(page), 0);
	assert.deepEqual(await axe(page), []);
	await page.screenshot({ path: path.join(SHOTS, 'dialogue-360-report.png'), fullPage: true });
	await ctx.close();
});

test('right to left in Arabic, without sideways scrolling, a translated statement too', async () => {
	// the moderators' Arabic versions of the three English statements
	sqlite(srv.db, `
UPDATE statement SET lang = 'en' WHERE conversation_id = ${cid};
INSERT INTO statement_translation (statement_id, lang, text, created_at, updated_at)
SELECT id, 'ar', 'الأنهار ملك مشترك للمنطقة كلها ' || id, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'
FROM statement WHERE conversation_id = ${cid};`);
	// written behind the server's back: what it keeps of a conversation's
	// statements (a second: src/features/dialogue/vote.c) takes them in after that
	await new Promise((r) => setTimeout(r, 1100));
	const ctx = await browser.newContext({ viewport: PHONE });
	const page = await ctx.newPage();
	await page.goto(`${srv.url}/conversations/${cid}?lang=ar`);
	assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
	assert.equal(await sideways(page), 0);
	const quote = await page.locator('.dialogue-statement').boundingBox();
	assert.ok(quote.x >= 0 && quote.x + quote.width <= PHONE.width + 1, JSON.stringify(quote));
	// the Arabic version, marked and read right to left; the English original a tap away, left to right
	const st = page.locator('.dialogue-statement');
	assert.equal(await st.getAttribute('lang'), 'ar');
	assert.match(await st.innerText(), /^الأنهار ملك مشترك/);
	assert.equal(await st.evaluate((e) => getComputedStyle(e).direction), 'rtl');
	const original = page.locator('.dialogue-original blockquote');
	assert.equal(await original.isVisible(), false);
	await page.locator('.dialogue-original summary').click();
	assert.equal(await original.isVisible(), true);
	assert.equal(await original.getAttribute('lang'), 'en');
	assert.equal(await original.evaluate((e) => getComputedStyle(e).direction), 'ltr');
	const box = await original.boundingBox();
	assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 1, JSON.stringify(box));
	assert.equal(await sideways(page), 0);
	assert.deepEqual(await axe(page), []);
	await page.screenshot({ path: path.join(SHOTS, 'dialogue-360-ar.png'), fullPage: true });
	// in French there is no version: a participant may suggest one (no script needed to open it)
	await page.goto(`${srv.url}/conversations/${cid}?lang=fr`);
	await page.locator('.dialogue-suggest summary').click();
	assert.equal(await page.locator('#f-suggest').getAttribute('lang'), 'fr');
	assert.equal(await sideways(page), 0);
	assert.deepEqual(await axe(page), []);
	await page.screenshot({ path: path.join(SHOTS, 'dialogue-360-suggest.png'), fullPage: true });
	await ctx.close();
});

test('a room: three phones vote, one writes, the organiser accepts, the live view follows', async () => {
	const ORG = 'moderator@example.org';
	addAccount(srv.db, { email: ORG, name: 'Moderator', role: 'organiser', event: SHANGHAI });
	const tok = await apiToken(await signedIn(srv.url, ORG), 'write');
	let r = await bearer(srv.url, tok, 'POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Youth and the region', status: 'open', participation: 'anyone', moderation: 'strict',
	});
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await bearer(srv.url, tok, 'POST', `/api/v1/conversations/${id}/statements`, {
		texts: ['Exchanges should start at school.\nUniversities should share their courses.\nCities should twin with each other.\nScholarships should favour the poorest.'],
	});
	assert.equal(r.status, 201, r.body);
	const seeds = r.json.ids;
	// eight people voted before: two camps, so that groups can form
	for (let p = 0; p < 8; p++) {
		const c = new Client(srv.url);
		c.csrf = (await c.getJson(`/conversations/${id}`)).json.csrf;
		for (let k = 0; k < 4; k++) {
			const x = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: seeds[k], vote: (p < 4) === (k < 2) ? 1 : -1 });
			assert.equal(x.status, 201, x.body);
		}
	}

	// the projector: a fourth page, left open
	const wall = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
	await wall.goto(`${srv.url}/conversations/${id}/live`);
	assert.match(await wall.locator('.live-counts').innerText(), /4 statements/);

	// three phones: each votes on every statement with the big buttons
	const phones = [];
	for (let p = 0; p < 3; p++) {
		const ctx = await browser.newContext({ viewport: PHONE });
		const page = await ctx.newPage();
		await page.goto(`${srv.url}/conversations/${id}`);
		phones.push(page);
		for (let k = 1; k <= 4; k++) {
			const text = await page.locator('.dialogue-statement').innerText();
			const camp = p === 0 ? 'B' : 'A';
			const early = /school|courses/.test(text);
			await page.locator((camp === 'A') === early ? '.dialogue-agree' : '.dialogue-disagree').click();
			await page.waitForFunction((n) => new RegExp(`${n} of \\d+`).test(document.querySelector('.dialogue-progress').innerText), k);
		}
		assert.equal(await sideways(page), 0);
	}
	// the first phone writes a statement: it waits for the organiser
	const writer = phones[0];
	await writer.locator('#f-text').fill('Young people should help choose the joint actions.');
	await Promise.all([writer.waitForURL(/done=written/), writer.locator('.dialogue-write button').click()]);
	assert.match(await writer.locator('[role=status]').last().innerText(), /received/);
	await writer.screenshot({ path: path.join(SHOTS, 'dialogue-360-room.png'), fullPage: true });

	// the organiser accepts it in the moderation queue
	const mod = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
	await mod.goto(`${srv.url}/sign-in`);
	await mod.locator('#f-email').fill(ORG);
	await mod.locator('#f-password').fill(PASSWORD);
	await Promise.all([mod.waitForURL((u) => !u.pathname.startsWith('/sign-in')), mod.locator('main form button[type=submit]').first().click()]);
	await mod.goto(`${srv.url}/admin/conversations/${id}/statements`);
	assert.deepEqual(await axe(mod), []);
	// by keyboard: J to the statement, A to accept it
	assert.equal(await mod.locator('[data-queue-keys-help]').isVisible(), true);
	for (let i = 0; i < 10; i++) {
		await mod.keyboard.press('j');
		if (/help choose the joint actions/.test(await mod.locator('tr.is-current').innerText())) break;
	}
	assert.match(await mod.locator('tr.is-current').innerText(), /help choose the joint actions/);
	await Promise.all([mod.waitForURL(/done=moderated/), mod.keyboard.press('a')]);
	const stmt = await bearer(srv.url, tok, 'GET', `/api/v1/conversations/${id}`);
	assert.equal(stmt.json.statements.find((x) => /joint actions/.test(x.text)).status, 'accepted');

	// the wall follows without a reload: the new statement, two groups
	await wall.waitForFunction(() => /5 statements/.test(document.querySelector('.live-counts').innerText), null, { timeout: 20_000 });
	await wall.waitForFunction(() => {
		const labels = [...document.querySelectorAll('.opinion-map text.map-label:not(.halo)')].map((t) => t.textContent);
		return labels.includes('A') && labels.includes('B');
	}, null, { timeout: 20_000 });
	assert.match(await wall.locator('.live-counts').innerText(), /11 participants/);
	assert.deepEqual(await axe(wall), []);
	await wall.screenshot({ path: path.join(SHOTS, 'dialogue-live.png'), fullPage: true });

	// the report, on a phone
	const rep = phones[1];
	await rep.goto(`${srv.url}/conversations/${id}/report`);
	assert.equal(await sideways(rep), 0);
	assert.deepEqual(await axe(rep), []);
	await rep.screenshot({ path: path.join(SHOTS, 'dialogue-360-report-groups.png'), fullPage: true });
	for (const p of [...phones, wall, mod]) await p.context().close();
});
