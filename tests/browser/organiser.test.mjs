// organiser.test.mjs — an organiser's day in a real browser (Debian's
// chromium driven by playwright-core): sign in, create an event, add two
// partner organisations, publish it; write a news post in Markdown with a
// preview and an image, schedule it, then publish it now. A visitor in a
// separate, cookie-less browser sees nothing early and everything after.
// Every admin page visited is checked with axe-core (no serious or
// critical violations); screenshots of the forms go to build/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { chromium } from 'playwright-core';
import { AXE, LAUNCH } from './lib/chromium.mjs';
import { ROOT, makeDemoWithOrganiser, runCli, startServer, tempDir } from '../e2e/lib/server.mjs';

const SHOTS = path.join(ROOT, 'build/screenshots');
const SEED_PNG = path.join(ROOT, 'tests/fuzz/corpus/image/red-blue.png');
const SERIES = 'regional-consultations';


// What the organiser makes. The event is a year ahead, so it is upcoming.
const year = new Date().getUTCFullYear() + 1;
const EVENT = {
	title: 'Regional Consultations for the Mediterranean',
	theme: 'Water, Cities and Shared Futures',
	summary: 'Three days of dialogue on water and cities around the Mediterranean.',
	region: 'Mediterranean',
	city: 'Valletta',
	country: 'MT',
	venue: 'Mediterranean Conference Centre',
	starts_on: `${year}-05-12`,
	ends_on: `${year}-05-14`,
	timezone: 'Europe/Malta',
	capacity: '140',
};
const PARTNERS = ['Fudan University', 'Centre for Dialogue at La Trobe University'];
const POST = {
	title: 'Valletta to host the Mediterranean consultations',
	summary: 'Partners from both shores meet in Valletta next May.',
	body: '## Why Valletta\n\nThe **Mediterranean** consultations bring together *governments* and civil society.\n\n- water\n- cities\n\nRead the [concept note](https://example.org/note).',
	alt: 'A red and a blue band side by side',
	credit: '© Consultation Secretariat',
};

let srv, browser, dir, organiser;
before(async () => {
	mkdirSync(SHOTS, { recursive: true });
	// The demo organiser organises the Shanghai event only; an event is
	// created by someone who organises its series, so the series is
	// granted to them first, with the CLI as an administrator would.
	dir = tempDir();
	const demo = makeDemoWithOrganiser(path.join(dir, 'h.db'));
	assert.ok(demo.organiser, 'harmony demo names the organiser account');
	organiser = demo.organiser;
	const g = runCli(['user', 'grant', '--db', demo.db, '--email', organiser.email, '--role', 'organiser', '--series', SERIES]);
	assert.equal(g.status, 0, `user grant: ${g.stderr}`);
	srv = await startServer({ db: demo.db });
	browser = await chromium.launch(LAUNCH);
});
after(async () => {
	await browser?.close();
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// A page that records what goes wrong in it: console errors (CSP
// violations included), uncaught exceptions, failed sub-resources.
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

const visible = async (locator, what) => assert.ok(await locator.first().isVisible(), `${what} is visible`);

// axe-core is evaluated in the page through the devtools protocol, which
// the site's CSP does not govern (a <script> tag would be refused), so the
// page checked is exactly the one the organiser has, a POST's answer too.
const AXE_SOURCE = readFileSync(AXE, 'utf8');
const checked = [];
async function axeCheck(page, what) {
	if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n` +
		v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ')}`).join('\n')).join('\n');
	assert.equal(bad.length, 0, `${what} (${page.url()}): axe violations:\n${report}`);
	checked.push(what);
}

// A visitor's view: a fresh context without cookies each time.
async function visitor(fn) {
	const v = await openPage();
	try {
		return await fn(v.page, v);
	} finally {
		await v.context.close();
	}
}

async function atomTitles(page) {
	const res = await page.request.get(srv.url + '/news.atom');
	assert.equal(res.status(), 200, '/news.atom');
	const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
	const entries = [...doc.getElementsByTagName('entry')];
	assert.ok(entries.length > 0, 'the feed has entries');
	return entries.map((e) => e.getElementsByTagName('title')[0]?.textContent ?? '');
}

// 'YYYY-MM-DDTHH:MM' in UTC (the demo site's time zone), for datetime-local.
const wallTime = (d) => d.toISOString().slice(0, 16);

test('organiser_creates_an_event_with_partners_and_schedules_then_publishes_a_post', async () => {
	const { page, context, problems } = await openPage();
	try {
		// ---- signing in, as a person would
		await page.goto(srv.url + '/sign-in');
		await page.getByLabel('E-mail address').fill(organiser.email);
		await page.getByLabel('Password').fill(organiser.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL(srv.url + '/account');
		await page.getByRole('link', { name: 'Admin', exact: true }).first().click();
		await page.waitForURL(srv.url + '/admin');
		assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Dashboard');
		await axeCheck(page, 'dashboard');

		// ---- a new event, every field through the form
		await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Events' }).click();
		await page.waitForURL(srv.url + '/admin/events');
		await axeCheck(page, 'events list');
		await page.getByRole('main').getByRole('link', { name: 'New event' }).click();
		await page.waitForURL(srv.url + '/admin/events/new');
		await axeCheck(page, 'new event form');
		const about = page.getByRole('group', { name: 'The event' });
		await about.getByLabel('Title', { exact: true }).fill(EVENT.title);
		await about.getByLabel('Series').selectOption({ label: 'Regional Consultations' });
		await about.getByLabel('Kind').selectOption({ label: 'Consultation' });
		await about.getByLabel('Theme').fill(EVENT.theme);
		await about.getByLabel('Summary').fill(EVENT.summary);
		await page.getByRole('group', { name: 'Description' }).getByLabel('Description').fill('The consultations meet at the **Mediterranean Conference Centre**.');
		const place = page.getByRole('group', { name: 'Place' });
		await place.getByLabel('Region').fill(EVENT.region);
		await place.getByLabel('City').fill(EVENT.city);
		await place.getByLabel('Country').selectOption(EVENT.country); // from the list of countries, by code
		await place.getByLabel('Venue').fill(EVENT.venue);
		const dates = page.getByRole('group', { name: 'Dates' });
		await dates.getByLabel('First day').fill(EVENT.starts_on);
		await dates.getByLabel('Last day').fill(EVENT.ends_on);
		await dates.getByLabel('Dates known').selectOption({ label: 'Exact dates' });
		await dates.getByLabel('Time zone').fill(EVENT.timezone);
		const people = page.getByRole('group', { name: 'Participants' });
		await people.getByLabel('Capacity').fill(EVENT.capacity);
		for (const s of ['Governments', 'Academia', 'NGOs'])
			await people.getByRole('checkbox', { name: s, exact: true }).check();
		const contact = page.getByRole('group', { name: 'Contact' });
		await contact.getByLabel('Name').fill('Mariam Haddad');
		await contact.getByLabel('Job title').fill('Programme Officer');
		await contact.getByLabel('Organisation').fill('Consultation Secretariat');
		await contact.getByLabel('E-mail address').fill('mariam.haddad@example.org');
		await page.screenshot({ path: path.join(SHOTS, 'admin-event-form.png'), fullPage: true });
		await page.getByRole('button', { name: 'Create the event' }).click();
		await page.waitForURL(/\/admin\/events\/[a-z0-9-]+\/edit/);
		const slug = /\/admin\/events\/([a-z0-9-]+)\/edit/.exec(page.url())[1];
		await visible(page.getByText('Created. It is a draft until you publish it.'), 'created notice');
		await axeCheck(page, 'event edit form');

		// A draft is not public yet.
		await visitor(async (v) => {
			const r = await v.goto(`${srv.url}/events/${slug}`);
			assert.equal(r.status(), 404, 'a draft event is not public');
		});

		// ---- two partners on the organisations page
		await page.getByRole('navigation', { name: 'This event' }).getByRole('link', { name: 'Organisations' }).click();
		await page.waitForURL(`${srv.url}/admin/events/${slug}/organisations`);
		await visible(page.getByText('No organisation is listed for this event yet.'), 'empty list');
		await axeCheck(page, 'event organisations');
		for (const name of PARTNERS) {
			const add = page.getByRole('group', { name: 'Add an organisation' });
			const options = await add.getByLabel('Organisation').locator('option').allInnerTexts();
			const label = options.find((o) => o.startsWith(name));
			assert.ok(label, `${name} is offered (${options.join(' | ')})`);
			await add.getByLabel('Organisation').selectOption({ label });
			await add.getByLabel('Role').selectOption({ label: 'Partner' });
			await add.getByRole('button', { name: 'Add' }).click();
			await page.waitForLoadState();
			await visible(page.getByText('The organisation is added.'), `added notice for ${name}`);
			await visible(page.getByRole('rowheader', { name }), `${name} in the table`);
		}
		const rows = page.getByRole('table', { name: 'Organisations in the order the event page lists them' }).getByRole('row');
		assert.equal(await rows.count(), 3, 'a header row and two organisations');
		await axeCheck(page, 'event organisations with partners');

		// ---- publish the event
		await page.getByRole('navigation', { name: 'This event' }).getByRole('link', { name: 'Details' }).click();
		await page.waitForURL(`${srv.url}/admin/events/${slug}/edit`);
		await page.getByRole('complementary', { name: 'Status' }).getByRole('button', { name: 'Publish', exact: true }).click();
		await page.waitForLoadState();
		await visible(page.getByText('Published: everyone can see it now.'), 'published notice');
		await axeCheck(page, 'published event');

		// ---- a news post in Markdown, previewed, with an image, scheduled
		await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'News' }).click();
		await page.waitForURL(srv.url + '/admin/news');
		await axeCheck(page, 'news list');
		await page.getByRole('main').getByRole('link', { name: 'New post' }).click();
		await page.waitForURL(srv.url + '/admin/news/new');
		await axeCheck(page, 'new post form');
		const text = page.getByRole('group', { name: 'Text' });
		await text.getByRole('textbox', { name: 'Title', exact: true }).fill(POST.title);
		await text.getByLabel('Summary').fill(POST.summary);
		await text.getByRole('textbox', { name: 'Text', exact: true }).fill(POST.body);
		await page.getByLabel('About the event').selectOption({ label: EVENT.title });
		const image = page.getByRole('group', { name: 'Image' });
		await image.getByLabel('Image file').setInputFiles(SEED_PNG);
		await image.getByLabel('Description of the image').fill(POST.alt);
		await image.getByLabel('Photo credit').fill(POST.credit);
		const publication = page.getByRole('group', { name: 'Publication' });
		await publication.getByRole('radio', { name: 'Published', exact: true }).check();
		const future = new Date(Date.now() + 3 * 86400_000);
		await publication.getByLabel('Publication time').fill(wallTime(future));

		await page.getByRole('button', { name: 'Preview' }).click();
		await page.waitForLoadState();
		const preview = page.getByRole('region', { name: 'Preview' });
		await visible(preview, 'the preview');
		await visible(preview.getByRole('heading', { level: 1, name: POST.title }), 'previewed title');
		await visible(preview.getByRole('heading', { level: 2, name: 'Why Valletta' }), 'Markdown heading rendered');
		assert.equal(await preview.locator('strong').first().innerText(), 'Mediterranean', 'bold rendered');
		assert.equal(await preview.locator('em').first().innerText(), 'governments', 'italic rendered');
		assert.deepEqual(await preview.getByRole('listitem').allInnerTexts(), ['water', 'cities'], 'list rendered');
		assert.equal(await preview.getByRole('link', { name: 'concept note' }).getAttribute('href'), 'https://example.org/note');
		assert.ok(!(await preview.innerText()).includes('**'), 'no Markdown left in the preview');
		await axeCheck(page, 'post preview');
		// What was typed is still in the form after the preview.
		assert.equal(await text.getByRole('textbox', { name: 'Title', exact: true }).inputValue(), POST.title);
		assert.equal(await publication.getByLabel('Publication time').inputValue(), wallTime(future));
		// The chosen image is uploaded with the preview and shown in it.
		const shown = preview.getByRole('img', { name: POST.alt });
		await visible(shown, 'previewed image with its description');
		assert.ok(await shown.evaluate((img) => img.complete && img.naturalWidth > 0), 'the previewed image loads');
		await visible(preview.getByText(POST.credit), 'previewed credit');
		await page.screenshot({ path: path.join(SHOTS, 'admin-post-form.png'), fullPage: true });

		await page.getByRole('button', { name: 'Save', exact: true }).click();
		await page.waitForURL(/\/admin\/news\/\d+/);
		await visible(page.getByText('The post is saved.'), 'saved notice');
		await visible(page.getByRole('heading', { level: 1 }).getByText('Scheduled'), 'scheduled badge');
		await visible(page.getByRole('img', { name: "The post's image" }), 'the stored image');
		await axeCheck(page, 'scheduled post');

		// ---- a visitor sees nothing of it before its time
		await visitor(async (v) => {
			for (const url of ['/', '/news']) {
				await v.goto(srv.url + url);
				assert.equal(await v.getByText(POST.title).count(), 0, `${url} does not show the scheduled post`);
			}
			assert.ok(!(await atomTitles(v)).includes(POST.title), 'the feed does not list the scheduled post');
			// The event is public already.
			await v.goto(srv.url + '/events');
			await visible(v.getByRole('link', { name: EVENT.title }), 'the new event on /events');
		});

		// ---- publish now: the time left empty publishes at once
		await publication.getByLabel('Publication time').fill('');
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		await page.waitForLoadState();
		await visible(page.getByText('The post is saved.'), 'saved notice');
		await visible(page.getByRole('heading', { level: 1 }).getByText('Published'), 'published badge');
		await axeCheck(page, 'published post');

		// ---- the visitor sees the post, its image and the event with its partners
		await visitor(async (v, { problems: vp }) => {
			await v.goto(srv.url + '/');
			const latest = v.getByRole('region', { name: 'Latest news' });
			const card = latest.getByRole('listitem').filter({ hasText: POST.title });
			await visible(card.getByRole('link', { name: POST.title }), 'the post on the home page');
			const thumb = card.getByRole('img', { name: POST.alt });
			await thumb.scrollIntoViewIfNeeded();
			await v.waitForFunction((img) => img.complete, await thumb.elementHandle());
			assert.ok(await thumb.evaluate((img) => img.naturalWidth > 0), 'the thumbnail loads');

			await v.goto(srv.url + '/news');
			await visible(v.getByRole('link', { name: POST.title }), 'the post on /news');
			assert.ok((await atomTitles(v)).includes(POST.title), 'the feed lists the post');

			await v.getByRole('link', { name: POST.title }).first().click();
			await visible(v.getByRole('heading', { level: 1, name: POST.title }), 'the post page');
			await visible(v.getByText(POST.credit), 'photo credit');
			await visible(v.locator('main strong').getByText('Mediterranean', { exact: true }), 'bold text');

			await v.goto(srv.url + '/events');
			await v.getByRole('link', { name: EVENT.title }).first().click();
			await v.waitForURL(`${srv.url}/events/${slug}`);
			assert.equal(await v.getByRole('heading', { level: 1 }).innerText(), EVENT.title);
			for (const name of PARTNERS)
				await visible(v.getByRole('link', { name, exact: true }), `partner ${name} on the event page`);
			await visible(v.getByText(EVENT.theme), 'theme');
			assert.deepEqual(vp, [], 'the visitor met no console errors or failed requests');
		});

		assert.ok(checked.length >= 10, `axe checked ${checked.length} admin pages`);
		assert.deepEqual(problems, [], 'no console errors, CSP violations or failed requests');
	} finally {
		await context.close();
	}
});
