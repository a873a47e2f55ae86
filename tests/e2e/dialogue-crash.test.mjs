// dialogue-crash.test.mjs — the durability of votes (issue 16): a vote is
// answered 200/201 only once it is committed, so a server killed with
// SIGKILL in the middle of a burst of concurrent votes loses none it
// answered. 16 signed-in participants, each with an API token, vote in
// parallel on 20 statements (and change their minds); once a few hundred
// votes are answered the server is killed, then started again on the same
// database. For every participant and statement the current vote must be
// the last one answered, or the one still in flight at the kill (it may or
// may not have landed), and nothing else: read back through the Pol.is
// export and each participant's own page, and in the store, where the
// history of each participant's votes on a statement is the answered votes
// in order (plus, perhaps, the one in flight). The server then serves and
// takes new votes. Run on both backends.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { jsonRows, q, sqlite } from './lib/sqlite.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'crash-org@example.org';
const PEOPLE = 16;
const STATEMENTS = 20;
// The kill comes once this many votes are answered, plus up to as many
// again (at random: not always at the same point of the burst).
const KILL_AFTER = 300;
// `harmony serve`'s arguments: 16 clients on one loopback address, so
// the per-address limit on votes is lifted (signed-in votes have no limit
// per identity).
const SERVE_ARGS = ['--vote-limit-per-address', '0'];

const email = (i) => `crash-voter-${i}@example.org`;

let dir, db, srv, orgToken, tokens, cid, stmtIds;

before(async () => {
	dir = tempDir();
	db = makeDemo(path.join(dir, 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: email(0), name: 'Voter 0' });
	// The other accounts are copies of the first (its password too):
	// `harmony user add` costs a sanitizer start and an Argon2 hash each.
	sqlite(db, Array.from({ length: PEOPLE - 1 }, (_, k) =>
		`INSERT INTO account (email, name, password_hash, created_at, updated_at) ` +
		`SELECT ${q(email(k + 1))}, ${q(`Voter ${k + 1}`)}, password_hash, created_at, updated_at ` +
		`FROM account WHERE email = ${q(email(0))};`).join('\n'));
	srv = await startServer({ db, args: SERVE_ARGS });
	const signIn = async (who) => apiToken(await signedIn(srv.url, who), 'write', 'crash');
	[orgToken, ...tokens] = await Promise.all([ORG, ...Array.from({ length: PEOPLE }, (_, i) => email(i))].map(signIn));

	let r = await bearer(srv.url, orgToken, 'POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Crash test', question: 'Are the votes still there?', status: 'open', participation: 'signed-in',
	});
	assert.equal(r.status, 201, r.body);
	cid = r.json.id;
	r = await bearer(srv.url, orgToken, 'POST', `/api/v1/conversations/${cid}/statements`, {
		texts: [Array.from({ length: STATEMENTS }, (_, k) => `Statement number ${k + 1} of the crash test`).join('\n')],
	});
	assert.equal(r.status, 201, r.body);
	stmtIds = r.json.ids;
	assert.equal(stmtIds.length, STATEMENTS);
});

after(async () => {
	await srv?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// A small seeded generator, so that a failing run can be told apart.
function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// What participant i votes, for ever: every statement in a shuffled order,
// round after round with new values, and now and then a change of mind on
// a statement just voted on.
function* plan(rand) {
	const value = () => Math.floor(rand() * 3) - 1;
	for (;;) {
		const order = [...stmtIds].sort(() => rand() - 0.5);
		for (let k = 0; k < order.length; k++) {
			yield [order[k], value()];
			if (k > 0 && rand() < 0.3) yield [order[Math.floor(rand() * k)], value()];
		}
	}
}

const vote = (token, agent, statement, v) => request(`${srv.url}/api/v1/conversations/${cid}/votes`, {
	method: 'POST',
	agent,
	headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
	body: JSON.stringify({ statement, vote: v }),
});

function parseVotesCsv(text) {
	const lines = text.split('\n').filter(Boolean);
	assert.equal(lines[0], 'timestamp,datetime,comment-id,voter-id,vote');
	return lines.slice(1).map((l) => {
		const f = l.split(',');
		return { statement: Number(f[2]), participant: Number(f[3]), vote: Number(f[4]) };
	});
}

test('SIGKILL during a burst of votes: every answered vote is there after the restart', async (t) => {
	const seed = (Date.now() ^ process.pid) >>> 0;
	const rand = rng(seed);
	const killAfter = KILL_AFTER + Math.floor(rand() * KILL_AFTER);
	t.diagnostic(`seed ${seed}, kill after ${killAfter} answered votes`);

	// Per participant: their id (from the answers), the answered votes on
	// each statement in order, and the vote in flight.
	const people = tokens.map((token, i) => ({
		i, token, pid: null, answered: new Map(), inFlight: null, failure: null,
		agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
	}));
	let acks = 0;
	let changes = 0;
	let killed = false;
	let killing = null;
	let sentAtKill = 0; // votes sent and not yet answered when the kill came
	const unexpected = []; // answers other than the documented ones
	const kill = () => {
		killed = true;
		sentAtKill = people.filter((p) => p.inFlight).length;
		killing = srv.kill();
	};

	async function voter(p) {
		const todo = plan(rng(seed + p.i + 1));
		while (!killed) {
			const [statement, v] = todo.next().value;
			p.inFlight = { statement, vote: v };
			let r;
			try {
				r = await vote(p.token, p.agent, statement, v);
			} catch (e) {
				// The connection went with the server: the vote may or may
				// not have landed. Before the kill, it is a failure.
				if (!killed) p.failure = e;
				return;
			}
			p.inFlight = null;
			const what = `participant ${p.i}, statement ${statement}: ${r.status} ${r.body.slice(0, 200)}`;
			if (r.status !== 200 && r.status !== 201) {
				// Refused (a rate limit, an error): not a vote that counts.
				unexpected.push(what);
				if (r.status >= 500 || r.status === 429) return;
				continue;
			}
			let body = {};
			try {
				body = JSON.parse(r.body);
			} catch { /* told below */ }
			const seen = p.answered.get(statement) ?? [];
			// 201 for the first vote on a statement, 200 for a change of mind.
			if (r.status !== (seen.length ? 200 : 201) || body.created !== !seen.length || body.vote !== v ||
				body.statement !== statement || (p.pid !== null && body.participant !== p.pid))
				unexpected.push(`${what} (${seen.length} votes on it before)`);
			p.pid = body.participant;
			seen.push(v);
			p.answered.set(statement, seen);
			if (seen.length > 1) changes++;
			if (++acks >= killAfter && !killed) kill();
		}
	}

	const burst = Promise.all(people.map(voter));
	const timer = setTimeout(() => {
		if (!killed) {
			t.diagnostic(`only ${acks} votes answered in 20 s: killing anyway`);
			kill();
		}
	}, 20_000);
	timer.unref();
	await burst;
	clearTimeout(timer);
	if (!killed) kill(); // every voter stopped on its own: a failure below
	const { signal } = await killing;
	for (const p of people) p.agent.destroy();
	assert.equal(signal, 'SIGKILL');
	const inFlight = people.filter((p) => p.inFlight).length;
	// Answers already on their way when the kill came are answers too:
	// the ones still in flight are those that never came.
	t.diagnostic(`${acks} votes answered (${changes} changes of mind); ${sentAtKill} sent and not yet answered at the kill, ${inFlight} of them never answered`);
	assert.deepEqual(people.filter((p) => p.failure).map((p) => `participant ${p.i}: ${p.failure.message}`), [],
		'no connection failed before the kill');
	assert.deepEqual(unexpected, [], 'every vote of the burst answered as documented');
	assert.ok(acks >= killAfter, `${acks} votes answered before the kill (${killAfter} wanted)`);
	assert.ok(changes > 0, 'changes of mind were among them');
	assert.ok(sentAtKill > 0, 'the kill came in the middle of the burst');

	// Again on the same database.
	srv = await startServer({ db, args: SERVE_ARGS });

	// Who is who: each participant's own page names them (null without a
	// vote), and counts their votes.
	const pages = await Promise.all(people.map((p) => bearer(srv.url, p.token, 'GET', `/conversations/${cid}`)));
	const byPid = new Map();
	for (const [k, p] of people.entries()) {
		const r = pages[k];
		assert.equal(r.status, 200, r.body);
		if (p.pid !== null) assert.equal(r.json.participant, p.pid, `participant ${p.i}: the same id after the restart`);
		p.pid = r.json.participant;
		p.voted = r.json.progress.voted;
		if (p.pid !== null) byPid.set(p.pid, p);
	}

	// The current votes, as the organiser exports them.
	const r = await bearer(srv.url, orgToken, 'GET', `/conversations/${cid}/export/votes.csv`);
	assert.equal(r.status, 200, r.body);
	const current = new Map(); // "pid/statement" → vote
	for (const v of parseVotesCsv(r.body)) {
		assert.ok(byPid.has(v.participant), `voter ${v.participant} of the export is one of the participants`);
		assert.ok(!current.has(`${v.participant}/${v.statement}`), `one vote of ${v.participant} on ${v.statement}`);
		current.set(`${v.participant}/${v.statement}`, v.vote);
	}
	// The store's history of each participant's votes on each statement.
	const history = new Map();
	for (const h of jsonRows(db, `SELECT participant_id, statement_id, vote FROM vote_history WHERE conversation_id = ${cid} ORDER BY id`)) {
		const k = `${h.participant_id}/${h.statement_id}`;
		history.set(k, [...(history.get(k) ?? []), h.vote]);
	}
	const stored = new Map(jsonRows(db, `SELECT participant_id, statement_id, vote FROM vote WHERE conversation_id = ${cid}`)
		.map((v) => [`${v.participant_id}/${v.statement_id}`, v.vote]));
	const wrong = [];
	let landed = 0;
	for (const p of people) {
		let voted = 0;
		for (const s of stmtIds) {
			const k = `${p.pid}/${s}`;
			const answered = p.answered.get(s) ?? [];
			const maybe = p.inFlight?.statement === s ? p.inFlight.vote : undefined;
			const now = p.pid === null ? undefined : current.get(k);
			const last = answered.at(-1);
			const what = `participant ${p.i} (${p.pid}), statement ${s}: answered ${JSON.stringify(answered)}, in flight ${maybe}`;
			if (now !== undefined) voted++;
			// The last vote answered is current, or the one in flight.
			if (!(now === last || (maybe !== undefined && now === maybe))) wrong.push(`${what}; ${now} is current`);
			if (stored.get(k) !== now) wrong.push(`${what}; ${stored.get(k)} in the store, ${now} in the export`);
			// The history is the answered votes in order, and the one in
			// flight if it landed (then it is the current one).
			const hist = JSON.stringify(p.pid === null ? [] : history.get(k) ?? []);
			if (maybe !== undefined && hist === JSON.stringify([...answered, maybe])) {
				landed++;
				if (now !== maybe) wrong.push(`${what}; in the history, yet ${now} is current`);
			} else if (hist !== JSON.stringify(answered)) wrong.push(`${what}; history ${hist}`);
			else if (now !== last) wrong.push(`${what}; not in the history, yet ${now} is current`);
		}
		if (p.pid !== null && p.voted !== voted) wrong.push(`participant ${p.i}: their page says ${p.voted} voted, the export ${voted}`);
	}
	assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} votes not as answered`);
	const rows = Number(sqlite(db, `SELECT count(*) FROM vote_history WHERE conversation_id = ${cid};`).trim());
	assert.ok(rows >= acks, `${rows} rows of history, ${acks} votes answered`);
	assert.ok(rows <= acks + inFlight, `${rows} rows of history, ${acks} votes answered and ${inFlight} in flight`);
	t.diagnostic(`after the restart: ${rows} votes in the history, ${landed} of the ${inFlight} in flight landed`);

	// The server serves, and takes a new vote.
	assert.equal((await request(`${srv.url}/`)).status, 200);
	const p = people[0];
	const s = stmtIds[0];
	const before = current.get(`${p.pid}/${s}`);
	const v = before === 1 ? -1 : 1;
	const nv = await vote(p.token, undefined, s, v);
	assert.equal(nv.status, before === undefined ? 201 : 200, nv.body);
	const again = parseVotesCsv((await bearer(srv.url, orgToken, 'GET', `/conversations/${cid}/export/votes.csv`)).body);
	const pid = JSON.parse(nv.body).participant;
	assert.equal(again.find((x) => x.participant === pid && x.statement === s)?.vote, v, 'the new vote is current');
	assert.equal(Number(sqlite(db, `SELECT count(*) FROM vote_history WHERE conversation_id = ${cid};`).trim()), rows + 1);
});
