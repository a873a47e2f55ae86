// embed.test.mjs — a conversation embedded in another site, in Debian's
// chromium: a host page served by a tiny node server on another site
// (http://localhost:PORT, while harmony is http://127.0.0.1:PORT: another
// site for cookies, so none of harmony's SameSite=Lax cookies goes into
// the frame) frames the compact voting page with the host's participant
// id (xid); the frame loads, fits 380 px, and a vote is cast in it without
// a cookie, by the no-JS form; a second visit in a fresh browser is the
// same participant. A host page on an origin the organiser did not list
// is refused the frame. Screenshot: build/screenshots/embed-380.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAUNCH } from './lib/chromium.mjs';
import { SHANGHAI } from '../e2e/lib/routes.mjs';
import { q, sqlite } from '../e2e/lib/sqlite.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const NARROW = { width: 380, height: 800 };
const XID = 'wp-user-7f3a';

let srv, browser, cid, listed, unlisted, src = 'about:blank';

// A host site: one page framing src (set once the conversation exists).
function hostSite() {
	const s = http.createServer((req, res) => {
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title></head>
<body style="margin:0"><h1>The Alliance</h1>
<iframe src="${src}" title="Water across borders" style="width:100%;min-height:640px;border:0"></iframe>
</body></html>`);
	});
	return new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(s)));
}

before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	listed = await hostSite();
	unlisted = await hostSite();
	const origin = `http://localhost:${listed.address().port}`;
	sqlite(srv.db, `
INSERT INTO conversation (event_id, topic, question, status, participation, embed_origins, created_at, updated_at)
SELECT id, 'Water across borders', 'How should the region share its rivers?', 'open', 'anyone', ${q(origin)},
       '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z' FROM event WHERE slug = ${q(SHANGHAI)};
INSERT INTO statement (conversation_id, by_organiser, text, text_key, status, created_at)
SELECT c.id, 1, s.text, s.text, 'accepted', '2020-01-01T00:00:00Z' FROM conversation c,
 (SELECT 'Upstream dams need the consent of the countries downstream.' AS text
  UNION ALL SELECT 'Rivers are a shared good of the whole region.'
  UNION ALL SELECT 'Farmers should pay for the water they use, as cities do.') s
WHERE c.topic = 'Water across borders';`);
	cid = sqlite(srv.db, `SELECT id FROM conversation WHERE topic = 'Water across borders'`).trim();
	src = `${srv.url}/conversations/${cid}?embed=1&amp;xid=${XID}`;
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
	listed?.close();
	unlisted?.close();
});

const hostUrl = (s) => `http://localhost:${s.address().port}/`;

// The frame of harmony's page once its document is there.
async function harmonyFrame(page) {
	const el = await page.waitForSelector('iframe');
	const frame = await el.contentFrame();
	await frame.waitForLoadState('load');
	return frame;
}

test('a listed host site frames the compact page, and a vote is cast in it by the host\'s id', async () => {
	const ctx = await browser.newContext({ viewport: NARROW });
	const page = await ctx.newPage();
	await page.goto(hostUrl(listed));
	let frame = await harmonyFrame(page);
	await frame.waitForSelector('.dialogue-statement');
	assert.match(await frame.locator('.dialogue-progress').innerText(), /0 of 3/);
	assert.equal(await frame.locator('body.embedded').count(), 1);
	assert.equal(await frame.locator('.site-nav, .site-footer, .site-header').count(), 0, 'no site chrome');
	assert.equal(await frame.locator('.lang-switch a').count() >= 2, true, 'the language switcher');
	assert.equal(await frame.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth),
		0, 'the frame scrolls sideways');
	for (const sel of ['.dialogue-agree', '.dialogue-disagree', '.dialogue-pass']) {
		const box = await frame.locator(sel).boundingBox();
		assert.ok(box.height >= 44 && box.width >= 44, `${sel}: ${JSON.stringify(box)}`);
	}
	// no cookie of harmony's reaches a frame of another site
	assert.equal(await frame.evaluate(() => document.cookie), '');
	await page.screenshot({ path: path.join(SHOTS, 'embed-380.png'), fullPage: true });
	// the vote stays inside the frame: with script it is sent in the
	// background (the frame's address stays), without it the form posts
	// and is redirected back (with the language)
	await frame.locator('.dialogue-agree').click();
	await frame.waitForFunction(() => /1 of 3/.test(document.querySelector('.dialogue-progress')?.innerText ?? ''));
	frame = await harmonyFrame(page);
	assert.match(frame.url(), new RegExp(`/conversations/${cid}\\?embed=1(&lang=en)?&xid=${XID}$`));
	assert.equal(await frame.locator('body.embedded').count(), 1, 'still the compact page');
	assert.equal(page.url(), hostUrl(listed), 'the host page stays');
	const rows = sqlite(srv.db, `SELECT p.xid, count(v.statement_id) FROM dialogue_participant p
LEFT JOIN vote v ON v.participant_id = p.id WHERE p.conversation_id = ${cid} GROUP BY p.id`).trim();
	assert.equal(rows, `${XID}|1`);
	await ctx.close();
	// another visit, another browser: the same participant
	const ctx2 = await browser.newContext({ viewport: NARROW });
	const page2 = await ctx2.newPage();
	await page2.goto(hostUrl(listed));
	const f2 = await harmonyFrame(page2);
	await f2.waitForSelector('.dialogue-progress');
	assert.match(await f2.locator('.dialogue-progress').innerText(), /1 of 3/);
	await ctx2.close();
});

test('a host site that is not listed is refused the frame', async () => {
	const ctx = await browser.newContext({ viewport: NARROW });
	const page = await ctx.newPage();
	const refused = [];
	page.on('console', (m) => {
		if (/frame-ancestors/.test(m.text())) refused.push(m.text());
	});
	await page.goto(hostUrl(unlisted));
	const el = await page.waitForSelector('iframe');
	const frame = await el.contentFrame();
	await page.waitForTimeout(1500);
	const shown = await frame.evaluate(() => !!document.querySelector('.dialogue-statement')).catch(() => false);
	assert.equal(shown, false, 'the voting page shows in a frame of an unlisted site');
	assert.ok(refused.length > 0, `no refusal logged; frame: ${frame.url()}`);
	await ctx.close();
});
