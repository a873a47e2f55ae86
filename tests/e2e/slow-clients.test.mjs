// slow-clients.test.mjs — a thousand connections from one address that send
// half a request line and then nothing must not lock out anyone else: the
// server caps connections per address (64), so a visitor from another
// loopback address still gets the home page. Bounded: every socket is
// closed at the end and the test gives up after about 20 seconds.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { get } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const FLOOD = 1000;
const PER_ADDRESS_LIMIT = 64;

let srv;
const sockets = [];
before(async () => {
	srv = await startServer();
});
after(async () => {
	state.closing = true;
	for (const s of sockets) s.destroy();
	await srv?.stop();
});

// Opens one connection from 127.0.0.1 and sends a partial request line.
// Resolves once connected (or refused). A connection the server closes
// (by FIN or by reset) counts once in closedByServer.
const state = { connected: 0, closedByServer: 0, refused: 0, closing: false };
function openSlow(port) {
	return new Promise((resolve) => {
		const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
		sockets.push(s);
		let connected = false;
		s.setNoDelay(true);
		s.on('connect', () => {
			connected = true;
			state.connected++;
			s.write('GET / HT');
			resolve();
		});
		s.on('error', () => {
			if (!connected) {
				state.refused++;
				resolve();
			}
		});
		s.on('close', () => {
			if (connected && !state.closing) state.closedByServer++;
		});
	});
}

test('slow_clients_do_not_lock_out_other_visitors', { timeout: 25_000 }, async (t) => {
	// Open in batches so the listen backlog is not the thing under test.
	for (let i = 0; i < FLOOD; i += 100) {
		const batch = [];
		for (let j = i; j < Math.min(FLOOD, i + 100); j++) batch.push(openSlow(srv.port));
		await Promise.all(batch);
	}
	assert.equal(state.connected + state.refused, FLOOD, 'every connection attempt settled');

	// The server keeps at most PER_ADDRESS_LIMIT of them; the rest it closes.
	for (let i = 0; i < 100 && state.closedByServer + state.refused < FLOOD - PER_ADDRESS_LIMIT; i++) await sleep(100);
	assert.ok(state.closedByServer + state.refused >= FLOOD - PER_ADDRESS_LIMIT,
		`server closed ${state.closedByServer} and refused ${state.refused} of ${FLOOD}: the per-address limit does not hold`);

	t.diagnostic(`flood: ${state.connected} connected, ${state.closedByServer} closed by the server, ${state.refused} refused`);
	// Someone else, from another address, is served at once.
	const r = await get(srv.url + '/', { localAddress: '127.0.0.2', timeout: 5000 });
	assert.equal(r.status, 200);
	assert.match(r.body, /Regional Consultations for Asia-South Pacific/);
});

test('slow_clients_gone_the_address_is_served_again', { timeout: 15_000 }, async () => {
	state.closing = true;
	for (const s of sockets) s.destroy();
	// The server notices the closed sockets on its next poll; retry briefly.
	let status = null;
	for (let i = 0; i < 20 && status !== 200; i++) {
		try {
			status = (await get(srv.url + '/', { timeout: 2000 })).status;
		} catch {
			await sleep(200);
		}
	}
	assert.equal(status, 200, '127.0.0.1 is served again');
});
