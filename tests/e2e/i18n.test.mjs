// i18n.test.mjs — the site in the UN's six languages: every public page in
// each, with lang and dir set and no English interface text left; the
// language switcher on every page, keeping the visitor where they are; and
// the order in which a language is chosen (?lang=, the switcher's cookie,
// a signed-in user's profile, Accept-Language).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, addAccount } from './lib/accounts.mjs';
import { decodeEntities, links } from './lib/html.mjs';
import { get, getJson } from './lib/http.mjs';
import { catalogue, readPo } from './lib/po.mjs';
import { startServer } from './lib/server.mjs';

const LANGS = ['ar', 'es', 'fr', 'ru', 'zh'];
const PAGES = [
	'/',
	'/events',
	'/events/asia-south-pacific-shanghai-2012',
	'/series/regional-consultations',
	'/organisations/unaoc',
	'/news',
	'/news/2012/11/12/harmony-through-diversity-and-dialogue',
	'/sign-in',
	'/forgot-password',
	'/no/such/page',
];

// The interface texts a page may show, with what each language makes of
// them: those a language writes differently from English are the ones that
// must not appear in English on its pages.
const POT = readPo('po/harmony.pot').filter((e) => !/[{%]/.test(e.msgid) && !e.plural);
const CATS = Object.fromEntries(LANGS.map((l) => [l, catalogue(l)]));

// What a page says as interface: each text node, and the attributes people
// read (alt, title, aria-label, placeholder), outside the main content's
// user-written parts (the description, a post's body), which are the
// organisers' words in the language they wrote them.
function interfaceTexts(html) {
	const chrome = html
		.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
		.replace(/<div class="(?:prose|event-description|post-body)[^"]*"[\s\S]*?<\/div>/gi, ' ')
		// category names are the organisers' too (the demo has "Featured")
		.replace(/<a href="\/news\/category\/[^"]*"[^>]*>[^<]*<\/a>/g, ' ');
	const out = [];
	for (const m of chrome.matchAll(/>([^<>]+)</g)) {
		const t = decodeEntities(m[1]).replace(/[\s\u00a0\u202f]+/g, ' ').trim();
		if (t) out.push(t);
	}
	for (const m of chrome.matchAll(/\s(?:alt|title|aria-label|placeholder)="([^"]*)"/g)) {
		const t = decodeEntities(m[1]).trim();
		if (t) out.push(t);
	}
	return out;
}

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

describe('every public page in every language', () => {
	for (const lang of LANGS) {
		test(`${lang}: lang and dir set, no English interface text`, async () => {
			const english = new Set(POT.filter((e) => CATS[lang].get(e.msgid) && CATS[lang].get(e.msgid) !== e.msgid).map((e) => e.msgid));
			assert.ok(english.size > 400, `${lang}: ${english.size} texts translated differently from English`);
			for (const p of PAGES) {
				const r = await get(`${srv.url}${p}${p.includes('?') ? '&' : '?'}lang=${lang}`);
				assert.ok(r.status === 200 || (p === '/no/such/page' && r.status === 404), `${p}: ${r.status}`);
				assert.match(r.body, new RegExp(`<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">`), `${p}: <html>`);
				const left = interfaceTexts(r.body).filter((t) => english.has(t));
				assert.deepEqual(left, [], `${p} in ${lang} shows English interface text`);
				// The page says something in the language: one of its
				// translations is there (not an English page with lang="ar").
				const translated = interfaceTexts(r.body).filter((t) => [...CATS[lang].values()].includes(t));
				assert.ok(translated.length >= 3, `${p} in ${lang}: ${translated.length} translated texts`);
			}
		});
	}

	test('an error answered as JSON is in the language asked for', async () => {
		const r = await getJson(`${srv.url}/api/v1/events/no-such-event`, { headers: { 'Accept-Language': 'fr' } });
		assert.equal(r.status, 404);
		const fr = CATS.fr.get('There is no such event.');
		assert.ok(fr && fr !== 'There is no such event.');
		assert.equal(r.json.error.message, fr);
	});
});

describe('the language switcher', () => {
	test('every page lists the six languages, each by its own name, and comes back to the page', async () => {
		for (const p of ['/', '/events?page=1', '/news']) {
			const r = await get(srv.url + p);
			const sw = links(r.body).filter((a) => (a.href ?? '').startsWith('/language?'));
			assert.deepEqual(sw.map((a) => a.lang), ['en', 'ar', 'es', 'fr', 'ru', 'zh'], p);
			assert.deepEqual(sw.map((a) => a.text), ['English', 'العربية', 'Español', 'Français', 'Русский', '中文'], p);
			assert.equal(sw.filter((a) => 'aria-current' in a).map((a) => a.lang).join(), 'en', `${p}: the current one is marked`);
			for (const a of sw) assert.equal(new URL(a.href, srv.url).searchParams.get('next'), p, `${p}: ${a.href}`);
		}
	});

	test('choosing a language keeps it in a cookie and goes back to the page, query and all', async () => {
		const c = new Client(srv.url);
		const r = await c.get('/language?to=ar&next=' + encodeURIComponent('/events?page=1'));
		assert.equal(r.status, 303);
		assert.equal(r.headers.location, '/events?page=1');
		const cookie = [r.headers['set-cookie']].flat().find((s) => s.startsWith('lang='));
		assert.match(cookie, /^lang=ar; Path=\/; Max-Age=31536000; SameSite=Lax; HttpOnly$/);
		const page = await c.get('/events?page=1');
		assert.match(page.body, /<html lang="ar" dir="rtl">/);
		// and on the next page too, without ?lang=
		assert.match((await c.get('/news')).body, /<html lang="ar" dir="rtl">/);
		// ?lang= still wins for one page
		assert.match((await c.get('/news?lang=fr')).body, /<html lang="fr" dir="ltr">/);
	});

	test('the way back is a path of this site, never another site', async () => {
		for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/\tx', 'events']) {
			const r = await get(`${srv.url}/language?to=fr&next=${encodeURIComponent(next)}`);
			assert.equal(r.status, 303, next);
			assert.equal(r.headers.location, '/', `${JSON.stringify(next)} → ${r.headers.location}`);
		}
	});

	test('a language harmony does not offer is refused, and no cookie is set', async () => {
		for (const to of ['de', '', 'x" onload', 'en-US-x']) {
			const r = await get(`${srv.url}/language?to=${encodeURIComponent(to)}&next=/`);
			assert.equal(r.status, 400, to);
			assert.equal(r.headers['set-cookie'], undefined, to);
		}
		const r = await getJson(`${srv.url}/language?to=de`);
		assert.equal(r.status, 400);
		assert.equal(r.json.error.message, 'This language is not offered.');
	});
});

describe('which language a page is in', () => {
	test('a signed-in user reads in their profile language unless the request asks for another', async () => {
		addAccount(srv.db, { email: 'ru-reader@example.org', name: 'Читатель', role: 'admin' });
		const c = await new Client(srv.url).signIn('ru-reader@example.org');
		const save = await c.api('PATCH', '/api/v1/account', { lang: 'ru' });
		assert.equal(save.status, 200, save.body);
		const hdr = { 'Accept-Language': 'es' };
		assert.match((await c.get('/account', { headers: hdr })).body, /<html lang="ru"/, 'profile over Accept-Language');
		assert.match((await c.get('/account?lang=zh', { headers: hdr })).body, /<html lang="zh"/, '?lang= over profile');
		c.cookies.set('lang', 'fr');
		assert.match((await c.get('/account', { headers: hdr })).body, /<html lang="fr"/, 'the switcher over profile');
		c.cookies.set('lang', 'xx');
		assert.match((await c.get('/account', { headers: hdr })).body, /<html lang="ru"/, 'an unknown cookie is ignored');
		// A visitor without either: Accept-Language.
		assert.match((await get(srv.url + '/news', { headers: hdr })).body, /<html lang="es"/);
	});
});

describe('names in any script', () => {
	// Arabic with its vowel marks, Devanagari with a zero-width joiner,
	// Chinese, Cyrillic with ё, and Latin with a combining accent (NFD):
	// each comes back byte for byte.
	const NAMES = ['مُحَمَّد الهاشمي', 'क्‍षमा शर्मा', '上海社会科学院', 'Алёна Фёдорова', 'Zoe\u0301 Müller'];

	test('round-trip through the CLI, the profile form, the API and the pages', async () => {
		addAccount(srv.db, { email: 'names@example.org', name: NAMES[0], role: 'admin' });
		const c = await new Client(srv.url).signIn('names@example.org');
		let me = await c.getJson('/api/v1/account');
		assert.equal(me.json.name, NAMES[0], 'the name the CLI stored');
		for (const name of NAMES.slice(1)) {
			const r = await c.api('PATCH', '/api/v1/account', { name, organisation: NAMES[2] });
			assert.equal(r.status, 200, r.body);
			me = await c.getJson('/api/v1/account');
			assert.equal(me.json.name, name);
			assert.equal(me.json.organisation, NAMES[2]);
			const page = await c.get('/account');
			assert.ok(decodeEntities(page.body).includes(name), `${name} on the account page`);
		}
		// An organisation named in each script, on its public page and JSON twin.
		for (const name of NAMES) {
			const made = await c.api('POST', '/api/v1/organisations', { name });
			assert.equal(made.status, 201, made.body);
			assert.equal(made.json.name, name);
			const pub = await getJson(`${srv.url}/organisations/${made.json.slug}`);
			assert.equal(pub.status, 200);
			assert.equal(pub.json.name, name);
			const html = await get(`${srv.url}/organisations/${made.json.slug}`);
			assert.ok(decodeEntities(html.body).includes(name), `${name} on its page`);
			assert.match(made.json.slug, /^[a-z0-9-]+$/, `an address made from ${name}`);
		}
	});
});
