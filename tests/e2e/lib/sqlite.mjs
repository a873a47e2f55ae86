// sqlite.mjs — runs SQL on a database file with Debian's sqlite3 command,
// for tests that need data the web interface cannot enter yet.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// Runs script on file; returns what sqlite3 prints. Throws on any error
// (-bail), so a typo in a test's SQL fails the test.
export function sqlite(file, script) {
	return execFileSync('sqlite3', ['-bail', '-batch', file], { input: script, encoding: 'utf8' });
}

// Quotes a string as an SQL literal.
export const q = (s) => (s === null ? 'NULL' : `'${String(s).replaceAll("'", "''")}'`);

// The database as text, without what reading touches: sessions and API
// tokens note when and where they were last used; failed sign-ins are
// counted; and without the background jobs' schedule. For tests that show
// a refused request changed nothing.
const VOLATILE = /^INSERT INTO "?(session|auth_throttle|api_token|job_schedule)"? /;

// Waits (up to 10 s) until no e-mail is due or being sent: the outbox is
// delivered in the background, and a delivery is a change no request of
// the test made. Messages waiting for a later retry do not count.
const DUE = `SELECT count(*) FROM mail_outbox WHERE status = 'sending'
 OR (status = 'queued' AND next_attempt_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));`;
export function outboxSettled(file) {
	const end = Date.now() + 10_000;
	while (sqlite(file, DUE).trim() !== '0' && Date.now() < end)
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}

export function dbSnapshot(file) {
	outboxSettled(file);
	return sqlite(file, '.dump\nSELECT id, token_hash, account_id, label, scope, created_at, revoked_at FROM api_token ORDER BY id;\n')
		.split('\n').filter((l) => !VOLATILE.test(l)).join('\n');
}

// Fails, naming the first lines that differ, unless file is as before.
export function assertDbUnchanged(file, before, what) {
	const now = dbSnapshot(file);
	if (now === before) return;
	const a = new Set(before.split('\n'));
	const b = new Set(now.split('\n'));
	const gone = [...a].filter((l) => !b.has(l)).slice(0, 5);
	const added = [...b].filter((l) => !a.has(l)).slice(0, 5);
	assert.fail(`${what} changed the database:\n- ${gone.join('\n- ')}\n+ ${added.join('\n+ ')}`);
}
