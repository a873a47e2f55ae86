// privilege-sweeps.test.mjs — every write route of the route tables
// (lib/routes.mjs reads src/site/*.c and src/features/*/*.c, so a new route
// is swept the day it lands) tried by principals who hold some right, but
// not the right to that write, over HTTP against a real server on the demo:
//
//   1. an administrator's read-only API token, against every write route;
//   2. the organiser of another event (Auckland 2007), against every write
//      route that touches what is not theirs: the Shanghai event, its
//      organisations, the series, news, accounts and the outbox;
//   3. anyone revoking another account's API token (or ending its session)
//      by id, through the form, the JSON twin and a bearer token;
//   4. mass assignment of privileged keys through the profile (PATCH
//      /api/v1/account and the form POST /account/profile);
//   5. the security headers on admin pages and API answers, refusals too.
//
// Every refusal is checked twice: its exact status, and a dump of the
// database (lib/sqlite.mjs) unchanged, so a route that answered "no" after
// acting, or acted and answered something else, fails. security.test.mjs
// sweeps the same tables as a participant and without CSRF tokens.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, PASSWORD, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { ORG, PROBE, routeTable, SERIES, SHANGHAI } from './lib/routes.mjs';
import { makeDemoWithOrganiser, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, q, sqlite, trashedPost } from './lib/sqlite.mjs';

const AUCKLAND = 'asia-pacific-auckland-2007';
// An organisation only the Shanghai event shows (unaoc, ORG, is also
// Auckland's convener and runs the series: both are someone else's).
const SHANGHAI_ONLY_ORG = 'un-association-of-china';
// An organisation on no event, made here: what a route that forgot its
// check would add to the Shanghai event.
const SPARE_ORG = 'probe-partner';
const PEOPLE = {
	admin: { email: 'admin@example.org', name: 'Admin', role: 'admin' },
	auckland: { email: 'auckland@example.org', name: 'Auckland Organiser', role: 'organiser', event: AUCKLAND },
	participant: { email: 'part@example.org', name: 'Pat Participant' },
	victim: { email: 'victim@example.org', name: 'Token Owner' },
	mass: { email: 'mass@example.org', name: 'Mass Participant' },
	massOrganiser: { email: 'mass-org@example.org', name: 'Mass Organiser', role: 'organiser', event: AUCKLAND },
};

let srv, dir, shanghaiOrganiser;
const as = {}; // signed-in clients
const tok = {}; // API tokens ("hm_…")
const ids = {}; // row ids

const one = (sql) => sqlite(srv.db, sql).trim();
const accountId = (email) => one(`SELECT id FROM account WHERE email = ${q(email)}`);
const snapshot = () => dbSnapshot(srv.db);
const assertUnchanged = (before, what) => assertDbUnchanged(srv.db, before, what);
// What changed since a snapshot, line by line (a multiset: a row written
// twice counts twice): {added, removed}.
function dbChanges(before) {
	const count = (text) => text.split('\n').reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map());
	const a = count(before);
	const b = count(snapshot());
	const less = (x, y) => [...x].flatMap(([l, n]) => Array(Math.max(0, n - (y.get(l) ?? 0))).fill(l));
	return { added: less(b, a), removed: less(a, b) };
}
const describeRes = (r) => `${r.status} ${r.headers['content-type'] ?? ''}\n${r.body.slice(0, 400)}`;

// Notices (a new token, …) are queued and delivered by the server's sender
// in the background; a snapshot taken while one is on its way would see it
// arrive. Waits until nothing is queued or being sent.
async function outboxSettled() {
	for (let i = 0; i < 200; i++) {
		if (one(`SELECT count(*) FROM mail_outbox WHERE status IN ('queued', 'sending')`) === '0') return;
		await new Promise((r) => setTimeout(r, 50));
	}
	assert.fail('the outbox did not settle');
}

before(async () => {
	dir = tempDir();
	const demo = makeDemoWithOrganiser(path.join(dir, 'h.db'));
	shanghaiOrganiser = demo.organiser; // the demo's organiser of the Shanghai event
	for (const p of Object.values(PEOPLE)) addAccount(demo.db, p);
	// A site news post (no event: administrators only), an organisation on
	// no event, and a message that failed for good (retrying it would queue
	// it again; the sender leaves it alone meanwhile).
	sqlite(demo.db, `
INSERT INTO post (slug, title, summary, body_md, status, published_at, event_id, created_at, updated_at)
VALUES ('site-news-probe', 'Site news', 'Site news', 'Site news', 'published', '2020-01-01T00:00:00Z', NULL,
        '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');
INSERT INTO organisation (slug, name, kind, created_at, updated_at)
VALUES (${q(SPARE_ORG)}, 'Probe Partner', 'ngo', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');
INSERT INTO mail_outbox (message_id, from_addr, recipient, subject, body, status, attempts, last_error, created_at, next_attempt_at)
VALUES ('<failed-probe@example.org>', 'Site <site@example.org>', ${q(PEOPLE.participant.email)}, 'Probe', 'Body', 'failed', 8,
        'refused', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');
INSERT INTO conversation (event_id, topic, status, participation, created_at, updated_at)
SELECT id, 'Probe conversation', 'open', 'anyone', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'
FROM event WHERE slug = ${q(SHANGHAI)};
INSERT INTO statement (conversation_id, by_organiser, text, text_key, status, created_at)
SELECT id, 1, 'Probe statement', 'probestatement', 'accepted', '2020-01-01T00:00:00Z'
FROM conversation WHERE topic = 'Probe conversation';
INSERT INTO dialogue_participant (conversation_id, anon_key, created_at)
SELECT id, 'probe-participant', '2020-01-01T00:00:00Z' FROM conversation WHERE topic = 'Probe conversation';
INSERT INTO statement_translation_suggestion (statement_id, participant_id, lang, text, created_at)
SELECT s.id, p.id, 'fr', 'Proposition sonde', '2020-01-01T00:00:00Z' FROM statement s, dialogue_participant p
WHERE s.text = 'Probe statement' AND p.anon_key = 'probe-participant';
INSERT INTO programme_room (event_id, name, capacity, created_at)
SELECT id, 'Probe room', 10, '2020-01-01T00:00:00Z' FROM event WHERE slug = ${q(SHANGHAI)};
INSERT INTO programme_session (event_id, title, kind, starts_at, ends_at, room_id, created_at, updated_at)
SELECT e.id, 'Probe session', 'panel', '2012-11-29T02:00:00Z', '2012-11-29T03:00:00Z', r.id,
       '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'
FROM event e JOIN programme_room r ON r.event_id = e.id WHERE e.slug = ${q(SHANGHAI)} AND r.name = 'Probe room';
`);
	srv = await startServer({ db: demo.db });
	for (const k of ['admin', 'auckland', 'participant', 'victim', 'mass', 'massOrganiser'])
		as[k] = await signedIn(srv.url, PEOPLE[k].email);
	tok.adminRead = await apiToken(as.admin, 'read', 'read-only sweep');
	tok.adminWrite = await apiToken(as.admin, 'write', 'control');
	tok.auckland = await apiToken(as.auckland, 'write', 'organiser sweep');
	tok.participant = await apiToken(as.participant, 'write', 'attacker');
	tok.victim = await apiToken(as.victim, 'write', 'victim');
	tok.mass = await apiToken(as.mass, 'write', 'mass assignment');
	for (const c of Object.values(as)) await c.get('/account'); // the session's CSRF token again
	ids.admin = accountId(PEOPLE.admin.email);
	ids.victim = accountId(PEOPLE.victim.email);
	ids.shanghaiOrganiser = accountId(shanghaiOrganiser.email);
	ids.delegation = one(`SELECT id FROM registration_delegation ORDER BY id LIMIT 1`);
	ids.conversation = one(`SELECT id FROM conversation WHERE topic = 'Probe conversation'`);
	ids.statement = one(`SELECT id FROM statement WHERE text = 'Probe statement'`);
	ids.participant = one(`SELECT id FROM dialogue_participant WHERE anon_key = 'probe-participant'`);
	ids.suggestion = one(`SELECT id FROM statement_translation_suggestion WHERE text = 'Proposition sonde'`);
	ids.room = one(`SELECT id FROM programme_room WHERE name = 'Probe room'`);
	ids.session = one(`SELECT id FROM programme_session WHERE title = 'Probe session'`);
	ids.person = one(`SELECT min(id) FROM programme_person`); // the demo's
	ids.registration = one(`SELECT r.id FROM registration r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SHANGHAI)} AND r.status = 'approved' ORDER BY r.id LIMIT 1`);
	ids.shanghaiPost = one(`SELECT p.id FROM post p JOIN event e ON e.id = p.event_id WHERE e.slug = ${q(SHANGHAI)} LIMIT 1`);
	ids.sitePost = one(`SELECT id FROM post WHERE slug = 'site-news-probe'`);
	ids.category = one(`SELECT id FROM category ORDER BY id LIMIT 1`);
	ids.trash = trashedPost(srv.db, SHANGHAI);
	ids.failedMessage = one(`SELECT id FROM mail_outbox WHERE message_id = '<failed-probe@example.org>'`);
	ids.adminWriteToken = one(`SELECT id FROM api_token WHERE account_id = ${ids.admin} AND scope = 'write'`);
	ids.adminSession = one(`SELECT id FROM session WHERE account_id = ${ids.admin} ORDER BY id LIMIT 1`);
	ids.victimToken = one(`SELECT id FROM api_token WHERE account_id = ${ids.victim}`);
	ids.victimSession = one(`SELECT id FROM session WHERE account_id = ${ids.victim} ORDER BY id LIMIT 1`);
	for (const [k, v] of Object.entries(ids)) assert.match(v, /^\d+$/, `id of ${k}`);
	await outboxSettled();
});
after(async () => {
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ routes

const ROUTES = routeTable();
const WRITES = ROUTES.filter((r) => r.method !== 'GET');
const key = (r) => `${r.method} ${r.pattern}`;
const isApi = (r) => r.pattern.startsWith('/api/');
const flag = (r, f) => new RegExp(`\\b${f}\\b`).test(r.flags);

// A request as the route's own client sends it: JSON to /api/…, a
// urlencoded form elsewhere; DELETE without a body.
function encode(r, body) {
	if (r.method === 'DELETE') return {};
	if (isApi(r)) return { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
	return { body: new URLSearchParams(body).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
}

// With a bearer token (no cookie, no CSRF token).
async function withToken(token, r, path, body) {
	const e = encode(r, body);
	const res = await request(srv.url + path, {
		method: r.method, body: e.body,
		headers: { ...e.headers, Accept: 'application/json', Authorization: `Bearer ${token}` },
	});
	if (/application\/json/.test(res.headers['content-type'] ?? '')) res.json = JSON.parse(res.body);
	return res;
}

// With a signed-in browser session and its CSRF token (the form field,
// or X-CSRF-Token for the JSON API).
async function withSession(client, r, path, body) {
	await client.get('/account'); // a fresh CSRF token of this session
	if (isApi(r)) return client.api(r.method, path, r.method === 'DELETE' ? undefined : body);
	return client.post(path, body);
}

// The body that would make each route act for someone allowed to: the
// probe, with what a route needs beyond it (a valid organisation kind, an
// account that exists, the actor's own password asked again, …).
function bodyFor(r) {
	const b = { ...PROBE };
	const p = r.pattern;
	if (/\/organisations(\/\{slug\})?$/.test(p) && !p.includes('/events/'))
		Object.assign(b, { kind: 'ngo', name: 'Probe Org', slug: 'probe-org' });
	if (/\/events\/\{slug\}\/organisations$/.test(p)) Object.assign(b, { organisation: SPARE_ORG, role: 'partner' });
	// The whole list at once (an array: only this call reads one).
	if (r.method === 'PUT') b.organisations = [{ organisation: SPARE_ORG, role: 'convener' }];
	if (/\/events\/\{slug\}\/organisers$/.test(p))
		Object.assign(b, { email: PEOPLE.participant.email, password: PASSWORD });
	if (/\/accounts$/.test(p)) Object.assign(b, { email: 'probe@example.org', role: 'admin', password: PASSWORD });
	if (/\/accounts\/\{id\}\/roles$/.test(p)) Object.assign(b, { role: 'admin', password: PASSWORD });
	if (/\/(news|posts)$/.test(p)) Object.assign(b, { event_slug: SHANGHAI });
	if (p === '/account/api-tokens') Object.assign(b, { password: PASSWORD, scope: 'write' });
	if (/two-factor\/off$/.test(p)) Object.assign(b, { password: PASSWORD });
	// a participant's exclusion from the analysis: the API's and the form's
	if (/\/participants\/\{pid\}$/.test(p)) b.excluded = true;
	if (/^\/admin\/conversations\/\{id\}\/participants$/.test(p)) Object.assign(b, { participant: ids.participant, excluded: '1' });
	// a statement's translations: the API's text, the form's field per language
	if (/\/statements\/\{id\}\/translations/.test(p)) Object.assign(b, { text: 'Probe translation', text_es: 'Probe', lang: 'fr' });
	if (/\/conversations\/\{id\}\/suggestions$/.test(p)) Object.assign(b, { statement: ids.statement, text: 'Probe suggestion', lang: 'fr' });
	if (/\/suggestions\/\{sug\}$/.test(p)) Object.assign(b, { status: 'accepted' });
	if (/^\/admin\/statements\/\{id\}\/suggestions$/.test(p)) Object.assign(b, { accept: String(ids.suggestion) });
	return b;
}

// Row ids by what each {parameter} names, for the sweeps of 1 and 2.
function fill(pattern, values) {
	return pattern.replace(/\{(\w+)\}/g, (all, name) => {
		const v = values(name, pattern);
		assert.ok(v, `privilege-sweeps: no value for ${all} in ${pattern}`);
		return v;
	});
}
function commonParam(name, p) {
	if (name === 'slug' && /\/series\//.test(p)) return SERIES;
	if (name === 'slug' && /\/events\//.test(p)) return SHANGHAI;
	if (name === 'slug' && /\/organisations\//.test(p)) return ORG;
	if (name === 'org') return ORG;
	if (name === 'role') return 'convener';
	if (name === 'id' && /\/organisers\//.test(p)) return ids.shanghaiOrganiser;
	if (name === 'id' && /\/(news|posts)\//.test(p)) return ids.shanghaiPost;
	if (name === 'id' && /\/categories\//.test(p)) return ids.category;
	if (name === 'id' && /\/trash\//.test(p)) return ids.trash;
	if (name === 'id' && /\/outbox\//.test(p)) return ids.failedMessage;
	if (name === 'id' && /\/accounts\//.test(p)) return ids.shanghaiOrganiser;
	if (name === 'grant') return `event:${SHANGHAI}`;
	if (name === 'id' && /\/registrations\//.test(p)) return ids.registration;
	if (name === 'id' && /\/delegations\//.test(p)) return ids.delegation;
	if (name === 'id' && /\/conversations\//.test(p)) return ids.conversation;
	if (name === 'id' && /\/statements\//.test(p)) return ids.statement;
	if (name === 'lang' && /\/translations\//.test(p)) return 'fr';
	if (name === 'sug' && /\/suggestions\//.test(p)) return ids.suggestion;
	if (name === 'pid' && /\/participants\//.test(p)) return ids.participant;
	if (name === 'id' && /\/rooms\//.test(p)) return ids.room;
	if (name === 'id' && /\/people\/\{id\}/.test(p)) return ids.person;
	if (name === 'id' && /^\/(admin|api\/v1|events\/\{slug\})\/sessions\//.test(p)) return ids.session;
	if (name === 'file' && /^\/agenda\//.test(p)) return 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics';
	// a well-formed link to no registration: refusals come before the lookup
	if (name === 'token' && /^\/registration\//.test(p)) return `${ids.registration}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
	return null;
}

// --------------------------------------------- 1. a read-only admin token

describe('an administrator\'s read-only API token changes nothing', () => {
	// The token's account is an administrator, who may do all of these;
	// only the token's scope stands in the way. Own things are the admin's
	// own: the write token's id and the admin's own session.
	const param = (name, p) => {
		if (name === 'id' && p.startsWith('/account/api-tokens/')) return ids.adminWriteToken;
		if (name === 'id' && p.startsWith('/account/sessions/')) return ids.adminSession;
		return commonParam(name, p);
	};
	// Forms a visitor fills in without signing in: no right to hold, so
	// nothing for a token's scope to refuse. With a bearer token (which no
	// other site can make a browser send, so no CSRF token is asked) they
	// answer as to anyone with the probe's made-up e-mail, password and
	// reset link, and write only what any visitor's attempt writes: the
	// failed sign-in in the audit log, by a visitor, not by the token's
	// administrator; the per-address rate of reset requests.
	const VISITOR = {
		'POST /sign-in': 401, // the e-mail address or the password is not right
		'POST /api/v1/session': 401,
		'POST /sign-out': 303, // no session cookie to end: back to /
		'POST /forgot-password': 200, // the same answer whether or not the address has an account
		'POST /api/v1/password-reset': 200,
		'POST /reset-password': 400, // the link is not valid
		'POST /api/v1/password-reset/complete': 400,
		// registering, and one's registration through its link, are writes:
		// a read-only token is refused them like any other
		'POST /events/{slug}/register': 403,
		'POST /api/v1/events/{slug}/registrations': 403,
		'POST /registration/{token}': 403,
		'POST /events/{slug}/delegation': 403,
		'POST /api/v1/events/{slug}/delegations': 403,
		// a statement or a vote in a conversation anyone may join
		'POST /api/v1/conversations/{id}/statements': 403,
		'POST /api/v1/conversations/{id}/votes': 403,
		'POST /conversations/{id}/votes': 403,
		'POST /conversations/{id}/statements': 403,
		'POST /api/v1/conversations/{id}/declare': 403,
		'POST /conversations/{id}/declare': 403,
		// a participant's suggested translation of a statement
		'POST /api/v1/conversations/{id}/suggestions': 403,
		'POST /conversations/{id}/suggestions': 403,
	};

	test('read_only_control_the_token_reads_and_its_write_twin_writes', async () => {
		// The audit log is for administrators, read-only tokens allowed
		// (docs/api/site.md); accounts and the outbox are not, even to read.
		const r = await bearer(srv.url, tok.adminRead, 'GET', '/api/v1/audit');
		assert.equal(r.status, 200, 'a read-only token reads what its administrator may');
		assert.ok(Array.isArray(r.json.entries));
		assert.equal((await bearer(srv.url, tok.adminRead, 'GET', '/api/v1/accounts')).status, 403);
		// A request like those refused below goes through with a write token.
		const cat = `/api/v1/categories/${ids.category}`;
		const name = (await bearer(srv.url, tok.adminRead, 'GET', cat)).json.name;
		assert.ok(name, 'the category has a name');
		const before = snapshot();
		const w = await bearer(srv.url, tok.adminWrite, 'PATCH', cat, { name: 'Renamed by control' });
		assert.equal(w.status, 200, describeRes(w));
		assert.notEqual(snapshot(), before, 'the snapshot sees the change');
		const back = await bearer(srv.url, tok.adminWrite, 'PATCH', cat, { name });
		assert.equal(back.status, 200);
	});

	test('read_only_sweep_covers_every_write_route', () => {
		assert.ok(WRITES.length >= 80, `${WRITES.length} write routes`);
		for (const r of WRITES.filter((w) => flag(w, 'WEB_VISITOR')))
			assert.ok(key(r) in VISITOR, `${key(r)}: a visitor's form without an expected answer here`);
	});

	for (const r of WRITES) {
		const expected = VISITOR[key(r)] ?? 403;
		test(`read_only_token ${key(r)} answers ${expected}`, async () => {
			const path = fill(r.pattern, param);
			const before = snapshot();
			const res = await withToken(tok.adminRead, r, path, bodyFor(r));
			assert.equal(res.status, expected, `${r.method} ${path}: ${describeRes(res)}`);
			if (expected === 403) {
				assert.equal(res.json?.error?.status, 403, `a JSON refusal: ${res.body.slice(0, 200)}`);
				assertUnchanged(before, `${key(r)} with a read-only token`);
				return;
			}
			const { added, removed } = dbChanges(before);
			assert.deepEqual(removed, [], `${key(r)} removed or changed rows`);
			for (const l of added) {
				assert.match(l, /^INSERT INTO "?(audit_log|mail_rate)"? /, `${key(r)} wrote ${l}`);
				if (l.includes('audit_log')) assert.match(l, /^INSERT INTO "?audit_log"? VALUES\(\d+,'[^']*',NULL,'visitor','auth\.sign_in_failed',/, l);
			}
		});
	}

	test('read_only_token_is_refused_before_its_body_is_read', async () => {
		// Bodies that would fail validation: the refusal comes first, so a
		// read-only token learns nothing about what a write would need.
		for (const [method, p, body] of [
			['POST', '/api/v1/events', {}],
			['POST', '/api/v1/organisations', { name: 'X', kind: 'nonsense' }],
			['PATCH', `/api/v1/categories/${ids.category}`, { name: '' }],
		]) {
			const before = snapshot();
			const r = await bearer(srv.url, tok.adminRead, method, p, body);
			assert.equal(r.status, 403, `${method} ${p}: ${describeRes(r)}`);
			assert.match(r.json?.error?.message ?? '', /may only read/);
			assertUnchanged(before, `${method} ${p} with a read-only token`);
		}
	});

	test('read_only_token_still_works_after_the_sweep', async () => {
		const r = await bearer(srv.url, tok.adminRead, 'GET', '/api/v1/audit');
		assert.equal(r.status, 200);
		assert.equal(one(`SELECT count(*) FROM api_token WHERE revoked_at IS NULL AND account_id = ${ids.admin}`), '2', 'both admin tokens live');
	});
});

// ------------------------------------- 2. the organiser of another event

describe('the organiser of another event touches nothing of Shanghai\'s', () => {
	// The principal: organiser of the Auckland 2007 event only (an event
	// grant, not a series grant). Both events are in the one demo series,
	// which this organiser does not own. Everything a write route points at
	// below is someone else's: the Shanghai event, its organisations
	// (unaoc is also on Auckland but runs the series and is on Shanghai;
	// the UN Association of China is on Shanghai only), the series, its news
	// post and the site's news (no event: administrators only), the
	// categories (site-wide), accounts and roles, the outbox.
	//
	// Out of scope, as the organiser's own or anyone's:
	// - WEB_VISITOR forms (signing in, a forgotten password): anyone's;
	// - WEB_SELF routes (own profile, password, tokens, sessions, second
	//   factor): the organiser's own account; another account's tokens and
	//   sessions by id are part 3;
	// - creating an organisation: organisers add partners to their events,
	//   so they may create one (docs/api/events.md), which is then theirs;
	// - uploading an image: for their own posts; an upload is nobody else's.
	// Every other write route is swept, so a new admin route is swept here
	// until someone decides otherwise.
	const OWN_OR_ANYONES = new Set(['POST /admin/organisations', 'POST /api/v1/organisations', 'POST /api/v1/media']);
	const inScope = (r) => !flag(r, 'WEB_VISITOR') && !flag(r, 'WEB_SELF') && !OWN_OR_ANYONES.has(key(r));
	const SWEPT = WRITES.filter(inScope);

	// The requests of a route: [label, path, body]. Organisations by both
	// slugs, news by both posts; creating a post both for the Shanghai
	// event and as site news; creating an event in the series.
	function cases(r) {
		const path = fill(r.pattern, commonParam);
		const body = bodyFor(r);
		if (/\/organisations\/\{slug\}/.test(r.pattern) && !r.pattern.includes('/events/'))
			return [[ORG, path, body], [SHANGHAI_ONLY_ORG, fill(r.pattern, (n, p) => (n === 'slug' ? SHANGHAI_ONLY_ORG : commonParam(n, p))), body]];
		if (/\/(news|posts)\/\{id\}/.test(r.pattern))
			return [['shanghai post', path, body], ['site news', fill(r.pattern, (n, p) => (n === 'id' ? ids.sitePost : commonParam(n, p))), body]];
		if (/^\/(admin\/news|api\/v1\/posts)$/.test(r.pattern)) {
			const site = { ...body };
			delete site.event_slug;
			return [['for shanghai', path, body], ['site news', path, site]];
		}
		return [['', path, body]];
	}

	test('organiser_sweep_classifies_every_write_route', () => {
		assert.ok(SWEPT.length >= 55, `${SWEPT.length} routes swept`);
		for (const k of OWN_OR_ANYONES) assert.ok(WRITES.some((w) => key(w) === k), `${k} is still a route`);
		// What the issue names: each has routes here.
		for (const [what, re] of [['the event', /\/events\/\{slug\}/], ['organisations', /\/organisations/],
			['series', /\/series/], ['news', /\/(news|posts|categories)/], ['accounts', /\/accounts/], ['outbox', /\/outbox/]])
			assert.ok(SWEPT.some((r) => re.test(r.pattern)), `routes for ${what}`);
		// Site settings have no write route on the web (the command line
		// sets them); one that lands is swept here by default.
		assert.ok(!WRITES.some((r) => /setting/.test(r.pattern)) || SWEPT.some((r) => /setting/.test(r.pattern)));
	});

	test('organiser_control_may_edit_their_own_event', async () => {
		// The principal is a working organiser: the same kind of request on
		// Auckland goes through, so the refusals below are about whose it is.
		const before = snapshot();
		const r = await withSession(as.auckland, { method: 'PATCH', pattern: '/api/v1/events/{slug}' },
			`/api/v1/events/${AUCKLAND}`, { summary: 'Edited by its own organiser' });
		assert.equal(r.status, 200, describeRes(r));
		assert.notEqual(snapshot(), before);
		const t = await bearer(srv.url, tok.auckland, 'GET', `/api/v1/events/${AUCKLAND}`);
		assert.equal(t.json.summary, 'Edited by its own organiser');
	});

	for (const r of SWEPT) {
		test(`organiser_of_another_event ${key(r)}`, async () => {
			for (const [label, path, body] of cases(r)) {
				const what = `${r.method} ${path}${label ? ` (${label})` : ''}`;
				let before = snapshot();
				const s = await withSession(as.auckland, r, path, body);
				assert.equal(s.status, 403, `${what} by session: ${describeRes(s)}`);
				assertUnchanged(before, `${what} by the Auckland organiser's session`);
				before = snapshot();
				const t = await withToken(tok.auckland, r, path, body);
				assert.equal(t.status, 403, `${what} by token: ${describeRes(t)}`);
				assert.equal(t.json?.error?.status, 403);
				assertUnchanged(before, `${what} by the Auckland organiser's write token`);
			}
		});
	}

	test('organiser_control_the_probes_act_for_an_administrator', async () => {
		// Some of the same requests, as an administrator: they change the
		// database, so the bodies above would have acted had a check been
		// missing. The renames (the probe's slug) come last.
		const swept = (k) => SWEPT.find((r) => key(r) === k);
		for (const [k, status] of [['POST /api/v1/events/{slug}/organisations', 201],
			['POST /api/v1/events/{slug}/organisers', 201], ['POST /admin/news', 303], ['POST /api/v1/outbox/{id}/retry', 200],
			['POST /api/v1/accounts/{id}/roles', 201], ['PATCH /api/v1/events/{slug}', 200], ['POST /api/v1/events', 201],
			['PATCH /api/v1/conversations/{id}/participants/{pid}', 200], ['PATCH /api/v1/series/{slug}', 200]]) {
			const r = swept(k);
			assert.ok(r, `${k} is swept`);
			const [, path, swept_body] = cases(r)[0];
			// The event made here cannot take the address the renamed
			// Shanghai event now has.
			const body = k === 'POST /api/v1/events' ? { ...swept_body, slug: 'probe-control' } : swept_body;
			const before = snapshot();
			const res = await withSession(as.admin, r, path, body);
			assert.equal(res.status, status, `${k} as an administrator: ${describeRes(res)}`);
			assert.notEqual(snapshot(), before, `${k} as an administrator changed the database`);
			await outboxSettled();
		}
		// The event and the series back at their addresses, for what follows.
		for (const [p, b] of [[`/api/v1/events/${PROBE.slug}`, { slug: SHANGHAI }], [`/api/v1/series/${PROBE.slug}`, { slug: SERIES }]])
			assert.equal((await bearer(srv.url, tok.adminWrite, 'PATCH', p, b)).status, 200, p);
	});
});

// ------------------------------- 3. another account's token and session

describe('another account\'s API token cannot be revoked, nor its session ended', () => {
	// The routes act on the signed-in account's own tokens and sessions
	// only (WEB_SELF, and the account's id in the UPDATE); another's id is
	// answered as an id that does not exist, 404, for everyone, the
	// administrator included (accounts pages have no such action).
	const attackers = () => [['participant', as.participant, tok.participant], ['organiser', as.auckland, tok.auckland],
		['administrator', as.admin, tok.adminWrite]];
	const revoke = (id) => `/account/api-tokens/${id}/revoke`;
	const end = (id) => `/account/sessions/${id}/end`;
	const NO_TOKEN = 'There is no such token.';
	const NO_SESSION = 'There is no such session.';

	async function victimIntact() {
		// (A token that is not valid reads public pages as a visitor would:
		// the account's own profile shows whether it still works.)
		const t = await bearer(srv.url, tok.victim, 'GET', '/api/v1/account');
		assert.equal(t.status, 200, "the victim's token still works");
		assert.equal(t.json.email, PEOPLE.victim.email);
		const s = await as.victim.getJson('/account');
		assert.equal(s.status, 200, "the victim's session still works");
		assert.equal(s.json.email, PEOPLE.victim.email);
		assert.ok(s.json.api_tokens.some((x) => String(x.id) === ids.victimToken && !x.revoked_at), 'the token is listed, not revoked');
	}

	// Each way in: [label, request(client, token, path)].
	const WAYS = [
		['form', async (c, t, p) => {
			await c.get('/account');
			return c.post(p, {});
		}],
		['json', async (c, t, p) => {
			await c.get('/account');
			return c.api('POST', p, {});
		}],
		['token', (c, t, p) => bearer(srv.url, t, 'POST', p, {})],
	];

	for (const who of ['participant', 'organiser', 'administrator']) {
		for (const [way, send] of WAYS) {
			test(`revoke_another_accounts_token ${who} by ${way}`, async () => {
				const [, client, token] = attackers().find(([w]) => w === who);
				const before = snapshot();
				const r = await send(client, token, revoke(ids.victimToken));
				assert.equal(r.status, 404, describeRes(r));
				assert.ok(r.body.includes(NO_TOKEN), `says ${NO_TOKEN}: ${r.body.slice(0, 200)}`);
				assertUnchanged(before, `${who} revoking another account's token by ${way}`);
				await victimIntact();
			});
			test(`end_another_accounts_session ${who} by ${way}`, async () => {
				const [, client, token] = attackers().find(([w]) => w === who);
				const before = snapshot();
				const r = await send(client, token, end(ids.victimSession));
				assert.equal(r.status, 404, describeRes(r));
				assert.ok(r.body.includes(NO_SESSION), r.body.slice(0, 200));
				assertUnchanged(before, `${who} ending another account's session by ${way}`);
				await victimIntact();
			});
		}
	}

	test('revoke_another_accounts_token_looks_like_no_such_token', async () => {
		// No oracle: another's token and a number no token has get the same answer.
		const strip = (r) => ({ status: r.status, type: r.headers['content-type'], body: r.body });
		const a = await bearer(srv.url, tok.participant, 'POST', revoke(ids.victimToken), {});
		const b = await bearer(srv.url, tok.participant, 'POST', revoke(999999), {});
		assert.deepEqual(strip(a), strip(b));
	});

	test('revoke_control_the_owner_revokes_their_own_token', async () => {
		const before = snapshot();
		await as.victim.get('/account');
		const r = await as.victim.post(revoke(ids.victimToken), { confirm: 'yes' });
		assert.equal(r.status, 303, describeRes(r));
		assert.equal(r.headers.location, '/account');
		assert.notEqual(snapshot(), before);
		assert.notEqual(one(`SELECT revoked_at FROM api_token WHERE id = ${ids.victimToken}`), '', 'revoked_at set');
		assert.equal((await bearer(srv.url, tok.victim, 'GET', '/api/v1/account')).status, 401, 'the revoked token is refused');
	});
});

// ------------------------------------------------------ 4. mass assignment

describe('privileged keys sent to the profile are ignored', () => {
	// docs/api/site.md: the profile takes name, organisation and lang, and
	// "Unknown fields are ignored": a scalar value of any other key is
	// dropped (200 for PATCH, 303 for the form) and changes nothing; a
	// value that is not a string, number, boolean or null makes the body
	// unreadable (400) and nothing changes either.
	const PRIVILEGED = () => ({
		role: 'admin', roles: 'admin', is_admin: true, admin: 1, grant: 'admin', grants: 'admin',
		email: 'attacker@example.org', id: Number(ids.admin), account_id: Number(ids.admin),
		password_hash: '$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g',
		password: 'a new passphrase for probing', two_factor: 'on', two_factor_on: true,
		secret: 'JBSWY3DPEHPK3PXP', created_at: '2000-01-01T00:00:00Z', updated_at: '2000-01-01T00:00:00Z',
		event: SHANGHAI, event_id: 2, series: SERIES, scope: 'write', read_only: false, via: 'cli', verified: true,
	});
	// What is privileged about an account, and about the site's accounts.
	const privileged = (email) => {
		const id = accountId(email);
		return sqlite(srv.db, `
SELECT id, email, password_hash, created_at FROM account WHERE id = ${id};
SELECT role, event_id, series_id, created_at FROM account_role WHERE account_id = ${id} ORDER BY id;
SELECT 'two_factor', count(*) FROM two_factor WHERE account_id = ${id};
SELECT 'recovery_codes', count(*) FROM recovery_code WHERE account_id = ${id};
SELECT 'tokens', id, scope, revoked_at FROM api_token WHERE account_id = ${id} ORDER BY id;
SELECT 'accounts', count(*), max(id) FROM account;
SELECT 'roles', id, account_id, role, event_id, series_id FROM account_role ORDER BY id;
SELECT 'admin', id, email, name, password_hash FROM account WHERE id = ${ids.admin};`);
	};
	const nameOf = (email) => one(`SELECT name FROM account WHERE email = ${q(email)}`);

	const WAYS = [
		['patch_by_session', 'mass', async (c, fields) => {
			await c.get('/account');
			return c.api('PATCH', '/api/v1/account', fields);
		}, 200],
		['patch_by_token', 'mass', (c, fields) => bearer(srv.url, tok.mass, 'PATCH', '/api/v1/account', fields), 200],
		['profile_form', 'mass', async (c, fields) => {
			await c.get('/account/profile');
			return c.post('/account/profile', { organisation: '', lang: 'en', ...fields });
		}, 303],
		['patch_by_an_organiser', 'massOrganiser', async (c, fields) => {
			await c.get('/account');
			return c.api('PATCH', '/api/v1/account', fields);
		}, 200],
	];

	for (const [id, who, send, status] of WAYS) {
		test(`mass_assignment_ignored ${id}`, async () => {
			const email = PEOPLE[who].email;
			const before = privileged(email);
			const rolesBefore = (await as[who].getJson('/account')).json.roles;
			const name = `Mass ${id}`;
			const r = await send(as[who], { name, ...PRIVILEGED() });
			assert.equal(r.status, status, describeRes(r));
			if (status === 303) assert.equal(r.headers.location, '/account');
			else {
				assert.equal(r.json.email, email, 'the answer keeps the address');
				assert.deepEqual(r.json.roles, rolesBefore, 'the answer keeps the roles');
				for (const k of ['is_admin', 'password_hash', 'two_factor', 'secret', 'admin'])
					assert.ok(!(k in r.json), `the answer has no ${k}`);
			}
			assert.equal(nameOf(email), name, 'the allowed field changed (the call was accepted)');
			assert.equal(privileged(email), before, 'nothing privileged changed');
			assert.notEqual(one(`SELECT updated_at FROM account WHERE email = ${q(email)}`), '2000-01-01T00:00:00Z');
			// Still what it was, as the server sees it on the next request.
			assert.equal((await as[who].getJson('/api/v1/accounts')).status, 403, 'no account management');
			assert.equal((await as[who].get('/admin/accounts')).status, 403);
			await signedIn(srv.url, email); // the password is unchanged
		});
	}

	test('a list where a declared field takes one value is named beside that field', async () => {
		const before = snapshot();
		await as.mass.get('/account');
		const r = await as.mass.api('PATCH', '/api/v1/account', { name: ['Not', 'saved'] });
		assert.equal(r.status, 400, describeRes(r));
		assert.match(r.json.errors?.name ?? '', /"name" takes one value/);
		assertUnchanged(before, 'PATCH /api/v1/account with a list for its name');
	});

	for (const [id, extra] of [['array', { roles: [{ role: 'admin' }] }], ['object', { is_admin: { value: true } }],
		['number', { account_id: 1.5 }]]) {
		test(`mass_assignment_non_scalar_refused ${id}`, async () => {
			const before = snapshot();
			await as.mass.get('/account');
			const r = await as.mass.api('PATCH', '/api/v1/account', { name: 'Not saved', ...extra });
			assert.equal(r.status, 400, describeRes(r));
			assert.equal(r.json.has_errors, true);
			assert.match(r.json.error ?? '', new RegExp(`"${Object.keys(extra)[0]}" takes one value`), 'the error names the key');
			assertUnchanged(before, `PATCH /api/v1/account with ${JSON.stringify(extra)}`);
		});
	}
});

// --------------------------------------------------- 5. security headers

describe('security headers on admin pages and API answers', () => {
	// As src/http/server.c sets them on every answer (add_common_headers),
	// and no-store on every private one.
	function assertHeaders(r, where) {
		const h = r.headers;
		const csp = h['content-security-policy'] ?? '';
		assert.match(csp, /(^|;)\s*default-src 'self'/, `${where}: CSP default-src 'self': ${csp}`);
		assert.match(csp, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, `${where}: CSP frame-ancestors 'none'`);
		assert.match(csp, /(^|;)\s*object-src 'none'/, `${where}: CSP object-src 'none'`);
		assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, `${where}: CSP allows inline code`);
		assert.equal(h['x-content-type-options'], 'nosniff', `${where}: X-Content-Type-Options`);
		assert.equal(h['referrer-policy'], 'strict-origin-when-cross-origin', `${where}: Referrer-Policy`);
		assert.equal(h['x-frame-options'], 'DENY', `${where}: X-Frame-Options`);
		assert.match(h['cache-control'] ?? '(none)', /\bno-store\b/, `${where}: Cache-Control ${h['cache-control']}`);
	}
	// files (a CSV export, badges and letters as PDF) keep their type
	const fileType = (p) => (/\.csv$/.test(p) ? /^text\/csv/ : /\.pdf$/.test(p) ? /^application\/pdf/ : null);
	const ADMIN_GETS = ROUTES.filter((r) => r.method === 'GET' && r.pattern.startsWith('/admin'));
	const API_GETS = ROUTES.filter((r) => r.method === 'GET' && r.pattern.startsWith('/api/') && !/_stream$/.test(r.handler));

	test('headers_routes_are_read', () => {
		assert.ok(ADMIN_GETS.length >= 20, `${ADMIN_GETS.length} admin pages`);
		assert.ok(API_GETS.length >= 15, `${API_GETS.length} API reads`);
	});

	for (const r of ADMIN_GETS) {
		test(`headers_admin_page ${r.pattern}`, async () => {
			const path = fill(r.pattern, commonParam);
			const html = await as.admin.get(path);
			assert.equal(html.status, 200, `${path}: ${html.status}`);
			assert.match(html.headers['content-type'], fileType(r.pattern) ?? /^text\/html/);
			assertHeaders(html, `${path} (HTML)`);
			const json = await as.admin.getJson(path);
			assert.equal(json.status, 200);
			assertHeaders(json, `${path} (JSON)`);
		});
	}

	for (const r of API_GETS) {
		test(`headers_api ${r.pattern}`, async () => {
			const path = fill(r.pattern, commonParam);
			const t = await bearer(srv.url, tok.adminWrite, 'GET', path);
			assert.equal(t.status, 200, `${path}: ${describeRes(t)}`);
			assert.match(t.headers['content-type'], fileType(r.pattern) ?? /^application\/json/);
			assertHeaders(t, `${path} (token)`);
			const s = await as.admin.getJson(path);
			assert.equal(s.status, 200);
			assertHeaders(s, `${path} (session)`);
		});
	}

	test('headers_api_stream', async () => {
		const head = await new Promise((resolve, reject) => {
			const q = http.get(srv.url + '/api/v1/changes', { headers: { Authorization: `Bearer ${tok.adminWrite}` }, agent: false });
			q.on('error', reject);
			q.on('response', (res) => {
				resolve({ status: res.statusCode, headers: res.headers });
				q.destroy();
			});
		});
		assert.equal(head.status, 200);
		assert.match(head.headers['content-type'], /^text\/event-stream/);
		assertHeaders(head, '/api/v1/changes');
	});

	// Refusals, redirects and answers to writes are answers too.
	const OTHERS = [
		['api_401_no_credentials', 401, () => request(srv.url + '/api/v1/account', { headers: { Accept: 'application/json' } })],
		['api_403_read_only_write', 403, () => bearer(srv.url, tok.adminRead, 'PATCH', `/api/v1/categories/${ids.category}`, { name: 'x' })],
		['api_403_participant', 403, () => bearer(srv.url, tok.participant, 'GET', '/api/v1/accounts')],
		['api_404', 404, () => bearer(srv.url, tok.adminWrite, 'GET', '/api/v1/outbox/999999')],
		['api_400_write', 400, () => bearer(srv.url, tok.adminWrite, 'PATCH', '/api/v1/account', { lang: 'xx' })],
		['api_200_write', 200, () => bearer(srv.url, tok.adminWrite, 'PATCH', '/api/v1/account', { organisation: 'Headers' })],
		['admin_403_participant', 403, () => as.participant.get('/admin/accounts')],
		['admin_403_organiser', 403, () => as.auckland.get('/admin/outbox')],
		['admin_visitor_redirected', 303, () => request(srv.url + '/admin/accounts')],
		['admin_400_form', 400, async () => {
			await as.admin.get('/admin/categories/new');
			return as.admin.post('/admin/categories', { name: '' });
		}],
		['admin_303_form', 303, async () => {
			await as.admin.get('/account/profile');
			return as.admin.post('/account/profile', { name: 'Admin', organisation: '', lang: 'en' });
		}],
	];
	for (const [id, status, send] of OTHERS) {
		test(`headers_${id}`, async () => {
			const r = await send();
			assert.equal(r.status, status, describeRes(r));
			assertHeaders(r, id);
		});
	}
});
