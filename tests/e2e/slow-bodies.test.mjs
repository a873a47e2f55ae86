// slow-bodies.test.mjs — a request body must arrive in time: 64
// connections from one address that send their headers and then a byte of
// body every few seconds (which the idle timeout alone lets through) are
// dropped about 30 s after their headers, and the address is served
// again. Behind a trusted proxy (--trust-proxy) every client comes from
// the proxy's address: the per-address cap on connections does not hold
// them all to 64 together, while the caps harmony keeps itself (streams)
// count the address the proxy reports. About 35 s in all.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { addAccount, apiToken, signedIn } from './lib/accounts.mjs';
import { get, request } from './lib/http.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

const PER_ADDRESS_LIMIT = 64;
const DEADLINE_S = 30;

// Opens a connection from 127.0.0.1 that sends head at once, then a byte
// every `every` ms while it lasts. Resolves once connected; .closedAt is
// set (Date.now()) when the server closes it.
function trickle(port, head, every) {
	return new Promise((resolve) => {
		const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
		const conn = { socket: s, openedAt: 0, closedAt: 0, timer: null };
		s.on('connect', () => {
			conn.openedAt = Date.now();
			s.write(head);
			if (every) conn.timer = setInterval(() => s.write('a'), every);
			resolve(conn);
		});
		s.on('data', () => {});
		s.on('error', () => {});
		s.on('close', () => {
			clearInterval(conn.timer);
			if (!conn.closedAt) conn.closedAt = Date.now();
		});
	});
}
const release = (conns) => conns.forEach((c) => { c.closedAt ||= -1; c.socket.destroy(); });

describe('slow request bodies', () => {
	let srv;
	const conns = [];
	before(async () => {
		srv = await startServer();
	});
	after(async () => {
		release(conns);
		await srv?.stop();
	});

	test('slow_bodies_are_cut_at_the_deadline_and_the_address_is_served_again', { timeout: 60_000 }, async (t) => {
		const head = 'POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
			'Content-Length: 100000\r\n\r\n';
		for (let i = 0; i < PER_ADDRESS_LIMIT; i++) conns.push(await trickle(srv.port, head, 5000));
		// The address is at its cap while they last: nobody else from it gets in.
		const full = await get(srv.url + '/robots.txt', { localAddress: '127.0.0.1', timeout: 3000 }).then((r) => r.status, () => 'refused');
		t.diagnostic(`a 65th connection while they trickle: ${full}`);

		const start = Date.now();
		while (Date.now() - start < (DEADLINE_S + 12) * 1000 && conns.some((c) => !c.closedAt)) await sleep(250);
		const open = conns.filter((c) => !c.closedAt).length;
		assert.equal(open, 0, `${open} of ${conns.length} trickling bodies still held after ${DEADLINE_S + 12} s`);
		const held = conns.map((c) => (c.closedAt - c.openedAt) / 1000);
		t.diagnostic(`held from ${Math.min(...held)} s to ${Math.max(...held)} s`);
		assert.ok(Math.min(...held) >= DEADLINE_S - 5, `a body that keeps coming is given its time: ${Math.min(...held)} s`);
		assert.ok(Math.max(...held) <= DEADLINE_S + 6, `cut at the deadline: ${Math.max(...held)} s`);

		const r = await get(srv.url + '/robots.txt', { localAddress: '127.0.0.1', timeout: 5000 });
		assert.equal(r.status, 200, '127.0.0.1 is served again');
	});

	test('a_body_sent_at_once_is_served', async () => {
		const r = await request(srv.url + '/nope', { method: 'POST', body: 'x'.repeat(200_000), localAddress: '127.0.0.3' });
		assert.equal(r.status, 404);
	});
});

describe('behind a trusted proxy', () => {
	let srv;
	let token;
	const conns = [];
	before(async () => {
		const db = makeDemo(path.join(tempDir(), 'h.db'));
		addAccount(db, { email: 'admin@example.org', name: 'Admin', role: 'admin' });
		srv = await startServer({ db, args: ['--trust-proxy'] });
		token = await apiToken(await signedIn(srv.url, 'admin@example.org'), 'read');
	});
	after(async () => {
		release(conns);
		await srv?.stop();
	});

	test('proxy_address_is_not_held_to_the_per_address_cap', { timeout: 20_000 }, async () => {
		// 100 clients behind the proxy, each with a request under way.
		try {
			for (let i = 0; i < 100; i++) conns.push(await trickle(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.1.0.' + i + '\r\n', 0));
			await sleep(1500);
			const closed = conns.filter((c) => c.closedAt).length;
			assert.equal(closed, 0, `the server dropped ${closed} of 100 connections from the proxy`);
			const r = await get(srv.url + '/robots.txt', { localAddress: '127.0.0.1', timeout: 5000, headers: { 'X-Forwarded-For': '10.2.0.1' } });
			assert.equal(r.status, 200, 'one more client behind the proxy is served');
		} finally {
			release(conns);
		}
	});

	test('stream_cap_counts_the_address_the_proxy_reports', { timeout: 20_000 }, async () => {
		const opened = [];
		// A stream's body never ends: read the status line over a raw socket.
		const head = (xff) => new Promise((resolve) => {
			const s = net.connect({ port: srv.port, host: '127.0.0.1' });
			let text = '';
			s.on('connect', () => s.write(`GET /api/v1/changes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
				`Accept: text/event-stream\r\nX-Forwarded-For: ${xff}\r\n\r\n`));
			s.on('data', (d) => {
				text += d.toString('latin1');
				const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
				if (m && text.includes('\r\n\r\n')) {
					opened.push(s);
					resolve(Number(m[1]));
				}
			});
			s.on('error', () => resolve('error'));
		});
		try {
			const first = [];
			for (let i = 0; i < 8; i++) first.push(await head('10.3.0.1'));
			assert.deepEqual(first, Array(8).fill(200), 'eight streams for one client');
			assert.equal(await head('10.3.0.1'), 503, 'the ninth from the same client is refused');
			assert.equal(await head('10.3.0.2'), 200, 'another client behind the same proxy is not');
		} finally {
			opened.forEach((s) => s.destroy());
		}
	});
});
