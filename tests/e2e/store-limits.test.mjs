// store-limits.test.mjs — the store refusing a write for a real reason:
// another process holding the write lock past the busy timeout, a full
// file system, a read-only one.
// Each refused write answers 503 with a message, Retry-After and a log
// line, loses nothing already stored, leaves no half-written change, and
// the server carries on: reads keep working and the same write succeeds
// once the cause is gone. A database that is read-only from the start is
// refused at start-up instead. The database lives on a small tmpfs mounted for the test
// (the tests run as root, as CI does).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { get } from './lib/http.mjs';
import { makeDemo, runCli, sha256File, startServer, tempDir } from './lib/server.mjs';
import { assertDbUnchanged, dbSnapshot } from './lib/sqlite.mjs';

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
	const r = mountTmpfs(fs, '64m');
	if (r !== true) {
		// Without a file system of its own the test cannot fill one; under
		// CI that is a failure, elsewhere it says why it did not run.
		if (process.env.CI === 'true') assert.fail(`mount -t tmpfs: ${r}`);
		return;
	}
	mounted = true;
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
async function assertRefused(what, body = category(), route = '/api/v1/categories') {
	const beforeDump = dbSnapshot(srv.db);
	const logFrom = srv.stderr().length;
	const r = await bearer(srv.url, token, 'POST', route, body);
	assert.equal(r.status, 503, `${what}: ${r.status} ${r.body?.slice?.(0, 300) ?? ''}`);
	assert.match(r.headers['retry-after'] ?? '', /^\d+$/, `${what}: Retry-After`);
	assert.match(r.json?.error?.message ?? '', /try again/, `${what}: a message`);
	assert.equal(r.json.error.status, 503);
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
		if (!mounted) return t.skip('mount -t tmpfs failed: not root?');
		await assertWrites('a first category');
		await assertReads('before');
	});

	test('another process holding the write lock: 503 after the wait, then the write goes through', async (t) => {
		if (!mounted) return t.skip('mount -t tmpfs failed: not root?');
		const holder = spawn('sqlite3', [srv.db], { stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '';
		holder.stdout.setEncoding('utf8').on('data', (s) => (out += s));
		holder.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
		await new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('sqlite3 did not take the lock')), 10_000);
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
			holder.stdin.end('ROLLBACK;\n.quit\n');
			await new Promise((resolve) => holder.on('exit', resolve));
		}
		await assertWrites('the same write once the lock is gone');
	});

	test('a full file system: 503, nothing half-written, then the write goes through', async (t) => {
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

	test('a database on a read-only file system: serve refuses to start, saying why, and changes nothing', async (t) => {
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
});
