// dialogue-live-analysis.test.mjs — the analysis kept in memory (issue
// 16): votes that come in bursts are applied to the last full analysis
// (the report's `live-votes` counts them) instead of the whole
// conversation being read again, and the stored report then equals a
// fresh analysis of the same votes (`harmony analyze` on the
// conversation's export, which computes afresh) in its counts,
// participants, groups and consensus; a moderation or an exclusion
// between bursts brings a full analysis (`live-votes` 0), equal to the
// fresh one in every key the export test compares. The server runs with
// HARMONY_TEST_ANALYSIS=live: votes are applied live whatever their
// number (the default policy analyses a small conversation in full).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { analysed } from './lib/dialogue.mjs';
import { makeDemo, runCli, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const FILES = ['summary', 'comments', 'votes', 'participants-votes'];

let srv, tok;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	process.env.HARMONY_TEST_ANALYSIS = 'live';
	srv = await startServer({ db, args: ['--vote-limit-per-address', '0'] });
	delete process.env.HARMONY_TEST_ANALYSIS;
	tok = await apiToken(await signedIn(srv.url, ORG), 'write');
});
after(async () => {
	await srv?.stop();
});

const call = (method, p, body) => bearer(srv.url, tok, method, p, body);

// The stored report once it has read every change.
async function report(id) {
	const r = await analysed(() => call('GET', `/conversations/${id}/report`));
	assert.equal(r.status, 200, r.body);
	assert.equal(r.json.pending, false);
	return r.json;
}

// A fresh analysis: `harmony analyze` on the conversation's export.
async function fresh(id) {
	const dir = tempDir();
	for (const f of FILES) {
		const r = await call('GET', `/conversations/${id}/export/${f}.csv`);
		assert.equal(r.status, 200, r.body);
		fs.writeFileSync(path.join(dir, `${f}.csv`), r.body);
	}
	const a = runCli(['analyze', dir, '--format', 'json']);
	assert.equal(a.status, 0, a.stderr);
	return JSON.parse(a.stdout);
}

// The groups as sets of members, whatever their ids.
const partition = (rep) => rep.groups.map((g) => [...g.members].sort((a, b) => a - b).join(' ')).sort();

// The keys the live update keeps exact (counts, and what is computed from
// them alone), the groups as a partition; with full, every key the export
// test compares.
async function sameAsFresh(id, liveVotes) {
	const rep = await report(id);
	assert.equal(rep['live-votes'], liveVotes, 'votes applied live since the last full analysis');
	const mine = await fresh(id);
	const keys = ['n', 'n-cmts', 'tids', 'mod-out', 'user-vote-counts', 'in-conv', 'consensus'];
	if (liveVotes === 0) keys.push('groups', 'group-aware-consensus', 'repness', 'participants');
	for (const k of keys) assert.deepEqual(rep[k], mine[k], k);
	assert.equal(rep.harmony.votes, mine.harmony.votes);
	assert.deepEqual(partition(rep), partition(mine), 'the same opinion groups');
	assert.deepEqual(Object.keys(rep.participants).sort(), Object.keys(mine.participants).sort());
	return rep;
}

test('votes in bursts applied live equal a fresh analysis; a moderation and an exclusion bring a full one', async () => {
	let r = await call('POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Bridges', question: 'Which bridges first?', status: 'open', participation: 'anyone',
	});
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await call('POST', `/api/v1/conversations/${id}/statements`, {
		texts: [['North bridge', 'South bridge', 'Ferry', 'Tunnel', 'Tolls', 'Bikes', 'Footpaths', 'Never voted on'].join('\n')],
	});
	assert.equal(r.status, 201, r.body);
	const ids = r.json.ids;
	const people = [];
	const pids = [];
	const out = new Set(); // rejected: no votes
	// participant p votes as its camp (even / odd) on statements 0-6
	async function votes(from, to) {
		for (let p = from; p < to; p++) {
			const c = people[p] ?? new Client(srv.url);
			if (!people[p]) {
				c.csrf = (await c.getJson(`/conversations/${id}`)).json.csrf;
				people[p] = c;
			}
			for (let s = 0; s < 7; s++) {
				if (out.has(s)) continue;
				const v = s === 6 ? 1 : (p % 2 === 0) === (s < 3) ? 1 : (p + s) % 4 === 0 ? 0 : -1;
				const x = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[s], vote: v });
				assert.ok(x.status === 201 || x.status === 200, x.body);
				pids[p] = x.json.participant;
			}
		}
	}
	const change = async (p, s, v) => {
		const x = await people[p].api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[s], vote: v });
		assert.equal(x.status, 200, x.body);
	};
	const moderate = async (s, status) => {
		const x = await call('PATCH', `/api/v1/statements/${ids[s]}`, { status, reason: 'test' });
		assert.equal(x.status, 200, x.body);
		out.add(s);
	};

	await votes(0, 12);
	await report(id);
	// a change that is not a vote (a statement nobody voted on, rejected):
	// a full analysis
	await moderate(7, 'rejected');
	await sameAsFresh(id, 0);
	// new participants and changes of mind: live
	await votes(12, 16);
	await change(2, 1, -1);
	await change(3, 0, 0);
	let rep = await sameAsFresh(id, 4 * 7 + 2);
	assert.equal(rep.n, 16);
	// a moderation: in full, then live again
	await moderate(5, 'rejected');
	await sameAsFresh(id, 0);
	await votes(16, 18);
	await sameAsFresh(id, 2 * 6);
	// an exclusion: in full; the excluded participant's later votes stay
	// out of the live analysis
	r = await call('PATCH', `/api/v1/conversations/${id}/participants/${pids[3]}`, { excluded: true });
	assert.equal(r.status, 200, r.body);
	rep = await sameAsFresh(id, 0);
	assert.equal(rep.n, 17);
	await change(3, 1, 1);
	await votes(18, 20);
	rep = await sameAsFresh(id, 2 * 6);
	assert.equal(rep.n, 19);
	assert.ok(!(String(pids[3]) in rep.participants));
});
