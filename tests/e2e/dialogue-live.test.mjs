// dialogue-live.test.mjs — what the room sees of a conversation (issue
// 16): the analysis runs off the request path and the report says when;
// the live view (counts, the opinion map as SVG, common ground, where the
// groups differ) and its JSON twin; its Server-Sent Events stream, which
// announces a change after a vote; the report page's sections; the same
// visibility rule for the live view, its stream and the report; and the
// vote limits: an anonymous identity's burst, an address's limit (set by
// --vote-limit-per-address), 429 with Retry-After, nothing written.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { analysed } from './lib/dialogue.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const PART = 'part@example.org';

let srv, slow;
const tok = {};
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	addAccount(db, { email: PART, name: 'Participant' });
	srv = await startServer({ db });
	// the same database, a second server with a low limit per address
	slow = await startServer({ db, args: ['--vote-limit-per-address', '2'] });
	tok.org = await apiToken(await signedIn(srv.url, ORG), 'write');
	tok.part = await apiToken(await signedIn(srv.url, PART), 'write');
});
after(async () => {
	await slow?.stop();
	await srv?.stop();
});

const call = (who, method, p, body, base = srv.url) => bearer(base, tok[who], method, p, body);

async function conversation(fields, lines) {
	let r = await call('org', 'POST', `/api/v1/events/${SHANGHAI}/conversations`, {
		topic: 'Water in the region', status: 'open', participation: 'anyone', ...fields,
	});
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await call('org', 'POST', `/api/v1/conversations/${id}/statements`, { texts: [lines.join('\n')] });
	assert.equal(r.status, 201, r.body);
	return { id, ids: r.json.ids };
}

// An anonymous participant: the cookie and CSRF token of the page's twin.
async function visitor(id) {
	const c = new Client(srv.url);
	const r = await c.getJson(`/conversations/${id}`);
	assert.equal(r.status, 200, r.body);
	c.csrf = r.json.csrf;
	return c;
}

// The stream's text as it comes; next(re) waits up to 10 s for re.
function stream(url, headers = {}) {
	return new Promise((resolve, reject) => {
		const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers }, agent: false });
		req.on('error', reject);
		req.on('response', (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (s) => (text += s));
			res.on('error', () => {});
			const next = async (re) => {
				const until = Date.now() + 10_000;
				while (!re.test(text)) {
					if (Date.now() > until) throw new Error(`no ${re} in ${JSON.stringify(text)}`);
					await new Promise((ok) => setTimeout(ok, 50));
				}
			};
			resolve({ res, next, close: () => req.destroy() });
		});
	});
}

describe('the live view and the report', () => {
	test('two camps of four: groups, a map, common ground, and a stream that follows', async () => {
		const { id, ids } = await conversation({}, ['Rivers are shared', 'Dams need consent', 'Wells first', 'Meters for all', 'Water is a right']);
		// before any vote: nothing to show yet, and said so
		let r = await (await visitor(id)).getJson(`/conversations/${id}/live`);
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json.counts, { participants: 0, votes: 0, statements: 5 });
		assert.equal(r.json['computed-at'], null);
		assert.equal(r.json['too-few-participants'], true);

		const s = await stream(`${srv.url}/conversations/${id}/events`);
		assert.equal(s.res.statusCode, 200);
		assert.match(s.res.headers['content-type'], /^text\/event-stream/);
		assert.equal(s.res.headers['cache-control'], 'no-store');
		const people = [];
		for (let p = 0; p < 8; p++) people.push(await visitor(id));
		for (let p = 0; p < 8; p++)
			for (let k = 0; k < 4; k++) {
				// the last statement: everyone agrees
				const v = k === 3 ? 1 : (p < 4) === (k < 2) ? 1 : -1;
				const x = await people[p].api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[k === 3 ? 4 : k], vote: v });
				assert.equal(x.status, 201, x.body);
			}
		await s.next(/event: change\ndata: \{"version":\d+\}/);
		s.close();

		r = await analysed(() => people[0].getJson(`/conversations/${id}/report`));
		assert.equal(r.json.pending, false);
		assert.match(r.json['computed-at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.equal(typeof r.json['took-ms'], 'number');
		assert.equal(r.json.groups.length, 2);

		r = await people[0].getJson(`/conversations/${id}/live`);
		assert.equal(r.status, 200);
		assert.deepEqual(r.json.counts, { participants: 8, votes: 32, statements: 5 });
		assert.equal(r.json.pending, false);
		assert.deepEqual(r.json.groups.map((g) => [g.label, g.size]).sort(), [['A', 4], ['B', 4]]);
		// what everyone agrees on leads the common ground
		assert.equal(r.json['common-ground'][0].id, ids[4]);
		assert.equal(r.json['common-ground'][0].agree, 1);
		// the camps' statements divide: one group agrees all, the other none
		assert.ok(r.json.divisive.length >= 1, r.body);
		assert.ok(ids.slice(0, 2).includes(r.json.divisive[0].id), r.body);
		assert.equal(r.json.divisive[0].spread, 1);

		const page = await people[0].get(`/conversations/${id}/live`);
		assert.equal(page.status, 200);
		assert.match(page.body, new RegExp(`data-live-stream="/conversations/${id}/events"`));
		const map = page.body.match(/<svg class="opinion-map"[\s\S]*?<\/svg>/);
		assert.ok(map, 'no opinion map');
		assert.equal((map[0].match(/<circle /g) || []).length, 8, 'one dot per participant');
		assert.equal((map[0].match(/class="g0"/g) || []).length, 4);
		assert.equal((map[0].match(/class="g1"/g) || []).length, 4);
		assert.match(map[0], /role="img"/);
		assert.match(map[0], /<desc id="live-map-desc">8 participants; group A: 4 people; group B: 4 people<\/desc>/);
		assert.match(page.body, /8 participants/);
		assert.match(page.body, /32 votes/);

		const rep = await people[0].get(`/conversations/${id}/report`);
		assert.equal(rep.status, 200);
		for (const h of ['Common ground', 'Opinion groups', 'Where the groups differ', 'Statements'])
			assert.match(rep.body, new RegExp(`<h2 id="[a-z-]+">${h}</h2>`));
		assert.match(rep.body, /<svg class="opinion-map"/);
		// one bar chart per accepted statement: everyone, group A, group B
		const charts = rep.body.match(/<svg class="chart"[\s\S]*?<\/svg>/g) || [];
		assert.equal(charts.length, 5);
		assert.match(rep.body, /Analysed /);
	});

	test('the live view and its stream follow the report\'s visibility', async () => {
		const { id } = await conversation({ report_visibility: 'organisers' }, ['One', 'Two']);
		const v = await visitor(id);
		for (const p of ['live', 'report']) {
			const r = await v.getJson(`/conversations/${id}/${p}`);
			assert.equal(r.status, 403, `${p}: ${r.body}`);
		}
		const s = await stream(`${srv.url}/conversations/${id}/events`);
		assert.equal(s.res.statusCode, 403);
		s.close();
		const r = await call('org', 'GET', `/conversations/${id}/live`);
		assert.equal(r.status, 200, r.body);
		const o = await stream(`${srv.url}/conversations/${id}/events`, { Authorization: `Bearer ${tok.org}` });
		assert.equal(o.res.statusCode, 200);
		o.close();
	});
});

describe('vote limits', () => {
	test('an anonymous identity: a burst, then no faster than a person; nothing written beyond', async () => {
		const { id, ids } = await conversation({}, ['Alpha', 'Beta']);
		const c = await visitor(id);
		const got = [];
		const t0 = Date.now();
		for (let i = 0; i < 60; i++) {
			const r = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[0], vote: i % 2 ? 1 : -1 });
			got.push(r);
			if (r.status === 429) break;
		}
		const last = got.at(-1);
		assert.equal(last.status, 429, 'the limit never came');
		assert.equal(last.headers['retry-after'], '1');
		assert.match(last.json.error.message, /faster than the conversation allows/);
		// the first vote makes the participant, then a burst of 20, and one
		// more for each second the burst took (the bucket refills)
		const took = Math.ceil((Date.now() - t0) / 1000);
		assert.ok(got.length >= 22 && got.length <= 23 + took, `${got.length - 1} votes before the limit in ${took} s`);
		const accepted = got.slice(0, -1).at(-1).json.vote;
		// the refused vote changed nothing: the last accepted one is current
		const csv = await call('org', 'GET', `/conversations/${id}/export/votes.csv`);
		const rows = csv.body.trim().split('\n').slice(1);
		assert.equal(rows.length, 1);
		assert.equal(Number(rows[0].split(',')[4]), accepted);
		// a moment later a vote is welcome again
		await new Promise((ok) => setTimeout(ok, 1200));
		const again = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[1], vote: 1 });
		assert.equal(again.status, 201, again.body);
	});

	test('one address: --vote-limit-per-address, for accounts too', async () => {
		const { id, ids } = await conversation({ participation: 'signed-in' }, ['Gamma', 'Delta']);
		const codes = [];
		const t0 = Date.now();
		for (let i = 0; i < 60; i++) {
			const r = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: ids[0], vote: i % 3 - 1 }, slow.url);
			codes.push(r.status);
			if (r.status === 429) {
				assert.equal(r.headers['retry-after'], '1');
				break;
			}
		}
		// 2 a second with five seconds' worth of burst (and the refill while
		// they were sent)
		const took = Math.ceil((Date.now() - t0) / 1000);
		assert.equal(codes.at(-1), 429, codes.join(' '));
		assert.ok(codes.length >= 11 && codes.length <= 12 + 2 * took, `${codes.join(' ')} in ${took} s`);
		// the other server (the default limit) takes the same account's vote
		await new Promise((ok) => setTimeout(ok, 200));
		const r = await call('part', 'POST', `/api/v1/conversations/${id}/votes`, { statement: ids[1], vote: 1 });
		assert.equal(r.status, 201, r.body);
	});
});

describe('participants declare their sector and country, optional and with consent', () => {
	test('asked, refused without consent, kept with it, declined; the report reads the room by them', async () => {
		const { id, ids } = await conversation({ ask_attributes: ['sector', 'country'] }, ['Alpha', 'Beta', 'Gamma', 'Delta']);
		let r = await call('org', 'GET', `/api/v1/conversations/${id}`);
		assert.deepEqual(r.json.ask_attributes, ['sector', 'country']);
		const v = await visitor(id);
		r = await v.getJson(`/conversations/${id}`);
		assert.deepEqual(r.json.asks, ['sector', 'country']);
		assert.equal(r.json.declared, null);
		let page = await v.get(`/conversations/${id}`);
		assert.match(page.body, /<h2 id="ask-h">About you \(optional\)<\/h2>/);
		assert.match(page.body, /<select id="f-sector" name="sector">/);
		// no consent, an unknown sector, a country not asked for: refused, nothing kept
		r = await v.api('POST', `/api/v1/conversations/${id}/declare`, { sector: 'ngo', country: 'KE' });
		assert.equal(r.status, 400, r.body);
		assert.ok(r.json.errors.consent, r.body);
		r = await v.api('POST', `/api/v1/conversations/${id}/declare`, { sector: 'pirates', consent: true });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.sector);
		r = await v.api('POST', `/api/v1/conversations/${id}/declare`, { country: 'XX', consent: true });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.country);
		assert.equal((await v.getJson(`/conversations/${id}`)).json.declared, null);
		r = await v.api('POST', `/api/v1/conversations/${id}/declare`, { sector: 'ngo', country: 'KE', consent: true });
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json.declared, { sector: 'ngo', country: 'KE' });
		page = await v.get(`/conversations/${id}`);
		assert.doesNotMatch(page.body, /id="ask-h"/, 'asked once');
		// declining is an answer too: not asked again, nothing kept
		const no = await visitor(id);
		r = await no.api('POST', `/api/v1/conversations/${id}/declare`, {});
		assert.equal(r.status, 200, r.body);
		assert.deepEqual(r.json.declared, { sector: null, country: null });
		// the plain form: back to the page, thanked
		const f = await visitor(id);
		await f.get(`/conversations/${id}`);
		r = await f.post(`/conversations/${id}/declare`, { sector: 'academia', consent: '1' });
		assert.equal(r.status, 303);
		assert.match(r.headers.location, /done=declared$/);
		assert.match((await f.get(r.headers.location)).body, /your answer is saved/);
		// two camps by what they declared: the report's declared groups
		for (let p = 0; p < 8; p++) {
			const c = await visitor(id);
			const x = await c.api('POST', `/api/v1/conversations/${id}/declare`, { sector: p < 4 ? 'government' : 'business', consent: true });
			assert.equal(x.status, 200, x.body);
			for (let k = 0; k < 4; k++) {
				const y = await c.api('POST', `/api/v1/conversations/${id}/votes`, { statement: ids[k], vote: (p < 4) === (k < 2) ? 1 : -1 });
				assert.equal(y.status, 201, y.body);
			}
		}
		r = await analysed(() => call('org', 'GET', `/conversations/${id}/report`));
		const groups = Object.fromEntries(r.json.declared.sector.groups.map((g) => [g.name, g['n-members']]));
		assert.equal(groups.government, 4);
		assert.equal(groups.business, 4);
		// a conversation that asks nothing refuses the answer
		const plain = await conversation({}, ['One', 'Two']);
		const w = await visitor(plain.id);
		r = await w.api('POST', `/api/v1/conversations/${plain.id}/declare`, { sector: 'ngo', consent: true });
		assert.equal(r.status, 409);
	});
});
