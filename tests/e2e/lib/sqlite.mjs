// sqlite.mjs — runs SQL on a database file with Debian's sqlite3 command,
// for tests that need data the web interface cannot enter yet.
import { execFileSync } from 'node:child_process';

// Runs script on file; returns what sqlite3 prints. Throws on any error
// (-bail), so a typo in a test's SQL fails the test.
export function sqlite(file, script) {
	return execFileSync('sqlite3', ['-bail', '-batch', file], { input: script, encoding: 'utf8' });
}

// Quotes a string as an SQL literal.
export const q = (s) => (s === null ? 'NULL' : `'${String(s).replaceAll("'", "''")}'`);
