// backend.mjs — which store the end-to-end tests run harmony on.
//
// HM_TEST_BACKEND=sqlite (the default) or postgresql. On PostgreSQL the
// cluster is the one scripts/with-pg started ($HM_TEST_PG, reached through
// its unix socket): every database a test asks for (makeDemo, startServer)
// is a fresh, empty database on it, named after this process, and the
// `file` the tests pass around is its URI. The folder the test named the
// file in stays the database's home: harmony is run there, so its default
// ./media and ./outbox land where SQLite puts them (beside the file), and
// dbHome(db) gives it back. The databases are dropped when the process
// exits.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const BACKEND = (process.env.HM_TEST_BACKEND || 'sqlite').toLowerCase();
if (BACKEND !== 'sqlite' && BACKEND !== 'postgresql')
	throw new Error(`HM_TEST_BACKEND=${BACKEND}: sqlite or postgresql`);
export const onPg = BACKEND === 'postgresql';
if (onPg && !process.env.HM_TEST_PG)
	throw new Error('HM_TEST_BACKEND=postgresql needs HM_TEST_PG: run the tests under scripts/with-pg');

// A reason to skip a test that is about SQLite files by nature, or false:
// test('x', { skip: sqliteOnly('a busy SQLite file') }, …).
export const sqliteOnly = (why) => (onPg ? `SQLite only: ${why}` : false);
export const pgOnly = (why) => (onPg ? false : `PostgreSQL only: ${why}`);

// What another process wrote is seen by a running server at once on
// SQLite (data_version, read at each request), and on PostgreSQL once the
// server's listener thread has had the NOTIFY: within a second, promptly
// on an idle machine but not necessarily by the next request on a busy
// one. eventually(fn) runs fn until it resolves true: once on SQLite, for
// up to 2 s on PostgreSQL; it gives fn's last result.
export async function eventually(fn) {
	const end = Date.now() + (onPg ? 2000 : 0);
	for (;;) {
		const r = await fn();
		if (r || Date.now() >= end) return r;
		await new Promise((res) => setTimeout(res, 25));
	}
}

export const isUri = (db) => /^postgres(ql)?:\/\//.test(String(db));

// The servers running on each database (startServer adds them, stop()
// takes them out): a change made here by psql waits until each has seen
// it (lib/sqlite.mjs), as SQLite's data_version shows one at once.
export const serversOn = new Map(); // URI → Set of base URLs

// The URI of database name on the test cluster.
export function pgUri(name) {
	return process.env.HM_TEST_PG.replace(/^(postgres(?:ql)?:\/\/[^/?]*\/)[^?]*/, `$1${name}`);
}
// The cluster's maintenance database (the one with-pg made).
export const PG_ADMIN = onPg ? process.env.HM_TEST_PG : null;

// The psql of the cluster's binaries (scripts/with-pg exports their
// folder), else Debian's newest: /usr/bin/psql is a Perl wrapper that
// costs some 30 ms a run, and the tests run psql thousands of times.
function findPsql() {
	const dirs = [process.env.HM_TEST_PGBIN];
	try {
		dirs.push(...readdirSync('/usr/lib/postgresql').sort((x, y) => Number(y) - Number(x)).map((v) => `/usr/lib/postgresql/${v}/bin`));
	} catch { /* none there */ }
	for (const d of dirs) if (d && existsSync(`${d}/psql`)) return `${d}/psql`;
	return 'psql';
}
export const PSQL = onPg ? findPsql() : 'psql';

// Runs script with psql on uri: rows as `a|b` lines, no headers or
// command tags; stops and throws at the first error.
export function psql(uri, script) {
	return execFileSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-d', uri], {
		input: script,
		encoding: 'utf8',
		stdio: ['pipe', 'pipe', 'pipe'],
	});
}

const homes = new Map(); // URI → the folder the test named the file in
const made = [];
let serial = 0;

// A fresh, empty database for the file a test named (its folder is made
// if need be and becomes the database's home); returns its URI.
export function freshDatabase(file) {
	const name = `hm_${process.pid}_${++serial}_${path.basename(file).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 63);
	psql(PG_ADMIN, `CREATE DATABASE ${name};`);
	made.push(name);
	const uri = pgUri(name);
	const home = path.dirname(file);
	mkdirSync(home, { recursive: true });
	homes.set(uri, home);
	return uri;
}

// Where a test would make a new, empty database file: on PostgreSQL a fresh
// empty database instead (for init, or a server on an empty site).
export function newDatabase(file) {
	return onPg ? freshDatabase(file) : file;
}

// The folder of a database: beside a SQLite file, the home of a URI
// (undefined for one this process did not make).
export function dbHome(db) {
	return isUri(db) ? homes.get(db) : path.dirname(db);
}

process.on('exit', () => {
	if (!made.length) return;
	// WITH (FORCE): a server still running is cut off (server.mjs kills them).
	spawnSync(PSQL, ['-X', '-q', '-d', PG_ADMIN], {
		input: made.map((n) => `DROP DATABASE IF EXISTS ${n} WITH (FORCE);\n`).join(''),
		stdio: ['pipe', 'ignore', 'ignore'],
	});
});
