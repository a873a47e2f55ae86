// auth-events.test.mjs — authentication events in the audit log: a
// sign-in, a failed one (for a known and an unknown address), throttling
// (once a minute, not once an attempt), a sign-out, and a personal API
// token used from a new address; none of them holds a password or token.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, Client, PASSWORD, signedIn } from './lib/accounts.mjs';
import { request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';
import { jsonRows, q, sqlite } from './lib/sqlite.mjs';

let srv;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: 'ev@example.org', name: 'Events' });
	addAccount(db, { email: 'tok@example.org', name: 'Tokens' });
	srv = await startServer({ db });
});
after(async () => {
	await srv?.stop();
});

// [{action, actor, entity_id, after}] of the authentication events, oldest first.
const events = (where = '1 = 1') => jsonRows(srv.db, `SELECT action, actor, entity_id, after_json FROM audit_log WHERE entity = 'auth' AND ${where} ORDER BY id`)
	.map((e) => ({ action: e.action, actor: e.actor, id: e.entity_id, after: JSON.parse(e.after_json) }));
const idOf = (email) => Number(sqlite(srv.db, `SELECT id FROM account WHERE email = ${q(email)};`).trim());

async function tryPassword(email, password) {
	const c = new Client(srv.url);
	await c.get('/sign-in');
	return c.post('/sign-in', { email, password }, { json: true });
}

describe('authentication events', () => {
	test('a sign-in, a failed one, and a sign-out', async () => {
		const id = idOf('ev@example.org');
		assert.equal((await tryPassword('ev@example.org', 'not the password at all')).status, 401);
		assert.equal((await tryPassword('nobody@example.org', 'whatever it is')).status, 401);
		const c = await signedIn(srv.url, 'ev@example.org');
		await c.get('/account');
		assert.equal((await c.post('/sign-out')).status, 303);
		const got = events(`(entity_id = ${id} OR entity_id IS NULL)`);
		assert.deepEqual(got.map((e) => [e.action, e.actor, e.id]), [
			['auth.sign_in_failed', 'visitor', id],
			['auth.sign_in_failed', 'visitor', null],
			['auth.sign_in', 'ev@example.org', id],
			['auth.sign_out', 'ev@example.org', id],
		]);
		assert.equal(got[0].after.email, 'ev@example.org');
		assert.equal(got[0].after.address, '127.0.0.1');
		assert.equal(got[0].after.reason, 'password');
		assert.equal(got[1].after.reason, 'no such account');
		const all = sqlite(srv.db, "SELECT after_json FROM audit_log WHERE entity = 'auth';");
		assert.ok(!all.includes('not the password') && !all.includes(PASSWORD) && !all.includes('whatever it is'), 'no password in the log');
	});

	test('throttling is recorded once a minute, not once an attempt', async () => {
		addAccount(srv.db, { email: 'thr@example.org', name: 'Throttled' });
		const id = idOf('thr@example.org');
		let throttled = 0;
		for (let i = 0; i < 12; i++) {
			const r = await tryPassword('thr@example.org', `wrong password number ${i}`);
			if (r.status === 429) throttled++;
		}
		assert.ok(throttled >= 2, `${throttled} answers were throttled`);
		const got = events(`entity_id = ${id} AND action = 'auth.throttled'`);
		assert.equal(got.length, 1);
		assert.equal(got[0].after.email, 'thr@example.org');
	});

	test('a token used from a new address', async () => {
		const token = await apiToken(await signedIn(srv.url, 'tok@example.org'), 'write');
		const id = idOf('tok@example.org');
		const use = (localAddress) => request(srv.url + '/api/v1/account', { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, localAddress });
		assert.equal((await use('127.0.0.1')).status, 200);
		assert.equal((await use('127.0.0.1')).status, 200);
		assert.equal(events(`entity_id = ${id} AND action = 'auth.token_new_address'`).length, 0, 'the same address says nothing');
		assert.equal((await use('127.0.0.2')).status, 200);
		const got = events(`entity_id = ${id} AND action = 'auth.token_new_address'`);
		assert.equal(got.length, 1);
		assert.deepEqual([got[0].after.address, got[0].after.previous], ['127.0.0.2', '127.0.0.1']);
		assert.ok(!JSON.stringify(got).includes(token), 'not the token');
	});
});
