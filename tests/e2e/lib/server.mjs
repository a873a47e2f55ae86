// server.mjs — runs the harmony binary for the end-to-end tests: the CLI
// (runCli) and a server on a fresh demo database in a temporary folder
// (startServer). Every run is checked for sanitizer reports, since the
// suite normally drives the ASan+UBSan build.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbHome, freshDatabase, isUri, onPg, serversOn } from './backend.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// scripts/run-e2e names the binary; run by hand, prefer the sanitizer build.
export function harmonyBin() {
	if (process.env.HARMONY_BIN) return path.resolve(ROOT, process.env.HARMONY_BIN);
	const san = path.join(ROOT, 'build/san/harmony');
	return existsSync(san) ? san : path.join(ROOT, 'harmony');
}

// Reports go to stderr and the process must not carry on after one.
const SAN_ENV = {
	ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86:strict_string_checks=1',
	UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
	// new password hashes at libsodium's least cost: the suite makes
	// hundreds of accounts (src/auth/password.c; security.test.mjs checks
	// harmony's own cost without it)
	HARMONY_TEST_PWHASH: 'min',
	LSAN_OPTIONS: 'exitcode=87',
	TSAN_OPTIONS: 'halt_on_error=0:exitcode=88:second_deadlock_stack=1',
};

const SANITIZER_RE =
	/ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|WARNING: ThreadSanitizer|runtime error: |SUMMARY: \w+Sanitizer/;

export function assertNoSanitizerReport(stderr, what) {
	const m = SANITIZER_RE.exec(stderr);
	if (m) {
		const from = Math.max(0, m.index - 200);
		assert.fail(`${what}: sanitizer report in stderr:\n${stderr.slice(from, from + 4000)}`);
	}
}

export function tempDir() {
	return mkdtempSync(path.join(tmpdir(), 'harmony-e2e-'));
}

export function sha256File(file) {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

// Where harmony runs when the test does not say: on PostgreSQL, the home of
// the database named by --db, so that the default ./media and ./outbox are
// the folders beside the file the test named, as with SQLite.
function defaultCwd(args) {
	const i = args.indexOf('--db');
	const db = i >= 0 ? args[i + 1] : undefined;
	return (isUri(db) && dbHome(db)) || tmpdir();
}

// Runs `harmony ARGS...` to completion: {status, signal, stdout, stderr}.
export function runCli(args, { cwd, timeout = 60_000 } = {}) {
	const r = spawnSync(harmonyBin(), args, {
		cwd: cwd ?? defaultCwd(args),
		encoding: 'utf8',
		timeout,
		env: { ...process.env, ...SAN_ENV },
	});
	if (r.error) throw r.error;
	assertNoSanitizerReport(r.stderr, `harmony ${args.join(' ')}`);
	return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// The same, without blocking: lets a test file run its CLI cases side by
// side (each sanitizer run costs a few hundred milliseconds).
export function runCliAsync(args, { cwd, timeout = 60_000 } = {}) {
	return new Promise((resolve, reject) => {
		const p = spawn(harmonyBin(), args, {
			cwd: cwd ?? defaultCwd(args),
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, ...SAN_ENV },
		});
		let stdout = '';
		let stderr = '';
		p.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
		p.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
		const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
		p.on('error', reject);
		p.on('close', (status, signal) => {
			clearTimeout(timer);
			try {
				assertNoSanitizerReport(stderr, `harmony ${args.join(' ')}`);
			} catch (e) {
				reject(e);
				return;
			}
			resolve({ status, signal, stdout, stderr });
		});
	});
}

// The organiser account `harmony demo` prints (organiser of the Shanghai
// event): {email, password}, or null when stdout names none.
export function demoOrganiser(stdout) {
	const email = /^organiser account:\s*(\S+)/m.exec(stdout);
	const password = /^password[^:\n]*:\s*(\S+)/m.exec(stdout);
	return email && password ? { email: email[1], password: password[1] } : null;
}

// Creates the demo database at file (which must not exist); returns the
// database: file, or on PostgreSQL the URI of a fresh database made for
// it (lib/backend.mjs).
export function makeDemo(file) {
	return makeDemoWithOrganiser(file).db;
}

// The same, also giving the demo organiser: {db, organiser: {email, password}}.
export function makeDemoWithOrganiser(file) {
	const db = onPg && !isUri(file) ? freshDatabase(file) : file;
	const r = runCli(['demo', '--db', db]);
	assert.equal(r.status, 0, `harmony demo --db ${db}: ${r.stderr}`);
	return { db, organiser: demoOrganiser(r.stdout) };
}

const live = new Set();
process.on('exit', () => {
	for (const p of live) p.kill('SIGKILL');
});

// Starts `harmony serve` on 127.0.0.1 and a free port. Without db, a demo
// database is made in a fresh temporary folder (removed by stop()). The
// server runs in that folder, or in the home of a PostgreSQL database the
// test made (lib/backend.mjs), where its default media and outbox are.
// Resolves to {url, port, db, dir, proc, organiser, stderr(), stop(), kill()}
// (organiser: the demo's {email, password} when the demo was made here);
// stop() sends SIGTERM and asserts a clean exit (0) with no sanitizer report.
// kill() is a crash instead: SIGKILL at once, no shutdown of any kind; it
// resolves to {code, signal, stderr} once the process is gone, asserting
// no sanitizer report before the kill. The database stays, for a server
// started on it again (startServer({db})); so does the folder when the
// demo database was made in it.
export async function startServer({ db, args = [], startTimeout = 30_000 } = {}) {
	const dir = tempDir();
	const demo = db ? null : makeDemoWithOrganiser(path.join(dir, 'h.db'));
	const dbPath = db ?? demo.db;
	const proc = spawn(harmonyBin(), ['serve', '--listen', '127.0.0.1:0', '--db', dbPath, ...args], {
		cwd: (isUri(dbPath) && dbHome(dbPath)) || dir,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, ...SAN_ENV },
	});
	live.add(proc);
	let out = '';
	let err = '';
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (s) => (err += s));
	proc.stdout.setEncoding('utf8');
	const exited = new Promise((resolve) =>
		proc.on('exit', (code, signal) => {
			live.delete(proc);
			resolve({ code, signal });
		}),
	);

	const url = await new Promise((resolve, reject) => {
		let started = false;
		const fail = (e) => {
			if (started) return;
			proc.kill('SIGKILL');
			rmSync(dir, { recursive: true, force: true });
			reject(e);
		};
		const timer = setTimeout(() => fail(new Error(`harmony serve did not start in time; stderr:\n${err}`)),
			startTimeout);
		proc.stdout.on('data', (s) => {
			out += s;
			const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))\b/.exec(out);
			if (m && !started) {
				started = true;
				clearTimeout(timer);
				resolve(m[1]);
			}
		});
		exited.then(({ code, signal }) => {
			clearTimeout(timer);
			fail(new Error(`harmony serve exited (${code ?? signal}) before listening; stderr:\n${err}`));
		});
	});

	if (isUri(dbPath)) {
		if (!serversOn.has(dbPath)) serversOn.set(dbPath, new Set());
		serversOn.get(dbPath).add(url);
	}
	let stopped = null;
	async function stop({ expectCode = 0, timeout = 20_000 } = {}) {
		if (stopped) return stopped;
		serversOn.get(dbPath)?.delete(url);
		stopped = (async () => {
			proc.kill('SIGTERM');
			const timer = setTimeout(() => proc.kill('SIGKILL'), timeout);
			const { code, signal } = await exited;
			clearTimeout(timer);
			rmSync(dir, { recursive: true, force: true });
			assertNoSanitizerReport(err, 'harmony serve');
			assert.equal(signal, null, `harmony serve was killed by ${signal} (did not stop on SIGTERM); stderr:\n${err}`);
			assert.equal(code, expectCode, `harmony serve exit code; stderr:\n${err}`);
			return { code, stderr: err };
		})();
		return stopped;
	}

	function kill() {
		if (stopped) return stopped;
		serversOn.get(dbPath)?.delete(url);
		proc.kill('SIGKILL');
		stopped = (async () => {
			const { code, signal } = await exited;
			if (!demo) rmSync(dir, { recursive: true, force: true });
			assertNoSanitizerReport(err, 'harmony serve (killed)');
			return { code, signal, stderr: err };
		})();
		return stopped;
	}

	return {
		url,
		port: Number(new URL(url).port),
		db: dbPath,
		dir,
		proc,
		organiser: demo?.organiser ?? null,
		exited,
		stderr: () => err,
		stdout: () => out,
		stop,
		kill,
	};
}
