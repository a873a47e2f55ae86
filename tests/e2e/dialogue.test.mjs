// dialogue.test.mjs — the dialogue's JSON API end to end (issue 16): an
// organiser makes a conversation of an event, seeds statements and
// moderates; a signed-in participant and an anonymous one (the cookie the
// conversation page sets, the CSRF token of its JSON twin) vote, change
// their mind and write statements; a closed conversation refuses with 409
// and changes nothing; each participant sees only their own votes; the
// report's JSON twin has the keys of `harmony analyze --format json`.
import assert from 'node:assert/strict';
import { analysed } from './lib/dialogue.mjs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { textOf } from './lib/html.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const OTHER = 'other@example.org';
const PART = 'part@example.org';
const PART2 = 'part2@example.org';

let srv;
const tok = {};
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: OTHER, name: 'Someone else' });
	addAccount(db, { email: PART, name: 'Participant' });
	addAccount(db, { email: PART2, name: 'Participant two' });
	srv = await startServer({ db });
	for (const [k, email] of [['org', ORG], ['other', OTHER], ['part', PART], ['part2', PART2]])
		tok[k] = await apiToken(await signedIn(srv.url, email), 'write');
});
after(async () => {
	await srv?.stop();
});

const call = (who, method, p, body) => bearer(srv.url, tok[who], method, p, body);

async function newConversation(fields) {
	const r = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'Water in the region', ...fields });
	assert.equal(r.status, 201, r.body);
	assert.equal(r.json.url, `/conversations/${r.json.id}`);
	return r.json.id;
}

async function seed(id, lines) {
	const r = await call('org', 'POST', `/api/v1/conversations/${id}/statements`, { texts: [lines.join('\n')] });
	assert.equal(r.status, 201, r.body);
	assert.equal(r.json.ids.length, lines.length);
	return r.json.ids;
}

describe('organisers', () => {
	test('create, change, seed and moderate; others may not', async () => {
		let r = await call('part', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'Mine' });
		assert.equal(r.status, 403, r.body);
		r = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: '', max_length: 3 });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.topic && r.json.errors.max_length, r.body);
		const id = await newConversation({ question: 'How should rivers be shared?' });
		// a draft is the organisers' alone
		r = await call('part', 'GET', `/api/v1/conversations/${id}`);
		assert.equal(r.status, 404);
		r = await call('org', 'GET', `/api/v1/conversations/${id}`);
		assert.equal(r.status, 200);
		assert.equal(r.json.status, 'draft');
		assert.deepEqual(r.json.statements, []);
		r = await call('part', 'PATCH', `/api/v1/conversations/${id}`, { status: 'open' });
		assert.equal(r.status, 404);
		r = await call('org', 'PATCH', `/api/v1/conversations/${id}`, { status: 'open', moderation: 'strict' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.status, 'open');
		// a paste with the same statement twice is refused whole
		r = await call('org', 'POST', `/api/v1/conversations/${id}/statements`, { texts: ['One\n one '] });
		assert.equal(r.status, 400);
		const [s1] = await seed(id, ['Rivers are shared', 'Dams need consent']);
		// a participant writes one: pending until accepted
		r = await call('part', 'POST', `/api/v1/conversations/${id}/statements`, { text: 'Wells before dams' });
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json.status, 'pending');
		const mine = r.json.id;
		r = await call('part', 'POST', `/api/v1/conversations/${id}/statements`, { text: 'RIVERS are   shared' });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.text);
		r = await call('part', 'POST', `/api/v1/conversations/${id}/statements`, { texts: ['a', 'b'] });
		assert.equal(r.status, 403);
		r = await call('part', 'PATCH', `/api/v1/statements/${mine}`, { status: 'accepted' });
		assert.equal(r.status, 403);
		r = await call('org', 'PATCH', `/api/v1/statements/${mine}`, { status: 'later' });
		assert.equal(r.status, 400);
		r = await call('org', 'PATCH', `/api/v1/statements/${mine}`, { status: 'rejected', reason: 'Off topic' });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.status, 'rejected');
		assert.equal(r.json.reason, 'Off topic');
		r = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: mine, vote: 1 });
		assert.equal(r.status, 409);
		// a seed is editable until it has votes
		r = await call('org', 'PATCH', `/api/v1/statements/${s1}`, { text: 'Rivers are a shared good' });
		assert.equal(r.status, 200, r.body);
		r = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: s1, vote: 1 });
		assert.equal(r.status, 201, r.body);
		r = await call('org', 'PATCH', `/api/v1/statements/${s1}`, { text: 'Rivers again' });
		assert.equal(r.status, 409);
	});
});

describe('participants', () => {
	test('a signed-in participant votes, changes their mind and sees only their own', async () => {
		const id = await newConversation({ status: 'open' });
		const ids = await seed(id, ['One', 'Two', 'Three']);
		const c = await signedIn(srv.url, PART);
		let r = await c.getJson(`/conversations/${id}`);
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.participant, null);
		assert.deepEqual(r.json.progress, { voted: 0, total: 3 });
		assert.ok(ids.includes(r.json.next.id));
		assert.ok(r.json.csrf);
		c.csrf = r.json.csrf;
		const first = r.json.next.id;
		r = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: first, vote: 1 });
		assert.equal(r.status, 201, r.body);
		const pid = r.json.participant;
		assert.ok(pid > 0);
		assert.deepEqual(r.json.progress, { voted: 1, total: 3 });
		assert.notEqual(r.json.next.id, first);
		r = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: first, vote: -1 });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.vote, -1);
		// without the CSRF token: refused
		r = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: first, vote: 0 }, { csrf: false });
		assert.equal(r.status, 403);
		r = await c.getJson(`/conversations/${id}`);
		assert.equal(r.json.participant, pid);
		assert.deepEqual(r.json.progress, { voted: 1, total: 3 });
		// another participant is someone else, with nothing voted
		const d = await signedIn(srv.url, PART2);
		r = await d.getJson(`/conversations/${id}`);
		assert.equal(r.json.participant, null);
		assert.deepEqual(r.json.progress, { voted: 0, total: 3 });
		// a visitor of a signed-in conversation may not vote
		const v = new Client(srv.url);
		r = await v.getJson(`/conversations/${id}`);
		assert.equal(r.json.may_vote, false);
		assert.equal(r.json.why_not, 'sign-in');
		v.csrf = r.json.csrf;
		r = await v.api('POST', `/api/v1/conversations/${id}/votes`, { statement: first, vote: 1 });
		assert.equal(r.status, 401, r.body);
	});

	test('an anonymous participant is the cookie of the conversation page', async () => {
		const id = await newConversation({ status: 'open', participation: 'anyone', moderation: 'permissive' });
		const ids = await seed(id, ['One', 'Two']);
		const a = new Client(srv.url);
		let r = await a.getJson(`/conversations/${id}`);
		assert.equal(r.status, 200);
		const set = [r.headers['set-cookie'] ?? []].flat().find((s) => /^dialogue=/.test(s));
		assert.ok(set, 'the identity cookie');
		assert.match(set, /HttpOnly/);
		assert.match(set, /SameSite=Lax/);
		assert.equal(r.json.may_vote, true);
		a.csrf = r.json.csrf;
		r = await a.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[0], vote: 1 });
		assert.equal(r.status, 201, r.body);
		const pid = r.json.participant;
		// permissive: their own statement is accepted at once
		r = await a.api('POST', `/api/v1/conversations/${id}/statements`, { text: 'Three' });
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json.status, 'accepted');
		assert.equal(r.json.participant, pid);
		r = await a.getJson(`/conversations/${id}`);
		assert.equal(r.json.participant, pid);
		assert.deepEqual(r.json.progress, { voted: 1, total: 3 });
		// a second browser is another participant
		const b = new Client(srv.url);
		r = await b.getJson(`/conversations/${id}`);
		assert.equal(r.json.participant, null);
		b.csrf = r.json.csrf;
		r = await b.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[0], vote: -1 });
		assert.equal(r.status, 201);
		assert.notEqual(r.json.participant, pid);
		// the token stays in the browser: the database holds its hash
		const token = a.cookies.get('dialogue');
		assert.equal(token.length, 43);
		// a forged cookie without the page's CSRF token is refused
		const f = new Client(srv.url);
		f.cookies.set('dialogue', 'x'.repeat(43));
		r = await f.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[0], vote: 1 });
		assert.equal(r.status, 403);
	});

	test('a closed conversation answers 409 and changes nothing', async () => {
		const id = await newConversation({ status: 'open' });
		const [s1] = await seed(id, ['One']);
		let r = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: s1, vote: 1 });
		assert.equal(r.status, 201);
		r = await call('org', 'PATCH', `/api/v1/conversations/${id}`, { status: 'closed' });
		assert.equal(r.status, 200);
		r = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: s1, vote: -1 });
		assert.equal(r.status, 409, r.body);
		r = await call('part2', 'POST', `/api/v1/conversations/${id}/votes`, { statement: s1, vote: -1 });
		assert.equal(r.status, 409);
		r = await call('part2', 'POST', `/api/v1/conversations/${id}/statements`, { text: 'Late' });
		assert.equal(r.status, 409);
		const c = await signedIn(srv.url, PART);
		r = await c.getJson(`/conversations/${id}`);
		assert.equal(r.json.may_vote, false);
		assert.equal(r.json.why_not, 'not-open');
		assert.deepEqual(r.json.progress, { voted: 1, total: 1 });
		r = await analysed(() => call('org', 'GET', `/conversations/${id}/report`));
		assert.equal(r.status, 200);
		assert.equal(r.json.n, 1);
		assert.equal(r.json['too-few-participants'], true);
		const s = (await call('org', 'GET', `/api/v1/conversations/${id}`)).json.statements[0];
		assert.equal(s.n_agree, 1);
		assert.equal(s.n_disagree, 0);
	});

	test('the report: the keys of harmony analyze, visible as the organiser chose', async () => {
		const id = await newConversation({ status: 'open', participation: 'anyone', report_visibility: 'participants' });
		const ids = await seed(id, ['A', 'B', 'C', 'D']);
		for (let p = 0; p < 8; p++) {
			const c = new Client(srv.url);
			const r = await c.getJson(`/conversations/${id}`);
			c.csrf = r.json.csrf;
			for (let s = 0; s < 4; s++) {
				const v = (p < 4) === (s < 2) ? 1 : -1;
				const x = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[s], vote: v });
				assert.equal(x.status, 201, x.body);
			}
			if (p === 0) {
				const mine = await c.getJson(`/conversations/${id}/report`);
				assert.equal(mine.status, 200, mine.body);
			}
		}
		let r = await call('other', 'GET', `/conversations/${id}/report`);
		assert.equal(r.status, 403);
		r = await analysed(() => call('org', 'GET', `/conversations/${id}/report`));
		assert.equal(r.status, 200, r.body);
		assert.match(r.json['computed-at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		for (const k of ['harmony', 'n', 'n-cmts', 'tids', 'in-conv', 'pca', 'group-votes', 'repness', 'consensus',
			'group-aware-consensus', 'comment-priorities', 'participants', 'groups', 'too-few-participants'])
			assert.ok(k in r.json, `report without ${k}`);
		assert.equal(r.json.n, 8);
		// two camps of four: groups mean something
		assert.equal(r.json['too-few-participants'], false);
		assert.equal(r.json.groups.length, 2);
		// the page itself, for people
		const page = await new Client(srv.url).get(`/conversations/${id}`);
		assert.equal(page.status, 200);
		assert.match(page.body, /Water in the region/);
	});
});

describe('the voting page', () => {
	test('works without JavaScript: plain forms to vote and to write', async () => {
		const id = await newConversation({ status: 'open', participation: 'anyone', max_length: 40 });
		const ids = await seed(id, ['Rivers are shared', 'Dams need consent']);
		const a = new Client(srv.url);
		let r = await a.get(`/conversations/${id}`);
		assert.equal(r.status, 200);
		assert.match(r.headers['cache-control'], /no-store/);
		assert.ok(a.cookies.get('dialogue'), 'the identity cookie');
		let text = textOf(r.body);
		assert.match(text, /0 of 2 statements/);
		const shown = ids.find((sid) => r.body.includes(`name="statement" value="${sid}"`));
		assert.ok(shown, 'a statement to vote on');
		for (const v of ['1', '-1', '0']) assert.ok(r.body.includes(`name="vote" value="${v}"`), `a button for ${v}`);
		r = await a.post(`/conversations/${id}/votes`, { statement: shown, vote: '-1' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `/conversations/${id}`);
		r = await a.get(`/conversations/${id}`);
		assert.match(textOf(r.body), /1 of 2 statements/);
		assert.ok(!r.body.includes(`name="statement" value="${shown}"`), 'the next one is another');
		// one's own statement, and a refusal shown beside the field
		r = await a.post(`/conversations/${id}/statements`, { text: 'Wells before dams' });
		assert.equal(r.status, 303);
		r = await a.get(r.headers.location);
		assert.match(textOf(r.body), /your statement is received/);
		r = await a.post(`/conversations/${id}/statements`, { text: 'RIVERS are shared' });
		assert.equal(r.status, 400);
		assert.match(r.body, /aria-invalid="true"/);
		assert.match(r.body, /RIVERS are shared<\/textarea>/);
		// a forged form (no CSRF token) changes nothing
		r = await a.post(`/conversations/${id}/votes`, { statement: shown, vote: '1' }, { csrf: false });
		assert.equal(r.status, 403);
		const s = (await call('org', 'GET', `/api/v1/conversations/${id}`)).json.statements.find((x) => x.id === shown);
		assert.equal(s.n_disagree, 1);
		assert.equal(s.n_agree, 0);
		await analysed(() => call('org', 'GET', `/conversations/${id}/report`));
		text = textOf((await a.get(`/conversations/${id}/report`)).body);
		assert.match(text, /1 participant voted/);
	});
});
