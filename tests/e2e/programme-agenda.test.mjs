// programme-agenda.test.mjs — a reader's own programme (agenda.c): stars
// through the API and the session page's forms (CSRF refused without its
// token), places in a limited session that hold when twelve people take
// five places at once, the personal agenda and its secret calendar feed
// (read by Debian's python3-icalendar), privacy between two accounts, and
// the feed following the programme's releases (a moved session with a
// higher SEQUENCE, a removed one gone). One server, the demo's Shanghai
// event (29–30 November 2012, Asia/Shanghai).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { links, mainOf, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
let srv, organiser, token, alice, bob, aliceToken;
const ids = {};

const api = (method, p, body, t = token) => bearer(srv.url, t, method, p, body);
const one = (sql) => sqlite(srv.db, sql).trim();

async function newSession(fields) {
	const r = await api('POST', `/api/v1/events/${SH}/sessions`, {
		kind: 'workshop', starts_at: '2012-11-29T14:00:00+08:00', ends_at: '2012-11-29T15:30:00+08:00', ...fields,
	});
	assert.equal(r.status, 201, r.body);
	return r.json.id;
}
async function release(note) {
	const r = await api('POST', `/api/v1/events/${SH}/programme/releases`, { note });
	assert.equal(r.status, 201, r.body);
}

before(async () => {
	srv = await startServer();
	const { email, password } = srv.organiser;
	organiser = await signedIn(srv.url, email, password);
	token = await apiToken(organiser, 'write', 'agenda', password);
	addAccount(srv.db, { email: 'alice-agenda@example.org', name: 'Alice Agenda' });
	addAccount(srv.db, { email: 'bob-agenda@example.org', name: 'Bob Agenda' });
	alice = await signedIn(srv.url, 'alice-agenda@example.org');
	bob = await signedIn(srv.url, 'bob-agenda@example.org');
	aliceToken = await apiToken(alice, 'write', 'agenda');
	ids.limited = await newSession({ title: 'Limited workshop', capacity: 5 });
	ids.open = await newSession({ title: 'Open plenary', kind: 'plenary', starts_at: '2012-11-30T10:00:00+08:00', ends_at: '2012-11-30T11:00:00+08:00' });
	ids.closed = await newSession({ title: 'Closed-door talk', visibility: 'participants-only' });
	ids.bobs = await newSession({ title: 'Bob only session', starts_at: '2012-11-30T16:00:00+08:00', ends_at: '2012-11-30T17:00:00+08:00' });
	await release('with the workshops');
	ids.unreleased = await newSession({ title: 'Not released yet' });
});
after(() => srv?.stop());

describe('stars', () => {
	test('through the API: 201 then 200, idempotent both ways, bearer tokens too', async () => {
		await alice.get('/account');
		const p = `/api/v1/sessions/${ids.open}/star`;
		const a = await alice.api('POST', p);
		assert.equal(a.status, 201, a.body);
		assert.equal(a.json.starred, true);
		assert.equal(a.json.session.id, ids.open);
		assert.equal(a.json.session.title, 'Open plenary');
		assert.equal((await alice.api('POST', p)).status, 200, 'starring again changes nothing');
		const d = await alice.api('DELETE', p);
		assert.equal(d.status, 200);
		assert.equal(d.json.starred, false);
		assert.equal((await alice.api('DELETE', p)).status, 200);
		const b = await api('POST', p, undefined, aliceToken);
		assert.equal(b.status, 201, b.body);
		assert.equal(one(`SELECT count(*) FROM programme_star WHERE session_id = ${ids.open}`), '1');
	});

	test('refused: without the CSRF token, by a visitor, for a session not released, unknown or not visible', async () => {
		const snap = dbSnapshot(srv.db);
		const noCsrf = await alice.api('POST', `/api/v1/sessions/${ids.limited}/star`, undefined, { csrf: false });
		assert.equal(noCsrf.status, 403);
		const visitor = await request(`${srv.url}/api/v1/sessions/${ids.limited}/star`, { method: 'POST', headers: { Accept: 'application/json' } });
		assert.equal(visitor.status, 401);
		for (const id of [ids.unreleased, ids.closed, 999999]) {
			const r = await alice.api('POST', `/api/v1/sessions/${id}/star`);
			assert.equal(r.status, 404, `session ${id}: ${r.body}`);
		}
		const form = await alice.post(`/events/${SH}/sessions/${ids.limited}/star`, {}, { csrf: false });
		assert.equal(form.status, 403);
		assertDbUnchanged(srv.db, snap, 'refused stars');
		// the programme's organisers see the participants-only session
		const o = await api('POST', `/api/v1/sessions/${ids.closed}/star`);
		assert.equal(o.status, 201, o.body);
	});

	test('on the session page: Star and Unstar forms back to the page, private; visitors are asked to sign in', async () => {
		const url = `/events/${SH}/sessions/${ids.limited}`;
		const visitor = await request(srv.url + url);
		assert.equal(visitor.status, 200);
		assert.match(visitor.headers['cache-control'], /public/);
		const signIn = links(mainOf(visitor.body)).find((a) => /Sign in to star/.test(a.text));
		assert.ok(signIn, 'a sign-in link');
		assert.equal(signIn.href, `/sign-in?next=${url}`);
		assert.doesNotMatch(visitor.body, /\/star"/, 'no star form for visitors');

		const page = await alice.get(url);
		assert.equal(page.status, 200);
		assert.equal(page.headers['cache-control'], 'no-store', 'a reader\'s page is private');
		assert.match(page.body, new RegExp(`action="${url}/star"`));
		const r = await alice.post(`${url}/star`);
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, url);
		const after = await alice.get(url);
		assert.match(after.body, new RegExp(`action="${url}/unstar"`));
		// the shared cache never hands out a reader's page, nor a reader the visitors'
		const again = await request(srv.url + url);
		assert.doesNotMatch(again.body, /unstar/);
		assert.match(textOf(mainOf(again.body)), /Sign in to star/);
		const json = await alice.getJson(url);
		assert.equal(json.json.session.agenda.starred, true);
		const u = await alice.post(`${url}/unstar`);
		assert.equal(u.status, 303);
		assert.equal((await alice.getJson(url)).json.session.agenda.starred, false);
		await alice.post(`${url}/star`);
	});
});

describe('places in a limited session', () => {
	test('the page and its JSON twin say how many places are left', async () => {
		const url = `/events/${SH}/sessions/${ids.limited}`;
		const r = await request(srv.url + url);
		assert.match(textOf(mainOf(r.body)), /5 places left/);
		const j = await request(srv.url + url, { headers: { Accept: 'application/json' } });
		const places = JSON.parse(j.body).session.places;
		assert.deepEqual({ ...places, label: undefined }, { capacity: 5, taken: 0, left: 5, full: false, label: undefined });
		const open = JSON.parse((await request(`${srv.url}/events/${SH}/sessions/${ids.open}`, { headers: { Accept: 'application/json' } })).body);
		assert.equal(open.session.places, null, 'an unlimited session has no places');
		const refused = await alice.api('POST', `/api/v1/sessions/${ids.open}/signup`);
		assert.equal(refused.status, 409);
	});

	test('twelve people take five places at once: five 201, seven 409, five rows', async () => {
		const people = [];
		for (let i = 0; i < 12; i++) {
			const email = `rush-${i}@example.org`;
			addAccount(srv.db, { email, name: `Rush ${i}` });
			people.push(await signedIn(srv.url, email));
		}
		const answers = await Promise.all(people.map((c) => c.api('POST', `/api/v1/sessions/${ids.limited}/signup`)));
		const codes = answers.map((r) => r.status).sort();
		assert.deepEqual(codes, [...Array(5).fill(201), ...Array(7).fill(409)], answers.map((r) => `${r.status} ${r.body}`).join('\n'));
		for (const r of answers.filter((x) => x.status === 409)) assert.match(r.json.error.message, /full/i);
		for (const r of answers.filter((x) => x.status === 201)) {
			assert.equal(r.json.signed_up, true);
			assert.equal(r.json.starred, true, 'a place taken stars the session');
		}
		assert.equal(one(`SELECT count(*) FROM programme_signup WHERE session_id = ${ids.limited}`), '5');
		const page = await request(`${srv.url}/events/${SH}/sessions/${ids.limited}`);
		assert.match(textOf(mainOf(page.body)), /Full/);
		// one gives up their place (the form asks first), another takes it
		const winner = people[answers.findIndex((r) => r.status === 201)];
		const url = `/events/${SH}/sessions/${ids.limited}`;
		await winner.get(url);
		const ask = await winner.post(`${url}/give-up`);
		assert.equal(ask.status, 200);
		assert.equal(one(`SELECT count(*) FROM programme_signup WHERE session_id = ${ids.limited}`), '5', 'nothing before confirming');
		const gone = await winner.post(`${url}/give-up`, { confirm: 'yes' });
		assert.equal(gone.status, 303);
		assert.equal(one(`SELECT count(*) FROM programme_signup WHERE session_id = ${ids.limited}`), '4');
		const loser = people[answers.findIndex((r) => r.status === 409)];
		assert.match((await loser.get(url)).body, /id="take-place"/);
		const taken = await loser.post(`${url}/signup`);
		assert.equal(taken.status, 303);
		assert.equal(one(`SELECT count(*) FROM programme_signup WHERE session_id = ${ids.limited}`), '5');
		const d = await winner.api('DELETE', `/api/v1/sessions/${ids.limited}/signup`);
		assert.equal(d.status, 200);
		assert.equal(d.json.signed_up, false);
	});
});

// Debian's python3-icalendar reads the feed as calendar apps do.
const PY = `
import sys, json, icalendar, datetime
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = []
for e in cal.walk('VEVENT'):
    s = e.decoded('DTSTART')
    out.append({'uid': str(e['UID']), 'summary': str(e['SUMMARY']), 'sequence': int(e.get('SEQUENCE', 0)),
                'tzid': e['DTSTART'].params.get('TZID'),
                'start_utc': s.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')})
print(json.dumps({'vtimezones': [str(t['TZID']) for t in cal.walk('VTIMEZONE')], 'events': out}))
`;
function parse(body) {
	const r = spawnSync('/usr/bin/python3', ['-c', PY], { input: body, encoding: 'utf8' });
	assert.equal(r.status, 0, `icalendar could not read it: ${r.stderr}`);
	return JSON.parse(r.stdout);
}
const summaries = (cal) => cal.events.map((e) => e.summary).sort();

describe('the agenda and its calendar feed', () => {
	let aliceFeed;
	test('/agenda lists one\'s starred sessions by event and day, places marked; nobody else\'s', async () => {
		await api('POST', `/api/v1/sessions/${ids.bobs}/star`, undefined, await apiToken(bob, 'write', 'b'));
		const a = await alice.getJson('/agenda');
		assert.equal(a.status, 200);
		assert.equal(a.headers['cache-control'], 'no-store');
		const ev = a.json.events.find((e) => e.event.slug === SH);
		assert.ok(ev, JSON.stringify(a.json));
		const titles = ev.days.flatMap((d) => d.sessions.map((s) => s.title));
		assert.deepEqual(titles, ['Limited workshop', 'Open plenary']);
		assert.deepEqual(ev.days.map((d) => d.day), ['2012-11-29', '2012-11-30']);
		assert.equal(ev.days[0].sessions[0].start_time, '14:00', 'in the event\'s zone');
		assert.equal(ev.days[0].sessions[0].places.capacity, 5);
		const page = await alice.get('/agenda');
		assert.match(textOf(mainOf(page.body)), /Limited workshop[\s\S]*Open plenary/);
		assert.doesNotMatch(page.body, /Bob only session/);
		const b = await bob.getJson('/agenda');
		const bt = b.json.events.flatMap((e) => e.days.flatMap((d) => d.sessions.map((s) => s.title)));
		assert.deepEqual(bt, ['Bob only session']);
		const visitor = await request(`${srv.url}/agenda`);
		assert.equal(visitor.status, 303, 'visitors are sent to sign in');
	});

	test('a secret address, shown on the page, read without a cookie, never cached; each account its own', async () => {
		await alice.get('/agenda');
		const r = await alice.api('POST', '/agenda/feed');
		assert.equal(r.status, 201, r.body);
		aliceFeed = r.json.feed;
		assert.match(aliceFeed.path, /^\/agenda\/[A-Za-z0-9_-]{43}\.ics$/);
		assert.equal(aliceFeed.url, srv.url.replace(/\/$/, '') + aliceFeed.path);
		assert.equal(one(`SELECT count(*) FROM programme_feed WHERE token_hash LIKE '%${aliceFeed.path.slice(8, 51)}%'`), '0', 'the token is not stored');
		const page = await alice.get('/agenda');
		assert.ok(page.body.includes(aliceFeed.url), 'the address stays on the page');
		const ics = await request(srv.url + aliceFeed.path);
		assert.equal(ics.status, 200, ics.body);
		assert.equal(ics.headers['content-type'], 'text/calendar; charset=utf-8');
		assert.equal(ics.headers['cache-control'], 'no-store');
		const cal = parse(ics.body);
		assert.deepEqual(summaries(cal), ['Limited workshop', 'Open plenary']);
		assert.deepEqual(cal.vtimezones, ['Asia/Shanghai']);
		assert.ok(cal.events.every((e) => e.tzid === 'Asia/Shanghai'));
		const bobFeed = (await bob.api('POST', '/agenda/feed')).json.feed;
		assert.notEqual(bobFeed.path, aliceFeed.path);
		assert.deepEqual(summaries(parse((await request(srv.url + bobFeed.path)).body)), ['Bob only session']);
		for (const p of ['/agenda/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics', '/agenda/nothing.ics', `${aliceFeed.path}x`])
			assert.equal((await request(srv.url + p)).status, 404, p);
	});

	test('a moved session comes with its new time and a higher SEQUENCE; a removed one drops out', async () => {
		const before = parse((await request(srv.url + aliceFeed.path)).body);
		const was = before.events.find((e) => e.summary === 'Open plenary');
		let r = await api('PATCH', `/api/v1/sessions/${ids.open}`, { starts_at: '2012-11-30T11:00:00+08:00', ends_at: '2012-11-30T12:00:00+08:00' });
		assert.equal(r.status, 200, r.body);
		const unchanged = parse((await request(srv.url + aliceFeed.path)).body);
		assert.equal(unchanged.events.find((e) => e.summary === 'Open plenary').start_utc, was.start_utc, 'the feed follows releases, not edits');
		await release('moved');
		const moved = parse((await request(srv.url + aliceFeed.path)).body).events.find((e) => e.summary === 'Open plenary');
		assert.equal(moved.start_utc, '2012-11-30T03:00:00Z');
		assert.equal(moved.uid, was.uid);
		assert.ok(moved.sequence > was.sequence, `SEQUENCE ${was.sequence} → ${moved.sequence}`);
		r = await api('DELETE', `/api/v1/sessions/${ids.open}`);
		assert.ok([200, 204].includes(r.status), r.body);
		await release('removed');
		assert.deepEqual(summaries(parse((await request(srv.url + aliceFeed.path)).body)), ['Limited workshop']);
		const agenda = await alice.getJson('/agenda');
		assert.deepEqual(agenda.json.events.flatMap((e) => e.days.flatMap((d) => d.sessions.map((s) => s.title))), ['Limited workshop']);
	});

	test('a new address replaces the old one at once (the form asks first)', async () => {
		await alice.get('/agenda');
		const ask = await alice.post('/agenda/feed');
		assert.equal(ask.status, 200);
		assert.match(textOf(mainOf(ask.body)), /stops working/);
		assert.equal((await request(srv.url + aliceFeed.path)).status, 200, 'nothing changed before confirming');
		const made = await alice.post('/agenda/feed', { confirm: 'yes' });
		assert.equal(made.status, 303);
		assert.equal(made.headers.location, '/agenda?done=feed');
		assert.equal((await request(srv.url + aliceFeed.path)).status, 404, 'the old address stops working');
		const now = (await alice.getJson('/agenda')).json.feed;
		assert.notEqual(now.path, aliceFeed.path);
		assert.equal((await request(srv.url + now.path)).status, 200);
		assert.equal(one('SELECT count(*) FROM programme_feed'), '2', 'one address per account');
	});
});
