// headers.test.mjs — what every answer carries (the security headers),
// caching by ETag and conditional GET for pages, the feed and the
// stylesheet, and persistent connections (keep-alive).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { tags } from './lib/html.mjs';
import { get, raw, request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const EVENT = '/events/asia-south-pacific-shanghai-2012';
let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

function assertSecurityHeaders(h, where) {
	const csp = h['content-security-policy'];
	assert.ok(csp, `${where}: Content-Security-Policy`);
	assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/, `${where}: CSP allows inline code: ${csp}`);
	assert.match(csp, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, `${where}: CSP frame-ancestors 'none'`);
	assert.match(csp, /(^|;)\s*default-src 'self'/, `${where}: CSP default-src 'self'`);
	assert.match(csp, /(^|;)\s*object-src 'none'/, `${where}: CSP object-src 'none'`);
	assert.equal(h['x-content-type-options'], 'nosniff', `${where}: X-Content-Type-Options`);
	assert.ok(h['referrer-policy'], `${where}: Referrer-Policy`);
	assert.match(h['referrer-policy'], /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
		`${where}: Referrer-Policy leaks full URLs: ${h['referrer-policy']}`);
}

describe('security headers on every answer', () => {
	const rows = [
		['home', 'GET', '/', {}, 200],
		['event', 'GET', EVENT, {}, 200],
		['post', 'GET', '/news/2012/11/12/harmony-through-diversity-and-dialogue', {}, 200],
		['json', 'GET', EVENT, { Accept: 'application/json' }, 200],
		['feed', 'GET', '/news.atom', {}, 200],
		['asset', 'GET', '/assets/site.css', {}, 200],
		['logo', 'GET', '/assets/logo.svg', {}, 200],
		['robots', 'GET', '/robots.txt', {}, 200],
		['head', 'HEAD', '/news', {}, 200],
		['redirect', 'GET', '/news/', {}, 308],
		['not_found', 'GET', '/nope', {}, 404],
		['not_found_json', 'GET', '/nope', { Accept: 'application/json' }, 404],
		['bad_method', 'POST', '/news', { 'Content-Length': '0' }, 405],
		['bad_escape', 'GET', '/news/%zz', {}, 400],
		['bad_page', 'GET', '/news?page=abc', {}, 400],
		['too_long', 'GET', '/' + 'a'.repeat(3000), {}, 414],
	];
	for (const [id, method, path, headers, status] of rows) {
		test(`security_headers_${id}`, async () => {
			const r = await request(srv.url + path, { method, headers });
			assert.equal(r.status, status, `${id}: status`);
			assertSecurityHeaders(r.headers, id);
		});
	}
	test('security_headers_not_modified', async () => {
		const a = await get(srv.url + '/');
		const r = await get(srv.url + '/', { headers: { 'If-None-Match': a.headers.etag } });
		assert.equal(r.status, 304);
		assertSecurityHeaders(r.headers, '304');
	});
	test('security_headers_body_too_large', async () => {
		const r = await raw(srv.port, 'POST /news HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n');
		assert.equal(r.status, 413);
		const h = Object.fromEntries(r.head.split('\r\n').slice(1).map((l) => {
			const i = l.indexOf(':');
			return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
		}));
		assertSecurityHeaders(h, '413');
	});
	test('pages_have_no_inline_script_or_style', async () => {
		for (const path of ['/', '/events', EVENT, '/news', '/news/2012/11/12/harmony-through-diversity-and-dialogue', '/nope']) {
			const body = (await get(srv.url + path)).body;
			// Under the CSP these would be blocked and the page would break.
			assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)[^>]*>/i, `${path}: inline <script>`);
			assert.doesNotMatch(body, /<style\b/i, `${path}: inline <style>`);
			assert.doesNotMatch(body, /\sstyle\s*=/i, `${path}: style attribute`);
			assert.doesNotMatch(body, /\son[a-z]+\s*=/i, `${path}: inline event handler`);
		}
	});
});

describe('caching', () => {
	test('stylesheet_from_the_page_has_etag_and_304', async () => {
		const css = tags((await get(srv.url + '/')).body, 'link').find((l) => l.rel === 'stylesheet');
		assert.ok(css, 'a stylesheet link');
		assert.match(css.href, /^\/assets\/site\.css\?v=[0-9a-f]{6,}$/);
		const a = await get(srv.url + css.href);
		assert.equal(a.status, 200);
		assert.equal(a.headers['content-type'], 'text/css; charset=utf-8');
		assert.ok(a.bytes.length > 1000, 'a real stylesheet');
		assert.match(a.headers.etag ?? '', /^(W\/)?"[^"]+"$/, `ETag ${a.headers.etag}`);
		assert.match(a.headers['cache-control'] ?? '', /max-age=31536000/, 'versioned URL cached for a year');
		assert.match(a.headers['cache-control'] ?? '', /\bimmutable\b/);
		const b = await get(srv.url + css.href, { headers: { 'If-None-Match': a.headers.etag } });
		assert.equal(b.status, 304);
		assert.equal(b.bytes.length, 0, '304 has no body');
		assert.equal(b.headers.etag, a.headers.etag);
		const c = await get(srv.url + css.href, { headers: { 'If-None-Match': '"0000000000000000"' } });
		assert.equal(c.status, 200, 'another ETag gets the file');
		assert.equal(c.bytes.length, a.bytes.length);
	});
	test('stylesheet_without_version_is_revalidated', async () => {
		const r = await get(srv.url + '/assets/site.css');
		assert.doesNotMatch(r.headers['cache-control'] ?? '', /immutable/, 'an unversioned URL may change');
	});
	test('asset_version_is_the_content_hash', async () => {
		// The ?v= changes when the file does: two assets, two versions.
		const links = tags((await get(srv.url + '/')).body, 'link');
		const v = links.filter((l) => l.href?.startsWith('/assets/')).map((l) => new URL(l.href, srv.url).searchParams.get('v'));
		assert.equal(v.length, 2, 'stylesheet and icon');
		assert.notEqual(v[0], v[1]);
	});
	for (const path of ['/', EVENT, '/news', '/news.atom']) {
		test(`page_conditional_get ${path}`, async () => {
			const a = await get(srv.url + path);
			assert.equal(a.status, 200);
			assert.ok(a.headers.etag, 'an ETag');
			const b = await get(srv.url + path, { headers: { 'If-None-Match': a.headers.etag } });
			assert.equal(b.status, 304);
			assert.equal(b.bytes.length, 0);
			const c = await get(srv.url + path, { headers: { 'If-None-Match': `"x", ${a.headers.etag}` } });
			assert.equal(c.status, 304, 'an ETag in a list matches');
			const d = await get(srv.url + path, { headers: { 'If-None-Match': '"nope"' } });
			assert.equal(d.status, 200);
			assert.equal(d.headers.etag, a.headers.etag, 'the same page gets the same ETag');
		});
	}
	test('json_twin_has_its_own_etag', async () => {
		const h = await get(srv.url + EVENT);
		const j = await get(srv.url + EVENT, { headers: { Accept: 'application/json' } });
		assert.ok(j.headers.etag);
		assert.notEqual(j.headers.etag, h.headers.etag, 'HTML and JSON differ, so must their ETags');
		// A client that cached the HTML must not get a 304 for the JSON.
		const r = await get(srv.url + EVENT, { headers: { Accept: 'application/json', 'If-None-Match': h.headers.etag } });
		assert.equal(r.status, 200);
		assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
	});
	test('errors_are_not_cached', async () => {
		const r = await get(srv.url + '/nope', { headers: { 'If-None-Match': '*' } });
		assert.equal(r.status, 404, 'If-None-Match does not turn a 404 into a 304');
	});
});

describe('connections', () => {
	test('keep_alive_serves_several_requests_on_one_connection', async () => {
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		try {
			const sockets = new Set();
			const paths = ['/', '/events', EVENT, '/news', '/assets/site.css', '/nope', '/news.atom'];
			for (const path of paths) {
				const r = await request(srv.url + path, { agent });
				assert.equal(r.status, path === '/nope' ? 404 : 200, path);
				assert.notEqual((r.headers.connection ?? '').toLowerCase(), 'close', `${path}: Connection: close`);
				sockets.add(r.socket);
			}
			assert.equal(sockets.size, 1, `requests used ${sockets.size} connections`);
		} finally {
			agent.destroy();
		}
	});
	test('keep_alive_pipelined_requests_on_raw_socket', async () => {
		// Two requests in one write; two answers in order on the same socket.
		const r = await raw(srv.port,
			'GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
			{ timeout: 5000, untilClose: true });
		const statuses = [...r.text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
		assert.deepEqual(statuses, [200, 404]);
	});
});
