#!/usr/bin/env node
// bench/votes-setup.mjs — the helpers of bench/votes, in node for HTTP:
//
//   votes-setup.mjs people BASE DB N OUTDIR
//       N participants, one more (the "fresh" one, for the lag) and an
//       administrator: accounts made with `harmony user add --db DB`
//       (the password on stdin, as tests/e2e/lib/accounts.mjs does), then,
//       through the running server at BASE, each signed in and given a
//       personal API token (write scope) on the account page — the only way
//       a token is made. Argon2id costs three hashes per account (add,
//       sign-in, token), so the work runs on as many processes as cores.
//       Writes OUTDIR/tokens.txt (the N participants' tokens, one a line),
//       OUTDIR/admin.token and OUTDIR/fresh.token.
//
//   votes-setup.mjs conversation BASE TOKEN EVENT STATEMENTS OUTDIR
//       as the administrator TOKEN: a conversation of EVENT (signed-in
//       participants, strict moderation) with STATEMENTS seed statements
//       (one paste, accepted at once), opened, its report public; prints
//       its id.
//
//   votes-setup.mjs open BASE TOKEN CID OUTDIR
//       an existing conversation (an import) made open to signed-in
//       participants, its report public; prints its id.
//
//   Both write OUTDIR/statements.txt, the accepted statement ids.
//
//   votes-setup.mjs lag BASE CID TOKEN STATEMENT TIMEOUT_S
//       the analysis lag: one report read (before), one vote by TOKEN on
//       STATEMENT (a participant who has not voted yet), then
//       GET /conversations/CID/report (JSON) again and again until it
//       includes that participant (its id among `participants`, or, if the
//       report has no such key, `n` above the first read's). Prints one JSON
//       line: lag_ms (from the vote's answer to the first report that
//       includes it), vote_ms, polls, n_before, n_after, report_ms (the
//       first read's duration), reached.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const PASSWORD = 'correct horse battery staple';
const HARMONY = path.resolve(process.env.HARMONY ?? './harmony');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function die(msg) {
	console.error(`bench/votes: ${msg}`);
	process.exit(1);
}

function request(base, method, p, { headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request(base + p, { method, headers, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

function api(base, token, method, p, json) {
	const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
	if (json !== undefined) headers['Content-Type'] = 'application/json';
	return request(base, method, p, { headers, body: json === undefined ? undefined : JSON.stringify(json) }).then((r) => {
		r.json = /json/.test(r.headers['content-type'] ?? '') ? JSON.parse(r.body) : undefined;
		return r;
	});
}

// Runs f(i) for i in [0, n) on `width` workers at a time.
async function pool(n, width, f) {
	let next = 0;
	await Promise.all(Array.from({ length: width }, async () => {
		for (let i; (i = next++) < n;) await f(i);
	}));
}

function userAdd(db, email, name, role) {
	const args = ['user', 'add', '--db', db, '--email', email, '--name', name];
	if (role) args.push('--role', role);
	return new Promise((resolve, reject) => {
		const p = spawn(HARMONY, args, { stdio: ['pipe', 'ignore', 'pipe'] });
		let err = '';
		p.stderr.on('data', (d) => { err += d; });
		p.on('error', reject);
		p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`harmony user add ${email}: ${err}`))));
		p.stdin.end(`${PASSWORD}\n`);
	});
}

const cookiesOf = (res, jar) => {
	for (const c of [res.headers['set-cookie'] ?? []].flat()) {
		const [pair] = c.split(';');
		const i = pair.indexOf('=');
		jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
	}
};
const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const CSRF_RE = /name="_csrf" value="([^"]*)"/;

// Signs email in through the form and makes a write token on the account page.
async function tokenOf(base, email) {
	const jar = new Map();
	const form = async (page, target, fields, accept) => {
		const g = await request(base, 'GET', page, { headers: { Cookie: cookieHeader(jar) } });
		cookiesOf(g, jar);
		const m = CSRF_RE.exec(g.body);
		if (!m) throw new Error(`no CSRF field on ${page} (${g.status})`);
		const r = await request(base, 'POST', target, {
			headers: { Cookie: cookieHeader(jar), 'Content-Type': 'application/x-www-form-urlencoded', Accept: accept },
			body: new URLSearchParams({ _csrf: m[1], ...fields }).toString(),
		});
		cookiesOf(r, jar);
		return r;
	};
	let r = await form('/sign-in', '/sign-in', { email, password: PASSWORD }, 'text/html');
	if (r.status !== 303) throw new Error(`sign-in of ${email}: ${r.status} ${r.body.slice(0, 200)}`);
	r = await form('/account', '/account/api-tokens', { label: 'bench', scope: 'write', password: PASSWORD }, 'application/json');
	if (r.status !== 201) throw new Error(`API token of ${email}: ${r.status} ${r.body.slice(0, 200)}`);
	return JSON.parse(r.body).token;
}

async function people(base, db, n, outdir) {
	const width = Math.max(2, os.cpus().length);
	const who = [{ email: 'bench-admin@bench.example.org', name: 'Bench Organiser', role: 'admin' },
		{ email: 'bench-fresh@bench.example.org', name: 'Bench Latecomer' }];
	for (let i = 1; i <= n; i++) who.push({ email: `voter${i}@bench.example.org`, name: `Bench Voter ${i}` });
	let t0 = performance.now();
	await pool(who.length, width, (i) => userAdd(db, who[i].email, who[i].name, who[i].role));
	const addS = (performance.now() - t0) / 1000;
	t0 = performance.now();
	const tokens = new Array(who.length);
	await pool(who.length, width * 2, async (i) => { tokens[i] = await tokenOf(base, who[i].email); });
	const tokS = (performance.now() - t0) / 1000;
	fs.writeFileSync(path.join(outdir, 'admin.token'), `${tokens[0]}\n`);
	fs.writeFileSync(path.join(outdir, 'fresh.token'), `${tokens[1]}\n`);
	fs.writeFileSync(path.join(outdir, 'tokens.txt'), `${tokens.slice(2).join('\n')}\n`);
	console.error(`bench/votes: ${who.length} accounts in ${addS.toFixed(1)} s (harmony user add, ${width} at a time), ` +
		`signed in with a token each in ${tokS.toFixed(1)} s`);
}

async function writeStatements(base, token, cid, outdir) {
	const r = await api(base, token, 'GET', `/api/v1/conversations/${cid}`);
	if (r.status !== 200) die(`GET conversation ${cid}: ${r.status} ${r.body.slice(0, 200)}`);
	const ids = (r.json.statements ?? []).filter((s) => s.status === 'accepted').map((s) => s.id);
	if (!ids.length) die(`conversation ${cid} has no accepted statement`);
	fs.writeFileSync(path.join(outdir, 'statements.txt'), `${ids.join('\n')}\n`);
	return ids;
}

async function conversation(base, token, event, n, outdir) {
	let r = await api(base, token, 'POST', `/api/v1/events/${event}/conversations`, {
		topic: 'Benchmark: votes in the room', question: 'Which of these should the consultation recommend?',
		participation: 'signed-in', moderation: 'strict',
	});
	if (r.status !== 201) die(`new conversation: ${r.status} ${r.body.slice(0, 300)}`);
	const cid = r.json.id;
	const texts = Array.from({ length: n }, (_, i) => `Benchmark statement number ${i + 1}: the region should act on theme ${i + 1}.`);
	r = await api(base, token, 'POST', `/api/v1/conversations/${cid}/statements`, { texts: [texts.join('\n')] });
	if (r.status !== 201) die(`seed statements: ${r.status} ${r.body.slice(0, 300)}`);
	return open(base, token, cid, outdir);
}

async function open(base, token, cid, outdir) {
	const r = await api(base, token, 'PATCH', `/api/v1/conversations/${cid}`, { status: 'open', participation: 'signed-in', report_visibility: 'public' });
	if (r.status !== 200) die(`open conversation ${cid}: ${r.status} ${r.body.slice(0, 300)}`);
	const ids = await writeStatements(base, token, cid, outdir);
	console.error(`bench/votes: conversation ${cid} open, ${ids.length} accepted statements`);
	console.log(cid);
}

async function report(base, cid, token) {
	const r = await request(base, 'GET', `/conversations/${cid}/report`, {
		headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
	});
	if (r.status !== 200) die(`report of ${cid}: ${r.status} ${r.body.slice(0, 300)}`);
	return JSON.parse(r.body);
}

async function lag(base, cid, token, statement, timeoutS) {
	let t = performance.now();
	const before = await report(base, cid, token);
	const reportMs = performance.now() - t;
	t = performance.now();
	const v = await api(base, token, 'POST', `/api/v1/conversations/${cid}/votes`, { statement: Number(statement), vote: 1 });
	const acked = performance.now();
	if (v.status !== 201) die(`the fresh participant's vote: ${v.status} ${v.body.slice(0, 300)} (expected 201: a first vote)`);
	const pid = String(v.json.participant);
	const includes = (rep) => (rep.participants && typeof rep.participants === 'object'
		? Object.hasOwn(rep.participants, pid) : Number(rep.n) > Number(before.n));
	let polls = 0, rep, reached = false;
	while (performance.now() - acked < timeoutS * 1000) {
		rep = await report(base, cid, token);
		polls++;
		if (includes(rep)) {
			reached = true;
			break;
		}
		await new Promise((res) => setTimeout(res, 50));
	}
	const out = {
		lag_ms: +(performance.now() - acked).toFixed(1), vote_ms: +(acked - t).toFixed(1), polls,
		n_before: before.n, n_after: rep?.n, report_ms: +reportMs.toFixed(1), participant: Number(pid), reached,
	};
	console.log(JSON.stringify(out));
}

const [cmd, ...a] = process.argv.slice(2);
try {
	if (cmd === 'people') await people(a[0], a[1], Number(a[2]), a[3]);
	else if (cmd === 'conversation') await conversation(a[0], a[1], a[2], Number(a[3]), a[4]);
	else if (cmd === 'open') await open(a[0], a[1], a[2], a[3]);
	else if (cmd === 'lag') await lag(a[0], a[1], a[2], a[3], Number(a[4]));
	else die(`unknown command ${cmd}`);
} catch (e) {
	die(e.message);
}
agent.destroy();
