// store-failures.test.mjs — when the database fails under a page, the
// answer says so (500, logged) and is never dressed up as "not found" or
// as an empty list. The failure is real: another process renames a table
// under the running server, so the server's statements stop preparing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './lib/backend.mjs';
import { get, getJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';

const EVENT = '/events/asia-south-pacific-shanghai-2012';
// A change made by another process is seen by the next request on
// SQLite, within a second on PostgreSQL (lib/backend.mjs): the answer
// once it has the status wanted, else the last one.
async function answer(fetch, status) {
	let r;
	await eventually(async () => (r = await fetch()).status === status);
	return r;
}
const getAs = (p, status) => answer(() => get(srv.url + p), status);
const getJsonAs = (p, status) => answer(() => getJson(srv.url + p), status);

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

describe('a failing store answers 500', () => {
	test('the pages answer as usual while the store works', async () => {
		assert.equal((await get(srv.url + EVENT)).status, 200);
		const r = await getJson(srv.url + '/api/v1/events');
		assert.equal(r.status, 200);
		assert.ok(r.json.events.length > 0, 'the demo has events');
		assert.equal((await get(srv.url + '/events/no-such-event')).status, 404);
	});

	test('an event page whose table is gone is 500, not 404', async () => {
		// The event is found; its sectors cannot be read.
		sqlite(srv.db, 'ALTER TABLE event_sector RENAME TO event_sector_gone;');
		try {
			const r = await getAs(EVENT, 500);
			assert.equal(r.status, 500);
			assert.doesNotMatch(r.body, /There is no such event/, 'it does not say "not found"');
			assert.match(r.headers['cache-control'] ?? '', /no-store|no-cache/, 'not cached');
			const j = await getJsonAs('/api/v1/events/asia-south-pacific-shanghai-2012', 500);
			assert.equal(j.status, 500);
			assert.equal(j.json.error.status, 500);
		} finally {
			sqlite(srv.db, 'ALTER TABLE event_sector_gone RENAME TO event_sector;');
		}
		// The same addresses work again once the table is back.
		assert.equal((await getAs(EVENT, 200)).status, 200);
	});

	test('pages made of lists are 500 when a list cannot be read', async () => {
		sqlite(srv.db, 'ALTER TABLE event RENAME TO event_gone;');
		try {
			for (const p of ['/', '/events', EVENT]) {
				const r = await getAs(p, 500);
				assert.equal(r.status, 500, `${p}: ${r.status}`);
			}
		} finally {
			sqlite(srv.db, 'ALTER TABLE event_gone RENAME TO event;');
		}
		assert.equal((await getAs('/events', 200)).status, 200);
	});

	test('a list whose table is gone is 500, not an empty list', async () => {
		sqlite(srv.db, 'ALTER TABLE series RENAME TO series_gone;');
		try {
			const r = await getJsonAs('/api/v1/series', 500);
			assert.equal(r.status, 500, JSON.stringify(r.json));
			assert.equal(r.json.series, undefined, 'no list at all');
		} finally {
			sqlite(srv.db, 'ALTER TABLE series_gone RENAME TO series;');
		}
		const r = await getJsonAs('/api/v1/series', 200);
		assert.equal(r.status, 200);
		assert.ok(r.json.series.length > 0);
	});

	test('an address that does not exist is still 404 after a failure', async () => {
		sqlite(srv.db, 'ALTER TABLE event_sector RENAME TO event_sector_gone;');
		try {
			assert.equal((await getAs(EVENT, 500)).status, 500);
		} finally {
			sqlite(srv.db, 'ALTER TABLE event_sector_gone RENAME TO event_sector;');
		}
		// A failure belongs to its request: the next one starts clean.
		assert.equal((await get(srv.url + '/no/such/page')).status, 404);
		assert.equal((await get(srv.url + '/events/no-such-event')).status, 404);
		assert.equal((await getAs(EVENT, 200)).status, 200);
	});
});
