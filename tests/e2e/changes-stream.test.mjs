// changes-stream.test.mjs — GET /api/v1/changes, the Server-Sent Events
// stream of the site's data changes: who may open it, what it sends when
// the data changes (through the API, or by another process on the same
// database), and that it is never cached — over a real socket.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { outboxSettled, sqlite } from './lib/sqlite.mjs';
import path from 'node:path';

let srv;
const tok = {};
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
	addAccount(db, { email: 'participant@example.org', name: 'Participant' });
	srv = await startServer({ db });
	tok.admin = await apiToken(await signedIn(srv.url, 'admin@example.org'), 'read');
	tok.participant = await apiToken(await signedIn(srv.url, 'participant@example.org'), 'write');
	// Each new token e-mails its owner: the outbox is sent in the
	// background, and that is a change too. Let it settle before a test
	// counts on a quiet stream.
	outboxSettled(srv.db);
});
after(async () => {
	await srv?.stop();
});

// Opens the stream; resolves to {res, next(re), seen(), close()} where next waits
// (up to 10 s) until the text received matches re and returns the match.
function open(token) {
	return new Promise((resolve, reject) => {
		const req = http.get(srv.url + '/api/v1/changes', {
			headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
			agent: false,
		});
		req.on('error', reject);
		req.on('response', (res) => {
			let text = '';
			const waiters = [];
			res.setEncoding('utf8');
			res.on('data', (s) => {
				text += s;
				for (const w of [...waiters]) w();
			});
			res.on('error', () => {});
			const next = (re) =>
				new Promise((ok, fail) => {
					const timer = setTimeout(() => fail(new Error(`no ${re} in ${JSON.stringify(text)}`)), 10_000);
					const look = () => {
						const m = text.match(re);
						if (!m) return;
						text = text.slice(m.index + m[0].length);
						clearTimeout(timer);
						waiters.splice(waiters.indexOf(look), 1);
						ok(m);
					};
					waiters.push(look);
					look();
				});
			resolve({ res, next, seen: () => text, close: () => req.destroy() });
		});
	});
}

describe('the stream of changes', () => {
	test('a visitor gets 401 and another account 403, as JSON', async () => {
		let r = await request(srv.url + '/api/v1/changes', { headers: { Accept: 'text/event-stream' } });
		assert.equal(r.status, 401);
		assert.equal(JSON.parse(r.body).error.status, 401);
		r = await request(srv.url + '/api/v1/changes', { headers: { Authorization: `Bearer ${tok.participant}` } });
		assert.equal(r.status, 403);
		assert.match(r.headers['content-type'], /application\/json/);
	});

	test('staff get an event each time the data changes, from any process', async () => {
		const s = await open(tok.admin);
		try {
			assert.equal(s.res.statusCode, 200);
			assert.match(s.res.headers['content-type'], /^text\/event-stream/);
			assert.equal(s.res.headers['cache-control'], 'no-store');
			// Nothing has changed yet: no event for the first seconds.
			await new Promise((ok) => setTimeout(ok, 2500));
			assert.doesNotMatch(s.seen(), /event:/, 'no event before a change');
			// A write by another process on the same database.
			sqlite(srv.db, "UPDATE site_setting SET value = 'Changed' WHERE key = 'site_tagline';");
			const a = Number((await s.next(/event: change\ndata: \{"version":(\d+)\}\n\n/))[1]);
			assert.ok(a > 0);
			sqlite(srv.db, "UPDATE site_setting SET value = 'Changed again' WHERE key = 'site_tagline';");
			const b = Number((await s.next(/event: change\ndata: \{"version":(\d+)\}\n\n/))[1]);
			assert.ok(b > a, `the version grows: ${a} then ${b}`);
		} finally {
			s.close();
		}
	});
});
