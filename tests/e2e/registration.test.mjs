// registration.test.mjs — registering for an event end to end (issue 15):
// the settings (API and form), the three modes, capacity, caps and kept
// seats, the e-mails of each step at a real SMTP sink with the link to
// one's registration, a freed seat offered to the waiting person who best
// restores the balance, names in any script through the form, the API and
// the CSV, who may see the registrations, and 500 registrations at once.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { startSmtpSink, waitUntil } from './lib/mail.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ADMIN = 'admin@example.org';
const ORG = 'org@example.org'; // organiser of the events these tests make
const OTHER = 'other@example.org'; // organiser of another event (Shanghai)
const PART = 'part@example.org'; // a participant's account

let srv, sink;
const tok = {};
before(async () => {
	sink = await startSmtpSink();
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ADMIN, name: 'Admin', role: 'admin' });
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: OTHER, name: 'Other organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: PART, name: 'Participant' });
	srv = await startServer({ db, args: ['--smtp', sink.url] });
	for (const [k, email] of [['admin', ADMIN], ['org', ORG], ['other', OTHER], ['part', PART]])
		tok[k] = await apiToken(await signedIn(srv.url, email), 'write');
});
after(async () => {
	await srv?.stop();
	await sink?.stop();
});

const call = (who, method, p, body) => bearer(srv.url, tok[who], method, p, body);

// A published event in the future, organised by ORG (whom the demo makes
// organiser of Shanghai only), with these registration settings.
let made = 0;
async function newEvent(settings) {
	let r = await call('admin', 'POST', '/api/v1/events', {
		title: `Consultation on registration ${++made}`, starts_on: '2031-05-02', ends_on: '2031-05-03',
		timezone: 'Europe/Vienna', city: 'Vienna', country: 'AT',
	});
	assert.equal(r.status, 201, r.body);
	const slug = r.json.slug;
	r = await call('admin', 'PATCH', `/api/v1/events/${slug}`, { status: 'published' });
	assert.equal(r.status, 200, r.body);
	r = await call('admin', 'POST', `/api/v1/events/${slug}/organisers`, { email: ORG, password: PASSWORD });
	assert.equal(r.status, 201, r.body);
	if (settings) {
		r = await call('org', 'PATCH', `/api/v1/events/${slug}/registration`, settings);
		assert.equal(r.status, 200, r.body);
	}
	return slug;
}

// A visitor who read the form's JSON twin: its pre-session cookie and CSRF token.
async function visitor(slug) {
	const c = new Client(srv.url);
	const r = await c.getJson(`/events/${slug}/register`);
	assert.equal(r.status, 200, r.body);
	assert.ok(r.json.csrf, 'the twin gives a CSRF token');
	c.csrf = r.json.csrf;
	return c;
}

const person = (name, email, extra = {}) => ({ name, email, sector: 'academia', country: 'AT', ...extra });

async function register(slug, body, c) {
	c ??= await visitor(slug);
	return c.api('POST', `/api/v1/events/${slug}/registrations`, body);
}

async function registered(slug, body, status) {
	const r = await register(slug, body);
	assert.equal(r.status, 201, r.body);
	if (status) assert.equal(r.json.status, status, `${body.email}: ${r.body}`);
	assert.match(r.json.manage_url, TOKEN_PATH);
	return r.json;
}

async function list(slug, who = 'org') {
	const r = await call(who, 'GET', `/api/v1/events/${slug}/registrations`);
	assert.equal(r.status, 200, r.body);
	return r.json.registrations;
}
const byEmail = async (slug, email) => (await list(slug)).find((x) => x.email === email);

// The messages to one address, oldest first; waiting for one whose
// subject starts with subject.
const mailsTo = (email) => sink.messages().filter((m) => m.envelope.rcpt_tos.includes(email));
const mailTo = (email, subject) =>
	waitUntil(() => mailsTo(email).find((m) => m.text('Subject').startsWith(subject)), `"${subject}" to ${email}`);
const manageLink = (m) => {
	const u = (m.body.match(/https?:\/\/\S+\/registration\/\d+\.[A-Za-z0-9_-]{32}/) ?? [])[0];
	assert.ok(u, `a link to the registration in:\n${m.body}`);
	return new URL(u).pathname;
};

const REFUSED = [401, 403, 404];
// The link of one's registration: /registration/{id}.{secret}
const TOKEN_PATH = /^\/registration\/\d+\.[A-Za-z0-9_-]{32}$/;

describe('settings', () => {
	let slug;
	const VALID = {
		mode: 'approval', capacity: 100, opens_at: null, closes_at: '2031-05-01T00:00:00Z', confirm_hours: 48,
		directory: 'participants', retention_days: 90,
		quotas: [{ attribute: 'sector', value: 'ngo', max_share: 0.35 }, { attribute: 'gender', value: 'female', min: 30 }],
		questions: [{ id: 'flight', label: 'Your flight number', kind: 'text', required: true }],
	};
	before(async () => {
		slug = await newEvent();
	});
	const read = async () => {
		const r = await call('org', 'GET', `/api/v1/events/${slug}/registration`);
		assert.equal(r.status, 200, r.body);
		return r.json;
	};

	test('an organiser saves valid settings and reads them back', async () => {
		const r = await call('org', 'PATCH', `/api/v1/events/${slug}/registration`, VALID);
		assert.equal(r.status, 200, r.body);
		const s = await read();
		assert.equal(s.mode, 'approval');
		assert.equal(s.capacity, 100);
		assert.equal(s.closes_at, '2031-05-01T00:00:00Z');
		assert.equal(s.opens_at ?? null, null);
		assert.equal(s.confirm_hours, 48);
		assert.equal(s.directory, 'participants');
		assert.equal(s.retention_days, 90);
		assert.equal(s.window, 'open');
		assert.equal(s.quotas.length, 2);
		assert.deepEqual({ ...s.quotas[0], id: undefined }, { ...s.quotas[0], id: undefined, attribute: 'sector', value: 'ngo', max_share: 0.35 });
		assert.equal(s.quotas[1].min, 30);
		assert.deepEqual(s.questions, [{ id: 'flight', label: 'Your flight number', kind: 'text', required: true, options: [], stage: 'registration' }]);
	});

	for (const [what, body, field] of [
		['an unknown mode', { mode: 'lottery' }, 'mode'],
		['a share without a capacity', { capacity: null, quotas: [{ attribute: 'sector', value: 'ngo', max_share: 0.3 }] }, 'quotas'],
		['an unknown quota attribute', { quotas: [{ attribute: 'religion', value: 'any', max: 3 }] }, 'quotas'],
		['a value the attribute does not take', { quotas: [{ attribute: 'gender', value: 'robot', max: 3 }] }, 'quotas'],
		['a country that is none', { quotas: [{ attribute: 'country', value: 'XX', max: 3 }] }, 'quotas'],
		['a share above one', { quotas: [{ attribute: 'sector', value: 'ngo', max_share: 35 }] }, 'quotas'],
		['closing before opening', { opens_at: '2031-04-01T00:00:00Z', closes_at: '2031-03-01T00:00:00Z' }, 'closes_at'],
		['a negative capacity', { capacity: -5 }, 'capacity'],
	]) {
		test(`${what} is refused with the field, and nothing changes`, async () => {
			const before = await read();
			const r = await call('org', 'PATCH', `/api/v1/events/${slug}/registration`, body);
			assert.equal(r.status, 400, r.body);
			assert.ok(r.json.errors[field], `errors.${field} in ${r.body}`);
			assert.deepEqual(await read(), before);
		});
	}

	test('a participant, a visitor and another event\'s organiser can neither read nor change them', async () => {
		const before = await read();
		for (const who of ['part', 'other']) {
			const g = await call(who, 'GET', `/api/v1/events/${slug}/registration`);
			assert.ok(REFUSED.includes(g.status), `${who} GET: ${g.status}`);
			assert.doesNotMatch(g.body, /flight|Your flight number/);
			const p = await call(who, 'PATCH', `/api/v1/events/${slug}/registration`, { mode: 'open', capacity: 1 });
			assert.ok(REFUSED.includes(p.status), `${who} PATCH: ${p.status}`);
		}
		const c = await visitor(slug);
		const g = await c.getJson(`/api/v1/events/${slug}/registration`);
		assert.ok(REFUSED.includes(g.status), `visitor GET: ${g.status}`);
		const p = await c.api('PATCH', `/api/v1/events/${slug}/registration`, { mode: 'open' });
		assert.ok(REFUSED.includes(p.status), `visitor PATCH: ${p.status}`);
		const page = await c.get(`/admin/events/${slug}/registration`);
		assert.notEqual(page.status, 200);
		assert.deepEqual(await read(), before);
	});

	test('the form page saves the same settings from lines of text', async () => {
		const org = await signedIn(srv.url, ORG);
		const page = await org.get(`/admin/events/${slug}/registration`);
		assert.equal(page.status, 200);
		const fields = {
			mode: 'open', capacity: '80', opens_at: '', closes_at: '2031-04-30T12:00', confirm_hours: '24',
			directory: 'none', retention_days: '30',
			quotas: 'sector ngo max 35%\r\ncountry CN max 60\r\ngender female min 40%\r\n',
			questions: 'text*: Your flight number\r\nchoice: Lunch | vegetarian | vegan\r\n',
		};
		const r = await org.post(`/admin/events/${slug}/registration`, fields);
		assert.equal(r.status, 303, r.body.slice(0, 500));
		assert.equal(r.headers.location, `/admin/events/${slug}/registration?done=saved`);
		const s = await read();
		assert.equal(s.mode, 'open');
		assert.equal(s.capacity, 80);
		assert.equal(s.closes_at, '2031-04-30T10:00:00Z', 'the local time of the event (Vienna, summer)');
		assert.equal(s.confirm_hours, 24);
		assert.equal(s.directory, 'none');
		assert.equal(s.retention_days, 30);
		const qs = s.quotas.map((x) => [x.attribute, x.value, x.max ?? null, x.max_share ?? null, x.min ?? null, x.min_share ?? null]);
		assert.deepEqual(qs, [['sector', 'ngo', null, 0.35, null, null], ['country', 'CN', 60, null, null, null], ['gender', 'female', null, null, null, 0.4]]);
		assert.equal(s.questions.length, 2);
		assert.equal(s.questions[0].label, 'Your flight number');
		assert.equal(s.questions[0].required, true);
		assert.equal(s.questions[0].id, 'flight', 'a question kept keeps its id (and its answers)');
		assert.equal(s.questions[1].kind, 'choice');
		assert.deepEqual(s.questions[1].options, ['vegetarian', 'vegan']);
		assert.equal(s.questions[1].required, false);
		// A line that is no quota: the form again, with the field's error, nothing saved.
		await org.get(`/admin/events/${slug}/registration`);
		const bad = await org.post(`/admin/events/${slug}/registration`, { ...fields, capacity: '90', quotas: 'sector ngo max lots' });
		assert.equal(bad.status, 400);
		assert.match(bad.body, /quota/i);
		assert.equal((await read()).capacity, 80);
	});
});

describe('modes', () => {
	test('open: seated within capacity, a target keeps seats, beyond the capacity the waiting list', async () => {
		const slug = await newEvent({ mode: 'open', capacity: 4, quotas: [{ attribute: 'gender', value: 'female', min_share: 0.5 }] });
		await registered(slug, person('Man One', 'm1@example.org', { gender: 'male' }), 'approved');
		await registered(slug, person('Man Two', 'm2@example.org', { gender: 'male' }), 'approved');
		// two seats left, both kept for women
		await registered(slug, person('Man Three', 'm3@example.org', { gender: 'male' }), 'waitlisted');
		await registered(slug, person('No Gender', 'ng@example.org'), 'waitlisted');
		await registered(slug, person('Woman One', 'w1@example.org', { gender: 'female' }), 'approved');
		await registered(slug, person('Woman Two', 'w2@example.org', { gender: 'female' }), 'approved');
		// full now
		await registered(slug, person('Woman Three', 'w3@example.org', { gender: 'female' }), 'waitlisted');
		const l = await list(slug);
		assert.equal(l.filter((x) => x.status === 'approved').length, 4);
		assert.deepEqual(l.map((x) => x.email), ['m1@example.org', 'm2@example.org', 'm3@example.org', 'ng@example.org', 'w1@example.org', 'w2@example.org', 'w3@example.org']);
	});

	test('open: a cap holds, and an organiser cannot approve past it or past the capacity', async () => {
		const slug = await newEvent({ mode: 'open', capacity: 3, quotas: [{ attribute: 'sector', value: 'ngo', max: 1 }] });
		await registered(slug, person('Ngo One', 'n1@example.org', { sector: 'ngo' }), 'approved');
		const n2 = await registered(slug, person('Ngo Two', 'n2@example.org', { sector: 'ngo' }), 'waitlisted');
		let r = await call('org', 'PATCH', `/api/v1/registrations/${n2.id}`, { status: 'approved' });
		assert.equal(r.status, 409, r.body);
		assert.equal((await byEmail(slug, 'n2@example.org')).status, 'waitlisted');
		await registered(slug, person('Gov One', 'g1@example.org', { sector: 'government' }), 'approved');
		await registered(slug, person('Gov Two', 'g2@example.org', { sector: 'government' }), 'approved');
		const g3 = await registered(slug, person('Gov Three', 'g3@example.org', { sector: 'government' }), 'waitlisted');
		r = await call('org', 'PATCH', `/api/v1/registrations/${g3.id}`, { status: 'approved' });
		assert.equal(r.status, 409, 'past the capacity');
		assert.equal((await list(slug)).filter((x) => x.status === 'approved').length, 3);
	});

	test('approval: pending, then the organiser approves or declines, each with an e-mail', async () => {
		const slug = await newEvent({ mode: 'approval', capacity: 1 });
		const a = await registered(slug, person('Asha Approved', 'asha@example.org'), 'pending');
		const d = await registered(slug, person('Dan Declined', 'dan@example.org'), 'pending');
		const x = await registered(slug, person('Xu Extra', 'xu@example.org'), 'pending');
		for (const who of ['asha@example.org', 'dan@example.org', 'xu@example.org']) {
			const m = await mailTo(who, 'Your registration has been received');
			assert.ok(manageLink(m));
		}
		let r = await call('org', 'PATCH', `/api/v1/registrations/${a.id}`, { status: 'approved', message: 'See you in Vienna.' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.status, 'approved');
		assert.equal(r.json.id, a.id);
		assert.equal(r.json.manage_salt, undefined, 'no secret in the answer');
		const ok = await mailTo('asha@example.org', 'Your registration is confirmed');
		assert.match(ok.body, /See you in Vienna\./);
		assert.equal(manageLink(ok), a.manage_url);
		r = await call('org', 'PATCH', `/api/v1/registrations/${d.id}`, { status: 'declined' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.status, 'declined');
		assert.equal(manageLink(await mailTo('dan@example.org', 'Your registration was not accepted')), d.manage_url);
		// the one seat is taken
		r = await call('org', 'PATCH', `/api/v1/registrations/${x.id}`, { status: 'approved' });
		assert.equal(r.status, 409, r.body);
		assert.equal((await byEmail(slug, 'xu@example.org')).status, 'pending');
		r = await call('org', 'PATCH', `/api/v1/registrations/${x.id}`, { status: 'maybe' });
		assert.equal(r.status, 400);
	});

	test('invitation: without the invitation\'s token, refused and nothing written', async () => {
		const slug = await newEvent({ mode: 'invitation', capacity: 10 });
		const c = await visitor(slug);
		let r = await register(slug, person('Uninvited', 'uninvited@example.org'), c);
		assert.equal(r.status, 400, r.body);
		assert.match(r.json.error, /invitation/i);
		r = await register(slug, { ...person('Uninvited', 'uninvited@example.org'), invitation: 'A'.repeat(43) }, c);
		assert.equal(r.status, 400, r.body);
		assert.equal((await list(slug)).length, 0);
		const form = await c.get(`/events/${slug}/register`);
		assert.equal(form.status, 200);
	});

	test('not open yet, or closed: 409 and nothing written', async () => {
		const slug = await newEvent({ mode: 'open', opens_at: '2031-01-01T00:00:00Z' });
		let r = await register(slug, person('Too Early', 'early@example.org'));
		assert.equal(r.status, 409, r.body);
		r = await call('org', 'PATCH', `/api/v1/events/${slug}/registration`, { opens_at: '2020-01-01T00:00:00Z', closes_at: '2020-02-01T00:00:00Z' });
		assert.equal(r.status, 200, r.body);
		r = await register(slug, person('Too Late', 'late@example.org'));
		assert.equal(r.status, 409, r.body);
		assert.equal((await list(slug)).length, 0);
	});
});

describe('the links of the e-mails: status, cancel, a freed seat offered, confirm', () => {
	let slug;
	const ppl = {
		a: person('Anna Seated', 'anna@example.org', { sector: 'ngo', gender: 'male' }),
		b: person('Bert Leaving', 'bert@example.org', { sector: 'ngo', gender: 'male' }),
		c: person('Cleo Seated', 'cleo@example.org', { sector: 'ngo', gender: 'female' }),
		d: person('Dirk Early', 'dirk@example.org', { sector: 'ngo', gender: 'male' }),
		e: person('Esther Kenya', 'esther@example.org', { sector: 'academia', country: 'KE', gender: 'female' }),
	};
	const reg = {};
	before(async () => {
		slug = await newEvent({ mode: 'open', capacity: 3, confirm_hours: 48 });
		for (const k of ['a', 'b', 'c']) reg[k] = await registered(slug, ppl[k], 'approved');
		for (const k of ['d', 'e']) reg[k] = await registered(slug, ppl[k], 'waitlisted');
	});

	test('each gets the e-mail of their status with the link to their registration', async () => {
		for (const k of ['a', 'b', 'c']) {
			const m = await mailTo(ppl[k].email, 'Your registration is confirmed');
			assert.equal(manageLink(m), reg[k].manage_url);
			assert.equal(m.text('To'), `${ppl[k].name} <${ppl[k].email}>`);
		}
		for (const k of ['d', 'e']) assert.equal(manageLink(await mailTo(ppl[k].email, 'You are on the waiting list')), reg[k].manage_url);
	});

	test('the link\'s page shows the status; a wrong token is 404', async () => {
		const c = new Client(srv.url);
		const page = await c.get(reg.a.manage_url);
		assert.equal(page.status, 200);
		assert.match(page.body, /Approved/);
		assert.match(page.body, /Anna Seated/);
		const j = await c.getJson(reg.d.manage_url);
		assert.equal(j.status, 200);
		assert.equal(j.json.status, 'waitlisted');
		assert.equal(j.json.email, ppl.d.email);
		assert.equal(j.json.event.slug, slug);
		const wrong = reg.a.manage_url.replace(/\.[^.]+$/, `.${'x'.repeat(32)}`);
		assert.equal((await c.get(wrong)).status, 404);
		assert.equal((await c.getJson(wrong)).status, 404);
		await c.get(reg.a.manage_url);
		assert.equal((await c.post(wrong, { action: 'cancel', confirm: 'yes' })).status, 404);
		const off = reg.a.manage_url.slice(0, -1) + (reg.a.manage_url.endsWith('A') ? 'B' : 'A');
		assert.equal((await c.get(off)).status, 404, 'one character off');
		const anothers = reg.a.manage_url.replace(/\/\d+\./, `/${reg.b.id}.`);
		assert.equal((await c.get(anothers)).status, 404, 'another id with this secret');
	});

	test('cancelling through the link asks first, then frees the seat for the one who best restores the balance', async () => {
		const c = new Client(srv.url);
		await c.get(reg.b.manage_url);
		const ask = await c.post(reg.b.manage_url, { action: 'cancel' });
		assert.equal(ask.status, 200, 'a question first');
		assert.match(ask.body, /Cancel your registration\?/);
		assert.equal((await byEmail(slug, ppl.b.email)).status, 'approved', 'not yet cancelled');
		const r = await c.post(reg.b.manage_url, { action: 'cancel', confirm: 'yes' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `${reg.b.manage_url}?done=cancelled`);
		assert.equal((await c.getJson(reg.b.manage_url)).json.status, 'cancelled');
		assert.equal(manageLink(await mailTo(ppl.b.email, 'Your registration is cancelled')), reg.b.manage_url);
		// Dirk waited longer, but two NGO people and two from Austria are
		// seated: Esther (academia, Kenya) adds more to the room.
		const l = await list(slug);
		const e = l.find((x) => x.email === ppl.e.email);
		assert.equal(e.status, 'offered');
		assert.ok(e.offer_expires_at, 'with a deadline');
		const hours = (Date.parse(e.offer_expires_at) - Date.now()) / 3600e3;
		assert.ok(hours > 47 && hours <= 48.1, `deadline in 48 hours, not ${hours}`);
		assert.equal(l.find((x) => x.email === ppl.d.email).status, 'waitlisted');
		const offer = await mailTo(ppl.e.email, 'A seat is free for you');
		assert.match(offer.body, /Please confirm before:/);
		assert.equal(manageLink(offer), reg.e.manage_url);
		assert.equal(mailsTo(ppl.d.email).filter((m) => /seat is free/.test(m.text('Subject'))).length, 0);
		// Cancelled is final.
		await c.get(reg.b.manage_url);
		assert.equal((await c.post(reg.b.manage_url, { action: 'cancel', confirm: 'yes' })).status, 409);
	});

	test('confirming the offer through the link seats them', async () => {
		const c = new Client(srv.url);
		const page = await c.get(reg.e.manage_url);
		assert.match(page.body, /Seat offered/);
		const r = await c.post(reg.e.manage_url, { action: 'confirm' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `${reg.e.manage_url}?done=confirmed`);
		assert.equal((await c.getJson(reg.e.manage_url)).json.status, 'approved');
		assert.equal(manageLink(await mailTo(ppl.e.email, 'Your registration is confirmed')), reg.e.manage_url);
		assert.equal((await list(slug)).filter((x) => x.status === 'approved').length, 3);
		// nothing left to confirm
		const d = new Client(srv.url);
		await d.get(reg.d.manage_url);
		assert.equal((await d.post(reg.d.manage_url, { action: 'confirm' })).status, 409);
		assert.equal((await byEmail(slug, ppl.d.email)).status, 'waitlisted');
	});
});

describe('names in any script, duplicates, questions', () => {
	let slug;
	const NAMES = { zh: '李华', ar: 'ليلى حداد', hi: 'अनीता शर्मा' };
	before(async () => {
		slug = await newEvent({
			mode: 'open', capacity: 50,
			questions: [{ id: 'flight', label: '航班号 · رقم الرحلة', kind: 'text', required: true }],
		});
	});

	test('through the form, the API and the CSV', async () => {
		// the form, as a browser posts it
		const c = new Client(srv.url);
		const form = await c.get(`/events/${slug}/register`);
		assert.equal(form.status, 200);
		assert.match(form.body, /name="q_flight"/);
		const r = await c.post(`/events/${slug}/register`, { name: NAMES.zh, email: 'li.hua@example.org', sector: 'government', country: 'CN', q_flight: 'MU 771' });
		assert.equal(r.status, 303, r.body.slice(0, 500));
		const m = /^(\/registration\/\d+\.[A-Za-z0-9_-]{32})\?done=registered$/.exec(r.headers.location);
		assert.ok(m, r.headers.location);
		const own = await c.getJson(m[1]);
		assert.equal(own.json.name, NAMES.zh);
		assert.deepEqual(own.json.answers, { flight: 'MU 771' });
		assert.match((await c.get(m[1])).body, new RegExp(NAMES.zh));
		// the API
		const ar = await registered(slug, person(NAMES.ar, 'layla@example.org', { country: 'LB', answers: { flight: 'ME 231' } }));
		const hi = await registered(slug, person(NAMES.hi, 'anita@example.org', { country: 'IN', answers: { flight: 'AI 153' } }));
		assert.equal((await new Client(srv.url).getJson(ar.manage_url)).json.name, NAMES.ar);
		assert.equal((await new Client(srv.url).getJson(hi.manage_url)).json.name, NAMES.hi);
		const l = await list(slug);
		assert.deepEqual(l.map((x) => x.name), [NAMES.zh, NAMES.ar, NAMES.hi]);
		// the CSV, both addresses
		const csv = await call('org', 'GET', `/api/v1/events/${slug}/registrations.csv`);
		assert.equal(csv.status, 200);
		assert.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/i);
		assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM');
		const text = csv.bytes.subarray(3).toString('utf8');
		assert.ok(text.endsWith('\r\n'));
		assert.doesNotMatch(text.replaceAll('\r\n', ''), /\n/, 'CRLF line ends only');
		const rows = text.split('\r\n').filter(Boolean);
		assert.equal(rows.length, 4, 'a header and three people');
		for (const [i, n] of [NAMES.zh, NAMES.ar, NAMES.hi].entries()) assert.ok(rows[i + 1].includes(n), `row ${i + 1}: ${rows[i + 1]}`);
		assert.match(rows[0], /航班号/, 'the question heads its column');
		assert.match(rows[1], /MU 771/);
		const admin = await signedIn(srv.url, ADMIN);
		const csv2 = await admin.get(`/admin/events/${slug}/registrations.csv`);
		assert.equal(csv2.status, 200);
		assert.ok(csv2.bytes.equals(csv.bytes), 'the admin page\'s CSV is the same');
	});

	test('the same e-mail in other case: 409 and nothing changed', async () => {
		const before = await list(slug);
		const r = await register(slug, person('Somebody Else', 'LI.Hua@Example.ORG', { answers: { flight: 'X' } }));
		assert.equal(r.status, 409, r.body);
		assert.ok(r.json.errors.email);
		assert.deepEqual(await list(slug), before);
		// through the form too
		const c = new Client(srv.url);
		await c.get(`/events/${slug}/register`);
		const f = await c.post(`/events/${slug}/register`, { name: 'Again', email: 'Li.Hua@example.org', sector: 'ngo', country: 'CN', q_flight: 'Y' });
		assert.equal(f.status, 409);
		assert.deepEqual(await list(slug), before);
	});

	test('a required question unanswered: 400 on q_<id>', async () => {
		const r = await register(slug, person('No Answer', 'noanswer@example.org'));
		assert.equal(r.status, 400, r.body);
		assert.ok(r.json.errors.q_flight, r.body);
		const bad = await register(slug, { email: 'bad', sector: 'astrology', country: 'ZZ' });
		assert.equal(bad.status, 400);
		for (const f of ['name', 'email', 'sector', 'country']) assert.ok(bad.json.errors[f], `errors.${f}: ${bad.body}`);
		assert.equal((await list(slug)).length, 3);
	});
});

describe('who may see the registrations', () => {
	let slug, one;
	before(async () => {
		slug = await newEvent({ mode: 'approval', capacity: 5, quotas: [{ attribute: 'gender', value: 'female', min: 1 }] });
		one = await registered(slug, person('Private Person', 'private.person@example.org', { gender: 'female' }), 'pending');
	});
	const SECRET = /private\.person|Private Person/;

	test('refused to visitors, participants and organisers of another event, with nothing in the body', async () => {
		const paths = [`/api/v1/events/${slug}/registrations`, `/api/v1/events/${slug}/registrations.csv`,
			`/events/${slug}/diversity`, `/admin/events/${slug}/diversity`, `/admin/events/${slug}/registrations`,
			`/admin/events/${slug}/registrations.csv`];
		const clients = { visitor: new Client(srv.url), part: await signedIn(srv.url, PART), other: await signedIn(srv.url, OTHER) };
		for (const [who, c] of Object.entries(clients))
			for (const p of paths)
				for (const json of [false, true]) {
					const r = json ? await c.getJson(p) : await c.get(p);
					assert.ok(REFUSED.includes(r.status) || (r.status === 303 && who === 'visitor'), `${who} ${p}: ${r.status}`);
					assert.doesNotMatch(r.body, SECRET, `${who} ${p}`);
				}
		for (const who of ['part', 'other']) {
			for (const p of paths.slice(0, 3)) {
				const r = await call(who, 'GET', p);
				assert.ok(REFUSED.includes(r.status), `${who} token ${p}: ${r.status}`);
				assert.doesNotMatch(r.body, SECRET);
			}
			const r = await call(who, 'PATCH', `/api/v1/registrations/${one.id}`, { status: 'approved' });
			assert.ok(REFUSED.includes(r.status), `${who} PATCH: ${r.status}`);
			assert.doesNotMatch(r.body, SECRET);
		}
		const v = await visitor(slug);
		const p = await v.api('PATCH', `/api/v1/registrations/${one.id}`, { status: 'approved' });
		assert.ok(REFUSED.includes(p.status), `visitor PATCH: ${p.status}`);
		// the bulk form of the admin page
		const other = clients.other;
		await other.get('/account');
		const bulk = await other.post(`/admin/events/${slug}/registrations`, { id: String(one.id), action: 'approved' });
		assert.ok(REFUSED.includes(bulk.status), `other bulk: ${bulk.status}`);
		// An organiser of another event cannot reach it through their own.
		const sh = await call('other', 'GET', `/api/v1/events/${SHANGHAI}/registrations`);
		assert.equal(sh.status, 200);
		assert.doesNotMatch(sh.body, SECRET);
		assert.equal((await byEmail(slug, 'private.person@example.org')).status, 'pending');
		// nor by the other event's bulk form
		await other.get(`/admin/events/${SHANGHAI}/registrations`);
		const bulk2 = await other.post(`/admin/events/${SHANGHAI}/registrations`, { id: String(one.id), action: 'approved' });
		assert.equal(bulk2.status, 303);
		assert.match(bulk2.headers.location, /done=decided-0-1$/);
		assert.equal((await byEmail(slug, 'private.person@example.org')).status, 'pending');
	});

	test('allowed to the event\'s organiser and to admins', async () => {
		for (const who of ['org', 'admin']) {
			const l = await call(who, 'GET', `/api/v1/events/${slug}/registrations`);
			assert.equal(l.status, 200);
			assert.match(l.body, SECRET);
			const csv = await call(who, 'GET', `/api/v1/events/${slug}/registrations.csv`);
			assert.equal(csv.status, 200);
			assert.match(csv.body, SECRET);
		}
		for (const email of [ORG, ADMIN]) {
			const c = await signedIn(srv.url, email);
			const d = await c.getJson(`/events/${slug}/diversity`);
			assert.equal(d.status, 200, d.body);
			assert.equal(d.json.statuses.pending, 1);
			assert.equal(d.json.quotas[0].target_seats, 1);
			assert.equal((await c.get(`/admin/events/${slug}/diversity`)).status, 200);
			const page = await c.get(`/admin/events/${slug}/registrations?status=pending&q=private`);
			assert.equal(page.status, 200);
			assert.match(page.body, /Private Person/);
			const none = await c.get(`/admin/events/${slug}/registrations?status=approved`);
			assert.doesNotMatch(none.body, /Private Person/);
		}
		// the organiser decides through the bulk form
		const org = await signedIn(srv.url, ORG);
		await org.get(`/admin/events/${slug}/registrations`);
		const r = await org.post(`/admin/events/${slug}/registrations`, { id: String(one.id), action: 'approved', message: 'Welcome' });
		assert.equal(r.status, 303);
		assert.match(r.headers.location, /done=decided-1-0$/);
		assert.equal((await byEmail(slug, 'private.person@example.org')).status, 'approved');
		assert.match((await mailTo('private.person@example.org', 'Your registration is confirmed')).body, /Welcome/);
	});
});

describe('500 registrations at once', () => {
	test('from 50 connections: capacity and caps hold, each e-mail once, no 500 and no 429', async () => {
		const slug = await newEvent({
			mode: 'open', capacity: 150,
			quotas: [{ attribute: 'sector', value: 'ngo', max_share: 0.35 }, { attribute: 'country', value: 'CN', max: 60 },
				{ attribute: 'gender', value: 'female', min_share: 0.4 }],
		});
		const SECTORS = ['ngo', 'government', 'academia', 'business'];
		const people = Array.from({ length: 500 }, (_, i) => ({
			name: `Person ${i}`, email: `p${i}@load.example.org`,
			sector: i % 2 === 0 ? 'ngo' : SECTORS[1 + (i % 3)], country: ['AT', 'CN', 'KE'][i % 3],
			gender: i % 5 < 2 ? 'female' : 'male',
		}));
		// 50 visitors, each on one kept-alive connection (as many as a
		// browser or a proxy would hold), each with its own pre-session.
		const agents = Array.from({ length: 50 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
		const send = (agent, method, p, headers, body) => request(srv.url + p, { method, headers, body, agent });
		const results = new Array(500);
		try {
			await Promise.all(agents.map(async (agent, k) => {
				const form = await send(agent, 'GET', `/events/${slug}/register`, { Accept: 'application/json' });
				assert.equal(form.status, 200, form.body);
				const cookie = [form.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
				const csrf = JSON.parse(form.body).csrf;
				for (let i = k; i < 500; i += 50) {
					const r = await send(agent, 'POST', `/api/v1/events/${slug}/registrations`,
						{ Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
						JSON.stringify(people[i]));
					if (/application\/json/.test(r.headers['content-type'] ?? '')) r.json = JSON.parse(r.body);
					results[i] = r;
				}
			}));
		} finally {
			for (const a of agents) a.destroy();
		}
		const statuses = {};
		for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
		for (const [i, r] of results.entries()) {
			assert.ok(r.status === 201 || (r.status >= 400 && r.status < 500 && r.status !== 429) || r.status === 503,
				`${people[i].email}: ${r.status} ${r.body.slice(0, 200)} (all: ${JSON.stringify(statuses)})`);
			if (r.status === 503) assert.ok(r.headers['retry-after'], 'a 503 says when to retry');
			if (r.status >= 400) assert.ok(r.json?.error, `a clear refusal: ${r.body.slice(0, 200)}`);
		}
		const ok = results.filter((r) => r.status === 201).length;
		assert.ok(ok >= 450, `most got through: ${JSON.stringify(statuses)}`);
		console.log(`500 registrations at once: ${JSON.stringify(statuses)}`);
		const l = await list(slug);
		assert.equal(l.length, ok, 'one registration for each 201');
		assert.equal(new Set(l.map((x) => x.email)).size, l.length, 'each e-mail once');
		for (const [i, r] of results.entries())
			if (r.status === 201) assert.equal(l.find((x) => x.id === r.json.id)?.email, people[i].email);
		const seated = l.filter((x) => x.status === 'approved');
		assert.ok(seated.length <= 150, `${seated.length} seated`);
		assert.ok(seated.filter((x) => x.sector === 'ngo').length <= 52, 'ngo at most 35 % of 150');
		assert.ok(seated.filter((x) => x.country === 'CN').length <= 60, 'CN at most 60');
		assert.ok(seated.filter((x) => x.gender !== 'female').length <= 90, '60 seats kept for women');
		assert.equal(seated.length, 150, 'enough people of each kind came to fill the room');
		assert.equal(l.filter((x) => x.status === 'waitlisted').length, ok - 150);
		const d = await (await signedIn(srv.url, ORG)).getJson(`/events/${slug}/diversity`);
		assert.equal(d.status, 200);
		assert.equal(d.json.statuses.approved, 150);
		const caps = Object.fromEntries(d.json.quotas.map((q) => [`${q.attribute} ${q.value}`, q]));
		assert.equal(caps['sector ngo'].cap_seats, 52);
		assert.equal(caps['country CN'].cap_seats, 60);
		assert.equal(caps['gender female'].target_seats, 60);
	});
});
