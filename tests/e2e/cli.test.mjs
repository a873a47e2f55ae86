// cli.test.mjs — the harmony command as an operator meets it: help and
// version, usage errors (exit 2), demo's refusal to overwrite, and serve /
// init refusing files that are not harmony databases (or are newer than
// this binary) without changing a byte of them; `media prune` removing
// exactly the old uploads nothing uses. On PostgreSQL (lib/backend.mjs)
// the cases about files are skipped and their counterparts run on
// databases of the test cluster: a database of another application, an
// empty one, one that does not exist, a server that cannot be reached.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiToken, bearer, signedIn } from './lib/accounts.mjs';
import { get, request } from './lib/http.mjs';
import { ROOT, makeDemo, runCliAsync as runCli, sha256File, startServer, tempDir } from './lib/server.mjs';
import { newDatabase, onPg, sqliteOnly } from './lib/backend.mjs';
import { jsonRows, pgDumpAll, sqlite } from './lib/sqlite.mjs';

let dir, good;
before(() => {
	dir = tempDir();
	good = makeDemo(path.join(dir, 'good.db'));
});
after(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});
const file = (name) => path.join(dir, name);
// What must not change: a file's bytes; a PostgreSQL database's tables
// (empty ones too) and every row of them.
const fingerprint = (db) => (onPg
	? `${sqlite(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1;")}\n${pgDumpAll(db)}`
	: sha256File(db));

describe('help, version and usage errors', { concurrency: true }, () => {
	test('cli_help_lists_commands', async () => {
		for (const flag of ['--help', '-h', 'help']) {
			const r = await runCli([flag]);
			assert.equal(r.status, 0, flag);
			assert.match(r.stdout, /^usage: harmony/m, `${flag}: usage on stdout`);
			for (const c of ['serve', 'init', 'demo']) assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), `${flag}: lists ${c}`);
			assert.equal(r.stderr, '', `${flag}: nothing on stderr`);
		}
	});
	test('cli_version', async () => {
		const r = await runCli(['--version']);
		assert.equal(r.status, 0);
		const v = readFileSync(path.join(ROOT, 'VERSION'), 'utf8').trim();
		assert.equal(r.stdout.trim(), `harmony ${v}`);
	});
	test('cli_command_help', async () => {
		for (const c of ['serve', 'init', 'demo']) {
			const r = await runCli([c, '--help']);
			assert.equal(r.status, 0, `${c} --help`);
			assert.match(r.stdout, /usage: harmony/, `${c} --help`);
		}
	});
	const usage = [
		['no_arguments', []],
		['unknown_command', ['frobnicate']],
		['unknown_global_flag', ['--bogus']],
		['serve_unknown_flag', ['serve', '--bogus']],
		['serve_missing_value', ['serve', '--db']],
		['serve_extra_argument', ['serve', 'extra']],
		['serve_bad_listen', () => ['serve', '--db', good, '--listen', 'nonsense']],
		['serve_bad_port', () => ['serve', '--db', good, '--listen', '127.0.0.1:99999']],
		['serve_bad_address', () => ['serve', '--db', good, '--listen', '300.1.1.1:80']],
		['serve_bad_threads', () => ['serve', '--db', good, '--threads', '0']],
		['init_unknown_flag', ['init', '--bogus']],
		['init_force_is_demo_only', ['init', '--force']],
		['demo_unknown_flag', ['demo', '--bogus']],
		['media_no_command', ['media']],
		['media_unknown_command', ['media', 'frobnicate']],
		['media_prune_unknown_flag', ['media', 'prune', '--bogus']],
		['media_prune_bad_grace', () => ['media', 'prune', '--db', good, '--grace', 'soon']],
		['media_prune_negative_grace', () => ['media', 'prune', '--db', good, '--grace', '-1']],
		['media_prune_extra_argument', () => ['media', 'prune', '--db', good, 'extra']],
	];
	for (const [id, argv] of usage) {
		test(`cli_usage_error_${id}`, async () => {
			const args = typeof argv === 'function' ? argv() : argv;
			const r = await runCli(args, { cwd: dir });
			assert.equal(r.status, 2, `${id}: exit code (stderr: ${r.stderr})`);
			assert.equal(r.stdout, '', `${id}: nothing on stdout`);
			assert.ok(r.stderr.trim().length > 0, `${id}: a message on stderr`);
			assert.ok(!existsSync(path.join(dir, 'harmony.db')), `${id}: no default database created`);
		});
	}
	test('cli_unknown_flag_prints_usage_on_stderr', async () => {
		for (const args of [['serve', '--bogus'], ['init', '--bogus'], ['demo', '--bogus'], ['frobnicate']]) {
			const r = await runCli(args, { cwd: dir });
			assert.match(r.stderr, /usage: harmony/, `${args.join(' ')}: usage on stderr`);
		}
	});
});

describe('demo and init', { concurrency: true }, () => {
	test('cli_demo_creates_and_refuses_to_overwrite', async () => {
		const db = newDatabase(file('demo.db'));
		const r = await runCli(['demo', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /demo/);
		assert.equal(sqlite(db, 'SELECT count(*) FROM event;').trim(), '2');
		const hash = fingerprint(db);
		const again = await runCli(['demo', '--db', db]);
		assert.equal(again.status, 4, 'refuses an existing file (4: the target exists, man page)');
		assert.match(again.stderr, /--force/, 'says how to replace it');
		assert.equal(fingerprint(db), hash, 'file untouched');
	});
	test('cli_demo_refuses_any_existing_file', { skip: sqliteOnly('a file that is not a database') }, async () => {
		const f = file('notes.txt');
		writeFileSync(f, 'precious notes\n');
		const r = await runCli(['demo', '--db', f]);
		assert.equal(r.status, 4, r.stderr);
		assert.equal(readFileSync(f, 'utf8'), 'precious notes\n');
	});
	test('cli_demo_force_replaces', async () => {
		const db = makeDemo(file('forced.db'));
		sqlite(db, "UPDATE event SET title = 'Changed' WHERE id = 2;");
		const r = await runCli(['demo', '--db', db, '--force']);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(sqlite(db, 'SELECT title FROM event WHERE id = 2;').trim(), 'Regional Consultations for Asia-South Pacific');
		assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('forced.db.new')), [], 'no temporary file left');
	});
	test('cli_init_creates_an_empty_database_and_is_idempotent', async () => {
		const db = newDatabase(file('init.db'));
		const r = await runCli(['init', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /schema version \d+/);
		assert.equal(sqlite(db, 'SELECT count(*) FROM event;').trim(), '0');
		const again = await runCli(['init', '--db', db]);
		assert.equal(again.status, 0, 'init on a current database is a no-op');
		assert.equal(again.stdout, r.stdout);
	});
	test('cli_serve_on_an_empty_database', async () => {
		const db = newDatabase(file('served-empty.db'));
		assert.equal((await runCli(['init', '--db', db])).status, 0);
		const srv = await startServer({ db });
		try {
			for (const p of ['/', '/events', '/news', '/news.atom']) assert.equal((await get(srv.url + p)).status, 200, p);
			assert.equal((await get(srv.url + '/events/asia-south-pacific-shanghai-2012')).status, 404);
		} finally {
			await srv.stop();
		}
	});
});

describe('serve and init refuse what is not theirs', { concurrency: true }, () => {
	// Each row makes a database (a file, or on PostgreSQL a database of the
	// test cluster); serve and init must both refuse it, exit non-zero with
	// a message naming it, and leave it byte for byte (every table and row).
	const foreign = 'CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customer VALUES (1, \'Ada\');';
	const ours = 'CREATE TABLE event (id INTEGER); CREATE TABLE schema_migrations (version INTEGER);';
	const rows = [
		['text_file', (f) => void writeFileSync(f, 'This is not a database.\n'.repeat(100)), /not a harmony database/, sqliteOnly('a text file')],
		['foreign_sqlite', (f) => void sqlite(f, foreign), /not a harmony database/, sqliteOnly('a SQLite file')],
		['foreign_sqlite_with_our_table_names', (f) => void sqlite(f, ours), /not a harmony database/, sqliteOnly('a SQLite file')],
		['foreign_database', (f) => { const db = newDatabase(f); sqlite(db, foreign); return db; }, /not a harmony database/, !onPg && 'PostgreSQL only (on SQLite: foreign_sqlite)'],
		['foreign_database_with_our_table_names', (f) => { const db = newDatabase(f); sqlite(db, ours); return db; }, /not a harmony database/,
			!onPg && 'PostgreSQL only (on SQLite: foreign_sqlite_with_our_table_names)'],
		['newer_schema', (f) => {
			const db = makeDemo(f);
			sqlite(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', '2030-01-01T00:00:00Z');");
			return db;
		}, /newer/, false],
	];
	for (const [id, make, message, skip] of rows) {
		for (const cmd of ['serve', 'init']) {
			test(`cli_${cmd}_refuses_${id}`, { skip }, async () => {
				const sub = path.join(dir, `${cmd}-${id}`);
				mkdirSync(sub);
				const f = make(path.join(sub, 'x.db')) ?? path.join(sub, 'x.db');
				const hash = fingerprint(f);
				const listing = readdirSync(sub).sort();
				const r = await runCli([cmd, '--db', f, ...(cmd === 'serve' ? ['--listen', '127.0.0.1:0'] : [])]);
				assert.equal(r.status, 8, `${cmd} ${id}: exit code (8: not a harmony database or newer, man page)`);
				assert.ok(r.stderr.includes(f), `${cmd} ${id}: message names the file: ${r.stderr}`);
				assert.match(r.stderr, message, `${cmd} ${id}: message`);
				assert.equal(fingerprint(f), hash, `${cmd} ${id}: file changed`);
				assert.deepEqual(readdirSync(sub).sort(), listing, `${cmd} ${id}: files appeared beside it`);
			});
		}
	}
	test('cli_serve_refuses_an_empty_file', async () => {
		// On PostgreSQL: a database with no tables.
		const f = newDatabase(file('zero.db'));
		if (!onPg) writeFileSync(f, '');
		const hash = fingerprint(f);
		const r = await runCli(['serve', '--db', f, '--listen', '127.0.0.1:0']);
		assert.equal(r.status, 8, r.stderr);
		assert.match(r.stderr, /harmony init/, 'says to run init');
		assert.equal(fingerprint(f), hash, 'nothing made in it');
		if (!onPg) assert.equal(readFileSync(f).length, 0);
	});
	test('cli_pg_database_that_does_not_exist_or_cannot_be_reached', { skip: !onPg && 'PostgreSQL only (on SQLite: cli_serve_refuses_a_missing_file_without_creating_it)' }, async () => {
		// Refused at start with the reason libpq gives and a non-zero exit
		// (7: the server or database cannot be reached), never created, and
		// the password in the URI is not shown.
		const missing = newDatabase(file('gone.db'));
		sqlite(process.env.HM_TEST_PG, `DROP DATABASE ${new URL(missing).pathname.slice(1)};`);
		const cases = [
			[missing, /does not exist/],
			['postgresql:///harmony?host=/nonexistent-socket-folder&user=harmony&password=s3cret-word', /No such file or directory|could not connect|failed/],
		];
		for (const [uri, why] of cases) {
			for (const cmd of ['serve', 'init']) {
				const r = await runCli([cmd, '--db', uri, ...(cmd === 'serve' ? ['--listen', '127.0.0.1:0'] : [])], { timeout: 20_000 });
				assert.equal(r.signal, null, `${cmd}: stops by itself`);
				assert.equal(r.status, 7, `${cmd} ${uri}: exit code: ${r.stderr}`);
				assert.equal(r.stdout, '', `${cmd}: nothing on stdout`);
				assert.match(r.stderr, /cannot connect/, `${cmd}: says so`);
				assert.match(r.stderr, why, `${cmd}: says why`);
				assert.ok(!r.stderr.includes('s3cret-word'), `${cmd}: no password in the message`);
			}
		}
		assert.equal(sqlite(process.env.HM_TEST_PG, `SELECT count(*) FROM pg_database WHERE datname = '${new URL(missing).pathname.slice(1)}';`).trim(), '0',
			'not created');
	});
	test('cli_serve_refuses_a_missing_file_without_creating_it', { skip: sqliteOnly('a file path (PostgreSQL: cli_pg_database_that_does_not_exist_or_cannot_be_reached)') }, async () => {
		const f = file('missing.db');
		const r = await runCli(['serve', '--db', f, '--listen', '127.0.0.1:0']);
		assert.equal(r.status, 3, `3: not found (man page): ${r.stderr}`);
		assert.match(r.stderr, /no such database/);
		assert.ok(!existsSync(f), 'not created');
	});
	test('cli_serve_reports_a_busy_port', async () => {
		const db = makeDemo(file('busy.db'));
		const blocker = net.createServer();
		await new Promise((res) => blocker.listen(0, '127.0.0.1', res));
		try {
			const r = await runCli(['serve', '--db', db, '--listen', `127.0.0.1:${blocker.address().port}`]);
			// An exit of its own, not a crash (a signal leaves status null).
			assert.equal(r.signal, null);
			assert.ok(r.status > 0, `exit ${r.status}`);
			assert.match(r.stderr, /cannot listen/);
		} finally {
			blocker.close();
		}
	});
});

describe('media prune', () => {
	const SEEDS = path.join(ROOT, 'tests/fuzz/corpus/image');
	const SH = 'asia-south-pacific-shanghai-2012';

	// One image through POST /api/v1/media as the demo organiser (event SH).
	async function upload(srv, token, seed) {
		const boundary = `----harmony${Math.random().toString(16).slice(2)}`;
		const body = Buffer.concat([
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="event_slug"\r\n\r\n${SH}\r\n`),
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${seed}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
			readFileSync(path.join(SEEDS, seed)),
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		const r = await request(`${srv.url}/api/v1/media`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body,
		});
		assert.equal(r.status, 201, `upload of ${seed}: ${r.body}`);
		return JSON.parse(r.body);
	}

	test('cli_media_prune_removes_exactly_the_old_upload_nothing_uses', async () => {
		const srv = await startServer();
		try {
			const media = path.join(srv.dir, 'media');
			const old = Date.now() / 1000 - 3 * 86400;
			const ageFile = (name) => utimesSync(path.join(media, name), old, old);
			const client = await signedIn(srv.url, srv.organiser.email, srv.organiser.password);
			const token = await apiToken(client, 'write', 'tests', srv.organiser.password);
			const unused = await upload(srv, token, 'red-blue.png'); // old, used by nothing: goes
			const recent = await upload(srv, token, 'alpha.png'); // used by nothing, but new: stays
			const used = await upload(srv, token, 'red-blue.jpg'); // old, used by a post: stays
			const post = await bearer(srv.url, token, 'POST', '/api/v1/posts', {
				title: 'With a photo', event_slug: SH, image: used.name, image_alt: 'Red and blue',
			});
			assert.equal(post.status, 201, post.body);
			for (const f of [unused, used]) {
				ageFile(f.name);
				ageFile(f.thumb);
			}
			const before = readdirSync(media).sort();

			const dry = await runCli(['media', 'prune', '--db', srv.db, '--dry-run']);
			assert.equal(dry.status, 0, dry.stderr);
			assert.deepEqual(readdirSync(media).sort(), before, 'a dry run removes nothing');
			assert.match(dry.stdout, new RegExp(`^would remove ${unused.name} `, 'm'));
			assert.match(dry.stdout, /^would remove 2 files /m);

			const r = await runCli(['media', 'prune', '--db', srv.db]);
			assert.equal(r.status, 0, r.stderr);
			const removed = r.stdout.split('\n').filter((l) => l.startsWith('removed ') && !/^removed \d+ file/.test(l));
			assert.deepEqual(removed.map((l) => l.split(' ')[1]).sort(), [unused.name, unused.thumb].sort(), r.stdout);
			assert.match(r.stdout, /^removed 2 files \(\d+ bytes\); kept 1 in use, 1 uploaded within the last 24 hours$/m);
			assert.deepEqual(readdirSync(media).sort(), before.filter((n) => n !== unused.name && n !== unused.thumb));
			for (const f of [recent, used]) assert.ok(existsSync(path.join(media, f.name)) && existsSync(path.join(media, f.thumb)));

			// Gone from the site as well, and recorded as done by the command line.
			assert.equal((await get(`${srv.url}/media/${unused.name}`)).status, 404);
			assert.equal((await get(`${srv.url}/media/${used.name}`)).status, 200);
			const audit = jsonRows(srv.db, "SELECT actor, before_json FROM audit_log WHERE action = 'media.remove'");
			assert.deepEqual(audit.map((a) => `${a.actor} ${JSON.parse(a.before_json).name}`), [`cli ${unused.name}`]);

			const again = await runCli(['media', 'prune', '--db', srv.db]);
			assert.match(again.stdout, /^removed 0 files /m);
		} finally {
			await srv.stop();
		}
	});

	test('cli_media_prune_bad_grace_says_why', async () => {
		for (const v of ['soon', '1.5', '', '99999999']) {
			const r = await runCli(['media', 'prune', '--db', good, '--grace', v]);
			assert.equal(r.status, 2, `--grace ${v}`);
			assert.match(r.stderr, /--grace takes a whole number of hours/, `--grace ${v}`);
		}
	});

	test('cli_media_prune_named_folder_must_exist', async () => {
		const r = await runCli(['media', 'prune', '--db', good, '--media', file('no-such-folder')]);
		assert.equal(r.status, 3);
		assert.match(r.stderr, /there is no media folder/);
		assert.ok(!existsSync(file('no-such-folder')), 'not created');
	});
});
