// healthz.test.mjs — GET /healthz, what a load balancer asks: 200 and
// "ready" while the database answers at the schema this harmony knows,
// 503 and "not ready" (with Retry-After) once it does not, and ready again
// when it is back; never cached, never a page, the same for everyone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { get, getJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';
import { sqlite } from './lib/sqlite.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

test('ready while the database answers', async () => {
	const r = await getJson(srv.url + '/healthz');
	assert.equal(r.status, 200);
	assert.equal(r.json.status, 'ready');
	assert.equal(r.json.database, 'ok');
	assert.ok(r.json.schema > 0);
	assert.equal(r.json.schema, r.json.schema_expected);
	assert.match(r.headers['cache-control'] ?? '', /no-store/);
	// JSON whatever the client asks for: a probe is not a browser.
	const html = await get(srv.url + '/healthz', { headers: { Accept: 'text/html' } });
	assert.equal(html.status, 200);
	assert.match(html.headers['content-type'], /^application\/json/);
	assert.deepEqual(JSON.parse(html.body), r.json);
});

test('not ready while the database cannot answer, and ready again after', async () => {
	sqlite(srv.db, 'ALTER TABLE schema_migrations RENAME TO schema_migrations_gone;');
	try {
		const r = await getJson(srv.url + '/healthz');
		assert.equal(r.status, 503);
		assert.equal(r.json.status, 'not ready');
		assert.notEqual(r.json.database, 'ok');
		assert.equal(r.headers['retry-after'], '5');
		assert.match(r.headers['cache-control'] ?? '', /no-store/);
	} finally {
		sqlite(srv.db, 'ALTER TABLE schema_migrations_gone RENAME TO schema_migrations;');
	}
	const again = await getJson(srv.url + '/healthz');
	assert.equal(again.status, 200);
	assert.equal(again.json.status, 'ready');
});
