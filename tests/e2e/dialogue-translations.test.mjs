// dialogue-translations.test.mjs — moderator-reviewed translations of
// dialogue statements (issue 13), so that a room reading several languages
// votes on the same statement: a moderator enters a statement's version in
// another language (the API, and the form beside the original in the
// moderation pages); a French reader sees it marked lang="fr" with a note
// and the original a click away (without script), an English reader the
// original; both votes count on the one statement; the live view, the
// report and their JSON twins carry the translations; a participant may
// not write translations; refused input stores nothing; a seed's change of
// text (before votes) takes its translations with it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, addAccount, apiToken, bearer } from './lib/accounts.mjs';
import { eventually } from './lib/backend.mjs';
import { decodeEntities } from './lib/html.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const EN = 'Rivers are a shared good.';
const FR = 'Les fleuves sont un bien commun.';
const ES = 'Los ríos son un bien común.';

let srv, org, fr, en, partToken, orgToken, cid, sid;
before(async () => {
	srv = await startServer();
	addAccount(srv.db, { email: 'tr-fr@example.org', name: 'Lecteur' });
	addAccount(srv.db, { email: 'tr-en@example.org', name: 'Reader' });
	org = await new Client(srv.url).signIn(srv.organiser.email, srv.organiser.password);
	fr = await new Client(srv.url).signIn('tr-fr@example.org');
	en = await new Client(srv.url).signIn('tr-en@example.org');
	partToken = await apiToken(en, 'write', 'participant');
	orgToken = await apiToken(org, 'write', 'organiser', srv.organiser.password);
	let r = await org.api('POST', `/api/v1/events/${SH}/conversations`,
		{ topic: 'Rivers', status: 'open', participation: 'signed-in', max_length: 40 });
	assert.equal(r.status, 201, r.body);
	cid = r.json.id;
	r = await org.api('POST', `/api/v1/conversations/${cid}/statements`, { texts: [EN], lang: 'en' });
	assert.equal(r.status, 201, r.body);
	sid = r.json.ids[0];
});
after(async () => {
	await srv?.stop();
});

const stored = () => jsonRows(srv.db, `SELECT lang, text FROM statement_translation WHERE statement_id = ${sid} ORDER BY lang`);

// The start tag and text of the first element whose start tag matches re.
function element(html, re) {
	const m = new RegExp(`<(${re.source})[^>]*>([\\s\\S]*?)</`, 'i').exec(html);
	return m && { tag: m[0], text: decodeEntities(m[2].replace(/<[^>]*>/g, '')).trim() };
}

describe('a statement in English, translated into French', () => {
	test('the moderator adds the translation: stored, reviewed by them, audited', async () => {
		let r = await org.api('PUT', `/api/v1/statements/${sid}/translations/fr`, { text: `  ${FR} ` });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json, { lang: 'fr', fields: { text: FR } });
		r = await bearer(srv.url, partToken, 'GET', `/api/v1/statements/${sid}/translations`);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json, { lang: 'en', translations: { fr: { text: FR } } });
		const row = jsonRows(srv.db, `SELECT t.lang, t.text, a.email FROM statement_translation t JOIN account a ON a.id = t.reviewed_by WHERE t.statement_id = ${sid}`);
		assert.deepEqual(row, [{ lang: 'fr', text: FR, email: srv.organiser.email }]);
		const audit = jsonRows(srv.db, `SELECT after_json FROM audit_log WHERE action = 'statement.translate' AND entity_id = ${sid}`);
		assert.equal(audit.length, 1);
		assert.deepEqual(JSON.parse(audit[0].after_json), { lang: 'fr', text: FR });
		// the moderators' view of the conversation carries it beside the original
		r = await org.api('GET', `/api/v1/conversations/${cid}`);
		const s = r.json.statements.find((x) => x.id === sid);
		assert.equal(s.text, EN);
		assert.equal(s.lang, 'en');
		assert.deepEqual(s.translations, { fr: { text: FR } });
	});

	test('a French reader sees it marked lang="fr", with a note and the original a click away', async () => {
		const r = await fr.get(`/conversations/${cid}?lang=fr`);
		assert.equal(r.status, 200);
		const q = element(r.body, /blockquote class="dialogue-statement"/);
		assert.ok(q, 'the statement is shown');
		assert.match(q.tag, /lang="fr"/);
		assert.match(q.tag, /dir="auto"/);
		assert.equal(q.text, FR);
		assert.match(r.body, /class="dialogue-translated"/);
		// the original: in a <details>, no script needed, marked as English
		const d = /<details class="dialogue-original"><summary>[\s\S]*?<\/summary>\s*<blockquote lang="en" dir="auto">([^<]*)<\/blockquote><\/details>/.exec(r.body);
		assert.ok(d, 'the original in a details element');
		assert.equal(decodeEntities(d[1]), EN);
		// the JSON twin says the same
		const j = await fr.getJson(`/conversations/${cid}?lang=fr`);
		assert.equal(j.json.next.id, sid);
		assert.equal(j.json.next.text, FR);
		assert.deepEqual(j.json.next.text_lang, { text: 'fr' });
		assert.equal(j.json.next.lang, 'en');
		assert.equal(j.json.next.original_text, EN);
		assert.equal(j.json.next.translated, true);
		assert.deepEqual(j.json.next.translations, { fr: { text: FR } });
	});

	test('the embedded page, framed by another site, reads the same in French', async () => {
		let r = await org.api('PATCH', `/api/v1/conversations/${cid}`, { embed_origins: 'https://partner.example.org' });
		assert.equal(r.status, 200, r.body);
		const v = new Client(srv.url);
		r = await v.get(`/conversations/${cid}?embed=1&lang=fr`);
		assert.equal(r.status, 200);
		assert.match(r.headers['content-security-policy'], /frame-ancestors .*https:\/\/partner\.example\.org/);
		// a visitor may not take part here (signed-in only), but reads the same marks where they may
		r = await fr.get(`/conversations/${cid}?embed=1&lang=fr`);
		const q = element(r.body, /blockquote class="dialogue-statement"/);
		assert.match(q.tag, /lang="fr"/);
		assert.equal(q.text, FR);
		assert.ok(r.body.includes(`<blockquote lang="en" dir="auto">${EN}</blockquote></details>`));
		r = await org.api('PATCH', `/api/v1/conversations/${cid}`, { embed_origins: '' });
		assert.equal(r.status, 200, r.body);
	});

	test('an English reader sees the original, and a Spanish one too while there is no Spanish version', async () => {
		for (const lang of ['en', 'es']) {
			const r = await en.get(`/conversations/${cid}?lang=${lang}`);
			const q = element(r.body, /blockquote class="dialogue-statement"/);
			assert.match(q.tag, /lang="en"/);
			assert.equal(q.text, EN);
			assert.doesNotMatch(r.body, /dialogue-original|dialogue-translated/);
			const j = await en.getJson(`/conversations/${cid}?lang=${lang}`);
			assert.equal(j.json.next.text, EN);
			assert.deepEqual(j.json.next.text_lang, { text: 'en' });
			assert.equal(j.json.next.translated, false);
		}
	});

	test('votes of both readers count on the same statement', async () => {
		// the French reader by the page's plain form, the English one by the API
		await fr.get(`/conversations/${cid}?lang=fr`);
		let r = await fr.post(`/conversations/${cid}/votes?lang=fr`, { statement: String(sid), vote: '1' });
		assert.equal(r.status, 303, r.body);
		await en.get(`/conversations/${cid}?lang=en`);
		r = await en.api('POST', `/api/v1/conversations/${cid}/votes`, { statement: sid, vote: -1 });
		assert.equal(r.status, 201, r.body);
		const votes = jsonRows(srv.db, `SELECT statement_id, vote FROM vote WHERE conversation_id = ${cid} ORDER BY vote`);
		assert.deepEqual(votes, [{ statement_id: sid, vote: -1 }, { statement_id: sid, vote: 1 }]);
		r = await bearer(srv.url, orgToken, 'GET', `/api/v1/conversations/${cid}`);
		const s = r.json.statements.find((x) => x.id === sid);
		assert.equal(s.n_votes, 2);
		assert.equal(s.n_agree, 1);
		assert.equal(s.n_disagree, 1);
	});

	test('the live view and the report, and the live twin, read it in French', async () => {
		let r = await fr.get(`/conversations/${cid}/report?lang=fr`);
		assert.equal(r.status, 200);
		assert.match(r.body, new RegExp(`<span class="dialogue-text" lang="fr" dir="auto">${FR}</span> <details class="dialogue-original">`));
		assert.ok(r.body.includes(`<span lang="en" dir="auto">${EN}</span></details>`), 'the original a click away');
		r = await en.get(`/conversations/${cid}/report?lang=en`);
		assert.match(r.body, new RegExp(`<span class="dialogue-text" lang="en" dir="auto">${EN}</span>`));
		assert.doesNotMatch(r.body, /dialogue-original/);
		r = await fr.get(`/conversations/${cid}/live?lang=fr`);
		assert.match(r.body, new RegExp(`<span class="dialogue-text" lang="fr" dir="auto">${FR}</span>`));
		r = await fr.getJson(`/conversations/${cid}/live?lang=fr`);
		const cg = r.json['common-ground'].find((x) => x.id === sid);
		assert.equal(cg.text, FR);
		assert.deepEqual(cg.text_lang, { text: 'fr' });
		assert.equal(cg.original_text, EN);
		assert.deepEqual(cg.translations, { fr: { text: FR } });
		assert.equal(cg.original_lang, undefined, 'the page\'s own keys stay out of the twin');
	});
});

describe('who may write translations, and what is refused', () => {
	test('a participant may not add, change or remove one (403), nor use the form; nothing changes', async () => {
		const snap = dbSnapshot(srv.db);
		for (const [m, p, body] of [
			['PUT', `/api/v1/statements/${sid}/translations/es`, { text: ES }],
			['PUT', `/api/v1/statements/${sid}/translations/fr`, { text: 'Autre chose.' }],
			['DELETE', `/api/v1/statements/${sid}/translations/fr`],
			['PATCH', `/api/v1/statements/${sid}/translations`, { lang: 'fr' }],
		]) {
			let r = await bearer(srv.url, partToken, m, p, body);
			assert.equal(r.status, 403, `${m} ${p} by token: ${r.body}`);
			assert.ok(r.json.error.message, 'a message says why');
			r = await en.api(m, p, body);
			assert.equal(r.status, 403, `${m} ${p} by session: ${r.body}`);
		}
		await en.get('/account');
		let r = await en.post(`/admin/statements/${sid}/translations`, { lang: 'en', text_es: ES });
		assert.equal(r.status, 403, r.body.slice(0, 200));
		r = await en.get(`/admin/statements/${sid}/translations`);
		assert.equal(r.status, 403);
		assertDbUnchanged(srv.db, snap, 'a participant writing translations');
		assert.deepEqual(stored(), [{ lang: 'fr', text: FR }]);
	});

	test('bad input gets a 4xx with a message and stores nothing', async () => {
		const snap = dbSnapshot(srv.db);
		let r = await org.api('PUT', `/api/v1/statements/${sid}/translations/de`, { text: 'Flüsse sind ein Gemeingut.' });
		assert.equal(r.status, 404, r.body);
		assert.ok(r.json.error.message);
		for (const [body, why] of [
			[{ text: '' }, 'empty'],
			[{ text: '   ' }, 'blank'],
			[{}, 'no text'],
			[{ text: 'x'.repeat(81) }, 'over twice the conversation\'s 40 characters'],
			[{ text: 'bad\u0007text' }, 'a control character'],
			[{ text: 12 }, 'not a string'],
		]) {
			r = await org.api('PUT', `/api/v1/statements/${sid}/translations/es`, body);
			assert.equal(r.status, 400, `${why}: ${r.body}`);
			assert.ok(r.json.errors.text, `${why}: ${r.body}`);
		}
		r = await org.api('PUT', `/api/v1/statements/${sid}/translations/en`, { text: 'Rivers belong to everyone.' });
		assert.equal(r.status, 400, r.body);
		assert.match(r.json.errors.text, /language the original is written in/);
		r = await org.api('PATCH', `/api/v1/statements/${sid}/translations`, { lang: 'de' });
		assert.equal(r.status, 400, r.body);
		assert.ok(r.json.errors.lang);
		r = await org.api('PUT', '/api/v1/statements/999999/translations/es', { text: ES });
		assert.equal(r.status, 404);
		// the form: all or nothing, the refusal beside its field
		await org.get(`/admin/statements/${sid}/translations`);
		r = await org.post(`/admin/statements/${sid}/translations`, { lang: 'en', text_es: ES, text_ru: 'я'.repeat(81), text_fr: FR });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="f-text_ru-error"/);
		assert.match(r.body, /aria-invalid="true"/);
		assert.ok(r.body.includes(ES), 'what was typed is kept');
		assertDbUnchanged(srv.db, snap, 'refused translations');
		// at the limit: twice the conversation's 40 characters
		r = await org.api('PUT', `/api/v1/statements/${sid}/translations/ru`, { text: 'я'.repeat(80) });
		assert.equal(r.status, 200, r.body);
		r = await org.api('DELETE', `/api/v1/statements/${sid}/translations/ru`);
		assert.deepEqual(r.json, { deleted: true });
	});

	test('the form beside the original: adds, changes and removes; sets the original\'s language', async () => {
		let r = await org.get(`/admin/statements/${sid}/translations`);
		assert.equal(r.status, 200);
		assert.match(r.body, new RegExp(`<div class="translation-text" id="f-text_es-original" lang="en" dir="ltr">${EN}</div>`));
		assert.match(r.body, /<textarea id="f-text_ar" name="text_ar" lang="ar" dir="rtl"/);
		assert.doesNotMatch(r.body, /name="text_en"/, 'no field for the original\'s own language');
		r = await org.post(`/admin/statements/${sid}/translations`, { lang: 'en', text_es: ES, text_fr: '' });
		assert.equal(r.status, 303, r.body);
		assert.equal(r.headers.location, `/admin/statements/${sid}/translations?done=saved`);
		assert.deepEqual(stored(), [{ lang: 'es', text: ES }]);
		// the queue links to it and counts the languages
		r = await org.get(`/admin/conversations/${cid}/statements`);
		assert.match(r.body, new RegExp(`href="/admin/statements/${sid}/translations">1 translation`));
		// the original's language, through the API: audited, its version kept unused
		r = await org.api('PATCH', `/api/v1/statements/${sid}/translations`, { lang: 'es' });
		assert.equal(r.status, 200, r.body);
		const j = await en.getJson(`/conversations/${cid}/live?lang=es`);
		const cg = j.json['common-ground'].find((x) => x.id === sid);
		assert.equal(cg.text, EN);
		assert.deepEqual(cg.text_lang, { text: 'es' });
		r = await org.api('PATCH', `/api/v1/statements/${sid}/translations`, { lang: 'en' });
		assert.equal(r.status, 200);
		assert.equal(jsonRows(srv.db, `SELECT count(*) AS n FROM audit_log WHERE action = 'statement.language' AND entity_id = ${sid}`)[0].n, 2);
		// back to French for the rest
		r = await org.post(`/admin/statements/${sid}/translations`, { lang: 'en', text_es: '', text_fr: FR });
		assert.equal(r.status, 303);
		assert.deepEqual(stored(), [{ lang: 'fr', text: FR }]);
	});

	test('a seed changed before any vote loses its translations; one with votes keeps them', async () => {
		let r = await org.api('POST', `/api/v1/conversations/${cid}/statements`, { text: 'Dams need consent.', lang: 'en' });
		const seed = r.json.id;
		r = await org.api('PUT', `/api/v1/statements/${seed}/translations/fr`, { text: 'Les barrages exigent le consentement.' });
		assert.equal(r.status, 200);
		r = await org.api('PATCH', `/api/v1/statements/${seed}`, { text: 'Dams need consent from downstream.' });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json.translations, {});
		const audit = jsonRows(srv.db, `SELECT before_json FROM audit_log WHERE action = 'statement.edit' AND entity_id = ${seed}`);
		assert.deepEqual(JSON.parse(audit[0].before_json).translations, { fr: { text: 'Les barrages exigent le consentement.' } });
		// the voted statement's text cannot change: its translation stays
		r = await org.api('PATCH', `/api/v1/statements/${sid}`, { text: 'Rivers are everyone\'s.' });
		assert.equal(r.status, 409);
		assert.deepEqual(stored(), [{ lang: 'fr', text: FR }]);
	});

	test('a participant\'s statement is in the language of their page', async () => {
		await fr.get(`/conversations/${cid}?lang=fr`);
		const r = await fr.api('POST', `/api/v1/conversations/${cid}/statements?lang=fr`, { text: 'Il faut partager l\'eau.' });
		assert.equal(r.status, 201, r.body);
		assert.equal(jsonRows(srv.db, `SELECT lang FROM statement WHERE id = ${r.json.id}`)[0].lang, 'fr');
		// pending: only its moderators see its translations
		const x = await bearer(srv.url, partToken, 'GET', `/api/v1/statements/${r.json.id}/translations`);
		assert.equal(x.status, 404);
		const y = await eventually(async () => (await org.api('GET', `/api/v1/statements/${r.json.id}/translations`)).status === 200);
		assert.ok(y);
	});
});

describe('participants suggest, moderators review', () => {
	let c2, s2;
	const suggestions = () => jsonRows(srv.db, `SELECT lang, text FROM statement_translation_suggestion WHERE statement_id = ${s2} ORDER BY id`);
	before(async () => {
		let r = await org.api('POST', `/api/v1/events/${SH}/conversations`,
			{ topic: 'Wells', status: 'open', participation: 'signed-in', max_length: 40 });
		c2 = r.json.id;
		r = await org.api('POST', `/api/v1/conversations/${c2}/statements`, { texts: ['Wells before dams.'], lang: 'en' });
		s2 = r.json.ids[0];
	});

	test('a Spanish reader suggests one by the page\'s form; nobody reads it before a moderator', async () => {
		let r = await fr.get(`/conversations/${c2}?lang=es`);
		assert.match(r.body, /<details class="dialogue-suggest"><summary>/);
		assert.match(r.body, /<input type="hidden" name="lang" value="es">/);
		assert.match(r.body, /<textarea id="f-suggest" name="text" lang="es" dir="ltr" maxlength="80"/);
		// an English reader of an English statement is offered nothing to suggest
		assert.doesNotMatch((await en.get(`/conversations/${c2}?lang=en`)).body, /dialogue-suggest/);
		// refused: empty, and nothing stored; the page again on the statement, the field marked
		let snap = dbSnapshot(srv.db);
		r = await fr.post(`/conversations/${c2}/suggestions?lang=es`, { statement: String(s2), lang: 'es', text: ' ' });
		assert.equal(r.status, 400);
		assert.match(r.body, /<details class="dialogue-suggest" open>/);
		assert.match(r.body, /id="f-suggest-error"/);
		assertDbUnchanged(srv.db, snap, 'an empty suggestion');
		r = await fr.post(`/conversations/${c2}/suggestions?lang=es`, { statement: String(s2), lang: 'es', text: 'Pozos antes que presas.' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `/conversations/${c2}?done=suggested`);
		assert.deepEqual(suggestions(), [{ lang: 'es', text: 'Pozos antes que presas.' }]);
		// a second one replaces theirs; another participant's stands beside it
		r = await fr.api('POST', `/api/v1/conversations/${c2}/suggestions`, { statement: s2, lang: 'es', text: 'Pozos antes de presas.' });
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json.status, 'pending');
		r = await bearer(srv.url, partToken, 'POST', `/api/v1/conversations/${c2}/suggestions`, { statement: s2, lang: 'ru', text: 'Сначала колодцы, потом плотины.' });
		assert.equal(r.status, 201, r.body);
		assert.deepEqual(suggestions(), [{ lang: 'es', text: 'Pozos antes de presas.' }, { lang: 'ru', text: 'Сначала колодцы, потом плотины.' }]);
		// readers still read the original
		r = await en.getJson(`/conversations/${c2}?lang=es`);
		assert.equal(r.json.next.text, 'Wells before dams.');
		assert.deepEqual(r.json.next.translations, {});
		// a participant may not list nor decide them, nor suggest into the original's language
		snap = dbSnapshot(srv.db);
		assert.equal((await bearer(srv.url, partToken, 'GET', `/api/v1/statements/${s2}/suggestions`)).status, 403);
		r = await org.api('GET', `/api/v1/statements/${s2}/suggestions`);
		const [es] = r.json.suggestions;
		assert.equal((await bearer(srv.url, partToken, 'PATCH', `/api/v1/statements/${s2}/suggestions/${es.id}`, { status: 'accepted' })).status, 403);
		await en.get('/account');
		assert.equal((await en.post(`/admin/statements/${s2}/suggestions`, { accept: String(es.id) })).status, 403);
		r = await bearer(srv.url, partToken, 'POST', `/api/v1/conversations/${c2}/suggestions`, { statement: s2, lang: 'en', text: 'Wells first.' });
		assert.equal(r.status, 400, r.body);
		assertDbUnchanged(srv.db, snap, 'a participant deciding suggestions');
	});

	test('the moderator accepts one (it becomes the reviewed translation) and dismisses another', async () => {
		let r = await org.get(`/admin/statements/${s2}/translations`);
		assert.match(r.body, /<th scope="row" lang="es" dir="ltr">Pozos antes de presas\.<\/th>/);
		r = await org.get(`/admin/conversations/${c2}/statements`);
		assert.match(r.body, /0 translations · 2 suggestions waiting/);
		const list = (await org.api('GET', `/api/v1/statements/${s2}/suggestions`)).json.suggestions;
		const es = list.find((x) => x.lang === 'es'), ru = list.find((x) => x.lang === 'ru');
		await org.get(`/admin/statements/${s2}/translations`);
		r = await org.post(`/admin/statements/${s2}/suggestions`, { accept: String(es.id) });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.deepEqual(jsonRows(srv.db, `SELECT t.lang, t.text, a.email FROM statement_translation t JOIN account a ON a.id = t.reviewed_by WHERE t.statement_id = ${s2}`),
			[{ lang: 'es', text: 'Pozos antes de presas.', email: srv.organiser.email }]);
		r = await org.api('PATCH', `/api/v1/statements/${s2}/suggestions/${ru.id}`, { status: 'dismissed' });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json, { id: ru.id, status: 'dismissed' });
		assert.deepEqual(suggestions(), []);
		assert.equal(jsonRows(srv.db, `SELECT count(*) AS n FROM audit_log WHERE action = 'statement.suggestion.dismiss' AND entity_id = ${s2}`)[0].n, 1);
		r = await org.api('PATCH', `/api/v1/statements/${s2}/suggestions/${ru.id}`, { status: 'accepted' });
		assert.equal(r.status, 404);
		// the Spanish reader now reads it, and may no longer suggest one into Spanish
		r = await fr.get(`/conversations/${c2}?lang=es`);
		const q = element(r.body, /blockquote class="dialogue-statement"/);
		assert.match(q.tag, /lang="es"/);
		assert.equal(q.text, 'Pozos antes de presas.');
		assert.doesNotMatch(r.body, /dialogue-suggest/);
		r = await fr.api('POST', `/api/v1/conversations/${c2}/suggestions`, { statement: s2, lang: 'es', text: 'Otra.' });
		assert.equal(r.status, 409, r.body);
	});
});
