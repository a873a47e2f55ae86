// dialogue-admin.test.mjs — the organisers' pages of the dialogue (issue
// 16): an organiser creates a conversation through the event's
// "Conversations" tab, seeds statements (all or none: a line too long adds
// nothing and the error shows beside the field), opens it, moderates in
// bulk (a bulk rejection is confirmed first) and accepts a participant's
// pending statement from the queue; an organiser of another event gets
// 403 or 404 on every page and form and the database does not change.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { textOf } from './lib/html.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, jsonRows, sqlite } from './lib/sqlite.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'dlg-org@example.org';
const ELSEWHERE = 'dlg-elsewhere@example.org';
const PART = 'dlg-part@example.org';

let srv;
let db;
before(async () => {
	db = makeDemo(path.join(tempDir(), 'h.db'));
	sqlite(db, `
INSERT INTO event (slug, title, kind, theme, summary, description_md, region, city, country,
  starts_on, ends_on, date_precision, timezone, status, created_at, updated_at)
VALUES ('other-meeting-2030', 'Other meeting', 'consultation', '', 'Another event.', '', 'Africa', 'Stone Town',
  'TZ', '2030-01-01', '2030-01-02', 'day', 'Africa/Dar_es_Salaam', 'published',
  '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z');`);
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: ELSEWHERE, name: 'Organiser elsewhere', role: 'organiser', event: 'other-meeting-2030' });
	addAccount(db, { email: PART, name: 'Participant' });
	srv = await startServer({ db });
});
after(async () => {
	await srv?.stop();
});

const statements = (cid) => jsonRows(db, `SELECT id, text, status, reason, by_organiser FROM statement WHERE conversation_id = ${cid} ORDER BY id`);

// A form with repeated fields (the ticked checkboxes), as a browser sends it.
function postMany(client, p, pairs) {
	const form = new URLSearchParams([['_csrf', client.csrf], ...pairs]);
	return client.req('POST', p, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

let cid;
test('an organiser creates, seeds, opens and moderates a conversation through the pages', async () => {
	const org = await signedIn(srv.url, ORG);
	let r = await org.get(`/admin/events/${SHANGHAI}/conversations`);
	assert.equal(r.status, 200);
	assert.match(r.body, /aria-current="page"[^>]*>Conversations</);
	// the event's conversations so far (the demo's), each listed
	const before = jsonRows(db, `SELECT c.topic FROM conversation c JOIN event e ON e.id = c.event_id WHERE e.slug = '${SHANGHAI}'`);
	if (!before.length) assert.match(textOf(r.body), /No conversations yet/);
	for (const c of before) assert.ok(textOf(r.body).includes(c.topic), c.topic);
	// a form with errors comes back with them beside the fields
	r = await org.post(`/admin/events/${SHANGHAI}/conversations`, { topic: '', max_length: '0', participation: 'registered', moderation: 'strict', report_visibility: 'public' });
	assert.equal(r.status, 400);
	assert.match(r.body, /has-error[\s\S]*id="f-topic"/);
	r = await org.post(`/admin/events/${SHANGHAI}/conversations`, {
		topic: 'Water in the region', question: 'How should rivers be shared?', description_md: 'About *water*.',
		participation: 'signed-in', moderation: 'strict', participants_submit: '1', max_length: '40', report_visibility: 'participants',
	});
	assert.equal(r.status, 303, (r.body.match(/field-error[^<]*</g) ?? []).join(' '));
	cid = Number(/\/admin\/conversations\/(\d+)\?done=made/.exec(r.headers.location)[1]);
	const [row] = jsonRows(db, `SELECT topic, question, status, participation, moderation, participants_submit, max_length, report_visibility FROM conversation WHERE id = ${cid}`);
	assert.deepEqual(row, { topic: 'Water in the region', question: 'How should rivers be shared?', status: 'draft', participation: 'signed-in', moderation: 'strict', participants_submit: 1, max_length: 40, report_visibility: 'participants' });
	r = await org.get(`/admin/events/${SHANGHAI}/conversations`);
	assert.match(textOf(r.body), /Water in the region/);
	r = await org.get(`/admin/conversations/${cid}`);
	assert.equal(r.status, 200);
	assert.match(r.body, /Seed statements, one per line/);

	// three lines, one too long: nothing added, the error beside the field, the text kept
	const long = 'Dams upstream should never be built without the consent of those downstream';
	r = await org.post(`/admin/conversations/${cid}/seeds`, { texts: `Rivers are shared\n${long}\nWells before dams` });
	assert.equal(r.status, 400);
	assert.match(r.body, /id="f-texts-error"[^>]*>[^<]*longer than this conversation allows/);
	assert.match(r.body, /<textarea id="f-texts"[^>]*>Rivers are shared\n/);
	assert.deepEqual(statements(cid), []);
	r = await org.post(`/admin/conversations/${cid}/seeds`, { texts: 'Rivers are shared\nDams need consent\n\nWells before dams\n' });
	assert.equal(r.status, 303);
	assert.match(r.headers.location, /done=seeded-3$/);
	r = await org.get(r.headers.location);
	assert.match(textOf(r.body), /3 seed statements added/);
	const seeds = statements(cid);
	assert.deepEqual(seeds.map((s) => [s.text, s.status, s.by_organiser]), [
		['Rivers are shared', 'accepted', 1], ['Dams need consent', 'accepted', 1], ['Wells before dams', 'accepted', 1]]);

	// settings and status
	r = await org.post(`/admin/conversations/${cid}`, { topic: 'Water in the region', question: 'How should rivers be shared?', participation: 'signed-in', moderation: 'strict', max_length: '60', report_visibility: 'public' });
	assert.equal(r.status, 303);
	assert.deepEqual(jsonRows(db, `SELECT participants_submit, max_length, report_visibility FROM conversation WHERE id = ${cid}`),
		[{ participants_submit: 0, max_length: 60, report_visibility: 'public' }]);
	r = await org.post(`/admin/conversations/${cid}`, { topic: 'Water in the region', participation: 'signed-in', moderation: 'strict', participants_submit: '1', max_length: '60', report_visibility: 'public' });
	assert.equal(r.status, 303);
	await org.get(`/admin/conversations/${cid}`);
	r = await org.post(`/admin/conversations/${cid}/status`, { status: 'open' });
	assert.equal(r.status, 303);
	assert.equal(jsonRows(db, `SELECT status FROM conversation WHERE id = ${cid}`)[0].status, 'open');

	// a participant's statement waits in the queue, pending first
	const part = await apiToken(await signedIn(srv.url, PART), 'write');
	r = await bearer(srv.url, part, 'POST', `/api/v1/conversations/${cid}/statements`, { text: 'Share the data on rivers' });
	assert.equal(r.status, 201, r.body);
	const pending = r.json.id;
	r = await org.get(`/admin/conversations/${cid}/statements`);
	assert.equal(r.status, 200);
	const ids = [...r.body.matchAll(/<tr data-id="(\d+)" data-status="(\w+)"/g)].map((m) => [Number(m[1]), m[2]]);
	assert.deepEqual(ids[0], [pending, 'pending']);
	assert.equal(ids.length, 4);
	assert.match(r.body, /Participant \(signed in\)/);
	assert.match(r.body, /<label for="s-\d+">/);
	r = await org.get(`/admin/conversations/${cid}/statements?status=pending`);
	assert.deepEqual([...r.body.matchAll(/<tr data-id="(\d+)"/g)].map((m) => Number(m[1])), [pending]);

	// bulk: the two first seeds rejected, confirmed first
	r = await postMany(org, `/admin/conversations/${cid}/statements`, [['id', seeds[0].id], ['id', seeds[1].id], ['action', 'rejected'], ['reason', 'Off topic']]);
	assert.equal(r.status, 200);
	assert.match(r.body, /data-confirm/);
	assert.match(textOf(r.body), /Reject these 2 statements\?/);
	assert.deepEqual(statements(cid).map((s) => s.status), ['accepted', 'accepted', 'accepted', 'pending']);
	r = await postMany(org, `/admin/conversations/${cid}/statements`, [['id', seeds[0].id], ['id', seeds[1].id], ['action', 'rejected'], ['reason', 'Off topic'], ['confirm', '1']]);
	assert.equal(r.status, 303);
	assert.match(r.headers.location, /done=moderated-2/);
	// bulk meta without confirmation
	r = await postMany(org, `/admin/conversations/${cid}/statements`, [['id', seeds[2].id], ['action', 'meta']]);
	assert.equal(r.status, 303);
	// one by one: the participant's accepted
	await org.get(`/admin/conversations/${cid}/statements`);
	r = await org.post(`/admin/conversations/${cid}/statements`, { one: `accepted:${pending}`, [`reason_${pending}`]: '' });
	assert.equal(r.status, 303);
	r = await org.get(r.headers.location);
	assert.match(textOf(r.body), /1 statement moderated/);
	assert.deepEqual(statements(cid).map((s) => [s.status, s.reason || null]), [
		['rejected', 'Off topic'], ['rejected', 'Off topic'], ['meta', null], ['accepted', null]]);
	// the rejected ones can be accepted again
	r = await org.get(`/admin/conversations/${cid}/statements?status=rejected`);
	assert.equal([...r.body.matchAll(/<tr data-id="(\d+)"/g)].length, 2);
	// a bulk action never reaches another conversation's statements
	const probe = jsonRows(db, `SELECT id FROM statement WHERE conversation_id <> ${cid}`)[0];
	if (probe) {
		r = await postMany(org, `/admin/conversations/${cid}/statements`, [['id', probe.id], ['action', 'meta']]);
		assert.match(r.headers.location, /done=moderated-0/);
	}
});

test('the queue pages 50 statements at a time', async () => {
	const org = await signedIn(srv.url, ORG);
	await org.get(`/admin/conversations/${cid}`);
	const lines = Array.from({ length: 120 }, (_, i) => `Statement number ${i}`).join('\n');
	let r = await org.post(`/admin/conversations/${cid}/seeds`, { texts: lines });
	assert.equal(r.status, 303);
	r = await org.get(`/admin/conversations/${cid}/statements`);
	assert.equal([...r.body.matchAll(/<tr data-id=/g)].length, 50);
	assert.match(r.body, /rel="next"/);
	r = await org.get(`/admin/conversations/${cid}/statements?page=3`);
	assert.equal([...r.body.matchAll(/<tr data-id=/g)].length, 124 - 100);
	assert.doesNotMatch(r.body, /rel="next"/);
});

test("an organiser of another event may neither see nor change this event's conversations", async () => {
	const other = await signedIn(srv.url, ELSEWHERE);
	await other.get('/account');
	const snap = dbSnapshot(db);
	const sid = statements(cid)[0].id;
	for (const p of [`/admin/events/${SHANGHAI}/conversations`, `/admin/conversations/${cid}`, `/admin/conversations/${cid}/statements`]) {
		const r = await other.get(p);
		assert.ok([403, 404].includes(r.status), `GET ${p}: ${r.status}`);
		assert.doesNotMatch(r.body, /Water in the region/);
	}
	const posts = [
		[`/admin/events/${SHANGHAI}/conversations`, [['topic', 'Intruder'], ['participation', 'anyone'], ['moderation', 'strict'], ['max_length', '140'], ['report_visibility', 'public']]],
		[`/admin/conversations/${cid}`, [['topic', 'Intruder'], ['participation', 'anyone'], ['moderation', 'strict'], ['max_length', '140'], ['report_visibility', 'public']]],
		[`/admin/conversations/${cid}/status`, [['status', 'archived']]],
		[`/admin/conversations/${cid}/seeds`, [['texts', 'Intruder line']]],
		[`/admin/conversations/${cid}/statements`, [['id', sid], ['action', 'accepted'], ['confirm', '1']]],
		[`/admin/conversations/${cid}/statements`, [['one', `meta:${sid}`]]],
	];
	for (const [p, pairs] of posts) {
		const r = await postMany(other, p, pairs);
		assert.ok([403, 404].includes(r.status), `POST ${p}: ${r.status}`);
	}
	assertDbUnchanged(db, snap, 'an organiser of another event');
	// and their own event's tab works
	const r = await other.get('/admin/events/other-meeting-2030/conversations');
	assert.equal(r.status, 200);
	assert.doesNotMatch(r.body, /Water in the region/);
});
