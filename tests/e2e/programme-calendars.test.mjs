// programme-calendars.test.mjs — the released programme as other
// programs read it (src/features/programme/frab.c, calendar.c, now.c):
// the frab schedule (schedule.json checked against voc/schedule's JSON
// Schema by Debian's python3-jsonschema, schedule.xml against its XSD by
// xmllint), a calendar per session (read by python3-icalendar) and the
// venue screens' "now and next". One server on the demo's Shanghai event
// (29–30 November 2012, Asia/Shanghai, release 1).
//
// The schemas are read from ../shared/data/frab/ (HM_SHARED_DIR to put it
// elsewhere). Without them or a tool (python3-jsonschema, python3-icalendar,
// xmllint) a test skips with a message, and fails under CI=true.
//
// Golden files: tests/golden/programme-demo.ics and
// tests/golden/schedule-demo.json are the demo's programme.ics (its lines
// unfolded) and schedule.json with the server's port replaced by PORT. After an intended
// change of either format, regenerate them with
//   HM_UPDATE_GOLDEN=1 HARMONY_BIN=… node --test e2e/programme-calendars.test.mjs
// and read the diff before committing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { mainOf, textOf } from './lib/html.mjs';
import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const SH = 'asia-south-pacific-shanghai-2012';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = process.env.HM_SHARED_DIR || path.join(ROOT, '..', 'shared');
const FRAB = path.join(SHARED, 'data', 'frab');
const GOLDEN = path.join(ROOT, 'tests', 'golden');
const inCi = process.env.CI === 'true';
const PY = '/usr/bin/python3';

let srv, organiser, token, port;

before(async () => {
	srv = await startServer();
	port = new URL(srv.url).port;
	const { email, password } = srv.organiser;
	organiser = await signedIn(srv.url, email, password);
	token = await apiToken(organiser, 'write', 'programme', password);
});
after(() => srv?.stop());

const api = (method, p, body) => bearer(srv.url, token, method, p, body);
const get = (p, headers = {}) => request(`${srv.url}${p}`, { headers });

// What a test needs from outside the project: present, or a skip (a
// failure in CI) that says what is missing.
function need(t, ok, what) {
	if (ok) return true;
	assert.ok(!inCi, `${what} (CI=true needs it)`);
	t.skip(what);
	return false;
}
const pyHas = (mod) => fs.existsSync(PY) && spawnSync(PY, ['-c', `import ${mod}`]).status === 0;
const haveXmllint = () => spawnSync('xmllint', ['--version']).status === 0;

// Debian's python3-jsonschema, as the C3VOC validator checks (formats too).
const VALIDATE_JSON = `
import sys, json, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(sys.stdin)
v = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
errs = ['%s: %s' % ('/'.join(map(str, e.absolute_path)), e.message) for e in v.iter_errors(doc)]
print('\\n'.join(errs[:20]))
sys.exit(1 if errs else 0)
`;
function validJson(body) {
	const r = spawnSync(PY, ['-c', VALIDATE_JSON, path.join(FRAB, 'schema.json')], { input: body, encoding: 'utf8' });
	assert.equal(r.status, 0, `schedule.json is not valid against schema.json:\n${r.stdout}${r.stderr}`);
}
function validXml(body) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hm-frab-'));
	const f = path.join(dir, 'schedule.xml');
	fs.writeFileSync(f, body);
	const r = spawnSync('xmllint', ['--noout', '--schema', path.join(FRAB, 'schedule.xml.xsd'), f], { encoding: 'utf8' });
	fs.rmSync(dir, { recursive: true, force: true });
	assert.equal(r.status, 0, `schedule.xml is not valid against schedule.xml.xsd:\n${r.stderr}`);
}
// The name-based UUID (v5, URL namespace) Python computes for name.
function uuid5(name) {
	const r = spawnSync(PY, ['-c', 'import sys, uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, sys.argv[1]))', name], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

// python3-icalendar reads a calendar as clients do.
const ICS = `
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = {'vtimezones': [str(t['TZID']) for t in cal.walk('VTIMEZONE')], 'events': []}
for e in cal.walk('VEVENT'):
    s = e['DTSTART']
    out['events'].append({'uid': str(e['UID']), 'sequence': int(e.get('SEQUENCE', -1)), 'summary': str(e['SUMMARY']),
        'tzid': s.params.get('TZID'), 'local': e.decoded('DTSTART').strftime('%Y-%m-%dT%H:%M'),
        'offset': e.decoded('DTSTART').utcoffset().total_seconds()})
print(json.dumps(out))
`;
function ics(body) {
	const r = spawnSync(PY, ['-c', ICS], { input: body, encoding: 'utf8' });
	assert.equal(r.status, 0, `icalendar could not read it: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

// A golden file compared with body, the server's port as PORT.
function golden(name, body) {
	// the port's length moves where long iCalendar lines are folded:
	// compared unfolded (RFC 5545, 3.1; programme.test.mjs checks folding)
	const norm = body.replaceAll('\r\n ', '').replaceAll(`127.0.0.1:${port}`, '127.0.0.1:PORT');
	const f = path.join(GOLDEN, name);
	if (process.env.HM_UPDATE_GOLDEN) {
		fs.mkdirSync(GOLDEN, { recursive: true });
		fs.writeFileSync(f, norm);
	}
	assert.ok(fs.existsSync(f), `${f} is missing: HM_UPDATE_GOLDEN=1 writes it`);
	assert.equal(norm, fs.readFileSync(f, 'utf8'), `${name} differs from the golden file (HM_UPDATE_GOLDEN=1 rewrites it)`);
}

const sessionsOf = (sched) => sched.schedule.conference.days.flatMap((d) => Object.values(d.rooms).flat());

describe('the demo as the golden files have it', () => {
	test('programme.ics and schedule.json are byte for byte the golden files', async () => {
		const c = await get(`/events/${SH}/programme.ics`);
		assert.equal(c.status, 200);
		golden('programme-demo.ics', c.body);
		const j = await get(`/events/${SH}/schedule.json`);
		assert.equal(j.status, 200);
		golden('schedule-demo.json', j.body);
	});
});

describe('the frab schedule', () => {
	test('schedule.json is valid against voc/schedule\'s schema, with the release\'s public sessions', async (t) => {
		if (!need(t, fs.existsSync(path.join(FRAB, 'schema.json')), `shared data ${FRAB} absent (set HM_SHARED_DIR)`)) return;
		if (!need(t, pyHas('jsonschema'), 'python3-jsonschema is not installed (apt-get install python3-jsonschema)')) return;
		const r = await get(`/events/${SH}/schedule.json`);
		assert.equal(r.status, 200);
		assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
		validJson(r.body);
		const s = JSON.parse(r.body);
		assert.equal(s.schedule.version, '1', 'the release\'s version');
		assert.equal(s.schedule.base_url, `${srv.url}/`);
		const conf = s.schedule.conference;
		assert.equal(conf.acronym, 'asia_south_pacific_shanghai_2012');
		assert.equal(conf.title, 'Regional Consultations for Asia-South Pacific');
		assert.deepEqual([conf.start, conf.end, conf.daysCount, conf.time_zone_name], ['2012-11-29', '2012-11-30', 2, 'Asia/Shanghai']);
		assert.deepEqual(conf.days.map((d) => [d.index, d.date, d.day_start]), [[1, '2012-11-29', '2012-11-29T00:00:00+08:00'], [2, '2012-11-30', '2012-11-30T00:00:00+08:00']]);
		const events = sessionsOf(s);
		const all = (await api('GET', `/api/v1/events/${SH}/sessions`)).json.sessions;
		const pub = all.filter((x) => x.visibility === 'public');
		assert.equal(events.length, pub.length, 'the public sessions, and only those');
		assert.ok(!r.body.includes('Joint actions on shared challenges'), 'no participants-only session');
		const first = events.find((e) => e.id === 1);
		assert.equal(first.date, '2012-11-29T09:00:00+08:00');
		assert.equal(first.start, '09:00', 'the event\'s hours, not UTC');
		assert.equal(first.duration, '00:45');
		assert.equal(first.room, 'Main Hall');
		assert.equal(first.type, 'opening');
		assert.equal(first.url, `${srv.url}/events/${SH}/sessions/1`);
		assert.match(first.slug, /^asia_south_pacific_shanghai_2012-1-opening-/);
		assert.equal(first.guid, uuid5('session-1@127.0.0.1'), 'the v5 UUID of the session\'s iCalendar UID');
		assert.ok(first.persons.length > 0);
		for (const p of first.persons) {
			assert.equal(p.name, p.public_name);
			assert.match(p.role, /^(speaker|moderator|chair|rapporteur)$/);
			assert.match(p.guid, /^[0-9a-f-]{36}$/);
		}
		const ids = events.map((e) => e.guid);
		assert.equal(new Set(ids).size, ids.length, 'one guid per session');
		const again = JSON.parse((await get(`/events/${SH}/schedule.json`)).body);
		assert.deepEqual(sessionsOf(again).map((e) => e.guid), ids, 'stable');
	});

	test('schedule.xml is valid against the XSD and says the same', async (t) => {
		if (!need(t, fs.existsSync(path.join(FRAB, 'schedule.xml.xsd')), `shared data ${FRAB} absent (set HM_SHARED_DIR)`)) return;
		if (!need(t, haveXmllint(), 'xmllint is not installed (apt-get install libxml2-utils)')) return;
		const r = await get(`/events/${SH}/schedule.xml`);
		assert.equal(r.status, 200);
		assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
		validXml(r.body);
		assert.match(r.body, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
		assert.match(r.body, /<version>1<\/version>/);
		assert.match(r.body, /<acronym>asia_south_pacific_shanghai_2012<\/acronym>/);
		assert.match(r.body, /<day index="1" date="2012-11-29" start="2012-11-29T00:00:00\+08:00"/);
		assert.match(r.body, new RegExp(`<event guid="${uuid5('session-1@127.0.0.1')}" id="1">`));
		assert.match(r.body, /<start>09:00<\/start>/);
		assert.ok(!r.body.includes('Joint actions on shared challenges'), 'no participants-only session');
		const json = JSON.parse((await get(`/events/${SH}/schedule.json`)).body);
		assert.equal((r.body.match(/<event /g) ?? []).length, sessionsOf(json).length);
	});

	test('an event nobody may see is 404; text that is markup stays text', async (t) => {
		assert.equal((await get('/events/no-such-event/schedule.json')).status, 404);
		assert.equal((await get('/events/no-such-event/schedule.xml')).status, 404);
		if (!need(t, fs.existsSync(path.join(FRAB, 'schedule.xml.xsd')) && haveXmllint() && pyHas('jsonschema'), 'schemas, xmllint or python3-jsonschema absent')) return;
		const title = 'Q&A <b>"drafting"</b> & more';
		const made = await api('POST', `/api/v1/events/${SH}/sessions`, {
			title, kind: 'workshop', starts_at: '2012-11-30T16:00:00+08:00', ends_at: '2012-11-30T16:30:00+08:00',
		});
		assert.equal(made.status, 201, made.body);
		const before = await get(`/events/${SH}/schedule.xml`);
		assert.ok(!before.body.includes('drafting'), 'not released yet: not public');
		const rel = await api('POST', `/api/v1/events/${SH}/programme/releases`, { note: 'A workshop' });
		assert.equal(rel.status, 201, rel.body);
		const x = await get(`/events/${SH}/schedule.xml`);
		validXml(x.body);
		assert.match(x.body, /<title>Q&amp;A &lt;b&gt;&quot;drafting&quot;&lt;\/b&gt; &amp; more<\/title>/);
		assert.match(x.body, /<version>2<\/version>/);
		const j = await get(`/events/${SH}/schedule.json`);
		validJson(j.body);
		const e = sessionsOf(JSON.parse(j.body)).find((s) => s.id === made.json.id);
		assert.equal(e.room, 'Venue', 'a session without a room');
		assert.equal(e.slug, `asia_south_pacific_shanghai_2012-${made.json.id}-q-a-b-drafting-b-more`);
		// back as it was, for the tests that follow
		assert.equal((await api('DELETE', `/api/v1/sessions/${made.json.id}`)).status, 200);
		assert.equal((await api('POST', `/api/v1/events/${SH}/programme/releases`, { note: 'Without it' })).status, 201);
	});
});

describe('now and next', () => {
	const AT = '2012-11-29T09:50:00+08:00';
	test('per room, what runs at the moment and what comes next, in big type refreshed each minute', async () => {
		const r = await get(`/events/${SH}/now?at=${encodeURIComponent(AT)}`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<meta http-equiv="refresh" content="60">/);
		const main = textOf(mainOf(r.body));
		assert.match(main, /Main Hall\s*On now · 09:45\s*–\s*11:15\s*Society, politics, culture and values under economic development/);
		assert.match(main, /Coming next · 11:30\s*–\s*13:00\s*Living together in diversity/);
		assert.ok(!main.includes('Opening: Harmony'), 'the opening has ended');
		assert.ok(!main.includes('Joint actions on shared challenges'), 'no participants-only session for a visitor');
		const j = JSON.parse((await get(`/events/${SH}/now?at=${encodeURIComponent(AT)}`, { Accept: 'application/json' })).body);
		assert.equal(j.at, AT);
		const hall = j.rooms.find((x) => x.room === 'Main Hall');
		assert.deepEqual(hall.now.map((s) => s.id), [2]);
		assert.equal(hall.next.id, 4);
		assert.ok(hall.now[0].people.some((p) => p.role === 'rapporteur'));
	});

	test('the moment is checked; the present is not cached; right to left; an unknown event', async () => {
		for (const bad of ['yesterday', '2012-11-29', '2012-13-40T09:00:00+08:00']) {
			const r = await get(`/events/${SH}/now?at=${encodeURIComponent(bad)}`, { Accept: 'application/json' });
			assert.equal(r.status, 400, bad);
			assert.match(JSON.parse(r.body).error.message, /date and time with its offset/);
		}
		const live = await get(`/events/${SH}/now`);
		assert.equal(live.status, 200);
		assert.doesNotMatch(live.headers['cache-control'] ?? '', /public/, 'the present changes each minute');
		assert.match(textOf(mainOf(live.body)), /Nothing more is on the programme/, '2012 is over');
		const ar = await get(`/events/${SH}/now?lang=ar&at=${encodeURIComponent(AT)}`);
		assert.match(ar.body, /<html[^>]*dir="rtl"/);
		assert.match(ar.body, /<span dir="ltr"><time datetime="2012-11-29T09:45:00\+08:00">09:45<\/time>/);
		assert.equal((await get('/events/no-such-event/now')).status, 404);
	});

	test('the programme page links to the schedule files and the screen', async () => {
		const r = await get(`/events/${SH}/programme`);
		for (const href of ['schedule.xml', 'schedule.json', 'now']) assert.ok(r.body.includes(`href="/events/${SH}/${href}"`), href);
	});
});

describe('a calendar per session', () => {
	test('one VEVENT with the programme\'s UID and SEQUENCE; a moved session gets SEQUENCE 1 once released', async (t) => {
		if (!need(t, pyHas('icalendar'), 'python3-icalendar is not installed (apt-get install python3-icalendar)')) return;
		const r = await get(`/events/${SH}/sessions/1.ics`);
		assert.equal(r.status, 200);
		assert.equal(r.headers['content-type'], 'text/calendar; charset=utf-8');
		const one = ics(r.body);
		assert.deepEqual(one.vtimezones, ['Asia/Shanghai']);
		assert.equal(one.events.length, 1);
		const e = one.events[0];
		assert.deepEqual([e.tzid, e.local, e.offset, e.sequence], ['Asia/Shanghai', '2012-11-29T09:00', 8 * 3600, 0]);
		const whole = ics((await get(`/events/${SH}/programme.ics`)).body).events.find((x) => x.uid === e.uid);
		assert.ok(whole, 'the same UID as in the whole programme');
		assert.equal(whole.sequence, e.sequence);
		assert.equal(e.uid, 'session-1@127.0.0.1');

		const moved = await api('PATCH', '/api/v1/sessions/1', { starts_at: '2012-11-29T09:15:00+08:00', ends_at: '2012-11-29T10:00:00+08:00' });
		assert.equal(moved.status, 200, moved.body);
		const still = ics((await get(`/events/${SH}/sessions/1.ics`)).body).events[0];
		assert.deepEqual([still.local, still.sequence], ['2012-11-29T09:00', 0], 'the public reads the release, not the draft');
		assert.equal((await api('POST', `/api/v1/events/${SH}/programme/releases`, { note: 'Opening later' })).status, 201);
		const after1 = ics((await get(`/events/${SH}/sessions/1.ics`)).body).events[0];
		assert.deepEqual([after1.uid, after1.local, after1.sequence], [e.uid, '2012-11-29T09:15', 1]);
		const whole1 = ics((await get(`/events/${SH}/programme.ics`)).body).events.find((x) => x.uid === e.uid);
		assert.deepEqual([whole1.local, whole1.sequence], ['2012-11-29T09:15', 1]);
	});

	test('404 for a session not released, of another event or participants-only to a visitor; its organisers read it, privately', async () => {
		const made = await api('POST', `/api/v1/events/${SH}/sessions`, {
			title: 'Not yet released', starts_at: '2012-11-30T17:00:00+08:00', ends_at: '2012-11-30T17:30:00+08:00',
		});
		assert.equal(made.status, 201, made.body);
		assert.equal((await get(`/events/${SH}/sessions/${made.json.id}.ics`)).status, 404);
		assert.equal((await get(`/events/${SH}/sessions/999999.ics`)).status, 404);
		assert.equal((await get(`/events/${SH}/sessions/abc.ics`)).status, 404);
		assert.equal((await get(`/events/asia-pacific-auckland-2007/sessions/1.ics`)).status, 404, 'another event\'s path');
		const closed = (await api('GET', `/api/v1/events/${SH}/sessions`)).json.sessions.find((s) => s.visibility === 'participants-only');
		assert.ok(closed, 'the demo has a participants-only session');
		assert.equal((await get(`/events/${SH}/sessions/${closed.id}.ics`)).status, 404);
		const mine = await organiser.get(`/events/${SH}/sessions/${closed.id}.ics`);
		assert.equal(mine.status, 200);
		assert.match(mine.headers['cache-control'] ?? '', /private|no-store/);
		assert.ok(mine.body.includes(`SUMMARY:${closed.title}`), 'its own calendar');
		assert.equal((await get(`/events/${SH}/sessions/1`)).status, 200, 'the session\'s page is still its page');
	});
});
