// registration-desk.test.mjs — the venue's side of registration end to
// end: badges and letters as PDF read back with pdftotext (names in
// Chinese and Arabic), check-in by code and nonce, invitations whose link
// registers once and only its address (through a real SMTP sink), the
// e-mails' calendar file, and who sees the list of participants.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { startSmtpSink, waitUntil } from './lib/mail.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

const ADMIN = 'admin@example.org';
const PART = 'amina@example.org'; // an account that registers with its own address
let srv, sink, token, slug;
const dir = tempDir();

before(async () => {
	sink = await startSmtpSink();
	const db = makeDemo(path.join(dir, 'h.db'));
	addAccount(db, { email: ADMIN, name: 'Admin', role: 'admin' });
	addAccount(db, { email: PART, name: 'Amina' });
	srv = await startServer({ db, args: ['--smtp', sink.url] });
	token = await apiToken(await signedIn(srv.url, ADMIN), 'write');
	let r = await call('POST', '/api/v1/events', {
		title: 'Desk consultation', starts_on: '2031-05-02', ends_on: '2031-05-03', timezone: 'Asia/Shanghai',
		city: 'Shanghai', country: 'CN', status: 'published',
	});
	assert.equal(r.status, 201, r.body);
	slug = r.json.slug;
	r = await call('PATCH', `/api/v1/events/${slug}/registration`, {
		mode: 'open', capacity: 10, directory: 'participants', letter_org: 'Alliance of Civilizations',
		letter_signatory: 'A. Signatory',
	});
	assert.equal(r.status, 200, r.body);
	for (const [name, email, extra] of [['张伟', 'zhang@example.org', { wants_letter: true }], ['محمد عبد الله', 'mohammed@example.org', {}],
		['Amina', PART, { consent_directory: true }]]) {
		r = await call('POST', `/api/v1/events/${slug}/registrations`, { name, email, sector: 'ngo', country: 'CN', organisation: 'Org', ...extra });
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json.status, 'approved');
	}
});
after(async () => {
	await srv?.stop();
	await sink?.stop();
});

const call = (method, p, body) => bearer(srv.url, token, method, p, body);
const list = async () => (await call('GET', `/api/v1/events/${slug}/registrations`)).json.registrations;

function pdfText(bytes, name) {
	const file = path.join(dir, name);
	writeFileSync(file, bytes);
	return execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
}

test('badges: every approved name, in its script, with its check-in code', async () => {
	const r = await request(`${srv.url}/api/v1/events/${slug}/badges.pdf`, { headers: { Authorization: `Bearer ${token}` } });
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'], /^application\/pdf/);
	const text = pdfText(r.bytes, 'badges.pdf');
	assert.ok(text.includes('张伟'), text);
	// pdftotext -raw gives Arabic letters in reading order, each wrapped
	// in direction marks: compare without them and without spaces
	const plain = text.replace(/[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
	assert.ok(plain.includes('محمدعبدالله'), text);
	for (const p of await list()) assert.ok(text.includes(p.checkin_code), `${p.checkin_code} printed`);
});

test('check-in: first, again, a retried request, made-up and unapproved codes', async () => {
	const [zhang] = await list();
	const url = `/api/v1/events/${slug}/check-ins`;
	let r = await call('POST', url, { code: zhang.checkin_code, nonce: 'desk-1-1' });
	assert.equal(r.status, 201, r.body);
	assert.equal(r.json.first, true);
	assert.equal(r.json.registration.name, '张伟');
	const at = r.json.checked_in_at;
	// the same attempt again: the same answer
	r = await call('POST', url, { code: zhang.checkin_code, nonce: 'desk-1-1' });
	assert.equal(r.status, 201, r.body);
	assert.equal(r.json.first, true);
	// another desk scans the badge: who and when
	r = await call('POST', url, { code: zhang.checkin_code.toUpperCase().replace('HM1-', 'HM1-'), nonce: 'desk-2-1' });
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.first, false);
	assert.equal(r.json.checked_in_at, at);
	assert.equal(r.json.checked_in_by, ADMIN);
	r = await call('POST', url, { code: zhang.checkin_code.replace(/.$/, (c) => (c === '0' ? '1' : '0')), nonce: 'x' });
	assert.equal(r.status, 404, r.body);
	r = await call('POST', url, { code: zhang.checkin_code });
	assert.equal(r.status, 400, r.body);
	const amina = (await list()).find((x) => x.email === PART);
	assert.equal((await call('PATCH', `/api/v1/registrations/${amina.id}`, { status: 'waitlisted' })).status, 200);
	r = await call('POST', url, { code: amina.checkin_code, nonce: 'desk-1-2' });
	assert.equal(r.status, 409, r.body);
	assert.equal((await call('PATCH', `/api/v1/registrations/${amina.id}`, { status: 'approved' })).status, 200);
	const d = await call('GET', `/events/${slug}/diversity`);
	assert.equal(d.json.statuses.attended, 1);
});

test('a letter for a visa: the person named on the letterhead of the settings', async () => {
	const [zhang] = await list();
	const r = await request(`${srv.url}/api/v1/registrations/${zhang.id}/letter.pdf`, { headers: { Authorization: `Bearer ${token}` } });
	assert.equal(r.status, 200);
	const text = pdfText(r.bytes, 'letter.pdf');
	assert.match(text, /Alliance of Civilizations/);
	assert.ok(text.includes('张伟'));
	assert.match(text, /A\. Signatory/);
	// the person's own link gives it too; another's does not
	const m = await waitUntil(() => sink.messages().find((x) => x.envelope.rcpt_tos.includes('zhang@example.org')), 'a mail to Zhang');
	const link = new URL(m.body.match(/https?:\/\/\S+\/registration\/\d+\.[A-Za-z0-9_-]{32}/)[0]).pathname;
	assert.equal((await request(`${srv.url}${link}/letter.pdf`)).status, 200);
	const mo = await waitUntil(() => sink.messages().find((x) => x.envelope.rcpt_tos.includes('mohammed@example.org')), 'a mail to Mohammed');
	const other = new URL(mo.body.match(/https?:\/\/\S+\/registration\/\d+\.[A-Za-z0-9_-]{32}/)[0]).pathname;
	assert.equal((await request(`${srv.url}${other}/letter.pdf`)).status, 409, 'he did not ask for one');
	// every e-mail carries the event's calendar file
	const ics = m.parts.find((x) => /^text\/calendar/.test(x.type ?? ''));
	assert.ok(ics, 'a calendar file');
	assert.match(ics.disposition, /attachment; filename=".+\.ics"/);
	assert.match(ics.content, /^BEGIN:VCALENDAR\r\n/);
	assert.match(ics.content, /\r\nSUMMARY:Desk consultation\r\n/);
	assert.match(ics.content, /\r\nDTSTART;VALUE=DATE:20310502\r\n/);
});

test('invitations: the link registers once, and only its address', async () => {
	const r0 = await call('POST', '/api/v1/events', {
		title: 'By invitation', starts_on: '2031-06-02', ends_on: '2031-06-03', timezone: 'UTC', city: 'Geneva', country: 'CH', status: 'published',
	});
	const inv = r0.json.slug;
	assert.equal((await call('PATCH', `/api/v1/events/${inv}/registration`, { mode: 'invitation', capacity: 5 })).status, 200);
	assert.equal((await call('POST', `/api/v1/events/${inv}/invitations`, { invitations: [{ email: 'guest@example.org', name: 'Guest' }] })).status, 201);
	const m = await waitUntil(() => sink.messages().find((x) => x.envelope.rcpt_tos.includes('guest@example.org')), 'the invitation');
	const token = m.body.match(/invitation=([A-Za-z0-9_-]{43})/)[1];
	const visitor = async () => {
		const c = new Client(srv.url);
		c.csrf = (await c.getJson(`/events/${inv}/register?invitation=${token}`)).json.csrf;
		return c;
	};
	const form = { name: 'Guest', sector: 'academia', country: 'CH', invitation: token };
	let c = await visitor();
	let r = await c.api('POST', `/api/v1/events/${inv}/registrations`, { ...form, email: 'intruder@example.org' });
	assert.equal(r.status, 400, r.body);
	r = await c.api('POST', `/api/v1/events/${inv}/registrations`, { ...form, email: 'GUEST@example.org' });
	assert.equal(r.status, 201, r.body);
	c = await visitor();
	r = await c.api('POST', `/api/v1/events/${inv}/registrations`, { ...form, email: 'friend@example.org' });
	assert.equal(r.status, 400, 'the link is used');
	const used = (await call('GET', `/api/v1/events/${inv}/invitations`)).json.invitations[0];
	assert.ok(used.used_at);
});

test('the list of participants: only who agreed, only for whom the setting allows', async () => {
	// participants: a visitor is sent to sign in; the approved person sees it
	let r = await request(`${srv.url}/api/v1/events/${slug}/participants`, { headers: { Accept: 'application/json' } });
	assert.ok([401, 403, 404].includes(r.status), `visitor: ${r.status}`);
	const amina = new Client(srv.url);
	await amina.signIn(PART);
	r = await amina.getJson(`/api/v1/events/${slug}/participants`);
	assert.equal(r.status, 200, r.body);
	assert.deepEqual(r.json.participants.map((p) => p.name), ['Amina']);
	assert.ok(!JSON.stringify(r.json).includes('@'), 'no addresses');
	// without an account: the link of her registration opens it, a made-up one does not
	const m = await waitUntil(() => sink.messages().find((x) => x.envelope.rcpt_tos.includes(PART)), 'a mail to Amina');
	const token = m.body.match(/\/registration\/(\d+\.[A-Za-z0-9_-]{32})/)[1];
	const own = await request(`${srv.url}/registration/${token}`);
	assert.ok(own.body.includes(`/events/${slug}/participants?registration=${token}`), 'her page links the list');
	r = await request(`${srv.url}/api/v1/events/${slug}/participants?registration=${token}`, { headers: { Accept: 'application/json' } });
	assert.equal(r.status, 200, r.body);
	r = await request(`${srv.url}/api/v1/events/${slug}/participants?registration=${token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`, { headers: { Accept: 'application/json' } });
	assert.equal(r.status, 404, r.body);
	assert.equal((await call('PATCH', `/api/v1/events/${slug}/registration`, { directory: 'public' })).status, 200);
	r = await request(`${srv.url}/api/v1/events/${slug}/participants`, { headers: { Accept: 'application/json' } });
	assert.equal(r.status, 200);
	assert.equal((await call('PATCH', `/api/v1/events/${slug}/registration`, { directory: 'none' })).status, 200);
	r = await amina.getJson(`/api/v1/events/${slug}/participants`);
	assert.equal(r.status, 404);
});
