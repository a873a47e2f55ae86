// outbox-settings.test.mjs — the outbox as people read it, and the site's
// settings. A message's page shows its sender, recipient, subject and body
// decoded (the same text the relay's parser reads), the MIME source only
// behind a <details>; a message written to a .eml file says so and is not
// "Sent". The site's name, tagline, sender and time zone are settings on
// /admin/settings (administrators only, CSRF, audited), in the JSON API and
// in `harmony settings`, and a change reaches the next e-mail's From and
// every page's header. An invitation's link lasts seven days and says so; a
// reset link an hour. `harmony demo` prints an administrator's login too.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, Client, signedIn } from './lib/accounts.mjs';
import { freshDatabase, onPg } from './lib/backend.mjs';
import { between, textOf } from './lib/html.mjs';
import { emlFiles, startSmtpSink, waitUntil } from './lib/mail.mjs';
import { makeDemo, runCli, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, outboxSettled, q, sqlite } from './lib/sqlite.mjs';

const SITE = 'Alliance des civilisations — 文明联盟';
const ADMIN = { email: 'admin@example.org', name: 'Ada Admin', role: 'admin' };
const ORGANISER = { email: 'org@example.org', name: 'Olu Organiser', role: 'organiser', event: 'asia-south-pacific-shanghai-2012' };
const LI = { email: 'li.hua@example.org', name: '李华' };

function database() {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	sqlite(db, `UPDATE site_setting SET value = ${q(SITE)} WHERE key = 'site_name';`);
	for (const p of [ADMIN, ORGANISER, LI]) addAccount(db, p);
	return db;
}

async function askForReset(base, email) {
	const c = new Client(base);
	await c.get('/forgot-password');
	assert.equal((await c.post('/forgot-password', { email })).status, 200);
}

// The newest message to a recipient whose subject starts with `subject`.
async function entry(admin, recipient, subject, status = 'sent') {
	return waitUntil(async () => {
		const r = await admin.getJson('/api/v1/outbox');
		const e = r.json.messages.find((m) => m.recipient === recipient && m.subject.startsWith(subject));
		return e?.status === status && e;
	}, `a ${status} message to ${recipient}`);
}

describe('a message through a relay, as people read it', () => {
	let sink, srv, admin;
	before(async () => {
		sink = await startSmtpSink();
		srv = await startServer({ db: database(), args: ['--smtp', sink.url] });
		admin = await signedIn(srv.url, ADMIN.email);
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
	});

	test('the page shows the decoded sender, recipient, subject and body, the source one click away', async () => {
		await askForReset(srv.url, LI.email);
		const [sent] = await sink.waitFor(1);
		const e = await entry(admin, LI.email, 'Reset your password');
		assert.equal(e.delivered_by, 'relay');
		assert.equal(e.status_label, 'Sent');
		const page = await admin.get(`/admin/outbox/${e.id}`);
		assert.equal(page.status, 200);
		const source = between(page.body, '<details', '</details>');
		assert.ok(source, 'the source is behind a <details>');
		assert.match(source, /=\?UTF-8\?B\?/, 'the source keeps its encoded words');
		const shown = page.body.replace(source, '');
		assert.ok(!/=\?UTF-8\?/i.test(shown), 'no encoded word outside the source');
		assert.ok(!/Content-Transfer-Encoding/.test(shown), 'no MIME header outside the source');
		const text = textOf(shown);
		// What the page shows is what the relay's parser decoded.
		assert.ok(text.includes(`From ${sent.text('From')}`), `From as sent: ${sent.text('From')}`);
		assert.ok(text.includes(`To ${sent.text('To')}`), `To as sent: ${sent.text('To')}`);
		assert.ok(text.includes(`Subject ${sent.text('Subject')}`), `Subject as sent: ${sent.text('Subject')}`);
		assert.equal(sent.text('Subject'), `Reset your password · ${SITE}`);
		const body = between(shown, '<pre class="mail-body">', '</pre>');
		assert.ok(textOf(body).startsWith(`Hello ${LI.name},`), textOf(body).slice(0, 80));
		assert.ok(!/=[0-9A-F]{2}/.test(body), 'the body is not quoted-printable');
		assert.match(textOf(body), /reset-password\?token=…/, 'the token stays hidden');
	});
});

describe('a message written to a file', () => {
	let srv, admin, db;
	before(async () => {
		db = database();
		srv = await startServer({ db, args: ['--outbox', path.join(tempDir(), 'mail')] });
		admin = await signedIn(srv.url, ADMIN.email);
	});
	after(() => srv?.stop());

	test('is "Written to file", not "Sent", in the list, on its page and in the API', async () => {
		await askForReset(srv.url, LI.email);
		const e = await entry(admin, LI.email, 'Reset your password');
		assert.equal(e.status, 'sent');
		assert.equal(e.delivered_by, 'file');
		assert.equal(e.status_label, 'Written to file');
		const list = textOf((await admin.get('/admin/outbox')).body);
		assert.match(list, /Written to file/);
		assert.ok(!/\bSent\b/.test(list.replace(/Sent or written to file/g, '')), 'no message says Sent');
		const page = textOf((await admin.get(`/admin/outbox/${e.id}`)).body);
		assert.match(page, /written to a file on the server instead of being sent\. Nobody has received it\./);
		assert.match(page, /Written to file \d/);
		assert.ok(!/\bSent\b/.test(page), page);
	});
});

describe('the site settings page', () => {
	let srv, db, admin, out;
	before(async () => {
		db = database();
		out = path.join(tempDir(), 'mail');
		srv = await startServer({ db, args: ['--outbox', out] });
		admin = await signedIn(srv.url, ADMIN.email);
	});
	after(() => srv?.stop());

	test('only administrators see it', async () => {
		const organiser = await signedIn(srv.url, ORGANISER.email);
		assert.equal((await organiser.get('/admin/settings')).status, 403);
		assert.equal((await organiser.getJson('/api/v1/settings')).status, 403);
		const visitor = await new Client(srv.url).get('/admin/settings');
		assert.equal(visitor.status, 303);
		assert.match(visitor.headers.location, /^\/sign-in/);
		const page = await admin.get('/admin/settings');
		assert.equal(page.status, 200);
		assert.equal(page.headers['cache-control'], 'no-store');
		assert.match(page.body, /aria-current="page">Settings</);
		assert.match(page.body, new RegExp(`name="site_name"[^>]*value="${SITE}"`));
		assert.match(page.body, /<datalist id="timezone-list">.*<option value="Asia\/Shanghai">/s, 'zones to choose from');
	});

	test('a write without the CSRF token, or by an organiser, changes nothing', async () => {
		const organiser = await signedIn(srv.url, ORGANISER.email);
		await outboxSettled(db);
		const before = dbSnapshot(db);
		await admin.get('/admin/settings');
		assert.equal((await admin.post('/admin/settings', { site_name: 'Forged' }, { csrf: false })).status, 403);
		assert.equal((await organiser.post('/admin/settings', { site_name: 'Forged' })).status, 403);
		assert.equal((await organiser.api('PATCH', '/api/v1/settings', { site_name: 'Forged' })).status, 403);
		assertDbUnchanged(db, before, 'refused settings');
	});

	test('refused values are named beside their fields, keeping what was typed', async () => {
		await admin.get('/admin/settings');
		const r = await admin.post('/admin/settings', { site_name: '', site_tagline: 'Kept', sender_name: 'Secretariat', sender_address: 'not an address', timezone: 'Mars/Olympus' });
		assert.equal(r.status, 400);
		const t = textOf(r.body);
		assert.match(t, /Please correct the fields marked below/);
		assert.match(r.body, /id="site_name-error"/);
		assert.match(r.body, /id="sender_address-error"/);
		assert.match(r.body, /value="Kept"/);
		const zone = await admin.post('/admin/settings', { site_name: 'A name', timezone: 'Mars/Olympus' });
		assert.equal(zone.status, 400);
		assert.match(textOf(zone.body), /Choose a known time zone/);
		const quote = await admin.post('/admin/settings', { site_name: 'A name', sender_name: 'The "Secretariat"', sender_address: 'sec@example.org' });
		assert.equal(quote.status, 400);
		assert.match(quote.body, /id="sender_name-error"/);
	});

	test('a change is audited and reaches every page and the next e-mail', async () => {
		await admin.get('/admin/settings');
		const r = await admin.post('/admin/settings', { site_name: 'Consultations Asie-Pacifique', site_tagline: 'Dialogue', sender_name: 'Secrétariat', sender_address: 'secretariat@consult.example', timezone: 'Asia/Shanghai' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, '/admin/settings?done=saved');
		assert.match(textOf((await admin.get(r.headers.location)).body), /The settings are saved/);
		const home = await new Client(srv.url).get('/');
		assert.match(between(home.body, '<header', '</header>'), /Consultations Asie-Pacifique/);
		assert.match(between(home.body, '<header', '</header>'), /Dialogue/);
		const [row] = jsonRows(db, "SELECT actor, action, entity, before_json, after_json FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1");
		assert.equal(row.actor, ADMIN.email);
		assert.deepEqual(JSON.parse(row.after_json), { site_name: 'Consultations Asie-Pacifique', site_tagline: 'Dialogue', mail_from: 'Secrétariat <secretariat@consult.example>', timezone: 'Asia/Shanghai' });
		assert.equal(JSON.parse(row.before_json).site_name, SITE);

		await askForReset(srv.url, LI.email);
		const [m] = await waitUntil(() => emlFiles(out).length && emlFiles(out), 'a .eml file');
		assert.equal(m.text('From'), 'Secrétariat <secretariat@consult.example>');
		assert.equal(m.text('Subject'), 'Reset your password · Consultations Asie-Pacifique');

		// An address alone goes out under the site's name.
		await admin.get('/admin/settings');
		assert.equal((await admin.post('/admin/settings', { site_name: 'Consultations Asie-Pacifique', sender_address: 'hello@consult.example' })).status, 303);
		await askForReset(srv.url, ADMIN.email);
		const m2 = await waitUntil(() => emlFiles(out).find((f) => f.text('To').includes(ADMIN.email) && f.text('Subject').startsWith('Reset')), 'a second .eml file');
		assert.equal(m2.text('From'), 'Consultations Asie-Pacifique <hello@consult.example>');
		const again = (await admin.getJson('/api/v1/settings')).json;
		assert.equal(again.mail_from, 'hello@consult.example');
		assert.equal(again.site_tagline, null, 'an emptied field clears the setting');
		assert.equal(again.timezone, null);
	});

	test('the JSON API reads and patches the settings', async () => {
		await admin.get('/admin/settings');
		const r = await admin.api('PATCH', '/api/v1/settings', { site_tagline: 'Par l’API', timezone: 'Europe/Paris' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.site_tagline, 'Par l’API');
		assert.equal(r.json.timezone, 'Europe/Paris');
		assert.equal(r.json.site_name, 'Consultations Asie-Pacifique', 'what was not sent stays');
		const bad = await admin.api('PATCH', '/api/v1/settings', { site_name: 'Fine', colour: 'red' });
		assert.equal(bad.status, 400);
		assert.equal(bad.json.errors.colour, 'There is no such setting.');
		assert.equal((await admin.getJson('/api/v1/settings')).json.site_name, 'Consultations Asie-Pacifique', 'nothing of a refused patch');
		const cleared = await admin.api('PATCH', '/api/v1/settings', { site_name: null });
		assert.equal(cleared.status, 400);
		assert.equal(cleared.json.errors.site_name, 'This field is required.');
		const noCsrf = await admin.api('PATCH', '/api/v1/settings', { site_tagline: 'x' }, { csrf: false });
		assert.equal(noCsrf.status, 403);
	});
});

describe('harmony settings', () => {
	test('lists, sets, reads and unsets, audited as cli, and the next e-mail has the sender', async () => {
		const db = database();
		const cli = (...a) => runCli(['settings', ...a, '--db', db]);
		let r = cli('set', 'mail_from', 'Secretariat <secretariat@cli.example>');
		assert.equal(r.status, 0, r.stderr);
		assert.equal(cli('get', 'mail_from').stdout, 'Secretariat <secretariat@cli.example>\n');
		r = cli('list');
		assert.match(r.stdout, new RegExp(`^site_name\\t${SITE}$`, 'm'));
		assert.match(r.stdout, /^timezone\t$/m);
		assert.deepEqual(JSON.parse(cli('list', '--format', 'json').stdout).mail_from, 'Secretariat <secretariat@cli.example>');
		r = cli('set', 'timezone', 'Nowhere/Else');
		assert.equal(r.status, 2);
		assert.match(r.stderr, /Choose a known time zone/);
		r = cli('set', 'mail_from', 'not an address');
		assert.equal(r.status, 2);
		r = cli('unset', 'site_name');
		assert.equal(r.status, 2);
		assert.match(r.stderr, /site_name is required/);
		r = cli('set', 'colour', 'red');
		assert.equal(r.status, 2);
		assert.match(r.stderr, /no setting colour/);
		assert.equal(cli('get', 'timezone').status, 3, 'an unset setting is not found');
		const [row] = jsonRows(db, "SELECT actor, after_json FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1");
		assert.equal(row.actor, 'cli');
		assert.deepEqual(JSON.parse(row.after_json), { mail_from: 'Secretariat <secretariat@cli.example>' });

		const out = path.join(tempDir(), 'mail');
		const srv = await startServer({ db, args: ['--outbox', out] });
		try {
			await askForReset(srv.url, LI.email);
			const [m] = await waitUntil(() => emlFiles(out).length && emlFiles(out), 'a .eml file');
			assert.equal(m.text('From'), 'Secretariat <secretariat@cli.example>');
			// A change made while the server runs reaches the next page.
			assert.equal(cli('set', 'site_name', 'Renamed from the command line').status, 0);
			const home = await waitUntil(async () => {
				const h = await new Client(srv.url).get('/');
				return h.body.includes('Renamed from the command line') && h;
			}, 'the new name on the home page');
			assert.ok(home);
		} finally {
			await srv.stop();
		}
		assert.equal(cli('unset', 'mail_from').status, 0);
		assert.equal(cli('get', 'mail_from').status, 3);
	});
});

describe('links by e-mail', () => {
	let srv, db, admin, out;
	before(async () => {
		db = database();
		out = path.join(tempDir(), 'mail');
		srv = await startServer({ db, args: ['--outbox', out] });
		admin = await signedIn(srv.url, ADMIN.email);
	});
	after(() => srv?.stop());

	const lifetime = (email) => {
		const [r] = jsonRows(db, `SELECT r.created_at, r.expires_at FROM password_reset r JOIN account a ON a.id = r.account_id WHERE a.email = ${q(email)} AND r.used_at IS NULL ORDER BY r.id DESC LIMIT 1`);
		return (Date.parse(r.expires_at) - Date.parse(r.created_at)) / 1000;
	};

	test('an invitation lasts seven days and says so; a reset link an hour', async () => {
		await admin.get('/admin/accounts');
		const r = await admin.post('/admin/accounts', { email: 'guest@example.org', name: 'Guest', lang: 'en', role: 'participant' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(lifetime('guest@example.org'), 7 * 24 * 3600);
		const mail = await waitUntil(() => emlFiles(out).find((f) => f.text('To').includes('guest@example.org') && f.text('Subject').startsWith('Your account')), 'the invitation');
		assert.match(mail.body, /open this link within seven days:/);
		assert.ok(!/one hour/.test(mail.body));
		// The link still works six days later (moved back in the database).
		sqlite(db, `UPDATE password_reset SET created_at = ${q(new Date(Date.now() - 6 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z'))}, expires_at = ${q(new Date(Date.now() + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z'))} WHERE account_id = (SELECT id FROM account WHERE email = 'guest@example.org')`);
		const token = new URL(mail.body.match(/https?:\/\/\S+reset-password\?token=\S+/)[0]).searchParams.get('token');
		const c = new Client(srv.url);
		assert.equal((await c.get(`/reset-password?token=${token}`)).status, 200);
		assert.equal((await c.post('/reset-password', { token, password: 'my own long password', confirm: 'my own long password' })).status, 200);

		await askForReset(srv.url, LI.email);
		assert.equal(lifetime(LI.email), 3600);
	});
});

describe('harmony demo', () => {
	test('prints an administrator\'s login as well as the organiser\'s', async () => {
		const file = path.join(tempDir(), 'h.db');
		const target = onPg ? freshDatabase(file) : file;
		const r = runCli(['demo', '--db', target]);
		assert.equal(r.status, 0, r.stderr);
		const admin = /^administrator account: (\S+)\npassword \(shown only now\): (\S+)$/m.exec(r.stdout);
		assert.ok(admin, r.stdout);
		assert.match(r.stdout, /^organiser account: \S+$/m);
		const srv = await startServer({ db: target });
		try {
			const c = await signedIn(srv.url, admin[1], admin[2]);
			for (const p of ['/admin/settings', '/admin/outbox', '/admin/audit', '/admin/accounts'])
				assert.equal((await c.get(p)).status, 200, p);
		} finally {
			await srv.stop();
		}
	});
});
