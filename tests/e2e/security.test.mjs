// security.test.mjs — the security checklist over HTTP, one
// describe per item: Argon2id hashes; the session cookie's flags and its
// rotation at sign-in; session and API tokens stored only as digests; CSRF
// on every state-changing route (read from the route tables in
// src/web/*.c, so a new route is covered the day it lands); the sign-in
// throttle; one answer for an unknown e-mail and a wrong password; no open
// redirect after sign-in; no-store on every private answer; no organiser
// action for a participant; Secure cookies behind a trusted TLS proxy.
// The domain rules under these have unit tests in tests/unit/test_auth.c
// (test_sign_in_rotates_session, test_unknown_email_and_wrong_password_
// look_the_same, test_throttle_*, test_cookie_headers); here they are
// checked as a browser or an attacker meets them, over HTTP.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { ORG, PROBE, routeTable, SERIES, SHANGHAI } from './lib/routes.mjs';
import { harmonyBin, makeDemoWithOrganiser, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, pgDumpAll, q, sqlite, trashedPost } from './lib/sqlite.mjs';
import { onPg } from './lib/backend.mjs';

const PEOPLE = {
	admin: { email: 'admin@example.org', name: 'Admin', role: 'admin' },
	participant: { email: 'part@example.org', name: 'Pat Participant' },
	other: { email: 'other@example.org', name: 'Other participant' },
	throttled: { email: 'throttled@example.org', name: 'Throttled' },
	nopassword: { email: 'invited@example.org', name: 'Invited' },
	changer: { email: 'changer@example.org', name: 'Password changer' },
};

let srv, dir, demoOrganiser;
const as = {}; // signed-in clients by role
const ids = {}; // row ids the route patterns are filled with

before(async () => {
	dir = tempDir();
	const demo = makeDemoWithOrganiser(path.join(dir, 'h.db'));
	demoOrganiser = demo.organiser;
	for (const p of Object.values(PEOPLE)) addAccount(demo.db, p);
	// An invited account that has not chosen a password yet; and one
	// message in the outbox, already sent, so its pages exist and the
	// sender has nothing left to change while tests compare the database.
	sqlite(demo.db, `UPDATE account SET password_hash = NULL WHERE email = ${q(PEOPLE.nopassword.email)};
INSERT INTO mail_outbox (message_id, from_addr, recipient, subject, body, status, attempts, created_at, next_attempt_at, sent_at)
VALUES ('<probe@example.org>', 'Site <site@example.org>', ${q(PEOPLE.participant.email)}, 'Probe', 'Body', 'sent', 1,
        '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '2020-01-01T00:00:01Z');
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
	as.admin = await signedIn(srv.url, PEOPLE.admin.email);
	as.participant = await signedIn(srv.url, PEOPLE.participant.email);
	as.adminToken = await apiToken(as.admin, 'write', 'security tests');
	as.participantToken = await apiToken(as.participant, 'write', 'security tests');
	const one = (sql) => sqlite(srv.db, sql).trim();
	ids.organiser = one(`SELECT id FROM account WHERE email = ${q(demoOrganiser.email)}`);
	ids.grant = one(`SELECT id FROM account_role WHERE account_id = ${ids.organiser} LIMIT 1`);
	ids.outbox = one(`SELECT id FROM mail_outbox LIMIT 1`);
	ids.post = one(`SELECT id FROM post LIMIT 1`);
	ids.registration = one(`SELECT id FROM registration ORDER BY id LIMIT 1`);
	ids.delegation = one(`SELECT id FROM registration_delegation ORDER BY id LIMIT 1`);
	ids.category = one(`SELECT id FROM category LIMIT 1`);
	ids.conversation = one(`SELECT id FROM conversation WHERE topic = 'Probe conversation'`);
	ids.statement = one(`SELECT id FROM statement WHERE text = 'Probe statement'`);
	ids.participant = one(`SELECT id FROM dialogue_participant WHERE anon_key = 'probe-participant'`);
	ids.suggestion = one(`SELECT id FROM statement_translation_suggestion WHERE text = 'Proposition sonde'`);
	ids.room = one(`SELECT id FROM programme_room WHERE name = 'Probe room'`);
	ids.session = one(`SELECT id FROM programme_session WHERE title = 'Probe session'`);
	ids.person = one(`SELECT min(id) FROM programme_person`); // the demo's
	ids.trash = trashedPost(srv.db, SHANGHAI);
	ids.adminToken = one(`SELECT t.id FROM api_token t JOIN account a ON a.id = t.account_id WHERE a.email = ${q(PEOPLE.admin.email)} LIMIT 1`);
	// The administrator's own session: a route that forgot its check would end it.
	ids.adminSession = one(`SELECT s.id FROM session s JOIN account a ON a.id = s.account_id WHERE a.email = ${q(PEOPLE.admin.email)} ORDER BY s.id LIMIT 1`);
	for (const [k, v] of Object.entries(ids)) assert.match(v, /^\d+$/, `id of ${k}`);
});
after(async () => {
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ routes

// Every route of the site, from the tables in src/site/*.c and
// src/features/*/*.c (lib/routes.mjs).
const ROUTES = routeTable();
const WRITES = ROUTES.filter((r) => r.method !== 'GET');
const ADMIN_GETS = ROUTES.filter((r) => r.method === 'GET' && r.pattern.startsWith('/admin'));
const API_GETS = ROUTES.filter((r) => r.method === 'GET' && r.pattern.startsWith('/api/'));
const API_WRITES = WRITES.filter((r) => r.pattern.startsWith('/api/'));
const FORM_WRITES = WRITES.filter((r) => !r.pattern.startsWith('/api/'));

// What a participant may do to their own account, and what a visitor may
// do at all: none of it is an organiser's action.
const SELF_SERVICE = new Set([
	'POST /api/v1/session', 'POST /api/v1/password-reset', 'POST /api/v1/password-reset/complete',
	'PATCH /api/v1/account', 'POST /api/v1/account/password',
	'POST /api/v1/account/two-factor', 'POST /api/v1/account/two-factor/confirm',
	'POST /api/v1/account/two-factor/off',
	// anyone may register for an event, and change their registration by its link
	'POST /api/v1/events/{slug}/registrations', 'POST /api/v1/events/{slug}/delegations',
	// anyone may vote, write statements and say their sector where a
	// conversation admits anyone
	'POST /api/v1/conversations/{id}/statements', 'POST /api/v1/conversations/{id}/votes',
	'POST /api/v1/conversations/{id}/declare',
	// and suggest a translation of a statement, for the moderators to review
	'POST /api/v1/conversations/{id}/suggestions',
]);
// Forms a visitor fills in (CSRF by the signed pre-session cookie).
const VISITOR_FORMS = new Set([
	'POST /sign-in', 'POST /forgot-password', 'POST /reset-password', 'POST /api/v1/session',
	'POST /api/v1/password-reset', 'POST /api/v1/password-reset/complete',
	'POST /events/{slug}/register', 'POST /api/v1/events/{slug}/registrations',
	'POST /registration/{token}', 'POST /events/{slug}/delegation',
	'POST /api/v1/events/{slug}/delegations',
	'POST /api/v1/conversations/{id}/statements', 'POST /api/v1/conversations/{id}/votes',
	'POST /conversations/{id}/votes', 'POST /conversations/{id}/statements',
	'POST /api/v1/conversations/{id}/declare', 'POST /conversations/{id}/declare',
	'POST /api/v1/conversations/{id}/suggestions', 'POST /conversations/{id}/suggestions',
]);

// Real rows for each {parameter}, by where the pattern points, so a route
// that skipped its check would act on something and show in the database.
const PARAMS = [
	[/^\/(admin|api\/v1)\/series\//, 'slug', () => SERIES],
	[/^\/(admin|api\/v1)\/events\//, 'slug', () => SHANGHAI],
	[/^\/(admin|api\/v1)\/organisations\//, 'slug', () => ORG],
	[/\/organisations\/\{org\}/, 'org', () => ORG],
	[/\/\{role\}/, 'role', () => 'convener'],
	[/\/organisers\/\{id\}/, 'id', () => ids.organiser],
	[/^\/(admin\/news|api\/v1\/posts)\//, 'id', () => ids.post],
	[/^\/(admin|api\/v1)\/categories\//, 'id', () => ids.category],
	[/^\/(admin|api\/v1)\/outbox\//, 'id', () => ids.outbox],
	[/^\/(admin|api\/v1)\/accounts\//, 'id', () => ids.organiser],
	[/^\/(admin|api\/v1)\/accounts\//, 'grant', () => ids.grant],
	[/^\/(admin|api\/v1)\/trash\//, 'id', () => ids.trash],
	[/^\/account\/api-tokens\//, 'id', () => ids.adminToken],
	[/^\/account\/sessions\//, 'id', () => ids.adminSession],
	[/^\/media\//, 'name', () => 'none.png'],
	[/^\/events\//, 'slug', () => SHANGHAI],
	// a well-formed link that names no registration: refusals come first
	[/^\/registration\//, 'token', () => `${ids.registration}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`],
	[/\/registrations\/\{id\}/, 'id', () => ids.registration],
	[/\/delegations\/\{id\}/, 'id', () => ids.delegation],
	[/\/conversations\/\{id\}/, 'id', () => ids.conversation],
	[/\/statements\/\{id\}/, 'id', () => ids.statement],
	// a translation (of a statement, an event, a post…) into a language it is not written in
	[/\/translations\/\{lang\}/, 'lang', () => 'fr'],
	[/\/suggestions\/\{sug\}/, 'sug', () => ids.suggestion],
	[/\/participants\/\{pid\}/, 'pid', () => ids.participant],
	[/\/rooms\/\{id\}/, 'id', () => ids.room],
	[/\/people\/\{id\}/, 'id', () => ids.person],
	[/\/sessions\/\{id\}/, 'id', () => ids.session],
	// a well-formed agenda feed address that names no feed
	[/^\/agenda\//, 'file', () => 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics'],
];

function fill(pattern) {
	return pattern.replace(/\{(\w+)\}/g, (all, name) => {
		const row = PARAMS.find(([re, n]) => n === name && re.test(pattern));
		assert.ok(row, `security.test.mjs: no value for ${all} in ${pattern}; add one to PARAMS`);
		return row[2]();
	});
}


const snapshot = () => dbSnapshot(srv.db);
const assertUnchanged = (before, what) => assertDbUnchanged(srv.db, before, what);

// Set-Cookie lines of a response as {name, value, attrs: Set(lower-case)}.
function cookies(res) {
	return [res.headers['set-cookie'] ?? []].flat().map((c) => {
		const [pair, ...rest] = c.split(';');
		const i = pair.indexOf('=');
		return {
			name: pair.slice(0, i).trim(),
			value: pair.slice(i + 1).trim(),
			attrs: new Set(rest.map((a) => a.trim().toLowerCase())),
			raw: c,
		};
	});
}
const cookieNamed = (res, name) => cookies(res).find((c) => c.name === name);

const describeRes = (r) => `${r.status} ${JSON.stringify(r.headers)}\n${r.body.slice(0, 400)}`;

// ---------------------------------------------------------------- Argon2id

describe('passwords are stored as Argon2id hashes', () => {
	const hashOf = (email) => sqlite(srv.db, `SELECT password_hash FROM account WHERE email = ${q(email)};`).trim();
	const ARGON2ID = /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

	test('argon2id_for_accounts_from_the_cli_and_the_demo', () => {
		for (const [who, email, pw] of [['harmony user add', PEOPLE.admin.email, PASSWORD],
			['harmony demo', demoOrganiser.email, demoOrganiser.password]]) {
			const h = hashOf(email);
			assert.match(h, ARGON2ID, `${who}: ${h}`);
			assert.ok(!h.includes(pw), `${who}: the hash does not hold the password`);
		}
	});

	// The suite makes its accounts at libsodium's least cost
	// (HARMONY_TEST_PWHASH=min, lib/server.mjs); without it, harmony uses
	// its own: 64 MiB, two passes.
	test('argon2id_at_harmonys_cost_outside_the_test_suite', () => {
		const env = { ...process.env };
		delete env.HARMONY_TEST_PWHASH;
		const r = spawnSync(harmonyBin(), ['user', 'add', '--db', srv.db, '--email', 'full-cost@example.org', '--name', 'Full cost'],
			{ input: `${PASSWORD}\n`, encoding: 'utf8', env });
		assert.equal(r.status, 0, r.stderr);
		assert.match(hashOf('full-cost@example.org'), /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
		assert.match(hashOf(PEOPLE.admin.email), /^\$argon2id\$v=19\$m=8,t=1,p=1\$/, 'the suite\'s accounts: the least cost');
	});

	test('argon2id_salted_the_same_password_hashes_differently', () => {
		const a = hashOf(PEOPLE.admin.email);
		const b = hashOf(PEOPLE.participant.email);
		assert.match(a, ARGON2ID);
		assert.notEqual(a, b, 'two accounts with the same password have different hashes');
	});

	test('argon2id_for_a_password_changed_in_the_browser', async () => {
		const before = hashOf(PEOPLE.changer.email);
		const c = await signedIn(srv.url, PEOPLE.changer.email);
		await c.get('/account/password');
		const fresh = 'another passphrase, long enough';
		const r = await c.post('/account/password', { current: PASSWORD, password: fresh, confirm: fresh });
		assert.equal(r.status, 200, describeRes(r));
		assert.match(r.body, /Your password is changed/);
		const h = hashOf(PEOPLE.changer.email);
		assert.notEqual(h, before, 'the hash changed');
		assert.match(h, ARGON2ID);
		assert.ok(!h.includes(fresh));
		await signedIn(srv.url, PEOPLE.changer.email, fresh); // and it signs in
	});
});

// ---------------------------------------------------------- session cookie

describe('the session cookie', () => {
	test('session_cookie_is_httponly_samesite_lax_and_new_at_sign_in', async () => {
		const c = new Client(srv.url);
		const form = await c.get('/sign-in');
		const pre = cookieNamed(form, 'presession');
		assert.ok(pre?.value, 'the sign-in form sets a pre-session cookie');
		for (const a of ['httponly', 'samesite=lax', 'path=/']) assert.ok(pre.attrs.has(a), `presession ${a}: ${pre.raw}`);
		const r = await c.post('/sign-in', { email: PEOPLE.participant.email, password: PASSWORD });
		assert.equal(r.status, 303, describeRes(r));
		const s = cookieNamed(r, 'session');
		assert.ok(s?.value, `a session cookie: ${r.headers['set-cookie']}`);
		for (const a of ['httponly', 'samesite=lax', 'path=/']) assert.ok(s.attrs.has(a), `session ${a}: ${s.raw}`);
		assert.ok(!s.attrs.has('secure'), 'not Secure over plain HTTP without a trusted proxy');
		assert.ok(s.value.length >= 32, `a long token (${s.value.length} characters)`);
		assert.notEqual(s.value, pre.value, 'the session is not the pre-session');
		const cleared = cookieNamed(r, 'presession');
		assert.ok(cleared && !cleared.value && cleared.attrs.has('max-age=0'), 'the pre-session cookie is cleared');
	});

	test('session_rotates_when_signing_in_again_and_the_old_one_ends', async () => {
		const c = await signedIn(srv.url, PEOPLE.participant.email);
		const old = c.cookies.get('session');
		const r = await c.post('/sign-in', { email: PEOPLE.participant.email, password: PASSWORD });
		assert.equal(r.status, 303, describeRes(r));
		const fresh = cookieNamed(r, 'session')?.value;
		assert.ok(fresh && fresh !== old, 'a new session at every sign-in');
		const withOld = await request(srv.url + '/api/v1/account', { headers: { Cookie: `session=${old}`, Accept: 'application/json' } });
		assert.equal(withOld.status, 401, 'the session from before signing in again has ended');
		const withNew = await request(srv.url + '/api/v1/account', { headers: { Cookie: `session=${fresh}`, Accept: 'application/json' } });
		assert.equal(withNew.status, 200);
	});

	test('session_planted_before_sign_in_does_not_survive', async () => {
		// A made-up token, shaped like a real one.
		const planted = 'A'.repeat(43);
		const c = new Client(srv.url);
		c.cookies.set('session', planted);
		await c.get('/sign-in');
		const r = await c.post('/sign-in', { email: PEOPLE.admin.email, password: PASSWORD });
		assert.equal(r.status, 303, describeRes(r));
		const s = cookieNamed(r, 'session')?.value;
		assert.ok(s && s !== planted, 'the server chooses the session token');
		const withPlanted = await request(srv.url + '/api/v1/account', { headers: { Cookie: `session=${planted}`, Accept: 'application/json' } });
		assert.equal(withPlanted.status, 401, 'the planted value is no session');
	});

	test('session_of_an_attacker_planted_in_a_browser_is_ended_not_raised', async () => {
		// The attacker's own valid session, planted in the victim's browser;
		// the victim then signs in as an administrator.
		const attacker = await signedIn(srv.url, PEOPLE.other.email);
		const planted = attacker.cookies.get('session');
		const victim = new Client(srv.url);
		victim.cookies.set('session', planted);
		await victim.get('/account'); // the form token of the planted session
		const r = await victim.post('/sign-in', { email: PEOPLE.admin.email, password: PASSWORD });
		assert.equal(r.status, 303, describeRes(r));
		assert.notEqual(cookieNamed(r, 'session')?.value, planted);
		const withPlanted = await request(srv.url + '/api/v1/account', { headers: { Cookie: `session=${planted}`, Accept: 'application/json' } });
		assert.equal(withPlanted.status, 401, `the attacker's session ended: ${withPlanted.body.slice(0, 200)}`);
	});
});

// ------------------------------------------------------- tokens as digests

describe('tokens are stored only as digests', () => {
	// [file, bytes] of the database and whichever of its journals exist;
	// the database itself must be read, or the search proves nothing.
	const databaseFiles = () => {
		if (onPg) return [['every row of every table', Buffer.from(pgDumpAll(srv.db))]];
		const out = [[srv.db, readFileSync(srv.db)]];
		for (const f of [`${srv.db}-wal`, `${srv.db}-journal`]) {
			try {
				out.push([f, readFileSync(f)]);
			} catch (e) {
				if (e.code !== 'ENOENT') throw e;
			}
		}
		assert.ok(out[0][1].length > 0, 'the database file is empty');
		return out;
	};
	test('session_token_is_not_in_the_database_files', async () => {
		const count = () => Number(sqlite(srv.db, 'SELECT count(*) FROM session;').trim());
		const n = count();
		const c = await signedIn(srv.url, PEOPLE.participant.email);
		const token = c.cookies.get('session');
		assert.equal(count(), n + 1, 'the sign-in made a session row');
		const hit = String(jsonRows(srv.db, 'SELECT token_hash, csrf_secret FROM session')
			.filter((r) => String(r.token_hash).includes(token) || String(r.csrf_secret).includes(token)).length);
		assert.equal(hit, '0', 'no session row holds the token');
		for (const [f, bytes] of databaseFiles())
			assert.equal(bytes.indexOf(token), -1, `${path.basename(f)} holds the session token`);
	});

	test('api_token_is_not_in_the_database_files', async () => {
		const token = await apiToken(as.participant, 'write', 'digest check');
		assert.match(token, /^hm_/);
		const secret = token.slice(3);
		for (const [f, bytes] of databaseFiles())
			assert.equal(bytes.indexOf(secret), -1, `${path.basename(f)} holds the API token`);
		const r = await bearer(srv.url, token, 'GET', '/api/v1/account');
		assert.equal(r.status, 200, 'the token works');
	});
});

// -------------------------------------------------------------------- CSRF

describe('every state-changing route needs the CSRF token', () => {
	test('route_table_is_read', () => {
		// The parse of src/web/*.c found the tables (a broken regular
		// expression would make every test below vacuous).
		assert.ok(WRITES.length >= 40, `${WRITES.length} write routes`);
		for (const r of ['POST /admin/events', 'DELETE /api/v1/posts/{id}', 'POST /sign-out', 'PATCH /api/v1/account'])
			assert.ok(WRITES.some((w) => `${w.method} ${w.pattern}` === r), r);
	});

	test('csrf_control_the_same_form_with_its_token_changes_the_database', async () => {
		// Shows the snapshot sees a change a probe body makes.
		const before = snapshot();
		await as.admin.get('/admin/categories/new');
		const r = await as.admin.post('/admin/categories', { name: 'CSRF control', slug: 'csrf-control' });
		assert.equal(r.status, 303, describeRes(r));
		assert.notEqual(snapshot(), before);
	});

	for (const r of FORM_WRITES) {
		for (const [variant, csrf] of [['none', false], ['forged', 'forged-token-0000']]) {
			test(`csrf_form ${r.method} ${r.pattern} (${variant})`, async () => {
				await as.admin.get('/account'); // a fresh token in the client, not sent
				const before = snapshot();
				const res = await as.admin.post(fill(r.pattern), PROBE, { csrf });
				assert.equal(res.status, 403, `${r.method} ${fill(r.pattern)}: ${describeRes(res)}`);
				assertUnchanged(before, `${r.method} ${r.pattern} without a valid token`);
				const still = await as.admin.get('/account');
				assert.equal(still.status, 200, 'the administrator is still signed in');
			});
		}
	}

	for (const r of API_WRITES) {
		for (const [variant, token] of [['none', null], ['forged', 'forged-token-0000']]) {
			test(`csrf_api ${r.method} ${r.pattern} (${variant})`, async () => {
				const before = snapshot();
				const headers = { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: as.admin.cookieHeader() };
				if (token) headers['X-CSRF-Token'] = token;
				const res = await request(srv.url + fill(r.pattern), {
					method: r.method, headers, body: r.method === 'DELETE' ? undefined : JSON.stringify(PROBE),
				});
				assert.equal(res.status, 403, `${r.method} ${fill(r.pattern)} with a session: ${describeRes(res)}`);
				assertUnchanged(before, `${r.method} ${r.pattern} without a valid token`);
			});
		}
	}

	test('csrf_multipart_form_without_token', async () => {
		const before = snapshot();
		const boundary = '----probe';
		const body = Object.entries(PROBE).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
		const res = await as.admin.req('POST', '/admin/news', { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
		assert.equal(res.status, 403, describeRes(res));
		assertUnchanged(before, 'a multipart post without a token');
	});

	for (const key of VISITOR_FORMS) {
		test(`csrf_visitor ${key}`, async () => {
			const [method, pattern] = key.split(' ');
			const v = new Client(srv.url);
			await v.get('/sign-in'); // the pre-session cookie, its token not sent
			const before = snapshot();
			const fields = { ...PROBE, email: PEOPLE.participant.email, password: PASSWORD };
			const res = pattern.startsWith('/api/')
				? await v.api(method, pattern, fields, { csrf: false })
				: await v.post(pattern, fields, { csrf: false });
			assert.equal(res.status, 403, `${key}: ${describeRes(res)}`);
			assert.ok(!cookieNamed(res, 'session')?.value, 'no session');
			assertUnchanged(before, `${key} without a token`);
		});
	}
});

// ---------------------------------------------------------------- throttle

describe('sign-in is throttled', () => {
	test('throttle_six_wrong_passwords_then_429_even_with_the_right_one', async () => {
		const c = new Client(srv.url);
		await c.get('/sign-in');
		// The first five failures are free; then each waits twice as long
		// as the last (1 s, 2 s, 4 s…, counted in whole seconds). Seven
		// counted failures make a wait of 4 s: long enough for the checks
		// below on a loaded machine (a wait of 1 s could end between two).
		let counted = 0;
		for (let i = 1; counted < 7; i++) {
			const r = await c.post('/sign-in', { email: PEOPLE.throttled.email, password: `wrong password ${i}` });
			if (i <= 5) assert.equal(r.status, 401, `attempt ${i}: ${describeRes(r)}`);
			if (r.status === 401) {
				counted++;
				continue;
			}
			assert.equal(r.status, 429, `attempt ${i}: ${r.status}`);
			await new Promise((ok) => setTimeout(ok, Number(r.headers['retry-after']) * 1000));
		}
		const r = await c.post('/sign-in', { email: PEOPLE.throttled.email, password: PASSWORD });
		assert.equal(r.status, 429, `the right password while throttled: ${describeRes(r)}`);
		assert.match(r.headers['retry-after'] ?? '', /^[1-9]\d*$/, 'Retry-After in whole seconds');
		assert.ok(!cookieNamed(r, 'session')?.value, 'no session while throttled');
		assert.match(r.body, /Too many failed attempts/);

		const j = await c.api('POST', '/api/v1/session', { email: PEOPLE.throttled.email, password: PASSWORD });
		assert.equal(j.status, 429, `the JSON twin: ${describeRes(j)}`);
		assert.match(j.headers['retry-after'] ?? '', /^[1-9]\d*$/);
		assert.ok(!cookieNamed(j, 'session')?.value);
		assert.equal((await c.get('/account')).status, 303, 'still not signed in');
	});
});

// ------------------------------------------------------------- same answer

describe('an unknown e-mail and a wrong password get the same answer', () => {
	// What differs by design: the form token, and the address typed (echoed
	// back in the form).
	const normalise = (body, email) => body
		.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="…"')
		.replaceAll(email, 'EMAIL');
	const headerNames = (r) => Object.keys(r.headers).filter((h) => !['date', 'set-cookie', 'content-length'].includes(h)).sort();
	const CASES = [
		['unknown_email', 'nobody-here@example.org', PASSWORD],
		['wrong_password', 'part@example.org', 'not the password at all'],
		['no_password_yet', PEOPLE.nopassword.email, PASSWORD],
	];

	test('same_answer_in_the_form', async () => {
		const answers = [];
		for (const [id, email, password] of CASES) {
			const c = new Client(srv.url);
			await c.get('/sign-in');
			const r = await c.post('/sign-in', { email, password });
			answers.push({ id, status: r.status, type: r.headers['content-type'], headers: headerNames(r), body: normalise(r.body, email) });
		}
		assert.equal(answers[0].status, 401);
		for (const a of answers.slice(1)) {
			assert.equal(a.status, answers[0].status, `${a.id} status`);
			assert.equal(a.type, answers[0].type, `${a.id} content type`);
			assert.deepEqual(a.headers, answers[0].headers, `${a.id} headers`);
			assert.equal(a.body, answers[0].body, `${a.id} body`);
		}
	});

	test('same_answer_in_json', async () => {
		const answers = [];
		for (const [id, email, password] of CASES) {
			const c = new Client(srv.url);
			await c.get('/sign-in');
			const r = await c.api('POST', '/api/v1/session', { email, password });
			answers.push({ id, status: r.status, body: normalise(r.body, email) });
		}
		assert.equal(answers[0].status, 401);
		for (const a of answers.slice(1)) assert.deepEqual(a, { ...answers[0], id: a.id }, a.id);
	});
});

// ----------------------------------------------------------- open redirect

describe('no open redirect after sign-in', () => {
	// Query strings as a link would carry them.
	const HOSTILE = [
		['protocol_relative', 'next=//evil.example'],
		['absolute', 'next=https://evil.example'],
		['backslash', 'next=/\\evil.example'],
		['encoded_slashes', 'next=%2F%2Fevil.example'],
		['double_encoded', 'next=%252F%252Fevil.example'],
		['encoded_backslash', 'next=%2F%5Cevil.example'],
		['tab_between_slashes', 'next=/%09/evil.example'],
		['newline_between_slashes', 'next=/%0A/evil.example'],
		['scheme_without_slashes', 'next=https:evil.example'],
		['javascript', 'next=javascript:alert(1)'],
		['header_injection', 'next=/%0D%0ALocation:%20http://evil.example'],
	];
	// Typed into the form field by hand, a control character makes the
	// whole sign-in a 400; every other value is followed only if local.
	const REFUSED_AS_TYPED = new Set(['newline_between_slashes', 'header_injection']);
	const origin = () => new URL(srv.url).origin;

	async function signInVia(query, { tamper } = {}) {
		const c = new Client(srv.url);
		const form = await c.get(`/sign-in?${query}`);
		const hidden = /name="next" value="([^"]*)"/.exec(form.body);
		const fields = { email: PEOPLE.participant.email, password: PASSWORD };
		// As a person following the link, or with the field set by hand.
		const next = tamper ? new URLSearchParams(query).get('next') : hidden?.[1]?.replaceAll('&amp;', '&');
		if (next !== undefined && next !== null) fields.next = next;
		return c.post('/sign-in', fields);
	}

	const assertLocal = (r, what) => {
		assert.equal(r.status, 303, `${what}: ${describeRes(r)}`);
		const loc = r.headers.location ?? '';
		// Browsers drop tabs and newlines inside a URL; URL() does the same.
		const target = new URL(loc, srv.url);
		assert.equal(target.origin, origin(), `${what}: Location ${JSON.stringify(loc)} leaves the site (${target.href})`);
		assert.match(loc, /^\/(?![/\\])/, `${what}: Location ${JSON.stringify(loc)} is a local path`);
	};

	test('redirect_control_a_local_next_is_followed', async () => {
		const r = await signInVia('next=/news');
		assert.equal(r.headers.location, '/news');
	});

	for (const [id, query] of HOSTILE) {
		test(`redirect_${id}_by_link`, async () => assertLocal(await signInVia(query), id));
		test(`redirect_${id}_by_form_field`, async () => {
			const r = await signInVia(query, { tamper: true });
			if (REFUSED_AS_TYPED.has(id)) {
				assert.equal(r.status, 400, `${id}: ${describeRes(r)}`);
				// Refused outright (a control character): no redirect, no session.
				assert.equal(r.headers.location, undefined);
				assert.ok(!cookieNamed(r, 'session')?.value, 'no session');
				return;
			}
			assertLocal(r, id);
		});
	}
});

// ---------------------------------------------------------------- no-store

describe('private answers are not stored by caches', () => {
	const noStore = (r, what) => assert.match(r.headers['cache-control'] ?? '(none)', /\bno-store\b/, `${what}: Cache-Control ${r.headers['cache-control']}`);

	for (const r of ADMIN_GETS) {
		test(`no_store_admin_page ${r.pattern}`, async () => {
			const res = await as.admin.get(fill(r.pattern));
			assert.equal(res.status, 200, `${fill(r.pattern)}: ${res.status}`);
			noStore(res, r.pattern);
			const j = await as.admin.getJson(fill(r.pattern));
			assert.equal(j.status, 200);
			noStore(j, `${r.pattern} (JSON)`);
		});
	}

	// A stream (a handler named *_stream, text/event-stream) never ends:
	// its headers are read and the connection closed.
	const streamHead = (headers) => new Promise((resolve, reject) => {
		const q = http.get(srv.url + '/api/v1/changes', { headers, agent: false });
		q.on('error', reject);
		q.on('response', (res) => {
			resolve({ status: res.statusCode, headers: res.headers });
			q.destroy();
		});
	});
	for (const r of API_GETS.filter((x) => /_stream$/.test(x.handler))) {
		test(`no_store_stream ${r.pattern}`, async () => {
			assert.equal(r.pattern, '/api/v1/changes', 'streamHead knows this stream only');
			const b = await streamHead({ Authorization: `Bearer ${as.adminToken}` });
			assert.equal(b.status, 200);
			assert.match(b.headers['content-type'], /^text\/event-stream/);
			noStore(b, `${r.pattern} (API token)`);
		});
	}

	for (const r of API_GETS.filter((x) => !/_stream$/.test(x.handler))) {
		test(`no_store_api_signed_in ${r.pattern}`, async () => {
			const res = await as.admin.getJson(fill(r.pattern));
			assert.equal(res.status, 200, `${fill(r.pattern)}: ${res.status}`);
			noStore(res, `${r.pattern} (session)`);
			const b = await bearer(srv.url, as.adminToken, 'GET', fill(r.pattern));
			assert.equal(b.status, 200);
			noStore(b, `${r.pattern} (API token)`);
		});
	}

	// Signed in, the sign-in form sends one on to the account page.
	for (const [p, status] of [['/account', 200], ['/account/profile', 200], ['/account/password', 200], ['/sign-in', 303]]) {
		test(`no_store_account_page ${p}`, async () => {
			const res = await as.participant.get(p);
			assert.equal(res.status, status, `${p}: ${res.status}`);
			if (status === 303) assert.equal(res.headers.location, '/account');
			else assert.ok(res.body.includes(PEOPLE.participant.email) || res.body.includes(PEOPLE.participant.name), `${p} is the participant's own page`);
			noStore(res, p);
		});
	}

	// The site header names whoever is signed in, so a public page as a
	// signed-in person sees it holds their name.
	for (const p of ['/', '/events', `/events/${SHANGHAI}`, '/news', `/series/${SERIES}`, `/organisations/${ORG}`]) {
		test(`no_store_public_page_seen_signed_in ${p}`, async () => {
			const res = await as.participant.get(p);
			assert.equal(res.status, 200);
			assert.ok(res.body.includes(PEOPLE.participant.name), `${p} names the person signed in`);
			noStore(res, `${p} for a signed-in person`);
		});
	}

	test('no_store_control_public_page_for_a_visitor_is_cacheable', async () => {
		const res = await request(srv.url + '/events');
		assert.doesNotMatch(res.headers['cache-control'] ?? '', /no-store/);
	});
});

// ------------------------------------------------ participant and organiser

describe('a participant reaches no organiser action', () => {
	// Every one of these answers 403: the participant is known and may not
	// (a 404 would say the route forgot who may see what it names).
	const refused = (r, what) => assert.equal(r.status, 403, `${what}: ${describeRes(r)}`);

	for (const r of ADMIN_GETS) {
		test(`participant_admin_page ${r.pattern}`, async () => {
			refused(await as.participant.get(fill(r.pattern)), `${r.pattern} (HTML)`);
			refused(await as.participant.getJson(fill(r.pattern)), `${r.pattern} (JSON)`);
		});
	}

	for (const r of FORM_WRITES.filter((w) => w.pattern.startsWith('/admin'))) {
		test(`participant_admin_form ${r.method} ${r.pattern}`, async () => {
			await as.participant.get('/account');
			const before = snapshot();
			refused(await as.participant.post(fill(r.pattern), PROBE), r.pattern);
			assertUnchanged(before, `a participant's ${r.method} ${r.pattern}`);
		});
	}

	for (const r of API_WRITES.filter((w) => !SELF_SERVICE.has(`${w.method} ${w.pattern}`))) {
		test(`participant_api ${r.method} ${r.pattern}`, async () => {
			const body = r.method === 'DELETE' ? undefined : PROBE;
			await as.participant.get('/account');
			const before = snapshot();
			refused(await as.participant.api(r.method, fill(r.pattern), body), `${r.pattern} (session)`);
			refused(await bearer(srv.url, as.participantToken, r.method, fill(r.pattern), body), `${r.pattern} (API token)`);
			assertUnchanged(before, `a participant's ${r.method} ${r.pattern}`);
		});
	}

	test('participant_sees_no_admin_link', async () => {
		const r = await as.participant.get('/');
		assert.ok(!/href="\/admin"/.test(r.body), 'no link to the administration');
	});
});

// ------------------------------------------------------- behind a TLS proxy

describe('Secure cookies behind a trusted proxy', () => {
	let proxied;
	before(async () => {
		proxied = await startServer({ args: ['--trust-proxy'] });
	});
	after(() => proxied?.stop());

	// The sign-in form and the sign-in, with extra headers on both.
	async function signIn(base, who, headers) {
		const form = await request(base + '/sign-in', { headers });
		const pre = cookieNamed(form, 'presession');
		const csrf = /name="_csrf" value="([^"]*)"/.exec(form.body)[1];
		const body = new URLSearchParams({ _csrf: csrf, email: who.email, password: who.password }).toString();
		const r = await request(base + '/sign-in', {
			method: 'POST', body,
			headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `presession=${pre.value}` },
		});
		assert.equal(r.status, 303, describeRes(r));
		return { pre, session: cookieNamed(r, 'session') };
	}

	test('secure_cookie_with_trust_proxy_and_https', async () => {
		const { pre, session } = await signIn(proxied.url, proxied.organiser, { 'X-Forwarded-Proto': 'https' });
		assert.ok(pre.attrs.has('secure'), `presession: ${pre.raw}`);
		assert.ok(session.attrs.has('secure'), `session: ${session.raw}`);
		assert.ok(session.attrs.has('httponly') && session.attrs.has('samesite=lax'), session.raw);
	});

	test('secure_cookie_not_set_over_plain_http_behind_the_proxy', async () => {
		const { session } = await signIn(proxied.url, proxied.organiser, { 'X-Forwarded-Proto': 'http' });
		assert.ok(!session.attrs.has('secure'), session.raw);
	});

	test('secure_cookie_header_ignored_without_trust_proxy', async () => {
		// Anyone may send the header; only a trusted proxy's counts.
		const { session } = await signIn(srv.url, { email: PEOPLE.other.email, password: PASSWORD }, { 'X-Forwarded-Proto': 'https' });
		assert.ok(!session.attrs.has('secure'), session.raw);
	});
});
