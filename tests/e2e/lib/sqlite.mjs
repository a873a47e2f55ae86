// sqlite.mjs — runs SQL on a test's database, for tests that need data the
// web interface cannot enter yet: Debian's sqlite3 command on a file, psql
// on a PostgreSQL URI (lib/backend.mjs). The SQL the tests write keeps to
// what both run (docs/POSTGRESQL.md): no strftime('now') (pass the time
// from JS: sqlNow()), ON CONFLICT rather than INSERT OR REPLACE, JSON
// columns read whole and parsed in JS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { isUri, psql, serversOn } from './backend.mjs';

// Runs script on file; returns what it prints, one row a line with the
// columns joined by '|' (sqlite3's list mode, psql -At), NULL as nothing.
// Throws on any error (-bail, ON_ERROR_STOP), so a typo in a test's SQL
// fails the test. On PostgreSQL a script that writes ends with the NOTIFY
// a harmony process sends on commit: the running server sees a change made
// here as SQLite's data_version shows it one made by sqlite3 (by hand,
// without it, cached pages would wait for harmony's next write:
// docs/POSTGRESQL.md, Limits).
const WRITES = /\b(INSERT|UPDATE|DELETE|REPLACE|ALTER|CREATE|DROP|TRUNCATE)\b/i;
export function sqlite(file, script) {
	if (isUri(file)) {
		if (!WRITES.test(script)) return psql(file, script);
		// The NOTIFY reaches a running server's listener thread a moment
		// later: wait (up to 5 s) until each has seen it, so the test's
		// next request reads the change as it would on SQLite.
		const urls = [...(serversOn.get(file) ?? [])];
		const before = changesSeen(urls);
		const out = psql(file, `${script}\n;NOTIFY harmony_changes;\n`);
		const end = Date.now() + 5000;
		for (let now = changesSeen(urls); urls.some((u, i) => before[i] >= 0 && !(now[i] > before[i])) && Date.now() < end; now = changesSeen(urls))
			nap(10);
		return out;
	}
	// The server writes too (its periodic jobs at start): wait for its
	// lock as harmony does (5 s), rather than failing at once.
	return execFileSync('sqlite3', ['-bail', '-batch', '-cmd', '.timeout 5000', file], { input: script, encoding: 'utf8' });
}

// Each server's count of changes seen (GET /metrics, open to this
// machine), read synchronously as the tests' SQL runs: -1 when one does
// not answer (it stops, or never started).
function changesSeen(urls) {
	if (!urls.length) return [];
	const script = `Promise.all(${JSON.stringify(urls)}.map((u) => fetch(u + '/metrics').then((r) => r.text())
		.then((t) => Number(/^harmony_db_changes_seen_total (\\d+)$/m.exec(t)?.[1] ?? -1)).catch(() => -1)))
		.then((v) => process.stdout.write(JSON.stringify(v)));`;
	try {
		return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 5000 }));
	} catch {
		return urls.map(() => -1);
	}
}

// Quotes a string as an SQL literal.
export const q = (s) => (s === null ? 'NULL' : `'${String(s).replaceAll("'", "''")}'`);

// The rows of a query (one SELECT, no ';') as objects, columns by name:
// integers as numbers, text as strings, NULL as null (sqlite3's JSON mode,
// psql's json_agg). For JSON columns, parsed in JS (json_extract is
// SQLite's).
export function jsonRows(file, sql) {
	if (isUri(file)) return JSON.parse(psql(file, `SELECT coalesce(json_agg(hm_row), '[]') FROM (${sql}) hm_row;`).trim());
	return JSON.parse(sqlite(file, `.mode json\n${sql};\n`).trim() || '[]');
}

// A time as harmony stores it ('2026-01-31T12:00:00Z'), as an SQL literal:
// now, or seconds from now.
export const isoTime = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
export const sqlNow = (seconds = 0) => q(isoTime(Date.now() + seconds * 1000));

// The database as text, without what reading touches: sessions and API
// tokens note when and where they were last used; failed sign-ins are
// counted; and without the background jobs' schedule. For tests that show
// a refused request changed nothing.
const VOLATILE = /^INSERT INTO "?(session|auth_throttle|api_token|job_schedule)"? /;
const VOLATILE_TABLES = ['session', 'auth_throttle', 'api_token', 'job_schedule'];
const TOKEN_COLUMNS = 'SELECT id, token_hash, account_id, label, scope, created_at, revoked_at FROM api_token ORDER BY id;\n';

// Waits (up to 10 s) until no e-mail is due or being sent and no
// conversation waits for its analysis: the outbox is delivered and the
// analysis runs in the background, changes no request of the test made.
// Messages waiting for a later retry do not count.
// The dialogue's analysis runs in the background too, shortly after a
// change: a conversation whose last analysis is older than its changes is
// counted as due (on a schema that has the analysis).
const STALE = `(SELECT count(*) FROM conversation c LEFT JOIN dialogue_analysis a
 ON a.conversation_id = c.id WHERE c.status <> 'archived' AND c.revision > coalesce(a.revision, 0))`;
const hasAnalysis = new Map();
function analysed(file) {
	if (!hasAnalysis.has(file)) {
		const q = isUri(file) ? "SELECT count(*) FROM pg_tables WHERE tablename = 'dialogue_analysis' AND schemaname = current_schema();\n"
			: "SELECT count(*) FROM sqlite_master WHERE name = 'dialogue_analysis';\n";
		const n = (isUri(file) ? psql(file, q) : sqlite(file, q)).trim();
		// remembered once the schema has it (it only comes with migrations)
		if (n !== '1') return false;
		hasAnalysis.set(file, true);
	}
	return true;
}
const due = (file) => `SELECT (SELECT count(*) FROM mail_outbox WHERE status = 'sending'
 OR (status = 'queued' AND next_attempt_at <= ${sqlNow()}))${file && analysed(file) ? ` + ${STALE}` : ''};\n`;
const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
export function outboxSettled(file) {
	const end = Date.now() + 10_000;
	while (sqlite(file, due(file)).trim() !== '0' && Date.now() < end) nap(50);
}

// PostgreSQL has no .dump: every table of the current schema, tables by
// name, each row as one line in the shape sqlite3's .dump gives it
// (`INSERT INTO t VALUES(1,'text',NULL)`), ordered by the primary key (by
// the whole row without one). The script is made once per database and
// schema (the tables a test renames for a while come back as they were).
const NUMERIC = new Set(['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric']);
const dumpScripts = new Map();
function pgDumpScript(uri, all) {
	const key = `${all}|${uri}`;
	if (dumpScripts.has(key)) return dumpScripts.get(key);
	const cols = psql(uri, `SELECT c.relname, a.attname, format_type(a.atttypid, NULL),
	coalesce((SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), -1)
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname COLLATE "C", a.attnum;`).split('\n').filter(Boolean).map((l) => l.split('|'));
	const tables = new Map();
	for (const [t, c, type, pk] of cols) {
		if (!tables.has(t)) tables.set(t, { values: [], pk: [] });
		const id = `"${c}"`;
		tables.get(t).values.push(NUMERIC.has(type) ? `coalesce(${id}::text, 'NULL')` : `quote_nullable(${id})`);
		if (Number(pk) >= 0) tables.get(t).pk.push([Number(pk), id]);
	}
	const script = [...tables].filter(([t]) => all || !VOLATILE_TABLES.includes(t))
		.map(([t, { values, pk }]) => `SELECT 'INSERT INTO ${t} VALUES(' || ${values.join(" || ',' || ")} || ')' ` +
			`FROM "${t}" r ORDER BY ${pk.length ? pk.sort((a, b) => a[0] - b[0]).map((k) => k[1]).join(', ') : 'r::text COLLATE "C"'};\n`)
		.join('') + (all ? '' : TOKEN_COLUMNS);
	dumpScripts.set(key, script);
	return script;
}
const pgDump = (uri, { all = false } = {}) => psql(uri, pgDumpScript(uri, all));

// Every row of every table of a PostgreSQL database, as text: what its
// files would show (tests looking for a secret in the whole store).
export const pgDumpAll = (uri) => pgDump(uri, { all: true });

export function dbSnapshot(file) {
	if (isUri(file)) {
		// outboxSettled and the dump in one psql run (each run costs a
		// connection): the first line is the count of messages due.
		const end = Date.now() + 10_000;
		for (;;) {
			const out = psql(file, due(file) + pgDumpScript(file, false));
			const nl = out.indexOf('\n');
			if (out.slice(0, nl) === '0' || Date.now() >= end) return out.slice(nl + 1);
			nap(50);
		}
	}
	outboxSettled(file);
	return sqlite(file, `.dump\n${TOKEN_COLUMNS}`)
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

// Puts a deleted post of event eventSlug in the trash (as deleting it would:
// migration 0012) for the sweeps of who may restore it; its id.
export function trashedPost(file, eventSlug, slug = 'trashed-probe') {
	const thing = { id: 90001, slug, title: 'Trashed probe', status: 'draft', event_slug: eventSlug, categories: [] };
	const row = { id: 90001, slug, title: 'Trashed probe', summary: '', body_md: '', status: 'draft', published_at: null,
		is_featured: false, image: null, image_alt: null, image_credit: null, event_id: null,
		created_at: isoTime(), updated_at: isoTime() };
	const data = JSON.stringify({ thing, rows: { post: [row], post_category: [] }, addresses: [] });
	sqlite(file, `INSERT INTO trash (entity, entity_id, name, data, deleted_at) VALUES ('post', 90001, 'Trashed probe', ${q(data)}, ${sqlNow()});`);
	return sqlite(file, `SELECT id FROM trash WHERE entity_id = 90001;`).trim();
}
