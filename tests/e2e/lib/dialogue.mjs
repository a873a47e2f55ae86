// dialogue.mjs — waiting for the dialogue's analysis, which runs off the
// request path (shortly after votes): a report read too early is the last
// one computed, marked "pending".

// Calls get() (a promise of {status, json}) until the report it answers
// has read every change (pending false), at most `within` ms; returns the
// last answer. A refusal (not 200) is returned at once.
export async function analysed(get, within = 15_000) {
	const until = Date.now() + within;
	for (;;) {
		const r = await get();
		if (r.status !== 200 || r.json?.pending === false || Date.now() > until) return r;
		await new Promise((ok) => setTimeout(ok, 100));
	}
}
