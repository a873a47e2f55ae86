// framing.test.mjs — requests whose length or host could be read two ways
// (RFC 9112 §3.2, §5.1, §6.1, §6.3) are refused with 400 (501 for a
// transfer coding other than chunked) and their connection closed, so
// that nothing pipelined behind them is served; every answer harmony makes
// carries the security headers; and what libmicrohttpd answers by itself
// (which harmony cannot dress) reflects nothing of the request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { raw } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

let srv;
before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

// A request that would be served (robots.txt: 200), sent behind another.
const SMUGGLED = 'GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n';

// Header lines of a raw answer as {lower-case name: value}.
function headersOf(head) {
	return Object.fromEntries(head.split('\r\n').slice(1).map((l) => {
		const i = l.indexOf(':');
		return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
	}));
}

function assertSecurityHeaders(h, where) {
	assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/, `${where}: Content-Security-Policy`);
	assert.equal(h['x-content-type-options'], 'nosniff', `${where}: X-Content-Type-Options`);
	assert.ok(h['referrer-policy'], `${where}: Referrer-Policy`);
	assert.equal(h['x-frame-options'], 'DENY', `${where}: X-Frame-Options`);
}

// Sends bytes and waits for the server to close: the statuses of every
// answer in order, the first answer's headers, and whether it closed.
async function exchange(bytes) {
	const r = await raw(srv.port, bytes, { timeout: 4000, untilClose: true });
	const statuses = [...r.text.matchAll(/^HTTP\/1\.[01] (\d{3}) /gm)].map((m) => Number(m[1]));
	return { statuses, headers: headersOf(r.head), closed: r.closed, text: r.text };
}

describe('ambiguous framing is refused and the connection closed', () => {
	const rows = [
		['two_different_content_lengths',
			'POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 41\r\n\r\nabc' + SMUGGLED, 400],
		['two_equal_content_lengths',
			'POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc' + SMUGGLED, 400],
		['content_length_with_transfer_encoding',
			'POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + SMUGGLED, 400],
		['transfer_encoding_twice',
			'POST /sign-in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + SMUGGLED, 400],
		['transfer_encoding_in_http_1_0',
			'POST /sign-in HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + SMUGGLED, 400],
		['transfer_coding_other_than_chunked',
			'POST /sign-in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n' + SMUGGLED, 501],
		['space_before_colon_hides_a_header',
			'POST /sign-in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc' + SMUGGLED, 400],
		['two_host_headers', 'GET /robots.txt HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n' + SMUGGLED, 400],
		['no_host_in_http_1_1', 'GET /robots.txt HTTP/1.1\r\n\r\n' + SMUGGLED, 400],
	];
	for (const [id, bytes, status] of rows) {
		test(`framing_refused_${id}`, async () => {
			const r = await exchange(bytes);
			assert.deepEqual(r.statuses, [status], `${id}: one answer, ${status}, and nothing served behind it:\n${r.text.slice(0, 300)}`);
			assert.ok(r.closed, `${id}: the connection is closed`);
			assertSecurityHeaders(r.headers, id);
			assert.equal(r.headers['cache-control'], 'no-store', `${id}: Cache-Control`);
		});
	}

	test('framing_http_1_0_without_host_is_served', async () => {
		const r = await exchange('GET /robots.txt HTTP/1.0\r\n\r\n');
		assert.deepEqual(r.statuses, [200], 'Host is optional in HTTP/1.0');
	});
	test('framing_sound_requests_pipelined_are_served', async () => {
		const r = await exchange('POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
			'POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
			'GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		assert.deepEqual(r.statuses, [404, 404, 200]);
	});
});

describe('security headers on the answers harmony makes outside the handlers', () => {
	const rows = [
		['method_not_implemented', 'BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 501],
		['declared_body_too_large', 'POST /news HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n', 413],
		['chunked_body_too_large', 'POST /news HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
			`${(11 * 1024 * 1024).toString(16)}\r\n${'a'.repeat(11 * 1024 * 1024)}\r\n0\r\n\r\n`, 413],
		['url_too_long', `GET /${'a'.repeat(3000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 414],
		['malformed_escape', 'GET /news/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
		['duplicate_host', 'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', 400],
	];
	for (const [id, bytes, status] of rows) {
		test(`security_headers_on_${id}`, async () => {
			const r = await exchange(bytes);
			assert.equal(r.statuses[0], status, `${id}: status`);
			assertSecurityHeaders(r.headers, id);
		});
	}
});

// libmicrohttpd 0.9.75 answers these itself, before harmony sees the
// request, and offers no way to add headers to those answers (see
// docs/ARCHITECTURE.md, "A request, step by step"). They are fixed text:
// nothing of the request comes back, and the connection is closed.
describe('answers libmicrohttpd makes by itself', () => {
	const MARK = 'zq7harmonymarkzq7';
	const rows = [
		['headers_too_large', `GET /${MARK} HTTP/1.1\r\nHost: x\r\nX-Big: ${MARK}${'a'.repeat(64 * 1024)}\r\n\r\n`, 431],
		['request_line_too_large', `GET /${MARK}${'a'.repeat(40 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
		['unsupported_version', `GET /${MARK} HTTP/2.0\r\nHost: x\r\n\r\n`, 505],
		['malformed_header_line', `GET /${MARK} HTTP/1.1\r\nHost: x\r\n${MARK}\r\n\r\n`, 400],
		['malformed_content_length', `POST /${MARK} HTTP/1.1\r\nHost: x\r\nContent-Length: ${MARK}\r\n\r\n`, 400],
		['content_length_beyond_64_bits', `POST /${MARK} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n`, 413],
		['malformed_chunk', `POST /${MARK} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${MARK}\r\n\r\n`, 400],
	];
	for (const [id, bytes, status] of rows) {
		test(`library_answer_${id}_reflects_nothing_and_closes`, async () => {
			const r = await exchange(bytes);
			assert.equal(r.statuses[0], status, `${id}: status`);
			assert.ok(r.closed, `${id}: the connection is closed`);
			assert.ok(!r.text.includes(MARK), `${id}: the answer repeats part of the request`);
		});
	}
});
