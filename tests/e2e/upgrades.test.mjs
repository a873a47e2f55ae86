// upgrades.test.mjs — a database from every older harmony, migrated by
// `harmony init`. For each schema version N below the latest (the files in
// migrations/, so a new migration adds a case by itself), a database is
// built with Debian's sqlite3 from migrations 1..N exactly as the files
// are, recorded at version N as src/db/migrate.c records it (application
// id, WAL, one schema_migrations row per migration), and filled with the
// rows that schema holds: an organisation, a series, an event, a category,
// a published and a draft post and, from 0002 on, an account with its role,
// password hash, sessions and API tokens (and the outbox from 0004, token
// expiry from 0005, last addresses from 0006). Then:
// - serve refuses it as older; init migrates it: the latest version
//   recorded, the schema that of a new database, every row as it was and
//   each added column at its declared default;
// - the server shows the rows on their pages, JSON twins and API; the old
//   session and tokens behave as docs/SECURITY.md and docs/api/site.md say
//   (a live session stays, idle or aged ones end; a token made before
//   tokens expired never expires, an expired or revoked one answers as an
//   unknown one), and the old password still signs in;
// - init on the now current database changes nothing;
// - a database recorded at a version newer than the binary knows is
//   refused by init and serve, with a message, byte for byte untouched.
//
// On PostgreSQL (lib/backend.mjs) the same cases run on databases of the
// test cluster. harmony cannot stop its migrations at N, and they are
// written in SQLite's dialect (src/db/dialect.c rewrites them), so the
// database at version N is harmony's own current one with the later
// migrations taken back: every migration only adds (tables, indexes,
// columns), and undoing one is dropping what it added (pgUndo, which
// refuses a statement of any other kind). What SQLite alone has
// (integrity_check, foreign_key_check, the file's bytes) is checked there
// only; on PostgreSQL the schema is compared through the catalogs and
// "untouched" is every table and row.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, bearer, Client, PASSWORD } from './lib/accounts.mjs';
import { mainOf, textOf } from './lib/html.mjs';
import { get, getJson } from './lib/http.mjs';
import { ROOT, runCli as runCliSync, runCliAsync as runCli, sha256File, startServer, tempDir } from './lib/server.mjs';
import { jsonRows, pgDumpAll, q, sqlite } from './lib/sqlite.mjs';
import { newDatabase, onPg } from './lib/backend.mjs';

// The migrations this checkout has: {n, file, sql}, in number order.
// A migration's file for the backend under test: PostgreSQL runs its own
// form where migrations/postgresql/ has one (src/db/migrate.c).
const migrationFor = (file) => (onPg && existsSync(path.join(ROOT, 'migrations/postgresql', file)) ? `postgresql/${file}` : file);
const MIGRATIONS = readdirSync(path.join(ROOT, 'migrations'))
	.filter((f) => /^\d{4}_[^/]+\.sql$/.test(f))
	.map((file) => ({ n: Number(file.slice(0, 4)), file, sql: readFileSync(path.join(ROOT, 'migrations', migrationFor(file)), 'utf8') }))
	.sort((a, b) => a.n - b.n);
const LATEST = MIGRATIONS.length ? MIGRATIONS[MIGRATIONS.length - 1].n : 0;
const OLDER = MIGRATIONS.filter((m) => m.n < LATEST).map((m) => m.n);
// The table src/db/migrate.c records applied migrations in.
const RECORD = 'schema_migrations';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const stamp = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const STAMP_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
// When the old harmony applied migration n: long ago, a month apart.
const appliedAt = (n) => stamp(Date.UTC(2013, n - 1, 1, 9, 30, 0));

// Rows of a query, through sqlite3's JSON mode (which prints nothing for
// none), or psql's json_agg.
const rows = (file, sql) => (onPg ? jsonRows(file, sql.trim().replace(/;$/, ''))
	: JSON.parse(sqlite(file, `.mode json\n${sql}\n`).trim() || '[]'));
const lit = (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : q(v));
const insert = (table, values) => {
	const cols = Object.keys(values);
	return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => lit(values[c])).join(', ')});\n`;
};

// Whether migrations 1..n create table (read from the files, so that the
// tests made for a case do not depend on building its database first).
const hasTable = (n, table) =>
	MIGRATIONS.some((m) => m.n <= n && new RegExp(`^\\s*CREATE TABLE ${table}\\s*\\(`, 'mi').test(m.sql));

// {table: [{name, dflt}]} of a database file, tables in name order.
function columnsOf(file) {
	const out = {};
	if (onPg) {
		for (const r of rows(file, `SELECT table_name AS tbl, column_name AS col, column_default AS dflt
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'harmony_meta'
			ORDER BY table_name COLLATE "C", ordinal_position`))
			(out[r.tbl] ??= []).push({ name: r.col, dflt: r.dflt });
		return out;
	}
	for (const r of rows(file, `SELECT m.name AS tbl, p.name AS col, p.dflt_value AS dflt
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		-- a full-text index (a virtual table) and its shadow tables are
		-- derived from the rows, rebuilt by their triggers: not data
		AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'
		                AND m.name LIKE v.name || '\\_%' ESCAPE '\\')
		ORDER BY m.name, p.cid;`))
		(out[r.tbl] ??= []).push({ name: r.col, dflt: r.dflt });
	return out;
}

// Every row of every table of cols (as it was before migrating: only
// those columns), in rowid order: {table: [[values]]}.
function snapshot(file, cols) {
	if (onPg) {
		// No rowid: each table's rows by their first column when it is a
		// number (the id), then by their text: the same order before and
		// after, which is all the comparison needs.
		const parts = Object.entries(cols).map(([t, cs]) =>
			`SELECT ${q(t)} AS t, (SELECT coalesce(json_agg(a ORDER BY CASE json_typeof(a->0) WHEN 'number' THEN (a->>0)::numeric END, a::text COLLATE "C"), '[]')::text FROM ` +
			`(SELECT json_build_array(${cs.map((c) => `"${c.name}"`).join(', ')}) AS a FROM "${t}") x) AS r`);
		const out = {};
		for (const { t, r } of rows(file, parts.join('\nUNION ALL\n'))) out[t] = JSON.parse(r);
		return out;
	}
	const parts = Object.entries(cols).map(([t, cs]) =>
		`SELECT ${q(t)} AS t, (SELECT json_group_array(json_array(${cs.map((c) => `"${c.name}"`).join(', ')})) ` +
		`FROM (SELECT * FROM "${t}" ORDER BY rowid)) AS r`);
	const out = {};
	for (const { t, r } of rows(file, `${parts.join('\nUNION ALL\n')};`)) out[t] = JSON.parse(r);
	return out;
}

// The schema as sqlite_master keeps it; on PostgreSQL as its catalogs
// describe it: columns (by name: a column dropped and added again keeps
// no gap in SQLite's sense), indexes and constraints.
const schemaOf = (file) => (onPg
	? [...rows(file, `SELECT table_name, column_name, data_type, collation_name, is_nullable, column_default, is_identity
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name COLLATE "C", column_name COLLATE "C"`),
	...rows(file, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname COLLATE "C"`),
	...rows(file, `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
		WHERE connamespace = current_schema()::regnamespace ORDER BY conrelid::regclass::text COLLATE "C", conname COLLATE "C"`)]
	: rows(file, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name;"));

// The whole database as text, with what .dump leaves out.
const dump = (file) => (onPg ? `${JSON.stringify(schemaOf(file))}\n${pgDumpAll(file)}`
	: sqlite(file, 'PRAGMA application_id;\nPRAGMA user_version;\n.dump\n'));
// What must not change at all: the file's bytes; on PostgreSQL the dump.
const fingerprint = (file) => (onPg ? dump(file) : sha256File(file));
// The mark harmony puts on its databases (src/db/pg.c: harmony_meta).
const applicationId = (file) => Number(onPg ? rows(file, 'SELECT application_id FROM harmony_meta')[0].application_id
	: rows(file, 'PRAGMA application_id;')[0].application_id);

// PostgreSQL: takes back the migrations after n on a current database,
// newest first, by dropping what each added. Throws on a statement that
// is not CREATE TABLE, CREATE [UNIQUE] INDEX or ALTER TABLE … ADD COLUMN:
// such a migration needs its own way back written here.
function pgUndo(n) {
	let sql = '';
	for (const m of MIGRATIONS.filter((x) => x.n > n).reverse()) {
		const statements = m.sql.replace(/--[^\n]*/g, '').split(';').map((s) => s.trim()).filter(Boolean);
		for (const st of statements.reverse()) {
			let x;
			if ((x = /^CREATE TABLE (\w+)/i.exec(st))) sql += `DROP TABLE ${x[1]} CASCADE;\n`;
			else if ((x = /^CREATE (?:UNIQUE )?INDEX (\w+)/i.exec(st))) sql += `DROP INDEX IF EXISTS ${x[1]};\n`;
			else if ((x = /^ALTER TABLE (\w+) ADD COLUMN (\w+)/i.exec(st))) sql += `ALTER TABLE ${x[1]} DROP COLUMN ${x[2]};\n`;
			else if (/^SELECT 1$/i.test(st)) continue; // a number held for another branch's migration
			else throw new Error(`${m.file}: no way back for: ${st.slice(0, 80)}`);
		}
	}
	return `${sql}DELETE FROM ${RECORD} WHERE version > ${n};\n` +
		MIGRATIONS.filter((m) => m.n <= n).map((m) => `UPDATE ${RECORD} SET applied_at = ${q(appliedAt(m.n))} WHERE version = ${m.n};\n`).join('');
}

// The stored digest of a token (src/auth/common.c: BLAKE2b-256 of the 32
// bytes its base64url text stands for). Node's crypto has only BLAKE2b-512,
// so Debian's python3 computes it, as it runs the mail tests' SMTP sink.
function digests(tokens) {
	const r = spawnSync('/usr/bin/python3', ['-c', `
import base64, hashlib, sys
for t in sys.stdin.read().split():
    print(hashlib.blake2b(base64.urlsafe_b64decode(t + '=' * (-len(t) % 4)), digest_size=32).hexdigest())
`], { input: tokens.join('\n'), encoding: 'utf8' });
	assert.equal(r.status, 0, `python3: ${r.stderr}`);
	const out = r.stdout.trim().split('\n');
	assert.equal(out.length, tokens.length);
	return out;
}
// A token as harmony makes them: 32 random bytes, base64url, no padding.
const newToken = () => randomBytes(32).toString('base64url');

// Values as the API shows them: booleans for the 0/1 columns.
const same = (api, db) => (typeof api === 'boolean' ? Number(api) === db : api === db);
// Every column of row that the API object also has holds the same value.
function assertApiHasRow(obj, row, what) {
	const common = Object.keys(row).filter((k) => k in obj);
	assert.ok(common.length >= 5, `${what}: the answer shares only ${common.join(', ')} with the row`);
	for (const k of common) assert.ok(same(obj[k], row[k]), `${what}: ${k} is ${JSON.stringify(obj[k])}, the row has ${JSON.stringify(row[k])}`);
}

let dir, ref, refLine, appId, recordSql, passwordHash;

before(async () => {
	dir = tempDir();
	// A database made new by this harmony: how it marks and records.
	ref = newDatabase(path.join(dir, 'current.db'));
	const r = await runCli(['init', '--db', ref]);
	assert.equal(r.status, 0, `harmony init on a new file: ${r.stderr}`);
	refLine = r.stdout;
	appId = applicationId(ref);
	recordSql = onPg
		? `CREATE TABLE ${RECORD} (${rows(ref, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${q(RECORD)} ORDER BY ordinal_position`).map((c) => c.column_name).join(', ')})`
		: rows(ref, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${q(RECORD)};`)[0]?.sql;
	// An Argon2id hash of PASSWORD as harmony makes it (user add needs the
	// current schema, so it is made here and copied into the old ones).
	addAccount(ref, { email: 'hash.source@example.org', name: 'Hash Source' });
	passwordHash = rows(ref, "SELECT password_hash FROM account WHERE email = 'hash.source@example.org';")[0]?.password_hash;
});
after(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

test('upgrade_cases_come_from_the_migration_files', () => {
	assert.ok(MIGRATIONS.length >= 2, 'migrations/ holds at least two migrations');
	assert.deepEqual(MIGRATIONS.map((m) => m.n), MIGRATIONS.map((_, i) => i + 1), 'numbered 1, 2, 3… without a gap');
	assert.deepEqual(OLDER, MIGRATIONS.slice(0, -1).map((m) => m.n));
	// The binary under test knows exactly these, recorded by file name.
	assert.equal(refLine.trim(), `${ref}: schema version ${LATEST}`);
	assert.deepEqual(rows(ref, `SELECT version, name FROM ${RECORD} ORDER BY version;`),
		MIGRATIONS.map((m) => ({ version: m.n, name: m.file })));
	for (const { applied_at } of rows(ref, `SELECT applied_at FROM ${RECORD};`)) assert.match(applied_at, STAMP_RE);
	assert.ok(appId !== 0, 'harmony marks its databases with an application id');
	assert.match(recordSql ?? '', /\bversion\b[\s\S]*\bname\b[\s\S]*\bapplied_at\b/, `${RECORD}: ${recordSql}`);
	assert.match(passwordHash ?? '', /^\$argon2id\$/, 'harmony user add stores an Argon2id hash');
});

test('upgrade_init_on_a_current_database_is_a_no_op', async () => {
	const before = dump(ref);
	const hash = fingerprint(ref);
	const r = await runCli(['init', '--db', ref]);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout, refLine, 'the same version line');
	assert.equal(dump(ref), before, 'the same dump');
	assert.equal(fingerprint(ref), hash, 'the same bytes');
});

// What an older database holds: the SQL to insert it and what the checks
// need to know of it. have(table, column) says what its schema has.
function oldData(n, have, now) {
	const site = { site_name: 'Alliance of Civilizations Forum', site_tagline: 'Dialogue across the Mediterranean' };
	const org = {
		id: 41, slug: 'fundacion-dialogo-mediterraneo', name: 'Fundación para el Diálogo Mediterráneo', acronym: 'FDM',
		kind: 'ngo', country: 'ES', url: 'https://dialogo.example.org/',
		description: "Brings the two shores' civil societies together, since 1998.",
		created_at: '2013-02-11T10:00:00Z', updated_at: '2013-02-12T16:45:09Z',
		...(have('organisation', 'logo') ? { logo: `${createHash('sha256').update('FDM logo').digest('hex')}.png` } : {}),
	};
	const series = {
		id: 12, slug: 'mediterranean-dialogues', title: 'Mediterranean Dialogues',
		summary: 'Consultations around the Mediterranean on living together in diversity.',
		organiser_id: org.id, status: 'published', created_at: '2013-03-04T09:15:00Z', updated_at: '2013-03-05T10:00:00Z',
	};
	const event = {
		id: 23, series_id: series.id, slug: 'euro-mediterranean-rabat-2013', title: 'Euro-Mediterranean Consultations in Rabat',
		kind: 'consultation', theme: 'Youth, Media and Migration',
		summary: 'Two days on how young people, the media and migration shape the image of the other shore.',
		description_md: 'The consultations meet at the **national library**.\n\nSessions in Arabic, French and English.',
		region: 'Euro-Mediterranean', city: 'Rabat', country: 'MA', venue: 'Bibliothèque nationale du Royaume du Maroc',
		starts_on: '2013-10-14', ends_on: '2013-10-15', date_precision: 'day', timezone: 'Africa/Casablanca', capacity: 120,
		status: 'published', contact_name: 'Youssef El Idrissi', contact_title: 'Programme officer',
		contact_org: org.name, contact_email: 'rabat2013@dialogo.example.org',
		created_at: '2013-03-06T08:00:00Z', updated_at: '2013-09-30T17:20:41Z',
	};
	const category = { id: 5, slug: 'consultations', name: 'Consultations' };
	const post = {
		id: 31, slug: 'rabat-consultations-announced', title: 'Rabat Consultations Announced',
		summary: 'The Mediterranean Dialogues meet in Rabat on 14-15 October 2013.',
		body_md: 'The **Rabat consultations** bring together 120 participants.\n\nRegistration opens in September.',
		status: 'published', published_at: '2013-09-02T08:30:00Z', is_featured: 1, image: null, image_alt: null,
		image_credit: null, event_id: event.id, created_at: '2013-08-28T14:02:00Z', updated_at: '2013-09-02T08:30:00Z',
	};
	const draft = {
		id: 32, slug: 'rabat-programme-draft', title: 'Draft programme for Rabat', summary: 'Not public yet.',
		body_md: 'Session one: to be confirmed.', status: 'draft', published_at: null, is_featured: 0, event_id: event.id,
		created_at: '2013-09-10T11:00:00Z', updated_at: '2013-09-11T11:00:00Z',
	};
	let sql = '';
	for (const [key, value] of Object.entries(site)) sql += insert('site_setting', { key, value });
	sql += insert('organisation', org) + insert('series', series) + insert('event', event);
	sql += insert('event_sector', { event_id: event.id, sector: 'ngo', position: 1 });
	sql += insert('event_sector', { event_id: event.id, sector: 'media', position: 2 });
	sql += insert('event_organisation', { event_id: event.id, organisation_id: org.id, role: 'convener', position: 1 });
	sql += insert('category', category) + insert('post', post) + insert('post', draft);
	sql += insert('post_category', { post_id: post.id, category_id: category.id });
	const data = { site, org, series, event, category, post, draft, sql };
	if (!have('account', 'id')) return data;

	const account = {
		id: 7, email: 'amina.benali@example.org', name: 'Amina Benali', organisation: org.name, lang: 'en',
		password_hash: passwordHash, created_at: '2013-03-01T08:00:00Z', updated_at: '2013-03-01T08:00:00Z',
	};
	sql += insert('account', account);
	sql += insert('account_role', { id: 3, account_id: account.id, role: 'organiser', event_id: null, series_id: series.id, created_at: '2013-03-04T09:20:00Z' });
	sql += insert('audit_log', {
		id: 101, at: '2013-03-04T09:20:00Z', actor_account_id: null, actor: 'cli', action: 'account.role_grant',
		entity: 'account', entity_id: account.id, before_json: null, after_json: JSON.stringify({ role: 'organiser', series: series.slug }),
	});
	// Sessions (docs/SECURITY.md: they end 30 minutes after the last
	// request and 12 hours after sign-in): one alive, one idle too long,
	// one signed in too long ago though used a minute ago.
	const tok = { live: newToken(), idle: newToken(), aged: newToken(), legacy: newToken(), revoked: newToken(), valid: newToken(), expired: newToken(), reset: newToken() };
	const hashes = digests(Object.values(tok));
	const dg = Object.fromEntries(Object.keys(tok).map((k, i) => [k, hashes[i]]));
	const oldAddress = '192.0.2.10';
	const session = (id, key, created, seen) => ({
		id, token_hash: dg[key], account_id: account.id, csrf_secret: newToken(), created_at: stamp(created),
		last_seen_at: stamp(seen), expires_at: stamp(created + 12 * HOUR),
		...(have('session', 'address') ? { address: oldAddress } : {}),
	});
	const sessions = {
		live: session(51, 'live', now - 10 * MINUTE, now - 2 * MINUTE),
		idle: session(52, 'idle', now - 60 * MINUTE, now - 40 * MINUTE),
		aged: session(53, 'aged', now - 13 * HOUR, now - MINUTE),
	};
	for (const s of Object.values(sessions)) sql += insert('session', s);
	sql += insert('password_reset', {
		id: 9, token_hash: dg.reset, account_id: account.id, created_at: '2013-05-01T10:00:00Z',
		expires_at: '2013-05-01T11:00:00Z', used_at: '2013-05-01T10:05:00Z',
	});
	// API tokens: one made before tokens expired (no expires_at, or NULL),
	// one revoked; from 0005 on, one valid for a month more and one expired.
	const token = (id, key, fields) => ({
		id, token_hash: dg[key], account_id: account.id, ...fields,
		...(have('api_token', 'last_address') && fields.last_used_at ? { last_address: oldAddress } : {}),
	});
	const tokens = {
		legacy: token(4, 'legacy', { label: 'Newsletter sync', scope: 'write', created_at: '2013-04-01T12:00:00Z', last_used_at: '2013-05-01T00:00:00Z', revoked_at: null }),
		revoked: token(5, 'revoked', { label: 'Old laptop', scope: 'read', created_at: '2013-04-02T12:00:00Z', last_used_at: null, revoked_at: '2013-04-03T12:00:00Z' }),
	};
	if (have('api_token', 'expires_at')) {
		tokens.valid = token(6, 'valid', { label: 'Programme import', scope: 'read', created_at: stamp(now - DAY), last_used_at: null, revoked_at: null, expires_at: stamp(now + 30 * DAY) });
		tokens.expired = token(8, 'expired', { label: 'Last year', scope: 'write', created_at: stamp(now - 31 * DAY), last_used_at: null, revoked_at: null, expires_at: stamp(now - DAY) });
	}
	for (const t of Object.values(tokens)) sql += insert('api_token', t);
	if (have('mail_outbox', 'id')) {
		sql += insert('mail_outbox', {
			id: 61, message_id: '<20130501100000.61@dialogo.example.org>', from_addr: 'Alliance of Civilizations Forum <noreply@dialogo.example.org>',
			recipient: account.email, recipient_name: account.name, subject: 'Choose a new password', body: 'Follow the link below within the hour.',
			secret: null, status: 'sent', attempts: 1, last_error: null, created_at: '2013-05-01T10:00:00Z', next_attempt_at: '2013-05-01T10:00:00Z',
			claimed_at: '2013-05-01T10:00:01Z', sent_at: '2013-05-01T10:00:02Z', delivered_to: 'smtp://relay.example.org:25',
		});
		sql += insert('mail_rate', { rate_key: createHash('sha256').update('reset:amina').digest('hex'), at: '2013-05-01T10:00:00Z' });
	}
	return { ...data, account, tok, sessions, tokens, oldAddress, sql };
}

// Builds file as harmony at schema version n left it, with data in it:
// {db (file, or the URI of the database made for it), cols, data}.
function buildOld(file, n, now) {
	if (onPg) {
		const db = newDatabase(file);
		const r = runCliSync(['init', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		sqlite(db, `BEGIN;\n${pgUndo(n)}COMMIT;\n`);
		const cols = columnsOf(db);
		const have = (t, c) => cols[t]?.some((x) => x.name === c) ?? false;
		const data = oldData(n, have, now);
		// As harmony numbers rows, each identity past the largest id.
		const ids = Object.entries(cols).filter(([, cs]) => cs.some((c) => c.name === 'id')).map(([t]) =>
			`SELECT setval(pg_get_serial_sequence('${t}', 'id'), max(id)) FROM ${t} HAVING max(id) IS NOT NULL;\n`).join('');
		sqlite(db, `BEGIN;\n${data.sql}${ids}COMMIT;\n`);
		return { db, cols, data };
	}
	let script = `PRAGMA application_id = ${appId};\nPRAGMA journal_mode = WAL;\n${recordSql};\n`;
	for (const m of MIGRATIONS.filter((x) => x.n <= n))
		script += `BEGIN;\n${m.sql}\nINSERT INTO ${RECORD} (version, name, applied_at) VALUES (${m.n}, ${q(m.file)}, ${q(appliedAt(m.n))});\nCOMMIT;\n`;
	sqlite(file, script);
	const cols = columnsOf(file);
	const have = (t, c) => cols[t]?.some((x) => x.name === c) ?? false;
	const data = oldData(n, have, now);
	sqlite(file, `PRAGMA foreign_keys = ON;\nBEGIN;\n${data.sql}COMMIT;\n`);
	assert.deepEqual(rows(file, 'PRAGMA foreign_key_check;'), [], 'the old rows refer to rows that exist');
	return { db: file, cols, data };
}

for (const n of OLDER) {
	describe(`upgrade from schema ${n} to ${LATEST}`, () => {
		// The database: the file, or once built the URI made for it.
		const file = () => old?.db ?? path.join(dir, `v${n}.db`);
		const accounts = hasTable(n, 'account');
		let old, before, srv;
		after(() => srv?.stop());

		test(`upgrade_${n}_old_database_is_recognised_as_older`, async () => {
			old = buildOld(file(), n, Date.now());
			assert.deepEqual(rows(file(), `SELECT max(version) AS v FROM ${RECORD};`), [{ v: n }]);
			before = snapshot(file(), old.cols);
			// What was inserted is there to be compared (not an empty database).
			const inserted = {};
			for (const m of old.data.sql.matchAll(/^INSERT INTO (\w+) /gm)) inserted[m[1]] = (inserted[m[1]] ?? 0) + 1;
			for (const [t, count] of Object.entries(inserted)) assert.equal(before[t]?.length, count, `${t} rows`);
			assert.equal(before[RECORD].length, n);
			// harmony reads the record: not "not a harmony database" but older.
			const hash = fingerprint(file());
			const r = await runCli(['serve', '--db', file(), '--listen', '127.0.0.1:0']);
			assert.equal(r.status, 8, `serve refuses an older schema with exit 8, as it does a newer one: ${r.stderr}`);
			assert.ok(r.stderr.includes(`schema version ${n} is older than ${LATEST}`), r.stderr);
			assert.match(r.stderr, /harmony init/, 'says what to run');
			assert.equal(fingerprint(file()), hash, 'serve left the file as it was');
		});

		test(`upgrade_${n}_init_migrates_keeping_every_row`, async () => {
			const started = Date.now();
			const r = await runCli(['init', '--db', file()]);
			assert.equal(r.status, 0, `harmony init: ${r.stderr}`);
			assert.equal(r.stdout.trim(), `${file()}: schema version ${LATEST}`);
			const recs = rows(file(), `SELECT version, name, applied_at FROM ${RECORD} ORDER BY version;`);
			assert.deepEqual(recs.map((x) => [x.version, x.name]), MIGRATIONS.map((m) => [m.n, m.file]), 'every migration recorded once');
			for (const x of recs) {
				if (x.version <= n) assert.equal(x.applied_at, appliedAt(x.version), `record ${x.version} kept its time`);
				else {
					assert.match(x.applied_at, STAMP_RE, `record ${x.version}`);
					const t = Date.parse(x.applied_at);
					assert.ok(t >= Math.floor(started / 1000) * 1000 && t <= Date.now(), `record ${x.version} made now: ${x.applied_at}`);
				}
			}
			assert.equal(applicationId(file()), appId, 'still marked as harmony\'s');
			assert.deepEqual(schemaOf(file()), schemaOf(ref), 'the schema of a database made new');
			if (!onPg) { // PostgreSQL checks keys as rows go in
				assert.deepEqual(rows(file(), 'PRAGMA integrity_check;'), [{ integrity_check: 'ok' }]);
				assert.deepEqual(rows(file(), 'PRAGMA foreign_key_check;'), []);
			}
			// Every old row as it was; the record has grown by the new ones.
			const now2 = snapshot(file(), old.cols);
			assert.deepEqual(now2[RECORD].slice(0, n), before[RECORD], `the old rows of ${RECORD}`);
			const without = (o) => Object.fromEntries(Object.entries(o).filter(([t]) => t !== RECORD));
			assert.deepEqual(without(now2), without(before), 'every row with its values');
			// Columns added since: each row holds the column's declared default.
			const nowCols = columnsOf(file());
			let added = 0;
			for (const [t, cs] of Object.entries(old.cols)) {
				const known = new Set(cs.map((c) => c.name));
				for (const c of nowCols[t].filter((x) => !known.has(x.name))) {
					added++;
					const vals = rows(file(), `SELECT "${c.name}" AS v, (${c.dflt ?? 'NULL'}) AS d FROM "${t}"${onPg ? '' : ' ORDER BY rowid'};`);
					for (const v of vals) assert.equal(v.v, v.d, `${t}.${c.name} of an old row`);
				}
			}
			// a later migration that adds a column to a table this schema has
			const altered = MIGRATIONS.filter((m) => m.n > n)
				.flatMap((m) => [...m.sql.matchAll(/ALTER TABLE (\w+) ADD COLUMN/gi)].map((x) => x[1]))
				.filter((t) => t in old.cols);
			if (altered.length)
				assert.ok(added > 0, `later migrations add columns to ${altered.join(', ')}: they were checked`);
		});

		test(`upgrade_${n}_pages_and_api_show_the_rows`, async () => {
			srv = await startServer({ db: file() });
			const { site, org, series, event, category, post, draft } = old.data;
			const dbRow = (t, id) => rows(file(), `SELECT * FROM ${t} WHERE id = ${id};`)[0];
			const ymd = post.published_at.slice(0, 10).replaceAll('-', '/');
			const pages = [
				[`/series/${series.slug}`, series.title],
				[`/events/${event.slug}`, event.title],
				[`/news/${ymd}/${post.slug}`, post.title],
				[`/organisations/${org.slug}`, org.name],
				[`/news/category/${category.slug}`, category.name],
			];
			for (const [p, title] of pages) {
				const r = await get(srv.url + p);
				assert.equal(r.status, 200, `${p}: status`);
				assert.ok(r.body.includes(`<title>${title} · ${site.site_name}</title>`), `${p}: <title> names ${title} and the site`);
				assert.ok(textOf(mainOf(r.body) ?? '').includes(title), `${p}: shows ${title}`);
			}
			// The JSON twins.
			const ev = (await getJson(`${srv.url}/events/${event.slug}`)).json;
			assert.equal(ev.title, event.title);
			assert.equal(ev.theme, event.theme);
			assert.equal(ev.venue, event.venue);
			assert.deepEqual(ev.news.map((x) => x.slug), [post.slug], 'the published post, not the draft');
			assert.deepEqual(ev.organisations?.map((o) => o.slug), [org.slug]);
			const se = (await getJson(`${srv.url}/series/${series.slug}`)).json;
			assert.equal(se.title, series.title);
			assert.deepEqual(se.events.map((e) => e.slug), [event.slug]);
			const ca = (await getJson(`${srv.url}/news/category/${category.slug}`)).json;
			assert.deepEqual(ca.posts.map((x) => x.slug), [post.slug]);
			// The search index (migration 0011) holds the rows that were there
			// before it, and only what the public may see.
			const found = async (w) => (await getJson(`${srv.url}/search?q=${encodeURIComponent(w)}`)).json.results.map((x) => `${x.kind}:${x.key}`);
			assert.ok((await found(event.title)).includes(`event:${event.slug}`), 'the old event is found');
			assert.ok((await found(post.title)).includes(`post:${post.slug}`), 'the old post is found');
			assert.ok((await found(org.name)).includes(`organisation:${org.slug}`), 'the old organisation is found');
			if (draft) assert.ok(!(await found(draft.title)).includes(`post:${draft.slug}`), 'the old draft is not');
			const og = (await getJson(`${srv.url}/organisations/${org.slug}`)).json;
			assert.equal(og.name, org.name);
			assert.deepEqual(og.events.map((e) => [e.slug, e.role]), [[event.slug, 'convener']]);
			// The API: each answer carries the row's values.
			const api = async (p) => {
				const r = await getJson(srv.url + p);
				assert.equal(r.status, 200, `${p}: ${r.body}`);
				return r.json;
			};
			assertApiHasRow(await api(`/api/v1/series/${series.slug}`), dbRow('series', series.id), 'series');
			const apiEvent = await api(`/api/v1/events/${event.slug}`);
			assertApiHasRow(apiEvent, dbRow('event', event.id), 'event');
			assert.deepEqual(apiEvent.sectors, ['ngo', 'media']);
			const apiOrg = await api(`/api/v1/organisations/${org.slug}`);
			assertApiHasRow(apiOrg, dbRow('organisation', org.id), 'organisation');
			assert.equal(apiOrg.website, org.url);
			if (org.logo) assert.equal(apiOrg.logo_url, `/media/${org.logo}`);
			const apiPost = await api(`/api/v1/posts/${post.id}`);
			assertApiHasRow(apiPost, dbRow('post', post.id), 'post');
			assert.equal(apiPost.url, `/news/${ymd}/${post.slug}`);
			assert.equal(apiPost.event_slug, event.slug);
			assert.deepEqual(apiPost.categories.map((c) => c.slug), [category.slug]);
			// A draft stays a draft.
			assert.equal((await getJson(`${srv.url}/api/v1/posts/${draft.id}`)).status, 404, 'the draft is not public');
		});

		if (accounts) {
			test(`upgrade_${n}_old_sessions_tokens_and_password_as_documented`, async () => {
				assert.ok(srv, 'the server runs');
				const { account, tok, sessions, tokens, series, draft, oldAddress } = old.data;
				// Tokens: as an unknown token is answered, so are the refused ones.
				const unknown = await bearer(srv.url, `hm_${newToken()}`, 'GET', '/api/v1/account');
				assert.equal(unknown.status, 401);
				const refused = async (key, why) => {
					const r = await bearer(srv.url, `hm_${tok[key]}`, 'GET', '/api/v1/account');
					assert.equal(r.status, 401, `${why} token: ${r.body}`);
					assert.equal(r.body, unknown.body, `${why} token answers as an unknown one`);
				};
				// Made before tokens expired: expires_at NULL, never expires.
				const me = await bearer(srv.url, `hm_${tok.legacy}`, 'GET', '/api/v1/account');
				assert.equal(me.status, 200, `the old token: ${me.body}`);
				assert.equal(me.json.email, account.email);
				assert.equal(me.json.name, account.name);
				assert.deepEqual(me.json.roles.map((x) => [x.role, x.series_slug]), [['organiser', series.slug]]);
				const d = await bearer(srv.url, `hm_${tok.legacy}`, 'GET', `/api/v1/posts/${draft.id}`);
				assert.equal(d.status, 200, 'the series organiser sees the draft');
				assert.equal(d.json.title, draft.title);
				await refused('revoked', 'a revoked');
				if (tokens.valid) {
					const v = await bearer(srv.url, `hm_${tok.valid}`, 'GET', `/api/v1/posts/${draft.id}`);
					assert.equal(v.status, 200, `a token within its expiry: ${v.body}`);
					await refused('expired', 'an expired');
				}
				// Sessions: the live one signs in; idle or aged ones do not.
				const noCookie = await getJson(`${srv.url}/account`);
				assert.equal(noCookie.status, 401);
				for (const key of ['idle', 'aged']) {
					const r = await getJson(`${srv.url}/account`, { headers: { Cookie: `session=${tok[key]}` } });
					assert.equal(r.status, 401, `the ${key} session is over`);
					assert.equal(r.body, noCookie.body, `the ${key} session answers as no session`);
				}
				const page = await getJson(`${srv.url}/account`, { headers: { Cookie: `session=${tok.live}` } });
				assert.equal(page.status, 200, `the live session: ${page.body}`);
				const acc = page.json;
				assert.equal(acc.email, account.email);
				assert.deepEqual(acc.sessions.map((s) => [s.id, s.current, s.created_at, s.address]),
					[[sessions.live.id, true, sessions.live.created_at, '127.0.0.1']], 'only the live session, now seen from here');
				const listed = Object.fromEntries(acc.api_tokens.map((t) => [t.id, t]));
				assert.deepEqual(Object.keys(listed).map(Number).sort(), Object.values(tokens).map((t) => t.id).sort(), 'every token listed');
				assert.equal(listed[tokens.legacy.id].expires_at, null, 'the old token never expires');
				assert.equal(listed[tokens.legacy.id].expired, false);
				assert.equal(listed[tokens.legacy.id].last_address, '127.0.0.1');
				assert.notEqual(listed[tokens.legacy.id].last_used_at, tokens.legacy.last_used_at, 'its use noted');
				assert.equal(listed[tokens.revoked.id].revoked_at, tokens.revoked.revoked_at);
				if (tokens.expired) {
					assert.equal(listed[tokens.expired.id].expires_at, tokens.expired.expires_at);
					assert.equal(listed[tokens.expired.id].expired, true);
				}
				// docs/SECURITY.md: auth.token_new_address when a token is used
				// from an address other than its last one (none before 0006).
				const moved = rows(file(), "SELECT after_json FROM audit_log WHERE action = 'auth.token_new_address';")
					.map((x) => JSON.parse(x.after_json));
				assert.deepEqual(moved, tokens.legacy.last_address
					? [{ token: tokens.legacy.id, address: '127.0.0.1', previous: oldAddress }] : []);
				// The old password hash still signs in.
				const c = new Client(srv.url);
				await c.signIn(account.email, PASSWORD);
				const mine = await c.getJson('/account');
				assert.equal(mine.status, 200);
				assert.equal(mine.json.email, account.email);
			});
		}

		test(`upgrade_${n}_init_again_is_a_no_op`, async () => {
			await srv?.stop();
			const before2 = dump(file());
			const r = await runCli(['init', '--db', file()]);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout.trim(), `${file()}: schema version ${LATEST}`);
			assert.equal(dump(file()), before2, 'the same dump');
		});
	});
}

test('upgrade_newer_schema_is_refused_and_left_as_it_was', async () => {
	// A database a later harmony migrated: one more migration recorded,
	// and the column it added.
	const sub = path.join(dir, 'newer');
	mkdirSync(sub);
	const f = buildOld(path.join(sub, 'h.db'), 1, Date.now()).db;
	assert.equal((await runCli(['init', '--db', f])).status, 0);
	const future = LATEST + 1;
	sqlite(f, `BEGIN;\nALTER TABLE event ADD COLUMN livestream_url TEXT;\n` +
		`INSERT INTO ${RECORD} (version, name, applied_at) VALUES (${future}, ${q(`${String(future).padStart(4, '0')}_event_livestream.sql`)}, '2031-01-01T00:00:00Z');\nCOMMIT;\n`);
	const before = dump(f);
	const hash = fingerprint(f);
	const listing = readdirSync(sub).sort();
	for (const cmd of ['init', 'serve']) {
		const r = await runCli([cmd, '--db', f, ...(cmd === 'serve' ? ['--listen', '127.0.0.1:0'] : [])]);
		assert.equal(r.status, 8, `${cmd}: exit code (8: schema newer than this program, man page)`);
		assert.ok(r.stderr.includes(f), `${cmd}: names the file: ${r.stderr}`);
		assert.ok(r.stderr.includes(`schema version ${future} is newer than this harmony knows (${LATEST})`), `${cmd}: ${r.stderr}`);
		assert.match(r.stderr, /upgrade harmony/, `${cmd}: says what to do`);
		assert.equal(fingerprint(f), hash, `${cmd}: the file's bytes`);
		assert.deepEqual(readdirSync(sub).sort(), listing, `${cmd}: files beside it`);
		assert.equal(dump(f), before, `${cmd}: the dump`);
	}
});
