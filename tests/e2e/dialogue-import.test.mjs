// dialogue-import.test.mjs — `harmony conversation import` (issue 16):
// two real Pol.is export folders of ../shared/data/polis/ become
// conversations, and their export gives back the original files in the
// columns both keep (ids mapped in order: harmony's ids are the store's
// own, given in the order of Pol.is's). A bad folder exits 2 and writes
// nothing. Without the shared data the round trip is skipped, except
// under CI=true where it fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { multipartBody } from './lib/http.mjs';
import { makeDemo, ROOT, runCli, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const OTHER = 'other@example.org';
const SHARED = process.env.HM_SHARED_DIR || path.join(ROOT, '..', 'shared');
const POLIS = path.join(SHARED, 'data', 'polis');
const CONVERSATIONS = ['15-per-hour-seattle', 'brexit-consensus'];
const inCi = ['true', '1'].includes(process.env.CI);

let srv, token, db, lastId = 0;
before(async () => {
	db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: OTHER, name: 'Someone else' });
	srv = await startServer({ db });
	token = await apiToken(await signedIn(srv.url, ORG), 'write');
});
after(async () => {
	await srv?.stop();
});

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
		else if (ch === '\n') { row.push(f.replace(/\r$/, '')); rows.push(row); row = []; f = ''; }
		else f += ch;
	}
	if (f || row.length) { row.push(f); rows.push(row); }
	return rows;
}

const objects = (rows) => rows.slice(1).map((r) => Object.fromEntries(rows[0].map((k, i) => [k, r[i]])));
const sec = (ms) => String(Math.floor(Number(ms) / 1000) * 1000);

// Pol.is ids -> harmony's, in ascending order of both.
function orderMap(polisIds, ourIds) {
	const a = [...new Set(polisIds.map(Number))].sort((x, y) => x - y);
	const b = [...new Set(ourIds.map(Number))].sort((x, y) => x - y);
	assert.equal(a.length, b.length, 'as many ids');
	return new Map(a.map((x, i) => [String(x), String(b[i])]));
}


describe('import of a Pol.is export folder', () => {
	for (const name of CONVERSATIONS) {
		test(`${name}: export gives back the original files`, async (t) => {
			const dir = path.join(POLIS, name);
			if (!fs.existsSync(dir)) {
				assert.ok(!inCi, `shared data ${dir} absent (CI=true needs it; set HM_SHARED_DIR)`);
				t.skip(`shared data ${dir} absent (set HM_SHARED_DIR)`);
				return;
			}
			const r = runCli(['conversation', 'import', '--db', db, '--event', SHANGHAI, dir]);
			assert.equal(r.status, 0, r.stderr);
			const id = Number(r.stdout.trim());
			assert.ok(id > 0, r.stdout);
			lastId = id;
			const orig = {}, ours = {};
			for (const f of ['summary', 'comments', 'votes', 'participants-votes']) {
				orig[f] = parseCsv(fs.readFileSync(path.join(dir, `${f}.csv`), 'utf8'));
				const x = await bearer(srv.url, token, 'GET', `/conversations/${id}/export/${f}.csv`);
				assert.equal(x.status, 200, x.body);
				ours[f] = parseCsv(x.body);
				assert.deepEqual(ours[f][0].slice(0, 6), orig[f][0].slice(0, 6), `${f}: columns`);
			}
			// summary: the topic and the description come back
			const sum = (rows) => Object.fromEntries(rows.map((x) => [x[0], x[1]]));
			assert.equal(sum(ours.summary).topic, sum(orig.summary).topic);
			assert.equal(sum(ours.summary)['conversation-description'], sum(orig.summary)['conversation-description']);
			assert.equal(sum(ours.summary).comments, sum(orig.summary).comments);

			const oc = objects(orig.comments), uc = objects(ours.comments);
			const ov = objects(orig.votes), uv = objects(ours.votes);
			const tid = orderMap(oc.map((c) => c['comment-id']), uc.map((c) => c['comment-id']));
			const pid = orderMap([...ov.map((v) => v['voter-id']), ...oc.map((c) => c['author-id'])],
				[...uv.map((v) => v['voter-id']), ...uc.map((c) => c['author-id'])]);
			// comments: time (to the second), author, moderation and text
			const ucById = new Map(uc.map((c) => [c['comment-id'], c]));
			for (const c of oc) {
				const u = ucById.get(tid.get(c['comment-id']));
				assert.ok(u, `comment ${c['comment-id']}`);
				assert.equal(u.timestamp, sec(c.timestamp));
				assert.equal(u['author-id'], pid.get(c['author-id']));
				assert.equal(u.moderated, c.moderated);
				assert.equal(u['comment-body'], c['comment-body']);
			}
			// votes: each participant's last vote on each statement, with its time
			const last = new Map();
			for (const v of [...ov].map((v, i) => ({ ...v, i })).sort((a, b) => Number(a.timestamp) - Number(b.timestamp) || a.i - b.i))
				last.set(`${v['comment-id']}/${v['voter-id']}`, v);
			const key = (v) => `${v['comment-id']}/${v['voter-id']}/${v.vote}/${v.timestamp}`;
			const want = [...last.values()].map((v) => key({ 'comment-id': tid.get(v['comment-id']), 'voter-id': pid.get(v['voter-id']), vote: v.vote, timestamp: sec(v.timestamp) })).sort();
			assert.deepEqual(uv.map(key).sort(), want);
			// participants-votes: each voter's votes, cell by cell
			const head = ours['participants-votes'][0];
			const ohead = orig['participants-votes'][0];
			const urows = new Map(ours['participants-votes'].slice(1).map((x) => [x[0], x]));
			let compared = 0;
			for (const o of orig['participants-votes'].slice(1)) {
				const u = urows.get(pid.get(o[0]));
				if (!u) continue;
				compared++;
				assert.deepEqual(u.slice(2, 6), o.slice(2, 6), `participant ${o[0]}: n-comments, n-votes, n-agree, n-disagree`);
				for (let i = 6; i < ohead.length; i++) {
					const j = head.indexOf(tid.get(ohead[i]));
					if (j >= 0) assert.equal(u[j], o[i], `participant ${o[0]}, comment ${ohead[i]}`);
				}
			}
			assert.ok(compared > 0);
		});
	}

	test('a bad folder: exit 2, a clear message, nothing written', async () => {
		const bad = tempDir();
		fs.writeFileSync(path.join(bad, 'comments.csv'), 'timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,0,0,0,1,Fine\n2,x,1,0,0,0,7,Odd\n');
		fs.writeFileSync(path.join(bad, 'votes.csv'), 'timestamp,datetime,comment-id,voter-id,vote\n');
		let r = runCli(['conversation', 'import', '--db', db, '--event', SHANGHAI, bad]);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /comments\.csv:3: moderated "7"/);
		fs.writeFileSync(path.join(bad, 'comments.csv'), 'timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,0,0,0,1,Fine\n');
		fs.writeFileSync(path.join(bad, 'votes.csv'), 'timestamp,datetime,comment-id,voter-id,vote\n5,x,3,1,1\n');
		r = runCli(['conversation', 'import', '--db', db, '--event', SHANGHAI, bad]);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /votes\.csv:2: vote on comment 3/);
		r = runCli(['conversation', 'import', '--db', db, '--event', SHANGHAI, path.join(bad, 'nothing')]);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /not a folder/);
		r = runCli(['conversation', 'import', '--db', db, '--event', 'no-such-event', bad]);
		assert.equal(r.status, 2);
		r = runCli(['conversation', 'import', '--db', db, bad]);
		assert.equal(r.status, 2);
		assert.match(r.stderr, /--event/);
		// a good folder after all that: the next conversation id follows the
		// round trips' (nothing was made by the refusals)
		fs.writeFileSync(path.join(bad, 'votes.csv'), 'timestamp,datetime,comment-id,voter-id,vote\n5000,x,0,1,1\n');
		r = runCli(['conversation', 'import', '--db', db, '--event', SHANGHAI, bad]);
		assert.equal(r.status, 0, r.stderr);
		const id = Number(r.stdout.trim());
		if (lastId) assert.equal(id, lastId + 1, 'the refusals made no conversation');
		const got = await bearer(srv.url, token, 'GET', `/api/v1/conversations/${id}`);
		assert.equal(got.status, 200, got.body);
		assert.equal(got.json.status, 'closed');
		assert.equal(got.json.report_visibility, 'organisers');
		assert.equal(got.json.statements.length, 1);
	});
});

describe('import from the organisers\' pages', () => {
	const PAGE = `/admin/events/${SHANGHAI}/conversations`;
	const csv = (name, text) => ({ filename: name, type: 'text/csv', data: text });
	async function organiser(email = ORG) {
		const c = await signedIn(srv.url, email);
		const r = await c.get(PAGE);
		return { c, r };
	}
	const send = (c, parts, csrf = true) => {
		const m = multipartBody([...(csrf ? [['_csrf', c.csrf]] : []), ...parts]);
		return c.req('POST', `${PAGE}/import`, { body: m.body, headers: { 'Content-Type': m.type } });
	};
	// the event's conversations, as its organisers' list shows them
	const count = async () => {
		const { r } = await organiser();
		assert.equal(r.status, 200);
		return [...r.body.matchAll(/<tr data-id="\d+">/g)];
	};

	test('the files of an export make a closed conversation, as the command does', async (t) => {
		const dir = path.join(POLIS, '15-per-hour-seattle');
		if (!fs.existsSync(dir)) {
			if (inCi) assert.fail(`shared data ${dir} absent under CI`);
			t.skip(`shared data ${dir} absent (set HM_SHARED_DIR)`);
			return;
		}
		const { c, r } = await organiser();
		assert.equal(r.status, 200);
		assert.match(r.body, /enctype="multipart\/form-data"/);
		const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
		const x = await send(c, [['comments', csv('comments.csv', read('comments.csv'))],
			['votes', csv('votes.csv', read('votes.csv'))], ['summary', csv('summary.csv', read('summary.csv'))]]);
		assert.equal(x.status, 303, x.body);
		const id = Number(x.headers.location.match(/^\/admin\/conversations\/(\d+)\?done=imported$/)?.[1]);
		assert.ok(id > 0, x.headers.location);
		const page = await c.get(x.headers.location);
		assert.match(page.body, /The conversation is imported, closed/);
		const got = await bearer(srv.url, token, 'GET', `/api/v1/conversations/${id}`);
		assert.equal(got.json.status, 'closed');
		assert.equal(got.json.report_visibility, 'organisers');
		const comments = parseCsv(read('comments.csv')).length - 1;
		assert.equal(got.json.statements.length, comments);
		// the same votes as the command's import of the same folder
		const r2 = runCli(['conversation', 'import', '--db', db, '--event', SHANGHAI, dir]);
		assert.equal(r2.status, 0, r2.stderr);
		const mine = (await bearer(srv.url, token, 'GET', `/conversations/${id}/export/votes.csv`)).body;
		const theirs = (await bearer(srv.url, token, 'GET', `/conversations/${r2.stdout.trim()}/export/votes.csv`)).body;
		assert.equal(parseCsv(mine).length, parseCsv(theirs).length);
		assert.ok(parseCsv(mine).length > 100);
		// participants-votes.csv in place of votes.csv is told by its header
		const y = await send(c, [['comments', csv('comments.csv', read('comments.csv'))],
			['votes', csv('participants-votes.csv', read('participants-votes.csv'))]]);
		assert.equal(y.status, 303, y.body);
	});

	test('files it cannot read: 400 on the page, why, and nothing made; others may not', async () => {
		const before = (await count()).length;
		assert.ok(before > 0, 'the list shows the conversations');
		const { c } = await organiser();
		let r = await send(c, [['comments', csv('comments.csv', 'timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,0,0,0,7,Odd\n')],
			['votes', csv('votes.csv', 'timestamp,datetime,comment-id,voter-id,vote\n')]]);
		assert.equal(r.status, 400);
		assert.match(r.body, /id="import-error"/);
		assert.match(r.body, /nothing was imported/);
		assert.match(r.body, /comments\.csv:2: moderated &quot;7&quot;/);
		r = await send(c, [['votes', csv('votes.csv', 'timestamp,datetime,comment-id,voter-id,vote\n')]]);
		assert.equal(r.status, 400);
		assert.match(r.body, /Choose the export&#39;s comments\.csv/);
		// without the form's token, and from someone who organises nothing
		r = await send(c, [['comments', csv('comments.csv', 'comment-id,comment-body\n1,Hello\n')]], false);
		assert.equal(r.status, 403);
		const other = await organiser(OTHER);
		r = await send(other.c, [['comments', csv('comments.csv', 'comment-id,comment-body\n1,Hello\n')],
			['votes', csv('votes.csv', 'comment-id,voter-id,vote\n1,1,1\n')]]);
		assert.equal(r.status, 403);
		assert.equal((await count()).length, before, 'nothing was made');
	});
});
