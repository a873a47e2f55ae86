// forms.test.mjs — the error summary in a real browser (Debian's chromium
// driven by playwright-core): a form sent with mistakes comes back with
// the focus on its summary (site.js), so a screen reader reads what is
// wrong first; following a link of the summary puts the focus in the
// field it names. Deleting asks first and says so, without script too.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAUNCH } from './lib/chromium.mjs';
import { addAccount, PASSWORD } from '../e2e/lib/accounts.mjs';
import { makeDemo, startServer, tempDir } from '../e2e/lib/server.mjs';


let srv, browser, dir;
before(async () => {
	dir = tempDir();
	const db = makeDemo(path.join(dir, 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	srv = await startServer({ db });
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signedInPage(opts = {}) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
	const page = await context.newPage();
	const problems = [];
	page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	page.on('console', (m) => {
		// The form's answer is a 400, which chromium reports; anything else counts.
		if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`);
	});
	await page.goto(srv.url + '/sign-in');
	await page.locator('#f-email').fill('admin@example.org');
	await page.locator('#f-password').fill(PASSWORD);
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in'), { timeout: 10000 }).catch(async (e) => {
		throw new Error(`${e.message}\n${page.url()}\n${(await page.locator('main').textContent()).replace(/\s+/g, " ").slice(0, 600)}`);
	}), page.locator('main form button[type=submit]').first().click()]);
	return { page, context, problems };
}

const focusedId = (page) => page.evaluate(() => document.activeElement?.id);

test('a post sent without a title: focus on the summary, then on the title through its link', async () => {
	const { page, context, problems } = await signedInPage();
	try {
		await page.goto(srv.url + '/admin/news/new');
		await page.locator('#f-title').fill('');
		await page.locator('#f-published_at').fill('');
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		await page.waitForSelector('[data-error-summary]');
		assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary')), true,
			'the summary has the focus');
		const link = page.locator('[data-error-summary] a[href="#f-title"]');
		assert.match(await link.textContent(), /^Title: /);
		await link.click();
		assert.equal(await focusedId(page), 'f-title', 'the title field has the focus');
		assert.deepEqual(problems, []);
	} finally {
		await context.close();
	}
});

test('an event with two mistakes: every summary link focuses its field', async () => {
	const { page, context, problems } = await signedInPage();
	try {
		await page.goto(srv.url + '/admin/events/new');
		await page.locator('#f-title').fill('');
		await page.locator('#f-starts_on').fill('');
		await page.getByRole('button', { name: 'Create the event' }).click();
		await page.waitForSelector('[data-error-summary]');
		assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary')), true);
		const hrefs = await page.locator('[data-error-summary] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
		assert.ok(hrefs.length >= 2, hrefs.join(' '));
		for (const href of hrefs) {
			await page.locator(`[data-error-summary] a[href="${href}"]`).click();
			const id = await page.evaluate(() => document.activeElement?.id);
			assert.ok(id === href.slice(1) || id.startsWith(`${href.slice(1)}-`), `${href} focused ${id}`);
		}
		// The limits are said beside the fields.
		assert.equal(await page.locator('#f-title-limit').textContent(), 'At most 200 characters.');
		assert.deepEqual(problems, []);
	} finally {
		await context.close();
	}
});

test('deleting a category asks first, also without script, and Undo brings it back', async () => {
	const { page, context } = await signedInPage({ javaScriptEnabled: false });
	try {
		await page.goto(srv.url + '/admin/categories/new');
		await page.locator('#f-name').fill('Short-lived');
		await page.getByRole('button', { name: /Create|Save/ }).first().click();
		await page.goto(srv.url + '/admin/categories');
		await page.getByRole('button', { name: 'Delete Short-lived' }).click();
		assert.match(await page.locator('main h1').textContent(), /Delete “Short-lived”\?/);
		await page.getByRole('button', { name: 'Yes, delete it' }).click();
		assert.match(await page.locator('main').textContent(), /Deleted\./);
		assert.equal(await page.getByRole('row', { name: /Short-lived/ }).count(), 0);
		await page.getByRole('button', { name: 'Undo' }).click();
		await page.goto(srv.url + '/admin/categories');
		assert.equal(await page.getByRole('row', { name: /Short-lived/ }).count(), 1);
	} finally {
		await context.close();
	}
});
