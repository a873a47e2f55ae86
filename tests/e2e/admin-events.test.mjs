// admin-events.test.mjs — the admin pages and JSON API for series, events
// and organisations, as each role sees them: a visitor, a participant, the
// organiser of the Shanghai event, the organiser of another event
// (Auckland), an organiser of the whole series, and an admin. Every page and
// its JSON twin allowed or denied; CSRF; validation that keeps what was
// typed; hostile text escaped; drafts invisible to those without the right;
// public pages changing as soon as an edit is committed; the audit log;
// deleting (admins only, and only what nothing keeps).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attrs, textOf, withoutSiteChrome } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { ROOT, assertNoSanitizerReport, harmonyBin, runCli, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, q, sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const AK = 'asia-pacific-auckland-2007';
const SERIES = 'regional-consultations';
const PASSWORD = 'correct horse battery staple';
const SAN_ENV = {
	ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86',
	UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

// ------------------------------------------------------------ clients

// A browser-like client: keeps cookies, knows its CSRF token once signed in.
class Client {
	constructor(base, name) {
		this.base = base;
		this.name = name;
		this.jar = new Map();
		this.token = null; // a bearer API token instead of cookies
		this.csrf = null;
	}
	store(res) {
		for (const c of [res.headers['set-cookie'] ?? []].flat()) {
			const pair = c.split(';')[0];
			const i = pair.indexOf('=');
			const k = pair.slice(0, i).trim();
			const v = pair.slice(i + 1).trim();
			if (!v || /max-age=0/i.test(c)) this.jar.delete(k);
			else this.jar.set(k, v);
		}
	}
	async req(method, p, { form, json, raw, contentType, accept, headers = {} } = {}) {
		const h = { ...headers };
		if (this.jar.size) h.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
		if (this.token) h.Authorization = `Bearer ${this.token}`;
		let body;
		if (form) {
			body = new URLSearchParams(form).toString();
			h['Content-Type'] = 'application/x-www-form-urlencoded';
		} else if (json !== undefined) {
			body = JSON.stringify(json);
			h['Content-Type'] = 'application/json';
		} else if (raw !== undefined) {
			body = raw;
			h['Content-Type'] = contentType;
		}
		if (accept === 'json') h.Accept = 'application/json';
		const r = await request(this.base + p, { method, headers: h, body });
		this.store(r);
		if (/application\/json/.test(r.headers['content-type'] ?? '')) r.json = JSON.parse(r.body);
		return r;
	}
	get(p, opts) {
		return this.req('GET', p, opts);
	}
	// A form POST carrying this session's CSRF token (unless told not to).
	post(p, fields = [], { csrf = true, accept } = {}) {
		const pairs = Array.isArray(fields) ? [...fields] : Object.entries(fields);
		if (csrf) pairs.push(['_csrf', this.csrf]);
		return this.req('POST', p, { form: pairs, accept });
	}
	// A JSON call with the CSRF header a script would send.
	api(method, p, json) {
		const headers = this.csrf && !this.token ? { 'X-CSRF-Token': this.csrf } : {};
		return this.req(method, p, { json, headers, accept: 'json' });
	}
	async signIn(email, password = PASSWORD) {
		const page = await this.get('/sign-in');
		const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)[1];
		const r = await this.req('POST', '/sign-in', { form: { email, password, _csrf: csrf } });
		assert.equal(r.status, 303, `${this.name}: sign-in ${r.status} ${r.body.slice(0, 200)}`);
		const acct = await this.get('/account');
		this.csrf = /name="_csrf" value="([^"]*)"/.exec(acct.body)[1];
	}
	async newToken(scope) {
		const r = await this.post('/account/api-tokens', { label: `${this.name} ${scope}`, scope, password: PASSWORD }, { accept: 'json' });
		assert.equal(r.status, 201, r.body);
		const c = new Client(this.base, `${this.name} token (${scope})`);
		c.token = r.json.token;
		return c;
	}
}

// A multipart/form-data body: parts are [name, value] or [name, {filename, type, data}].
function multipart(parts) {
	const boundary = '----harmony' + Math.random().toString(16).slice(2);
	const chunks = [];
	for (const [name, v] of parts) {
		if (typeof v === 'string') {
			chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
		} else {
			chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\n` +
				`Content-Type: ${v.type}\r\n\r\n`), v.data, Buffer.from('\r\n'));
		}
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { raw: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
const image = (name) => readFileSync(path.join(ROOT, 'tests/fuzz/corpus/image', name));

// `harmony user add` with the password on standard input.
function userAdd(db, email, name, extra = []) {
	const r = spawnSync(harmonyBin(), ['user', 'add', '--db', db, '--email', email, '--name', name, ...extra], {
		input: PASSWORD + '\n',
		encoding: 'utf8',
		env: { ...process.env, ...SAN_ENV },
	});
	assertNoSanitizerReport(r.stderr, `harmony user add ${email}`);
	assert.equal(r.status, 0, r.stderr);
}

// ------------------------------------------------------------- checks

// Escaped text has no '<': every tag in a page is one the templates wrote.
// None may carry an event handler or a javascript: URL, nor be a script.
function assertInert(page, where) {
	const body = withoutSiteChrome(page);
	for (const m of body.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)) {
		const name = m[1].toLowerCase();
		assert.ok(!['script', 'iframe', 'svg', 'object', 'embed', 'math'].includes(name),
			`${where}: <${name}> in the page: ${m[0].slice(0, 120)}`);
		for (const [k, v] of Object.entries(attrs(name + ' ' + m[2]))) {
			assert.ok(!k.startsWith('on'), `${where}: handler ${k} in ${m[0].slice(0, 120)}`);
			if (['href', 'src', 'action'].includes(k))
				assert.doesNotMatch(v.trim(), /^(javascript|data|vbscript):/i, `${where}: ${k}="${v}"`);
		}
	}
	assert.ok(!/<script/i.test(body), `${where}: a <script> tag`);
}

const inputValue = (body, id) => {
	const m = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(body);
	return m ? attrs(m[0].slice(1, -1)).value : undefined;
};
const textareaValue = (body, id) => {
	const m = new RegExp(`<textarea[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(body);
	return m ? textOf(m[1].replace(/^\n/, '')) : undefined;
};
const fieldError = (body, id) => {
	const m = new RegExp(`<p class="field-error" id="${id}-error">([\\s\\S]*?)</p>`).exec(body);
	return m ? textOf(m[1]) : null;
};
const location = (r) => r.headers.location;

// ------------------------------------------------------------- set-up

let srv, dir, db;
const who = {};

before(async () => {
	dir = tempDir();
	db = path.join(dir, 'h.db');
	const demo = runCli(['demo', '--db', db]);
	assert.equal(demo.status, 0, demo.stderr);
	const orgEmail = /organiser account: (\S+)/.exec(demo.stdout)[1];
	const orgPassword = /password \(shown only now\): (\S+)/.exec(demo.stdout)[1];
	userAdd(db, 'admin@example.org', 'Ada Admin', ['--role', 'admin']);
	userAdd(db, 'participant@example.org', 'Pat Participant');
	userAdd(db, 'auckland@example.org', 'Ole Other', ['--role', 'organiser', '--event', AK]);
	userAdd(db, 'series@example.org', 'Sam Series', ['--role', 'organiser', '--series', SERIES]);
	srv = await startServer({ db });
	who.visitor = new Client(srv.url, 'visitor');
	who.participant = new Client(srv.url, 'participant');
	who.organiser = new Client(srv.url, 'organiser of Shanghai');
	who.other = new Client(srv.url, 'organiser of Auckland');
	who.series = new Client(srv.url, 'series organiser');
	who.admin = new Client(srv.url, 'admin');
	await Promise.all([
		who.participant.signIn('participant@example.org'),
		who.organiser.signIn(orgEmail, orgPassword),
		who.other.signIn('auckland@example.org'),
		who.series.signIn('series@example.org'),
		who.admin.signIn('admin@example.org'),
	]);
});

after(async () => {
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------- the role matrix

// Status of GET for each role: visitor, participant, organiser of
// Shanghai, organiser of Auckland, series organiser, admin. 303 is the
// sign-in page (HTML); the JSON twin answers 401 instead.
const ROLES = ['visitor', 'participant', 'organiser', 'other', 'series', 'admin'];
const MATRIX = [
	['/admin', [303, 403, 200, 200, 200, 200]],
	['/admin/events', [303, 403, 200, 200, 200, 200]],
	['/admin/events/new', [303, 403, 403, 403, 200, 200]],
	[`/admin/events/${SH}/edit`, [303, 403, 200, 403, 200, 200]],
	[`/admin/events/${SH}/organisations`, [303, 403, 200, 403, 200, 200]],
	[`/admin/events/${SH}/organisers`, [303, 403, 403, 403, 200, 200]],
	[`/admin/events/${AK}/edit`, [303, 403, 403, 200, 200, 200]],
	['/admin/events/no-such-event/edit', [404, 404, 404, 404, 404, 404]],
	['/admin/series', [303, 403, 200, 200, 200, 200]],
	['/admin/series/new', [303, 403, 403, 403, 403, 200]],
	[`/admin/series/${SERIES}/edit`, [303, 403, 403, 403, 200, 200]],
	['/admin/organisations', [303, 403, 200, 200, 200, 200]],
	['/admin/organisations/new', [303, 403, 200, 200, 200, 200]],
	// Fudan takes part in Shanghai only; UNAOC in Shanghai and Auckland.
	['/admin/organisations/fudan-university/edit', [303, 403, 200, 403, 200, 200]],
	['/admin/organisations/unaoc/edit', [303, 403, 403, 403, 200, 200]],
];

describe('who may see which admin page', () => {
	for (const [p, codes] of MATRIX) {
		test(`GET ${p}`, async () => {
			for (const [i, role] of ROLES.entries()) {
				const r = await who[role].get(p);
				assert.equal(r.status, codes[i], `${role} ${p}: ${r.status}`);
				assert.equal(r.headers['cache-control'], 'no-store', `${role} ${p}: cache-control`);
				if (r.status === 303) assert.equal(location(r), `/sign-in?next=${encodeURIComponent(p)}`);
				if (r.status === 200) {
					assert.match(r.body, /<nav class="admin-nav"/, `${role} ${p}: admin navigation`);
					assertInert(r.body, `${role} ${p}`);
				}
				const j = await who[role].get(p, { accept: 'json' });
				assert.equal(j.status, codes[i] === 303 ? 401 : codes[i], `${role} ${p} (JSON)`);
				assert.match(j.headers['content-type'], /^application\/json/, `${role} ${p} (JSON) type`);
			}
		});
	}

	test('the dashboard lists what each principal may edit, with status badges', async () => {
		const rows = async (c) => [...(await c.get('/admin')).body.matchAll(/<a href="\/admin\/events\/([^/]+)\/edit">/g)]
			.map((m) => m[1]);
		assert.deepEqual([...new Set(await rows(who.organiser))], [SH]);
		assert.deepEqual([...new Set(await rows(who.other))], [AK]);
		assert.deepEqual([...new Set(await rows(who.series))].sort(), [AK, SH].sort());
		const admin = (await who.admin.get('/admin')).body;
		assert.match(admin, /<span class="badge badge-published">Published<\/span>/);
		assert.match(admin, /href="\/admin\/series\/new"/);
		assert.doesNotMatch((await who.organiser.get('/admin')).body, /href="\/admin\/series\/new"|href="\/admin\/events\/new"/);
		// Administrators see the admin-only links of the navigation.
		assert.match(admin, /href="\/admin\/audit"/);
		assert.doesNotMatch((await who.organiser.get('/admin')).body, /href="\/admin\/audit"/);
	});
});

// ------------------------------------------------------------------ CSRF

describe('CSRF', () => {
	const POSTS = [
		'/admin/events', `/admin/events/${SH}`, `/admin/events/${SH}/publish`, `/admin/events/${SH}/unpublish`,
		`/admin/events/${SH}/cancel`, `/admin/events/${SH}/organisations`,
		`/admin/events/${SH}/organisations/fudan-university/partner/remove`,
		`/admin/events/${SH}/organisations/fudan-university/partner/move`, `/admin/events/${SH}/organisers`,
		`/admin/events/${SH}/organisers/1/revoke`, '/admin/series', `/admin/series/${SERIES}`,
		`/admin/series/${SERIES}/publish`, `/admin/series/${SERIES}/unpublish`, '/admin/organisations',
		'/admin/organisations/unaoc', `/admin/events/${SH}/delete`, `/admin/series/${SERIES}/delete`,
		'/admin/organisations/unaoc/delete',
	];
	test('every form POST without the token is refused and changes nothing', async () => {
		const before = sqlite(db, 'SELECT count(*) FROM audit_log;');
		for (const p of POSTS) {
			const r = await who.admin.post(p, { title: 'Changed', name: 'Changed', email: 'participant@example.org',
				organisation: 'unaoc', role: 'sponsor', direction: 'down', starts_on: '2020-01-01', ends_on: '2020-01-02' },
			{ csrf: false });
			assert.equal(r.status, 403, `${p}: ${r.status}`);
			const bad = await who.admin.req('POST', p, { form: { title: 'Changed', _csrf: 'x'.repeat(43) } });
			assert.equal(bad.status, 403, `${p} with a wrong token: ${bad.status}`);
		}
		assert.equal(sqlite(db, 'SELECT count(*) FROM audit_log;'), before);
		assert.equal(sqlite(db, `SELECT status FROM event WHERE slug = ${q(SH)};`).trim(), 'published');
	});
	test('a JSON call with a session needs the X-CSRF-Token header; a bearer token does not', async () => {
		const r = await who.admin.req('PATCH', `/api/v1/events/${SH}`, { json: { theme: 'x' }, accept: 'json' });
		assert.equal(r.status, 403);
		const ok = await who.admin.api('PATCH', `/api/v1/events/${AK}`, { theme: 'Asia-Pacific' });
		assert.equal(ok.status, 200, ok.body);
		assert.equal(ok.json.theme, 'Asia-Pacific');
	});
});

// ------------------------------------------------ creating, editing, drafts

describe('events', () => {
	const FORM = [
		['title', 'Regional Consultations for Europe'], ['slug', ''], ['series', SERIES], ['kind', 'consultation'],
		['theme', 'Living together'], ['summary', 'Governments, academia and NGOs of Europe.'],
		['description_md', 'Two days in **Vienna**.'], ['region', 'Europe'], ['city', 'Vienna'], ['country', 'AT'],
		['venue', 'Hofburg'], ['starts_on', '2013-05-02'], ['ends_on', '2013-05-03'], ['date_precision', 'day'],
		['timezone', 'Europe/Vienna'], ['capacity', '120'], ['sectors', ''], ['sectors', 'government'],
		['sectors', 'ngo'], ['contact_name', 'Jean-Christophe Bas'], ['contact_title', 'Senior Advisor'],
		['contact_org', 'UNAOC'], ['contact_email', 'Basj@UN.org'],
	];
	const SLUG = 'regional-consultations-for-europe';

	test('an organiser of the series creates a draft through the form', async () => {
		const r = await who.series.post('/admin/events', FORM);
		assert.equal(r.status, 303, r.body.slice(0, 500));
		assert.equal(location(r), `/admin/events/${SLUG}/edit?done=created`);
		const page = await who.series.get(location(r));
		assert.equal(page.status, 200);
		assert.match(page.body, /<h1>Regional Consultations for Europe <span class="badge badge-draft">Draft<\/span><\/h1>/);
		assert.match(textOf(page.body), /Created\. It is a draft until you publish it\./);
		assert.equal(inputValue(page.body, 'f-city'), 'Vienna');
		assert.equal(inputValue(page.body, 'f-contact_email'), 'basj@un.org');
		assert.match(page.body, /id="f-sectors-government" name="sectors" value="government" checked/);
		assert.doesNotMatch(page.body, /id="f-sectors-academia"[^>]*checked/);
		const api = await who.series.api('GET', `/api/v1/events/${SLUG}`);
		assert.equal(api.status, 200);
		assert.deepEqual(api.json.sectors, ['government', 'ngo']);
		assert.equal(api.json.capacity, 120);
		assert.equal(api.json.status, 'draft');
		assert.equal(api.json.series, SERIES);
	});

	test('a draft is invisible to the public and to organisers of other events, in HTML and JSON', async () => {
		assert.equal((await who.visitor.get(`/events/${SLUG}`)).status, 404);
		assert.equal((await who.visitor.get(`/api/v1/events/${SLUG}`)).status, 404);
		assert.equal((await who.participant.api('GET', `/api/v1/events/${SLUG}`)).status, 404);
		assert.equal((await who.organiser.api('GET', `/api/v1/events/${SLUG}`)).status, 404);
		assert.equal((await who.organiser.get(`/admin/events/${SLUG}/edit`)).status, 404);
		assert.equal((await who.organiser.api('PATCH', `/api/v1/events/${SLUG}`, { title: 'Mine' })).status, 404);
		const list = await who.visitor.get('/api/v1/events');
		assert.ok(!list.json.events.some((e) => e.slug === SLUG), 'draft in the public list');
		assert.doesNotMatch((await who.visitor.get('/events')).body, /Europe/);
		assert.doesNotMatch((await who.organiser.get('/admin')).body, new RegExp(SLUG));
		const admin = await who.admin.get('/admin/events?status=draft');
		assert.match(admin.body, new RegExp(`href="/admin/events/${SLUG}/edit"`));
		assert.match(admin.body, /badge-draft/);
		assert.ok((await who.admin.api('GET', '/api/v1/events')).json.events.some((e) => e.slug === SLUG));
	});

	test('validation errors keep what was typed and say what is wrong beside each field', async () => {
		const bad = FORM.map(([k, v]) => [k, {
			title: 'Europe <b>again</b>', ends_on: '2013-05-01', timezone: 'Europe/Atlantis', country: 'China',
			capacity: 'many', contact_email: 'not an address', slug: SLUG,
		}[k] ?? v]);
		const r = await who.admin.post('/admin/events', bad);
		assert.equal(r.status, 400);
		assert.equal(r.headers['cache-control'], 'no-store');
		assert.equal(inputValue(r.body, 'f-title'), 'Europe <b>again</b>');
		assert.match(r.body, /value="Europe &lt;b&gt;again&lt;\/b&gt;"/);
		assert.equal(inputValue(r.body, 'f-timezone'), 'Europe/Atlantis');
		assert.equal(inputValue(r.body, 'f-capacity'), 'many');
		assert.equal(textareaValue(r.body, 'f-summary'), 'Governments, academia and NGOs of Europe.');
		assert.match(r.body, /id="f-sectors-ngo" name="sectors" value="ngo" checked/);
		for (const f of ['timezone', 'country', 'capacity', 'contact_email'])
			assert.ok(fieldError(r.body, `f-${f}`), `no message beside ${f}`);
		assert.match(r.body, /id="f-timezone"[^>]*aria-invalid="true"/);
		assert.match(r.body, /Please correct the fields marked below/);
		// Then the rules that need the whole record: the end before the start.
		const order = await who.admin.post('/admin/events', FORM.map(([k, v]) => [k, k === 'ends_on' ? '2013-05-01' : v]));
		assert.equal(order.status, 400);
		assert.equal(fieldError(order.body, 'f-ends_on'), 'The event cannot end before it starts.');
		const zz = await who.admin.post('/admin/events', FORM.map(([k, v]) => [k, k === 'country' ? 'ZZ' : v]));
		assert.equal(zz.status, 400);
		assert.equal(fieldError(zz.body, 'f-country'), 'Enter a two-letter country code, such as CN.');
		// The country is chosen from a list: a code it does not hold is
		// refused, and the list is offered again.
		assert.match(zz.body, /<select id="f-country" name="country"[^>]*aria-invalid="true"/);
		assert.ok(!/<option value="ZZ"/.test(zz.body));
		// A chosen address already taken: 409, said beside the field.
		const taken = await who.admin.post('/admin/events', FORM.map(([k, v]) => [k, k === 'slug' ? SH : v]));
		assert.equal(taken.status, 409);
		assert.equal(fieldError(taken.body, 'f-slug'), 'Another event already has this address.');
		// The JSON answer names the fields.
		const j = await who.admin.api('POST', '/api/v1/events', { title: '', starts_on: '2013-13-01', ends_on: '2013-05-01' });
		assert.equal(j.status, 400);
		assert.deepEqual(Object.keys(j.json.errors).sort(), ['starts_on', 'title']);
		assert.equal(j.json.has_errors, true);
		assert.equal(sqlite(db, "SELECT count(*) FROM event WHERE title LIKE 'Europe%';").trim(), '0');
	});

	test('the slug is derived from the title when left empty, and made unique', async () => {
		const a = await who.admin.api('POST', '/api/v1/events', { title: 'Café Über', starts_on: '2014-01-01', ends_on: '2014-01-01' });
		const b = await who.admin.api('POST', '/api/v1/events', { title: 'Café Über', starts_on: '2014-01-01', ends_on: '2014-01-01' });
		const c = await who.admin.api('POST', '/api/v1/events', { title: '和谐对话', starts_on: '2014-01-01', ends_on: '2014-01-01' });
		assert.deepEqual([a.status, b.status, c.status], [201, 201, 201]);
		assert.equal(a.json.slug, 'cafe-uber');
		assert.equal(b.json.slug, 'cafe-uber-2');
		assert.match(c.json.slug, /^he-xie-dui-hua/);
		assert.equal(a.headers.location, '/api/v1/events/cafe-uber');
	});

	test('publishing shows the event at once; edits and unpublishing too (the page cache follows commits)', async () => {
		const pub = `/events/${SLUG}`;
		// Fill the cache with the public pages as they are.
		for (let i = 0; i < 2; i++) {
			assert.doesNotMatch((await who.visitor.get('/events')).body, /Regional Consultations for Europe/);
			assert.equal((await who.visitor.get(pub)).status, 404);
		}
		const r = await who.series.post(`/admin/events/${SLUG}/publish`);
		assert.equal(r.status, 303);
		assert.equal(location(r), `/admin/events/${SLUG}/edit?done=published`);
		assert.match((await who.visitor.get('/events')).body, /Regional Consultations for Europe/);
		const page = await who.visitor.get(pub);
		assert.equal(page.status, 200);
		assert.match(textOf(page.body), /Hofburg/);
		assert.equal(page.headers['cache-control'], 'public, max-age=60');
		// An edit through the form.
		const edit = await who.series.post(`/admin/events/${SLUG}`, FORM.map(([k, v]) => [k, k === 'venue' ? 'Austria Center' : k === 'slug' ? SLUG : v]));
		assert.equal(edit.status, 303);
		assert.equal(location(edit), `/admin/events/${SLUG}/edit?done=saved`);
		assert.match(textOf((await who.visitor.get(pub)).body), /Austria Center/);
		assert.equal((await who.visitor.get(`/api/v1/events/${SLUG}`)).json.venue, 'Austria Center');
		// Cancel, confirmed: still public, marked cancelled.
		assert.equal((await who.series.post(`/admin/events/${SLUG}/cancel`, { confirm: 'yes' })).status, 303);
		assert.match(textOf((await who.visitor.get(pub)).body), /This event has been cancelled\./);
		// Back to draft: gone.
		assert.equal((await who.series.post(`/admin/events/${SLUG}/unpublish`, { confirm: 'yes' })).status, 303);
		assert.equal((await who.visitor.get(pub)).status, 404);
		assert.doesNotMatch((await who.visitor.get('/events')).body, /Regional Consultations for Europe/);
		// Every step is in the audit log, with who, before and after.
		const events = jsonRows(db, "SELECT action, actor, before_json, after_json FROM audit_log WHERE entity = 'event' ORDER BY id")
			.map((e) => ({ ...e, before: JSON.parse(e.before_json), after: JSON.parse(e.after_json) }))
			.filter((e) => e.after?.slug === SLUG);
		const log = events.filter((e) => e.action !== 'event.create')
			.map((e) => `${e.action}|${e.actor}|${e.before.status}|${e.after.status ?? ''}`);
		assert.deepEqual(log, [
			'event.publish|series@example.org|draft|published',
			'event.update|series@example.org|published|published',
			'event.cancel|series@example.org|published|cancelled',
			'event.unpublish|series@example.org|cancelled|draft',
		]);
		assert.equal(events.filter((e) => e.action === 'event.create' && e.actor === 'series@example.org' && e.before === null).length, 1);
	});

	test('an organiser edits their event but not another one, in HTML and JSON', async () => {
		const mine = await who.organiser.api('PATCH', `/api/v1/events/${SH}`, { venue: 'Jin Jiang Hotel' });
		assert.equal(mine.status, 200, mine.body);
		assert.equal(mine.json.venue, 'Jin Jiang Hotel');
		assert.equal(mine.json.title, 'Regional Consultations for Asia-South Pacific', 'PATCH kept the other fields');
		for (const c of [who.other, who.participant]) {
			const r = await c.api('PATCH', `/api/v1/events/${SH}`, { venue: 'Elsewhere' });
			assert.equal(r.status, 403, `${c.name}: ${r.status}`);
			const f = await c.post(`/admin/events/${SH}/publish`);
			assert.equal(f.status, 403, `${c.name} publish: ${f.status}`);
		}
		const v = await who.visitor.req('PATCH', `/api/v1/events/${SH}`, { json: { venue: 'x' } });
		assert.equal(v.status, 401);
		assert.equal((await who.visitor.post(`/admin/events/${SH}`, { venue: 'x' }, { csrf: false })).status, 401);
		// An event organiser may not move the event to a series nor create one.
		const mv = await who.organiser.api('PATCH', `/api/v1/events/${SH}`, { series: '' });
		assert.equal(mv.status, 403);
		const cr = await who.organiser.api('POST', '/api/v1/events', { title: 'Mine', series: SERIES, starts_on: '2015-01-01', ends_on: '2015-01-02' });
		assert.equal(cr.status, 403);
		assert.equal(sqlite(db, `SELECT venue FROM event WHERE slug = ${q(SH)};`).trim(), 'Jin Jiang Hotel');
	});

	test('participants reach no organiser action by URL or JSON, whatever their token', async () => {
		const tok = await who.participant.newToken('write');
		const calls = [
			['POST', '/api/v1/events', { title: 'x', starts_on: '2015-01-01', ends_on: '2015-01-01' }],
			['PATCH', `/api/v1/events/${SH}`, { title: 'x' }],
			['POST', `/api/v1/events/${SH}/organisations`, { organisation: 'unaoc', role: 'sponsor' }],
			['PUT', `/api/v1/events/${SH}/organisations`, { organisations: [] }],
			['DELETE', `/api/v1/events/${SH}/organisations/unaoc/convener`, undefined],
			['GET', `/api/v1/events/${SH}/organisers`, undefined],
			['POST', `/api/v1/events/${SH}/organisers`, { email: 'participant@example.org' }],
			['POST', '/api/v1/series', { title: 'x' }],
			['PATCH', `/api/v1/series/${SERIES}`, { title: 'x' }],
			['POST', '/api/v1/organisations', { name: 'x' }],
			['PATCH', '/api/v1/organisations/unaoc', { name: 'x' }],
		];
		const snap = dbSnapshot(db);
		for (const [m, p, body] of calls) {
			const r = await tok.api(m, p, body);
			assert.equal(r.status, 403, `${m} ${p}: ${r.status}`);
			assert.equal(typeof r.json.error.message, 'string');
		}
		assertDbUnchanged(db, snap, "a participant's token on organiser actions");
		const before = (await who.admin.api('GET', `/api/v1/events/${SH}`)).json;
		assert.equal(before.title, 'Regional Consultations for Asia-South Pacific');
		assert.equal(before.organisations.length, 6);
	});

	test('a read-only token reads drafts it may see but writes nothing', async () => {
		const ro = await who.admin.newToken('read');
		const list = await ro.api('GET', '/api/v1/events');
		assert.ok(list.json.events.some((e) => e.status === 'draft'));
		assert.equal(list.headers['cache-control'], 'no-store');
		const snap = dbSnapshot(db);
		const r = await ro.api('PATCH', `/api/v1/events/${SH}`, { theme: 'x' });
		assert.equal(r.status, 403);
		const o = await ro.api('POST', '/api/v1/organisations', { name: 'Read Only Org', kind: 'ngo' });
		assert.equal(o.status, 403);
		assertDbUnchanged(db, snap, 'writes with a read-only token');
	});
});

// ---------------------------------------------------- organisations of an event

describe("an event's organisations", () => {
	const base = `/admin/events/${SH}/organisations`;
	const order = async () => (await who.visitor.get(`/api/v1/events/${SH}/organisations`)).json.organisations
		.map((o) => `${o.slug}:${o.role}`);

	test('add two partners, reorder, remove; the public page follows each step', async () => {
		const start = await order();
		assert.deepEqual(start.slice(0, 3), ['unaoc:convener', 'un-association-of-china:co-organiser', 'fudan-university:partner']);
		// A new organisation, then two partner entries.
		const made = await who.organiser.post('/admin/organisations', { name: 'Tongji University', acronym: 'TJU', kind: 'academia', country: 'CN', website: 'https://www.tongji.edu.cn', description: '' });
		assert.equal(made.status, 303, made.body.slice(0, 300));
		assert.equal(location(made), '/admin/organisations/tongji-university/edit?done=saved');
		let r = await who.organiser.post(base, { organisation: 'tongji-university', role: 'partner' });
		assert.equal(r.status, 303);
		assert.equal(location(r), `${base}?done=added`);
		r = await who.organiser.post(base, { organisation: 'tongji-university', role: 'sponsor' });
		assert.equal(r.status, 303);
		assert.deepEqual((await order()).slice(-2), ['tongji-university:partner', 'tongji-university:sponsor']);
		// Twice the same role: 409 beside the field, typed value kept.
		r = await who.organiser.post(base, { organisation: 'tongji-university', role: 'partner' });
		assert.equal(r.status, 409);
		assert.match(textOf(r.body), /This organisation already has this role in the event\./);
		assert.match(r.body, /<option value="tongji-university" selected>/);
		// Nothing chosen: 400.
		r = await who.organiser.post(base, { organisation: '', role: 'partner' });
		assert.equal(r.status, 400);
		// Up among the partners (not past the co-organiser).
		for (let i = 0; i < 4; i++) {
			r = await who.organiser.post(`${base}/tongji-university/partner/move`, { direction: 'up' });
			assert.equal(r.status, 303);
		}
		assert.deepEqual((await order()).slice(0, 4), ['unaoc:convener', 'un-association-of-china:co-organiser',
			'tongji-university:partner', 'fudan-university:partner']);
		r = await who.organiser.post(`${base}/tongji-university/partner/move`, { direction: 'up' });
		assert.equal(r.status, 409);
		// The public page lists partners in that order (the cache followed).
		const page = textOf((await who.visitor.get(`/events/${SH}`)).body);
		assert.ok(page.indexOf('Tongji University') < page.indexOf('Fudan University'), 'order on the public page');
		// Remove the sponsor entry.
		r = await who.organiser.post(`${base}/tongji-university/sponsor/remove`, { confirm: 'yes' });
		assert.equal(r.status, 303);
		assert.ok(!(await order()).includes('tongji-university:sponsor'));
		r = await who.organiser.post(`${base}/tongji-university/sponsor/remove`, { confirm: 'yes' });
		assert.equal(r.status, 404);
		// Others may not touch the list.
		r = await who.other.post(base, { organisation: 'unaoc', role: 'sponsor' });
		assert.equal(r.status, 403);
		assert.equal(sqlite(db, "SELECT count(*) FROM audit_log WHERE action = 'event.organisations';").trim(), '7');
	});

	test('the JSON API adds, replaces and deletes entries', async () => {
		const admin = await who.admin.newToken('write');
		let r = await admin.api('POST', `/api/v1/events/${AK}/organisations`, { organisation: 'fudan-university', role: 'partner' });
		assert.equal(r.status, 201);
		assert.deepEqual(r.json.organisations.map((o) => o.slug), ['unaoc', 'fudan-university']);
		r = await admin.api('PUT', `/api/v1/events/${AK}/organisations`, { organisations: [
			{ organisation: 'fudan-university', role: 'partner' }, { organisation: 'unaoc', role: 'convener' },
			{ organisation: 'tongji-university', role: 'partner' }] });
		assert.equal(r.status, 200);
		assert.deepEqual(r.json.organisations.map((o) => `${o.slug}:${o.role}:${o.position}`),
			['unaoc:convener:1', 'fudan-university:partner:2', 'tongji-university:partner:3']);
		r = await admin.api('PUT', `/api/v1/events/${AK}/organisations`, { organisations: [
			{ organisation: 'no-such-org', role: 'partner' }, { organisation: 'unaoc', role: 'king' }] });
		assert.equal(r.status, 400);
		assert.deepEqual(Object.keys(r.json.errors).sort(), ['organisations.0', 'organisations.1']);
		r = await admin.api('DELETE', `/api/v1/events/${AK}/organisations/tongji-university/partner`);
		assert.equal(r.status, 200);
		assert.deepEqual(r.json.organisations.map((o) => o.slug), ['unaoc', 'fudan-university']);
	});
});

// --------------------------------------------------------------- organisers

describe('organisers of an event', () => {
	const base = `/admin/events/${SH}/organisers`;
	test('a series organiser grants and revokes; the new organiser gets in, and out again', async () => {
		assert.equal((await who.participant.get(`/admin/events/${SH}/edit`)).status, 403);
		let r = await who.series.post(base, { email: 'nobody@example.org', password: PASSWORD });
		assert.equal(r.status, 404);
		assert.equal(fieldError(r.body, 'f-email'), 'No account has this e-mail address.');
		assert.equal(inputValue(r.body, 'f-email'), 'nobody@example.org');
		r = await who.series.post(base, { email: 'Participant@Example.org', password: PASSWORD });
		assert.equal(r.status, 303);
		assert.equal(location(r), `${base}?done=granted`);
		const page = await who.series.get(base);
		assert.match(textOf(page.body), /participant@example\.org/);
		assert.match(textOf(page.body), /series@example\.org The whole series/);
		r = await who.series.post(base, { email: 'participant@example.org', password: PASSWORD });
		assert.equal(r.status, 409);
		assert.equal((await who.participant.get(`/admin/events/${SH}/edit`)).status, 200);
		assert.equal((await who.participant.get(`/admin/events/${AK}/edit`)).status, 403);
		// Event organisers may not name organisers.
		const snap = dbSnapshot(db);
		assert.equal((await who.organiser.post(base, { email: 'auckland@example.org', password: PASSWORD })).status, 403);
		assertDbUnchanged(db, snap, 'an event organiser naming an organiser');
		const pid = sqlite(db, "SELECT id FROM account WHERE email = 'participant@example.org';").trim();
		assert.ok(page.body.includes(`/organisers/${pid}/revoke`), 'a revoke button for the new organiser');
		r = await who.series.post(`${base}/${pid}/revoke`, { confirm: 'yes' });
		assert.equal(r.status, 303);
		assert.equal((await who.participant.get(`/admin/events/${SH}/edit`)).status, 403);
		r = await who.series.post(`${base}/${pid}/revoke`, { confirm: 'yes' });
		assert.equal(r.status, 404);
		assert.equal(sqlite(db, "SELECT action || ':' || actor FROM audit_log WHERE action LIKE 'account.role_%' AND actor = 'series@example.org' ORDER BY id;").trim().split('\n').join(','),
			'account.role_grant:series@example.org,account.role_revoke:series@example.org');
	});
	test('the JSON API lists, grants and revokes', async () => {
		const admin = await who.admin.newToken('write');
		let r = await admin.api('GET', `/api/v1/events/${AK}/organisers`);
		assert.equal(r.status, 200);
		assert.deepEqual(r.json.organisers.map((o) => `${o.email}:${o.via}`), ['auckland@example.org:event', 'series@example.org:series']);
		r = await admin.api('POST', `/api/v1/events/${AK}/organisers`, { email: 'participant@example.org', password: PASSWORD });
		assert.equal(r.status, 201);
		const id = r.json.organisers.find((o) => o.email === 'participant@example.org').account_id;
		r = await admin.api('DELETE', `/api/v1/events/${AK}/organisers/${id}`);
		assert.equal(r.status, 200);
		assert.ok(!r.json.organisers.some((o) => o.email === 'participant@example.org'));
		r = await admin.api('POST', `/api/v1/events/${AK}/organisers`, { email: 'not-an-address', password: PASSWORD });
		assert.equal(r.status, 400);
	});
});

// ------------------------------------------------------- series, organisations

describe('series and organisations', () => {
	test('an admin creates a series as a draft; it is hidden until published', async () => {
		let r = await who.admin.post('/admin/series', { title: 'Youth Consultations', slug: '', organisation: 'unaoc', summary: 'Young leaders.' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(location(r), '/admin/series/youth-consultations/edit?done=created');
		assert.equal((await who.visitor.get('/series/youth-consultations')).status, 404);
		assert.equal((await who.visitor.get('/api/v1/series/youth-consultations')).status, 404);
		assert.ok(!(await who.visitor.get('/api/v1/series')).json.series.some((s) => s.slug === 'youth-consultations'));
		assert.equal((await who.series.get('/admin/series/youth-consultations/edit')).status, 404);
		r = await who.admin.post('/admin/series/youth-consultations/publish');
		assert.equal(r.status, 303);
		assert.equal((await who.visitor.get('/series/youth-consultations')).status, 200);
		const s = (await who.visitor.get('/api/v1/series/youth-consultations')).json;
		assert.equal(s.organisation, 'unaoc');
		assert.equal(s.status, 'published');
		// Series organisers edit their series but create none.
		r = await who.series.post(`/admin/series/${SERIES}`, { title: 'Regional Consultations', slug: SERIES, organisation: 'unaoc', summary: 'Edited summary.' });
		assert.equal(r.status, 303);
		assert.equal((await who.visitor.get(`/api/v1/series/${SERIES}`)).json.summary, 'Edited summary.');
		const snap = dbSnapshot(db);
		assert.equal((await who.series.post('/admin/series', { title: 'Mine', organisation: 'unaoc' })).status, 403);
		assertDbUnchanged(db, snap, 'a series organiser creating a series');
		r = await who.admin.post('/admin/series', { title: '', organisation: 'no-such-org' });
		assert.equal(r.status, 400);
		assert.ok(fieldError(r.body, 'f-title'));
	});

	test('organisations: validation, rights, JSON', async () => {
		let r = await who.admin.post('/admin/organisations', { name: '', kind: 'club', website: 'javascript:alert(1)', country: 'China' });
		assert.equal(r.status, 400);
		for (const f of ['name', 'kind', 'website', 'country']) assert.ok(fieldError(r.body, `f-${f}`), f);
		assert.equal(inputValue(r.body, 'f-website'), 'javascript:alert(1)');
		// Tongji takes part in Shanghai only by now; Fudan also in Auckland.
		r = await who.organiser.post('/admin/organisations/tongji-university', { name: 'Tongji University', acronym: 'TJ', kind: 'academia', country: 'CN', website: 'https://www.tongji.edu.cn', description: 'In Shanghai.', slug: 'tongji-university' });
		assert.equal(r.status, 303);
		assert.match(textOf((await who.visitor.get('/organisations/tongji-university')).body), /\(TJ\)/);
		const snap = dbSnapshot(db);
		for (const o of ['unaoc', 'fudan-university']) {
			r = await who.organiser.post(`/admin/organisations/${o}`, { name: 'Renamed', kind: 'academia', slug: o });
			assert.equal(r.status, 403, o);
		}
		assertDbUnchanged(db, snap, 'an organiser renaming organisations not theirs');
		const api = await who.visitor.get('/api/v1/organisations');
		assert.equal(api.status, 200);
		assert.ok(api.json.organisations.some((o) => o.slug === 'tongji-university' && o.website === 'https://www.tongji.edu.cn'));
		const one = await who.visitor.get('/api/v1/organisations/tongji-university');
		assert.equal(one.json.acronym, 'TJ');
		assert.ok(one.json.events.length > 0, 'Tongji takes part in Shanghai');
		assert.ok(one.json.events.every((e) => e.status !== 'draft'));
		assert.equal((await who.visitor.get('/api/v1/organisations/no-such')).status, 404);
	});
});

// ------------------------------------------------------------------- logos

describe('organisation logos', () => {
	const FIELDS = [['name', 'United Nations Alliance of Civilizations'], ['acronym', 'UNAOC'], ['slug', 'unaoc'],
		['kind', 'international'], ['country', ''], ['website', 'https://www.unaoc.org'], ['description', '']];
	const send = (c, p, parts) => c.req('POST', p, multipart([...parts, ['_csrf', c.csrf]]));

	test('an uploaded logo is stored by its bytes, shown, and can be removed', async () => {
		let r = await send(who.admin, '/admin/organisations/unaoc',
			[...FIELDS, ['logo_file', { filename: 'logo.PNG', type: 'application/octet-stream', data: image('red-blue.png') }]]);
		assert.equal(r.status, 303, r.body.slice(0, 400));
		const org = (await who.visitor.get('/api/v1/organisations/unaoc')).json;
		assert.match(org.logo, /^[0-9a-f]{64}\.png$/);
		assert.equal(org.website, 'https://www.unaoc.org');
		assert.equal(org.logo_url, `/media/${org.logo}`);
		const file = await who.visitor.get(org.logo_url);
		assert.equal(file.status, 200);
		assert.equal(file.headers['content-type'], 'image/png');
		assert.equal((await who.visitor.get(org.logo_thumb_url)).headers['content-type'], 'image/webp');
		const edit = await who.admin.get('/admin/organisations/unaoc/edit');
		assert.ok(edit.body.includes(`src="${org.logo_thumb_url}"`), 'the form shows the present logo');
		assert.match(edit.body, /enctype="multipart\/form-data"/);
		assert.equal(jsonRows(db, "SELECT before_json, after_json FROM audit_log WHERE action = 'organisation.update'")
			.filter((r) => JSON.parse(r.after_json).logo === org.logo && JSON.parse(r.before_json).logo == null).length, 1);
		// Not an image: refused beside the field, the rest kept, the old logo too.
		r = await send(who.admin, '/admin/organisations/unaoc', [...FIELDS.map(([k, v]) => [k, k === 'acronym' ? 'AoC' : v]),
			['logo', org.logo], ['logo_file', { filename: 'logo.png', type: 'image/png', data: Buffer.from('<svg onload=alert(1)>') }]]);
		assert.equal(r.status, 400);
		assert.ok(fieldError(r.body, 'f-logo_file'), 'no message beside the file field');
		assert.equal(inputValue(r.body, 'f-acronym'), 'AoC');
		assert.equal((await who.visitor.get('/api/v1/organisations/unaoc')).json.logo, org.logo);
		// The JSON API takes a stored name, or null; nothing else.
		const tok = await who.admin.newToken('write');
		r = await tok.api('PATCH', '/api/v1/organisations/unaoc', { logo: '0'.repeat(64) + '.png' });
		assert.equal(r.status, 400);
		assert.deepEqual(Object.keys(r.json.errors), ['logo']);
		r = await tok.api('PATCH', '/api/v1/organisations/unaoc', { logo: '../h.db' });
		assert.equal(r.status, 400);
		// Removing it.
		r = await send(who.admin, '/admin/organisations/unaoc', [...FIELDS, ['logo', org.logo], ['remove_logo', '1']]);
		assert.equal(r.status, 303);
		assert.equal((await who.visitor.get('/api/v1/organisations/unaoc')).json.logo, null);
		r = await tok.api('PATCH', '/api/v1/organisations/unaoc', { logo: org.logo });
		assert.equal(r.status, 200);
		assert.equal(r.json.logo, org.logo);
	});

	test('only those who may edit the organisation may change its logo', async () => {
		const r = await send(who.organiser, '/admin/organisations/unaoc',
			[...FIELDS, ['logo_file', { filename: 'x.jpg', type: 'image/jpeg', data: image('red-blue.jpg') }]]);
		assert.equal(r.status, 403);
		assert.equal(jsonRows(db, "SELECT after_json FROM audit_log WHERE action = 'organisation.update' AND actor <> 'admin@example.org'")
			.filter((r) => JSON.parse(r.after_json).slug === 'unaoc').length, 0);
	});
});

// ------------------------------------------------------------- hostile text

describe('stored XSS attempts come back escaped', () => {
	const X = {
		title: '<script>alert(1)</script>',
		theme: `"'><img src=x onerror=alert(2)>`,
		summary: '<iframe src="javascript:alert(3)"></iframe>',
		description_md: 'Hi <script>alert(4)</script> [x](javascript:alert(5))',
		region: '<svg onload=alert(6)>',
		city: 'Shang&hai <b>',
		venue: `' onfocus='alert(7)`,
		contact_name: '<a href="javascript:alert(8)">Bas</a>',
		contact_title: '</textarea><script>alert(9)</script>',
		contact_org: '{{site.csrf}}',
	};
	let slug;
	test('in every text field of an event, on admin and public pages, intact in JSON', async () => {
		const r = await who.admin.api('POST', '/api/v1/events', { ...X, starts_on: '2016-01-01', ends_on: '2016-01-02', series: SERIES, status: 'published' });
		assert.equal(r.status, 201, r.body);
		slug = r.json.slug;
		for (const [k, v] of Object.entries(X)) assert.equal(r.json[k], v, `${k} intact in JSON`);
		const org = await who.admin.api('POST', '/api/v1/organisations', { name: X.title, acronym: '<b>', description: X.summary, kind: 'ngo' });
		assert.equal(org.status, 201);
		assert.equal((await who.admin.api('POST', `/api/v1/events/${slug}/organisations`, { organisation: org.json.slug, role: 'partner' })).status, 201);
		const series = await who.admin.api('POST', '/api/v1/series', { title: X.theme, summary: X.summary });
		assert.equal(series.status, 201);
		const pages = ['/admin', '/admin/events', `/admin/events/${slug}/edit`, `/admin/events/${slug}/organisations`,
			`/admin/events/${slug}/organisers`, '/admin/organisations', `/admin/organisations/${org.json.slug}/edit`,
			'/admin/series', `/admin/series/${series.json.slug}/edit`, '/admin/events/new'];
		for (const p of pages) {
			const page = await who.admin.get(p);
			assert.equal(page.status, 200, p);
			assertInert(page.body, p);
		}
		const edit = (await who.admin.get(`/admin/events/${slug}/edit`)).body;
		assert.equal(inputValue(edit, 'f-title'), X.title);
		assert.equal(inputValue(edit, 'f-theme'), X.theme);
		assert.equal(inputValue(edit, 'f-venue'), X.venue);
		assert.equal(textareaValue(edit, 'f-summary'), X.summary);
		assert.equal(textareaValue(edit, 'f-description_md'), X.description_md);
		assert.equal(inputValue(edit, 'f-contact_org'), '{{site.csrf}}', 'data is never rendered as a template');
		assert.ok(!edit.includes('</textarea><script>'), 'contact title broke out of its field');
		for (const p of [`/events/${slug}`, '/events', `/organisations/${org.json.slug}`]) {
			const page = await who.visitor.get(p);
			assert.equal(page.status, 200, p);
			assertInert(page.body, p);
		}
		assert.match(textOf((await who.visitor.get(`/events/${slug}`)).body), /Shang&hai <b>/);
	});
});

// ---------------------------------------------------------------- deleting

describe('deleting events, series and organisations', () => {
	const DAYS = { starts_on: '2019-03-01', ends_on: '2019-03-02' };
	// Every row a delete could touch, so a refusal can be shown to change nothing.
	const snapshot = () => sqlite(db, ['series', 'event', 'organisation', 'event_organisation', 'event_sector',
		'account_role', 'post', 'audit_log'].map((t) => `SELECT '${t}', count(*) FROM ${t};`).join('\n'));
	const error = (r) => r.json?.error?.message;
	let tok;
	before(async () => {
		tok = await who.admin.newToken('write');
	});

	test('the API: deleted for an admin, 403 for organisers, 404, and 409 saying what keeps it', async () => {
		// A draft event in the series, with a sector, a partner, an organiser and a news post.
		let r = await tok.api('POST', '/api/v1/organisations', { name: 'Throwaway Partner', kind: 'ngo' });
		assert.equal(r.status, 201, r.body);
		const ORG = r.json.slug;
		r = await tok.api('POST', '/api/v1/events', { title: 'Throwaway Meeting', series: SERIES, sectors: ['ngo'], ...DAYS });
		assert.equal(r.status, 201, r.body);
		const EV = r.json.slug;
		assert.equal((await tok.api('POST', `/api/v1/events/${EV}/organisations`, { organisation: ORG, role: 'partner' })).status, 201);
		assert.equal((await tok.api('POST', `/api/v1/events/${EV}/organisers`, { email: 'participant@example.org', password: PASSWORD })).status, 201);
		r = await tok.api('POST', '/api/v1/posts', { title: 'About the throwaway meeting', event_slug: EV });
		assert.equal(r.status, 201, r.body);
		const post = r.json.id;
		assert.equal((await who.participant.get(`/admin/events/${EV}/edit`)).status, 200);

		const readOnly = await who.admin.newToken('read');
		const before = snapshot();
		// Organisers of the event and of its series may not; nor a read-only token, nor a session without its header.
		for (const c of [who.participant, who.series]) {
			r = await c.api('DELETE', `/api/v1/events/${EV}`);
			assert.equal(r.status, 403, `${c.name}: ${r.status}`);
			assert.equal(error(r), 'Only administrators may delete this.');
		}
		assert.equal((await who.organiser.api('DELETE', `/api/v1/events/${EV}`)).status, 404, 'a draft others may not see');
		assert.equal((await readOnly.api('DELETE', `/api/v1/events/${EV}`)).status, 403);
		assert.equal((await who.admin.req('DELETE', `/api/v1/events/${EV}`, { accept: 'json' })).status, 403);
		assert.equal((await who.visitor.api('DELETE', `/api/v1/events/${EV}`)).status, 404);
		assert.equal((await who.visitor.api('DELETE', `/api/v1/events/${SH}`)).status, 401);
		// Unknown addresses.
		for (const [p, msg] of [['events', 'There is no such event.'], ['series', 'There is no such series.'],
			['organisations', 'There is no such organisation.']]) {
			r = await tok.api('DELETE', `/api/v1/${p}/no-such-thing`);
			assert.equal(r.status, 404, p);
			assert.deepEqual([r.json.error.status, error(r)], [404, msg]);
		}
		// What keeps them.
		const refusals = [
			[`/api/v1/events/${EV}`, '1 news post is linked to this event: move it to another event or delete it first.'],
			[`/api/v1/events/${SH}`, 'Published events cannot be deleted; cancel the event instead.'],
			[`/api/v1/series/${SERIES}`, 'Published series cannot be deleted.'],
			[`/api/v1/organisations/${ORG}`, 'This organisation is listed on 1 event: remove it from the event first.'],
			['/api/v1/organisations/unaoc', /^This organisation is listed on \d+ events: remove it from them first\.$/],
		];
		for (const [p, msg] of refusals) {
			r = await tok.api('DELETE', p);
			assert.equal(r.status, 409, `${p}: ${r.status} ${r.body}`);
			assert.equal(r.json.error.status, 409);
			if (typeof msg === 'string') assert.equal(error(r), msg, p);
			else assert.match(error(r), msg, p);
		}
		assert.equal(snapshot(), before, 'a refusal changed the database');

		// Once the post is gone the draft goes, with its sector, its organisation entry and its organiser grant.
		const id = sqlite(db, `SELECT id FROM event WHERE slug = ${q(EV)};`).trim();
		assert.equal((await tok.api('DELETE', `/api/v1/posts/${post}`)).status, 200);
		r = await tok.api('DELETE', `/api/v1/events/${EV}`);
		assert.equal(r.status, 200, r.body);
		const gone = JSON.parse(r.body);
		assert.deepEqual(gone, { deleted: true, trash_id: gone.trash_id, restore: `/api/v1/trash/${gone.trash_id}/restore` });
		assert.equal((await tok.api('GET', `/api/v1/events/${EV}`)).status, 404);
		assert.equal((await tok.api('DELETE', `/api/v1/events/${EV}`)).status, 404);
		for (const t of ['event_sector', 'event_organisation', 'account_role'])
			assert.equal(sqlite(db, `SELECT count(*) FROM ${t} WHERE event_id = ${id};`).trim(), '0', t);
		assert.equal((await who.participant.get('/admin')).status, 403, 'the grant went with the event');
		assert.equal(jsonRows(db, `SELECT before_json FROM audit_log WHERE action = 'event.delete' AND entity_id = ${id}
			AND after_json IS NULL AND actor = 'admin@example.org'`).map((r) => JSON.parse(r.before_json))
			.filter((b) => b.slug === EV && b.organisations?.[0]?.slug === ORG && b.organisers?.[0]?.email === 'participant@example.org').length, 1);

		// A series holding an event, run by the organisation.
		r = await tok.api('POST', '/api/v1/series', { title: 'Throwaway Series', organisation: ORG });
		assert.equal(r.status, 201, r.body);
		const SE = r.json.slug;
		r = await tok.api('POST', '/api/v1/events', { title: 'Throwaway Series Meeting', series: SE, ...DAYS });
		const EV2 = r.json.slug;
		const before2 = snapshot();
		r = await tok.api('DELETE', `/api/v1/series/${SE}`);
		assert.equal(r.status, 409);
		assert.equal(error(r), 'This series holds 1 event: move it to another series or delete it first.');
		r = await tok.api('DELETE', `/api/v1/organisations/${ORG}`);
		assert.equal(r.status, 409);
		assert.equal(error(r), 'This organisation runs 1 series: choose another organiser for it first.');
		assert.equal(snapshot(), before2);
		assert.equal((await tok.api('DELETE', `/api/v1/events/${EV2}`)).status, 200);
		assert.equal((await tok.api('DELETE', `/api/v1/series/${SE}`)).status, 200);
		assert.equal((await tok.api('GET', `/api/v1/series/${SE}`)).status, 404);
		assert.equal((await tok.api('DELETE', `/api/v1/organisations/${ORG}`)).status, 200);
		assert.equal((await who.visitor.get(`/organisations/${ORG}`)).status, 404);

		// A cancelled event stays.
		r = await tok.api('POST', '/api/v1/events', { title: 'Throwaway Cancelled', status: 'published', ...DAYS });
		assert.equal(r.status, 201, r.body);
		assert.equal((await tok.api('PATCH', `/api/v1/events/${r.json.slug}`, { status: 'cancelled' })).status, 200);
		r = await tok.api('DELETE', `/api/v1/events/${r.json.slug}`);
		assert.equal(r.status, 409);
		assert.match(error(r), /^Cancelled events cannot be deleted/);
		assert.equal(sqlite(db, "SELECT action FROM audit_log WHERE action LIKE '%.delete' AND entity <> 'post' ORDER BY id;").trim().split('\n').join(','),
			'event.delete,event.delete,series.delete,organisation.delete');
	});

	test('the admin form: for admins only and only when allowed, with its CSRF token; the public pages follow', async () => {
		// Public first, so the page cache holds them.
		let r = await tok.api('POST', '/api/v1/organisations', { name: 'Throwaway Foundation', kind: 'cultural' });
		const ORG = r.json.slug;
		r = await tok.api('POST', '/api/v1/series', { title: 'Throwaway Programme' });
		const SE = r.json.slug;
		r = await tok.api('POST', '/api/v1/events', { title: 'Throwaway Workshop', series: SERIES, status: 'published', ...DAYS });
		const EV = r.json.slug;
		for (let i = 0; i < 2; i++) {
			assert.equal((await who.visitor.get(`/organisations/${ORG}`)).status, 200);
			assert.match((await who.visitor.get('/events')).body, /Throwaway Workshop/);
			assert.equal((await who.visitor.get(`/events/${EV}`)).status, 200);
		}
		const formOf = (body, path) => body.includes(`action="${path}/delete"`);
		// Published: the admin is told why, nobody gets the form.
		let page = (await who.admin.get(`/admin/events/${EV}/edit`)).body;
		assert.ok(!formOf(page, `/admin/events/${EV}`));
		assert.match(textOf(page), /Published events cannot be deleted; cancel the event instead\./);
		assert.match(textOf((await who.admin.get(`/admin/series/${SERIES}/edit`)).body), /Published series cannot be deleted\./);
		assert.match(textOf((await who.admin.get('/admin/organisations/unaoc/edit')).body),
			/This organisation is listed on \d+ events: remove it from them first\./);
		// Back to draft: the form is there, for admins only.
		assert.equal((await who.admin.post(`/admin/events/${EV}/unpublish`, { confirm: 'yes' })).status, 303);
		for (const [p, kind] of [[`/admin/events/${EV}`, 'events'], [`/admin/series/${SE}`, 'series'], [`/admin/organisations/${ORG}`, 'organisations']]) {
			page = await who.admin.get(`${p}/edit`);
			assert.equal(page.status, 200, p);
			assert.ok(formOf(page.body, p), `${p}: no delete form`);
			assertInert(page.body, p);
			if (kind === 'events') {
				const org = await who.series.get(`${p}/edit`);
				assert.equal(org.status, 200);
				assert.ok(!formOf(org.body, p), 'an organiser sees the form');
				assert.doesNotMatch(textOf(org.body), /cannot be deleted/);
				// Nor may they post it.
				assert.equal((await who.series.post(`${p}/delete`)).status, 403);
			}
			// Without the token, or with a wrong one: refused, nothing changed.
			const before = snapshot();
			assert.equal((await who.admin.post(`${p}/delete`, {}, { csrf: false })).status, 403, p);
			assert.equal((await who.admin.req('POST', `${p}/delete`, { form: { _csrf: 'x'.repeat(43) } })).status, 403, p);
			assert.equal(snapshot(), before);
			r = await who.admin.post(`${p}/delete`, { confirm: 'yes' });
			assert.equal(r.status, 303, `${p}: ${r.status} ${r.body.slice(0, 300)}`);
			assert.match(location(r), new RegExp(`^/admin/${kind}\\?done=deleted&undo=\\d+$`));
			const list = await who.admin.get(location(r));
			assert.match(list.body, /<div class="alert alert-success notice" role="status"><p>Deleted\.<\/p>\s*<form class="inline" method="post" action="\/admin\/trash\/\d+\/restore">/);
			assert.equal((await who.admin.get(`${p}/edit`)).status, 404);
		}
		// Gone from the public pages, cached or not.
		assert.equal((await who.visitor.get(`/organisations/${ORG}`)).status, 404);
		assert.equal((await who.visitor.get(`/events/${EV}`)).status, 404);
		assert.equal((await who.visitor.get(`/series/${SE}`)).status, 404);
		assert.doesNotMatch((await who.visitor.get('/events')).body, /Throwaway Workshop/);
		assert.doesNotMatch((await who.visitor.get('/news.atom')).body, /Throwaway/);
		assert.ok(!(await who.visitor.get('/api/v1/organisations')).json.organisations.some((o) => o.slug === ORG));
		// A refusal through the form says why.
		r = await who.admin.post(`/admin/events/${SH}/delete`, { confirm: 'yes' });
		assert.equal(r.status, 409);
		assert.match(textOf(r.body), /Published events cannot be deleted; cancel the event instead\./);
	});
});
