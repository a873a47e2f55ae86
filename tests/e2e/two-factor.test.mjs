// two-factor.test.mjs — a second factor for signing in (TOTP, RFC 6238,
// as any authenticator app computes it; the codes here are computed by
// this test from the secret the server gives): turning it on and off,
// signing in with a code or a recovery code, codes that do not work twice,
// and a site that requires it of administrators.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';
import { emlFiles, waitUntil } from './lib/mail.mjs';
import { dbHome } from './lib/backend.mjs';

function base32(s) {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = '';
	for (const ch of s.replace(/=+$/, '')) bits += abc.indexOf(ch).toString(2).padStart(5, '0');
	const out = [];
	for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
	return Buffer.from(out);
}

// The code of step (30-second periods since 1970) for secret.
function totp(secret, step = Math.floor(Date.now() / 1000 / 30)) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(step));
	const h = crypto.createHmac('sha1', base32(secret)).update(msg).digest();
	const o = h[19] & 15;
	return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 1000 / 30);

let srv;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'tf@example.org', name: 'Two Factor' });
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	srv = await startServer({ db });
});
after(async () => {
	await srv?.stop();
});

// Waits for an e-mail to email whose subject starts with subject.
const noticeTo = (email, subject) => waitUntil(() => emlFiles(path.join(dbHome(srv.db), 'outbox'))
	.find((m) => m.text('To')?.includes(email) && m.text('Subject')?.startsWith(subject)), `"${subject}" to ${email}`);

// Signs in through the form as a browser does, with fields beyond the
// e-mail and password; the answer as JSON.
async function signIn(email, extra = {}) {
	const c = new Client(srv.url);
	await c.get('/sign-in');
	const r = await c.post('/sign-in', { email, password: PASSWORD, ...extra }, { json: true });
	return { c, r };
}

describe('two-factor sign-in', () => {
	let secret;
	let codes;
	test('it is turned on with a code from the app, and gives recovery codes once', async () => {
		const c = await signedIn(srv.url, 'tf@example.org');
		let page = await c.getJson('/account');
		assert.equal(page.json.two_factor, 'off');
		let r = await c.api('POST', '/api/v1/account/two-factor');
		assert.equal(r.status, 201, r.body);
		secret = r.json.secret;
		assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits, base32');
		assert.equal(r.json.otpauth_uri, `otpauth://totp/United%20Nations%20Alliance%20of%20Civilizations:tf%40example.org?secret=${secret}&issuer=United%20Nations%20Alliance%20of%20Civilizations&algorithm=SHA1&digits=6&period=30`);
		assert.equal((await c.getJson('/account')).json.two_factor, 'pending');
		// The HTML page shows the secret and a QR code.
		await c.get('/account');
		const html = await c.post('/account/two-factor');
		assert.equal(html.status, 201);
		const shown = /<code>([A-Z2-7]+)<\/code>/.exec(html.body)[1];
		assert.match(html.body, /<img class="qr-code" src="data:image\/svg\+xml;base64,/);
		secret = shown; // a second start replaces the secret not yet confirmed
		r = await c.api('POST', '/api/v1/account/two-factor/confirm', { code: '000000' === totp(secret) ? '111111' : '000000' });
		assert.equal(r.status, 400);
		assert.match(r.json.errors.code, /not right/);
		r = await c.api('POST', '/api/v1/account/two-factor/confirm', { code: totp(secret) });
		assert.equal(r.status, 200, r.body);
		codes = r.json.recovery_codes;
		assert.equal(codes.length, 10);
		assert.equal(new Set(codes).size, 10);
		for (const code of codes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
		page = await c.getJson('/account');
		assert.equal(page.json.two_factor, 'on');
		const on = await noticeTo('tf@example.org', 'Two-factor sign-in was turned on');
		for (const code of codes) assert.ok(!on.body.includes(code), 'no recovery code in the notice');
		assert.ok(!on.body.includes(secret), 'nor the secret');
		assert.equal(sqlite(srv.db, "SELECT count(*) FROM recovery_code WHERE code_hash LIKE '%-%';").trim(), '0', 'only digests are kept');
		r = await c.api('POST', '/api/v1/account/two-factor');
		assert.equal(r.status, 409, 'on already');
	});

	test('signing in then asks for a code; a code works once, a recovery code once', async () => {
		let { r } = await signIn('tf@example.org');
		assert.equal(r.status, 401);
		assert.equal(r.json.two_factor_required, true);
		assert.ok(r.json.error);
		({ r } = await signIn('tf@example.org', { code: '123456' === totp(secret) ? '654321' : '123456' }));
		assert.equal(r.status, 401);
		assert.equal(r.json.two_factor_required, true);
		// A code of a later step than any used so far.
		const code = totp(secret, stepNow() + 1);
		let s = await signIn('tf@example.org', { code });
		assert.equal(s.r.status, 200, s.r.body);
		assert.equal((await s.c.getJson('/account')).status, 200, 'signed in');
		s = await signIn('tf@example.org', { code });
		assert.equal(s.r.status, 401, 'the same code does not work twice');
		s = await signIn('tf@example.org', { code: codes[0].toUpperCase() });
		assert.equal(s.r.status, 200, 'a recovery code, typed in capitals');
		s = await signIn('tf@example.org', { code: codes[0] });
		assert.equal(s.r.status, 401, 'a recovery code works once');
		// The wrong password is still just a wrong password.
		const c = new Client(srv.url);
		await c.get('/sign-in');
		const w = await c.post('/sign-in', { email: 'tf@example.org', password: 'not the password at all', code: codes[1] }, { json: true });
		assert.equal(w.status, 401);
		assert.equal(w.json.two_factor_required, undefined);
		// The form shows where the code goes.
		const form = await new Client(srv.url).get('/sign-in');
		assert.match(form.body, /name="code"/);
	});

	test('it is turned off with the password', async () => {
		const { c } = await signIn('tf@example.org', { code: codes[2] });
		await c.get('/account');
		let r = await c.api('POST', '/api/v1/account/two-factor/off', { password: 'not the password at all' });
		assert.equal(r.status, 400);
		assert.equal((await c.getJson('/account')).json.two_factor, 'on', 'a wrong password leaves it on');
		assert.equal((await signIn('tf@example.org')).r.json.two_factor_required, true, 'and a code is still asked');
		r = await c.api('POST', '/api/v1/account/two-factor/off', { password: PASSWORD });
		assert.equal(r.status, 200, r.body);
		const s = await signIn('tf@example.org');
		assert.equal(s.r.status, 200, 'no code asked any more');
		await noticeTo('tf@example.org', 'Two-factor sign-in was turned off');
		const log = sqlite(srv.db, "SELECT action FROM audit_log WHERE action LIKE 'account.two_factor%' ORDER BY id;").trim().split('\n').join(',');
		assert.equal(log, 'account.two_factor_on,account.two_factor_off');
	});

	test('a site may require it of administrators', async () => {
		const admin = await signedIn(srv.url, 'admin@example.org');
		assert.equal((await admin.get('/admin')).status, 200);
		sqlite(srv.db, "INSERT INTO site_setting (key, value) VALUES ('two_factor_admins', 'required') ON CONFLICT (key) DO UPDATE SET value = excluded.value;");
		try {
			let r = await admin.get('/admin');
			assert.equal(r.status, 403);
			assert.match(r.body, /second factor/);
			r = await admin.api('POST', '/api/v1/categories', { name: 'Nope' });
			assert.equal(r.status, 403);
			assert.equal(sqlite(srv.db, "SELECT count(*) FROM category WHERE name = 'Nope';").trim(), '0', 'the refused write made nothing');
			assert.equal((await admin.get('/')).status, 200, 'public pages still');
			// Its own account page still works, to turn it on.
			r = await admin.api('POST', '/api/v1/account/two-factor');
			assert.equal(r.status, 201);
			r = await admin.api('POST', '/api/v1/account/two-factor/confirm', { code: totp(r.json.secret) });
			assert.equal(r.status, 200);
			assert.equal((await admin.get('/admin')).status, 200, 'with the second factor on');
		} finally {
			sqlite(srv.db, "DELETE FROM site_setting WHERE key = 'two_factor_admins';");
		}
	});
});
