/*
 * vote.c — the store of votes and what is read from them: a vote (the
 * current one replaced, the history appended, in one transaction), the
 * next statement for a participant, their progress and own votes (the
 * analysis of them is analysis.c's).
 */
#include "features/dialogue/dlg_internal.h"

#include "core/text.h"
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- SQL */

static const char SQL_STMT[] =
	"SELECT status FROM statement WHERE id = ? AND conversation_id = ?";
static const char SQL_HAS_VOTE[] =
	"SELECT 1 FROM vote WHERE statement_id = ? AND participant_id = ?";
static const char SQL_UPSERT[] =
	"INSERT INTO vote (statement_id, participant_id, conversation_id, vote, created_at) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT (statement_id, participant_id) "
	"DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at";
static const char SQL_HISTORY[] =
	"INSERT INTO vote_history (conversation_id, statement_id, participant_id, vote, "
	"created_at) VALUES (?, ?, ?, ?, ?)";
static const char SQL_VOTES_OF[] =
	"SELECT statement_id AS statement, vote FROM vote WHERE participant_id = ? "
	"AND conversation_id = ? ORDER BY statement_id";

/* ---------------------------------------------------------------- limits */

static const char SQL_RATE_GET[] = "SELECT tokens, at_ms FROM vote_rate WHERE key = ?";
static const char SQL_RATE_PUT[] =
	"INSERT INTO vote_rate (key, tokens, at_ms) VALUES (?, ?, ?) ON CONFLICT (key) "
	"DO UPDATE SET tokens = excluded.tokens, at_ms = excluded.at_ms";

static _Atomic int vote_limit = DLG_VOTE_LIMIT_DEFAULT;

void dlg_vote_limit_set(int per_second)
{
	vote_limit = per_second;
}

int dlg_vote_limit(void)
{
	return vote_limit;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A token bucket of the vote limits: rate tokens a second up to burst.
 * *tokens: what it holds at ms (before this vote). -1: a failed read. */
struct bucket {
	const char *key;
	double rate, burst, tokens;
};

static int bucket_read(struct db *db, struct bucket *b, int64_t ms)
{
	struct db_stmt *st = db_prepare(db, SQL_RATE_GET);
	if (!st)
		return -1;
	db_bind_text(st, 1, b->key);
	int rc = db_step(st);
	b->tokens = b->burst;
	if (rc == 1) {
		double t = db_col_double(st, 0) + (double)(ms - db_col_int(st, 1)) * b->rate / 1000.0;
		b->tokens = t < b->burst ? t : b->burst;
	}
	db_done(st);
	return rc < 0 ? -1 : 0;
}

static enum hm_err bucket_take(struct db *db, const struct bucket *b, int64_t ms)
{
	struct db_stmt *st = db_prepare(db, SQL_RATE_PUT);
	if (!st)
		return HM_EDB;
	db_bind_text(st, 1, b->key);
	db_bind_double(st, 2, b->tokens - 1);
	db_bind_int(st, 3, ms);
	return db_run(st) == HM_OK ? HM_OK : HM_EDB;
}

/* ---------------------------------------------------------------- votes */

static const char SQL_CONV_STATUS[] = "SELECT status FROM conversation WHERE id = ?";

enum hm_err dlg_vote_tx(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
			int vote, int64_t now, const char *addr, const json_t *conv, json_t **out)
{
	*out = NULL;
	if (vote < -1 || vote > 1)
		return HM_EINVAL;
	json_t *owned = NULL;
	const json_t *c = conv;
	/* found open earlier in this transaction (a batch of votes): it stays
	 * so, for the transaction holds the write lock */
	static _Thread_local struct {
		uint64_t tx;
		int64_t cid;
	} open_in;
	uint64_t tx = db_tx_serial(db);
	int known_open = tx && open_in.tx == tx && open_in.cid == cid;
	if (conv && !known_open) {
		/* the caller's copy says who may take part; whether it is still
		 * open is read here, in the vote's transaction */
		struct db_stmt *st = db_prepare(db, SQL_CONV_STATUS);
		if (!st)
			return HM_EDB;
		db_bind_int(st, 1, cid);
		int rc = db_step(st);
		int open = rc == 1 && str_eq(db_col_text(st, 0), "open");
		db_done(st);
		if (rc != 1)
			return rc == 0 ? HM_ENOTFOUND : HM_EDB;
		if (!open)
			return HM_ECONFLICT;
		open_in.tx = tx;
		open_in.cid = cid;
	} else if (!conv && !(c = owned = dlg_conversation(db, cid))) {
		return db_failed(db) ? HM_EDB : HM_ENOTFOUND;
	}
	enum hm_err e = dlg_may_take_part(db, c, who);
	if (e != HM_OK) {
		json_decref(owned);
		return e == HM_EBUSY ? HM_EDB : e;
	}
	struct db_stmt *st = db_prepare(db, SQL_STMT);
	if (!st) {
		json_decref(owned);
		return HM_EDB;
	}
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, cid);
	int rc = db_step(st);
	int accepted = rc == 1 && str_eq(db_col_text(st, 0), "accepted");
	db_done(st);
	if (!accepted) {
		json_decref(owned);
		return rc < 0 ? HM_EDB : rc == 0 ? HM_ENOTFOUND : HM_ECONFLICT;
	}
	/* The limits, before anything is written: an anonymous identity votes
	 * no faster than a person does (after a burst), and an address no
	 * more than the limit a second in one conversation. */
	int64_t pid = dlg_participant_of(db, cid, who);
	if (pid < 0) {
		json_decref(owned);
		return HM_EDB;
	}
	int64_t ms = now_ms();
	int limit = dlg_vote_limit();
	struct bucket bs[2];
	int nb = 0;
	char kp[40], ka[200];
	if (!(who->p && who->p->account_id > 0) && (who->anon_token || who->xid) && pid > 0) {
		snprintf(kp, sizeof(kp), "p:%lld", (long long)pid);
		bs[nb++] = (struct bucket){kp, DLG_ANON_RATE, DLG_ANON_BURST, 0};
	}
	if (limit > 0 && addr) {
		snprintf(ka, sizeof(ka), "a:%lld:%.160s", (long long)cid, addr);
		bs[nb++] = (struct bucket){ka, limit, (double)limit * DLG_ADDR_BURST_S, 0};
	}
	for (int i = 0; i < nb; i++) {
		if (bucket_read(db, &bs[i], ms) < 0) {
			json_decref(owned);
			return HM_EDB;
		}
		if (bs[i].tokens < 1) {
			json_decref(owned);
			return HM_ETOOBIG;
		}
	}
	e = pid > 0 ? HM_OK : dlg_participant_tx(db, c, who, now, &pid);
	json_decref(owned);
	for (int i = 0; e == HM_OK && i < nb; i++)
		e = bucket_take(db, &bs[i], ms);
	if (e != HM_OK)
		return HM_EDB;
	if (!(st = db_prepare(db, SQL_HAS_VOTE)))
		return HM_EDB;
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, pid);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return HM_EDB;
	/* the revision first: its row lock orders this conversation's
	 * writers, so that the history's ids below are given in the order
	 * the transactions commit (the analysis reads the history from the
	 * last id it applied: analysis.c), and each vote raises the revision
	 * by one with one history row, which is how the analysis knows a
	 * change it reads is votes alone */
	if (dlg_touch(db, cid) != HM_OK)
		return HM_EDB;
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	if (!(st = db_prepare(db, SQL_UPSERT)))
		return HM_EDB;
	db_bind_int(st, 1, sid);
	db_bind_int(st, 2, pid);
	db_bind_int(st, 3, cid);
	db_bind_int(st, 4, vote);
	db_bind_text(st, 5, ts);
	if (db_run(st) != HM_OK)
		return HM_EDB;
	if (!(st = db_prepare(db, SQL_HISTORY)))
		return HM_EDB;
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, sid);
	db_bind_int(st, 3, pid);
	db_bind_int(st, 4, vote);
	db_bind_text(st, 5, ts);
	if (db_run(st) != HM_OK)
		return HM_EDB;
	*out = json_pack("{s:I, s:I, s:i, s:b}", "participant", (json_int_t)pid, "statement",
			 (json_int_t)sid, "vote", vote, "created", rc == 0);
	return HM_OK;
}

enum hm_err dlg_vote(struct db *db, int64_t cid, const struct dlg_who *who, int64_t sid,
		     int vote, int64_t now, json_t **out)
{
	*out = NULL;
	enum hm_err e = db_begin(db);
	if (e != HM_OK)
		return e;
	if ((e = dlg_vote_tx(db, cid, who, sid, vote, now, NULL, NULL, out)) != HM_OK)
		return dlg_fail(db, e);
	if ((e = db_commit(db)) != HM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

/* A participant's draw: xorshift64*, per thread, seeded from the clock
 * and the thread (which statement comes next is not a secret). */
static double draw01(void)
{
	static _Thread_local uint64_t x;
	if (!x) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&x;
		x |= 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static const char SQL_VOTED[] = "SELECT statement_id FROM vote WHERE participant_id = ? "
				"ORDER BY statement_id";

/* ------------------------------------------------ the accepted statements */

/* The accepted statements of a conversation in id order, with their
 * routing priorities (-1: none yet), as dlg_state draws the next one from
 * them for every vote answered. They are read once and kept for
 * ACCEPTED_TTL_MS per conversation (a few conversations at once), and
 * dropped at once when this process adds statements or changes their
 * status (dlg_statements_changed); the priorities, which every analysis
 * run rewrites, and what another instance (or a path that does not say
 * so) changes show within the TTL. Which statement
 * comes next is a draw by priority, so a second's staleness is harmless;
 * the participant's own votes, which decide what they may not be shown
 * again, are always read fresh. */
#define ACCEPTED_TTL_MS 1000
#define ACCEPTED_SLOTS 8

struct accepted {
	int64_t cid;
	uint64_t gen;
	int64_t loaded_ms;
	size_t n;
	int64_t *ids;
	double *w;
	/* what the next statement's answer says of it */
	char **text, **lang;
	int *by_organiser;
	json_t *tr; /* {"<id>": {lang: {text}}}: read only while shared */
	int refs;   /* under acc_lock */
};

static void acc_free(struct accepted *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->text[i]);
		free(a->lang[i]);
	}
	free(a->text);
	free(a->lang);
	free(a->by_organiser);
	free(a->ids);
	free(a->w);
	json_decref(a->tr);
	free(a);
}

static pthread_mutex_t acc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct accepted *acc_slots[ACCEPTED_SLOTS];
static _Atomic uint64_t acc_gen;

void dlg_statements_changed(void)
{
	atomic_fetch_add_explicit(&acc_gen, 1, memory_order_relaxed);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void acc_unref_locked(struct accepted *a)
{
	if (a && --a->refs == 0)
		acc_free(a);
}

static void acc_release(struct accepted *a)
{
	pthread_mutex_lock(&acc_lock);
	acc_unref_locked(a);
	pthread_mutex_unlock(&acc_lock);
}

static const char SQL_ACCEPTED[] =
	"SELECT id, priority, text, by_organiser, lang FROM statement WHERE conversation_id = ? "
	"AND status = 'accepted' ORDER BY id";

/* The accepted statements of cid (the caller releases them), from the
 * cache or read in the caller's transaction; NULL: a failed read. */
static struct accepted *acc_get(struct db *db, int64_t cid)
{
	uint64_t gen = atomic_load_explicit(&acc_gen, memory_order_relaxed);
	int64_t now = mono_ms();
	struct accepted *a = NULL;
	pthread_mutex_lock(&acc_lock);
	for (int i = 0; i < ACCEPTED_SLOTS; i++) {
		struct accepted *x = acc_slots[i];
		if (x && x->cid == cid && x->gen == gen && now - x->loaded_ms < ACCEPTED_TTL_MS) {
			a = x;
			a->refs++;
			break;
		}
	}
	pthread_mutex_unlock(&acc_lock);
	if (a)
		return a;
	struct db_stmt *st = db_prepare(db, SQL_ACCEPTED);
	if (!st)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->cid = cid;
	a->gen = gen; /* read before the rows: a change meanwhile outdates them */
	a->loaded_ms = now;
	size_t cap = 0;
	int rc;
	db_bind_int(st, 1, cid);
	while ((rc = db_step(st)) == 1) {
		if (a->n == cap) {
			cap = cap ? 2 * cap : 64;
			a->ids = xrealloc(a->ids, cap * sizeof(*a->ids));
			a->w = xrealloc(a->w, cap * sizeof(*a->w));
			a->text = xrealloc(a->text, cap * sizeof(*a->text));
			a->lang = xrealloc(a->lang, cap * sizeof(*a->lang));
			a->by_organiser = xrealloc(a->by_organiser, cap * sizeof(*a->by_organiser));
		}
		const char *text = db_col_text(st, 2), *lang = db_col_text(st, 4);
		a->ids[a->n] = db_col_int(st, 0);
		a->w[a->n] = db_col_is_null(st, 1) ? -1 : db_col_double(st, 1);
		a->text[a->n] = xstrdup(text ? text : "");
		a->lang[a->n] = lang ? xstrdup(lang) : NULL;
		a->by_organiser[a->n] = (int)db_col_int(st, 3);
		a->n++;
	}
	db_done(st);
	if (rc == 0 && !(a->tr = dlg_conv_translations(db, cid)))
		rc = -1;
	if (rc < 0) {
		acc_free(a);
		return NULL;
	}
	/* kept in this conversation's slot, or an empty one, or the oldest */
	pthread_mutex_lock(&acc_lock);
	int slot = -1;
	for (int i = 0; i < ACCEPTED_SLOTS && slot < 0; i++)
		if (acc_slots[i] && acc_slots[i]->cid == cid)
			slot = i;
	for (int i = 0; i < ACCEPTED_SLOTS && slot < 0; i++)
		if (!acc_slots[i])
			slot = i;
	if (slot < 0) {
		slot = 0;
		for (int i = 1; i < ACCEPTED_SLOTS; i++)
			if (acc_slots[i]->loaded_ms < acc_slots[slot]->loaded_ms)
				slot = i;
	}
	acc_unref_locked(acc_slots[slot]);
	acc_slots[slot] = a;
	a->refs = 2; /* the slot's and the caller's */
	pthread_mutex_unlock(&acc_lock);
	return a;
}

enum hm_err dlg_state(struct db *db, int64_t cid, int64_t pid, json_t **next, json_t **progress)
{
	*next = *progress = NULL;
	/* The accepted statements (in id order, kept: acc_get) merged with
	 * the participant's votes in statement order (one range scan)
	 * rather than a probe per statement: this runs for every vote
	 * answered. */
	int64_t *voted = NULL, *ids = NULL;
	double *w = NULL, top = 0;
	size_t nv = 0, capv = 0, n = 0, cap = 0, done = 0;
	int rc = 0;
	struct db_stmt *st;
	if (pid > 0) {
		if (!(st = db_prepare(db, SQL_VOTED)))
			return HM_EDB;
		db_bind_int(st, 1, pid);
		while ((rc = db_step(st)) == 1) {
			if (nv == capv) {
				capv = capv ? 2 * capv : 64;
				voted = xrealloc(voted, capv * sizeof(*voted));
			}
			voted[nv++] = db_col_int(st, 0);
		}
		db_done(st);
	}
	struct accepted *acc = rc < 0 ? NULL : acc_get(db, cid);
	if (!acc) {
		free(voted);
		return HM_EDB;
	}
	size_t total = 0, k = 0, *at = NULL;
	for (size_t a = 0; a < acc->n; a++) {
		int64_t id = acc->ids[a];
		total++;
		while (k < nv && voted[k] < id)
			k++;
		if (k < nv && voted[k] == id) {
			done++;
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			w = xrealloc(w, cap * sizeof(*w));
			ids = xrealloc(ids, cap * sizeof(*ids));
			at = xrealloc(at, cap * sizeof(*at));
		}
		ids[n] = id;
		at[n] = a;
		/* The engine's routing priority (Pol.is's comment priorities:
		 * statements that tell the groups apart, and new ones, come
		 * sooner); one the last analysis has not seen yet weighs as the
		 * heaviest one known, so new statements get votes. */
		w[n] = acc->w[a];
		if (w[n] > top)
			top = w[n];
		n++;
	}
	free(voted);
	if (n == 0) {
		*next = json_null();
	} else {
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			if (w[i] < 0)
				w[i] = top > 0 ? top : 1;
			if (!(w[i] > 1e-9)) /* priorities may be 0: still drawn, rarely */
				w[i] = 1e-9;
			sum += w[i];
		}
		double r = draw01() * sum;
		size_t i = 0;
		for (; i + 1 < n && r >= w[i]; i++)
			r -= w[i];
		size_t a = at[i];
		*next = json_pack("{s:I, s:s, s:b, s:s?}", "id", (json_int_t)ids[i], "text",
				  acc->text[a], "by_organiser", acc->by_organiser[a], "lang",
				  acc->lang[a]);
		/* its translations, for the reader's language (the web's): a
		 * copy, made under the lock, the kept ones being shared */
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)ids[i]);
		pthread_mutex_lock(&acc_lock);
		json_t *trs = json_object_get(acc->tr, key);
		trs = trs ? json_deep_copy(trs) : json_object();
		pthread_mutex_unlock(&acc_lock);
		json_object_set_new(*next, "translations", trs);
	}
	acc_release(acc);
	free(w);
	free(ids);
	free(at);
	*progress = json_pack("{s:I, s:I}", "voted", (json_int_t)done, "total", (json_int_t)total);
	return HM_OK;
}

json_t *dlg_next(struct db *db, int64_t cid, int64_t pid)
{
	json_t *next, *progress;
	if (dlg_state(db, cid, pid, &next, &progress) != HM_OK)
		return NULL;
	json_decref(progress);
	return next;
}

json_t *dlg_progress(struct db *db, int64_t cid, int64_t pid)
{
	json_t *next, *progress;
	if (dlg_state(db, cid, pid, &next, &progress) != HM_OK)
		return NULL;
	json_decref(next);
	return progress;
}

json_t *dlg_votes_of(struct db *db, int64_t cid, int64_t pid)
{
	struct db_stmt *st = db_prepare(db, SQL_VOTES_OF);
	if (!st)
		return NULL;
	db_bind_int(st, 1, pid);
	db_bind_int(st, 2, cid);
	return db_rows_json(st);
}
