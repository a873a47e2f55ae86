// dialogue-full-background.test.mjs — the full analyses the policy wants
// (issue 16) run on a thread of their own while votes go on being applied
// live; once one is done it replaces the live analysis, catches up with
// the votes since and is stored. The server runs with
// HARMONY_TEST_ANALYSIS=full: a full analysis after every vote. When the
// votes stop, the report settles on a full analysis (`live-votes` 0) that
// equals a fresh one (`harmony analyze` on the export) in every key the
// export test compares.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, runCli, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const FILES = ['summary', 'comments', 'votes', 'participants-votes'];

let srv, tok;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	process.env.HARMONY_TEST_ANALYSIS = 'full';
	srv = await startServer({ db, args: ['--vote-limit-per-address', '0'] });
	delete process.env.HARMONY_TEST_ANALYSIS;
	tok = await apiToken(await signedIn(srv.url, ORG), 'write');
});
after(async () => {
	await srv?.stop();
});

const call = (method, p, body) => bearer(srv.url, tok, method, p, body);

test('votes go on while full analyses run beside them; the report settles on a full one equal to a fresh one', async () => {
	let r = await call('POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Ferries', question: 'Which ferries?', status: 'open', participation: 'anyone',
	});
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await call('POST', `/api/v1/conversations/${id}/statements`, {
		texts: [['Morning ferry', 'Night ferry', 'Cheaper tickets', 'Bikes aboard', 'Electric boats', 'More piers'].join('\n')],
	});
	assert.equal(r.status, 201, r.body);
	const ids = r.json.ids;
	// how many votes this server has applied live, between full analyses
	const appliedLive = async () => Number(/^harmony_dialogue_votes_applied_live_total (\d+)$/m
		.exec((await request(`${srv.url}/metrics`)).body)[1]);
	const live0 = await appliedLive();
	for (let p = 0; p < 24; p++) {
		const c = new Client(srv.url);
		c.csrf = (await c.getJson(`/conversations/${id}`)).json.csrf;
		for (let s = 0; s < 6; s++) {
			const v = s === 5 ? 1 : (p % 2 === 0) === (s < 3) ? 1 : -1;
			const x = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[s], vote: v });
			assert.equal(x.status, 201, x.body);
		}
		if (p % 6 === 5) await new Promise((ok) => setTimeout(ok, 400));
	}
	assert.ok(await appliedLive() > live0, 'votes were applied live between the full analyses');
	// settled: a full analysis of every vote
	let rep;
	for (const until = Date.now() + 20_000; Date.now() < until;) {
		rep = (await call('GET', `/conversations/${id}/report`)).json;
		if (rep.pending === false && rep['live-votes'] === 0 && rep.n === 24) break;
		await new Promise((ok) => setTimeout(ok, 100));
	}
	assert.equal(rep.pending, false);
	assert.equal(rep['live-votes'], 0);
	assert.equal(rep.n, 24);
	const dir = tempDir();
	for (const f of FILES) {
		const x = await call('GET', `/conversations/${id}/export/${f}.csv`);
		assert.equal(x.status, 200, x.body);
		fs.writeFileSync(path.join(dir, `${f}.csv`), x.body);
	}
	const a = runCli(['analyze', dir, '--format', 'json']);
	assert.equal(a.status, 0, a.stderr);
	const mine = JSON.parse(a.stdout);
	for (const k of ['n', 'n-cmts', 'tids', 'in-conv', 'groups', 'consensus', 'group-aware-consensus', 'repness', 'participants', 'mod-out', 'user-vote-counts'])
		assert.deepEqual(rep[k], mine[k], k);
});
