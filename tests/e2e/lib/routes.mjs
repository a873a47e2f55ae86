// routes.mjs — the site's route tables as the end-to-end tests sweep them:
// every {METHOD, "pattern", handler, flags} row of src/site/*.c and
// src/features/*/*.c, so a route is covered the day it lands, and the
// probe body that would change something if a refused write went through.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PASSWORD } from './accounts.mjs';
import { ROOT } from './server.mjs';

// The rows a TR_ROUTES(admin, api, key, kind) line of a route table stands
// for (a kind's translations), read from the macro itself in
// src/site/translations.h: [{method, base: 'admin'|'api', suffix, handler, flags}].
function trRouteRows() {
	const h = readFileSync(path.join(ROOT, 'src/site/translations.h'), 'utf8');
	const def = /#define TR_ROUTES\(admin, api, key, kind\)((?:[^\n]*\\\n)*[^\n]*)/.exec(h);
	assert.ok(def, 'routes.mjs: TR_ROUTES is defined in src/site/translations.h');
	const body = def[1].replace(/\\\n/g, ' ');
	const rows = [...body.matchAll(/\{\s*(GET|POST|PUT|PATCH|DELETE)\s*,\s*(admin|api)\s+"\/"\s+key\s+"([^"]*)"\s*,\s*(\w+)\s*,\s*([^,}]*)/g)]
		.map((m) => ({ method: m[1], base: m[2], suffix: m[3], handler: m[4], flags: m[5].trim() }));
	assert.ok(rows.length >= 8, `routes.mjs: TR_ROUTES read as ${rows.length} rows`);
	return rows;
}

// Every route of the site: [{method, pattern, handler, flags, file}].
export function routeTable() {
	const tr = trRouteRows();
	const dirs = [path.join(ROOT, 'src/site')];
	const features = path.join(ROOT, 'src/features');
	for (const d of readdirSync(features)) dirs.push(path.join(features, d));
	const out = [];
	for (const dir of dirs) {
		for (const f of readdirSync(dir).filter((n) => n.endsWith('.c'))) {
			const src = readFileSync(path.join(dir, f), 'utf8');
			for (const m of src.matchAll(/\{\s*(GET|POST|PUT|PATCH|DELETE)\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*(?:,\s*([^}]*))?\}/g))
				out.push({ method: m[1], pattern: m[2], handler: m[3], flags: (m[4] || '').trim(), file: f });
			for (const m of src.matchAll(/^\s*TR_ROUTES\("([^"]+)",\s*"([^"]+)",\s*"([^"]+)"/gm))
				for (const r of tr)
					out.push({ method: r.method, pattern: `${r.base === 'admin' ? m[1] : m[2]}/${m[3]}${r.suffix}`,
						handler: r.handler, flags: r.flags, file: f });
		}
	}
	assert.ok(out.length > 100, `routes.mjs: only ${out.length} routes found`);
	return out;
}

// The demo's things the probes point at.
export const SHANGHAI = 'asia-south-pacific-shanghai-2012';
export const SERIES = 'regional-consultations';
export const ORG = 'unaoc';

// Fields most forms would accept, so a route that forgot its check would
// change something a database snapshot shows.
export const PROBE = {
	title: 'Probe', name: 'Probe', slug: 'probe', email: 'probe@example.org', summary: 'Probe',
	body_md: 'Probe', description: 'Probe', starts_on: '2030-01-01', ends_on: '2030-01-02', timezone: 'UTC',
	kind: 'consultation', status: 'published', organisation: ORG, role: 'partner', series: SERIES,
	event: SHANGHAI, label: 'probe', scope: 'write', direction: 'down', lang: 'en',
	current: PASSWORD, password: 'a new passphrase for probing', confirm: 'a new passphrase for probing',
	token: 'probe',
};
