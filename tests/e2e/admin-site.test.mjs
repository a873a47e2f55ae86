// admin-site.test.mjs — the site's own administration, route by route and
// role by role (visitor, participant, organiser of the event, organiser of
// another event, administrator), in HTML and JSON: who may open the
// outbox, the audit log and the accounts; forms without CSRF refused;
// validation errors kept next to the field with what was typed; hostile
// text escaped; profile and password changes, forgotten passwords,
// invitations that let a new person choose a password, roles given and
// taken back, and every change in the audit log with a readable diff.
// Without a relay, mail lands as .eml files beside the database.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { attrs, textOf } from './lib/html.mjs';
import { emlFiles, linkIn, waitUntil } from './lib/mail.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, outboxSettled, q, sqlite } from './lib/sqlite.mjs';
import { dbHome } from './lib/backend.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const AUCKLAND = 'asia-pacific-auckland-2007';
const SERIES = 'regional-consultations';
const XSS = '<script>alert(1)</script>';
const XSS_ATTR = '"><img src=x onerror=alert(2)>';
const PEOPLE = {
	admin: { email: 'admin@example.org', name: 'Admin', role: 'admin' },
	organiser: { email: 'org@example.org', name: 'Organiser', role: 'organiser', event: SHANGHAI },
	other: { email: 'other@example.org', name: 'Other organiser', role: 'organiser', event: AUCKLAND },
	participant: { email: 'part@example.org', name: 'Participant' },
	pw: { email: 'pw@example.org', name: 'Password changer' },
};

let srv, outbox;
const as = {}; // signed-in clients by role; as.visitor has no account

before(async () => {
	const dir = tempDir();
	const db = makeDemo(path.join(dir, 'h.db'));
	for (const p of Object.values(PEOPLE)) addAccount(db, p);
	// Sixty old entries of their own kind, for paging the log.
	sqlite(db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json)
SELECT '2001-01-' || CASE WHEN 1 + i % 28 < 10 THEN '0' ELSE '' END || (1 + i % 28) || 'T12:00:00Z', 'cli', 'bulk.test', 'bulkthing', i, NULL, ${q('{"n":1}')} FROM n;`);
	srv = await startServer({ db });
	outbox = path.join(dbHome(srv.db), 'outbox');
	for (const role of ['admin', 'organiser', 'other', 'participant']) as[role] = await signedIn(srv.url, PEOPLE[role].email);
	as.visitor = new Client(srv.url);
	// One message in the outbox (id 1), so its page exists.
	await as.visitor.get('/forgot-password');
	assert.equal((await as.visitor.post('/forgot-password', { email: PEOPLE.participant.email })).status, 200);
});
after(() => srv?.stop());

const ADMIN_PAGES = ['/admin/outbox', '/admin/outbox/1', '/admin/audit', '/admin/accounts', '/admin/accounts/1', '/admin/accounts/admin@example.org'];
const ADMIN_API = ['/api/v1/outbox', '/api/v1/outbox/1', '/api/v1/audit', '/api/v1/accounts', '/api/v1/accounts/1'];

describe('who may open the administration pages', () => {
	for (const p of ADMIN_PAGES) {
		test(`visitor is sent to sign in: ${p}`, async () => {
			const r = await as.visitor.get(p);
			assert.equal(r.status, 303);
			assert.equal(r.headers.location, `/sign-in?next=${encodeURIComponent(p)}`);
		});
	}
	for (const p of ADMIN_API) {
		test(`visitor gets 401: ${p}`, async () => {
			const r = await as.visitor.getJson(p);
			assert.equal(r.status, 401);
		});
	}
	for (const role of ['participant', 'organiser', 'other']) {
		for (const p of [...ADMIN_PAGES, ...ADMIN_API]) {
			test(`${role} is refused: ${p}`, async () => {
				const r = p.startsWith('/api/') ? await as[role].getJson(p) : await as[role].get(p);
				assert.equal(r.status, 403);
				assert.ok(!r.body.includes(PEOPLE.participant.email), 'nothing private in the refusal');
			});
		}
	}
	for (const p of [...ADMIN_PAGES, ...ADMIN_API]) {
		test(`administrator may: ${p}`, async () => {
			const api = p.startsWith('/api/');
			const r = api ? await as.admin.getJson(p) : await as.admin.get(p);
			assert.equal(r.status, 200, r.body.slice(0, 300));
			assert.equal(r.headers['cache-control'], 'no-store');
			assert.match(r.headers['content-type'], api ? /application\/json/ : /text\/html/);
		});
	}
	test('an /api/ path answers JSON even without Accept', async () => {
		const r = await as.admin.get('/api/v1/accounts');
		assert.equal(r.status, 200);
		assert.match(r.headers['content-type'], /application\/json/);
	});
	for (const [role, method, p, body] of [
		['participant', 'POST', '/api/v1/accounts', { email: 'x1@example.org', name: 'X' }],
		['organiser', 'POST', '/api/v1/accounts/part@example.org/roles', { role: 'organiser', event: SHANGHAI }],
		['other', 'DELETE', '/api/v1/accounts/org@example.org/roles/event:' + SHANGHAI, undefined],
		['organiser', 'POST', '/api/v1/outbox/1/retry', {}],
		['participant', 'POST', '/api/v1/accounts/1/invite', {}],
	]) {
		test(`${role} cannot ${method} ${p} by JSON`, async () => {
			const before = dbSnapshot(srv.db);
			const r = await as[role].api(method, p, body);
			assert.equal(r.status, 403);
			assertDbUnchanged(srv.db, before, `${role} ${method} ${p}`);
		});
	}
	test('a visitor posting an admin form is refused', async () => {
		await as.visitor.get('/forgot-password');
		const before = dbSnapshot(srv.db);
		const r = await as.visitor.post('/admin/accounts', { email: 'x2@example.org', name: 'X' });
		assert.equal(r.status, 401);
		assertDbUnchanged(srv.db, before, 'a visitor posting /admin/accounts');
	});
	test('a read-only token may read the log but not make accounts', async () => {
		const token = await apiToken(as.admin, 'read', 'read-only');
		assert.equal((await bearer(srv.url, token, 'GET', '/api/v1/audit')).status, 200);
		const before = dbSnapshot(srv.db);
		assert.equal((await bearer(srv.url, token, 'POST', '/api/v1/accounts', { email: 'x3@example.org', name: 'X' })).status, 403);
		assertDbUnchanged(srv.db, before, 'a read-only token making an account');
	});
});

describe('forms without their CSRF token are refused', () => {
	for (const [role, p, fields] of [
		['admin', '/admin/accounts', { email: 'x4@example.org', name: 'X' }],
		['admin', '/admin/accounts/2/roles', { role: 'admin' }],
		['admin', `/admin/accounts/3/roles/event:${SHANGHAI}/revoke`, {}],
		['admin', '/admin/accounts/2/invite', {}],
		['admin', '/admin/outbox/1/retry', {}],
		['participant', '/account/profile', { name: 'X', lang: 'en' }],
		['participant', '/account/password', { current: PASSWORD, password: 'another long one', confirm: 'another long one' }],
		['visitor', '/forgot-password', { email: 'part@example.org' }],
		['visitor', '/reset-password', { token: 'x', password: 'another long one', confirm: 'another long one' }],
	]) {
		for (const csrf of [false, 'forged-token']) {
			test(`${role} ${p} (${csrf === false ? 'none' : 'forged'})`, async () => {
				const before = dbSnapshot(srv.db);
				const r = await as[role].post(p, fields, { csrf });
				assert.equal(r.status, 403);
				assertDbUnchanged(srv.db, before, `${role} ${p} without its token`);
			});
		}
	}
	test('a JSON call with a session needs X-CSRF-Token', async () => {
		const r = await as.admin.api('POST', '/api/v1/accounts', { email: 'x5@example.org', name: 'X' }, { csrf: false });
		assert.equal(r.status, 403);
		const list = await as.admin.getJson('/api/v1/accounts?q=x5@example.org');
		assert.equal(list.json.total, 0, 'nothing was made');
	});
});

describe('profile', () => {
	test('the form shows the profile with the languages', async () => {
		const r = await as.participant.get('/account/profile');
		assert.equal(r.status, 200);
		assert.equal(r.headers['cache-control'], 'no-store');
		const name = attrs(/<input id="f-name"[^>]*>/.exec(r.body)[0]);
		assert.equal(name.value, PEOPLE.participant.name);
		assert.match(r.body, /<option value="en" lang="en" selected>English<\/option>/);
	});
	test('a visitor is sent to sign in', async () => {
		const r = await as.visitor.get('/account/profile');
		assert.equal(r.status, 303);
		assert.equal((await as.visitor.getJson('/api/v1/account')).status, 401);
	});
	test('a missing name is refused next to the field, keeping what was typed', async () => {
		await as.participant.get('/account/profile');
		const r = await as.participant.post('/account/profile', { name: '   ', organisation: 'Kept Org', lang: 'en' });
		assert.equal(r.status, 400);
		assert.match(r.body, /<input id="f-name"[^>]*aria-invalid="true"/);
		assert.match(r.body, /id="f-name-error">This field is required\./);
		assert.equal(attrs(/<input id="f-organisation"[^>]*>/.exec(r.body)[0]).value, 'Kept Org');
	});
	test('an unknown language is refused', async () => {
		const r = await as.participant.api('PATCH', '/api/v1/account', { lang: 'xx' });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.lang);
	});
	test('hostile text is saved as typed and comes back escaped', async () => {
		await as.participant.get('/account/profile');
		const r = await as.participant.post('/account/profile', { name: XSS, organisation: XSS_ATTR, lang: 'en' });
		assert.equal(r.status, 303);
		assert.equal(r.headers.location, '/account');
		const page = await as.participant.get('/account/profile');
		assert.ok(!page.body.includes(XSS) && !page.body.includes(XSS_ATTR), 'no raw markup');
		assert.equal(attrs(/<input id="f-name"[^>]*>/.exec(page.body)[0]).value, XSS);
		assert.equal(attrs(/<input id="f-organisation"[^>]*>/.exec(page.body)[0]).value, XSS_ATTR);
		const acct = await as.participant.get('/account');
		assert.ok(!acct.body.includes(XSS));
		const j = await as.participant.getJson('/api/v1/account');
		assert.equal(j.json.name, XSS);
	});
	test('PATCH changes only the fields sent, and the change is audited', async () => {
		const r = await as.participant.api('PATCH', '/api/v1/account', { organisation: 'UNESCO' });
		assert.equal(r.status, 200);
		assert.equal(r.json.name, XSS);
		assert.equal(r.json.organisation, 'UNESCO');
		const log = await as.admin.getJson(`/api/v1/audit?action=account.update&actor=${PEOPLE.participant.email}`);
		const last = log.json.entries[0];
		assert.deepEqual(last.before, { organisation: XSS_ATTR });
		assert.deepEqual(last.after, { organisation: 'UNESCO' });
		assert.deepEqual(last.changes.map((c) => [c.key, c.before, c.after, c.kind]), [['organisation', XSS_ATTR, 'UNESCO', 'changed']]);
	});
	test('the audit page shows the diff escaped', async () => {
		const r = await as.admin.get('/admin/audit?action=account.update');
		assert.equal(r.status, 200);
		assert.ok(!r.body.includes(XSS) && !r.body.includes(XSS_ATTR));
		assert.match(r.body, /<del><span class="visually-hidden">before: <\/span>&quot;&gt;&lt;img/);
		assert.match(r.body, /<ins><span class="visually-hidden">after: <\/span>UNESCO<\/ins>/);
	});
});

describe('password change', () => {
	let c1, c2, token;
	const NEW = 'a fresh long passphrase';
	before(async () => {
		c1 = await signedIn(srv.url, PEOPLE.pw.email);
		c2 = await signedIn(srv.url, PEOPLE.pw.email);
		token = await apiToken(c1, 'write');
		await c1.get('/account/password');
	});
	for (const [id, fields, field, re] of [
		['a wrong current password', { current: 'not my password at all', password: NEW, confirm: NEW }, 'current', /not right/],
		['two different new ones', { current: PASSWORD, password: NEW, confirm: NEW + '!' }, 'confirm', /not the same/],
		['a short new one', { current: PASSWORD, password: 'short', confirm: 'short' }, 'password', /at least 12/],
		['the same as before', { current: PASSWORD, password: PASSWORD, confirm: PASSWORD }, 'password', /differ/],
	]) {
		test(`refuses ${id}`, async () => {
			const r = await c1.post('/account/password', fields);
			assert.equal(r.status, 400);
			assert.match(r.body, new RegExp(`id="f-${field}-error">[^<]*`));
			assert.match(new RegExp(`id="f-${field}-error">([^<]*)`).exec(r.body)[1], re);
			for (const v of [fields.current, fields.password, fields.confirm])
				assert.ok(!r.body.includes(`value="${v}"`), 'passwords are never echoed');
			await c1.get('/account/password');
		});
	}
	test('a JSON call says which field is wrong', async () => {
		const r = await bearer(srv.url, token, 'POST', '/api/v1/account/password', { current: 'wrong wrong wrong', password: NEW });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.current);
	});
	test('a good change keeps this browser signed in and ends the other sessions', async () => {
		const r = await c1.post('/account/password', { current: PASSWORD, password: NEW, confirm: NEW });
		assert.equal(r.status, 200);
		assert.match(textOf(r.body), /Your password is changed/);
		assert.match([r.headers['set-cookie']].flat().join(';'), /session=[A-Za-z0-9_-]{43};/);
		assert.equal((await c1.get('/account')).status, 200, 'this browser goes on');
		const other = await c2.get('/account');
		assert.equal(other.status, 303, 'the other session has ended');
		await new Client(srv.url).signIn(PEOPLE.pw.email, NEW);
		const old = new Client(srv.url);
		await old.get('/sign-in');
		assert.equal((await old.post('/sign-in', { email: PEOPLE.pw.email, password: PASSWORD })).status, 401);
		const log = await as.admin.getJson(`/api/v1/audit?action=account.password&actor=${PEOPLE.pw.email}`);
		assert.equal(log.json.total, 1);
	});
});

describe('forgotten password', () => {
	test('a malformed address is refused next to the field, keeping what was typed', async () => {
		const c = new Client(srv.url);
		await c.get('/forgot-password');
		const r = await c.post('/forgot-password', { email: 'not an address <b>' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="f-email-error">/);
		assert.equal(attrs(/<input id="f-email"[^>]*>/.exec(r.body)[0]).value, 'not an address <b>');
		assert.ok(!r.body.includes('<b>'), 'escaped');
	});
	test('three links an hour per address, with the same answer every time', async () => {
		const c = new Client(srv.url);
		const email = PEOPLE.other.email;
		const answers = [];
		for (let i = 0; i < 4; i++) {
			await c.get('/forgot-password');
			const r = await c.post('/forgot-password', { email });
			assert.equal(r.status, 200);
			answers.push(textOf(r.body));
		}
		assert.equal(new Set(answers).size, 1);
		const list = await as.admin.getJson('/api/v1/outbox');
		assert.equal(list.json.messages.filter((m) => m.recipient === email).length, 3);
	});
	test('the JSON twin takes the same anonymous CSRF token', async () => {
		const c = new Client(srv.url);
		await c.get('/forgot-password');
		const r = await c.api('POST', '/api/v1/password-reset', { email: 'nobody@example.org' });
		assert.equal(r.status, 200);
		assert.equal(r.json.requested, true);
	});
	test('a made-up link is refused', async () => {
		const c = new Client(srv.url);
		const r = await c.get('/reset-password?token=' + 'A'.repeat(43));
		assert.equal(r.status, 404);
		assert.equal((await c.get('/reset-password')).status, 404);
	});
});

describe('accounts', () => {
	let newId;
	const NEWP = { email: 'new.person@example.org', name: 'Nouvelle <b>Personne</b>' };
	test('an administrator makes an organiser account and an invitation goes out', async () => {
		await as.admin.get('/admin/accounts');
		const r = await as.admin.post('/admin/accounts', { ...NEWP, organisation: '', lang: 'en', role: 'organiser', event: SHANGHAI, password: PASSWORD });
		assert.equal(r.status, 303, r.body.slice(0, 500));
		const m = /^\/admin\/accounts\/(\d+)\?invited=1$/.exec(r.headers.location);
		assert.ok(m, r.headers.location);
		newId = Number(m[1]);
		const page = await as.admin.get(r.headers.location);
		assert.equal(page.status, 200);
		assert.match(textOf(page.body), /An invitation with a link to choose a password is on its way/);
		assert.ok(!page.body.includes('<b>Personne'), 'escaped');
		assert.match(textOf(page.body), /Organiser of the event/);
		// The invitation, not the notice of the role that goes with it.
		const invitations = () => emlFiles(outbox).filter((f) => f.text('To').includes(NEWP.email) && f.text('Subject').startsWith('Your account: choose your password'));
		const [mail] = await waitUntil(() => invitations().length && invitations(), 'the invitation');
		assert.equal(mail.text('To'), `"${NEWP.name}" <${NEWP.email}>`, 'a name with <> is quoted');
		assert.match(mail.text('Subject'), /^Your account: choose your password · /);
		assert.match(mail.body, /Invited by: Admin/);
		const link = linkIn(mail, '/reset-password?token=');
		const c = new Client(srv.url);
		await c.get(link.slice(srv.url.length));
		const set = await c.post('/reset-password', { token: new URL(link).searchParams.get('token'), password: 'my own long password', confirm: 'my own long password' });
		assert.equal(set.status, 200);
		await new Client(srv.url).signIn(NEWP.email, 'my own long password');
	});
	test('the same e-mail twice is refused next to the field, keeping what was typed', async () => {
		await as.admin.get('/admin/accounts');
		const r = await as.admin.post('/admin/accounts', { email: NEWP.email.toUpperCase(), name: 'Someone <i>else</i>', lang: 'en', role: 'participant' });
		assert.equal(r.status, 409);
		assert.match(r.body, /id="f-email-error">An account with this e-mail address exists\./);
		assert.equal(attrs(/<input id="f-name"[^>]*>/.exec(r.body)[0]).value, 'Someone <i>else</i>');
		assert.ok(!r.body.includes('<i>else'));
	});
	for (const [id, fields, field, re] of [
		['an organiser without event or series', { role: 'organiser' }, 'event', /one event or one series/],
		['an organiser of an unknown event', { role: 'organiser', event: 'no-such-event' }, 'event', /no event/],
		['an organiser of an unknown series', { role: 'organiser', series: 'no-such-series' }, 'series', /no series/],
		['an organiser of both', { role: 'organiser', event: SHANGHAI, series: SERIES }, 'series', /one event or one series/],
		['a bad e-mail address', { email: 'nope' }, 'email', /e-mail address/],
		['no name', { name: '' }, 'name', /required/],
		['an unknown role', { role: 'emperor' }, 'role', /Choose/],
	]) {
		test(`refuses ${id}`, async () => {
			await as.admin.get('/admin/accounts');
			const r = await as.admin.post('/admin/accounts', { email: 'fresh@example.org', name: 'Fresh', lang: 'en', role: 'participant', ...fields });
			assert.equal(r.status, 400);
			assert.match(new RegExp(`id="f-${field}-error">([^<]*)`).exec(r.body)?.[1] ?? '', re);
			const j = await as.admin.getJson('/api/v1/accounts?q=fresh@example.org');
			assert.equal(j.json.total, 0);
		});
	}
	test('JSON: create, find by e-mail, grant and revoke a series role', async () => {
		const token = await apiToken(as.admin, 'write', 'accounts');
		const made = await bearer(srv.url, token, 'POST', '/api/v1/accounts', { email: 'api.person@example.org', name: 'Api Person', organisation: 'Fudan' });
		assert.equal(made.status, 201, made.body);
		assert.equal(made.json.invitation, 'queued');
		assert.deepEqual(made.json.roles, []);
		assert.equal(made.headers.location, `/api/v1/accounts/${made.json.id}`);
		const again = await bearer(srv.url, token, 'POST', '/api/v1/accounts', { email: 'api.person@example.org', name: 'Api Person' });
		assert.equal(again.status, 409);
		assert.ok(again.json.errors.email);
		const bad = await bearer(srv.url, token, 'POST', '/api/v1/accounts', { email: 'nope', name: '' });
		assert.equal(bad.status, 400);
		assert.ok(bad.json.errors.email && bad.json.errors.name);
		const who = '/api/v1/accounts/api.person@example.org';
		const got = await bearer(srv.url, token, 'GET', who);
		assert.equal(got.json.id, made.json.id);
		const g = await bearer(srv.url, token, 'POST', `${who}/roles`, { role: 'organiser', series: SERIES, password: PASSWORD });
		assert.equal(g.status, 201);
		assert.deepEqual(g.json.roles.map((r) => r.grant), [`series:${SERIES}`]);
		assert.equal((await bearer(srv.url, token, 'POST', `${who}/roles`, { role: 'organiser', series: SERIES, password: PASSWORD })).status, 409);
		const rv = await bearer(srv.url, token, 'DELETE', `${who}/roles/series:${SERIES}`);
		assert.equal(rv.status, 200);
		assert.deepEqual(rv.json.roles, []);
		assert.equal((await bearer(srv.url, token, 'DELETE', `${who}/roles/series:${SERIES}`)).status, 404);
		assert.equal((await bearer(srv.url, token, 'DELETE', `${who}/roles/event:no-such-event`)).status, 404);
		assert.equal((await bearer(srv.url, token, 'GET', '/api/v1/accounts/nobody@example.org')).status, 404);
	});
	test('an administrator cannot remove their own administrator role', async () => {
		const r = await as.admin.api('DELETE', '/api/v1/accounts/admin@example.org/roles/admin');
		assert.equal(r.status, 409);
		const me = await as.admin.getJson('/api/v1/accounts/admin@example.org');
		assert.deepEqual(me.json.roles.map((x) => x.grant), ['admin']);
	});
	test('a role given in the form can be taken back in the form', async () => {
		const p = `/admin/accounts/${newId}`;
		await as.admin.get(p);
		const g = await as.admin.post(`${p}/roles`, { role: 'organiser', series: SERIES, password: PASSWORD });
		assert.equal(g.status, 303);
		let page = await as.admin.get(p);
		assert.match(page.body, new RegExp(`action="${p}/roles/series:${SERIES}/revoke"`));
		const dup = await as.admin.post(`${p}/roles`, { role: 'organiser', series: SERIES, password: PASSWORD });
		assert.equal(dup.status, 409);
		assert.match(textOf(dup.body), /has this role already/);
		await as.admin.get(p);
		const r = await as.admin.post(`${p}/roles/event:${SHANGHAI}/revoke`, { confirm: 'yes' });
		assert.equal(r.status, 303);
		page = await as.admin.get(p);
		assert.doesNotMatch(page.body, new RegExp(`roles/event:${SHANGHAI}/revoke`));
		const log = await as.admin.getJson(`/api/v1/audit?entity=account&entity_id=${newId}`);
		assert.deepEqual(log.json.entries.map((e) => e.action).slice(0, 3), ['account.role_revoke', 'account.role_grant', 'account.password_reset']);
	});
	test('a new invitation replaces the old link', async () => {
		const p = `/admin/accounts/${newId}`;
		// Invitations only: the person also gets notices (their password set, a role).
		const invitations = () => emlFiles(outbox).filter((f) => f.text('To').includes(NEWP.email) && f.text('Subject').startsWith('Your account: choose your password'));
		const before = invitations().length;
		await as.admin.get(p);
		const r = await as.admin.post(`${p}/invite`);
		assert.equal(r.status, 303);
		assert.equal(r.headers.location, `${p}?invited=1`);
		const mails = await waitUntil(() => {
			const m = invitations();
			return m.length > before && m;
		}, 'a second invitation');
		assert.equal(mails.length, before + 1);
	});
	test('the list finds people by name or address and pages them', async () => {
		const r = await as.admin.getJson('/api/v1/accounts?q=PERSON');
		assert.deepEqual(r.json.accounts.map((a) => a.email).sort(), ['api.person@example.org', NEWP.email]);
		assert.equal(r.json.page, 1);
		assert.equal(r.json.pages, 1);
		const page = await as.admin.get('/admin/accounts?q=' + encodeURIComponent('<b>Personne'));
		assert.equal(page.status, 200);
		assert.ok(textOf(page.body).includes(NEWP.email));
		assert.ok(!page.body.includes('<b>Personne'));
		assert.equal((await as.admin.getJson('/api/v1/accounts?page=0')).status, 400);
	});
});

describe('audit log', () => {
	test('filters by thing, number, person, action prefix and days', async () => {
		const r = await as.admin.getJson(`/api/v1/audit?entity=account&action=account.role_&actor=${PEOPLE.admin.email.toUpperCase()}`);
		assert.equal(r.status, 200);
		assert.ok(r.json.entries.length >= 3);
		for (const e of r.json.entries) {
			assert.equal(e.entity, 'account');
			assert.match(e.action, /^account\.role_/);
			assert.equal(e.actor, PEOPLE.admin.email);
		}
		assert.deepEqual(r.json.filters, { entity: 'account', action: 'account.role_', actor: PEOPLE.admin.email });
		const none = await as.admin.getJson('/api/v1/audit?from=2000-01-01&to=2000-12-31');
		assert.equal(none.json.total, 0);
		const jan = await as.admin.getJson('/api/v1/audit?from=2001-01-01&to=2001-01-10');
		assert.ok(jan.json.total > 0 && jan.json.entries.every((e) => e.at >= '2001-01-01' && e.at <= '2001-01-10T23:59:59Z'));
		const one = await as.admin.getJson('/api/v1/audit?entity=bulkthing&entity_id=7');
		assert.equal(one.json.total, 1);
		assert.equal(one.json.entries[0].entity_id, 7);
		assert.deepEqual(one.json.entries[0].changes, [{ key: 'n', before: null, after: '1', kind: 'added', has_before: false, has_after: true }]);
	});
	test('pages of fifty, newest first', async () => {
		const p1 = await as.admin.getJson('/api/v1/audit?entity=bulkthing');
		assert.equal(p1.json.total, 60);
		assert.equal(p1.json.pages, 2);
		assert.equal(p1.json.entries.length, 50);
		assert.equal(p1.json.next_url, '/admin/audit?entity=bulkthing&page=2');
		const p2 = await as.admin.getJson('/api/v1/audit?entity=bulkthing&page=2');
		assert.equal(p2.json.entries.length, 10);
		assert.equal(p2.json.prev_url, '/admin/audit?entity=bulkthing&page=1');
		const ids = [...p1.json.entries, ...p2.json.entries].map((e) => e.id);
		assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
		const html = await as.admin.get('/admin/audit?entity=bulkthing');
		assert.match(html.body, /<a href="\/admin\/audit\?entity=bulkthing&amp;page=2" rel="next">/);
		assert.match(html.body, /<option value="bulkthing" selected>/);
	});
	for (const [id, query] of [
		['a malformed date', 'from=2001-13-01'],
		['a date with a time', 'to=2001-01-01T00:00'],
		['page zero', 'page=0'],
		['a word for a number', 'entity_id=seven'],
	]) {
		test(`refuses ${id}`, async () => {
			assert.equal((await as.admin.getJson(`/api/v1/audit?${query}`)).status, 400);
			assert.equal((await as.admin.get(`/admin/audit?${query}`)).status, 400);
		});
	}
});

describe('outbox pages', () => {
	test('lists by status and refuses unknown ones', async () => {
		const all = await as.admin.getJson('/api/v1/outbox');
		assert.ok(all.json.total >= 1);
		assert.ok(all.json.messages.every((m) => !('body' in m)), 'the list carries no bodies');
		// One message that failed for good, so the filter has something to
		// find and something (the sent ones) to leave out.
		sqlite(srv.db, `INSERT INTO mail_outbox (message_id, from_addr, recipient, subject, body, status, attempts, last_error, created_at, next_attempt_at)
VALUES ('<failed-filter@example.org>', 'Site <site@example.org>', 'gone@example.org', 'Failed probe', 'Body', 'failed', 8, 'refused',
        '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');`);
		outboxSettled(srv.db); // nothing left queued or being sent: sent + failed is all
		const failed = await as.admin.getJson('/api/v1/outbox?status=failed');
		assert.deepEqual(failed.json.messages.map((m) => [m.recipient, m.status]), [['gone@example.org', 'failed']]);
		const sent = await as.admin.getJson('/api/v1/outbox?status=sent');
		assert.ok(sent.json.messages.length >= 1, 'the sent messages are listed');
		assert.ok(sent.json.messages.every((m) => m.status === 'sent'));
		assert.equal(sent.json.total + failed.json.total, (await as.admin.getJson('/api/v1/outbox')).json.total);
		assert.equal((await as.admin.getJson('/api/v1/outbox?status=lost')).status, 400);
		assert.equal((await as.admin.get('/admin/outbox?page=x')).status, 400);
	});
	test('an unknown message is 404', async () => {
		for (const p of ['/admin/outbox/99999', '/admin/outbox/abc', '/api/v1/outbox/0'])
			assert.equal((p.startsWith('/api') ? await as.admin.getJson(p) : await as.admin.get(p)).status, 404, p);
		await as.admin.get('/admin/outbox');
		assert.equal((await as.admin.post('/admin/outbox/99999/retry')).status, 404);
	});
});
