// programme.test.mjs — the programme's editing and release in a real
// browser (Debian's chromium driven by playwright-core): the demo's
// organiser adds a session that clashes with the opening in the Main Hall,
// sees the warning on the session's page, moves it to a room of its own
// and sees the warning go, releases the new version with a note; a
// participant in a separate browser finds the session on the public
// programme, stars it, makes their calendar address and finds the session
// in that feed at the event's hours. axe-core checks the admin pages
// (no serious or critical violation); screenshots go to build/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { axeSerious, LAUNCH } from './lib/chromium.mjs';
import { addAccount, PASSWORD } from '../e2e/lib/accounts.mjs';
import { request } from '../e2e/lib/http.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const SH = 'asia-south-pacific-shanghai-2012';
const READER = { email: 'programme-reader@example.org', name: 'Programme Reader' };
const TITLE = 'Youth voices on diversity';
let srv, browser;

before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	addAccount(srv.db, READER);
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
});


async function signIn(page, email, password) {
	await page.goto(`${srv.url}/sign-in`);
	await page.locator('#f-email').fill(email);
	await page.locator('#f-password').fill(password);
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.locator('form button[type=submit]').last().click()]);
}

test('an organiser clashes, sees it, fixes it and releases; a participant stars the session and finds it in their feed', async () => {
	const org = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
	const page = await org.newPage();
	await signIn(page, srv.organiser.email, srv.organiser.password);

	// a room of its own, for the fix
	await page.goto(`${srv.url}/admin/events/${SH}/programme`);
	await page.locator('#f-name').fill('Youth Room');
	await page.locator('#f-capacity').fill('40');
	await Promise.all([page.waitForURL(/done=saved/), page.getByRole('button', { name: 'Add the room' }).click()]);

	// a session in the Main Hall while the opening is on there (09:00–09:45)
	await page.goto(`${srv.url}/admin/events/${SH}/sessions/new`);
	await page.locator('#f-title').fill(TITLE);
	await page.locator('#f-starts_at').fill('2012-11-29T09:30');
	await page.locator('#f-ends_at').fill('2012-11-29T10:15');
	await page.locator('#f-room').selectOption('Main Hall');
	// warned as the form is filled in, before anything is saved
	const live = page.locator('[data-live-conflicts] li[data-type="room"]');
	await live.first().waitFor();
	assert.match((await live.allInnerTexts()).join('\n'), /Main Hall has two sessions at once/);
	await Promise.all([page.waitForURL(/\/admin\/sessions\/\d+\/edit/), page.getByRole('button', { name: 'Add the session' }).click()]);
	const id = /\/admin\/sessions\/(\d+)\/edit/.exec(page.url())[1];
	const warnings = page.locator('.conflict-list li[data-type="room"]');
	await warnings.first().waitFor();
	assert.match((await warnings.allInnerTexts()).join('\n'), /Main Hall has two sessions at once\.[\s\S]*Opening: Harmony through Diversity and Dialogue/);
	await page.screenshot({ path: path.join(SHOTS, 'programme-conflict.png'), fullPage: true });
	await axeSerious(page, 'the session form with a conflict');

	// the fix: its own room; the warning goes, as soon as the room is chosen
	await page.locator('#f-room').selectOption('Youth Room');
	await page.locator('[data-live-conflicts]').waitFor({ state: 'hidden' });
	await Promise.all([page.waitForURL(/done=saved/), page.getByRole('button', { name: 'Save changes' }).click()]);
	assert.equal(await page.locator('.conflict-list li').count(), 0, 'no conflict left');

	// the tab lists it as not yet released; release it with a note
	await page.goto(`${srv.url}/admin/events/${SH}/programme`);
	assert.match(await page.locator('#pending').innerText(), new RegExp(`Added\\s*${TITLE}`));
	await axeSerious(page, 'the programme tab');
	await page.locator('#f-note').fill('A session for the youth delegates.');
	await Promise.all([page.waitForURL(/done=released/), page.getByRole('button', { name: 'Release this version' }).click()]);
	assert.match(await page.locator('.notice, [role=status]').first().innerText(), /Released/);
	assert.match(await page.locator('main').innerText(), /Everything is released/);
	await org.close();

	// a participant, in a browser of their own
	const reader = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
	const rp = await reader.newPage();
	await signIn(rp, READER.email, PASSWORD);
	await rp.goto(`${srv.url}/events/${SH}/programme`);
	await Promise.all([rp.waitForURL(new RegExp(`/sessions/${id}$`)), rp.getByRole('link', { name: TITLE }).click()]);
	assert.match(await rp.locator('main').innerText(), /Youth Room/);
	await Promise.all([rp.waitForLoadState('load'), rp.locator('#star').click()]);
	await rp.locator('#unstar').waitFor();
	await rp.goto(`${srv.url}/agenda`);
	assert.equal(await rp.locator(`.programme-item[data-id="${id}"]`).count(), 1, 'the starred session is on the agenda');
	await Promise.all([rp.waitForURL(/done=feed/), rp.locator('#new-feed').click()]);
	const feed = await rp.locator('#feed-url').inputValue();
	await reader.close();

	// the calendar app, with no cookie
	const r = await request(feed);
	assert.equal(r.status, 200);
	assert.match(r.body, new RegExp(`SUMMARY:${TITLE}`));
	assert.match(r.body, /DTSTART;TZID=Asia\/Shanghai:20121129T093000\r\n/);
	assert.match(r.body, /LOCATION:Youth Room/);
});
