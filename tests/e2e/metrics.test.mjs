// metrics.test.mjs — GET /metrics in Prometheus's text format: every
// answer counted by class of path and status class, a latency histogram
// whose buckets add up, page cache hits and misses, the database's time
// and the mail queue; open to this machine and to administrators' tokens,
// refused to anyone else (seen through a trusted proxy from outside).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { get } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { outboxSettled, sqlite } from './lib/sqlite.mjs';

let srv, token;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	addAccount(db, { email: 'org@example.org', name: 'Org', role: 'organiser', event: 'asia-south-pacific-shanghai-2012' });
	srv = await startServer({ db, args: ['--trust-proxy'] });
	token = await apiToken(await signedIn(srv.url, 'admin@example.org'));
});
after(async () => {
	await srv?.stop();
});

// {name{labels}: value} of a metrics text.
function parse(text) {
	const out = new Map();
	for (const line of text.split('\n')) {
		if (!line || line.startsWith('#')) continue;
		const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
		assert.ok(m, `a sample line: ${line}`);
		out.set(m[1], Number(m[2]));
	}
	return out;
}

async function metrics(headers = {}) {
	const r = await get(srv.url + '/metrics', { headers });
	assert.equal(r.status, 200, r.body.slice(0, 300));
	assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
	assert.match(r.headers['cache-control'] ?? '', /no-store/);
	return parse(r.body);
}

test('answers and their times are counted by class and status', async () => {
	// The sign-in notices are delivered in the background: a write that
	// would empty the page cache between the two home pages.
	outboxSettled(srv.db);
	// Each worker thread's first look at the database counts as a change
	// (another process may have written before it opened): warm them all.
	for (let i = 0; i < 20; i++) await get(srv.url + '/');
	const m0 = await metrics();
	const key = (cls, code) => `harmony_http_responses_total{class="${cls}",code="${code}"}`;
	assert.equal((await get(srv.url + '/')).status, 200);
	assert.equal((await get(srv.url + '/')).status, 200); // from the page cache
	assert.equal((await get(srv.url + '/news.atom')).status, 200);
	assert.equal((await get(srv.url + '/no-such-page')).status, 404);
	assert.equal((await get(srv.url + '/api/v1/events')).status, 200);
	const m1 = await metrics();
	assert.equal(m1.get(key('page', '2xx')) - m0.get(key('page', '2xx')), 2 + 1, 'two home pages and the first /metrics');
	assert.equal(m1.get(key('page', '4xx')) - m0.get(key('page', '4xx')), 1);
	assert.equal(m1.get(key('feed', '2xx')) - m0.get(key('feed', '2xx')), 1);
	assert.equal(m1.get(key('api', '2xx')) - m0.get(key('api', '2xx')), 1);
	assert.ok(m1.get('harmony_page_cache_hits_total') - m0.get('harmony_page_cache_hits_total') >= 1);
	assert.ok(m1.get('harmony_db_steps_total') > m0.get('harmony_db_steps_total'), 'the database was read');
	assert.ok(m1.get('harmony_db_seconds_total') > 0);
	assert.equal(m1.get('harmony_mail_queue'), 0);
	// Changes seen: reads change nothing, a commit by another process counts.
	assert.equal(m1.get('harmony_db_changes_seen_total'), m0.get('harmony_db_changes_seen_total'), 'reads are not changes');
	sqlite(srv.db, 'UPDATE event SET title = title;');
	const m2 = await metrics();
	assert.ok(m2.get('harmony_db_changes_seen_total') > m1.get('harmony_db_changes_seen_total'), 'another process’s commit is seen');
	// The histogram: cumulative buckets, +Inf equal to the count, and
	// the count equal to the answers of that class.
	for (const cls of ['page', 'api', 'feed']) {
		let prev = 0;
		for (const [k, v] of m1) {
			if (!k.startsWith(`harmony_http_request_duration_seconds_bucket{class="${cls}"`)) continue;
			assert.ok(v >= prev, `${k} is cumulative`);
			prev = v;
		}
		const count = m1.get(`harmony_http_request_duration_seconds_count{class="${cls}"}`);
		assert.equal(m1.get(`harmony_http_request_duration_seconds_bucket{class="${cls}",le="+Inf"}`), count);
		const answers = ['1xx', '2xx', '3xx', '4xx', '5xx'].reduce((s, c) => s + m1.get(key(cls, c)), 0);
		assert.equal(count, answers, `${cls}: one time per answer`);
		assert.ok(count > 0);
	}
});

test('from elsewhere only an administrator reads them', async () => {
	const outside = { 'X-Forwarded-For': '203.0.113.9' };
	const refused = await get(srv.url + '/metrics', { headers: outside });
	assert.equal(refused.status, 403);
	assert.doesNotMatch(refused.body, /harmony_http_responses_total/);
	const org = await apiToken(await signedIn(srv.url, 'org@example.org'));
	const orgTry = await get(srv.url + '/metrics', { headers: { ...outside, Authorization: `Bearer ${org}` } });
	assert.equal(orgTry.status, 403, 'an organiser is not an administrator');
	const admin = await metrics({ ...outside, Authorization: `Bearer ${token}` });
	assert.ok(admin.has('harmony_page_cache_hits_total'));
	const wrong = await get(srv.url + '/metrics', { headers: { ...outside, Authorization: 'Bearer hm_wrong' } });
	assert.equal(wrong.status, 401);
});
