// registration.test.mjs — registering for an event in a real browser
// (Debian's chromium driven by playwright-core), one story from the
// visitor's phone to the check-in desk:
//
// 1. Through the API (an administrator's token): a published event in 2031
//    taking registrations by approval, 3 seats, at most 1 NGO, at least half
//    women, one required question; one NGO woman approved already and a
//    government woman waiting.
// 2. A visitor on a phone (390×844) follows "Register" on the event's page,
//    sends the form empty (the error summary takes the focus and each error
//    links to its field), then registers with an Arabic name as an NGO:
//    "Pending" on their own page; no sideways scroll; axe finds no serious
//    violation on the form.
// 3. The organiser (laptop) ticks the visitor: the balance panel shows the
//    NGOs going to 2 against a cap of 1 by itself; approving is refused by
//    the cap (0 done, 1 refused); approving the government woman works.
// 4. badges.pdf holds the approved people's names and check-in codes.
// 5. The check-in desk: a code from the PDF checks in, the same code again
//    says who checked in when, a made-up code is refused.
// 6. The form in Arabic: right to left, Arabic labels, no sideways scroll.
//
// Screenshots go to build/screenshots/registration-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAUNCH } from './lib/chromium.mjs';
import { addAccount, apiToken, bearer, PASSWORD, signedIn } from '../e2e/lib/accounts.mjs';
import { SERIES } from '../e2e/lib/routes.mjs';
import { ROOT, startServer } from '../e2e/lib/server.mjs';
import { jsonRows, q } from '../e2e/lib/sqlite.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = path.join(ROOT, 'build/screenshots');
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 900 };
const ADMIN = { email: 'reg-admin@example.org', name: 'Registration Admin' };
const ORGANISER = { email: 'reg-organiser@example.org', name: 'Leila Organiser' };

const EVENT = {
	title: 'Regional Consultations for the Arab States 2031',
	series: SERIES,
	city: 'Amman',
	country: 'JO',
	timezone: 'Asia/Amman',
	starts_on: '2031-04-14',
	ends_on: '2031-04-15',
};
const SETTINGS = {
	mode: 'approval',
	capacity: 3,
	quotas: [
		{ attribute: 'sector', value: 'ngo', max: 1 },
		{ attribute: 'gender', value: 'female', min_share: 0.5 },
	],
	questions: [{ label: 'Which workshop?', kind: 'choice', options: ['Culture', 'Economy'], required: true }],
};
// Registered in the setup: an NGO woman, approved; a government woman, pending.
const NGO_WOMAN = { name: 'Amina Diallo', email: 'amina.diallo@example.org', organisation: 'Sahel Youth Forum', sector: 'ngo', country: 'SN', gender: 'female' };
const GOV_WOMAN = { name: 'Ingrid Solberg', email: 'ingrid.solberg@example.org', organisation: 'Ministry of Culture', sector: 'government', country: 'NO', gender: 'female' };
// The visitor, through the form.
const VISITOR = { name: 'محمد عبد الله', email: 'mohammed.abdallah@example.org', organisation: 'جمعية الحوار', country: 'EG', workshop: 'Economy' };

let srv, browser, token, slug, questionId, organiserPage, organiserCtx;
const ids = {};

before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	srv = await startServer();
	addAccount(srv.db, { email: ADMIN.email, name: ADMIN.name, role: 'admin' });
	addAccount(srv.db, { email: ORGANISER.email, name: ORGANISER.name, role: 'organiser', series: SERIES });
	token = await apiToken(await signedIn(srv.url, ADMIN.email));
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await organiserCtx?.close();
	await browser?.close();
	await srv?.stop();
});

const api = async (method, url, body, want) => {
	const r = await bearer(srv.url, token, method, url, body);
	assert.equal(r.status, want, `${method} ${url}: ${r.status} ${r.body.slice(0, 400)}`);
	return r.json;
};

// The registrations of the event as stored.
const stored = () =>
	jsonRows(srv.db, `SELECT r.id, r.name, r.email, r.sector, r.gender, r.status, r.answers, r.checked_in_at, r.checked_in_by
		FROM registration r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(slug)} ORDER BY r.id`);
const storedOne = (email) => stored().find((r) => r.email === email);

// A page that records console errors, exceptions and failed requests.
async function openPage(viewport) {
	const ctx = await browser.newContext({ viewport });
	const page = await ctx.newPage();
	page.setDefaultTimeout(15_000);
	const problems = [];
	// A form sent back with errors answers 400, which chromium logs too:
	// sub-resources that fail are caught by their responses instead.
	page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') &&
		problems.push(`console: ${m.text()}`));
	page.on('response', (r) => {
		if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`HTTP ${r.status()}: ${r.url()}`);
	});
	page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	// a load the browser itself cancels when the page navigates away (a
	// click before the logo arrived) is no failure of the server's
	page.on('requestfailed', (r) => r.failure()?.errorText === 'net::ERR_ABORTED' && !r.isNavigationRequest()
		? undefined : problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
	return { ctx, page, problems };
}

const sideways = (page) =>
	page.evaluate(() => {
		const root = document.scrollingElement;
		return { sideways: root.scrollWidth > root.clientWidth, scrollWidth: root.scrollWidth, width: root.clientWidth };
	});

async function assertNoSideways(page, what) {
	const m = await sideways(page);
	assert.equal(m.sideways, false, `${what} scrolls sideways at ${m.width} px (${m.scrollWidth} px wide)`);
}

async function axeSerious(page, what) {
	if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [],
		`${what}: axe violations`);
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `registration-${name}.png`), fullPage: true });

describe('registering for an event, from a phone to the check-in desk', () => {
	test('setup: a published event taking registrations by approval, one NGO seated', async () => {
		const ev = await api('POST', '/api/v1/events', EVENT, 201);
		slug = ev.slug;
		await api('PATCH', `/api/v1/events/${slug}`, { status: 'published' }, 200);
		await api('PATCH', `/api/v1/events/${slug}/registration`, SETTINGS, 200);
		const settings = await api('GET', `/api/v1/events/${slug}/registration`, undefined, 200);
		const qs = settings.questions ?? settings.registration?.questions;
		assert.equal(qs?.length, 1, `one question in ${JSON.stringify(settings)}`);
		questionId = qs[0].id;
		assert.ok(questionId, 'the question has an id');

		for (const [key, who] of [['ngo', NGO_WOMAN], ['gov', GOV_WOMAN]]) {
			const r = await api('POST', `/api/v1/events/${slug}/registrations`, { ...who, answers: { [questionId]: 'Culture' } }, 201);
			assert.equal(r.status, 'pending', 'registration by approval waits');
			ids[key] = r.id;
		}
		const ok = await api('PATCH', `/api/v1/registrations/${ids.ngo}`, { status: 'approved' }, 200);
		assert.equal(ok.status, 'approved');
		assert.deepEqual(stored().map((r) => [r.email, r.status]),
			[[NGO_WOMAN.email, 'approved'], [GOV_WOMAN.email, 'pending']]);
	});

	test('a visitor registers on a phone: errors first, then Pending', async () => {
		const { ctx, page, problems } = await openPage(PHONE);
		try {
			await page.goto(`${srv.url}/events/${slug}`);
			const box = page.getByRole('region', { name: 'Registration' });
			await Promise.all([page.waitForURL(`${srv.url}/events/${slug}/register`),
				box.getByRole('link', { name: 'Register', exact: true }).click()]);
			const form = page.locator('main form[action$="/register"]');
			await assertNoSideways(page, 'the register form');
			await axeSerious(page, 'the register form');

			// ---- sent empty: the error summary, focused, each error a link to its field
			await Promise.all([page.waitForLoadState(), form.getByRole('button', { name: 'Register' }).click()]);
			const summary = page.locator('[data-error-summary]');
			assert.ok(await summary.isVisible(), 'the error summary shows');
			assert.equal(await summary.getByRole('heading').innerText(), 'There is a problem');
			assert.ok(await summary.evaluate((el) => document.activeElement === el), 'the focus is on the error summary');
			const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
			const hrefs = links.map((l) => l.href);
			for (const f of ['#f-name', '#f-email', '#f-sector', '#f-country', `#f-q_${questionId}`])
				assert.ok(hrefs.includes(f), `the summary links to ${f} (${hrefs.join(' ')})`);
			for (const l of links) {
				assert.ok(l.text.length > 0, `the link to ${l.href} says what is wrong`);
				assert.equal(await page.locator(l.href.replace(/^#(.*)$/, '[id="$1"]')).count(), 1, `${l.href} names a field of the page`);
			}
			assert.equal(await page.locator('#f-name').getAttribute('aria-invalid'), 'true', 'the name is marked invalid');
			assert.match(await page.locator('#f-name-error').innerText(), /name/i);
			await axeSerious(page, 'the register form with errors');
			await shot(page, 'errors-390');
			// following a link puts the focus in the field
			await summary.locator('a[href="#f-country"]').click();
			assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-country', 'the link focuses the country');
			await summary.locator(`a[href="#f-q_${questionId}"]`).click();
			assert.equal(await page.evaluate(() => document.activeElement?.id), `f-q_${questionId}`, 'the link focuses the question');
			assert.equal(stored().length, 2, 'nothing stored for an empty form');

			// ---- filled in, with an Arabic name
			await page.getByLabel('Full name', { exact: true }).fill(VISITOR.name);
			await page.getByLabel('E-mail address', { exact: true }).fill(VISITOR.email);
			await page.getByLabel('Organisation', { exact: true }).fill(VISITOR.organisation);
			await page.getByLabel('Sector', { exact: true }).selectOption('ngo');
			await page.getByLabel('Country', { exact: true }).selectOption(VISITOR.country);
			await page.getByRole('group', { name: 'Gender (optional)' }).getByRole('radio', { name: 'Man', exact: true }).check();
			await page.getByLabel('Which workshop?').selectOption(VISITOR.workshop);
			await assertNoSideways(page, 'the filled register form');
			await shot(page, 'form-390');
			await Promise.all([page.waitForURL(/\/registration\/[^/?]+\?done=registered$/),
				form.getByRole('button', { name: 'Register' }).click()]);
			await page.getByText('Thank you: your registration has been received.').waitFor();
			const facts = page.locator('dl.facts');
			assert.equal(await facts.locator('bdi').first().innerText(), VISITOR.name, 'the Arabic name as typed');
			const status = facts.locator('[data-status]');
			assert.equal(await status.getAttribute('data-status'), 'pending');
			assert.equal(await status.innerText(), 'Pending');
			await assertNoSideways(page, 'the registration page');
			await axeSerious(page, 'the registration page');
			await shot(page, 'pending-390');

			const mine = storedOne(VISITOR.email);
			assert.ok(mine, 'the registration is stored');
			ids.visitor = mine.id;
			assert.equal(mine.name, VISITOR.name);
			assert.equal(mine.status, 'pending');
			assert.equal(mine.sector, 'ngo');
			assert.equal(mine.gender, 'male');
			assert.deepEqual(JSON.parse(mine.answers), { [questionId]: VISITOR.workshop });
			assert.deepEqual(problems, [], 'no console errors or failed requests');
		} finally {
			await ctx.close();
		}
	});

	test('the organiser sees the balance after the selection; the NGO cap refuses, a woman is approved', async () => {
		({ ctx: organiserCtx, page: organiserPage } = await openPage(LAPTOP));
		const page = organiserPage;
		await page.goto(srv.url + '/sign-in');
		await page.locator('#f-email').fill(ORGANISER.email);
		await page.locator('#f-password').fill(PASSWORD);
		await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
			page.locator('main form button[type=submit]').first().click()]);

		const list = `${srv.url}/admin/events/${slug}/registrations`;
		await page.goto(list);
		const panel = page.locator('.balance-panel');
		const sectorTable = panel.locator('table').first();
		assert.equal(await sectorTable.locator('thead th').count(), 2, 'no "After" column before a selection');
		await axeSerious(page, 'the registrations');

		// ---- ticking the visitor: the panel updates by itself
		const row = (id) => page.locator(`tr[data-id="${id}"]`);
		await row(ids.visitor).getByRole('checkbox').check();
		await sectorTable.locator('thead th', { hasText: 'After' }).waitFor();
		assert.equal(page.url(), list, 'the page did not change: the panel came by itself');
		const ngo = sectorTable.locator('tbody tr').filter({ has: page.locator('th', { hasText: /NGO/ }) });
		assert.equal(await ngo.count(), 1, 'an NGO row');
		const cells = await ngo.locator('td').allInnerTexts();
		assert.deepEqual(cells.map((c) => c.trim()), ['1', '2'], 'NGOs: 1 now, 2 after');
		const quota = panel.locator('.quota-list li', { hasText: 'sector ngo' });
		assert.match(await quota.innerText(), /sector ngo: 1 ≤ 1/, 'the NGO cap is 1');
		assert.equal(await panel.locator('[data-after]').innerText(), '2', 'seated after: 2');
		await axeSerious(page, 'the registrations with a selection');
		await shot(page, 'balance-1280');

		// ---- approving: refused by the NGO cap
		assert.equal(await page.getByLabel('Decision').inputValue(), 'approved');
		await page.getByLabel('Decision').selectOption({ label: 'Approve' });
		await Promise.all([page.waitForURL(/done=decided-/), page.getByRole('button', { name: 'Apply' }).click()]);
		assert.equal(await page.locator('[data-decided]').getAttribute('role'), 'status');
		assert.equal(await page.locator('[data-decided]').getAttribute('data-decided'), '0-1', '0 done, 1 refused');
		assert.match(await page.locator('[data-decided]').innerText(), /0 decisions applied\. 1 refused: it would pass the capacity or a cap\./);
		assert.equal(storedOne(VISITOR.email).status, 'pending', 'the visitor still waits');
		assert.equal(await row(ids.visitor).locator('.badge').innerText(), 'Pending');

		// ---- approving the government woman instead
		await row(ids.gov).getByRole('checkbox').check();
		await Promise.all([page.waitForURL(/done=decided-1-0/), page.getByRole('button', { name: 'Apply' }).click()]);
		assert.equal(await page.locator('[data-decided]').getAttribute('data-decided'), '1-0', '1 done, 0 refused');
		assert.equal(await page.locator('[data-decided]').innerText(), '1 decision applied.');
		assert.equal(await row(ids.gov).locator('.badge').innerText(), 'Approved');
		assert.equal(storedOne(GOV_WOMAN.email).status, 'approved');
		assert.equal(await panel.locator('[data-seated]').innerText(), '2', 'two seated');
	});

	let codes;
	test('the badges PDF holds the approved names and their check-in codes', async () => {
		const r = await organiserPage.request.get(`${srv.url}/admin/events/${slug}/badges.pdf`);
		assert.equal(r.status(), 200);
		assert.match(r.headers()['content-type'], /^application\/pdf/);
		const file = path.join(srv.dir, 'badges.pdf');
		writeFileSync(file, await r.body());
		const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
		assert.ok(text.includes(NGO_WOMAN.name), `${NGO_WOMAN.name} has a badge`);
		assert.ok(text.includes(GOV_WOMAN.name), `${GOV_WOMAN.name} has a badge`);
		assert.ok(!text.includes('عبد الله') && !text.includes('Abdallah'), 'the visitor, not approved, has no badge');
		codes = [...text.matchAll(/HM1-(\d+)-([0-9a-f]{16})/g)].map((m) => ({ code: m[0], id: Number(m[1]) }));
		assert.deepEqual(codes.map((c) => c.id).sort((a, b) => a - b), [ids.ngo, ids.gov].sort((a, b) => a - b),
			`one code for each approved person (${text})`);
	});

	test('the check-in desk: a code checks in, again says when and who, a made-up one is refused', async () => {
		const page = organiserPage;
		const desk = `${srv.url}/admin/events/${slug}/check-in`;
		const { code } = codes.find((c) => c.id === ids.ngo);
		await page.goto(desk);
		await axeSerious(page, 'the check-in desk');
		const checkIn = async (c) => {
			await page.getByLabel('Badge code').fill(c);
			await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Check in' }).click()]);
		};

		await checkIn(code);
		const first = page.locator('[data-checkin="first"]');
		assert.ok(await first.isVisible(), 'the check-in is confirmed');
		assert.match(await first.innerText(), /Checked in\. Welcome!/);
		assert.ok((await first.innerText()).includes(NGO_WOMAN.name), 'with the name');
		const row = storedOne(NGO_WOMAN.email);
		assert.ok(row.checked_in_at, 'the check-in is stored');
		await shot(page, 'checkin-1280');

		// the same code again, a new attempt
		await checkIn(code);
		const again = page.locator('[data-checkin="again"]');
		assert.ok(await again.isVisible(), 'a second scan is told apart');
		const said = await again.innerText();
		assert.match(said, /Already checked in:/);
		assert.ok(said.includes(NGO_WOMAN.name), 'with the name');
		assert.ok(row.checked_in_by && said.includes(row.checked_in_by), `who checked her in (${row.checked_in_by}) in "${said}"`);
		assert.match(said, /\d{1,2}:\d{2}/, 'and when');
		assert.equal(storedOne(NGO_WOMAN.email).checked_in_at, row.checked_in_at, 'the first time stays');
		await axeSerious(page, 'the check-in desk after a repeat');

		// a made-up code
		await checkIn(`HM1-${ids.gov}-0123456789abcdef`);
		const refused = page.getByRole('alert');
		assert.match(await refused.innerText(), /This code is not a badge of this event\./);
		assert.equal(await page.locator('[data-checkin]').count(), 0, 'nobody is checked in');
		assert.equal(storedOne(GOV_WOMAN.email).checked_in_at, null, 'the government woman is not checked in');
	});

	test('the form in Arabic on a phone: right to left, Arabic labels, no sideways scroll', async () => {
		const { ctx, page, problems } = await openPage(PHONE);
		try {
			await page.goto(`${srv.url}/events/${slug}/register?lang=ar`);
			assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
			assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
			const label = (sel) => page.locator(sel).innerText();
			assert.equal(await label('label[for="f-name"]'), 'الاسم الكامل');
			assert.equal(await label('label[for="f-sector"]'), 'القطاع');
			assert.equal(await label('label[for="f-country"]'), 'البلد');
			assert.equal(await label('#f-gender legend'), 'نوع الجنس (اختياري)');
			assert.equal(await page.locator('main form button[type=submit]').innerText(), 'تسجيل');
			await assertNoSideways(page, 'the Arabic register form');
			await axeSerious(page, 'the Arabic register form');
			await shot(page, 'ar-390');
			assert.deepEqual(problems, [], 'no console errors or failed requests');
		} finally {
			await ctx.close();
		}
	});
});
