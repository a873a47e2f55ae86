// store-limits.test.mjs — the store refusing a write for a real reason:
// another process holding the write lock past the busy timeout, a full
// file system, a read-only one.
// Each refused write answers 503 with a message, Retry-After and a log
// line, loses nothing already stored, leaves no half-written change, and
// the server carries on: reads keep working and the same write succeeds
// once the cause is gone. A database that is read-only from the start is
// refused at start-up instead. The database lives on a small tmpfs mounted for the test
// (the tests run as root, as CI does).
//
// On PostgreSQL (lib/backend.mjs) the lock is the advisory lock harmony's
// writers take, held by psql; a full or read-only file system is the
// database server's business (SQLite only here). Instead, the database
// goes away while the server runs (connections refused, harmony's cut):
// every page answers 503 with the site's error page, the API 503 in JSON,
// a write changes nothing, the server stays up, and once the database is
// back everything works again without a restart. A database that cannot
// be reached at start is cli.test.mjs's.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { get } from './lib/http.mjs';
import { makeDemo, runCli, sha256File, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot, sqlite } from './lib/sqlite.mjs';
import { onPg, pgOnly, PSQL, sqliteOnly } from './lib/backend.mjs';

const EVENT = '/events/asia-south-pacific-shanghai-2012';
const ADMIN = { email: 'admin@example.org', name: 'Admin', role: 'admin' };

let root, fs, srv, token;
let mounted = false;

function mountTmpfs(dir, size) {
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
		return true;
	} catch (e) {
		return String(e.stderr || e.message).trim();
	}
}

before(async () => {
	root = tempDir();
	fs = path.join(root, 'fs');
	mkdirSync(fs);
	if (!onPg) {
		const r = mountTmpfs(fs, '64m');
		if (r !== true) {
			// Without a file system of its own the test cannot fill one; under
			// CI that is a failure, elsewhere it says why it did not run.
			if (process.env.CI === 'true') assert.fail(`mount -t tmpfs: ${r}`);
			return;
		}
		mounted = true;
	}
	const db = makeDemo(path.join(fs, 'h.db'));
	addAccount(db, ADMIN);
	srv = await startServer({ db });
	token = await apiToken(await signedIn(srv.url, ADMIN.email), 'write', 'store-limits');
});

after(async () => {
	await srv?.stop();
	if (mounted) {
		try {
			execFileSync('mount', ['-o', 'remount,rw', fs], { stdio: 'pipe' });
		} catch { /* already writable */ }
		execFileSync('umount', [fs], { stdio: 'pipe' });
	}
	if (root) rmSync(root, { recursive: true, force: true });
});

let n = 0;
const category = () => ({ name: `Store limits ${++n}` });

// A write refused by the store: 503 with a message and Retry-After, a line
// in the log, and the database as it was.
// (snapshot: false when the database cannot be read to take one.)
async function assertRefused(what, body = category(), route = '/api/v1/categories', { snapshot = true } = {}) {
	const beforeDump = snapshot ? dbSnapshot(srv.db) : null;
	const logFrom = srv.stderr().length;
	const r = await bearer(srv.url, token, 'POST', route, body);
	assert.equal(r.status, 503, `${what}: ${r.status} ${r.body?.slice?.(0, 300) ?? ''}`);
	assert.match(r.headers['retry-after'] ?? '', /^\d+$/, `${what}: Retry-After`);
	assert.match(r.json?.error?.message ?? '', /try again/, `${what}: a message`);
	assert.equal(r.json.error.status, 503);
	// The line is written before the answer, but the pipe may bring it after.
	for (let i = 0; i < 40 && srv.stderr().length <= logFrom; i++) await new Promise((res) => setTimeout(res, 50));
	assert.ok(srv.stderr().length > logFrom, `${what}: a line in the log`);
	return beforeDump;
}

async function assertWrites(what, body = category(), route = '/api/v1/categories') {
	const r = await bearer(srv.url, token, 'POST', route, body);
	assert.equal(r.status, 201, `${what}: ${r.status} ${r.body?.slice?.(0, 300) ?? ''}`);
}

async function assertReads(what) {
	assert.equal((await get(srv.url + EVENT)).status, 200, `${what}: the event page`);
	assert.equal((await get(srv.url + '/api/v1/categories')).status, 200, `${what}: a list`);
}

describe('the store refusing writes', () => {
	test('writes succeed while nothing is wrong', async (t) => {
		if (!mounted && !onPg) return t.skip('mount -t tmpfs failed: not root?');
		await assertWrites('a first category');
		await assertReads('before');
	});

	test('another process holding the write lock: 503 after the wait, then the write goes through', async (t) => {
		if (!mounted && !onPg) return t.skip('mount -t tmpfs failed: not root?');
		// SQLite's write lock, or the advisory lock every harmony writer
		// takes on PostgreSQL (src/db/pg.c: "HMNY").
		const holder = onPg
			? spawn(PSQL, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', srv.db], { stdio: ['pipe', 'pipe', 'pipe'] })
			: spawn('sqlite3', [srv.db], { stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '';
		holder.stdout.setEncoding('utf8').on('data', (s) => (out += s));
		holder.stdin.write(onPg ? "BEGIN;\nSELECT pg_advisory_xact_lock(1213025881);\nSELECT 'locked';\n" : "BEGIN IMMEDIATE;\nSELECT 'locked';\n");
		await new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('the other process did not take the lock')), 10_000);
			const poll = setInterval(() => {
				if (out.includes('locked')) {
					clearInterval(poll);
					clearTimeout(timer);
					resolve();
				}
			}, 20);
		});
		try {
			const beforeDump = await assertRefused('a write while another process holds the lock');
			await assertReads('while locked');
			assertDbUnchanged(srv.db, beforeDump, 'the refused write');
		} finally {
			holder.stdin.end(onPg ? 'ROLLBACK;\n\\q\n' : 'ROLLBACK;\n.quit\n');
			await new Promise((resolve) => holder.on('exit', resolve));
		}
		await assertWrites('the same write once the lock is gone');
	});

	test('a full file system: 503, nothing half-written, then the write goes through', { skip: sqliteOnly('the file system under the database file') }, async (t) => {
		if (!mounted) return t.skip('mount -t tmpfs failed: not root?');
		const filler = path.join(fs, 'filler');
		const fd = openSync(filler, 'w');
		const chunk = Buffer.alloc(1 << 16, 0x61);
		try {
			for (;;) writeSync(fd, chunk);
		} catch (e) {
			assert.equal(e.code, 'ENOSPC', 'the file system filled up');
		}
		// The last bytes a smaller write can still take.
		try {
			for (;;) writeSync(fd, chunk, 0, 512);
		} catch (e) {
			assert.equal(e.code, 'ENOSPC');
		}
		closeSync(fd);
		// A post much larger than any free page the database file may hold.
		const post = { title: 'Too big for the disk', body_md: 'word '.repeat(19_000) };
		try {
			const beforeDump = await assertRefused('a write on a full disk', post, '/api/v1/posts');
			await assertReads('while full');
			assertDbUnchanged(srv.db, beforeDump, 'the refused write');
		} finally {
			unlinkSync(filler);
		}
		await assertWrites('the same write once there is room', post, '/api/v1/posts');
	});

	test('a database on a read-only file system: serve refuses to start, saying why, and changes nothing', { skip: sqliteOnly('the file system under the database file') }, async (t) => {
		if (!mounted) return t.skip('mount -t tmpfs failed: not root?');
		// A file system of its own: the server's open files keep the other
		// one from being made read-only.
		const ro = path.join(root, 'ro');
		mkdirSync(ro);
		assert.equal(mountTmpfs(ro, '32m'), true);
		try {
			const db = makeDemo(path.join(ro, 'h.db'));
			execFileSync('mount', ['-o', 'remount,ro', ro], { stdio: 'pipe' });
			const hash = sha256File(db);
			const r = runCli(['serve', '--db', db, '--listen', '127.0.0.1:0'], { timeout: 20_000 });
			assert.equal(r.signal, null, 'it stops by itself');
			assert.notEqual(r.status, 0);
			assert.match(r.stderr, /h\.db/, 'it names the file');
			assert.match(r.stderr, /read-?only/i, 'it says why');
			assert.equal(sha256File(db), hash, 'the file is as it was');
		} finally {
			execFileSync('umount', [ro], { stdio: 'pipe' });
		}
	});

	test('the database going away while serving: 503 with the site\'s error page, then it recovers', { skip: pgOnly('a database server that stops answering') }, async () => {
		const name = new URL(srv.db).pathname.slice(1);
		const admin = process.env.HM_TEST_PG;
		const page = '/events/asia-south-pacific-shanghai-2012';
		// Every page and answer asked for, before, during and after.
		const paths = ['/', '/events', page, '/news', '/events/no-such-event', '/api/v1/events', '/api/v1/categories'];
		const seen = new Map();
		for (const p of paths) {
			const r = await get(srv.url + p);
			assert.ok([200, 404].includes(r.status), `${p} before`);
			seen.set(p, r.body);
		}
		const kept = dbSnapshot(srv.db);
		// Gone: no new connection is accepted, harmony's are cut.
		sqlite(admin, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false;
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${name}';`);
		try {
			for (let round = 0; round < 2; round++) {
				for (const p of paths) {
					const r = await get(srv.url + p);
					// A page the cache still holds for this minute may be
					// served as it was; anything else is 503.
					if (r.status === 200 && r.body === seen.get(p)) continue;
					assert.equal(r.status, 503, `${p} while the database is gone (round ${round}): ${r.status} ${r.body.slice(0, 200)}`);
					assert.match(r.headers['retry-after'] ?? '', /^\d+$/, `${p}: Retry-After`);
					assert.match(r.headers['cache-control'] ?? '', /no-store|no-cache/, `${p}: not cached`);
					if (p.startsWith('/api/')) {
						assert.match(r.headers['content-type'], /application\/json/, `${p}: JSON`);
						assert.equal(JSON.parse(r.body).error.status, 503);
					} else {
						assert.match(r.headers['content-type'], /text\/html/, `${p}: the site's page`);
						assert.match(r.body, /<header class="site-header"/, `${p}: in the site's layout`);
						assert.match(r.body, /Error 503/, `${p}: says what it is`);
						assert.doesNotMatch(r.body, /There is no such|Page not found/, `${p}: not "not found"`);
					}
				}
				await assertRefused(`a write while the database is gone (round ${round})`, category(), '/api/v1/categories', { snapshot: false });
			}
			// What a load balancer asks: not ready, on every worker thread.
			for (let i = 0; i < 4; i++) {
				const h = await get(srv.url + '/healthz');
				assert.equal(h.status, 503, `/healthz while the database is gone: ${h.body}`);
				assert.equal(JSON.parse(h.body).status, 'not ready');
			}
			assert.equal(srv.proc.exitCode, null, 'the server is still running');
			assert.match(srv.stderr(), /cannot connect|server closed the connection|no connection/, 'the log says why');
		} finally {
			sqlite(admin, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true;`);
		}
		// Back: every page answers again without a restart (each worker
		// thread connects anew at its next request), and nothing was lost
		// or half-written.
		const end = Date.now() + 15_000;
		for (const p of paths) {
			let r;
			while ((r = await get(srv.url + p)).status === 503 && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
			assert.ok([200, 404].includes(r.status), `${p} once the database is back: ${r.status}`);
		}
		for (let i = 0; i < 3; i++) await assertReads(`once the database is back (${i})`);
		assert.equal(JSON.parse((await get(srv.url + '/healthz')).body).status, 'ready');
		assertDbUnchanged(srv.db, kept, 'the outage');
		await assertWrites('a write once the database is back');
	});
});
