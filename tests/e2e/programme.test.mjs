// programme.test.mjs — an event's programme (src/features/programme/):
// rooms and sessions edited by the event's organisers through the site's
// kind (forms and the API), times entered in the event's zone and stored
// in UTC, refusals of bad input that save nothing, and the organiser of
// another event, a participant and a visitor refused. One server, the
// demo's Shanghai event (29–30 November 2012, Asia/Shanghai, UTC+8).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { mainOf, tags, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, q, sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const AUCKLAND = 'asia-pacific-auckland-2007';
const OTHER = { email: 'auckland-prog@example.org', name: 'Auckland Organiser', role: 'organiser', event: AUCKLAND };
const PART = { email: 'participant-prog@example.org', name: 'A Participant' };
let srv, organiser, other, participant, token, otherToken, participantToken;

before(async () => {
	srv = await startServer();
	addAccount(srv.db, OTHER);
	addAccount(srv.db, PART);
	const { email, password } = srv.organiser;
	organiser = await signedIn(srv.url, email, password);
	token = await apiToken(organiser, 'write', 'programme', password);
	other = await signedIn(srv.url, OTHER.email);
	otherToken = await apiToken(other, 'write', 'programme');
	participant = await signedIn(srv.url, PART.email);
	participantToken = await apiToken(participant, 'write', 'programme');
});
after(() => srv?.stop());

const api = (method, p, body, t = token) => bearer(srv.url, t, method, p, body);
const one = (sql) => sqlite(srv.db, sql).trim();
const audits = (action) => Number(one(`SELECT count(*) FROM audit_log WHERE action = ${q(action)}`));

async function addRoom(name, capacity = '') {
	await organiser.get(`/admin/events/${SH}/programme`);
	return organiser.post(`/admin/events/${SH}/rooms`, { name, capacity });
}

// The public reads the latest release: an organiser releases what they
// made before a visitor may see it.
async function release(slug = SH, t = token, note = '') {
	const r = await api('POST', `/api/v1/events/${slug}/programme/releases`, { note }, t);
	assert.equal(r.status, 201, r.body);
	return r.json;
}

async function newSession(fields) {
	const r = await api('POST', `/api/v1/events/${SH}/sessions`, {
		title: 'A session', kind: 'panel', starts_at: '2012-11-29T14:00:00+08:00', ends_at: '2012-11-29T15:30:00+08:00', ...fields,
	});
	assert.equal(r.status, 201, r.body);
	return r.json;
}

describe('rooms', () => {
	test('an organiser adds rooms to their event, audited; a name taken or missing is refused', async () => {
		const n = audits('room.create');
		const r = await addRoom('Hall A', '300');
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.match(r.headers.location, new RegExp(`^/admin/events/${SH}/programme\\?done=saved`));
		assert.equal((await addRoom('Room B')).status, 303);
		assert.equal(one(`SELECT r.capacity FROM programme_room r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)} AND r.name = 'Hall A'`), '300');
		assert.equal(audits('room.create'), n + 2);
		const page = await organiser.get(`/admin/events/${SH}/programme`);
		assert.equal(page.status, 200);
		assert.match(textOf(mainOf(page.body)), /Hall A[\s\S]*Room B/);
		const snap = dbSnapshot(srv.db);
		const dup = await addRoom('Hall A');
		assert.equal(dup.status, 409);
		assert.match(textOf(mainOf(dup.body)), /already has a room of this name/);
		assert.ok(tags(mainOf(dup.body), 'a').some((a) => a.href === '#f-name'), 'the error summary links to the field');
		const empty = await addRoom('');
		assert.equal(empty.status, 400);
		assertDbUnchanged(srv.db, snap, 'refused rooms');
	});
});

describe('sessions through the form', () => {
	let id;
	test('a session entered in the event\'s time is stored in UTC and shown in the event\'s zone', async () => {
		await organiser.get(`/admin/events/${SH}/sessions/new`);
		const n = audits('session.create');
		const r = await organiser.post(`/admin/events/${SH}/sessions`, {
			title: 'Culture and values under economic development', kind: 'plenary', track: 'Culture',
			description_md: 'The *opening* plenary.', starts_at: '2012-11-29T09:30', ends_at: '2012-11-29T11:00',
			room: 'Hall A', visibility: 'public', languages: 'en,zh', capacity: '',
		});
		assert.equal(r.status, 303, r.body.slice(0, 500));
		const m = /^\/admin\/sessions\/(\d+)\/edit\?done=saved$/.exec(r.headers.location);
		assert.ok(m, r.headers.location);
		id = m[1];
		assert.equal(one(`SELECT starts_at || ' ' || ends_at FROM programme_session WHERE id = ${id}`), '2012-11-29T01:30:00Z 2012-11-29T03:00:00Z');
		assert.equal(audits('session.create'), n + 1);
		const got = await api('GET', `/api/v1/sessions/${id}`);
		assert.equal(got.status, 200);
		assert.equal(got.json.starts_at, '2012-11-29T09:30:00+08:00');
		assert.equal(got.json.ends_at, '2012-11-29T11:00:00+08:00');
		assert.equal(got.json.room, 'Hall A');
		assert.deepEqual(got.json.languages, ['en', 'zh']);
		assert.equal(got.json.event_slug, SH);
		assert.equal(got.json.timezone, undefined, 'internal keys stay inside');
		const edit = await organiser.get(r.headers.location);
		assert.equal(edit.status, 200);
		const inputs = tags(mainOf(edit.body), 'input');
		assert.equal(inputs.find((i) => i.name === 'starts_at')?.value, '2012-11-29T09:30', 'the form speaks the event\'s wall-clock time');
		assert.equal(inputs.find((i) => i.name === 'ends_at')?.value, '2012-11-29T11:00');
		const list = await organiser.get(`/admin/events/${SH}/programme`);
		assert.match(textOf(mainOf(list.body)), /09:30\s*–\s*11:00[\s\S]*Culture and values/);
	});

	test('saving the form changes the session, audited', async () => {
		await organiser.get(`/admin/sessions/${id}/edit`);
		const n = audits('session.update');
		const r = await organiser.post(`/admin/sessions/${id}`, {
			title: 'Culture and values', kind: 'plenary', starts_at: '2012-11-29T10:00', ends_at: '2012-11-29T11:00',
			room: 'Room B', visibility: 'public', languages: 'en',
		});
		assert.equal(r.status, 303, r.body.slice(0, 500));
		assert.equal(audits('session.update'), n + 1);
		const got = (await api('GET', `/api/v1/sessions/${id}`)).json;
		assert.equal(got.title, 'Culture and values');
		assert.equal(got.starts_at, '2012-11-29T10:00:00+08:00');
		assert.equal(got.room, 'Room B');
	});

	test('bad input is refused beside its field, and nothing is saved', async () => {
		const base = { title: 'Bad', kind: 'panel', visibility: 'public', starts_at: '2012-11-29T10:00', ends_at: '2012-11-29T11:00' };
		const cases = [
			['end before start', { ends_at: '2012-11-29T09:00' }, 'ends_at', /The end must be after the start/],
			['unknown room', { room: 'The Moon' }, 'room', /no room of this name/],
			['a day the event does not have', { starts_at: '2012-12-01T10:00', ends_at: '2012-12-01T11:00' }, 'starts_at', /within the event's dates/],
			['across midnight into a day it does not have', { starts_at: '2012-11-30T23:00', ends_at: '2012-12-01T01:00' }, 'ends_at', /within the event's dates/],
			['no time', { starts_at: '' }, 'starts_at', /./],
			['a kind not on the list', { kind: 'party' }, 'kind', /./],
		];
		await organiser.get(`/admin/events/${SH}/sessions/new`);
		const snap = dbSnapshot(srv.db);
		for (const [what, change, field, msg] of cases) {
			const r = await organiser.post(`/admin/events/${SH}/sessions`, { ...base, ...change });
			assert.equal(r.status, 400, `${what}: ${r.status}`);
			const main = mainOf(r.body);
			assert.ok(tags(main, 'a').some((a) => a.href === `#f-${field}`), `${what}: the summary links to ${field}`);
			assert.match(textOf(main), msg, what);
		}
		assertDbUnchanged(srv.db, snap, 'refused forms');
	});
});

describe('sessions through the API', () => {
	test('POST, GET, PATCH and DELETE, with times in RFC 3339 and rooms by name', async () => {
		const s = await newSession({ title: 'The Alliance in regional cooperation', kind: 'roundtable', room: 'Hall A', languages: ['en', 'zh'], capacity: 40 });
		assert.equal(s.starts_at, '2012-11-29T14:00:00+08:00');
		assert.equal(s.capacity, 40);
		assert.equal(s.visibility, 'public');
		assert.equal(one(`SELECT starts_at FROM programme_session WHERE id = ${s.id}`), '2012-11-29T06:00:00Z');
		// Another offset names the same instant.
		const p = await api('PATCH', `/api/v1/sessions/${s.id}`, { starts_at: '2012-11-29T07:00:00Z', ends_at: '2012-11-29T09:00:00Z' });
		assert.equal(p.status, 200, p.body);
		assert.equal(p.json.starts_at, '2012-11-29T15:00:00+08:00');
		assert.equal(p.json.title, 'The Alliance in regional cooperation', 'what was not sent stays');
		// Without an offset, a time is the event's wall-clock time, as the forms send it.
		const w = await api('PATCH', `/api/v1/sessions/${s.id}`, { starts_at: '2012-11-29T15:30', ends_at: '2012-11-29T17:00' });
		assert.equal(w.status, 200, w.body);
		assert.equal(w.json.starts_at, '2012-11-29T15:30:00+08:00');
		assert.equal(one(`SELECT ends_at FROM programme_session WHERE id = ${s.id}`), '2012-11-29T09:00:00Z');
		const list = await api('GET', `/api/v1/events/${SH}/sessions`);
		assert.equal(list.status, 200);
		assert.equal(list.json.timezone, 'Asia/Shanghai');
		assert.ok(list.json.sessions.some((x) => x.id === s.id));
		const n = audits('session.delete');
		const d = await api('DELETE', `/api/v1/sessions/${s.id}`);
		assert.equal(d.status, 200, d.body);
		assert.equal(d.json.deleted, true);
		assert.equal(audits('session.delete'), n + 1);
		assert.equal((await api('GET', `/api/v1/sessions/${s.id}`)).status, 404);
	});

	test('bad input answers 400 with the field, nothing saved', async () => {
		const s = await newSession({ title: 'Kept as it is' });
		const snap = dbSnapshot(srv.db);
		const bad = [
			[{ ends_at: '2012-11-29T13:00:00+08:00' }, 'ends_at'],
			[{ room: 'Nowhere' }, 'room'],
			[{ starts_at: '2012-11-28T10:00:00+08:00', ends_at: '2012-11-28T11:00:00+08:00' }, 'starts_at'],
			[{ starts_at: 'tomorrow' }, 'starts_at'],
			[{ languages: ['english!'] }, 'languages'],
			[{ visibility: 'secret' }, 'visibility'],
		];
		for (const [body, field] of bad) {
			const r = await api('PATCH', `/api/v1/sessions/${s.id}`, body);
			assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
			assert.ok(r.json.errors?.[field], `${JSON.stringify(body)}: ${r.body}`);
			const c = await api('POST', `/api/v1/events/${SH}/sessions`, { title: 'New', starts_at: '2012-11-29T14:00:00+08:00', ends_at: '2012-11-29T15:00:00+08:00', ...body });
			assert.equal(c.status, 400, `create ${JSON.stringify(body)}: ${c.body}`);
		}
		assertDbUnchanged(srv.db, snap, 'refused API calls');
		assert.equal((await api('GET', `/api/v1/sessions/${s.id}`)).json.title, 'Kept as it is');
	});

	test('a session of participants only is hidden from the public', async () => {
		const s = await newSession({ title: 'Closed-door briefing', visibility: 'participants-only' });
		assert.equal((await request(`${srv.url}/api/v1/sessions/${s.id}`, { headers: { Accept: 'application/json' } })).status, 404);
		const list = JSON.parse((await request(`${srv.url}/api/v1/events/${SH}/sessions`, { headers: { Accept: 'application/json' } })).body);
		assert.ok(!list.sessions.some((x) => x.id === s.id));
		assert.ok((await api('GET', `/api/v1/events/${SH}/sessions`)).json.sessions.some((x) => x.id === s.id), 'its organisers see it');
	});
});

describe('who may not', () => {
	let s, roomId;
	before(async () => {
		s = await newSession({ title: 'Not theirs', room: 'Hall A' });
		roomId = one(`SELECT r.id FROM programme_room r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)} AND r.name = 'Room B'`);
	});

	test('the organiser of another event is refused every write (403), the database unchanged', async () => {
		const snap = dbSnapshot(srv.db);
		for (const [m, p, body] of [
			['POST', `/api/v1/events/${SH}/sessions`, { title: 'X', starts_at: '2012-11-29T14:00:00+08:00', ends_at: '2012-11-29T15:00:00+08:00' }],
			['PATCH', `/api/v1/sessions/${s.id}`, { title: 'Taken over' }],
			['DELETE', `/api/v1/sessions/${s.id}`, undefined],
		]) {
			const r = await api(m, p, body, otherToken);
			assert.equal(r.status, 403, `${m} ${p}: ${r.body}`);
		}
		await other.get('/account');
		for (const [p, body] of [
			[`/admin/events/${SH}/sessions`, { title: 'X', kind: 'panel', visibility: 'public', starts_at: '2012-11-29T14:00', ends_at: '2012-11-29T15:00' }],
			[`/admin/sessions/${s.id}`, { title: 'Taken over', kind: 'panel', visibility: 'public', starts_at: '2012-11-29T14:00', ends_at: '2012-11-29T15:00' }],
			[`/admin/sessions/${s.id}/delete`, { confirm: 'yes' }],
			[`/admin/events/${SH}/rooms`, { name: 'Their room' }],
			[`/admin/events/${SH}/rooms/${roomId}/delete`, { confirm: 'yes' }],
		]) {
			const r = await other.post(p, body);
			assert.equal(r.status, 403, `POST ${p}: ${r.status}`);
		}
		for (const p of [`/admin/events/${SH}/programme`, `/admin/events/${SH}/sessions/new`, `/admin/sessions/${s.id}/edit`])
			assert.equal((await other.get(p)).status, 403, p);
		assertDbUnchanged(srv.db, snap, 'the organiser of another event');
	});

	test('a participant is refused and a visitor asked to sign in, nothing changed', async () => {
		const snap = dbSnapshot(srv.db);
		assert.equal((await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'X' }, participantToken)).status, 403);
		assert.equal((await api('POST', `/api/v1/events/${SH}/sessions`, { title: 'X' }, participantToken)).status, 403);
		const visitor = new Client(srv.url);
		const page = await visitor.get(`/admin/events/${SH}/programme`);
		assert.ok([303, 401, 403].includes(page.status), `visitor: ${page.status}`);
		const r = await request(`${srv.url}/api/v1/sessions/${s.id}`, { method: 'DELETE', headers: { Accept: 'application/json' } });
		assert.ok([401, 403].includes(r.status), `visitor DELETE: ${r.status}`);
		assertDbUnchanged(srv.db, snap, 'a participant and a visitor');
	});

	test('a room in use is kept; a free one is deleted after asking', async () => {
		const hall = one(`SELECT r.id FROM programme_room r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)} AND r.name = 'Hall A'`);
		await organiser.get(`/admin/events/${SH}/programme`);
		const used = await organiser.post(`/admin/events/${SH}/rooms/${hall}/delete`, { confirm: 'yes' });
		assert.equal(used.status, 409);
		await organiser.post(`/admin/events/${SH}/rooms`, { name: 'Spare' });
		const spare = one(`SELECT id FROM programme_room WHERE name = 'Spare'`);
		await organiser.get(`/admin/events/${SH}/programme`);
		const ask = await organiser.post(`/admin/events/${SH}/rooms/${spare}/delete`, {});
		assert.equal(ask.status, 200);
		assert.equal(one(`SELECT count(*) FROM programme_room WHERE id = ${spare}`), '1', 'asking deletes nothing');
		const done = await organiser.post(`/admin/events/${SH}/rooms/${spare}/delete`, { confirm: 'yes' });
		assert.equal(done.status, 303);
		assert.equal(one(`SELECT count(*) FROM programme_room WHERE id = ${spare}`), '0');
		assert.equal(audits('room.delete'), 1);
	});
});

describe('the public programme', () => {
	let open, closed, member;
	before(async () => {
		open = await newSession({ title: 'Society under economic development', kind: 'panel', room: 'Hall A', track: 'Society',
			description_md: 'Where *society* meets growth.', languages: ['en', 'zh'], starts_at: '2012-11-30T09:00:00+08:00', ends_at: '2012-11-30T10:30:00+08:00' });
		closed = await newSession({ title: 'Closed-door drafting', visibility: 'participants-only', starts_at: '2012-11-30T11:00:00+08:00', ends_at: '2012-11-30T12:00:00+08:00' });
		// An account whose e-mail has an approved registration for Shanghai.
		const email = one(`SELECT r.email FROM registration r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)} AND r.status = 'approved' ORDER BY r.id LIMIT 1`);
		addAccount(srv.db, { email, name: 'Approved Participant' });
		member = await signedIn(srv.url, email);
		await release();
	});
	const visitorGet = (p, json) => request(srv.url + p, { headers: json ? { Accept: 'application/json' } : {} });

	test('a visitor reads the programme by day, then time, with rooms; participants-only sessions hidden', async () => {
		const r = await visitorGet(`/events/${SH}/programme`);
		assert.equal(r.status, 200);
		const text = textOf(mainOf(r.body));
		assert.match(text, /29 November 2012[\s\S]*30 November 2012[\s\S]*09:00\s*–\s*10:30\s*Society under economic development[\s\S]*Hall A/);
		assert.ok(!text.includes('Closed-door drafting'));
		assert.ok(tags(mainOf(r.body), 'a').some((a) => a.href === `/events/${SH}/sessions/${open.id}`));
		const j = JSON.parse((await visitorGet(`/events/${SH}/programme`, true)).body);
		assert.equal(j.event.timezone, 'Asia/Shanghai');
		const days = j.days.map((d) => d.day);
		assert.deepEqual(days, [...days].sort(), 'days in order');
		const all = j.days.flatMap((d) => d.sessions);
		const s = all.find((x) => x.id === open.id);
		assert.equal(s.starts_at, '2012-11-30T09:00:00+08:00');
		assert.equal(s.room, 'Hall A');
		assert.equal(s.url, `/events/${SH}/sessions/${open.id}`);
		assert.ok(!all.some((x) => x.id === closed.id));
		assert.ok(!all.some((x) => 'event_id' in x || 'timezone' in x), 'no internal keys');
		for (const d of j.days) {
			const starts = d.sessions.map((x) => x.starts_at);
			assert.deepEqual(starts, [...starts].sort(), `${d.day} in time order`);
		}
	});

	test('a session has its page, with its description, and its JSON twin', async () => {
		const r = await visitorGet(`/events/${SH}/sessions/${open.id}`);
		assert.equal(r.status, 200);
		assert.match(mainOf(r.body), /<em>society<\/em>/);
		assert.match(textOf(mainOf(r.body)), /Hall A[\s\S]*English, (中文|Chinese)/);
		const j = JSON.parse((await visitorGet(`/events/${SH}/sessions/${open.id}`, true)).body);
		assert.equal(j.session.title, 'Society under economic development');
		assert.equal(j.session.ends_at, '2012-11-30T10:30:00+08:00');
		assert.equal((await visitorGet(`/events/${SH}/sessions/${closed.id}`)).status, 404, 'participants only');
		assert.equal((await visitorGet(`/events/asia-pacific-auckland-2007/sessions/${open.id}`)).status, 404, 'not that event\'s');
		assert.equal((await visitorGet(`/events/${SH}/sessions/999999`)).status, 404);
	});

	test('the event\'s organisers and approved participants see participants-only sessions; others do not', async () => {
		for (const [who, c, sees] of [['organiser', organiser, true], ['approved participant', member, true],
			['participant of nothing', participant, false], ['organiser of another event', other, false]]) {
			const page = await c.get(`/events/${SH}/programme`);
			assert.equal(page.status, 200);
			assert.equal(textOf(mainOf(page.body)).includes('Closed-door drafting'), sees, who);
			assert.match(page.headers['cache-control'] ?? '', /private|no-store/, `${who}: not for shared caches`);
			assert.equal((await c.get(`/events/${SH}/sessions/${closed.id}`)).status, sees ? 200 : 404, who);
		}
	});

	test('the demo\'s illustrative programme, and the way to a calendar', async () => {
		const r = await visitorGet(`/events/${SH}/programme`);
		const text = textOf(mainOf(r.body));
		assert.match(text, /09:00\s*–\s*09:45\s*Opening: Harmony through Diversity and Dialogue/);
		assert.match(text, /The Alliance in a renewed regional cooperation/);
		assert.ok(!text.includes('Joint actions on shared challenges'), 'the demo\'s participants-only round table is hidden');
		assert.ok(tags(mainOf(r.body), 'a').some((a) => a.href === `/events/${SH}/programme.ics`));
		const demo = JSON.parse((await visitorGet(`/events/${SH}/programme`, true)).body).days[0].sessions[0];
		assert.match(textOf(mainOf((await visitorGet(demo.url)).body)), /illustrative session of the demo/);
	});

	test('the event\'s page links to its programme', async () => {
		const r = await visitorGet(`/events/${SH}`);
		assert.ok(tags(r.body, 'a').some((a) => a.href === `/events/${SH}/programme`));
		const none = await visitorGet(`/events/asia-pacific-auckland-2007`);
		assert.ok(!tags(none.body, 'a').some((a) => a.href === '/events/asia-pacific-auckland-2007/programme'), 'no programme, no link');
		assert.equal((await visitorGet('/events/no-such-event/programme')).status, 404);
	});

	test('right to left, the programme keeps its times in order', async () => {
		const r = await visitorGet(`/events/${SH}/programme?lang=ar`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<html[^>]*dir="rtl"/);
		assert.match(r.body, /<span dir="ltr"><time datetime="2012-11-30T09:00:00\+08:00">09:00<\/time>–<time/);
	});
});

describe('the programme as a calendar', () => {
	// Debian's python3-icalendar reads the file as calendar clients do.
	const PY = `
import sys, json, icalendar, datetime
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
tz = [str(t['TZID']) for t in cal.walk('VTIMEZONE')]
out = []
for e in cal.walk('VEVENT'):
    s, n = e.decoded('DTSTART'), e.decoded('DTEND')
    out.append({'uid': str(e['UID']), 'summary': str(e['SUMMARY']), 'location': str(e.get('LOCATION', '')),
                'tzid': e['DTSTART'].params.get('TZID'), 'offset': s.utcoffset().total_seconds(),
                'start_utc': s.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
                'end_utc': n.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')})
print(json.dumps({'vtimezones': tz, 'events': out}))
`;
	const parse = (body) => {
		const r = spawnSync('/usr/bin/python3', ['-c', PY], { input: body, encoding: 'utf8' });
		assert.equal(r.status, 0, `icalendar could not read it: ${r.stderr}`);
		return JSON.parse(r.stdout);
	};

	test('the public sessions, at the event\'s hours with its TZID and VTIMEZONE, read by icalendar', async () => {
		const r = await request(`${srv.url}/events/${SH}/programme.ics`);
		assert.equal(r.status, 200);
		assert.equal(r.headers['content-type'], 'text/calendar; charset=utf-8');
		assert.doesNotMatch(r.body.replaceAll('\r\n', ''), /[\r\n]/, 'CRLF only');
		for (const line of r.body.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
		assert.match(r.body, /\r\nBEGIN:VTIMEZONE\r\nTZID:Asia\/Shanghai\r\n/);
		const cal = parse(r.body);
		assert.deepEqual(cal.vtimezones, ['Asia/Shanghai']);
		const api = (await bearer(srv.url, token, 'GET', `/api/v1/events/${SH}/sessions`)).json.sessions;
		const pub = api.filter((s) => s.visibility === 'public');
		assert.equal(cal.events.length, pub.length, 'the public sessions, and only those');
		for (const s of pub) {
			const e = cal.events.find((x) => x.uid.startsWith(`session-${s.id}@`));
			assert.ok(e, s.title);
			assert.equal(e.summary, s.title);
			assert.equal(e.tzid, 'Asia/Shanghai');
			assert.equal(e.offset, 8 * 3600, `${s.title}: at the event's offset`);
			assert.equal(e.start_utc, new Date(s.starts_at).toISOString().replace('.000', ''), `${s.title}: the same instant`);
			assert.equal(e.end_utc, new Date(s.ends_at).toISOString().replace('.000', ''));
			assert.match(e.uid, new RegExp(`^session-${s.id}@`), 'a stable UID');
		}
		assert.match(r.body, /DTSTART;TZID=Asia\/Shanghai:20121130T090000\r\n/);
		assert.ok(!r.body.includes('Closed-door'), 'no participants-only session');
	});

	test('a zone with daylight saving: Auckland\'s session carries its offset of the day', async () => {
		const ok = await api('POST', '/api/v1/events/asia-pacific-auckland-2007/sessions',
			{ title: 'Auckland plenary', starts_at: '2007-05-10T09:00:00+12:00', ends_at: '2007-05-10T10:00:00+12:00' }, otherToken);
		assert.equal(ok.status, 201, ok.body);
		await release('asia-pacific-auckland-2007', otherToken);
		const r = await request(`${srv.url}/events/asia-pacific-auckland-2007/programme.ics`);
		assert.equal(r.status, 200);
		const cal = parse(r.body);
		assert.deepEqual(cal.vtimezones, ['Pacific/Auckland']);
		assert.equal(cal.events[0].offset, 12 * 3600, 'standard time in May');
		assert.equal(cal.events[0].start_utc, '2007-05-09T21:00:00Z');
		assert.match(r.body, /BEGIN:STANDARD\r\nDTSTART:20070318T030000\r\nTZOFFSETFROM:\+1300\r\nTZOFFSETTO:\+1200/, 'the change before it');
	});
});
