// agenda.test.mjs — a reader's own programme in a real browser on a 390-px
// phone: the places left and the Star / Take a place buttons of a session's
// page, the agenda with its calendar address; nothing pushes the page
// sideways, right to left too, and axe-core finds no serious or critical
// violation; screenshots in build/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { axeSerious, LAUNCH } from './lib/chromium.mjs';
import { addAccount, PASSWORD } from '../e2e/lib/accounts.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';
import { sqlite } from '../e2e/lib/sqlite.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const SH = 'asia-south-pacific-shanghai-2012';
const READER = { email: 'agenda-reader@example.org', name: 'Agenda Reader' };
let srv, browser, session;

before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	addAccount(srv.db, READER);
	// a released session of the demo made limited, as a release with a capacity has it
	session = sqlite(srv.db, `SELECT rs.session_id FROM programme_release_session rs JOIN programme_release r ON r.id = rs.release_id
JOIN event e ON e.id = r.event_id WHERE e.slug = '${SH}' AND rs.visibility = 'public' AND rs.kind = 'workshop' ORDER BY rs.starts_at LIMIT 1;`).trim();
	assert.ok(session, 'a released workshop in the demo');
	sqlite(srv.db, `UPDATE programme_release_session SET capacity = 12 WHERE session_id = ${session};`);
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
});

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);


test('on a phone: star a session, take a place, find it in the agenda with a calendar address', async () => {
	const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
	const page = await context.newPage();
	const url = `${srv.url}/events/${SH}/sessions/${session}`;
	await page.goto(url);
	assert.match(await page.locator('#session-places').innerText(), /12 places left/);
	// a visitor is asked to sign in, and comes back to the session
	await Promise.all([page.waitForURL(/\/sign-in/), page.getByRole('link', { name: 'Sign in to star' }).click()]);
	await page.locator('#f-email').fill(READER.email);
	await page.locator('#f-password').fill(PASSWORD);
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.locator('form button[type=submit]').last().click()]);
	assert.equal(new URL(page.url()).pathname, `/events/${SH}/sessions/${session}`);
	await Promise.all([page.waitForLoadState('load'), page.locator('#star').click()]);
	await page.locator('#unstar').waitFor();
	await Promise.all([page.waitForLoadState('load'), page.locator('#take-place').click()]);
	await page.locator('#give-up').waitFor();
	assert.match(await page.locator('#session-places').innerText(), /11 places left/);
	assert.ok(await overflow(page) <= 0, 'the session page fits the phone');
	await page.screenshot({ path: path.join(SHOTS, 'agenda-session-phone.png'), fullPage: true });
	await axeSerious(page, 'session page, signed in');

	await page.goto(`${srv.url}/agenda`);
	assert.equal(await page.locator(`.programme-item[data-id="${session}"]`).count(), 1);
	await Promise.all([page.waitForURL(/done=feed/), page.locator('#new-feed').click()]);
	assert.match(await page.locator('#feed-url').inputValue(), /\/agenda\/[A-Za-z0-9_-]{43}\.ics$/);
	assert.ok(await overflow(page) <= 0, 'the agenda fits the phone');
	await page.screenshot({ path: path.join(SHOTS, 'agenda-phone.png'), fullPage: true });
	await axeSerious(page, 'agenda');
	// right to left
	await page.goto(`${srv.url}/agenda?lang=ar`);
	assert.ok(await overflow(page) <= 0, 'the agenda fits the phone, right to left');
	await context.close();
});
