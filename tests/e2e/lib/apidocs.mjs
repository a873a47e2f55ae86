// apidocs.mjs — the examples of a docs/api/*.md file as the api-docs
// tests replay them: an ```http block (the request: a start line, headers,
// an empty line, the body) followed by its ```json block (the status, then
// the answer's JSON, which may be absent).
import assert from 'node:assert/strict';

// [{line, method, path, headers, body, status, answer}] in document order.
export function parseExamples(md) {
	const blocks = [...md.matchAll(/^```(http|json)\n([\s\S]*?)^```$/gm)].map((m) => ({
		kind: m[1], text: m[2], line: md.slice(0, m.index).split('\n').length,
	}));
	const out = [];
	for (let i = 0; i < blocks.length; i++) {
		const b = blocks[i];
		if (b.kind !== 'http') continue;
		const a = blocks[i + 1];
		assert.ok(a && a.kind === 'json', `docs line ${b.line}: an http example without its json answer`);
		const [head, ...rest] = b.text.split(/\n\n/);
		const [start, ...hdrs] = head.split('\n');
		const [method, p] = start.trim().split(/\s+/);
		const headers = Object.fromEntries(hdrs.filter((h) => h.trim()).map((h) => h.split(/:\s*/, 2)));
		const body = rest.join('\n\n').trim();
		const text = a.text.trim();
		const nl = text.indexOf('\n');
		const status = Number(nl < 0 ? text : text.slice(0, nl));
		const answer = nl < 0 ? '' : text.slice(nl + 1).trim();
		out.push({ line: b.line, method, path: p, headers, body: body || undefined, status,
			answer: answer ? JSON.parse(answer) : undefined });
		i++;
	}
	return out;
}

// Every documented key present with the documented value ("…": present,
// any value). ids (optional, a Map): a documented "id" (and "session", or
// a number in a "sessions" list) stands for the one the server gave.
const ID_KEYS = new Set(['id', 'session', 'sessions[]']);
export function matches(doc, got, where, ids, key) {
	if (ids && ID_KEYS.has(key) && typeof doc === 'number' && ids.has(doc)) doc = ids.get(doc);
	if (doc === '…') {
		assert.notEqual(got, undefined, `${where}: missing`);
		return;
	}
	if (Array.isArray(doc)) {
		assert.ok(Array.isArray(got), `${where}: not an array: ${JSON.stringify(got)?.slice(0, 200)}`);
		assert.equal(got.length, doc.length, `${where}: length (got ${JSON.stringify(got).slice(0, 300)})`);
		doc.forEach((d, i) => matches(d, got[i], `${where}[${i}]`, ids, `${key}[]`));
		return;
	}
	if (doc && typeof doc === 'object') {
		assert.ok(got && typeof got === 'object' && !Array.isArray(got), `${where}: not an object`);
		for (const [k, v] of Object.entries(doc)) {
			assert.ok(k in got, `${where}.${k}: missing (got keys ${Object.keys(got).join(', ')})`);
			matches(v, got[k], `${where}.${k}`, ids, k);
		}
		return;
	}
	assert.deepEqual(got, doc, `${where}`);
}
