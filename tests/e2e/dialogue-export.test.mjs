// dialogue-export.test.mjs — Pol.is compatibility (issue 16): a
// conversation's export in Pol.is's format (summary, comments, votes,
// participants-votes), readable by whoever may read the report; and
// `harmony analyze` on the exported folder gives the report's own groups
// and consensus.
import assert from 'node:assert/strict';
import { analysed } from './lib/dialogue.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { makeDemo, runCli, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const OTHER = 'other@example.org';
const FILES = ['summary', 'comments', 'votes', 'participants-votes'];

let srv;
const tok = {};
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: OTHER, name: 'Someone else' });
	srv = await startServer({ db });
	for (const [k, email] of [['org', ORG], ['other', OTHER]])
		tok[k] = await apiToken(await signedIn(srv.url, email), 'write');
});
after(async () => {
	await srv?.stop();
});

const call = (who, method, p, body) => bearer(srv.url, tok[who], method, p, body);

// A conversation where 12 anonymous participants vote on 8 statements in
// two camps with some common ground, one participant writes a statement
// (with a comma and a quote), one statement is rejected.
async function camps(fields = {}) {
	let r = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Rivers, shared', question: 'How should rivers be shared?', status: 'open',
		participation: 'anyone', moderation: 'permissive', ...fields,
	});
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await call('org', 'POST', `/api/v1/conversations/${id}/statements`, {
		texts: [['Dams need consent', 'Upstream first', 'Share the data', 'Fish matter',
			'Farmers decide', 'Cities pay', 'Clean water is a right', 'Rejected one'].join('\n')],
	});
	assert.equal(r.status, 201, r.body);
	const ids = r.json.ids;
	const people = [];
	for (let p = 0; p < 12; p++) {
		const c = new Client(srv.url);
		const j = await c.getJson(`/conversations/${id}`);
		c.csrf = j.json.csrf;
		for (let s = 0; s < 7; s++) {
			// statements 0-2 split the camps, 3-5 the other way, 6 everyone agrees
			let v = s === 6 ? 1 : (p < 6) === (s < 3) ? 1 : -1;
			if ((p + s) % 5 === 0) v = 0;
			if (p === 11 && s === 5) continue;
			const x = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[s], vote: v });
			assert.ok(x.status === 201 || x.status === 200, x.body);
		}
		people.push(c);
	}
	r = await people[0].api('POST', `/api/v1/conversations/${id}/statements`, { text: 'Rivers, "all of them", are ours' });
	assert.equal(r.status, 201, r.body);
	r = await call('org', 'PATCH', `/api/v1/statements/${ids[7]}`, { status: 'rejected', reason: 'test' });
	assert.equal(r.status, 200, r.body);
	return { id, ids, people, own: r.json };
}

function parseCsv(text) {
	const rows = [];
	let row = [], f = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (q) {
			if (ch === '"' && text[i + 1] === '"') { f += '"'; i++; }
			else if (ch === '"') q = false;
			else f += ch;
		} else if (ch === '"') q = true;
		else if (ch === ',') { row.push(f); f = ''; }
		else if (ch === '\n') { row.push(f); rows.push(row); row = []; f = ''; }
		else f += ch;
	}
	if (f || row.length) { row.push(f); rows.push(row); }
	return rows;
}

describe('the demo\'s conversation', () => {
	test('Shanghai: illustrative statements, simulated votes, a report with groups', async () => {
		const visitor = new Client(srv.url);
		let r = await visitor.getJson('/conversations/1');
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.conversation.event, SHANGHAI);
		assert.equal(r.json.conversation.status, 'closed');
		assert.equal(r.json.progress.total, 20);
		r = await analysed(() => visitor.getJson('/conversations/1/report'));
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json['too-few-participants'], false);
		assert.equal(r.json.n, 135, 'one participant per approved registration');
		assert.ok(r.json.groups.length >= 2, JSON.stringify(r.json.groups));
		// the common-ground statements (1-4) lead the majority consensus
		assert.ok(r.json.consensus.agree.slice(0, 4).every((c) => c.tid <= 4 || c.tid === 17), JSON.stringify(r.json.consensus.agree));
		// the declared groups: the sectors and countries of the registrations
		const sectors = r.json.declared.sector.groups.map((g) => g.name).sort();
		assert.deepEqual(sectors, ['academia', 'business', 'cultural', 'government', 'ngo']);
		assert.equal(r.json.declared.sector.groups.reduce((n, g) => n + g['n-members'], 0), 135);
		assert.ok(r.json.declared.country.groups.length >= 10);
		const everySector = Object.entries(r.json.declared.sector.consensus).filter(([, c]) => c['min-lower'] >= 0.5);
		assert.ok(everySector.length >= 1, 'a statement every sector agrees with');
		const page = await visitor.get('/conversations/1/report');
		assert.equal(page.status, 200);
		assert.match(page.body, /<h2 id="declared-sector">Across the sectors in the room<\/h2>/);
		assert.match(page.body, /What every sector agrees with/);
		assert.match(page.body, /a majority in every sector; least in /);
		assert.match(page.body, /Harmony through diversity and dialogue/);
	});
});

describe('Pol.is export', () => {
	test('the four files in Pol.is\'s columns; analyze on them gives the report', async () => {
		const { id, ids } = await camps();
		const dir = tempDir();
		const got = {};
		for (const f of FILES) {
			const r = await call('org', 'GET', `/conversations/${id}/export/${f}.csv`);
			assert.equal(r.status, 200, r.body);
			assert.match(r.headers['content-type'], /^text\/csv/);
			assert.match(r.headers['content-disposition'], new RegExp(`filename="${f}.csv"`));
			assert.ok(!r.body.startsWith('\ufeff'), 'no BOM, as Pol.is');
			assert.ok(!r.body.includes('\r'), 'LF line ends, as Pol.is');
			fs.writeFileSync(path.join(dir, `${f}.csv`), r.body);
			got[f] = parseCsv(r.body);
		}
		assert.deepEqual(got.comments[0], ['timestamp', 'datetime', 'comment-id', 'author-id', 'agrees', 'disagrees', 'moderated', 'comment-body']);
		assert.deepEqual(got.votes[0], ['timestamp', 'datetime', 'comment-id', 'voter-id', 'vote']);
		assert.deepEqual(got['participants-votes'][0].slice(0, 6), ['participant', 'group-id', 'n-comments', 'n-votes', 'n-agree', 'n-disagree']);
		assert.deepEqual(got.summary.map((r) => r[0]), ['topic', 'url', 'views', 'voters', 'voters-in-conv', 'commenters', 'comments', 'groups', 'conversation-description']);
		assert.equal(got.summary[0][1], 'Rivers, shared');
		assert.equal(got.summary[1][1], `/conversations/${id}`);
		// comments: seeds without an author, the participant's own with its quotes kept
		const byId = new Map(got.comments.slice(1).map((r) => [Number(r[2]), r]));
		assert.equal(byId.get(ids[0])[3], '');
		assert.equal(byId.get(ids[7])[6], '-1', 'rejected');
		assert.equal(byId.get(ids[0])[6], '1', 'accepted');
		const own = got.comments.slice(1).find((r) => r[7].startsWith('Rivers'));
		assert.equal(own[7], 'Rivers, "all of them", are ours');
		assert.match(own[3], /^\d+$/);
		// everyone agrees on statement 6: 12 agrees less the passes
		const agreed6 = got.votes.slice(1).filter((r) => Number(r[2]) === ids[6] && r[4] === '1').length;
		assert.equal(Number(byId.get(ids[6])[4]), agreed6);
		// votes: agree = 1, milliseconds and a date in words
		for (const r of got.votes.slice(1)) {
			assert.match(r[0], /^\d+000$/);
			assert.match(r[1], /^\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
			assert.ok(['1', '-1', '0'].includes(r[4]));
		}
		assert.equal(got.votes.length - 1, 12 * 7 - 1);

		const report = (await analysed(() => call('org', 'GET', `/conversations/${id}/report`))).json;
		assert.equal(report.groups.length, 2, JSON.stringify(report.groups));
		const a = runCli(['analyze', dir, '--format', 'json']);
		assert.equal(a.status, 0, a.stderr);
		const mine = JSON.parse(a.stdout);
		for (const k of ['n', 'n-cmts', 'tids', 'in-conv', 'groups', 'consensus', 'group-aware-consensus', 'repness', 'participants', 'mod-out'])
			assert.deepEqual(mine[k], report[k], k);
		// participants-votes carries the report's group of each participant
		for (const r of got['participants-votes'].slice(1)) {
			const g = report.participants[r[0]]?.group;
			assert.equal(r[1], g === null || g === undefined ? '' : String(g));
		}
		assert.equal(got.summary[7][1], '2');
	});

	test('who may read it: the report\'s visibility', async () => {
		const { id, people } = await camps({ report_visibility: 'participants' });
		let r = await call('other', 'GET', `/conversations/${id}/export/votes.csv`);
		assert.equal(r.status, 403);
		r = await people[3].get(`/conversations/${id}/export/votes.csv`);
		assert.equal(r.status, 200);
		r = await call('org', 'PATCH', `/api/v1/conversations/${id}`, { report_visibility: 'organisers' });
		assert.equal(r.status, 200, r.body);
		r = await people[3].get(`/conversations/${id}/export/votes.csv`);
		assert.equal(r.status, 403);
		r = await call('org', 'GET', `/conversations/${id}/export/nothing.csv`);
		assert.equal(r.status, 404);
		r = await call('org', 'GET', `/conversations/${id}/export/votes`);
		assert.equal(r.status, 404);
		// personal data: participant ids only, never an e-mail
		for (const f of FILES) {
			r = await call('org', 'GET', `/conversations/${id}/export/${f}.csv`);
			assert.doesNotMatch(r.body, /@/);
		}
	});
});
