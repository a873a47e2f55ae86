// phone.test.mjs — every admin page on a phone (390×844, in a real
// browser: Debian's chromium driven by playwright-core), as the demo
// organiser and as an administrator: the page never scrolls sideways (a
// table becomes cards or scrolls inside its own box, the menus fit in a
// line, forms fit the width) and its heading starts within the first
// 300 px, so the header and the admin menu do not push the content off the
// first screen. axe-core finds no violation of moderate impact or worse on
// the admin pages on a phone and on a laptop. The same in Arabic, and the
// public pages with a word too long for a phone's line. Screenshots go to
// build/screenshots/phone-390-*.png and phone-1280-*.png.
//
// The admin pages are taken from the route tables (every GET /admin… route
// and one's own /account pages), so a new page is checked the day it lands.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAUNCH } from './lib/chromium.mjs';
import { addAccount, PASSWORD } from '../e2e/lib/accounts.mjs';
import { ORG, routeTable, SERIES, SHANGHAI } from '../e2e/lib/routes.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = path.join(ROOT, 'build/screenshots');
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 900 };
const ADMIN = { email: 'phone-admin@example.org', password: PASSWORD };
// A word no phone's line holds, in a post's title and an organisation's name.
const LONG = 'Interkulturdialogverständigungsbeauftragtenkonferenzvorbereitungsausschuss';

let srv, browser, organiser;
before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	organiser = srv.organiser;
	assert.ok(organiser, 'the demo names its organiser');
	addAccount(srv.db, { email: ADMIN.email, name: 'Phone Admin', role: 'admin' });
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
});

async function signedIn(who, viewport) {
	const ctx = await browser.newContext({ viewport });
	const page = await ctx.newPage();
	await page.goto(srv.url + '/sign-in');
	await page.locator('#f-email').fill(who.email);
	await page.locator('#f-password').fill(who.password);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
		page.locator('main form button[type=submit]').first().click(),
	]);
	return { ctx, page };
}

// What the page looks like: does it scroll sideways, what sticks out (for
// the message), and where its first heading starts.
const measure = (page) =>
	page.evaluate(() => {
		const root = document.scrollingElement;
		const width = root.clientWidth;
		const out = [];
		for (const el of document.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.width && (r.right > width + 1 || r.left < -1)) {
				// Inside a box that scrolls by itself is fine.
				let p = el.parentElement;
				while (p && p !== document.body && getComputedStyle(p).overflowX === 'visible') p = p.parentElement;
				if (p && p !== document.body) continue;
				// Only the outermost culprit: skip those inside one already named.
				if (out.some((o) => o.el.contains(el))) continue;
				out.push({ el, what: `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} [${Math.round(r.left)}, ${Math.round(r.right)}]` });
			}
		}
		const h1 = document.querySelector('main h1');
		return {
			sideways: root.scrollWidth > root.clientWidth,
			scrollWidth: root.scrollWidth,
			width,
			culprits: out.slice(0, 6).map((o) => o.what),
			h1Top: h1 ? h1.getBoundingClientRect().top + window.scrollY : null,
		};
	});

async function axeViolations(page) {
	if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	return r.violations
		.filter((v) => ['moderate', 'serious', 'critical'].includes(v.impact))
		.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

// The admin pages, from the route tables: each {param} is filled with a
// thing of the demo (or one made here) according to the path before it.
// Made once (the sweeps may ask at the same time): the promise is kept.
let adminUrlsMade;
function adminPages() {
	adminUrlsMade ??= makeAdminPages();
	return adminUrlsMade;
}
async function makeAdminPages() {
	const { ctx, page } = await signedIn(ADMIN, LAPTOP);
	try {
		// A message in the outbox: a forgotten password.
		const visitor = await browser.newContext();
		const v = await visitor.newPage();
		await v.goto(srv.url + '/forgot-password');
		await v.locator('#f-email').fill(organiser.email);
		await Promise.all([v.waitForLoadState(), v.locator('main form button[type=submit]').click()]);
		await visitor.close();
		// An API token, so /account shows its table (which scrolls in its box).
		await page.goto(srv.url + '/account');
		await page.locator('#f-label').fill('Phone test reader');
		await page.locator('#f-password').fill(ADMIN.password);
		await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Create token' }).click()]);

		// A conversation with seed statements (long words among them), made
		// through its form, for the dialogue's pages.
		await page.goto(srv.url + `/admin/events/${SHANGHAI}/conversations`);
		await page.locator('#f-topic').fill(`${LONG} water`);
		await page.locator('#f-question').fill(`How should the ${LONG} share rivers?`);
		await Promise.all([page.waitForURL(/\/admin\/conversations\/\d+/), page.getByRole('button', { name: 'Create the conversation' }).click()]);
		const conversation = /\/admin\/conversations\/(\d+)/.exec(page.url())[1];
		await page.locator('#f-texts').fill(`Rivers are shared\nThe ${LONG} decides\nWells before dams`);
		await Promise.all([page.waitForURL(/done=seeded-3/), page.getByRole('button', { name: 'Add the statements' }).click()]);

		// A room and a session of the Shanghai programme (long words in
		// both), made through their forms, for the programme's pages.
		await page.goto(srv.url + `/admin/events/${SHANGHAI}/programme`);
		await page.locator('#f-name').fill(`${LONG} hall`);
		await Promise.all([page.waitForURL(/done=saved/), page.getByRole('button', { name: 'Add the room' }).click()]);
		await page.goto(srv.url + `/admin/events/${SHANGHAI}/sessions/new`);
		await page.locator('#f-title').fill(`The ${LONG} and regional cooperation`);
		await page.locator('#f-starts_at').fill('2012-11-29T09:30');
		await page.locator('#f-ends_at').fill('2012-11-29T11:00');
		await page.locator('#f-room').selectOption(`${LONG} hall`);
		await Promise.all([page.waitForURL(/\/admin\/sessions\/\d+\/edit/), page.getByRole('button', { name: 'Add the session' }).click()]);
		const session = /\/admin\/sessions\/(\d+)/.exec(page.url())[1];

		const firstId = async (list, re) => {
			await page.goto(srv.url + list);
			const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
			const m = hrefs.map((h) => re.exec(h)).find(Boolean);
			assert.ok(m, `${list} links to one (${re})`);
			return m[1];
		};
		const ids = {
			events: SHANGHAI,
			series: SERIES,
			organisations: ORG,
			news: await firstId('/admin/news', /^\/admin\/news\/(\d+)/),
			categories: await firstId('/admin/categories', /^\/admin\/categories\/(\d+)/),
			accounts: await firstId('/admin/accounts', /^\/admin\/accounts\/(\d+)/),
			outbox: await firstId('/admin/outbox', /^\/admin\/outbox\/(\d+)/),
			conversations: conversation,
			// a statement's translations, linked from the moderation queue
			statements: await firstId(`/admin/conversations/${conversation}/statements`, /^\/admin\/statements\/(\d+)\/translations/),
			sessions: session,
			people: await firstId(`/admin/events/${SHANGHAI}/people`, /^\/admin\/events\/[^/]+\/people\/(\d+)\/edit/),
			// a thing's version in another language (events, series, organisations, posts)
			translations: 'fr',
		};
		const urls = new Set();
		for (const r of routeTable()) {
			if (r.method !== 'GET') continue;
			// files (a CSV export, badges as PDF) are downloads, not pages
			if (/\.(csv|pdf)$/.test(r.pattern)) continue;
			if (!r.pattern.startsWith('/admin') && !(r.pattern.startsWith('/account') && /WEB_SELF/.test(r.flags))) continue;
			const url = r.pattern.replace(/\/([a-z-]+)\/\{(\w+)\}/g, (all, section) => {
				assert.ok(ids[section], `phone.test.mjs knows no ${section} to fill ${r.pattern} with`);
				return `/${section}/${ids[section]}`;
			});
			assert.ok(!url.includes('{'), `every parameter of ${r.pattern} filled`);
			urls.add(url);
		}
		// The demo's own conversation (the event's oldest): its participants
		// page has a full page of rows, names among them.
		await page.goto(srv.url + `/admin/events/${SHANGHAI}/conversations`);
		const convIds = (await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
			.map((h) => /^\/admin\/conversations\/(\d+)$/.exec(h)?.[1]).filter(Boolean).map(Number);
		const participantsUrl = `/admin/conversations/${Math.min(...convIds)}/participants`;
		urls.add(participantsUrl);
		const adminUrls = [...urls];
		for (const must of ['/admin', '/admin/events', `/admin/events/${SHANGHAI}/edit`, `/admin/series/${SERIES}/edit`,
			`/admin/organisations/${ORG}/edit`, `/admin/news/${ids.news}/edit`, `/admin/categories/${ids.categories}/edit`,
			`/admin/accounts/${ids.accounts}`, '/admin/audit', '/admin/outbox', `/admin/outbox/${ids.outbox}`,
			`/admin/events/${SHANGHAI}/conversations`, `/admin/conversations/${ids.conversations}`,
			`/admin/conversations/${ids.conversations}/statements`, participantsUrl,
			`/admin/events/${SHANGHAI}/programme`, `/admin/events/${SHANGHAI}/sessions/new`, `/admin/sessions/${ids.sessions}/edit`])
			assert.ok(adminUrls.includes(must), `${must} is among the pages checked`);
		return adminUrls;
	} finally {
		await ctx.close();
	}
}

// The pages worth a screenshot: [name, url].
const MAIN = (urls) => [
	['dashboard', '/admin'], ['events', '/admin/events'], ['event', `/admin/events/${SHANGHAI}/edit`],
	['event-organisations', `/admin/events/${SHANGHAI}/organisations`], ['series', '/admin/series'],
	['organisations', '/admin/organisations'], ['news', '/admin/news'],
	['post', urls.find((u) => /^\/admin\/news\/\d+\/edit$/.test(u))], ['categories', '/admin/categories'],
	['accounts', '/admin/accounts'], ['account', urls.find((u) => /^\/admin\/accounts\/\d+$/.test(u))],
	['audit', '/admin/audit'], ['outbox', '/admin/outbox'], ['outbox-message', urls.find((u) => /^\/admin\/outbox\/\d+$/.test(u))],
	['your-account', '/account'], ['conversations', `/admin/events/${SHANGHAI}/conversations`],
	['conversation', urls.find((u) => /^\/admin\/conversations\/\d+$/.test(u))],
	['moderation', urls.find((u) => /^\/admin\/conversations\/\d+\/statements$/.test(u))],
	['participants', urls.findLast((u) => /^\/admin\/conversations\/\d+\/participants$/.test(u))],
	['programme', `/admin/events/${SHANGHAI}/programme`],
	['session', urls.find((u) => /^\/admin\/sessions\/\d+\/edit$/.test(u))],
];

// Every admin page at 390×844: no sideways scroll, the h1 within 300 px.
async function sweep(who, { lang = '', wanted, viewport = PHONE } = {}) {
	const urls = await adminPages();
	const { ctx, page } = await signedIn(who, viewport);
	const bad = [];
	const seen = [];
	try {
		for (const url of urls) {
			const res = await page.goto(srv.url + url + (lang ? `?lang=${lang}` : ''));
			if (res.status() === 403 || res.status() === 404) {
				assert.ok(!wanted || !wanted.includes(url), `${url}: ${res.status()}`);
				continue; // not this person's page
			}
			assert.equal(res.status(), 200, url);
			if (lang) assert.equal(await page.getAttribute('html', 'dir'), 'rtl', url);
			seen.push(url);
			const m = await measure(page);
			if (m.sideways) bad.push(`${url}: ${m.scrollWidth} px wide in ${m.width} (${m.culprits.join('; ')})`);
			if (viewport === PHONE && (m.h1Top === null || m.h1Top > 300)) bad.push(`${url}: the h1 starts at ${m.h1Top} px`);
		}
	} finally {
		await ctx.close();
	}
	assert.deepEqual(bad, [], `${who.email}${lang ? ' in ' + lang : ''} at ${viewport.width} px`);
	return seen;
}

describe('admin pages on a phone', () => {
	test('as an administrator: every admin page fits 390 px, its heading on the first screen', async () => {
		const seen = await sweep(ADMIN);
		assert.equal(seen.length, (await adminPages()).length, 'an administrator sees every admin page');
	});

	test('as the demo organiser: every admin page they may open fits 390 px', async () => {
		const wanted = ['/admin', '/admin/events', `/admin/events/${SHANGHAI}/edit`, `/admin/events/${SHANGHAI}/organisations`,
			'/admin/news', '/admin/news/new', '/account'];
		const seen = await sweep(organiser, { wanted });
		for (const url of wanted) assert.ok(seen.includes(url), `the organiser opened ${url}`);
	});

	test('in Arabic, right to left: every admin page fits 390 px', async () => {
		const seen = await sweep(ADMIN, { lang: 'ar' });
		assert.ok(seen.includes('/admin') && seen.includes(`/admin/events/${SHANGHAI}/edit`), 'the dashboard and an edit form');
	});

	test('at widths between a phone and a laptop: no admin page scrolls sideways', async () => {
		for (const width of [600, 768, 880, 1024]) await sweep(ADMIN, { viewport: { width, height: 1024 } });
	});

	for (const [size, viewport] of [['390', PHONE], ['1280', LAPTOP]]) {
		test(`axe-core at ${size} px: no violation of moderate impact or worse; screenshots`, async () => {
			const urls = await adminPages();
			const { ctx, page } = await signedIn(ADMIN, viewport);
			const found = [];
			try {
				for (const url of urls) {
					const res = await page.goto(srv.url + url);
					assert.equal(res.status(), 200, url);
					for (const v of await axeViolations(page)) found.push(`${url}: ${v}`);
				}
				for (const [name, url] of MAIN(urls)) {
					assert.ok(url, `a page for ${name}`);
					await page.goto(srv.url + url);
					await page.screenshot({ path: path.join(SHOTS, `phone-${size}-${name}.png`), fullPage: true });
				}
			} finally {
				await ctx.close();
			}
			assert.deepEqual(found, [], `axe at ${size} px`);
		});
	}
});

describe('menus on a phone', () => {
	test('the language band, the site menu and the admin menu each take one line', async () => {
		const { ctx, page } = await signedIn(ADMIN, PHONE);
		try {
			for (const lang of ['en', 'ar', 'ru']) {
				await page.goto(`${srv.url}/admin/outbox?lang=${lang}`);
				const rows = await page.evaluate(() =>
					['.lang-switch li', '.site-nav li', '.admin-nav li'].map((sel) => {
						const tops = new Set([...document.querySelectorAll(sel)].map((li) => Math.round(li.getBoundingClientRect().top)));
						return [sel, tops.size];
					}));
				for (const [sel, n] of rows) assert.equal(n, 1, `${lang}: ${sel} in ${n} lines`);
				// The admin menu scrolls inside itself; its current item is shown.
				const current = await page.locator('.admin-nav a[aria-current="page"]').boundingBox();
				assert.ok(current && current.x >= 0 && current.x + current.width <= PHONE.width + 1,
					`${lang}: the current admin section is in view (${JSON.stringify(current)})`);
			}
		} finally {
			await ctx.close();
		}
	});
});

describe('public pages on a phone', () => {
	// The news list's cards sat under the h1 as h3s (heading-order).
	for (const [size, viewport] of [['390', PHONE], ['1280', LAPTOP]]) {
		test(`axe-core at ${size} px over the public pages: no violation of moderate impact or worse`, async () => {
			const ctx = await browser.newContext({ viewport });
			const page = await ctx.newPage();
			const found = [];
			try {
				for (const url of ['/', '/events', `/events/${SHANGHAI}`, `/series/${SERIES}`, `/organisations/${ORG}`, '/news',
					'/news/2012/11/12/harmony-through-diversity-and-dialogue', '/sign-in']) {
					const res = await page.goto(srv.url + url);
					assert.equal(res.status(), 200, url);
					for (const v of await axeViolations(page)) found.push(`${url}: ${v}`);
				}
			} finally {
				await ctx.close();
			}
			assert.deepEqual(found, [], `axe at ${size} px`);
		});
	}

	test('a word too long for the line wraps: no public page scrolls sideways', async () => {
		// An administrator writes a featured post and an organisation whose
		// names are one long word.
		const { ctx, page } = await signedIn(ADMIN, LAPTOP);
		let postUrl, orgUrl;
		try {
			await page.goto(srv.url + '/admin/news/new');
			await page.locator('#f-title').fill(`${LONG} meets`);
			await page.locator('#f-body_md').fill(`The ${LONG} meets in Valletta.`);
			await page.locator('#post-featured').check();
			await page.locator('#post-status-published').check();
			await Promise.all([page.waitForURL(/\/admin\/news\/\d+/), page.getByRole('button', { name: 'Save', exact: true }).click()]);
			await page.goto(srv.url + '/news');
			postUrl = await page.getByRole('link', { name: `${LONG} meets` }).first().getAttribute('href');

			await page.goto(srv.url + '/admin/organisations/new');
			await page.getByLabel('Name', { exact: true }).fill(LONG);
			await Promise.all([page.waitForURL(/\/admin\/organisations\/[^/]+\/edit/), page.getByRole('button', { name: 'Create the organisation' }).click()]);
			orgUrl = await page.getByRole('link', { name: 'View the public page' }).getAttribute('href');
		} finally {
			await ctx.close();
		}
		assert.ok(postUrl && orgUrl, 'the post and the organisation have public pages');

		const visitor = await browser.newContext({ viewport: PHONE });
		const v = await visitor.newPage();
		const bad = [];
		try {
			for (const lang of ['en', 'ar']) {
				for (const url of ['/', '/events', `/events/${SHANGHAI}`, `/series/${SERIES}`, `/organisations/${ORG}`, orgUrl,
					'/news', postUrl, '/sign-in', '/forgot-password', '/no-such-page',
					// the demo's conversation: its voting page, the live view
					// for the projector, and the report
					'/conversations/1', '/conversations/1/live', '/conversations/1/report']) {
					await v.goto(`${srv.url}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
					const m = await measure(v);
					if (m.sideways) bad.push(`${lang} ${url}: ${m.scrollWidth} px wide (${m.culprits.join('; ')})`);
				}
			}
			await v.goto(srv.url + postUrl);
			await v.screenshot({ path: path.join(SHOTS, 'phone-390-long-word-post.png'), fullPage: true });
		} finally {
			await visitor.close();
		}
		assert.deepEqual(bad, [], 'public pages at 390 px');
	});
});
