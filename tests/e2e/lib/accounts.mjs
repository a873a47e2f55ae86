// accounts.mjs — people in the end-to-end tests: accounts made with
// `harmony user add` (the password on stdin, as a person would type it),
// a client that keeps its cookies and fills in the CSRF field of the page
// it last read, and personal API tokens.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from './http.mjs';
import { assertNoSanitizerReport, harmonyBin } from './server.mjs';

export const PASSWORD = 'correct horse battery staple';

const SAN_ENV = {
	ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86',
	UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
	// new password hashes at libsodium's least cost: the suite makes
	// hundreds of accounts (src/auth/password.c; security.test.mjs checks
	// harmony's own cost without it)
	HARMONY_TEST_PWHASH: 'min',
};

// Adds an account to the database file: role participant (default),
// admin, or organiser with event or series (slugs).
export function addAccount(db, { email, name, role, event, series, organisation, password = PASSWORD }) {
	const args = ['user', 'add', '--db', db, '--email', email, '--name', name];
	if (organisation) args.push('--organisation', organisation);
	if (role) args.push('--role', role);
	if (event) args.push('--event', event);
	if (series) args.push('--series', series);
	const r = spawnSync(harmonyBin(), args, {
		input: `${password}\n`,
		encoding: 'utf8',
		env: { ...process.env, ...SAN_ENV },
	});
	assertNoSanitizerReport(r.stderr ?? '', 'harmony user add');
	assert.equal(r.status, 0, `harmony user add ${email}: ${r.stderr}`);
}

const CSRF_RE = /name="_csrf" value="([^"]*)"/;

// A browser-like client: cookies kept, CSRF taken from the last HTML page.
export class Client {
	// localAddress: the loopback address the client connects from
	// (127.0.0.2…), to be another person on another network.
	constructor(base, { localAddress } = {}) {
		this.base = base;
		this.localAddress = localAddress;
		this.cookies = new Map();
		this.csrf = '';
	}

	cookieHeader() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	keep(res) {
		for (const c of [res.headers['set-cookie'] ?? []].flat()) {
			const [pair, ...attrs] = c.split(';');
			const i = pair.indexOf('=');
			const name = pair.slice(0, i).trim();
			const value = pair.slice(i + 1).trim();
			if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
		const m = CSRF_RE.exec(res.body);
		if (m && /text\/html/.test(res.headers['content-type'] ?? '')) this.csrf = m[1];
		return res;
	}

	async req(method, path, { body, headers = {}, json = false } = {}) {
		const h = { ...headers };
		if (this.cookies.size) h.Cookie = this.cookieHeader();
		if (json) h.Accept = 'application/json';
		const res = this.keep(await request(this.base + path, { method, headers: h, body, localAddress: this.localAddress }));
		if (json && /application\/json/.test(res.headers['content-type'] ?? '')) res.json = JSON.parse(res.body);
		return res;
	}

	get(path, opts = {}) {
		return this.req('GET', path, opts);
	}

	getJson(path) {
		return this.req('GET', path, { json: true });
	}

	// Posts a form as a browser would; the CSRF field is the last page's
	// unless csrf says otherwise (false: none at all).
	post(path, fields = {}, { csrf, json = false } = {}) {
		const form = new URLSearchParams();
		const token = csrf === undefined ? this.csrf : csrf;
		if (token !== false) form.set('_csrf', token);
		for (const [k, v] of Object.entries(fields)) form.set(k, v);
		return this.req('POST', path, {
			body: form.toString(),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			json,
		});
	}

	// A JSON API call with the session and the X-CSRF-Token header.
	api(method, path, body, { csrf = true } = {}) {
		const headers = { 'Content-Type': 'application/json' };
		if (csrf) headers['X-CSRF-Token'] = this.csrf;
		return this.req(method, path, { body: body === undefined ? undefined : JSON.stringify(body), headers, json: true });
	}

	async signIn(email, password = PASSWORD) {
		await this.get('/sign-in');
		const r = await this.post('/sign-in', { email, password });
		assert.equal(r.status, 303, `sign-in of ${email}: ${r.status} ${r.body.slice(0, 300)}`);
		await this.get('/account'); // the session's CSRF token
		return this;
	}
}

export async function signedIn(base, email, password = PASSWORD) {
	return new Client(base).signIn(email, password);
}

// A personal API token of a signed-in client ("hm_…"); making one asks
// for the password again.
export async function apiToken(client, scope = 'write', label = 'tests', password = PASSWORD) {
	const r = await client.post('/account/api-tokens', { label, scope, password }, { json: true });
	assert.equal(r.status, 201, `API token: ${r.body}`);
	return r.json.token;
}

// A JSON request with a bearer token (no cookie, no CSRF).
export async function bearer(base, token, method, path, body) {
	const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await request(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	if (/application\/json/.test(res.headers['content-type'] ?? '')) res.json = JSON.parse(res.body);
	return res;
}
