// errors.test.mjs — how harmony answers what it cannot serve: unknown
// addresses (a 404 page in the site layout, or a JSON error), wrong
// methods (405 with Allow), HEAD, malformed escapes, bad page numbers, and
// the request-size limits (URL, headers, body) — over real sockets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { links, mainOf, textOf } from './lib/html.mjs';
import { get, getJson, raw, request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

describe('not found', () => {
	test('unknown_path_gives_404_page_in_site_layout', async () => {
		const r = await get(srv.url + '/no/such/page');
		assert.equal(r.status, 404);
		assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
		assert.match(r.body, /<header class="site-header">/, 'site header');
		assert.match(r.body, /<nav class="site-nav"/, 'site navigation');
		assert.match(r.body, /<title>Page not found · United Nations Alliance of Civilizations<\/title>/);
		const main = mainOf(r.body);
		assert.match(main, /<h1>Page not found<\/h1>/);
		assert.ok(textOf(main).includes('There is no page at this address.'), 'a message');
		assert.ok(links(main).some((a) => a.href === '/'), 'a way home');
		assert.doesNotMatch(r.headers['cache-control'] ?? '', /\bpublic\b|max-age=[1-9]/, 'errors are not cached');
		assert.equal(r.headers.etag, undefined, 'no ETag on an error');
	});
	test('unknown_path_json_error', async () => {
		const r = await getJson(srv.url + '/no/such/page');
		assert.equal(r.status, 404);
		assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
		assert.equal(r.json.error.status, 404);
		assert.equal(r.json.error.message, 'There is no page at this address.');
		assert.equal(typeof r.json.error.title, 'string');
	});
	// Each row: a path whose pattern matches but whose item does not exist.
	const rows = [
		['event', '/events/no-such-event', 'There is no such event.'],
		['series', '/series/no-such-series', 'There is no such series.'],
		['category', '/news/category/no-such-category', 'There is no such category.'],
		['post_wrong_day', '/news/2012/11/13/harmony-through-diversity-and-dialogue', 'There is no such post.'],
		['post_short_year', '/news/12/11/12/harmony-through-diversity-and-dialogue', 'There is no such post.'],
		['post_letters_in_date', '/news/2012/xx/12/harmony-through-diversity-and-dialogue', 'There is no such post.'],
		['organisation', '/organisations/no-such-organisation', 'There is no such organisation.'],
		['asset', '/assets/no-such-file.css', 'There is no such file.'],
		['asset_traversal', '/assets/..%2Fmigrations%2F0001_foundation.sql', null],
		['double_slash', '//events', null],
	];
	for (const [id, path, message] of rows) {
		test(`not_found_${id}`, async () => {
			const r = await get(srv.url + path);
			assert.equal(r.status, 404, `${id}: ${path}`);
			assert.match(r.body, /<header class="site-header">/, `${id}: layout`);
			if (message) assert.ok(textOf(r.body).includes(message), `${id}: message "${message}"`);
			const j = await getJson(srv.url + path);
			assert.equal(j.status, 404, `${id}: JSON status`);
			assert.equal(j.json.error.status, 404, `${id}: JSON error`);
		});
	}
	// The API answers JSON whatever Accept says, for addresses and methods
	// it does not serve too: a program never has to parse the HTML page.
	for (const [method, path, status] of [
		['GET', '/api/v1/no-such-thing', 404],
		['GET', '/api/v1/events/asia-south-pacific-shanghai-2012/no-such-part', 404],
		['DELETE', '/api/v1/no-such-thing', 404],
		['POST', '/api/v1/no-such-thing', 404],
		['PUT', '/api/v1/events', 405],
		['DELETE', '/api/v1/events', 405],
		['POST', '/api/v1/events/asia-south-pacific-shanghai-2012', 405],
	]) {
		test(`api_${method}_${path}_answers_json_${status}`, async () => {
			const r = await request(srv.url + path, { method, headers: { 'Content-Length': '0' } });
			assert.equal(r.status, status, `${method} ${path}`);
			assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', `${method} ${path}`);
			const j = JSON.parse(r.body);
			assert.equal(j.error.status, status);
			assert.equal(typeof j.error.message, 'string');
			assert.equal(typeof j.error.title, 'string');
			if (status === 405) assert.ok((r.headers.allow ?? '').includes('GET'), `Allow: ${r.headers.allow}`);
		});
	}
	test('not_found_head_has_no_body', async () => {
		const r = await request(srv.url + '/no/such/page', { method: 'HEAD' });
		assert.equal(r.status, 404);
		assert.equal(r.bytes.length, 0);
	});
});

describe('methods', () => {
	for (const [method, path] of [['POST', '/news'], ['PUT', '/'], ['DELETE', '/events/asia-south-pacific-shanghai-2012'], ['PATCH', '/news.atom']]) {
		test(`wrong_method_${method}_${path}_gives_405_with_allow`, async () => {
			const r = await request(srv.url + path, { method, headers: { 'Content-Length': '0' } });
			assert.equal(r.status, 405);
			const allow = (r.headers.allow ?? '').split(/\s*,\s*/);
			assert.ok(allow.includes('GET') && allow.includes('HEAD'), `Allow: ${r.headers.allow}`);
			assert.ok(!allow.includes(method), `Allow must not list ${method}`);
			assert.match(r.body, /<header class="site-header">/, 'a page in the site layout');
		});
	}
	test('wrong_method_json_error', async () => {
		const r = await request(srv.url + '/news', { method: 'POST', headers: { Accept: 'application/json', 'Content-Length': '0' } });
		assert.equal(r.status, 405);
		assert.equal(JSON.parse(r.body).error.status, 405);
	});
	test('unknown_method_gives_501', async () => {
		const r = await raw(srv.port, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n');
		assert.equal(r.status, 501);
	});
	test('head_matches_get_without_body', async () => {
		for (const path of ['/', '/news', '/events/asia-south-pacific-shanghai-2012', '/news.atom']) {
			const g = await get(srv.url + path);
			const h = await request(srv.url + path, { method: 'HEAD' });
			assert.equal(h.status, 200, path);
			assert.equal(h.bytes.length, 0, `${path}: HEAD has no body`);
			assert.equal(h.headers['content-type'], g.headers['content-type'], `${path}: content type`);
			assert.equal(h.headers.etag, g.headers.etag, `${path}: ETag`);
			assert.equal(h.headers['content-length'], g.headers['content-length'], `${path}: Content-Length`);
		}
	});
	test('head_on_raw_socket_sends_no_body', async () => {
		// node's client discards a HEAD body; read the bytes themselves.
		const r = await raw(srv.port, 'HEAD /news HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		assert.equal(r.status, 200);
		assert.equal(r.body, '');
	});
	test('trailing_slash_redirects_to_the_one_url', async () => {
		for (const [from, to] of [['/news/', '/news'], ['/events/', '/events']]) {
			const r = await get(srv.url + from);
			assert.equal(r.status, 308, from);
			assert.equal(new URL(r.headers.location, srv.url).pathname, to, from);
		}
	});
});

describe('malformed requests', () => {
	const bad = [
		['bad_hex', '/news/%zz'],
		['truncated_utf8', '/events/%E0%A4'],
		['lone_percent', '/news/100%'],
		['nul_byte', '/news/%00'],
		['overlong_utf8_slash', '/events/%C0%AF'],
		['bad_hex_in_query', '/news?page=%zz'],
	];
	for (const [id, path] of bad) {
		test(`malformed_${id}_gives_400`, async () => {
			const r = await get(srv.url + path);
			assert.equal(r.status, 400, `${id}: ${path}`);
		});
	}
	const pages = [
		['letters', 'abc', 400], ['zero', '0', 400], ['negative', '-1', 400], ['fraction', '1.5', 400],
		['empty', '', 400], ['huge', '99999999999999999999', 400], ['plus', '+1', 400],
		['one', '1', 200], ['beyond_last', '999', 404], ['two_of_one', '2', 404],
	];
	for (const [id, value, status] of pages) {
		test(`news_page_param_${id}`, async () => {
			const r = await get(`${srv.url}/news?page=${encodeURIComponent(value)}`);
			assert.equal(r.status, status, `${id}: ?page=${value}`);
			if (status === 400) assert.ok(r.body.length > 0, 'an explanation');
		});
	}
	test('category_page_param_beyond_last_gives_404', async () => {
		assert.equal((await get(srv.url + '/news/category/featured?page=2')).status, 404);
		assert.equal((await get(srv.url + '/news/category/featured?page=x')).status, 400);
	});
});

describe('limits', () => {
	test('long_path_gives_414', async () => {
		const r = await raw(srv.port, `GET /${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
		// 414 is the answer harmony chose for a long URL; MHD itself would
		// answer 431 when the request line exceeds its buffer.
		assert.equal(r.status, 414);
	});
	test('long_query_gives_414', async () => {
		// The URL limit must cover the whole request target, query included.
		const r = await raw(srv.port, `GET /news?q=${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
		assert.equal(r.status, 414);
	});
	test('url_just_under_limit_is_served', async () => {
		const r = await get(`${srv.url}/news?q=${'a'.repeat(1500)}`);
		assert.equal(r.status, 200);
	});
	test('huge_header_gives_431', async () => {
		const r = await raw(srv.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
		assert.equal(r.status, 431);
	});
	test('many_headers_give_431', async () => {
		let h = '';
		for (let i = 0; i < 2000; i++) h += `X-H${i}: ${'v'.repeat(20)}\r\n`;
		const r = await raw(srv.port, `GET / HTTP/1.1\r\nHost: x\r\n${h}\r\n`);
		assert.equal(r.status, 431);
	});
	test('declared_body_over_limit_gives_413_before_upload', async () => {
		// Only the head is sent: the answer must come without the 20 MB.
		const r = await raw(srv.port, 'POST /news HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 20000000\r\n\r\n');
		assert.equal(r.status, 413);
	});
	test('chunked_body_over_limit_gives_413', async () => {
		// No Content-Length: the limit applies as the chunks arrive.
		const chunk = Buffer.alloc(1024 * 1024, 0x61);
		const parts = [Buffer.from('POST /news HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')];
		for (let i = 0; i < 11; i++) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
		parts.push(Buffer.from('0\r\n\r\n'));
		const r = await raw(srv.port, Buffer.concat(parts), { timeout: 20_000 });
		assert.equal(r.status, 413);
	});
	test('server_still_serves_after_the_abuse', async () => {
		assert.equal((await get(srv.url + '/')).status, 200);
	});
});
