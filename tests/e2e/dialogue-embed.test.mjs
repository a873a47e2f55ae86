// dialogue-embed.test.mjs — embedding a conversation in another site
// (issue 16): the organiser lists the sites that may frame it
// (embed_origins, validated), the voting page and the answers of its
// forms then say frame-ancestors 'self' and those sites (without
// X-Frame-Options) while every other page keeps 'none'; ?embed=1 draws it
// without the site's header and footer; a host site's participant id
// (xid) is one participant on every visit, without a cookie (none is
// sent into a frame on another site) and only where the conversation
// admits anyone and lists sites; the organisers' page gives the snippet.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAccount, apiToken, bearer, Client, signedIn } from './lib/accounts.mjs';
import { decodeEntities } from './lib/html.mjs';
import { makeDemo, startServer, tempDir } from './lib/server.mjs';

const SHANGHAI = 'asia-south-pacific-shanghai-2012';
const ORG = 'org@example.org';
const HOST = 'https://alliance.example';

let srv, tok, org;
before(async () => {
	const db = makeDemo(path.join(tempDir(), 'h.db'));
	addAccount(db, { email: ORG, name: 'Organiser', role: 'organiser', event: SHANGHAI });
	srv = await startServer({ db, args: ['--vote-limit-per-address', '0'] });
	org = await signedIn(srv.url, ORG);
	tok = await apiToken(org, 'write');
});
after(async () => {
	await srv?.stop();
});

const call = (method, p, body) => bearer(srv.url, tok, method, p, body);

async function conversation(fields) {
	let r = await call('POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'Rivers "shared" <here>', status: 'open', ...fields });
	assert.equal(r.status, 201, r.body);
	const id = r.json.id;
	r = await call('POST', `/api/v1/conversations/${id}/statements`, { texts: ['One\nTwo\nThree'] });
	assert.equal(r.status, 201, r.body);
	return { id, statements: r.json.ids };
}

// A browser inside a frame on another site: it sends no cookie of ours.
function framed() {
	const c = new Client(srv.url);
	const req = c.req.bind(c);
	c.req = async (...args) => {
		c.cookies.clear();
		return req(...args);
	};
	return c;
}

const csp = (r) => r.headers['content-security-policy'] ?? '';

function assertNotFramable(r, where) {
	assert.match(csp(r), /frame-ancestors 'none'/, `${where}: ${csp(r)}`);
	assert.equal(r.headers['x-frame-options'], 'DENY', where);
}

function assertFramableBy(r, origins, where) {
	assert.match(csp(r), new RegExp(`frame-ancestors 'self' ${origins.join(' ')}$`), `${where}: ${csp(r)}`);
	assert.equal(r.headers['x-frame-options'], undefined, where);
	// nothing else of the policy is loosened
	assert.match(csp(r), /^default-src 'self'; .*script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; /);
}

describe('the sites that may embed a conversation', () => {
	test('are origins, one per line, at most 20, refused by field otherwise', async () => {
		const { id } = await conversation({});
		for (const bad of ['https://example.org/page', 'ftp://example.org', 'example.org', 'https://*.example.org',
			"https://a.example; script-src 'unsafe-inline'", 'https://a.example https://b.example',
			'https://user@a.example', 'https://a.example:0', 'https://a.example:99999', 'javascript:alert(1)',
			Array.from({ length: 21 }, (_, i) => `https://s${i}.example`).join('\n'), 7, ['https://a.example', 3]]) {
			const r = await call('PATCH', `/api/v1/conversations/${id}`, { embed_origins: bad, topic: 'changed' });
			assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.body}`);
			assert.ok(r.json.errors.embed_origins, r.body);
			assert.deepEqual(Object.keys(r.json.errors), ['embed_origins']);
		}
		let r = await call('GET', `/api/v1/conversations/${id}`);
		assert.equal(r.json.embed_origins, '');
		assert.notEqual(r.json.topic, 'changed', 'a refusal changes nothing');
		// case, a trailing slash, spaces, blank lines and repeats forgiven
		r = await call('PATCH', `/api/v1/conversations/${id}`,
			{ embed_origins: ` HTTPS://Alliance.Example/ \n\nhttp://localhost:8080\r\nhttps://alliance.example\nhttps://[::1]:8443` });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.embed_origins, 'https://alliance.example\nhttp://localhost:8080\nhttps://[::1]:8443');
		r = await call('PATCH', `/api/v1/conversations/${id}`, { embed_origins: ['https://a.example', 'https://b.example:444'] });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.embed_origins, 'https://a.example\nhttps://b.example:444');
		r = await call('POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'x', embed_origins: 'https://a.example/x' });
		assert.equal(r.status, 400);
		assert.ok(r.json.errors.embed_origins);
		r = await call('POST', `/api/v1/events/${SHANGHAI}/conversations`, { topic: 'x', embed_origins: HOST });
		assert.equal(r.status, 201, r.body);
		assert.equal(r.json.embed_origins, HOST);
	});

	test('are set in the organisers\' settings form, refused beside the field', async () => {
		const { id } = await conversation({});
		let r = await org.get(`/admin/conversations/${id}`);
		assert.equal(r.status, 200);
		assert.match(r.body, /<textarea id="f-embed_origins" name="embed_origins"/);
		const fields = { topic: 'Form topic', participation: 'anyone', moderation: 'strict', max_length: '140', report_visibility: 'public' };
		r = await org.post(`/admin/conversations/${id}`, { ...fields, embed_origins: 'https://a.example/path' });
		assert.equal(r.status, 400);
		assert.match(r.body, /id="f-embed_origins-error"/);
		r = await org.post(`/admin/conversations/${id}`, { ...fields, embed_origins: 'https://a.example\nhttps://b.example' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		r = await call('GET', `/api/v1/conversations/${id}`);
		assert.equal(r.json.embed_origins, 'https://a.example\nhttps://b.example');
	});
});

describe('framing', () => {
	test('the voting page and its forms\' answers may be framed by the listed sites alone', async () => {
		const { id, statements } = await conversation({ participation: 'anyone', embed_origins: `${HOST}\nhttp://localhost:8080` });
		const origins = ["https://alliance.example", 'http://localhost:8080'];
		const v = new Client(srv.url);
		let r = await v.get(`/conversations/${id}`);
		assert.equal(r.status, 200);
		assertFramableBy(r, origins, 'the voting page');
		r = await v.get(`/conversations/${id}?embed=1`);
		assertFramableBy(r, origins, 'the compact voting page');
		r = await v.post(`/conversations/${id}/votes?embed=1&lang=en`, { statement: statements[0], vote: '1' });
		assert.equal(r.status, 303, r.body);
		assertFramableBy(r, origins, 'a vote\'s answer');
		r = await v.post(`/conversations/${id}/statements?embed=1&lang=en`, { text: 'one' });
		assert.equal(r.status, 400, r.body.slice(0, 200));
		assertFramableBy(r, origins, 'a statement refused');
		r = await v.post(`/conversations/${id}/votes`, { statement: 999999, vote: '1' });
		assert.equal(r.status, 404);
		assertFramableBy(r, origins, 'a vote refused');
		// everything else keeps 'none'
		for (const p of [`/conversations/${id}/report`, '/', `/events/${SHANGHAI}`, '/sign-in', `/api/v1/conversations/${id}`,
			`/conversations/${id}/export/votes.csv`, '/no-such-page'])
			assertNotFramable(await v.get(p), p);
		assertNotFramable(await org.get(`/admin/conversations/${id}`), 'the organisers\' page');
		r = await v.api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[1], vote: 1 });
		assert.equal(r.status, 201, r.body);
		assertNotFramable(r, 'the JSON API');
	});

	test('a conversation that lists no site is framed by none', async () => {
		const { id, statements } = await conversation({ participation: 'anyone' });
		const v = new Client(srv.url);
		let r = await v.get(`/conversations/${id}?embed=1`);
		assert.equal(r.status, 200);
		assertNotFramable(r, 'the voting page');
		// and ?embed=1 changes nothing: the site's layout
		assert.match(r.body, /class="site-nav"/);
		r = await v.post(`/conversations/${id}/votes?embed=1`, { statement: statements[0], vote: '1' });
		assert.equal(r.status, 303);
		assertNotFramable(r, 'a vote\'s answer');
		assert.equal(r.headers.location, `/conversations/${id}`);
	});
});

describe('the compact page (?embed=1)', () => {
	test('has no site header, navigation or footer, keeps the language switcher and its forms come back to it', async () => {
		const { id } = await conversation({ participation: 'anyone', embed_origins: HOST });
		const v = new Client(srv.url);
		let r = await v.get(`/conversations/${id}?embed=1&xid=host-42`);
		assert.equal(r.status, 200);
		assert.doesNotMatch(r.body, /class="site-header"|class="site-nav"|class="site-footer"|class="header-search"/);
		assert.match(r.body, /<body class="embedded">/);
		assert.match(r.body, /<html lang="en" dir="ltr">/);
		assert.match(r.body, /class="lang-switch lang-switch-embed"/);
		// the switcher stays in the frame: straight to ?lang=, no cookie
		assert.match(decodeEntities(r.body), new RegExp(`href="/conversations/${id}\\?embed=1&xid=host-42&lang=fr"`));
		const forms = [...r.body.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
		assert.equal(forms.length, 2, 'the vote and the statement');
		for (const [, action, inner] of forms) {
			assert.match(decodeEntities(action), /\?embed=1&lang=en$/);
			assert.match(inner, /<input type="hidden" name="xid" value="host-42">/);
		}
		// the report cannot be framed: it opens outside
		assert.match(r.body, new RegExp(`href="/conversations/${id}/report" target="_blank" rel="noopener"`));
		r = await v.get(`/conversations/${id}?embed=1&lang=ar`);
		assert.match(r.body, /<html lang="ar" dir="rtl">/);
		// the full page keeps the site's layout
		r = await v.get(`/conversations/${id}`);
		assert.match(r.body, /class="site-nav"/);
		assert.doesNotMatch(r.body, /name="xid"/);
	});
});

describe('a host site\'s participant id (xid)', () => {
	test('is one participant on every visit, without a cookie', async () => {
		const { id, statements } = await conversation({ participation: 'anyone', embed_origins: HOST });
		// first visit, in a frame: no cookie comes back
		const a = framed();
		let r = await a.get(`/conversations/${id}?embed=1&xid=alice-1`);
		assert.equal(r.status, 200);
		assert.equal(r.headers['set-cookie']?.some?.((c) => c.startsWith('dialogue=')) ?? false, false,
			'no anonymous cookie where the host names the participant');
		r = await a.post(`/conversations/${id}/votes?embed=1&lang=en`, { statement: statements[0], vote: '1', xid: 'alice-1' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `/conversations/${id}?embed=1&lang=en&xid=alice-1`);
		r = await a.getJson(`/conversations/${id}?xid=alice-1`);
		const alice = r.json.participant;
		assert.ok(alice > 0, r.body);
		assert.deepEqual(r.json.progress, { voted: 1, total: 3 });
		// another visit, another browser: the same participant
		const a2 = framed();
		r = await a2.getJson(`/conversations/${id}?xid=alice-1`);
		assert.equal(r.json.participant, alice);
		assert.equal(r.json.may_vote, true);
		r = await a2.api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[0], vote: -1, xid: 'alice-1' }, { csrf: false });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json.participant, alice);
		// a statement of hers, by the no-JS form
		r = await a2.post(`/conversations/${id}/statements?embed=1&lang=fr`, { text: 'Wells before dams', xid: 'alice-1' });
		assert.equal(r.status, 303, r.body.slice(0, 300));
		assert.equal(r.headers.location, `/conversations/${id}?embed=1&lang=fr&xid=alice-1&done=written`);
		// another id is another participant
		const b = framed();
		r = await b.getJson(`/conversations/${id}?xid=bob%20%232`);
		assert.equal(r.json.participant, null);
		r = await b.api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[1], vote: 0, xid: 'bob #2' }, { csrf: false });
		assert.equal(r.status, 201, r.body);
		assert.ok(r.json.participant > 0 && r.json.participant !== alice);
		// xid wins over an anonymous cookie of the same browser
		const c = new Client(srv.url);
		await c.get(`/conversations/${id}`);
		assert.ok(c.cookies.get('dialogue'));
		r = await c.getJson(`/conversations/${id}?xid=alice-1`);
		assert.equal(r.json.participant, alice);
		// the exports list one participant per id
		r = await call('GET', `/conversations/${id}/export/participants-votes.csv`);
		assert.equal(r.status, 200);
		assert.equal(r.body.trim().split('\n').length - 1, 2, r.body);
	});

	test('must be 1 to 100 printable characters', async () => {
		const { id, statements } = await conversation({ participation: 'anyone', embed_origins: HOST });
		for (const bad of ['x'.repeat(101), 'tab\there', 'é']) {
			const r = await framed().api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[0], vote: 1, xid: bad }, { csrf: false });
			assert.equal(r.status, 401, `${JSON.stringify(bad)}: ${r.body}`);
		}
		const r = await framed().api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[0], vote: 1, xid: 'x'.repeat(100) }, { csrf: false });
		assert.equal(r.status, 201, r.body);
	});

	test('is ignored where the conversation lists no site or does not admit anyone', async () => {
		const none = await conversation({ participation: 'anyone' });
		const signedInOnly = await conversation({ participation: 'signed-in', embed_origins: HOST });
		for (const { id, statements } of [none, signedInOnly]) {
			const f = framed();
			let r = await f.api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[0], vote: 1, xid: 'alice-1' }, { csrf: false });
			assert.equal(r.status, 401, r.body);
			r = await f.post(`/conversations/${id}/votes`, { statement: statements[0], vote: '1', xid: 'alice-1' });
			assert.equal(r.status, 401, r.body.slice(0, 200));
			r = await f.getJson(`/conversations/${id}?xid=alice-1`);
			assert.equal(r.json.participant, null);
		}
		// with its cookie, an anonymous participant stays the cookie's
		const v = new Client(srv.url);
		let r = await v.getJson(`/conversations/${none.id}`);
		v.csrf = r.json.csrf;
		r = await v.api('POST', `/api/v1/conversations/${none.id}/votes`, { statement: none.statements[0], vote: 1, xid: 'alice-1' });
		assert.equal(r.status, 201, r.body);
		const mine = r.json.participant;
		r = await new Client(srv.url).getJson(`/conversations/${none.id}?xid=alice-1`);
		assert.equal(r.json.participant, null);
		r = await v.getJson(`/conversations/${none.id}?xid=someone-else`);
		assert.equal(r.json.participant, mine);
		// a signed-in account is itself, whatever xid it sends
		const o = await signedIn(srv.url, ORG);
		r = await o.getJson(`/conversations/${signedInOnly.id}?xid=alice-1`);
		o.csrf = r.json.csrf;
		r = await o.api('POST', `/api/v1/conversations/${signedInOnly.id}/votes`, { statement: signedInOnly.statements[0], vote: 1, xid: 'alice-1' });
		assert.equal(r.status, 201, r.body);
	});

	test('a request with any cookie of ours still needs its token', async () => {
		const { id, statements } = await conversation({ participation: 'anyone', embed_origins: HOST });
		const v = new Client(srv.url);
		await v.get(`/conversations/${id}?embed=1&xid=carol`);
		assert.ok(v.cookies.size > 0);
		let r = await v.post(`/conversations/${id}/votes?embed=1`, { statement: statements[0], vote: '1', xid: 'carol' }, { csrf: false });
		assert.equal(r.status, 403, r.body.slice(0, 200));
		r = await v.api('POST', `/api/v1/conversations/${id}/votes`, { statement: statements[0], vote: 1, xid: 'carol' }, { csrf: false });
		assert.equal(r.status, 403, r.body);
		r = await v.post(`/conversations/${id}/votes?embed=1`, { statement: statements[0], vote: '1', xid: 'carol' });
		assert.equal(r.status, 303, r.body.slice(0, 200));
	});
});

describe('the snippet', () => {
	test('is on the organisers\' page once a site is listed', async () => {
		const { id } = await conversation({});
		let r = await org.get(`/admin/conversations/${id}`);
		assert.doesNotMatch(r.body, /embed-snippet/);
		assert.match(r.body, /first list that site/);
		await call('PATCH', `/api/v1/conversations/${id}`, { embed_origins: HOST });
		r = await org.get(`/admin/conversations/${id}`);
		const m = /<textarea id="f-embed-snippet"[^>]*readonly[^>]*>([^<]*)<\/textarea>/.exec(r.body);
		assert.ok(m, 'the snippet');
		const snippet = decodeEntities(m[1]);
		assert.match(snippet, new RegExp(`^<iframe src="http://[^"]+/conversations/${id}\\?embed=1" title="Rivers &quot;shared&quot; &lt;here&gt;" style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>$`));
		assert.match(r.body, /&amp;xid=/);
		assert.match(r.body, /alliance\.example/);
	});
});
