// programme-print.test.mjs — the public programme on paper and the venue
// screens' "now and next" in a real browser: with print media the
// navigation is hidden, sessions are not split across pages, and the PDF
// Chromium prints with the page's own size (preferCSSPageSize) is A4 with
// the first session in it (read by poppler's pdfinfo and pdftotext);
// "now and next" fits a 390-px phone, right to left too. Screenshots in
// build/screenshots/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAUNCH } from './lib/chromium.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const EVENT = '/events/asia-south-pacific-shanghai-2012';
const AT = encodeURIComponent('2012-11-29T09:50:00+08:00');

let srv, browser;
before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
});

const poppler = (tool, args) => spawnSync(tool, args, { encoding: 'utf8' });

describe('the programme on paper', () => {
	test('print media hides the navigation and keeps sessions whole; the PDF is A4 with the first session', async (t) => {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(`${srv.url}${EVENT}/programme`);
		await page.emulateMedia({ media: 'print' });
		for (const sel of ['.site-header', '.site-footer', '.breadcrumb', '.programme-links'])
			assert.equal(await page.$eval(sel, (e) => getComputedStyle(e).display), 'none', `${sel} hidden in print`);
		assert.equal(await page.$eval('.programme-item', (e) => getComputedStyle(e).breakInside), 'avoid');
		assert.equal(await page.$eval('.programme-page h2', (e) => getComputedStyle(e).breakAfter), 'avoid');
		await page.emulateMedia({ media: 'screen' });
		assert.notEqual(await page.$eval('.site-header', (e) => getComputedStyle(e).display), 'none', 'on screen it is there');
		// page.pdf prints with the media emulated: print again
		await page.emulateMedia({ media: 'print' });
		const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
		await context.close();
		if (poppler('pdfinfo', ['-v']).error) {
			assert.ok(process.env.CI !== 'true', 'pdfinfo absent (poppler-utils; CI=true needs it)');
			t.skip('pdfinfo absent (apt-get install poppler-utils)');
			return;
		}
		const dir = mkdtempSync(path.join(os.tmpdir(), 'hm-print-'));
		try {
			const f = path.join(dir, 'programme.pdf');
			writeFileSync(f, pdf);
			writeFileSync(path.join(SHOTS, 'programme-print.pdf'), pdf);
			const info = poppler('pdfinfo', [f]).stdout;
			assert.ok(Number(/Pages:\s+(\d+)/.exec(info)?.[1]) >= 1, info);
			assert.match(info, /Page size:\s+59[45](\.\d+)? x 841(\.\d+)? pts \(A4\)/, 'the page\'s @page size: A4');
			const text = poppler('pdftotext', ['-layout', f, '-']).stdout;
			assert.match(text, /Opening: Harmony through Diversity and Dialogue/);
			assert.doesNotMatch(text, /Skip to main content|Add the programme to your calendar/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('now and next on a screen and a phone', () => {
	for (const lang of ['en', 'ar']) {
		test(`at 390 px (${lang}): nothing wider than the screen, the running session in big type`, async () => {
			const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
			const page = await context.newPage();
			const errors = [];
			page.on('pageerror', (e) => errors.push(e.message));
			await page.goto(`${srv.url}${EVENT}/now?at=${AT}&lang=${lang}`);
			const wide = await page.evaluate(() => document.documentElement.scrollWidth);
			assert.ok(wide <= 390, `the page is ${wide} px wide`);
			assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');
			const size = await page.$eval('.now-running .now-title', (e) => parseFloat(getComputedStyle(e).fontSize));
			assert.ok(size >= 20, `the title is ${size} px`);
			await page.screenshot({ path: path.join(SHOTS, `programme-now-390-${lang}.png`), fullPage: true });
			assert.deepEqual(errors, []);
			await context.close();
		});
	}
	test('on a wide screen the rooms sit side by side', async () => {
		const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
		const page = await context.newPage();
		await page.goto(`${srv.url}${EVENT}/now?at=${AT}`);
		const tops = await page.$$eval('.now-room', (els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
		assert.ok(tops.length >= 2 && tops[0] === tops[1], `rooms in a row: ${tops}`);
		await page.screenshot({ path: path.join(SHOTS, 'programme-now-1920.png') });
		await context.close();
	});
});
