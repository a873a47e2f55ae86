// chromium.mjs — what the browser tests share: how Debian's chromium is
// launched (headless, no network of its own: no GPU, no QUIC, nothing
// fetched at start; CHROMIUM names another binary), and axe-core's check
// that a page has no serious or critical violation.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

export const LAUNCH = {
	executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
};

export const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// Fails, naming them, when axe-core finds serious or critical violations
// on the page as it is now (the page's CSP must let the script in:
// contexts made with bypassCSP).
export async function axeSerious(page, what) {
	await page.addScriptTag({ path: AXE });
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	assert.equal(bad.length, 0, `${what}: ${bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`).join('; ')}`);
}
