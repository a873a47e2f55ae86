// pages.test.mjs — every public page of the demo over real HTTP: status,
// content type, the facts of the Shanghai 2012 announcement as a reader
// sees them, and each page's JSON twin (Accept: application/json), which
// must carry the same facts as the HTML.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dateHas, fact, inlineText, links, mainOf, tags, textOf } from './lib/html.mjs';
import { get, getJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const EVENT = '/events/asia-south-pacific-shanghai-2012';
const AUCKLAND = '/events/asia-pacific-auckland-2007';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';
const SERIES = '/series/regional-consultations';

const ORGS = [
	{ slug: 'unaoc', name: 'United Nations Alliance of Civilizations', role: 'convener', events: 2 },
	{ slug: 'un-association-of-china', name: 'UN Association of China', role: 'co-organiser', country: 'China', events: 1 },
	{ slug: 'fudan-university', name: 'Fudan University', role: 'partner', events: 1 },
	{ slug: 'shanghai-academy-of-social-sciences', name: 'Shanghai Academy of Social Sciences', role: 'partner', events: 1 },
	{ slug: 'centre-for-dialogue-la-trobe-university', name: 'Centre for Dialogue at La Trobe University', role: 'partner', country: 'Australia', events: 1 },
	{ slug: 'international-movement-for-a-just-world', name: 'International Movement for a Just World', role: 'partner', country: 'Malaysia', events: 1 },
];

let srv;
const pages = new Map(); // path → {status, headers, body}
const models = new Map(); // path → parsed JSON twin

async function page(path) {
	if (!pages.has(path)) pages.set(path, await get(srv.url + path));
	return pages.get(path);
}

async function model(path) {
	if (!models.has(path)) {
		const r = await getJson(srv.url + path);
		assert.equal(r.status, 200, `${path} (JSON): status`);
		assert.match(r.headers['content-type'], /^application\/json\b/, `${path} (JSON): content type`);
		models.set(path, r.json);
	}
	return models.get(path);
}

before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

describe('every page answers 200 with HTML in the site layout', () => {
	const paths = ['/', '/events', SERIES, EVENT, AUCKLAND, '/news', POST, '/news/category/featured',
		'/news/category/unaoc-event', ...ORGS.map((o) => `/organisations/${o.slug}`)];
	for (const path of paths) {
		test(`page_ok ${path}`, async () => {
			const r = await page(path);
			assert.equal(r.status, 200, `${path}: status`);
			assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', `${path}: content type`);
			assert.match(r.body, /^<!doctype html>/i, `${path}: doctype`);
			assert.match(r.body, /<html lang="en"/, `${path}: html lang`);
			assert.match(r.body, /<title>[^<]+ · United Nations Alliance of Civilizations<\/title>/, `${path}: title`);
			assert.match(r.body, /<header class="site-header">/, `${path}: site header`);
			assert.ok(mainOf(r.body)?.trim(), `${path}: a non-empty <main>`);
			assert.equal((r.body.match(/<h1\b/g) ?? []).length, 1, `${path}: exactly one h1`);
			assert.equal(Number(r.headers['content-length']), r.bytes.length, `${path}: Content-Length`);
		});
	}
	test('page_ok every internal link of every page resolves', async () => {
		const seen = new Set();
		for (const path of paths) {
			for (const a of links((await page(path)).body)) {
				const href = a.href;
				if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/#')) continue;
				if (seen.has(href)) continue;
				seen.add(href);
				const r = await get(srv.url + href);
				if (href.startsWith('/language?')) {
					// the language switcher: back to the page it is on
					assert.equal(r.status, 303, `link ${href} on ${path}`);
					assert.equal(r.headers.location, path, `link ${href} on ${path}`);
					continue;
				}
				assert.equal(r.status, 200, `link ${href} on ${path}`);
			}
		}
		assert.ok(seen.size >= 15, `found only ${seen.size} internal links`);
	});
});

describe('the Shanghai event page', () => {
	test('event_shows_title_theme_and_summary', async () => {
		const main = mainOf((await page(EVENT)).body);
		const text = textOf(main);
		assert.match(main, /<h1[^>]*>Regional Consultations for Asia-South Pacific<\/h1>/);
		assert.ok(text.includes('Harmony through Diversity and Dialogue'), 'theme');
		assert.ok(text.includes('Asia-South Pacific'), 'region');
		assert.ok(text.includes('renewed regional cooperation'), 'summary');
	});
	test('event_shows_dates_29_30_november_2012', async () => {
		const dd = fact((await page(EVENT)).body, 'Dates');
		assert.ok(dd, 'a Dates fact');
		const t = textOf(dd);
		assert.ok(dateHas(t, { days: [29, 30], month: 'November', year: 2012 }), `dates read "${t}"`);
		assert.match(t, /29\s*[–-]\s*30|29 November\s*[–-]\s*30 November/, `one range, not two dates: "${t}"`);
	});
	test('event_shows_place_time_zone_and_capacity', async () => {
		const body = (await page(EVENT)).body;
		assert.equal(inlineText(fact(body, 'Place') ?? ''), 'Shanghai, China');
		// The zone's name and offset on the event's dates, then its IANA id.
		assert.equal(textOf(fact(body, 'Time zone') ?? ''), 'China Standard Time (GMT+08:00) · Asia/Shanghai');
		assert.match(textOf(fact(body, 'Participants') ?? ''), /\b150\b/);
	});
	test('event_shows_the_five_sectors', async () => {
		const t = textOf(fact((await page(EVENT)).body, 'Sectors') ?? '');
		for (const s of ['Governments', 'Academia', 'Corporations', 'NGOs', 'Cultural organisations'])
			assert.ok(t.includes(s), `sector ${s} in "${t}"`);
	});
	test('event_shows_convener_co_organiser_and_partners_by_role', async () => {
		const main = mainOf((await page(EVENT)).body);
		const section = (role) => {
			const i = main.indexOf(`<h3 class="role-title">${role}</h3>`);
			assert.ok(i >= 0, `a ${role} heading`);
			return main.slice(i, main.indexOf('</ul>', i));
		};
		assert.ok(textOf(section('Convener')).includes('United Nations Alliance of Civilizations'));
		assert.ok(textOf(section('Convener')).includes('UNAOC'));
		assert.ok(textOf(section('Co-organiser')).includes('UN Association of China'));
		const partners = textOf(section('Partners'));
		for (const p of ['Fudan University', 'Shanghai Academy of Social Sciences',
			'Centre for Dialogue at La Trobe University', 'International Movement for a Just World'])
			assert.ok(partners.includes(p), `partner ${p}`);
		assert.match(partners, /La Trobe University Australia/, 'La Trobe with Australia');
		assert.match(partners, /Just World Malaysia/, 'IMJW with Malaysia');
	});
	test('event_organisations_without_a_known_country_show_none', async () => {
		// The announcement gives no country for UNAOC, Fudan or SASS; the page
		// must not borrow the event's country for them.
		const main = mainOf((await page(EVENT)).body);
		for (const slug of ['unaoc', 'fudan-university', 'shanghai-academy-of-social-sciences']) {
			const m = new RegExp(`<li class="org"><a href="/organisations/${slug}">[\\s\\S]*?</li>`).exec(main);
			assert.ok(m, `${slug} listed`);
			assert.doesNotMatch(m[0], /org-country/, `${slug} shows a country: ${m[0]}`);
		}
	});
	test('event_shows_the_contact_with_a_mailto_link', async () => {
		const main = mainOf((await page(EVENT)).body);
		const t = textOf(main);
		assert.ok(t.includes('Jean-Christophe Bas'), 'contact name');
		assert.ok(t.includes('Senior Advisor, Strategic Development and Partnerships'), 'contact title');
		assert.ok(t.includes('Secretariat of the United Nations Alliance of Civilizations'), 'contact organisation');
		const mail = links(main).filter((a) => a.href === 'mailto:basj@un.org');
		assert.equal(mail.length, 1, 'one mailto:basj@un.org link');
		assert.equal(mail[0].text, 'basj@un.org');
	});
	test('event_lists_its_news_post', async () => {
		const ls = links(mainOf((await page(EVENT)).body));
		assert.ok(ls.some((a) => a.href === POST && a.text === 'Harmony Through Diversity and Dialogue'));
		assert.ok(ls.some((a) => a.href === SERIES), 'breadcrumb to the series');
	});
	test('event_json_matches_the_page', async () => {
		const m = await model(EVENT);
		assert.equal(m.slug, 'asia-south-pacific-shanghai-2012');
		assert.equal(m.title, 'Regional Consultations for Asia-South Pacific');
		assert.equal(m.theme, 'Harmony through Diversity and Dialogue');
		assert.equal(m.starts_on, '2012-11-29');
		assert.equal(m.ends_on, '2012-11-30');
		assert.equal(m.city, 'Shanghai');
		assert.equal(m.country, 'CN');
		assert.equal(m.timezone, 'Asia/Shanghai');
		assert.equal(m.capacity, 150);
		assert.deepEqual(m.sectors, ['government', 'academia', 'business', 'ngo', 'cultural']);
		assert.equal(m.contact_name, 'Jean-Christophe Bas');
		assert.equal(m.contact_title, 'Senior Advisor, Strategic Development and Partnerships');
		assert.equal(m.contact_email, 'basj@un.org');
		const byRole = (role) => m.organisations.filter((o) => o.role === role).map((o) => o.slug);
		assert.deepEqual(byRole('convener'), ['unaoc']);
		assert.deepEqual(byRole('co-organiser'), ['un-association-of-china']);
		assert.deepEqual(byRole('partner').sort(), ['centre-for-dialogue-la-trobe-university', 'fudan-university',
			'international-movement-for-a-just-world', 'shanghai-academy-of-social-sciences']);
		const country = Object.fromEntries(m.organisations.map((o) => [o.slug, o.country]));
		assert.equal(country['centre-for-dialogue-la-trobe-university'], 'AU');
		assert.equal(country['international-movement-for-a-just-world'], 'MY');
		assert.equal(country.unaoc, null);
		assert.ok(m.news.some((p) => p.url === POST), 'news lists the post');
		// The page renders the model: its display strings appear in the HTML.
		const text = textOf((await page(EVENT)).body);
		assert.ok(text.includes(m.dates.replace(/[\u2009\u202f\u00a0]/g, ' ')), `model dates "${m.dates}" on the page`);
	});
});

describe('the Auckland symposium page', () => {
	test('auckland_shows_month_precision_and_place', async () => {
		const body = (await page(AUCKLAND)).body;
		assert.match(body, /<h1[^>]*>Asia-Pacific Symposium<\/h1>/);
		const d = textOf(fact(body, 'Dates') ?? '');
		assert.equal(d, 'May 2007', 'the announcement gives only the month');
		assert.equal(inlineText(fact(body, 'Place') ?? ''), 'Auckland, New Zealand');
		// May is winter in Auckland: standard time, UTC+12.
		assert.equal(textOf(fact(body, 'Time zone') ?? ''), 'New Zealand Standard Time (GMT+12:00) · Pacific/Auckland');
		assert.equal(fact(body, 'Participants'), null, 'no capacity is known');
	});
	test('auckland_json', async () => {
		const m = await model(AUCKLAND);
		assert.equal(m.date_precision, 'month');
		assert.equal(m.starts_on.slice(0, 7), '2007-05');
		assert.equal(m.city, 'Auckland');
		assert.equal(m.country, 'NZ');
		assert.equal(m.capacity, null);
		assert.deepEqual(m.organisations.map((o) => [o.slug, o.role]), [['unaoc', 'convener']]);
	});
});

describe('the news post page', () => {
	test('post_shows_title_date_and_no_orphan_credit', async () => {
		const main = mainOf((await page(POST)).body);
		assert.match(main, /<h1[^>]*>Harmony Through Diversity and Dialogue<\/h1>/);
		const t = inlineText(main);
		const m = /Posted on ([^.]*?\d{4})/.exec(t);
		assert.ok(m, `"Posted on <date>" in: ${t.slice(0, 200)}`);
		assert.ok(dateHas(m[1], { days: [12], month: 'November', year: 2012 }), `date reads "${m[1]}"`);
		assert.match(main, /<time datetime="2012-11-12T12:00:00Z">/);
		// The demo ships no photo, so no photo credit either.
		assert.ok(!/Photo|©/.test(t), 'no photo credit without a photo');
	});
	test('post_renders_markdown_bold_as_strong', async () => {
		const main = mainOf((await page(POST)).body);
		assert.ok(main.includes('<strong>Shanghai Consultations</strong>'));
		assert.ok(main.includes('<strong>Shanghai consultations</strong>'));
		assert.ok(!main.includes('**'), 'no raw Markdown');
		assert.equal((main.match(/<p>/g) ?? []).length >= 7, true, 'seven paragraphs');
		const t = textOf(main);
		assert.ok(t.includes('150 participants'), 'body text');
		assert.ok(t.includes('“Harmony through Diversity and Dialogue”'), 'typographic quotes kept');
	});
	test('post_links_its_two_categories', async () => {
		const ls = links(mainOf((await page(POST)).body));
		const cats = ls.filter((a) => a.rel === 'tag');
		assert.deepEqual(cats.map((a) => [a.href, a.text]), [
			['/news/category/featured', 'Featured'],
			['/news/category/unaoc-event', 'UNAOC Event'],
		]);
	});
	test('post_tweet_intent_carries_title_and_permalink', async () => {
		const ls = links(mainOf((await page(POST)).body));
		const share = ls.filter((a) => a.href?.startsWith('https://twitter.com/intent/tweet?'));
		assert.equal(share.length, 1, 'one share link');
		const q = new URL(share[0].href).searchParams;
		assert.equal(q.get('text'), 'Harmony Through Diversity and Dialogue');
		assert.equal(q.get('url'), srv.url + POST);
		assert.match(share[0].rel ?? '', /\bnoopener\b/, 'rel=noopener on a target=_blank link');
	});
	test('post_shows_its_permalink', async () => {
		const ls = links(mainOf((await page(POST)).body));
		const perma = ls.filter((a) => a.rel === 'bookmark');
		assert.equal(perma.length, 1);
		assert.equal(perma[0].href, srv.url + POST);
		assert.equal((await get(perma[0].href)).status, 200);
	});
	test('post_links_its_event', async () => {
		const ls = links(mainOf((await page(POST)).body));
		assert.ok(ls.some((a) => a.href === EVENT && a.text === 'Regional Consultations for Asia-South Pacific'));
	});
	test('post_json_matches_the_page', async () => {
		const m = await model(POST);
		assert.equal(m.title, 'Harmony Through Diversity and Dialogue');
		assert.equal(m.slug, 'harmony-through-diversity-and-dialogue');
		assert.equal(m.published_at, '2012-11-12T12:00:00Z');
		assert.equal(m.image, null);
		assert.equal(m.image_credit, null);
		assert.equal(m.is_featured, true);
		assert.deepEqual(m.categories.map((c) => c.slug), ['featured', 'unaoc-event']);
		assert.equal(m.permalink, srv.url + POST);
		assert.equal(m.event_slug, 'asia-south-pacific-shanghai-2012');
		assert.ok(m.body_md.includes('**Shanghai Consultations**'), 'Markdown source');
		assert.ok(m.body_html.includes('<strong>Shanghai Consultations</strong>'), 'rendered body');
		assert.ok(mainOf((await page(POST)).body).includes(m.body_html.trim().split('\n')[0]), 'page shows body_html');
	});
});

describe('the lists', () => {
	test('home_shows_featured_post_and_both_events', async () => {
		const main = mainOf((await page('/')).body);
		const ls = links(main);
		assert.ok(ls.some((a) => a.href === POST && a.text === 'Harmony Through Diversity and Dialogue'), 'featured post');
		assert.ok(ls.some((a) => a.href === EVENT && a.text === 'Regional Consultations for Asia-South Pacific'), 'Shanghai');
		assert.ok(ls.some((a) => a.href === AUCKLAND && a.text === 'Asia-Pacific Symposium'), 'Auckland');
		assert.ok(ls.some((a) => a.href === SERIES), 'the series');
		const m = await model('/');
		assert.deepEqual(m.featured.map((p) => p.url), [POST]);
		assert.deepEqual(m.upcoming, [], 'both demo events are in the past');
		assert.deepEqual(m.past.map((e) => e.url), [EVENT, AUCKLAND], 'past events, newest first');
		assert.deepEqual(m.series.map((s) => s.url), [SERIES]);
	});
	test('events_lists_past_events_newest_first', async () => {
		const main = mainOf((await page('/events')).body);
		const i = main.indexOf(`href="${EVENT}"`), j = main.indexOf(`href="${AUCKLAND}"`);
		assert.ok(i >= 0 && j > i, 'Shanghai before Auckland');
		assert.ok(dateHas(textOf(main), { days: [29, 30], month: 'November', year: 2012 }));
		assert.ok(textOf(main).includes('May 2007'));
		const m = await model('/events');
		assert.deepEqual(m.past.map((e) => e.slug), ['asia-south-pacific-shanghai-2012', 'asia-pacific-auckland-2007']);
		assert.deepEqual(m.upcoming, []);
	});
	test('series_groups_events_by_region', async () => {
		const main = mainOf((await page(SERIES)).body);
		assert.match(main, /<h1[^>]*>Regional Consultations<\/h1>/);
		assert.ok(textOf(main).includes('root its work in a regional framework'), 'series summary');
		assert.ok(links(main).some((a) => a.href === '/organisations/unaoc'), 'organiser link');
		const m = await model(SERIES);
		assert.equal(m.slug, 'regional-consultations');
		assert.equal(m.organiser_slug, 'unaoc');
		assert.deepEqual(m.regions.map((r) => [r.region, r.events.map((e) => e.slug)]), [
			['Asia-South Pacific', ['asia-south-pacific-shanghai-2012']],
			['Asia-Pacific', ['asia-pacific-auckland-2007']],
		]);
		for (const r of m.regions) assert.ok(textOf(main).includes(r.region), `region ${r.region} shown`);
	});
	test('news_lists_the_post_and_categories', async () => {
		const main = mainOf((await page('/news')).body);
		assert.ok(links(main).some((a) => a.href === POST), 'post');
		assert.ok(links(main).some((a) => a.href === '/news.atom'), 'feed link');
		const m = await model('/news');
		assert.equal(m.page, 1);
		assert.equal(m.pages, 1);
		assert.equal(m.total, 1);
		assert.deepEqual(m.posts.map((p) => p.url), [POST]);
		assert.deepEqual(m.categories.map((c) => [c.slug, c.posts]), [['featured', 1], ['unaoc-event', 1]]);
		assert.ok(!('prev_url' in m) && !('next_url' in m), 'one page: no paging links');
	});
	for (const [slug, name] of [['featured', 'Featured'], ['unaoc-event', 'UNAOC Event']]) {
		test(`category_${slug}_lists_the_post`, async () => {
			const path = `/news/category/${slug}`;
			const body = (await page(path)).body;
			assert.equal(textOf(mainOf(body).match(/<h1[^>]*>[\s\S]*?<\/h1>/)[0]), name);
			assert.match(body, new RegExp(`<title>${name} · `));
			const current = links(mainOf(body)).filter((a) => a['aria-current'] === 'page');
			assert.deepEqual(current.map((a) => a.href), [path], 'the current category is marked');
			const m = await model(path);
			assert.equal(m.category.slug, slug);
			assert.equal(m.category.name, name);
			assert.deepEqual(m.posts.map((p) => p.url), [POST]);
			assert.deepEqual(m.categories.filter((c) => c.is_current).map((c) => c.slug), [slug]);
		});
	}
	for (const o of ORGS) {
		test(`organisation_${o.slug}`, async () => {
			const path = `/organisations/${o.slug}`;
			const main = mainOf((await page(path)).body);
			assert.ok(textOf(main.match(/<h1[^>]*>[\s\S]*?<\/h1>/)[0]).startsWith(o.name), 'name in h1');
			assert.ok(links(main).some((a) => a.href === EVENT), 'lists the Shanghai event');
			if (o.country) assert.ok(textOf(main).includes(o.country), `country ${o.country}`);
			const m = await model(path);
			assert.equal(m.slug, o.slug);
			assert.equal(m.name, o.name);
			assert.equal(m.events.length, o.events);
			assert.equal(m.events.find((e) => e.slug === 'asia-south-pacific-shanghai-2012')?.role, o.role);
		});
	}
	test('organisation_without_a_web_site_shows_no_web_site_link', async () => {
		// No demo organisation has a web site (organisation.url is NULL); the
		// page must not offer its own address in its place.
		for (const o of ORGS) {
			const path = `/organisations/${o.slug}`;
			const bad = links(mainOf((await page(path)).body)).filter((a) => a.rel === 'noopener' || a.text === path);
			assert.deepEqual(bad.map((a) => a.href), [], `${path}: a web site link to ${bad[0]?.href}`);
		}
	});
});

describe('JSON twins', () => {
	test('json_twin_headers', async () => {
		for (const path of ['/', '/events', SERIES, EVENT, '/news', POST, '/news/category/featured', '/organisations/unaoc']) {
			const r = await get(srv.url + path, { headers: { Accept: 'application/json' } });
			assert.equal(r.status, 200, path);
			assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', path);
			assert.match(r.headers.vary ?? '', /\bAccept\b/, `${path}: Vary: Accept (same URL, two forms)`);
			assert.doesNotThrow(() => JSON.parse(r.body), path);
			assert.ok(!r.body.includes('<html'), `${path}: not HTML`);
		}
	});
	test('json_twin_html_still_default_for_browsers', async () => {
		const r = await get(srv.url + EVENT, {
			headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
		});
		assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
	});
	test('json_twin_stylesheet_link_is_present_in_html_only', async () => {
		const css = tags((await page('/')).body, 'link').filter((l) => l.rel === 'stylesheet');
		assert.equal(css.length, 1);
		assert.match(css[0].href, /^\/assets\/site\.css\?v=[0-9a-f]+$/);
	});
});
