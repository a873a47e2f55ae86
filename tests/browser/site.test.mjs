// site.test.mjs — the public site in a real browser (Debian's chromium
// driven by playwright-core): a visitor's path from the home page to the
// Shanghai event and its news post, what they see on the way, the pages'
// accessibility (axe-core: no serious or critical violations), keyboard
// use (skip link, visible focus), no console or CSP errors, and
// screenshots in build/screenshots/ for a person to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { AXE, LAUNCH } from './lib/chromium.mjs';
import { dateHas } from '../e2e/lib/html.mjs';
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

// A page that records what goes wrong in it: console errors (CSP
// violations are reported there), uncaught exceptions, failed requests and
// sub-resources answered with an error status.
async function openPage(opts = {}) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
	const page = await context.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error') problems.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	// a load the browser itself cancels when the page navigates away (a
	// click before the logo arrived) is no failure of the server's
	page.on('requestfailed', (r) => r.failure()?.errorText === 'net::ERR_ABORTED' && !r.isNavigationRequest()
		? undefined : problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
	page.on('response', (r) => {
		if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`HTTP ${r.status()}: ${r.url()}`);
	});
	return { page, context, problems };
}

// The <dt> → <dd> facts of an event page, as rendered text.
const factsOf = (page) =>
	page.evaluate(() => Object.fromEntries([...document.querySelectorAll('dl.facts dt')].map((dt) => [dt.innerText.trim(), dt.nextElementSibling?.innerText.trim() ?? ''])));

const visible = async (locator, what) => assert.ok(await locator.first().isVisible(), `${what} is visible`);

describe('a visitor', () => {
	test('visitor_goes_from_home_to_the_event_and_its_post', async () => {
		const { page, context, problems } = await openPage();
		try {
			await page.goto(srv.url + '/');
			assert.equal(await page.title(), 'Home · United Nations Alliance of Civilizations');
			await visible(page.getByRole('heading', { name: 'Harmony Through Diversity and Dialogue' }), 'featured post');
			await page.screenshot({ path: path.join(SHOTS, 'home.png'), fullPage: true });

			// The event, by the link text a person reads.
			await page.getByRole('link', { name: 'Regional Consultations for Asia-South Pacific' }).first().click();
			await page.waitForURL(srv.url + EVENT);
			assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Regional Consultations for Asia-South Pacific');
			await visible(page.getByText('Harmony through Diversity and Dialogue'), 'theme');
			const facts = await factsOf(page);
			assert.ok(dateHas(facts.Dates ?? '', { days: [29, 30], month: 'November', year: 2012 }), `dates: ${facts.Dates}`);
			assert.equal(facts.Place, 'Shanghai, China');
			assert.equal(facts['Time zone'], 'China Standard Time (GMT+08:00) · Asia/Shanghai');
			assert.match(facts.Participants ?? '', /150/);
			for (const s of ['Governments', 'Academia', 'Corporations', 'NGOs', 'Cultural organisations'])
				assert.ok(facts.Sectors?.includes(s), `sector ${s}`);
			for (const name of ['United Nations Alliance of Civilizations', 'UN Association of China', 'Fudan University',
				'Shanghai Academy of Social Sciences', 'Centre for Dialogue at La Trobe University', 'International Movement for a Just World'])
				await visible(page.getByRole('link', { name, exact: true }), name);
			await visible(page.locator('li.org', { hasText: 'La Trobe' }).getByText('Australia'), 'Australia');
			await visible(page.locator('li.org', { hasText: 'Just World' }).getByText('Malaysia'), 'Malaysia');
			await visible(page.getByText('Jean-Christophe Bas'), 'contact name');
			await visible(page.getByText('Senior Advisor, Strategic Development and Partnerships'), 'contact title');
			const mail = page.getByRole('link', { name: 'basj@un.org' });
			await visible(mail, 'e-mail link');
			assert.equal(await mail.getAttribute('href'), 'mailto:basj@un.org');
			await page.screenshot({ path: path.join(SHOTS, 'event.png'), fullPage: true });

			// The post, from the event's news list.
			await page.getByRole('region', { name: 'News about this event' })
				.getByRole('link', { name: 'Harmony Through Diversity and Dialogue' }).click();
			await page.waitForURL(srv.url + POST);
			assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Harmony Through Diversity and Dialogue');
			const posted = await page.locator('.post-date').innerText();
			assert.ok(/^Posted on /.test(posted) && dateHas(posted, { days: [12], month: 'November', year: 2012 }), posted);
			// The demo ships no photo, so no photo credit either.
			assert.equal(await page.locator('main figcaption').count(), 0, 'no orphan photo credit');
			const strong = page.locator('main strong').getByText('Shanghai Consultations', { exact: true });
			await visible(strong, 'bold text');
			assert.ok(Number(await strong.evaluate((e) => getComputedStyle(e).fontWeight)) >= 600, 'bold looks bold');
			await visible(page.getByText('will bring together 150 participants'), 'body text');
			for (const [name, href] of [['Featured', '/news/category/featured'], ['UNAOC Event', '/news/category/unaoc-event']]) {
				const a = page.locator('.post-categories').getByRole('link', { name });
				await visible(a, `category ${name}`);
				assert.equal(await a.getAttribute('href'), href);
			}
			await page.screenshot({ path: path.join(SHOTS, 'post.png'), fullPage: true });

			// And on to a category.
			await page.locator('.post-categories').getByRole('link', { name: 'UNAOC Event' }).click();
			await page.waitForURL(srv.url + '/news/category/unaoc-event');
			assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'UNAOC Event');
			assert.deepEqual(problems, [], 'no console errors, CSP violations or failed requests');
		} finally {
			await context.close();
		}
	});

	test('visitor_reaches_the_post_from_the_home_page', async () => {
		const { page, context, problems } = await openPage();
		try {
			await page.goto(srv.url + '/');
			await page.locator('.hero').getByRole('link', { name: 'Harmony Through Diversity and Dialogue', exact: true }).click();
			await page.waitForURL(srv.url + POST);
			assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Harmony Through Diversity and Dialogue');
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});

	test('visitor_on_a_phone_sees_the_event_without_sideways_scrolling', async () => {
		const { page, context, problems } = await openPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
		try {
			await page.goto(srv.url + EVENT);
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
			await visible(page.getByRole('link', { name: 'basj@un.org' }), 'contact on a phone');
			await page.screenshot({ path: path.join(SHOTS, 'event-phone.png'), fullPage: true });
			assert.deepEqual(problems, []);
		} finally {
			await context.close();
		}
	});
});

describe('screen readers', () => {
	test('category_links_are_named_by_their_category_alone', async () => {
		// A separator drawn with ::before inside the second link becomes part
		// of its name (", UNAOC Event") and is underlined with it.
		const { page, context } = await openPage();
		try {
			for (const [url, scope] of [[POST, '.post-categories'], ['/news', '.card-kicker']]) {
				await page.goto(srv.url + url);
				for (const name of ['Featured', 'UNAOC Event']) {
					const n = await page.locator(scope).getByRole('link', { name, exact: true }).count();
					assert.ok(n >= 1, `${url}: no link named exactly "${name}" in ${scope}`);
				}
			}
		} finally {
			await context.close();
		}
	});
});

describe('keyboard', () => {
	test('keyboard_skip_link_comes_first_and_moves_focus_to_main', async () => {
		const { page, context } = await openPage();
		try {
			await page.goto(srv.url + '/');
			await page.keyboard.press('Tab');
			const first = await page.evaluate(() => {
				const e = document.activeElement;
				const r = e.getBoundingClientRect();
				return { tag: e.tagName, text: e.innerText.trim(), href: e.getAttribute('href'), top: r.top, bottom: r.bottom, width: r.width };
			});
			assert.deepEqual([first.tag, first.text, first.href], ['A', 'Skip to main content', '#main'], 'first Tab stop');
			assert.ok(first.top >= 0 && first.bottom <= 900 && first.width > 20, 'the skip link shows on screen when focused');
			await page.keyboard.press('Enter');
			assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'Enter moves focus to main');
			await page.keyboard.press('Tab');
			const next = await page.evaluate(() => ({
				inMain: !!document.activeElement.closest('main'),
				text: document.activeElement.innerText.trim(),
			}));
			assert.ok(next.inMain, `the next Tab stays in main (went to "${next.text}")`);
		} finally {
			await context.close();
		}
	});

	test('keyboard_focus_is_visible', async () => {
		const { page, context } = await openPage();
		try {
			await page.goto(srv.url + EVENT);
			// Several Tab stops: skip link, brand, navigation, links in main.
			const seen = [];
			for (let i = 0; i < 8; i++) {
				await page.keyboard.press('Tab');
				seen.push(await page.evaluate(() => {
					const e = document.activeElement;
					const s = getComputedStyle(e);
					return {
						what: `${e.tagName} ${e.innerText.trim().slice(0, 30)}`,
						outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
						shadow: s.boxShadow !== 'none',
					};
				}));
			}
			const invisible = seen.filter((f) => !f.outline && !f.shadow).map((f) => f.what);
			assert.deepEqual(invisible, [], 'every focused element shows an outline or ring');
		} finally {
			await context.close();
		}
	});
});

describe('accessibility (axe-core)', () => {
	const PAGES = [
		['home', '/'], ['events', '/events'], ['series', '/series/regional-consultations'], ['event', EVENT],
		['event_month_precision', '/events/asia-pacific-auckland-2007'], ['news', '/news'], ['post', POST],
		['category', '/news/category/featured'], ['organisation', '/organisations/unaoc'], ['not_found', '/no/such/page'],
	];
	// axe is injected as a script; the site's CSP rightly forbids that, so
	// this one context bypasses it. One page serves every check.
	let axePage;
	before(async () => {
		axePage = await openPage({ bypassCSP: true });
	});
	after(async () => {
		await axePage?.context.close();
	});
	for (const [id, url] of PAGES) {
		test(`axe_${id}`, async () => {
			const { page } = axePage;
			const res = await page.goto(srv.url + url);
			assert.equal(res.status(), id === 'not_found' ? 404 : 200);
			await page.addScriptTag({ path: AXE });
			const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
			const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
			const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n` +
				v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ')}`).join('\n')).join('\n');
			assert.equal(bad.length, 0, `${url}: axe violations:\n${report}`);
		});
	}
});
