// po.mjs — reads harmony's gettext catalogues (po/harmony.pot, po/LANG.po)
// for the tests that compare pages against them: [{msgid, plural, msgstr:
// [..], fuzzy}]. Only what scripts/po-update writes is read: no contexts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './server.mjs';

const unquote = (s) => JSON.parse(s.replace(/\\t/g, '\\t'));

export function readPo(file) {
	const text = readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), 'utf8');
	const entries = [];
	for (const block of text.split(/\n\s*\n/)) {
		const e = { msgid: null, plural: null, msgstr: [], fuzzy: /^#,.*\bfuzzy\b/m.test(block) };
		let cur = null;
		for (const line of block.split('\n')) {
			let m;
			if ((m = /^msgid (".*")$/.exec(line))) cur = ['msgid', unquote(m[1])];
			else if ((m = /^msgid_plural (".*")$/.exec(line))) cur = ['plural', unquote(m[1])];
			else if ((m = /^msgstr(?:\[(\d+)\])? (".*")$/.exec(line))) cur = ['msgstr', unquote(m[2]), Number(m[1] ?? 0)];
			else if ((m = /^(".*")$/.exec(line)) && cur) cur[1] += unquote(m[1]);
			else continue;
			if (cur[0] === 'msgid') e.msgid = cur[1];
			else if (cur[0] === 'plural') e.plural = cur[1];
			else e.msgstr[cur[2]] = cur[1];
		}
		if (e.msgid) entries.push(e);
	}
	return entries;
}

// msgid → its first translation, for one language.
export function catalogue(lang) {
	return new Map(readPo(`po/${lang}.po`).map((e) => [e.msgid, e.msgstr[0] ?? '']));
}
