// html.mjs — just enough HTML reading for the end-to-end tests: the text a
// person reads, the links on a page and one element's attributes. Regular
// expressions suffice because harmony's own templates are the only input.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

export function decodeEntities(s) {
	return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (all, e) => {
		if (e[0] === '#') {
			const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
			return String.fromCodePoint(n);
		}
		return ENTITIES[e.toLowerCase()] ?? all;
	});
}

// The visible text: tags dropped (block ends become spaces), entities
// decoded, runs of white space (including thin and no-break spaces) folded.
export function textOf(html) {
	return decodeEntities(
		html
			.replace(/<(script|style|template)\b[\s\S]*?<\/\1>/gi, ' ')
			.replace(/<[^>]*>/g, ' '),
	)
		.replace(/[\s\u00a0\u2009\u202f]+/g, ' ')
		.trim();
}

// Same as textOf but keeps adjacent inline text together (for exact phrases
// split across tags such as "Posted on <time>…</time>").
export function inlineText(html) {
	return decodeEntities(html.replace(/<[^>]*>/g, ''))
		.replace(/[\s\u00a0\u2009\u202f]+/g, ' ')
		.trim();
}

export function attrs(tag) {
	const out = {};
	for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
		if (m.index === 0) continue; // the tag name
		out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
	}
	return out;
}

// Every <a> with its attributes and visible text.
export function links(html) {
	return [...html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)].map((m) => ({
		...attrs('a ' + m[1]),
		text: textOf(m[2]),
		html: m[2],
	}));
}

// Opening tags of one element name, as attribute objects.
export function tags(html, name) {
	return [...html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))].map((m) => attrs(name + ' ' + m[1]));
}

// The inner HTML of the first element matching an opening-tag pattern such
// as '<main' or '<dd' after a given marker. Nested elements of the same name
// are not supported (harmony's pages do not need it).
export function between(html, open, close) {
	const i = html.indexOf(open);
	if (i < 0) return null;
	const start = html.indexOf('>', i) + 1;
	const end = html.indexOf(close, start);
	return end < 0 ? null : html.slice(start, end);
}

export const mainOf = (html) => between(html, '<main', '</main>');

// The <dd> that follows the <dt> with this label (harmony's fact lists).
export function fact(html, label) {
	const re = new RegExp(`<dt>\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*</dt>\\s*<dd[^>]*>([\\s\\S]*?)</dd>`, 'i');
	const m = re.exec(html);
	return m ? m[1] : null;
}

// Checks a displayed date (any CLDR English order and dash) for its parts:
// every day number, the month name and the year, as whole words.
export function dateHas(text, { days = [], month, year }) {
	const t = text.replace(/[\u2009\u202f\u00a0]/g, ' ');
	const words = new Set(t.split(/[^0-9A-Za-z]+/).filter(Boolean));
	return days.every((d) => words.has(String(d))) && words.has(month) && words.has(String(year));
}

// The page without the one script the layout loads (assets/site.js, from
// this origin, deferred): what is left must hold no script at all. Only
// that exact tag is taken out, so a script an input smuggled in stays.
export const SITE_SCRIPT = /<script src="\/assets\/site\.js\?v=[0-9a-f]{10}" defer><\/script>/;
export function withoutSiteScript(html) {
	const m = SITE_SCRIPT.exec(html);
	if (!m || html.indexOf(m[0], m.index + 1) !== -1) throw new Error('the layout\'s script is not there exactly once');
	return html.replace(SITE_SCRIPT, '');
}

// The same, also without the header's search icon, the one inline SVG
// the layout draws (exactly as it is written, so any other SVG stays).
const SEARCH_ICON = '<svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24"><circle cx="10" cy="10" r="6.5" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M15 15l6 6" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>';
export function withoutSiteChrome(html) {
	return withoutSiteScript(html).replace(SEARCH_ICON, '');
}
