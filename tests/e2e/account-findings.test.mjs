// account-findings.test.mjs — what a security review found about personal
// API tokens and passwords, each as reproduced: a token outlived a password
// change and a reset, a token could mint a new one, a token was made
// without the password being asked again, and easily guessed passwords
// were accepted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { sqlite, sqlNow } from './lib/sqlite.mjs';
import { emlFiles, linkIn, waitUntil } from './lib/mail.mjs';
import { harmonyBin, makeDemo, startServer, tempDir } from './lib/server.mjs';
import { spawnSync } from 'node:child_process';
import { dbHome } from './lib/backend.mjs';

let srv;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	for (const who of ['change', 'reset', 'mint', 'ask'])
		addAccount(db, { email: `${who}@example.org`, name: who });
	srv = await startServer({ db });
});
after(async () => {
	await srv?.stop();
});

const me = (token) => bearer(srv.url, token, 'GET', '/api/v1/account');

describe('personal API tokens', () => {
	test('a password change revokes every token of the account', async () => {
		const c = await signedIn(srv.url, 'change@example.org');
		const token = await apiToken(c, 'write');
		assert.equal((await me(token)).status, 200);
		await c.get('/account/password');
		const r = await c.post('/account/password', { current: PASSWORD, password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
		assert.equal(r.status, 200, `password change: ${r.status} ${r.body.slice(0, 200)}`);
		assert.match(r.body, /Your password is changed/);
		assert.equal((await me(token)).status, 401, 'the token no longer works');
		const again = await signedIn(srv.url, 'change@example.org', 'a brand new passphrase');
		const list = await again.getJson('/account');
		assert.equal(list.json.api_tokens.length, 1, 'the token is still listed');
		assert.ok(list.json.api_tokens[0].revoked_at, 'listed as revoked');
	});

	test('a password reset revokes every token of the account', async () => {
		const token = await apiToken(await signedIn(srv.url, 'reset@example.org'), 'write');
		assert.equal((await me(token)).status, 200);
		const outbox = path.join(dbHome(srv.db), 'outbox');
		// The visitor's form, with the pre-session token of the page.
		const page = await request(srv.url + '/forgot-password');
		const cookie = page.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
		const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)[1];
		let r = await request(srv.url + '/forgot-password', {
			method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ email: 'reset@example.org', _csrf: csrf }).toString(),
		});
		assert.equal(r.status, 200, `forgot: ${r.status}`);
		// The reset e-mail, not the notice of the new token that went before it.
		const mail = await waitUntil(() => emlFiles(outbox).find((f) => f.text('To').includes('<reset@example.org>') && linkIn(f, '/reset-password?token=')), 'the reset e-mail');
		const link = linkIn(mail, '/reset-password?token=');
		const tok = new URL(link).searchParams.get('token');
		const form = await request(`${srv.url}/reset-password?token=${tok}`, { headers: { Cookie: cookie } });
		const csrf2 = /name="_csrf" value="([^"]*)"/.exec(form.body)[1];
		r = await request(srv.url + '/reset-password', {
			method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ token: tok, password: 'another new passphrase', confirm: 'another new passphrase', _csrf: csrf2 }).toString(),
		});
		assert.equal(r.status, 200, `reset: ${r.status} ${r.body.slice(0, 200)}`);
		assert.equal((await me(token)).status, 401, 'the token no longer works');
		await signedIn(srv.url, 'reset@example.org', 'another new passphrase'); // the reset took
	});

	test('a token cannot make a token', async () => {
		const token = await apiToken(await signedIn(srv.url, 'mint@example.org'), 'write');
		const r = await bearer(srv.url, token, 'POST', '/account/api-tokens', { label: 'minted', scope: 'write', expires_days: 365, password: PASSWORD });
		assert.equal(r.status, 403, r.body);
		assert.equal(r.json.error.message, 'A personal API token cannot make tokens: sign in to make one.');
		const list = await (await signedIn(srv.url, 'mint@example.org')).getJson('/account');
		assert.equal(list.json.api_tokens.length, 1, 'no token was made');
	});

	test('making a token asks for the password again', async () => {
		const c = await signedIn(srv.url, 'ask@example.org');
		await c.get('/account');
		assert.match((await c.get('/account')).body, /name="password" type="password"/, 'the form asks for it');
		let r = await c.post('/account/api-tokens', { label: 'no password', scope: 'read' }, { json: true });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.password, 'a message beside the password');
		r = await c.post('/account/api-tokens', { label: 'wrong', scope: 'read', password: 'not the password at all' }, { json: true });
		assert.equal(r.status, 400);
		assert.equal(r.json.errors.password, 'The password is not right.');
		const list = await c.getJson('/account');
		assert.equal(list.json.api_tokens.length, 0, 'nothing was made');
		r = await c.post('/account/api-tokens', { label: 'right', scope: 'read', password: PASSWORD }, { json: true });
		assert.equal(r.status, 201);
		// Still signed in: proving the password made no session of its own.
		assert.equal((await c.getJson('/account')).status, 200);
	});
});

describe('password quality', () => {
	test('passwords that are easy to guess are refused, saying why, in the API and the form', async () => {
		addAccount(srv.db, { email: 'ann.lee@example.org', name: 'Ann Lee' });
		const c = await signedIn(srv.url, 'ann.lee@example.org');
		const cases = [
			['aaaaaaaaaaaa', /again and again/],
			['123456789012', /digits alone/],
			['passwordpassword', /again and again/],
			['my-ann.lee-secret', /name or your e-mail address/],
			['iloveyou1234', /too easy to guess/],
		];
		for (const [pw, why] of cases) {
			const r = await c.post('/api/v1/account/password', { current: PASSWORD, password: pw }, { json: true });
			assert.equal(r.status, 400, `${pw}: ${r.status}`);
			assert.match(r.json.errors.password, why, pw);
		}
		await c.get('/account/password');
		const form = await c.post('/account/password', { current: PASSWORD, password: '123456789012', confirm: '123456789012' });
		assert.equal(form.status, 400);
		assert.match(form.body, /digits alone/);
		// Nothing changed: the old password still signs in.
		await signedIn(srv.url, 'ann.lee@example.org');
	});

	test('the command line refuses them too', async () => {
		const r = spawnSync(harmonyBin(), ['user', 'add', '--db', srv.db, '--email', 'weak@example.org', '--name', 'Weak'],
			{ input: 'qwertyuiop12\n', encoding: 'utf8' });
		assert.notEqual(r.status, 0);
		assert.match(r.stderr, /too easy to guess/);
		assert.equal(sqlite(srv.db, "SELECT count(*) FROM account WHERE email = 'weak@example.org';").trim(), '0', 'no account was made');
	});
});

describe('sessions', () => {
	test('one sees where one is signed in, ends one session, or all', async () => {
		addAccount(srv.db, { email: 'many@example.org', name: 'Many' });
		const a = await signedIn(srv.url, 'many@example.org');
		const b = await signedIn(srv.url, 'many@example.org');
		const page = await a.getJson('/account');
		assert.equal(page.json.sessions.length, 2);
		assert.equal(page.json.sessions.filter((s) => s.current).length, 1, 'this browser is marked');
		assert.ok(page.json.sessions.every((s) => s.address === '127.0.0.1'), 'where it was used');
		assert.equal(page.json.session_idle_minutes, 30);
		assert.equal(page.json.session_hours, 12);
		const other = page.json.sessions.find((s) => !s.current);
		await a.get('/account');
		let r = await a.post(`/account/sessions/${other.id}/end`, { confirm: 'yes' });
		assert.equal(r.status, 303);
		assert.equal((await b.getJson('/account')).status, 401, 'the other browser is signed out');
		assert.equal((await a.getJson('/account')).status, 200, 'this one is not');
		// Another account's session cannot be ended from here.
		const c = await signedIn(srv.url, 'ask@example.org');
		const theirs = (await c.getJson('/account')).json.sessions[0].id;
		await a.get('/account');
		assert.equal((await a.post(`/account/sessions/${theirs}/end`)).status, 404);
		assert.equal((await c.getJson('/account')).status, 200);
		// Everywhere: this browser too.
		const b2 = await signedIn(srv.url, 'many@example.org');
		await a.get('/account');
		r = await a.post('/account/sign-out-everywhere', { confirm: 'yes' });
		assert.equal(r.status, 303);
		assert.equal((await a.getJson('/account')).status, 401);
		assert.equal((await b2.getJson('/account')).status, 401);
	});

	test('a session idle longer than the site allows ends', async () => {
		addAccount(srv.db, { email: 'idle@example.org', name: 'Idle' });
		const a = await signedIn(srv.url, 'idle@example.org');
		assert.equal((await a.getJson('/account')).status, 200);
		sqlite(srv.db, `UPDATE session SET last_seen_at = ${sqlNow(-31 * 60)} WHERE account_id = (SELECT id FROM account WHERE email = 'idle@example.org');`);
		assert.equal((await a.getJson('/account')).status, 401, 'after 31 idle minutes');
		const b = await signedIn(srv.url, 'idle@example.org');
		sqlite(srv.db, "INSERT INTO site_setting (key, value) VALUES ('session_idle_minutes', '60') ON CONFLICT (key) DO UPDATE SET value = excluded.value;");
		sqlite(srv.db, `UPDATE session SET last_seen_at = ${sqlNow(-31 * 60)} WHERE account_id = (SELECT id FROM account WHERE email = 'idle@example.org');`);
		assert.equal((await b.getJson('/account')).status, 200, 'the site allows an hour now');
		sqlite(srv.db, "DELETE FROM site_setting WHERE key = 'session_idle_minutes';");
	});
});

describe('a throttled person is not locked out', () => {
	test('someone else\'s failed attempts throttle the account, and the e-mailed link still lets its owner in', async () => {
		addAccount(srv.db, { email: 'victim@example.org', name: 'Victim' });
		const attacker = new Client(srv.url, { localAddress: '127.0.0.5' });
		await attacker.get('/sign-in');
		let throttled = false;
		for (let i = 0; i < 12 && !throttled; i++)
			throttled = (await attacker.post('/sign-in', { email: 'victim@example.org', password: `guess number ${i} here` })).status === 429;
		assert.ok(throttled, 'the account is throttled');
		// The owner, elsewhere: throttled too, by the account's count.
		const owner = new Client(srv.url, { localAddress: '127.0.0.6' });
		await owner.get('/sign-in');
		assert.equal((await owner.post('/sign-in', { email: 'victim@example.org', password: PASSWORD })).status, 429);
		// The e-mailed link.
		const outbox = path.join(dbHome(srv.db), 'outbox');
		const before = emlFiles(outbox).length;
		await owner.get('/forgot-password');
		assert.equal((await owner.post('/forgot-password', { email: 'victim@example.org' })).status, 200);
		const files = await waitUntil(() => {
			const f = emlFiles(outbox);
			return f.length > before && f;
		}, 'the reset e-mail');
		const link = files.map((m) => linkIn(m, '/reset-password?token=')).filter(Boolean).at(-1);
		const token = new URL(link).searchParams.get('token');
		await owner.get(`/reset-password?token=${token}`);
		const r = await owner.post('/reset-password', { token, password: 'my fresh long passphrase', confirm: 'my fresh long passphrase' });
		assert.equal(r.status, 200, `reset: ${r.status}`);
		await owner.get('/sign-in');
		assert.equal((await owner.post('/sign-in', { email: 'victim@example.org', password: 'my fresh long passphrase' })).status, 303, 'in at once');
	});
});
