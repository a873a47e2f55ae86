// content-translations.test.mjs — organisers' texts in other languages: an
// organiser enters versions of an event's, a series', an organisation's or
// a post's texts beside the original (a form and the API), a visitor reads
// each field in their language where it has a version and in the original
// otherwise, every field marked with the language it is in, in pages,
// lists, JSON twins and the feed; only those who may edit the thing may
// change its versions; refused input stores nothing; deleting the thing
// deletes its versions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, addAccount, apiToken, bearer } from './lib/accounts.mjs';
import { eventually } from './lib/backend.mjs';
import { decodeEntities, mainOf } from './lib/html.mjs';
import { get, getJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const AUCKLAND = 'asia-pacific-auckland-2007';
const POST = '/news/2012/11/12/harmony-through-diversity-and-dialogue';
const ZH = {
	title: '亚洲—南太平洋区域磋商会',
	theme: '通过多样性与对话实现和谐',
	description_md: '**上海**的两天对话。',
};

let srv, organiser, admin, other;
before(async () => {
	srv = await startServer();
	addAccount(srv.db, { email: 'tr-admin@example.org', name: 'Translations admin', role: 'admin' });
	addAccount(srv.db, { email: 'auckland@example.org', name: 'Auckland organiser', role: 'organiser', event: AUCKLAND });
	organiser = await new Client(srv.url).signIn(srv.organiser.email, srv.organiser.password);
	admin = await new Client(srv.url).signIn('tr-admin@example.org');
	other = await new Client(srv.url).signIn('auckland@example.org');
});
after(async () => {
	await srv?.stop();
});

// The element whose start tag matches re, with its attributes and text.
function element(html, re) {
	const m = new RegExp(`<(${re.source})[^>]*>([\\s\\S]*?)</`, 'i').exec(html);
	return m && { tag: m[0], text: decodeEntities(m[2].replace(/<[^>]*>/g, '')).trim() };
}

const versions = (entity) =>
	jsonRows(srv.db, `SELECT entity_id, lang, field, body FROM content_translation WHERE entity = '${entity}' ORDER BY entity_id, lang, field`);

describe('an event in Chinese', () => {
	test('the organiser adds a version through the API; it is stored and audited', async () => {
		const r = await organiser.api('PUT', `/api/v1/events/${SH}/translations/zh`, ZH);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json, { lang: 'zh', fields: ZH });
		const all = await getJson(`${srv.url}/api/v1/events/${SH}/translations`);
		assert.equal(all.status, 200);
		assert.deepEqual(all.json, { lang: 'en', translations: { zh: ZH } });
		const audit = jsonRows(srv.db, "SELECT action, after_json FROM audit_log WHERE action = 'event.translate'");
		assert.equal(audit.length, 1);
		assert.deepEqual(JSON.parse(audit[0].after_json).fields, ZH);
	});

	test('a reader in Chinese sees the Chinese texts, and the original where there is none, each marked', async () => {
		const r = await eventually(async () => {
			const x = await get(`${srv.url}/events/${SH}?lang=zh`);
			return x.body.includes(ZH.title) && x;
		});
		assert.ok(r, 'the Chinese title is on the page');
		const h1 = element(mainOf(r.body), /h1/);
		assert.equal(h1.text, ZH.title);
		assert.match(h1.tag, /lang="zh"/);
		// the summary has no Chinese version: English, and says so
		const lead = element(r.body, /p class="lead"/);
		assert.match(lead.tag, /lang="en"/);
		assert.match(lead.text, /consultation|dialogue|Asia/i);
		// Markdown of the version is rendered (and escaped as the original is)
		assert.match(r.body, /<div class="prose" lang="zh" dir="auto">\s*<p><strong>上海<\/strong>的两天对话。<\/p>/);
		// English readers still read the original
		const en = await get(`${srv.url}/events/${SH}?lang=en`);
		assert.equal(element(mainOf(en.body), /h1/).text, 'Regional Consultations for Asia-South Pacific');
		assert.ok(!en.body.includes(ZH.title));
	});

	test('the JSON twin and the lists carry the version and its language', async () => {
		const j = await getJson(`${srv.url}/events/${SH}?lang=zh`);
		assert.equal(j.json.title, ZH.title);
		assert.equal(j.json.lang, 'en', 'the language the event is written in');
		assert.equal(j.json.text_lang.title, 'zh');
		assert.equal(j.json.text_lang.summary, 'en');
		const list = await get(`${srv.url}/events?lang=zh`);
		assert.match(list.body, new RegExp(`<a href="/events/${SH}" lang="zh" dir="auto">${ZH.title}</a>`));
		const home = await get(`${srv.url}/?lang=zh`);
		assert.ok(home.body.includes(ZH.title), 'the home page lists it in Chinese too');
	});
});

describe('the side-by-side form', () => {
	test('shows each text of the original beside its field', async () => {
		const r = await organiser.get(`/admin/events/${SH}/translations/fr`);
		assert.equal(r.status, 200);
		// in a box a keyboard can scroll when the original is long
		assert.match(r.body, /<div class="translation-text" id="f-title-original" lang="en" dir="ltr" tabindex="0" role="region" aria-label="[^"]+">Regional Consultations for Asia-South Pacific<\/div>/);
		assert.match(r.body, /<input id="f-title" name="title" lang="fr" dir="ltr" value=""/);
		assert.match(r.body, /<textarea id="f-description_md" name="description_md" lang="fr"/);
		const overview = await organiser.get(`/admin/events/${SH}/translations`);
		assert.equal(overview.status, 200);
		assert.match(overview.body, /中文[\s\S]*?3 of 7 fields translated/);
	});

	test('saving the form stores the version and goes back to the overview', async () => {
		await organiser.get(`/admin/events/${SH}/translations/fr`);
		const r = await organiser.post(`/admin/events/${SH}/translations/fr`, { title: 'Consultations régionales pour l’Asie et le Pacifique Sud', summary: '', venue: 'Université Fudan' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `/admin/events/${SH}/translations?done=saved`);
		const rows = versions('event').filter((v) => v.lang === 'fr');
		assert.deepEqual(rows.map((v) => v.field), ['title', 'venue'], 'an empty field is left to the original');
		const page = await eventually(async () => {
			const x = await get(`${srv.url}/events/${SH}?lang=fr`);
			return x.body.includes('Université Fudan') && x;
		});
		assert.ok(page);
		assert.match(page.body, /<dd lang="fr" dir="auto">Université Fudan<\/dd>/);
	});

	test('input the original would refuse is refused, and nothing is stored', async () => {
		const before = dbSnapshot(srv.db);
		const long = await organiser.api('PUT', `/api/v1/events/${SH}/translations/ru`, { title: 'Я'.repeat(201) });
		assert.equal(long.status, 400);
		assert.ok(long.json.errors.title, 'the title is named');
		const own = await organiser.api('PUT', `/api/v1/events/${SH}/translations/en`, { title: 'Another English title' });
		assert.equal(own.status, 400, 'the original is edited on its own page');
		const bad = await organiser.api('PUT', `/api/v1/events/${SH}/translations/de`, { title: 'Regionale Konsultationen' });
		assert.equal(bad.status, 404, 'a language the site does not speak');
		assertDbUnchanged(srv.db, before, 'refused versions');
	});
});

describe('who may change versions', () => {
	test('a visitor, an organiser of another event and a read-only token may not, and change nothing', async () => {
		const ro = await apiToken(organiser, 'read', 'read only', srv.organiser.password);
		const before = dbSnapshot(srv.db);
		const anon = await getJson(`${srv.url}/api/v1/events/${SH}/translations`);
		assert.equal(anon.status, 200, 'reading a published event’s versions is public');
		const visitor = new Client(srv.url);
		await visitor.get('/');
		assert.ok([401, 403].includes((await visitor.api('PUT', `/api/v1/events/${SH}/translations/es`, { title: 'x' })).status));
		assert.equal((await other.api('PUT', `/api/v1/events/${SH}/translations/es`, { title: 'x' })).status, 403);
		assert.equal((await other.get(`/admin/events/${SH}/translations/es`)).status, 403);
		assert.equal((await other.api('DELETE', `/api/v1/events/${SH}/translations/zh`)).status, 403);
		assert.equal((await bearer(srv.url, ro, 'PUT', `/api/v1/events/${SH}/translations/es`, { title: 'x' })).status, 403);
		assertDbUnchanged(srv.db, before, 'refused writes');
	});
});

describe('the original’s language', () => {
	test('changing it makes a version in that language the original’s place; removing a version goes back', async () => {
		const auck = await other.api('PUT', `/api/v1/events/${AUCKLAND}/translations/fr`, { title: 'Consultations régionales à Auckland' });
		assert.equal(auck.status, 200, auck.body);
		const set = await other.api('PATCH', `/api/v1/events/${AUCKLAND}/translations`, { lang: 'fr' });
		assert.equal(set.status, 200, set.body);
		const j = await eventually(async () => {
			const x = await getJson(`${srv.url}/events/${AUCKLAND}?lang=fr`);
			return x.json.lang === 'fr' && x;
		});
		assert.equal(j.json.text_lang.title, 'fr', 'the original is in French now');
		assert.notEqual(j.json.title, 'Consultations régionales à Auckland', 'the original text is shown, not the old version');
		const back = await other.api('PATCH', `/api/v1/events/${AUCKLAND}/translations`, { lang: 'en' });
		assert.equal(back.status, 200);
		assert.equal((await other.api('PATCH', `/api/v1/events/${AUCKLAND}/translations`, { lang: 'de' })).status, 400);
		const del = await other.api('DELETE', `/api/v1/events/${AUCKLAND}/translations/fr`);
		assert.equal(del.status, 200);
		assert.deepEqual(del.json, { deleted: true });
		assert.deepEqual(versions('event').filter((v) => v.lang === 'fr' && v.body.includes('Auckland')), []);
		const fr = await eventually(async () => {
			const x = await getJson(`${srv.url}/events/${AUCKLAND}?lang=fr`);
			return x.json.text_lang.title === 'en' && x;
		});
		assert.ok(fr, 'read in the original again');
	});
});

describe('series, organisations and posts', () => {
	test('each takes versions, shown in its pages and the feed', async () => {
		const s = await admin.api('PUT', '/api/v1/series/regional-consultations/translations/ar', { title: 'المشاورات الإقليمية' });
		assert.equal(s.status, 200, s.body);
		const o = await admin.api('PUT', '/api/v1/organisations/unaoc/translations/es', { name: 'Alianza de Civilizaciones de las Naciones Unidas' });
		assert.equal(o.status, 200, o.body);
		const p = await admin.api('PUT', '/api/v1/posts/1/translations/fr', { title: 'L’harmonie par la diversité et le dialogue', body_md: 'Un *texte* en français.' });
		assert.equal(p.status, 200, p.body);
		const series = await eventually(async () => {
			const x = await get(`${srv.url}/series/regional-consultations?lang=ar`);
			return x.body.includes('المشاورات الإقليمية') && x;
		});
		assert.match(series.body, /<h1 lang="ar" dir="auto">المشاورات الإقليمية<\/h1>/);
		const org = await get(`${srv.url}/organisations/unaoc?lang=es`);
		assert.match(org.body, /<bdi lang="es">Alianza de Civilizaciones de las Naciones Unidas<\/bdi>/);
		const post = await get(`${srv.url}${POST}?lang=fr`);
		assert.match(post.body, /<h1 lang="fr" dir="auto">L’harmonie par la diversité et le dialogue<\/h1>/);
		assert.match(post.body, /<em>texte<\/em>/);
		const feed = await get(`${srv.url}/news.atom?lang=fr`);
		assert.match(feed.body, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom" xml:lang="fr">/);
		assert.match(feed.body, /<entry xml:lang="fr">\s*<title>L’harmonie par la diversité et le dialogue<\/title>/);
		const enFeed = await get(`${srv.url}/news.atom`);
		assert.match(enFeed.body, /<entry xml:lang="en">\s*<title>Harmony Through Diversity and Dialogue<\/title>/);
	});

	test('the admin edits the original, never the version', async () => {
		const r = await admin.get('/admin/news/1/edit?lang=fr');
		assert.equal(r.status, 200);
		assert.match(r.body, /value="Harmony Through Diversity and Dialogue"/);
		assert.match(r.body, /href="\/admin\/news\/1\/translations"/);
	});
});

describe('deleting a thing', () => {
	test('deletes its versions with it, and the trash gives them back', async () => {
		const made = await admin.api('POST', '/api/v1/organisations', { name: 'Short-lived Foundation' });
		assert.equal(made.status, 201, made.body);
		const slug = made.json.slug;
		assert.equal((await admin.api('PUT', `/api/v1/organisations/${slug}/translations/ru`, { name: 'Недолгий фонд' })).status, 200);
		const id = made.json.id;
		assert.equal(versions('organisation').filter((v) => v.entity_id === id).length, 1);
		const del = await admin.api('DELETE', `/api/v1/organisations/${slug}`);
		assert.equal(del.status, 200);
		assert.deepEqual(versions('organisation').filter((v) => v.entity_id === id), []);
		// From the trash it comes back with them, and in its own language.
		assert.equal((await admin.api('PATCH', `/api/v1/organisations/${slug}/translations`, { lang: 'fr' })).status, 404, 'gone');
		const back = await admin.api('POST', `/api/v1/trash/${del.json.trash_id}/restore`);
		assert.equal(back.status, 200, back.body);
		assert.deepEqual(versions('organisation').filter((v) => v.entity_id === id).map((v) => [v.lang, v.field, v.body]), [['ru', 'name', 'Недолгий фонд']]);
	});
});
