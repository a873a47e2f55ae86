// cookies-https.test.mjs — on a site whose --base-url is https, the
// session and pre-session cookies are always Secure and carry the __Host-
// prefix (Path=/, no Domain), whatever the request or a proxy says; only
// the prefixed names are read, so a cookie planted under the plain name
// (by a sibling subdomain, say) is never taken. An http site keeps the
// plain names (security.test.mjs covers it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

let srv;
before(async () => {
	srv = await startServer({ args: ['--base-url', 'https://harmony.example'] });
});
after(async () => {
	await srv?.stop();
});

// Set-Cookie lines as {name, value, attrs: Set(lower-case), raw}.
function cookies(res) {
	return [res.headers['set-cookie'] ?? []].flat().map((c) => {
		const [pair, ...rest] = c.split(';');
		const i = pair.indexOf('=');
		return { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim(),
			attrs: new Set(rest.map((a) => a.trim().toLowerCase())), raw: c };
	});
}
const named = (res, name) => cookies(res).find((c) => c.name === name);

function assertHostCookie(c, what) {
	assert.ok(c, `${what}: no such cookie`);
	for (const a of ['secure', 'path=/', 'httponly', 'samesite=lax']) assert.ok(c.attrs.has(a), `${what} ${a}: ${c.raw}`);
	assert.ok(![...c.attrs].some((a) => a.startsWith('domain')), `${what}: no Domain: ${c.raw}`);
}

// The sign-in form, then signing in with the pre-session cookie under `preName`.
async function signIn(preName = '__Host-presession') {
	const form = await request(srv.url + '/sign-in');
	const pre = named(form, '__Host-presession');
	const csrf = /name="_csrf" value="([^"]*)"/.exec(form.body)[1];
	const body = new URLSearchParams({ _csrf: csrf, email: srv.organiser.email, password: srv.organiser.password }).toString();
	const r = await request(srv.url + '/sign-in', {
		method: 'POST', body,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `${preName}=${pre.value}` },
	});
	return { form, pre, r };
}

describe('cookies on an https site', () => {
	test('https_presession_cookie_is_host_prefixed_and_secure', async () => {
		const { form, pre } = await signIn();
		assertHostCookie(pre, '__Host-presession');
		assert.equal(named(form, 'presession'), undefined, 'no cookie under the plain name');
	});

	test('https_session_cookie_is_host_prefixed_and_secure', async () => {
		const { r } = await signIn();
		assert.equal(r.status, 303, `${r.status} ${r.body.slice(0, 300)}`);
		const s = named(r, '__Host-session');
		assertHostCookie(s, '__Host-session');
		assert.ok(s.value.length >= 32, 'a session token');
		assert.equal(named(r, 'session'), undefined, 'no cookie under the plain name');
		const cleared = named(r, '__Host-presession');
		assert.ok(cleared && !cleared.value && cleared.attrs.has('max-age=0') && cleared.attrs.has('secure'),
			`the pre-session cookie is cleared, Secure: ${cleared?.raw}`);
	});

	test('https_secure_even_when_a_request_says_plain_http', async () => {
		const r = await request(srv.url + '/sign-in', { headers: { 'X-Forwarded-Proto': 'http' } });
		assertHostCookie(named(r, '__Host-presession'), '__Host-presession');
	});

	test('https_only_the_prefixed_session_cookie_is_read', async () => {
		const { r } = await signIn();
		const token = named(r, '__Host-session').value;
		const account = (cookie) => request(srv.url + '/api/v1/account', { headers: { Cookie: cookie, Accept: 'application/json' } });
		assert.equal((await account(`__Host-session=${token}`)).status, 200, 'signed in with the prefixed name');
		assert.equal((await account(`session=${token}`)).status, 401, 'the plain name is not read');
	});

	test('https_only_the_prefixed_presession_cookie_is_read', async () => {
		const { r } = await signIn('presession');
		assert.equal(r.status, 403, 'a pre-session cookie under the plain name does not pass the CSRF check');
		assert.equal(named(r, '__Host-session'), undefined, 'no session');
	});
});
