// shutdown.test.mjs — stopping the server: SIGTERM and SIGINT end it with
// exit 0; a request still arriving when the signal comes is finished and
// answered; new connections are refused once it is stopping; idle
// keep-alive connections do not keep it from stopping.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

// Starts a POST /news whose body is half sent, so that the server has a
// request in flight: the head asks for "100 Continue", which the server
// sends once it has taken the request in. finish() sends the rest of the
// body and resolves to what came back.
async function halfSentRequest(srv) {
	const sock = net.connect({ port: srv.port, host: '127.0.0.1' });
	await new Promise((res, rej) => {
		sock.on('connect', res);
		sock.on('error', rej);
	});
	let answer = '';
	let onData = () => {};
	sock.setEncoding('latin1');
	sock.on('data', (d) => {
		answer += d;
		onData();
	});
	sock.on('error', () => {});
	const closed = new Promise((res) => sock.on('close', res));
	const continued = new Promise((res) => (onData = () => answer.includes('100 Continue') && res()));
	sock.write('POST /news HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n');
	await Promise.race([continued, closed]);
	assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n/, 'the server took the request in');
	sock.write('hello');
	return {
		async finish() {
			sock.write('world');
			await Promise.race([closed, sleep(15_000, null, { ref: false })]);
			sock.destroy();
			return answer.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
		},
	};
}

// Whether new connections are refused, polling briefly while the server
// takes the signal in.
async function connectRefused(port) {
	for (let i = 0; i < 20; i++) {
		const refused = await new Promise((res) => {
			const c = net.connect({ port, host: '127.0.0.1' });
			c.on('connect', () => {
				c.destroy();
				res(false);
			});
			c.on('error', () => res(true));
		});
		if (refused) return true;
		await sleep(150);
	}
	return false;
}

test('shutdown_sigterm_when_idle_exits_0', async () => {
	const srv = await startServer();
	assert.equal((await request(srv.url + '/')).status, 200);
	const { code, stderr } = await srv.stop();
	assert.equal(code, 0);
	assert.match(stderr, /stopped/, 'says it stopped');
});

test('shutdown_sigint_exits_0', async () => {
	const srv = await startServer();
	srv.proc.kill('SIGINT');
	const { code, signal } = await srv.exited;
	assert.equal(signal, null);
	assert.equal(code, 0);
	await srv.stop(); // checks stderr for sanitizer reports
});

test('shutdown_finishes_a_request_in_flight', { timeout: 40_000 }, async () => {
	const srv = await startServer();
	try {
		const req = await halfSentRequest(srv);
		srv.proc.kill('SIGTERM');
		await sleep(300);
		const answer = await req.finish();
		assert.match(answer, /^HTTP\/1\.1 405 /, `the request in flight got its answer: ${JSON.stringify(answer.slice(0, 80))}`);
		assert.equal((await srv.stop()).code, 0);
	} finally {
		await srv.stop().catch(() => {});
	}
});

test('shutdown_refuses_new_connections_while_stopping', { timeout: 40_000 }, async () => {
	const srv = await startServer();
	try {
		const req = await halfSentRequest(srv); // keeps the server draining
		srv.proc.kill('SIGTERM');
		await sleep(300);
		// The listening socket must be closed, not merely left unread: else
		// the kernel completes handshakes that nobody will ever answer.
		const refused = await connectRefused(srv.port);
		await req.finish();
		assert.equal((await srv.stop()).code, 0);
		assert.ok(refused, 'a new connection is refused while stopping');
	} finally {
		await srv.stop().catch(() => {});
	}
});

test('shutdown_is_not_kept_from_stopping_by_idle_keep_alive', { timeout: 40_000 }, async () => {
	const srv = await startServer();
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	try {
		const r = await request(srv.url + '/news', { agent });
		assert.equal(r.status, 200);
		assert.ok(!r.socket.destroyed, 'the connection stays open');
		const socketClosed = new Promise((res) => r.socket.once('close', () => res(true)));
		assert.equal((await srv.stop()).code, 0);
		assert.ok(await Promise.race([socketClosed, sleep(2000, false, { ref: false })]), 'the idle connection was closed');
	} finally {
		agent.destroy();
		await srv.stop().catch(() => {});
	}
});
