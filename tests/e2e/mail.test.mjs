// mail.test.mjs — e-mail end to end. A reset link asked for on the site
// reaches a real SMTP server (aiosmtpd) with proper headers, a UTF-8
// subject and names, a quoted-printable body and a link that works once;
// the outbox page shows the message but never the link's token. A refused
// recipient fails for good; a relay that is down keeps the message queued
// with the reason, and "Send now" delivers it once the relay is up.
// Without a relay each message becomes a .eml file. Bad --smtp and
// --outbox values are refused at start.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { textOf } from './lib/html.mjs';
import { emlFiles, freePort, linkIn, startSmtpSink, waitUntil } from './lib/mail.mjs';
import { makeDemo, runCliAsync, startServer, tempDir } from './lib/server.mjs';
import { q, sqlite } from './lib/sqlite.mjs';
import { dbHome } from './lib/backend.mjs';

const SITE = 'Alliance des civilisations — 文明联盟';
const FROM = 'Secrétariat <secretariat@harmony.example>';
const ADMIN = 'admin@example.org';
const LI = { email: 'li.hua@example.org', name: '李华' };

// A demo database with the accounts and site settings of these tests.
function database({ settings = true } = {}) {
	const dir = tempDir();
	const db = makeDemo(path.join(dir, 'h.db'));
	if (settings)
		sqlite(db, `UPDATE site_setting SET value = ${q(SITE)} WHERE key = 'site_name';
INSERT INTO site_setting (key, value) VALUES ('mail_from', ${q(FROM)});`);
	addAccount(db, { email: ADMIN, name: 'Admin', role: 'admin' });
	addAccount(db, LI);
	addAccount(db, { email: 'reject@example.org', name: 'Refused' });
	return db;
}

async function askForReset(base, email) {
	const c = new Client(base);
	await c.get('/forgot-password');
	const r = await c.post('/forgot-password', { email });
	assert.equal(r.status, 200, `forgot-password: ${r.body.slice(0, 300)}`);
	return r;
}

// The newest reset link to a recipient in the outbox, as the JSON API
// shows it (a password reset is followed by a notice to the same person).
async function outboxEntry(admin, recipient) {
	const r = await admin.getJson('/api/v1/outbox');
	assert.equal(r.status, 200);
	return r.json.messages.find((m) => m.recipient === recipient && m.subject.startsWith('Reset your password'));
}

describe('through an SMTP relay', () => {
	let sink, srv, admin;
	before(async () => {
		sink = await startSmtpSink();
		srv = await startServer({ db: database(), args: ['--smtp', sink.url] });
		admin = await signedIn(srv.url, ADMIN);
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
	});

	let message;
	test('a reset link arrives with proper headers and a UTF-8 subject', async () => {
		await askForReset(srv.url, 'Li.Hua@Example.ORG');
		[message] = await sink.waitFor(1);
		assert.deepEqual(message.envelope.rcpt_tos, [LI.email]);
		assert.equal(message.envelope.mail_from, 'secretariat@harmony.example');
		assert.equal(message.text('From'), FROM);
		assert.equal(message.text('To'), `${LI.name} <${LI.email}>`);
		assert.equal(message.text('Subject'), `Reset your password · ${SITE}`);
		for (const h of ['From', 'To', 'Subject'])
			assert.match(message.header(h), /=\?UTF-8\?B\?/, `${h} carries encoded words`);
		assert.match(message.header('Date'), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/);
		assert.match(message.header('Message-ID'), /^<[0-9a-f]{32}@harmony\.example>$/);
		assert.equal(message.header('MIME-Version'), '1.0');
		assert.equal(message.header('Content-Type'), 'text/plain; charset=UTF-8');
		assert.equal(message.header('Content-Transfer-Encoding'), 'quoted-printable');
		assert.equal(message.header('Auto-Submitted'), 'auto-generated');
		for (const line of message.raw.split('\r\n'))
			assert.ok(line.length <= 78, `line over 78 characters: ${line}`);
		assert.ok(!/[^\r]\n/.test(message.raw), 'every line ends with CRLF');
		assert.match(message.body, new RegExp(`^Hello ${LI.name},`));
		assert.ok(message.body.includes(SITE), 'the body names the site');
		const link = linkIn(message, '/reset-password?token=');
		assert.match(link, new RegExp(`^${srv.url}/reset-password\\?token=[A-Za-z0-9_-]{43}$`));
	});

	test('the link sets a new password once', async () => {
		const link = linkIn(message, '/reset-password?token=');
		const c = new Client(srv.url);
		const form = await c.get(link.slice(srv.url.length));
		assert.equal(form.status, 200);
		assert.equal(form.headers['cache-control'], 'no-store');
		const token = new URL(link).searchParams.get('token');
		const done = await c.post('/reset-password', { token, password: 'a new long passphrase', confirm: 'a new long passphrase' });
		assert.equal(done.status, 200);
		assert.match(textOf(done.body), /Your password is set/);
		await new Client(srv.url).signIn(LI.email, 'a new long passphrase');
		const old = new Client(srv.url);
		await old.get('/sign-in');
		assert.equal((await old.post('/sign-in', { email: LI.email, password: PASSWORD })).status, 401);
		const again = await c.get(link.slice(srv.url.length));
		assert.equal(again.status, 404);
		assert.match(textOf(again.body), /not valid or has expired/);
	});

	test('the outbox shows the message as sent, without its token', async () => {
		const entry = await waitUntil(async () => {
			const e = await outboxEntry(admin, LI.email);
			return e?.status === 'sent' && e;
		}, 'the message to be marked sent');
		const token = new URL(linkIn(message, '/reset-password?token=')).searchParams.get('token');
		const one = await admin.getJson(`/api/v1/outbox/${entry.id}`);
		assert.equal(one.status, 200);
		assert.equal(one.json.delivered_to, sink.url);
		assert.equal(one.json.attempts, 1);
		assert.ok(!one.body.includes(token), 'the JSON holds no token');
		assert.match(one.json.body, /reset-password\?token=…/);
		const page = await admin.get(`/admin/outbox/${entry.id}`);
		assert.equal(page.status, 200);
		assert.equal(page.headers['cache-control'], 'no-store');
		assert.ok(!page.body.includes(token), 'the page holds no token');
		assert.ok(textOf(page.body).includes(`Reset your password · ${SITE}`));
		const list = await admin.get('/admin/outbox?status=sent');
		assert.ok(textOf(list.body).includes(LI.email));
		assert.ok(textOf(list.body).includes(sink.url), 'the page says where mail goes');
	});

	test('an unknown address gets the same answer and no message', async () => {
		const known = textOf((await askForReset(srv.url, 'admin@example.org')).body).replace('admin@example.org', 'X');
		const unknown = textOf((await askForReset(srv.url, 'nobody@example.org')).body).replace('nobody@example.org', 'X');
		assert.equal(unknown, known);
		assert.equal(await outboxEntry(admin, 'nobody@example.org'), undefined);
		assert.ok(await outboxEntry(admin, ADMIN), 'the known address got its message');
	});

	test('a recipient the relay refuses fails for good, with the reason', async () => {
		await askForReset(srv.url, 'reject@example.org');
		const entry = await waitUntil(async () => {
			const e = await outboxEntry(admin, 'reject@example.org');
			return e?.status === 'failed' && e;
		}, 'the refused message to fail');
		assert.equal(entry.attempts, 1);
		assert.match(entry.last_error, /550/);
		assert.ok(!sink.messages().some((m) => m.envelope.rcpt_tos.includes('reject@example.org')));
		const page = await admin.get(`/admin/outbox/${entry.id}`);
		assert.match(textOf(page.body), /Last error: .*550/);
	});
});

describe('a relay that is down, then up', () => {
	let srv, sink, admin, port;
	before(async () => {
		port = await freePort();
		srv = await startServer({ db: database(), args: ['--smtp', `smtp://127.0.0.1:${port}`] });
		admin = await signedIn(srv.url, ADMIN);
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
	});

	test('the message waits with the reason, and "Send now" delivers it', async () => {
		await askForReset(srv.url, LI.email);
		const entry = await waitUntil(async () => {
			const e = await outboxEntry(admin, LI.email);
			return e?.attempts >= 1 && e;
		}, 'a first attempt');
		assert.equal(entry.status, 'queued');
		assert.match(entry.last_error, /connect/i);
		const one = await admin.getJson(`/api/v1/outbox/${entry.id}`);
		assert.ok(one.json.next_attempt_at > one.json.created_at, 'the next attempt is later');

		sink = await startSmtpSink({ port });
		await admin.get(`/admin/outbox/${entry.id}`);
		const r = await admin.post(`/admin/outbox/${entry.id}/retry`);
		assert.equal(r.status, 303);
		assert.equal(r.headers.location, `/admin/outbox/${entry.id}`);
		const [m] = await sink.waitFor(1);
		assert.equal(m.text('To'), `${LI.name} <${LI.email}>`);
		const sent = await waitUntil(async () => {
			const e = await outboxEntry(admin, LI.email);
			return e?.status === 'sent' && e;
		}, 'the message to be sent');
		const again = await admin.post(`/admin/outbox/${sent.id}/retry`);
		assert.equal(again.status, 409, 'a sent message is not sent twice');
	});
});

describe('without a relay', () => {
	test('each message is a private .eml file in the --outbox folder', async () => {
		const out = path.join(tempDir(), 'mail');
		const srv = await startServer({ db: database(), args: ['--outbox', out] });
		try {
			await askForReset(srv.url, LI.email);
			const [m] = await waitUntil(() => emlFiles(out).length && emlFiles(out), 'a .eml file');
			assert.equal(m.text('To'), `${LI.name} <${LI.email}>`);
			assert.equal(m.text('Subject'), `Reset your password · ${SITE}`);
			assert.match(linkIn(m, '/reset-password?token='), /token=[A-Za-z0-9_-]{43}$/);
			assert.match(path.basename(m.file), /^\d{8}T\d{6}Z-\d+\.eml$/);
			assert.equal(statSync(m.file).mode & 0o777, 0o600);
			const admin = await signedIn(srv.url, ADMIN);
			const page = await admin.get('/admin/outbox');
			assert.ok(textOf(page.body).includes(out), 'the page names the folder');
			const entry = await waitUntil(async () => {
				const e = await outboxEntry(admin, LI.email);
				return e?.status === 'sent' && e;
			}, 'the message to be marked sent');
			assert.equal((await admin.getJson(`/api/v1/outbox/${entry.id}`)).json.delivered_to, m.file);
		} finally {
			await srv.stop();
		}
	});

	test('by default the folder is "outbox" beside the database, and the site name is the sender', async () => {
		const srv = await startServer({ db: database({ settings: false }) });
		try {
			await askForReset(srv.url, LI.email);
			const out = path.join(dbHome(srv.db), 'outbox');
			const [m] = await waitUntil(() => emlFiles(out).length && emlFiles(out), 'a .eml file beside the database');
			assert.match(m.text('From'), /^United Nations Alliance of Civilizations <noreply@/);
		} finally {
			await srv.stop();
		}
	});
});

describe('harmony serve refuses', () => {
	let db, dir;
	before(() => {
		dir = tempDir();
		db = makeDemo(path.join(dir, 'h.db'));
		writeFileSync(path.join(dir, 'plain'), '');
	});
	for (const [id, args, re] of [
		['an http relay', ['--smtp', 'http://mail.example.org'], /smtp:\/\//],
		['a file URL', ['--smtp', 'file:///etc/passwd'], /smtp:\/\//],
		['a relay without a host', ['--smtp', 'smtp://'], /host/],
		['a relay URL with a space', ['--smtp', 'smtp://mail example.org'], /space/],
		['an outbox folder that cannot be made', ['--outbox', 'DIR/plain/outbox'], /outbox folder/],
	]) {
		test(id, async () => {
			const r = await runCliAsync(['serve', '--db', db, '--listen', '127.0.0.1:0', ...args.map((a) => a.replace('DIR', dir))]);
			assert.equal(r.status, 2, `exit status; stderr: ${r.stderr}`);
			assert.match(r.stderr, re);
			assert.doesNotMatch(r.stdout, /listening/);
		});
	}
});
