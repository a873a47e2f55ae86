// http.mjs — HTTP clients for the end-to-end tests: request() over node's
// http module (headers and status exactly as sent), and raw() over a plain
// socket for requests no well-behaved client would send.
import http from 'node:http';
import net from 'node:net';

// One request: {status, headers (lower-case names), body (string), bytes}.
export function request(url, { method = 'GET', headers = {}, body, agent, localAddress, timeout = 15_000 } = {}) {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers, agent: agent ?? false, localAddress, timeout }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const bytes = Buffer.concat(chunks);
				resolve({
					status: res.statusCode,
					headers: res.headers,
					rawHeaders: res.rawHeaders,
					body: bytes.toString('utf8'),
					bytes,
					socket: req.socket,
				});
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${timeout} ms`)));
		req.on('error', reject);
		if (body !== undefined) req.write(body);
		req.end();
	});
}

export const get = (url, opts = {}) => request(url, opts);
export const getJson = async (url, opts = {}) => {
	const r = await request(url, { ...opts, headers: { Accept: 'application/json', ...(opts.headers ?? {}) } });
	return { ...r, json: JSON.parse(r.body) };
};

// Sends bytes on a fresh connection and reads until the server closes it,
// or until a complete response head (plus Content-Length bytes of body) is
// in, or until timeout. Resolves to {status, head, body, closed, text}.
export function raw(port, bytes, { host = '127.0.0.1', localAddress, timeout = 10_000, endAfterWrite = false, untilClose = false } = {}) {
	return new Promise((resolve, reject) => {
		const sock = net.connect({ port, host, localAddress });
		let buf = Buffer.alloc(0);
		let done = false;
		const finish = (closed) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			const text = buf.toString('latin1');
			const headEnd = text.indexOf('\r\n\r\n');
			const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
			resolve({ status: m ? Number(m[1]) : null, head, body: headEnd >= 0 ? text.slice(headEnd + 4) : '', closed, text });
		};
		const timer = setTimeout(() => finish(false), timeout);
		sock.on('connect', () => {
			// The server may answer and close before reading all we send.
			sock.write(bytes, () => {
				if (endAfterWrite) sock.end();
			});
		});
		sock.on('data', (c) => {
			buf = Buffer.concat([buf, c]);
			const text = buf.toString('latin1');
			const headEnd = text.indexOf('\r\n\r\n');
			// untilClose: several answers are expected (pipelining); wait for the server to close.
			if (headEnd >= 0 && !untilClose) {
				const cl = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, headEnd));
				if (cl && buf.length >= headEnd + 4 + Number(cl[1])) finish(false);
			}
		});
		sock.on('end', () => finish(true));
		sock.on('close', () => finish(true));
		sock.on('error', (e) => {
			// A reset after the answer arrived still counts as an answer.
			if (buf.length) finish(true);
			else if (!done) {
				done = true;
				clearTimeout(timer);
				reject(e);
			}
		});
	});
}

// A multipart/form-data body: parts are [name, value] or [name, {filename,
// type, data}] (data a string or a Buffer). {body, type}: the bytes and
// the Content-Type with its boundary.
export function multipartBody(parts) {
	const boundary = '----harmony' + Math.random().toString(16).slice(2);
	const chunks = [];
	for (const [name, v] of parts) {
		if (typeof v === 'string') {
			chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
		} else {
			chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\n` +
				`Content-Type: ${v.type ?? 'application/octet-stream'}\r\n\r\n`), Buffer.from(v.data), Buffer.from('\r\n'));
		}
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}
