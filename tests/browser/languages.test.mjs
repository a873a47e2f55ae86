// languages.test.mjs — the site in Arabic and Chinese in a real browser
// (Debian's chromium driven by playwright-core): Arabic pages mirror (the
// brand and the navigation start at the right edge, no sideways scroll on
// a laptop or a phone), axe-core finds no serious violation in either
// language, and switching language on a page or a half-filled form keeps
// the visitor where they were and what they typed. Screenshots of the
// Arabic pages go to build/screenshots/ar-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { AXE, LAUNCH } from './lib/chromium.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const EVENT = '/events/asia-south-pacific-shanghai-2012';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';

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

async function context(viewport, opts = {}) {
	const ctx = await browser.newContext({ viewport, ...opts });
	return { ctx, page: await ctx.newPage() };
}

// Where the header's parts are: the brand's and the first and second
// navigation items' boxes, the page's width, and whether it scrolls
// sideways.
const layout = (page) =>
	page.evaluate(() => {
		const box = (el) => el && el.getBoundingClientRect().toJSON();
		const nav = [...document.querySelectorAll('.site-nav li')];
		const root = document.scrollingElement;
		return {
			dir: getComputedStyle(document.documentElement).direction,
			width: root.clientWidth,
			sideways: root.scrollWidth > root.clientWidth,
			brand: box(document.querySelector('.brand')),
			wrap: box(document.querySelector('.header-inner')),
			nav0: box(nav[0]),
			nav1: box(nav[1]),
		};
	});

describe('Arabic reads right to left', () => {
	const PAGES = [['home', '/'], ['event', EVENT], ['news', '/news'], ['post', POST], ['sign-in', '/sign-in']];
	for (const [width, height, tag] of [[1280, 900, ''], [390, 844, '-phone']]) {
		test(`the public pages mirror at ${width} px`, async () => {
			const { ctx, page } = await context({ width, height }, { locale: 'ar' });
			try {
				for (const [id, url] of PAGES) {
					await page.goto(srv.url + url); // Accept-Language: ar, from the locale
					const l = await layout(page);
					assert.equal(l.dir, 'rtl', `${url}: direction`);
					assert.equal(l.sideways, false, `${url}: scrolls sideways at ${width} px`);
					// The brand starts at the right edge of the header...
					assert.ok(Math.abs(l.brand.right - l.wrap.right) < 32, `${url}: brand at ${l.brand.right}, header ends at ${l.wrap.right}`);
					// ...and the navigation's first item is right of its second.
					if (l.nav1 && Math.abs(l.nav0.top - l.nav1.top) < 4)
						assert.ok(l.nav0.left > l.nav1.left, `${url}: navigation runs right to left`);
					await page.screenshot({ path: path.join(SHOTS, `ar-${id}${tag}.png`), fullPage: true });
				}
			} finally {
				await ctx.close();
			}
		});
	}

	test('the admin pages mirror too', async () => {
		const { ctx, page } = await context({ width: 1280, height: 900 }, { locale: 'ar' });
		try {
			// The organiser's profile says English, which comes before the
			// browser's language: the switcher's choice comes before both.
			await page.goto(srv.url + '/language?to=ar&next=/sign-in');
			await page.locator('#f-email').fill(srv.organiser.email);
			await page.locator('#f-password').fill(srv.organiser.password);
			await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.locator('main form button[type=submit]').first().click()]);
			for (const [id, url] of [['admin', '/admin'], ['admin-event', `/admin${EVENT}/edit`]]) {
				const res = await page.goto(srv.url + url);
				assert.equal(res.status(), 200, url);
				const l = await layout(page);
				assert.equal(l.dir, 'rtl', url);
				assert.equal(l.sideways, false, `${url}: scrolls sideways`);
				assert.ok(Math.abs(l.brand.right - l.wrap.right) < 32, `${url}: brand at the right edge`);
				await page.screenshot({ path: path.join(SHOTS, `ar-${id}.png`), fullPage: true });
			}
		} finally {
			await ctx.close();
		}
	});
});

describe('accessibility in Arabic and Chinese (axe-core)', () => {
	for (const lang of ['ar', 'zh']) {
		for (const url of ['/', EVENT, '/news', POST, '/sign-in']) {
			test(`axe ${lang} ${url}`, async () => {
				// axe is injected as a script; the site's CSP rightly forbids that.
				const { ctx, page } = await context({ width: 1280, height: 900 }, { bypassCSP: true });
				try {
					const res = await page.goto(`${srv.url}${url}?lang=${lang}`);
					assert.equal(res.status(), 200);
					await page.addScriptTag({ path: AXE });
					const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
					const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
					assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], url);
				} finally {
					await ctx.close();
				}
			});
		}
	}
});

describe('switching language', () => {
	test('on a page: the same page, in the language chosen, and it stays chosen', async () => {
		const { ctx, page } = await context({ width: 1280, height: 900 });
		try {
			await page.goto(srv.url + '/events?page=1');
			await Promise.all([page.waitForURL(srv.url + '/events?page=1'), page.locator('.lang-switch a[lang=ar]').click()]);
			assert.equal(await page.getAttribute('html', 'lang'), 'ar');
			assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
			await page.goto(srv.url + '/news');
			assert.equal(await page.getAttribute('html', 'lang'), 'ar', 'the choice holds on the next page');
			assert.equal(await page.locator('.lang-switch a[aria-current]').getAttribute('lang'), 'ar');
		} finally {
			await ctx.close();
		}
	});

	test('on a form: what was typed is still there, passwords excepted', async () => {
		const { ctx, page } = await context({ width: 1280, height: 900 });
		try {
			await page.goto(srv.url + '/sign-in');
			await page.locator('#f-email').fill('ана.иванова@example.org');
			await page.locator('#f-password').fill('a secret never kept');
			await Promise.all([page.waitForURL(srv.url + '/sign-in'), page.locator('.lang-switch a[lang=fr]').click()]);
			await page.waitForLoadState('load');
			assert.equal(await page.getAttribute('html', 'lang'), 'fr');
			assert.equal(await page.locator('#f-email').inputValue(), 'ана.иванова@example.org');
			assert.equal(await page.locator('#f-password').inputValue(), '', 'a password is never kept');
			// Kept once: coming back later starts empty.
			await page.goto(srv.url + '/sign-in');
			assert.equal(await page.locator('#f-email').inputValue(), '');
		} finally {
			await ctx.close();
		}
	});
});
