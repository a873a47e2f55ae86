// programme-release.test.mjs — the programme's people, conflicts,
// releases and concurrent edits (src/features/programme/): the people of
// an event and their roles in sessions (API and forms), the conflict
// checks in the answers and in their own list, edits that stay invisible
// until a release, the changelog and iCalendar SEQUENCE of each release,
// a second organiser's save merged or refused, never silently lost, and
// who may do none of it. One server, the demo's Shanghai event (29–30
// November 2012, Asia/Shanghai, UTC+8), released as version 1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { mainOf, tags, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { ROOT, startServer } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, q, sqlite } from './lib/sqlite.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const AUCKLAND = 'asia-pacific-auckland-2007';
const SECOND = { email: 'second-organiser@example.org', name: 'Second Organiser', role: 'organiser', event: SH };
const OTHER = { email: 'auckland-rel@example.org', name: 'Auckland Organiser', role: 'organiser', event: AUCKLAND };
const PART = { email: 'participant-rel@example.org', name: 'A Participant' };
let srv, organiser, second, token, secondToken, otherToken, participantToken;

before(async () => {
	srv = await startServer();
	for (const a of [SECOND, OTHER, PART]) addAccount(srv.db, a);
	const { email, password } = srv.organiser;
	organiser = await signedIn(srv.url, email, password);
	token = await apiToken(organiser, 'write', 'release', password);
	second = await signedIn(srv.url, SECOND.email);
	secondToken = await apiToken(second, 'write', 'release');
	otherToken = await apiToken(await signedIn(srv.url, OTHER.email), 'write', 'release');
	participantToken = await apiToken(await signedIn(srv.url, PART.email), 'write', 'release');
});
after(() => srv?.stop());

const api = (method, p, body, t = token) => bearer(srv.url, t, method, p, body);
const one = (sql) => sqlite(srv.db, sql).trim();
const visitor = (p) => request(srv.url + p, { headers: { Accept: 'application/json' } });
const publicIds = async () => (await visitor(`/events/${SH}/programme`)).json?.days.flatMap((d) => d.sessions.map((s) => s.id))
	?? JSON.parse((await visitor(`/events/${SH}/programme`)).body).days.flatMap((d) => d.sessions.map((s) => s.id));

async function newSession(fields) {
	const r = await api('POST', `/api/v1/events/${SH}/sessions`, {
		title: 'A session', kind: 'panel', starts_at: '2012-11-29T16:00:00+08:00', ends_at: '2012-11-29T17:00:00+08:00', ...fields,
	});
	assert.equal(r.status, 201, r.body);
	return r.json;
}

async function newPerson(fields) {
	const r = await api('POST', `/api/v1/events/${SH}/people`, fields);
	assert.equal(r.status, 201, r.body);
	return r.json;
}

async function release(note = '') {
	const r = await api('POST', `/api/v1/events/${SH}/programme/releases`, { note });
	assert.equal(r.status, 201, r.body);
	return r.json;
}

describe('people and their roles', () => {
	test('an organiser adds a guest and one linked to an account; both audited', async () => {
		const before = Number(one("SELECT count(*) FROM audit_log WHERE action = 'person.create'"));
		const guest = await newPerson({ name: 'Amina Haddad', title: 'Professor', organisation: 'Université Mohammed V', bio: 'Writes on دور الثقافة.' });
		assert.equal(guest.name, 'Amina Haddad');
		assert.equal(guest.account_email, null);
		const linked = await newPerson({ name: 'Second Organiser', email: 'SECOND-organiser@example.org' });
		assert.equal(linked.account_email, SECOND.email, 'linked by the account\'s address, whatever its case');
		assert.equal(Number(one("SELECT count(*) FROM audit_log WHERE action = 'person.create'")), before + 2);
		const list = (await api('GET', `/api/v1/events/${SH}/people`)).json.people;
		assert.ok(list.some((p) => p.id === guest.id) && list.some((p) => p.id === linked.id));
		// an approved participant of the event with no account is linked by their registration
		const email = one(`SELECT r.email FROM registration r JOIN event e ON e.id = r.event_id LEFT JOIN account a ON a.email = lower(r.email)
			WHERE e.slug = ${q(SH)} AND r.status = 'approved' AND a.id IS NULL ORDER BY r.id LIMIT 1`);
		assert.ok(email, 'the demo has an approved participant without an account');
		const participant = await newPerson({ name: 'A Participant Speaker', email });
		assert.equal(participant.participant_email, email);
		assert.equal(participant.account_email, null);
		assert.equal(participant.registration_id, Number(one(`SELECT id FROM registration WHERE email = ${q(email)} AND event_id = (SELECT id FROM event WHERE slug = ${q(SH)})`)));
		const pending = one(`SELECT r.email FROM registration r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)} AND r.status = 'pending' ORDER BY r.id LIMIT 1`);
		if (pending) assert.equal((await api('POST', `/api/v1/events/${SH}/people`, { name: 'Pending', email: pending })).status, 400, 'a pending registration is not a participant');
		const patched = await api('PATCH', `/api/v1/events/${SH}/people/${guest.id}`, { title: 'Dean' });
		assert.equal(patched.status, 200, patched.body);
		assert.equal(patched.json.title, 'Dean');
		assert.equal(patched.json.organisation, 'Université Mohammed V', 'what was not sent stays');
	});

	test('bad people are refused with their field, nothing saved', async () => {
		const snap = dbSnapshot(srv.db);
		let r = await api('POST', `/api/v1/events/${SH}/people`, { title: 'No name' });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.name);
		r = await api('POST', `/api/v1/events/${SH}/people`, { name: 'Nobody', email: 'no-such-account@example.org' });
		assert.equal(r.status, 400);
		assert.match(r.json.errors.email, /No account or approved participant of this event/);
		r = await api('POST', `/api/v1/events/${SH}/people`, { name: 'x'.repeat(201) });
		assert.equal(r.status, 400);
		assertDbUnchanged(srv.db, snap, 'refused people');
	});

	test('a session takes people by id or name with their roles; an unknown one is refused whole', async () => {
		const p = await newPerson({ name: 'Kenji Sato', organisation: 'Waseda University' });
		const s = await newSession({ title: 'Roles panel', people: [{ person: p.id, role: 'speaker' }, { person: 'Amina Haddad', role: 'moderator' }] });
		assert.deepEqual(s.people.map((x) => [x.name, x.role]), [['Kenji Sato', 'speaker'], ['Amina Haddad', 'moderator']]);
		const snap = dbSnapshot(srv.db);
		for (const people of [[{ person: 'Nobody At All', role: 'speaker' }], [{ person: p.id, role: 'keynote' }], [{ role: 'chair' }], 'Kenji']) {
			const r = await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'Changed too', people });
			assert.equal(r.status, 400, JSON.stringify(people));
			assert.ok(r.json.errors.people, JSON.stringify(r.json));
		}
		assertDbUnchanged(srv.db, snap, 'refused people of a session');
		const r = await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'Roles panel, renamed' });
		assert.equal(r.json.people.length, 2, 'people not sent stay as they are');
	});

	test('through the forms: add a person, give them a role in a session, remove it', async () => {
		await organiser.get(`/admin/events/${SH}/people`);
		let r = await organiser.post(`/admin/events/${SH}/people`, { name: 'Form Person', title: '', organisation: 'Tsinghua University', bio: '', email: '' });
		assert.equal(r.status, 303, r.body.slice(0, 500));
		const pid = Number(one(`SELECT id FROM programme_person WHERE name = 'Form Person'`));
		const s = await newSession({ title: 'Form roles' });
		const page = await organiser.get(`/admin/sessions/${s.id}/edit`);
		assert.ok(tags(page.body, 'option').some((o) => o.value === String(pid)), 'the person is offered');
		r = await organiser.post(`/admin/sessions/${s.id}/people`, { person: pid, role: 'rapporteur' });
		assert.equal(r.status, 303);
		assert.equal(one(`SELECT role FROM programme_session_person WHERE session_id = ${s.id}`), 'rapporteur');
		assert.match(textOf(mainOf((await organiser.get(`/admin/sessions/${s.id}/edit`)).body)), /Form Person\s*Rapporteur/);
		r = await organiser.post(`/admin/sessions/${s.id}/people/remove`, { person: pid, role: 'rapporteur' });
		assert.equal(r.status, 303);
		assert.equal(one(`SELECT count(*) FROM programme_session_person WHERE session_id = ${s.id}`), '0');
		assert.equal(Number(one(`SELECT count(*) FROM audit_log WHERE entity = 'session' AND entity_id = ${s.id} AND action = 'session.update'`)), 2);
		r = await organiser.post(`/admin/sessions/${s.id}/people`, { person: pid, role: 'rapporteur' }, { csrf: false });
		assert.equal(r.status, 403, 'no CSRF token, no change');
	});

	test('a photo sent with the form is stored and shown; a file that is not an image is refused; removing it clears it', async () => {
		const multipart = (parts) => {
			const boundary = '----harmony' + Math.random().toString(16).slice(2);
			const chunks = [];
			for (const [name, v] of parts) {
				if (typeof v === 'string') chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
				else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: ${v.type}\r\n\r\n`), v.data, Buffer.from('\r\n'));
			}
			chunks.push(Buffer.from(`--${boundary}--\r\n`));
			return { body: Buffer.concat(chunks), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
		};
		const png = readFileSync(path.join(ROOT, 'tests/fuzz/corpus/image/red-blue.png'));
		await organiser.get(`/admin/events/${SH}/people`);
		let r = await organiser.req('POST', `/admin/events/${SH}/people`, multipart([['_csrf', organiser.csrf], ['name', 'Photo Person'],
			['photo_file', { filename: 'me.png', type: 'image/png', data: png }]]));
		assert.equal(r.status, 303, r.body.slice(0, 400));
		const id = Number(one(`SELECT id FROM programme_person WHERE name = 'Photo Person'`));
		const stored = one(`SELECT photo FROM programme_person WHERE id = ${id}`);
		assert.match(stored, /^[0-9a-f]{64}\.png$/);
		const got = (await api('GET', `/api/v1/events/${SH}/people/${id}`)).json;
		assert.equal(got.photo_url, `/media/${stored}`);
		assert.equal((await request(`${srv.url}${got.photo_thumb_url}`)).status, 200, 'its thumbnail is served');
		// not an image: refused beside the field, nothing saved
		const snap = dbSnapshot(srv.db);
		await organiser.get(`/admin/events/${SH}/people/${id}/edit`);
		r = await organiser.req('POST', `/admin/events/${SH}/people/${id}`, multipart([['_csrf', organiser.csrf], ['name', 'Photo Person'], ['photo', stored],
			['photo_file', { filename: 'me.png', type: 'image/png', data: Buffer.from('not an image at all') }]]));
		assert.equal(r.status, 400);
		assertDbUnchanged(srv.db, snap, 'a bad photo');
		// removed
		await organiser.get(`/admin/events/${SH}/people/${id}/edit`);
		r = await organiser.req('POST', `/admin/events/${SH}/people/${id}`, multipart([['_csrf', organiser.csrf], ['name', 'Photo Person'], ['photo', stored], ['remove_photo', '1']]));
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(one(`SELECT coalesce(photo, 'none') FROM programme_person WHERE id = ${id}`), 'none');
	});

	test('deleting a person takes them out of their sessions, after asking', async () => {
		const p = await newPerson({ name: 'Short Lived' });
		const s = await newSession({ title: 'With Short Lived', people: [{ person: p.id, role: 'chair' }] });
		await organiser.get(`/admin/events/${SH}/people`);
		const ask = await organiser.post(`/admin/events/${SH}/people/${p.id}/delete`, {});
		assert.equal(ask.status, 200);
		assert.match(textOf(mainOf(ask.body)), /They leave 1 session/);
		const r = await api('DELETE', `/api/v1/events/${SH}/people/${p.id}`);
		assert.equal(r.status, 204);
		assert.deepEqual((await api('GET', `/api/v1/sessions/${s.id}`)).json.people, []);
	});
});

describe('conflicts', () => {
	let a, b, p;
	before(async () => {
		await api('POST', `/api/v1/events/${SH}/rooms`, { name: 'Clash Room', capacity: 20 });
		p = await newPerson({ name: 'Busy Speaker' });
		a = await newSession({ title: 'Clash A', room: 'Clash Room', starts_at: '2012-11-30T18:00:00+08:00', ends_at: '2012-11-30T19:00:00+08:00', people: [{ person: p.id, role: 'speaker' }] });
		b = await newSession({ title: 'Clash B', room: 'Clash Room', starts_at: '2012-11-30T18:30:00+08:00', ends_at: '2012-11-30T19:30:00+08:00', people: [{ person: p.id, role: 'moderator' }, { person: p.id, role: 'speaker' }] });
	});
	const types = (list, id) => list.filter((c) => c.sessions.includes(id)).map((c) => c.type).sort();

	test('a room used twice and a person in two sessions at once, in the answers and the list', async () => {
		assert.deepEqual(types(b.conflicts, b.id), ['person', 'room'], 'the creation\'s answer says so');
		const got = (await api('GET', `/api/v1/sessions/${a.id}`)).json;
		assert.deepEqual(types(got.conflicts, a.id), ['person', 'room']);
		const room = got.conflicts.find((c) => c.type === 'room');
		assert.deepEqual(room.sessions, [a.id, b.id]);
		assert.equal(room.room, 'Clash Room');
		assert.match(room.message, /Clash Room has two sessions at once/);
		const person = got.conflicts.find((c) => c.type === 'person');
		assert.deepEqual(person.person, { id: p.id, name: 'Busy Speaker' }, 'once, whatever their roles');
		const list = (await api('GET', `/api/v1/events/${SH}/programme/conflicts`)).json.conflicts;
		assert.deepEqual(types(list, a.id), ['person', 'room']);
		const inList = (await api('GET', `/api/v1/events/${SH}/sessions`)).json.sessions.find((s) => s.id === a.id);
		assert.deepEqual(types(inList.conflicts, a.id), ['person', 'room']);
	});

	test('moving one away clears both; the answer of the PATCH says so', async () => {
		const r = await api('PATCH', `/api/v1/sessions/${b.id}`, { starts_at: '2012-11-30T19:00:00+08:00', ends_at: '2012-11-30T20:00:00+08:00' });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json.conflicts, [], 'back to back is not a clash');
	});

	test('past midnight, more places than the room, interpretation into nothing, outside the event\'s new dates', async () => {
		const late = await newSession({ title: 'Late night', starts_at: '2012-11-29T23:00:00+08:00', ends_at: '2012-11-30T00:30:00+08:00' });
		assert.deepEqual(types(late.conflicts, late.id), ['day']);
		const big = await newSession({ title: 'Too big', room: 'Clash Room', capacity: 25, starts_at: '2012-11-29T08:00:00+08:00', ends_at: '2012-11-29T08:30:00+08:00' });
		const cap = big.conflicts.find((c) => c.type === 'capacity');
		assert.equal(cap.room_capacity, 20);
		assert.equal(cap.capacity, 25);
		const interp = await newSession({ title: 'Interpreted', interpretation: true, interpretation_languages: [], starts_at: '2012-11-29T07:00:00+08:00', ends_at: '2012-11-29T07:30:00+08:00' });
		assert.deepEqual(types(interp.conflicts, interp.id), ['interpretation']);
		const fixed = await api('PATCH', `/api/v1/sessions/${interp.id}`, { interpretation_languages: 'en, zh' });
		assert.deepEqual(fixed.json.interpretation_languages, ['en', 'zh']);
		assert.deepEqual(fixed.json.conflicts, []);
		// The event shortened to its first day: the sessions of the 30th are outside it.
		sqlite(srv.db, `UPDATE event SET ends_on = '2012-11-29' WHERE slug = ${q(SH)}`);
		try {
			const got = (await api('GET', `/api/v1/sessions/${a.id}`)).json;
			assert.ok(got.conflicts.some((c) => c.type === 'dates'), JSON.stringify(got.conflicts));
		} finally {
			sqlite(srv.db, `UPDATE event SET ends_on = '2012-11-30' WHERE slug = ${q(SH)}`);
		}
		for (const s of [late, big, interp]) assert.equal((await api('DELETE', `/api/v1/sessions/${s.id}`)).status, 200);
	});

	test('the programme tab lists them with links; the session form shows its own', async () => {
		await api('PATCH', `/api/v1/sessions/${b.id}`, { starts_at: '2012-11-30T18:30:00+08:00', ends_at: '2012-11-30T19:30:00+08:00' });
		const page = await organiser.get(`/admin/events/${SH}/programme`);
		const main = mainOf(page.body);
		assert.ok(tags(main, 'li').some((li) => li['data-type'] === 'person'));
		assert.ok(tags(main, 'a').some((x) => x.href === `/admin/sessions/${a.id}/edit`));
		const form = await organiser.get(`/admin/sessions/${a.id}/edit`);
		assert.match(textOf(mainOf(form.body)), /Conflicts[\s\S]*Busy Speaker is in two sessions at once/);
		await api('PATCH', `/api/v1/sessions/${b.id}`, { starts_at: '2012-11-30T19:00:00+08:00', ends_at: '2012-11-30T20:00:00+08:00' });
	});

	test('the form as it stands is checked without saving: its conflicts, for the event\'s organisers only', async () => {
		await api('PATCH', `/api/v1/sessions/${b.id}`, { starts_at: '2012-11-30T18:30:00+08:00', ends_at: '2012-11-30T19:30:00+08:00' });
		await organiser.get(`/admin/events/${SH}/sessions/new`);
		const snap = dbSnapshot(srv.db);
		const draft = { title: 'Draft', kind: 'panel', starts_at: '2012-11-30T18:15', ends_at: '2012-11-30T18:45', room: 'Clash Room', visibility: 'public', interpretation: '0' };
		let r = await organiser.post(`/admin/events/${SH}/sessions/check`, draft, { json: true });
		assert.equal(r.status, 200, r.body);
		const room = r.json.conflicts.filter((c) => c.type === 'room');
		assert.equal(room.length, 2, 'with both sessions in the room at that time');
		assert.ok(room.every((c) => c.sessions.includes(0)), 'the draft is session 0');
		assert.match(room[0].message, /Clash Room has two sessions at once/);
		// an existing session's form: moved away, its clash goes
		await organiser.get(`/admin/sessions/${b.id}/edit`);
		r = await organiser.post(`/admin/sessions/${b.id}/check`, { starts_at: '2012-11-30T21:00', ends_at: '2012-11-30T21:30' }, { json: true });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json.conflicts, []);
		r = await organiser.post(`/admin/sessions/${b.id}/check`, { starts_at: '2012-11-30T21:00', ends_at: '2012-11-30T20:00' }, { json: true });
		assert.equal(r.status, 400);
		assertDbUnchanged(srv.db, snap, 'checks save nothing');
		const other = await signedIn(srv.url, OTHER.email);
		await other.get('/account');
		assert.equal((await other.post(`/admin/events/${SH}/sessions/check`, draft, { json: true })).status, 403);
		assert.equal((await organiser.post(`/admin/events/${SH}/sessions/check`, draft, { json: true, csrf: false })).status, 403, 'CSRF');
		await api('PATCH', `/api/v1/sessions/${b.id}`, { starts_at: '2012-11-30T19:00:00+08:00', ends_at: '2012-11-30T20:00:00+08:00' });
	});

	test('a session across midnight into a day the event does not have is refused, nothing saved', async () => {
		const snap = dbSnapshot(srv.db);
		const r = await api('POST', `/api/v1/events/${SH}/sessions`, { title: 'Into December', starts_at: '2012-11-30T23:00:00+08:00', ends_at: '2012-12-01T01:00:00+08:00' });
		assert.equal(r.status, 400);
		assert.match(r.json.errors.ends_at, /within the event's dates/);
		assertDbUnchanged(srv.db, snap, 'a session into a day the event does not have');
	});
});

describe('releases', () => {
	test('the demo is released as version 1; edits stay invisible until the next release', async () => {
		const rel = (await api('GET', `/api/v1/events/${SH}/programme/releases`)).json;
		assert.equal(rel.releases.at(-1).version, 1);
		assert.ok(rel.pending.length > 0, 'the sessions made above are pending');
		const s = await newSession({ title: 'Not yet public', starts_at: '2012-11-29T17:00:00+08:00', ends_at: '2012-11-29T17:30:00+08:00' });
		assert.ok(!(await publicIds()).includes(s.id), 'not on the public programme');
		assert.equal((await visitor(`/events/${SH}/sessions/${s.id}`)).status, 404);
		assert.equal((await visitor(`/api/v1/sessions/${s.id}`)).status, 404, 'nor through the API');
		assert.ok(!(await request(`${srv.url}/events/${SH}/programme.ics`)).body.includes('Not yet public'));
		const v = await release('Adds the evening sessions.');
		assert.equal(v.version, rel.releases[0].version + 1);
		assert.ok(v.changes.some((c) => c.session === s.id && c.change === 'added'));
		assert.ok((await publicIds()).includes(s.id));
		const pub = JSON.parse((await visitor(`/api/v1/sessions/${s.id}`)).body);
		assert.equal(pub.title, 'Not yet public');
		assert.ok(!('conflicts' in pub), 'the public copy has no editorial keys');
	});

	test('a move, a change and a cancellation make the changelog; the calendar\'s SEQUENCE grows', async () => {
		const moved = await newSession({ title: 'Will move', starts_at: '2012-11-29T18:00:00+08:00', ends_at: '2012-11-29T18:30:00+08:00' });
		const kept = await newSession({ title: 'Will change', starts_at: '2012-11-29T18:00:00+08:00', ends_at: '2012-11-29T18:30:00+08:00' });
		const gone = await newSession({ title: 'Will go', starts_at: '2012-11-29T18:00:00+08:00', ends_at: '2012-11-29T18:30:00+08:00' });
		await release();
		const seq = async (id) => Number(/SEQUENCE:(\d+)/.exec((await request(`${srv.url}/events/${SH}/programme.ics`)).body.split(`UID:session-${id}@`)[1])[1]);
		assert.equal(await seq(moved.id), 0);
		await api('PATCH', `/api/v1/sessions/${moved.id}`, { starts_at: '2012-11-29T19:00:00+08:00', ends_at: '2012-11-29T19:30:00+08:00' });
		await api('PATCH', `/api/v1/sessions/${kept.id}`, { description_md: 'Now with a description.' });
		assert.equal((await api('DELETE', `/api/v1/sessions/${gone.id}`)).status, 200);
		const pending = (await api('GET', `/api/v1/events/${SH}/programme/releases`)).json.pending;
		assert.deepEqual(pending.map((c) => [c.session, c.change]).sort(), [[moved.id, 'moved'], [kept.id, 'updated'], [gone.id, 'cancelled']].sort());
		const v = await release('Evening moved.');
		const m = v.changes.find((c) => c.session === moved.id);
		assert.equal(m.starts_at, '2012-11-29T19:00:00+08:00');
		assert.equal(m.was.starts_at, '2012-11-29T18:00:00+08:00');
		assert.deepEqual(v.changes.find((c) => c.session === kept.id).fields, ['description_md']);
		assert.equal(await seq(moved.id), 1, 'the move raised its SEQUENCE');
		assert.equal(await seq(kept.id), 1);
		const page = await request(`${srv.url}/events/${SH}/programme/changes`);
		assert.equal(page.status, 200);
		const text = textOf(mainOf(page.body));
		assert.match(text, new RegExp(`Version ${v.version}[\\s\\S]*Evening moved\\.[\\s\\S]*Moved\\s*Will move[\\s\\S]*was`));
		assert.match(text, /Cancelled\s*Will go/);
		assert.equal(Number(one("SELECT count(*) FROM audit_log WHERE action = 'programme.release'")) >= 3, true);
	});

	test('nothing to release is refused; a participant and another event\'s organiser may not release', async () => {
		const snap = dbSnapshot(srv.db);
		let r = await api('POST', `/api/v1/events/${SH}/programme/releases`, { note: '' });
		assert.equal(r.status, 409);
		assert.match(r.json.error.message, /Nothing has changed/);
		await newSession({ title: 'Pending for the refusals' });
		const snap2 = dbSnapshot(srv.db);
		for (const t of [participantToken, otherToken]) {
			r = await api('POST', `/api/v1/events/${SH}/programme/releases`, { note: 'x' }, t);
			assert.equal(r.status, 403);
			assert.equal((await api('GET', `/api/v1/events/${SH}/programme/conflicts`, undefined, t)).status, 403);
		}
		r = await api('POST', `/api/v1/events/${SH}/programme/releases`, { note: 'x'.repeat(2001) });
		assert.equal(r.status, 400);
		assertDbUnchanged(srv.db, snap2, 'refused releases');
		assert.ok(snap);
	});

	test('two releases at the same moment make one version', async () => {
		await newSession({ title: 'Released once', starts_at: '2012-11-29T19:00:00+08:00', ends_at: '2012-11-29T19:30:00+08:00' });
		const before = Number(one(`SELECT count(*) FROM programme_release r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)}`));
		const rs = await Promise.all([1, 2, 3, 4].map((n) => api('POST', `/api/v1/events/${SH}/programme/releases`, { note: `at once ${n}` },
			n % 2 ? token : secondToken)));
		const statuses = rs.map((r) => r.status).sort();
		assert.deepEqual(statuses, [201, 409, 409, 409], JSON.stringify(rs.map((r) => r.body)));
		assert.equal(Number(one(`SELECT count(*) FROM programme_release r JOIN event e ON e.id = r.event_id WHERE e.slug = ${q(SH)}`)), before + 1);
	});

	test('the release form on the tab releases and says so', async () => {
		await newSession({ title: 'Released by the form', starts_at: '2012-11-29T19:30:00+08:00', ends_at: '2012-11-29T20:00:00+08:00' });
		await organiser.get(`/admin/events/${SH}/programme`);
		const r = await organiser.post(`/admin/events/${SH}/programme/releases`, { note: 'From the form.' });
		assert.equal(r.status, 303);
		assert.match(r.headers.location, /done=released/);
		const tab = await organiser.get(r.headers.location);
		assert.match(textOf(mainOf(tab.body)), /Released: the public sees this version/);
		assert.match(textOf(mainOf(tab.body)), /Everything is released/);
	});

	test('a person has a public page with their released sessions; none released, none shown', async () => {
		const p = await newPerson({ name: 'Public Person', organisation: 'Fudan University', bio: 'On dialogue.' });
		const s = await newSession({ title: 'With the public person', people: [{ person: p.id, role: 'speaker' }] });
		assert.equal((await visitor(`/events/${SH}/people/${p.id}`)).status, 404, 'not before a release');
		await release();
		const page = await request(`${srv.url}/events/${SH}/people/${p.id}`);
		assert.equal(page.status, 200);
		assert.match(textOf(mainOf(page.body)), /Public Person[\s\S]*Fudan University[\s\S]*With the public person[\s\S]*Speaker/);
		assert.ok(!page.body.includes('account_email'));
		const sp = await request(`${srv.url}/events/${SH}/sessions/${s.id}`);
		assert.ok(tags(mainOf(sp.body), 'a').some((x) => x.href === `/events/${SH}/people/${p.id}`), 'the session links to them');
	});
});

describe('two organisers, one session', () => {
	let s;
	before(async () => {
		s = await newSession({ title: 'Shared session', track: 'Society', starts_at: '2012-11-29T20:00:00+08:00', ends_at: '2012-11-29T21:00:00+08:00' });
	});

	test('changes to different fields are merged; the same field changed by both is refused with the field, nothing saved', async () => {
		const seen = (await api('GET', `/api/v1/sessions/${s.id}`)).json;
		await new Promise((r) => setTimeout(r, 1100)); // updated_at counts seconds
		let r = await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'Renamed by the second', updated_at: seen.updated_at }, secondToken);
		assert.equal(r.status, 200, r.body);
		await new Promise((res) => setTimeout(res, 1100));
		r = await api('PATCH', `/api/v1/sessions/${s.id}`, { ...seen, track: 'Culture', updated_at: seen.updated_at });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.title, 'Renamed by the second', 'the other\'s change is kept');
		assert.equal(r.json.track, 'Culture', 'and mine applied');
		const snap = dbSnapshot(srv.db);
		r = await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'My own name', updated_at: seen.updated_at });
		assert.equal(r.status, 409, r.body);
		assert.match(r.json.errors.title, /Someone else changed this/);
		assert.match(r.json.error, /Someone else saved this session/);
		assertDbUnchanged(srv.db, snap, 'a clashing save');
		const now = (await api('GET', `/api/v1/sessions/${s.id}`)).json;
		r = await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'My own name', updated_at: now.updated_at });
		assert.equal(r.status, 200, 'with the new version seen, the save is a choice');
	});

	test('in the form: the clash is shown beside the field, the other changes are in the form, a second save keeps both', async () => {
		const page = await organiser.get(`/admin/sessions/${s.id}/edit`);
		const form = Object.fromEntries(tags(page.body, 'input').filter((i) => i.name && i.type !== 'checkbox' && i.type !== 'submit').map((i) => [i.name, i.value ?? '']));
		for (const t of tags(page.body, 'textarea')) form[t.name] = '';
		form.description_md = one(`SELECT description_md FROM programme_session WHERE id = ${s.id}`);
		form.kind = 'panel';
		form.visibility = 'public';
		form.room = '';
		form.interpretation = '0';
		assert.ok(form.updated_at, 'the form carries the version it shows');
		await new Promise((r) => setTimeout(r, 1100));
		const r1 = await api('PATCH', `/api/v1/sessions/${s.id}`, { title: 'Second\'s title', track: 'Values' }, secondToken);
		assert.equal(r1.status, 200);
		const r = await organiser.post(`/admin/sessions/${s.id}`, { ...form, title: 'First\'s title' });
		assert.equal(r.status, 409, r.body.slice(0, 300));
		const text = textOf(mainOf(r.body));
		assert.match(text, /Someone else saved this session after you opened it/);
		assert.match(text, /Someone else changed this since you opened the form/);
		const shown = Object.fromEntries(tags(r.body, 'input').filter((i) => i.name).map((i) => [i.name, i.value ?? '']));
		assert.equal(shown.title, 'First\'s title', 'my value, marked');
		assert.equal(shown.track, 'Values', 'their change to a field I left alone');
		const again = await organiser.post(`/admin/sessions/${s.id}`, { ...shown, description_md: form.description_md, kind: 'panel', visibility: 'public', room: '', interpretation: '0' });
		assert.equal(again.status, 303, again.body.slice(0, 300));
		const now = (await api('GET', `/api/v1/sessions/${s.id}`)).json;
		assert.equal(now.title, 'First\'s title');
		assert.equal(now.track, 'Values');
	});
});

describe('copying a session', () => {
	test('a copy keeps the fields and people, lands on its form with the clash shown; the API answers 201', async () => {
		const p = await newPerson({ name: 'Copy Speaker' });
		const s = await newSession({ title: 'Repeated workshop', kind: 'workshop', track: 'Youth', capacity: 20,
			starts_at: '2012-11-29T13:00:00+08:00', ends_at: '2012-11-29T14:00:00+08:00', people: [{ person: p.id, role: 'speaker' }] });
		await organiser.get(`/admin/sessions/${s.id}/edit`);
		const r = await organiser.post(`/admin/sessions/${s.id}/copy`, {});
		assert.equal(r.status, 303);
		const id = Number(/\/admin\/sessions\/(\d+)\/edit\?done=copied/.exec(r.headers.location)[1]);
		assert.notEqual(id, s.id);
		const copy = (await api('GET', `/api/v1/sessions/${id}`)).json;
		for (const k of ['title', 'kind', 'track', 'capacity', 'starts_at', 'ends_at']) assert.deepEqual(copy[k], s[k], k);
		assert.deepEqual(copy.people.map((x) => [x.id, x.role]), [[p.id, 'speaker']]);
		assert.ok(copy.conflicts.some((c) => c.type === 'person'), 'the same speaker twice at once');
		const page = await organiser.get(r.headers.location);
		assert.match(textOf(mainOf(page.body)), /This is a copy: give it its own time or room\./);
		const j = await api('POST', `/api/v1/sessions/${s.id}/copy`);
		assert.equal(j.status, 201, j.body);
		assert.equal(j.json.title, 'Repeated workshop');
		assert.equal(Number(one(`SELECT count(*) FROM audit_log WHERE action = 'session.create' AND entity_id IN (${id}, ${j.json.id})`)), 2);
		const snap = dbSnapshot(srv.db);
		assert.equal((await api('POST', `/api/v1/sessions/${s.id}/copy`, undefined, otherToken)).status, 403);
		assert.equal((await api('POST', `/api/v1/sessions/${s.id}/copy`, undefined, participantToken)).status, 403);
		assertDbUnchanged(srv.db, snap, 'refused copies');
		for (const x of [id, j.json.id, s.id]) await api('DELETE', `/api/v1/sessions/${x}`);
	});
});

describe('the reader\'s own time zone', () => {
	test('?tz= shows the times in another zone, named; an unknown zone is refused', async () => {
		const r = JSON.parse((await visitor(`/events/${SH}/programme?tz=Europe/Paris`)).body);
		assert.equal(r.zone.shown, 'Europe/Paris');
		assert.equal(r.zone.is_event, false);
		const opening = r.days.flatMap((d) => d.sessions).find((s) => /^Opening/.test(s.title));
		assert.equal(opening.starts_at, '2012-11-29T02:00:00+01:00', '09:00 in Shanghai is 02:00 in Paris');
		assert.equal(opening.start_time, '02:00');
		const page = await request(`${srv.url}/events/${SH}/sessions/${opening.id}?tz=America/Los_Angeles`);
		assert.match(textOf(mainOf(page.body)), /28 November 2012[\s\S]*17:00[\s\S]*America\/Los_Angeles[\s\S]*Show the event's times/);
		const bad = await request(`${srv.url}/events/${SH}/programme?tz=Mars/Olympus`);
		assert.equal(bad.status, 400);
		assert.match(bad.body, /no time zone of this name/);
		const plain = JSON.parse((await visitor(`/events/${SH}/programme`)).body);
		assert.equal(plain.zone.shown, 'Asia/Shanghai');
		assert.equal(plain.zone.is_event, true);
	});
});

describe('the programme by room', () => {
	test('?by=room gives each day its rooms by name, their sessions in time order; the page links both views', async () => {
		const j = JSON.parse((await visitor(`/events/${SH}/programme?by=room`)).body);
		assert.equal(j.by_room, true);
		const day = j.days[0];
		const names = day.rooms.map((r) => r.room);
		const named = names.filter((n) => n !== 'Elsewhere');
		assert.deepEqual(named, [...named].sort(), 'rooms by name');
		assert.ok(names.includes('Main Hall'));
		for (const r of day.rooms) {
			const starts = r.sessions.map((s) => s.starts_at);
			assert.deepEqual(starts, [...starts].sort(), `${r.room}: in time order`);
			if (r.room !== 'Elsewhere') assert.ok(r.sessions.every((s) => s.room === r.room), r.room);
		}
		assert.equal(day.rooms.flatMap((r) => r.sessions).length, day.sessions.length, 'every session once');
		const page = await request(`${srv.url}/events/${SH}/programme?by=room`);
		const main = mainOf(page.body);
		assert.ok(tags(main, 'a').some((x) => x.href === `/events/${SH}/programme`), 'back to the view by time');
		assert.match(textOf(main), /By time\s*·\s*By room[\s\S]*Main Hall/);
	});
});

describe('a session in other languages', () => {
	test('an organiser adds a French version; the French reader sees it marked, the others the original', async () => {
		const s = await newSession({ title: 'Dialogue among cultures', track: 'Culture', description_md: 'On *dialogue*.',
			starts_at: '2012-11-30T16:00:00+08:00', ends_at: '2012-11-30T17:00:00+08:00' });
		await release();
		const put = await api('PUT', `/api/v1/sessions/${s.id}/translations/fr`, { title: 'Le dialogue entre les cultures', description_md: 'Sur le *dialogue*.' });
		assert.equal(put.status, 200, put.body);
		const fr = await request(`${srv.url}/events/${SH}/sessions/${s.id}?lang=fr`);
		assert.match(fr.body, /<h1><bdi lang="fr">Le dialogue entre les cultures<\/bdi><\/h1>/);
		assert.match(fr.body, /<div class="prose" lang="fr" dir="auto"><p>Sur le <em>dialogue<\/em>\.<\/p>/);
		assert.match(fr.body, /<bdi lang="en">Culture<\/bdi>/, 'a field without a version stays in the original, marked');
		const en = await request(`${srv.url}/events/${SH}/sessions/${s.id}?lang=en`);
		assert.match(en.body, /<h1><bdi lang="en">Dialogue among cultures<\/bdi><\/h1>/);
		const twin = JSON.parse((await request(`${srv.url}/events/${SH}/programme?lang=fr`, { headers: { Accept: 'application/json' } })).body);
		const item = twin.days.flatMap((d) => d.sessions).find((x) => x.id === s.id);
		assert.equal(item.title, 'Le dialogue entre les cultures');
		assert.equal(item.text_lang.title, 'fr');
		const versions = (await api('GET', `/api/v1/sessions/${s.id}/translations`)).json;
		assert.equal(versions.translations.fr.title, 'Le dialogue entre les cultures');
		const snap = dbSnapshot(srv.db);
		assert.equal((await api('PUT', `/api/v1/sessions/${s.id}/translations/fr`, { title: 'x' }, otherToken)).status, 403);
		assertDbUnchanged(srv.db, snap, 'another event\'s organiser');
	});
});

describe('a draft event with a programme', () => {
	test('is kept from deletion while it has sessions or conversations, which the trash would not bring back', async () => {
		addAccount(srv.db, { email: 'admin-rel@example.org', name: 'Admin', role: 'admin' });
		const admin = await apiToken(await signedIn(srv.url, 'admin-rel@example.org'), 'write', 'admin');
		const made = await api('POST', '/api/v1/events', { title: 'A draft with a programme', starts_on: '2031-03-02', ends_on: '2031-03-03',
			timezone: 'Europe/Vienna', city: 'Vienna', country: 'AT', status: 'draft' }, admin);
		assert.equal(made.status, 201, made.body);
		const slug = made.json.slug;
		const s = await api('POST', `/api/v1/events/${slug}/sessions`, { title: 'Opening', starts_at: '2031-03-02T09:00:00+01:00', ends_at: '2031-03-02T10:00:00+01:00' }, admin);
		assert.equal(s.status, 201, s.body);
		const snap = dbSnapshot(srv.db);
		let r = await api('DELETE', `/api/v1/events/${slug}`, undefined, admin);
		assert.equal(r.status, 409, r.body);
		assert.match(r.json.error.message, /This event's programme has 1 session: delete it first\./);
		assertDbUnchanged(srv.db, snap, 'an event kept for its programme');
		assert.equal((await api('DELETE', `/api/v1/sessions/${s.json.id}`, undefined, admin)).status, 200);
		const c = await api('POST', `/api/v1/events/${slug}/conversations`, { topic: 'Water' }, admin);
		assert.equal(c.status, 201, c.body);
		r = await api('DELETE', `/api/v1/events/${slug}`, undefined, admin);
		assert.equal(r.status, 409);
		assert.match(r.json.error.message, /This event has 1 conversation, whose statements and votes would be lost/);
	});
});

describe('rooms and the trash', () => {
	test('a room is one whatever the case of its name; a session names it in any case', async () => {
		const r = await api('POST', `/api/v1/events/${SH}/rooms`, { name: 'clash room' });
		assert.equal(r.status, 409, r.body);
		const s = await newSession({ title: 'In any case', room: 'CLASH ROOM', starts_at: '2012-11-29T06:00:00+08:00', ends_at: '2012-11-29T06:30:00+08:00' });
		assert.equal(s.room, 'Clash Room');
		assert.equal((await api('DELETE', `/api/v1/sessions/${s.id}`)).status, 200);
	});

	test('a session restored from the trash comes back with its readers\' stars and places', async () => {
		const s = await newSession({ title: 'Kept with its stars', capacity: 10, starts_at: '2012-11-29T06:00:00+08:00', ends_at: '2012-11-29T06:30:00+08:00' });
		await release();
		assert.equal((await api('POST', `/api/v1/sessions/${s.id}/signup`, undefined, participantToken)).status, 201);
		const counts = () => [Number(one(`SELECT count(*) FROM programme_star WHERE session_id = ${s.id}`)),
			Number(one(`SELECT count(*) FROM programme_signup WHERE session_id = ${s.id}`))];
		assert.deepEqual(counts(), [1, 1]);
		const d = await api('DELETE', `/api/v1/sessions/${s.id}`);
		assert.equal(d.status, 200, d.body);
		assert.deepEqual(counts(), [0, 0]);
		const back = await api('POST', `/api/v1/trash/${d.json.trash_id}/restore`);
		assert.equal(back.status, 200, back.body);
		assert.deepEqual(counts(), [1, 1], 'the star and the place are back');
	});
});
