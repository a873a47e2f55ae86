// mail.mjs — e-mail in the end-to-end tests: a local SMTP server
// (smtp_sink.py over Debian's python3-aiosmtpd) keeping every message it
// receives, .eml folders, and a reader for what arrives: unfolded headers,
// RFC 2047 encoded words, quoted-printable bodies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './server.mjs';

const SINK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');
const PYTHON = '/usr/bin/python3'; // Debian's aiosmtpd is installed for this one only

// A TCP port nobody listens on (for a relay that is down, then comes up).
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

const live = new Set();
process.on('exit', () => {
	for (const p of live) p.kill('SIGKILL');
});

// Starts the SMTP sink (on port, or a free one). Resolves to {url, port,
// dir, messages(), waitFor(n), stop()}; messages are parsed, with their
// envelope {mail_from, rcpt_tos}.
export async function startSmtpSink({ port = 0 } = {}) {
	const dir = tempDir();
	const proc = spawn(PYTHON, [SINK, dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
	live.add(proc);
	let out = '';
	let err = '';
	proc.stderr.setEncoding('utf8').on('data', (s) => (err += s));
	const bound = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`SMTP sink did not start; stderr:\n${err}`)), 15_000);
		proc.stdout.setEncoding('utf8').on('data', (s) => {
			out += s;
			const m = /listening (\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		proc.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`SMTP sink exited (${code}); stderr:\n${err}`));
		});
	});
	const messages = () =>
		readdirSync(dir)
			.filter((f) => f.endsWith('.eml'))
			.sort()
			.map((f) => ({
				...parseMessage(readFileSync(path.join(dir, f))),
				envelope: JSON.parse(readFileSync(path.join(dir, f.replace(/\.eml$/, '.json')), 'utf8')),
			}));
	return {
		port: bound,
		url: `smtp://127.0.0.1:${bound}`,
		dir,
		messages,
		waitFor: (n, what) => waitUntil(() => (messages().length >= n ? messages() : null), what ?? `${n} message(s) at the SMTP sink`),
		async stop() {
			live.delete(proc);
			proc.kill('SIGTERM');
			await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

// Polls fn until it returns something truthy (a wait, not a timing check:
// the sender works off the request path). Throws after timeout.
export async function waitUntil(fn, what, timeout = 30_000) {
	const end = Date.now() + timeout;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) assert.fail(`waited ${timeout} ms for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

// The .eml files of a folder, parsed, oldest first.
export function emlFiles(dir) {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.eml') && !f.startsWith('.'))
		.sort()
		.map((f) => ({ file: path.join(dir, f), ...parseMessage(readFileSync(path.join(dir, f))) }));
}

// RFC 2047: =?UTF-8?B?…?= and =?UTF-8?Q?…?= words decoded; white space
// between two encoded words dropped.
export function decodeWords(s) {
	return s
		.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
		.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (all, charset, enc, text) => {
			const bytes =
				enc.toUpperCase() === 'B'
					? Buffer.from(text, 'base64')
					: Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
			return bytes.toString(/utf-?8/i.test(charset) ? 'utf8' : 'latin1');
		});
}

// Quoted-printable (RFC 2045) to UTF-8 text with \n line ends.
export function decodeQP(s) {
	const bytes = [];
	const t = s.replace(/=\r?\n/g, '');
	for (let i = 0; i < t.length; i++) {
		if (t[i] === '=' && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) {
			bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			bytes.push(t.charCodeAt(i) & 0xff);
		}
	}
	return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}

// {raw, lines, headers: [[name, value]…], header(name), text(name), body}:
// header() is the unfolded value as sent, text() the decoded one, body the
// decoded text.
export function parseMessage(bytes) {
	const raw = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
	const split = raw.indexOf('\r\n\r\n');
	assert.ok(split > 0, 'a message has a header, an empty line and a body');
	const head = raw.slice(0, split);
	const headers = [];
	for (const line of head.split('\r\n')) {
		if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1][1] += line;
		else {
			const i = line.indexOf(':');
			headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
		}
	}
	const header = (name) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
	const cte = (header('Content-Transfer-Encoding') ?? '').toLowerCase();
	const rawBody = raw.slice(split + 4);
	let body = cte === 'quoted-printable' ? decodeQP(rawBody) : Buffer.from(rawBody, 'latin1').toString('utf8');
	// multipart (a message with a file): body is its text part, parts all of them
	const parts = [];
	const boundary = (header('Content-Type') ?? '').match(/^multipart\/[a-z]+;.*boundary="?([^";]+)"?/i)?.[1];
	if (boundary) {
		for (const chunk of rawBody.split(`--${boundary}`).slice(1)) {
			if (chunk.startsWith('--')) break;
			const part = parseMessage(chunk.replace(/^\r\n/, ''));
			const pcte = (part.header('Content-Transfer-Encoding') ?? '').toLowerCase();
			const content = pcte === 'base64' ? Buffer.from(chunk.slice(chunk.indexOf('\r\n\r\n') + 4).replace(/\s/g, ''), 'base64').toString('utf8') : part.body;
			parts.push({ type: part.header('Content-Type'), disposition: part.header('Content-Disposition'), content });
		}
		const text = parts.find((x) => /^text\/plain/i.test(x.type ?? ''));
		if (text) body = text.content.replace(/\r\n$/, '');
	}
	return {
		raw,
		parts,
		headLines: head.split('\r\n'),
		headers,
		header,
		text: (name) => {
			const v = header(name);
			return v === undefined ? undefined : decodeWords(v);
		},
		body,
	};
}

// The first link in a message body that starts with prefix.
export function linkIn(message, prefix) {
	const m = message.body.match(/https?:\/\/\S+/g) ?? [];
	return m.find((u) => u.includes(prefix));
}
