// notices.test.mjs — an account's owner is told by e-mail of a
// security-relevant change, so that a change they did not make does not
// go unseen: a password changed or reset, a personal API token made, a
// role given (on the accounts pages, through the API, as an event's
// organiser). Each message goes to the account that changed (never to the
// administrator who gave the role), says what changed, when and from
// which address, where to choose a new password and review sessions, and
// holds no password and no token. A notice that cannot be queued — an
// address the outbox refuses, an outbox that cannot be written — is
// logged and leaves the change made. Mail lands as .eml files in the
// default outbox folder beside the database.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { emlFiles, linkIn, waitUntil } from './lib/mail.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';
import { dbHome } from './lib/backend.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const SERIES = 'regional-consultations';
const NEW_PASSWORD = 'an entirely new passphrase';
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', role: 'admin' };
const SERIES_ORG = { email: 'series@example.org', name: 'Sam Series', role: 'organiser', series: SERIES };
const PEOPLE = {
	change: { email: 'change@example.org', name: 'Chang Changer' },
	reset: { email: 'reset@example.org', name: 'Rosa Reset' },
	token: { email: 'token@example.org', name: 'Toni Token' },
	form: { email: 'form@example.org', name: 'Fern Form' },
	api: { email: 'api@example.org', name: 'Abe Api' },
	organiser: { email: 'organiser@example.org', name: 'Olu Organiser' },
	// mail_send takes plain ASCII addresses only: this account exists,
	// but no message can be queued to it.
	unmailable: { email: 'zoë@example.org', name: 'Zoë Unmailable' },
	nostore: { email: 'nostore@example.org', name: 'Nico Nostore' },
};

let srv, outbox, site, eventTitle, seriesTitle;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	for (const p of [ADMIN, SERIES_ORG, ...Object.values(PEOPLE)]) addAccount(db, p);
	site = sqlite(db, "SELECT value FROM site_setting WHERE key = 'site_name';").trim();
	eventTitle = sqlite(db, `SELECT title FROM event WHERE slug = '${SHANGHAI}';`).trim();
	seriesTitle = sqlite(db, `SELECT title FROM series WHERE slug = '${SERIES}';`).trim();
	srv = await startServer({ db });
	outbox = path.join(dbHome(srv.db), 'outbox');
});
after(() => srv?.stop());

// The messages to an address whose subject starts with subject.
const messagesTo = (email, subject) =>
	emlFiles(outbox).filter((m) => m.text('To').includes(`<${email}>`) && m.text('Subject').startsWith(subject));

// Waits for the one notice to person with this subject and checks what
// every notice holds; secrets are strings that must appear nowhere in it.
async function notice(person, subject, secrets) {
	const [m] = await waitUntil(() => messagesTo(person.email, subject).length && messagesTo(person.email, subject), `"${subject}" to ${person.email}`);
	assert.equal(messagesTo(person.email, subject).length, 1, 'one notice');
	assert.equal(m.text('To'), `${person.name} <${person.email}>`);
	assert.equal(m.text('Subject'), `${subject} · ${site}`);
	assert.match(m.body, new RegExp(`^Hello ${person.name},\n`));
	assert.ok(m.body.includes(`\n${site}\n`), 'the body names the site');
	assert.match(m.body, /\nFrom the address:\n127\.0\.0\.1\n/, 'the client address');
	const today = new Date().toISOString().slice(0, 10);
	assert.match(m.body, new RegExp(`\nWhen:\n${today} \\d\\d:\\d\\d UTC\n`), 'the time, in UTC');
	assert.ok(m.body.includes(`\n${srv.url}/forgot-password\n`), 'where to choose a new password');
	assert.ok(m.body.includes(`\n${srv.url}/account\n`), 'where to review sessions and tokens');
	for (const s of [PASSWORD, NEW_PASSWORD, ...secrets]) assert.ok(!m.raw.includes(s) && !m.body.includes(s), `no secret in the message: ${s}`);
	assert.doesNotMatch(m.body, /hm_[A-Za-z0-9_-]{20,}|token=/, 'no token, no link with a secret');
	return m;
}

describe('a notice after each change', () => {
	test('a password change: the owner is told, without either password', async () => {
		const c = await signedIn(srv.url, PEOPLE.change.email);
		await c.get('/account/password');
		const r = await c.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
		assert.equal(r.status, 200, r.body.slice(0, 300));
		const m = await notice(PEOPLE.change, 'Your password was changed', []);
		assert.match(m.body, /\nThe password of your account was changed on:\n/);
		assert.match(m.body, /\nYour other sessions were ended and your personal API tokens revoked\.\n/);
		assert.doesNotMatch(m.body, /Changed by:/, 'their own change names nobody else');
	});

	test('a password reset: the owner is told, without the password or the link', async () => {
		const visitor = new Client(srv.url);
		await visitor.get('/forgot-password');
		assert.equal((await visitor.post('/forgot-password', { email: PEOPLE.reset.email })).status, 200);
		const [mail] = await waitUntil(() => messagesTo(PEOPLE.reset.email, 'Reset your password').length && messagesTo(PEOPLE.reset.email, 'Reset your password'), 'the reset link');
		const link = linkIn(mail, '/reset-password?token=');
		const token = new URL(link).searchParams.get('token');
		await visitor.get(link.slice(srv.url.length));
		const r = await visitor.post('/reset-password', { token, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
		assert.equal(r.status, 200, r.body.slice(0, 300));
		const m = await notice(PEOPLE.reset, 'Your password was reset', [token]);
		assert.match(m.body, /\nThe password of your account was reset through an e-mailed link on:\n/);
		assert.match(m.body, /\nEvery session of your account was ended and your personal API tokens revoked\.\n/);
	});

	test('a new API token: the owner is told its label, never the token', async () => {
		const c = await signedIn(srv.url, PEOPLE.token.email);
		const token = await apiToken(c, 'write', 'Backup script on the laptop');
		const m = await notice(PEOPLE.token, 'A new API token was made for your account', [token, token.slice(3)]);
		assert.match(m.body, /\nA new personal API token was made for your account on:\n/);
		assert.match(m.body, /\nLabel of the token:\nBackup script on the laptop\n/, 'its label');
	});

	test('a role given on the accounts pages: the person who got it is told, not the administrator', async () => {
		const admin = await signedIn(srv.url, ADMIN.email);
		const id = sqlite(srv.db, `SELECT id FROM account WHERE email = '${PEOPLE.form.email}';`).trim();
		await admin.get(`/admin/accounts/${id}`);
		const r = await admin.post(`/admin/accounts/${id}/roles`, { role: 'organiser', series: SERIES, password: PASSWORD });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		const m = await notice(PEOPLE.form, 'You were given a new role', []);
		assert.match(m.body, /\nYour account was made an organiser of a series on:\n/);
		assert.ok(m.body.includes(`\nSeries:\n${seriesTitle}\n`), 'which series');
		assert.ok(m.body.includes(`\nChanged by:\n${ADMIN.name}\n`), 'who gave it');
		assert.deepEqual(messagesTo(ADMIN.email, 'You were given'), [], 'the administrator gets nothing');
	});

	test('a role given through the API, and an account made with a role', async () => {
		const admin = await signedIn(srv.url, ADMIN.email);
		const token = await apiToken(admin, 'write', 'accounts');
		const r = await bearer(srv.url, token, 'POST', `/api/v1/accounts/${PEOPLE.api.email}/roles`, { role: 'admin', password: PASSWORD });
		assert.equal(r.status, 201, r.body);
		const m = await notice(PEOPLE.api, 'You were given a new role', [token]);
		assert.match(m.body, /\nYour account was made an administrator of:\n/);
		const fresh = { email: 'fresh@example.org', name: 'Fay Fresh' };
		const made = await bearer(srv.url, token, 'POST', '/api/v1/accounts', { ...fresh, role: 'organiser', event: SHANGHAI, password: PASSWORD });
		assert.equal(made.status, 201, made.body);
		const n = await notice(fresh, 'You were given a new role', [token]);
		assert.ok(n.body.includes(`\nEvent:\n${eventTitle}\n`), 'which event');
		assert.deepEqual(messagesTo(ADMIN.email, 'You were given'), [], 'the administrator gets nothing');
	});

	test("a role given as an event's organiser: the new organiser is told", async () => {
		const so = await signedIn(srv.url, SERIES_ORG.email);
		const base = `/admin/events/${SHANGHAI}/organisers`;
		await so.get(base);
		const r = await so.post(base, { email: PEOPLE.organiser.email, password: PASSWORD });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		const m = await notice(PEOPLE.organiser, 'You were given a new role', []);
		assert.match(m.body, /\nYour account was made an organiser of an event on:\n/);
		assert.ok(m.body.includes(`\nEvent:\n${eventTitle}\n`), 'which event');
		assert.ok(m.body.includes(`\nChanged by:\n${SERIES_ORG.name}\n`), 'who gave it');
		assert.deepEqual(messagesTo(SERIES_ORG.email, 'You were given'), [], 'the series organiser gets nothing');
	});
});

describe('a notice that cannot be queued leaves the change made', () => {
	test('an address the outbox refuses: the password is changed all the same, and the failure logged', async () => {
		const c = await signedIn(srv.url, PEOPLE.unmailable.email);
		const r = await c.api('POST', '/api/v1/account/password', { current: PASSWORD, password: NEW_PASSWORD });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.changed, true);
		await signedIn(srv.url, PEOPLE.unmailable.email, NEW_PASSWORD);
		const old = new Client(srv.url);
		await old.get('/sign-in');
		assert.equal((await old.post('/sign-in', { email: PEOPLE.unmailable.email, password: PASSWORD })).status, 401);
		assert.equal(sqlite(srv.db, `SELECT count(*) FROM mail_outbox WHERE recipient = '${PEOPLE.unmailable.email}';`).trim(), '0');
		await waitUntil(() => /cannot queue the password change notice for account \d+: /.test(srv.stderr()), 'the failure in the log');
	});

	test('an outbox that cannot be written: the token is made all the same, and the failure logged', async () => {
		const c = await signedIn(srv.url, PEOPLE.nostore.email);
		// A real failure of the store, under the running server.
		sqlite(srv.db, 'ALTER TABLE mail_outbox RENAME TO mail_outbox_gone;');
		let r;
		try {
			r = await c.post('/account/api-tokens', { label: 'made while mail is down', scope: 'write', password: PASSWORD }, { json: true });
		} finally {
			sqlite(srv.db, 'ALTER TABLE mail_outbox_gone RENAME TO mail_outbox;');
		}
		assert.equal(r.status, 201, r.body);
		assert.equal((await bearer(srv.url, r.json.token, 'GET', '/api/v1/account')).status, 200, 'the token works');
		assert.match(srv.stderr(), /cannot queue the API token notice for account \d+: /);
		assert.deepEqual(messagesTo(PEOPLE.nostore.email, 'A new API token'), []);
	});
});
