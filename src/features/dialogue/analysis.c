/*
 * analysis.c — the analysis of a conversation's votes, off the request
 * path, and its stored result (the report, the live view, the routing
 * weights).
 *
 * A full analysis reads every current vote (excluded participants left
 * out) in one snapshot and runs the engine (compat mode), bridging and
 * the declared groups: the reference, and what the exports compute
 * afresh (dlg_report_now). The analysis thread keeps a full analysis in
 * memory (struct dlg_kept) and, when the changes since are votes alone,
 * reads only those (the history after the last id it applied) and
 * applies them with the engine's live update (analysis_live_add: counts
 * exact, each voter's position, base cluster and group from the last
 * full analysis's components and clusters); anything else — a
 * moderation, a seed, an exclusion, a declaration, a vote on a statement
 * the full analysis saw no vote on — and, now and then, the policy below
 * run the full analysis again.
 */
#include "features/dialogue/dlg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/bridging.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/declared.h"
#include "dialogue/analysis/import.h"
#include "dialogue/analysis/report.h"
#include "features/registration/registration.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Votes applied to the kept analyses live, between full runs (/metrics). */
static _Atomic uint64_t votes_applied_live;

void dlg_analysis_metrics(struct buf *out)
{
	buf_printf(out,
		   "# HELP harmony_dialogue_votes_applied_live_total Votes applied to a kept "
		   "analysis by the live update, between full analyses.\n"
		   "# TYPE harmony_dialogue_votes_applied_live_total counter\n"
		   "harmony_dialogue_votes_applied_live_total %llu\n",
		   (unsigned long long)atomic_load(&votes_applied_live));
}

static const char SQL_REPORT_STMTS[] =
	"SELECT id, status, text FROM statement WHERE conversation_id = ? ORDER BY id";
static const char SQL_REPORT_VOTES[] =
	"SELECT v.participant_id, v.statement_id, v.vote FROM vote v "
	"JOIN dialogue_participant p ON p.id = v.participant_id "
	"WHERE v.conversation_id = ? AND p.excluded = 0 ORDER BY v.participant_id, v.statement_id";

/* ------------------------------------------------------ declared groups */

static const char SQL_DECL_REGS[] =
	"SELECT r.id, r.email_key, r.sector, r.country FROM registration r "
	"JOIN conversation c ON c.event_id = r.event_id WHERE c.id = ? AND r.status = 'approved'";
static const char SQL_DECL_PTPTS[] =
	"SELECT p.id, p.registration_id, a.email, p.sector, p.country FROM dialogue_participant p "
	"LEFT JOIN account a ON a.id = p.account_id WHERE p.conversation_id = ?";

/* The participants' declared sector and country, from their approved
 * registration for the conversation's event: the one they are linked to,
 * else the one of their account's address; else what they declared in
 * the conversation (dlg_declare). Participants known by none have no
 * group. 0, or -1 on a failed read. */
static int load_declared(struct db *db, int64_t cid, const struct dataset *d,
			 struct declared_attrs *g)
{
	static const char *const attrs[] = {"sector", "country"};
	memset(g, 0, sizeof(*g));
	g->n_attrs = 2;
	g->n_ptpts = d->n_ptpts;
	g->attr_name = xcalloc(2, sizeof(char *));
	g->n_values = xcalloc(2, sizeof(uint32_t));
	g->value_name = xcalloc(2, sizeof(char **));
	g->group = xcalloc((size_t)2 * (d->n_ptpts ? d->n_ptpts : 1), sizeof(int32_t));
	for (uint32_t a = 0; a < 2; a++)
		g->attr_name[a] = xstrdup(attrs[a]);
	for (size_t i = 0; i < (size_t)2 * d->n_ptpts; i++)
		g->group[i] = -1;
	/* the event's approved registrations, by id and by address key */
	json_t *by_id = json_object(), *by_key = json_object();
	struct db_stmt *st = db_prepare(db, SQL_DECL_REGS);
	int rc = -1;
	if (st) {
		db_bind_int(st, 1, cid);
		while ((rc = db_step(st)) == 1) {
			const char *sector = db_col_text(st, 2), *country = db_col_text(st, 3);
			json_t *v = json_pack("[s?, s?]", sector, country);
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)db_col_int(st, 0));
			json_object_set(by_id, id, v);
			if (db_col_text(st, 1))
				json_object_set(by_key, db_col_text(st, 1), v);
			json_decref(v);
		}
		db_done(st);
	}
	if (rc == 0 && (st = db_prepare(db, SQL_DECL_PTPTS))) {
		db_bind_int(st, 1, cid);
		while ((rc = db_step(st)) == 1) {
			uint32_t i = dataset_find_ptpt(d, db_col_int(st, 0));
			if (i == UINT32_MAX)
				continue; /* no vote in the analysis */
			const json_t *v = NULL;
			if (!db_col_is_null(st, 1)) {
				char id[24];
				snprintf(id, sizeof(id), "%lld", (long long)db_col_int(st, 1));
				v = json_object_get(by_id, id);
			} else if (db_col_text(st, 2)) {
				char key[AUTH_EMAIL_MAX + 1];
				reg_email_key(db_col_text(st, 2), key, sizeof(key));
				v = json_object_get(by_key, key);
			}
			/* what they declared themselves, where registration
			 * does not tell */
			json_t *own = NULL;
			if (!v && (!db_col_is_null(st, 3) || !db_col_is_null(st, 4)))
				v = own = json_pack("[s?, s?]", db_col_text(st, 3), db_col_text(st, 4));
			for (uint32_t a = 0; v && a < 2; a++) {
				const char *val = json_string_value(json_array_get(v, a));
				if (val && *val)
					g->group[(size_t)a * d->n_ptpts + i] = declared_attrs_value(g, a, val);
			}
			json_decref(own);
		}
		db_done(st);
	}
	json_decref(by_id);
	json_decref(by_key);
	return rc < 0 ? -1 : 0;
}

/* --------------------------------------------------------------- report */

/* The conversation's statements and current votes as the engine reads an
 * export: statement ids and participant ids are the store's. -1: a failed
 * read. */
static int load_dataset(struct db *db, int64_t cid, struct dataset *d)
{
	struct db_stmt *st = db_prepare(db, SQL_REPORT_STMTS);
	if (!st)
		return -1;
	db_bind_int(st, 1, cid);
	int rc;
	while ((rc = db_step(st)) == 1) {
		int added;
		uint32_t t = dataset_stmt(d, db_col_int(st, 0), &added);
		const char *status = db_col_text(st, 1);
		d->stmt_mod[t] = str_eq(status, "rejected") ? -1 : str_eq(status, "pending") ? 0 : 1;
		d->stmt_meta[t] = str_eq(status, "meta");
		d->stmt_text[t] = xstrdup(db_col_text(st, 2));
	}
	db_done(st);
	if (rc < 0)
		return -1;
	d->have_comments = 1;
	if (!(st = db_prepare(db, SQL_REPORT_VOTES)))
		return -1;
	db_bind_int(st, 1, cid);
	int64_t n = 0;
	while ((rc = db_step(st)) == 1) {
		uint32_t p = dataset_ptpt(d, db_col_int(st, 0));
		uint32_t t = dataset_find_stmt(d, db_col_int(st, 1));
		if (t != UINT32_MAX)
			vote_log_append(&d->log, p, t, (int)db_col_int(st, 2), n++);
	}
	db_done(st);
	if (rc < 0)
		return -1;
	dataset_finish(d);
	return 0;
}

/* ------------------------------------------------ one analysis, kept */

/* A conversation's analysis as the engine left it: a full one, and the
 * votes applied since. */
struct kept {
	int64_t cid;
	int64_t rev;          /* the revision it reflects */
	int64_t full_rev;     /* the revision the full analysis read */
	int64_t cursor;       /* the last vote_history id it read */
	int empty;            /* no vote at the full analysis: nothing kept */
	struct dataset d;     /* ids and statements (the vote log dropped) */
	struct analysis_live lv;
	uint8_t *full_col;    /* per statement: had a vote at the full analysis */
	struct bridging_result br;
	int have_br;
	struct declared_attrs attrs;
	struct declared_result dres[2];
	int n_dres, any_declared;
	uint64_t full_votes;  /* votes the full analysis read */
	uint64_t live_votes;  /* votes applied since */
	int64_t full_ms;      /* when it ran (monotonic) and how long it took */
	int64_t full_took_ms;
	int64_t used;         /* last use, for eviction */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kept_free(struct kept *k)
{
	if (!k)
		return;
	for (int a = 0; a < k->n_dres; a++)
		declared_result_free(&k->dres[a]);
	declared_attrs_free(&k->attrs);
	if (k->have_br)
		bridging_result_free(&k->br);
	if (!k->empty)
		analysis_live_free(&k->lv);
	free(k->full_col);
	dataset_free(&k->d);
	free(k);
}

static const char SQL_REVISION[] = "SELECT revision FROM conversation WHERE id = ?";
static const char SQL_CURSOR[] =
	"SELECT coalesce(max(id), 0) FROM vote_history WHERE conversation_id = ?";
static const char SQL_HISTORY_SINCE[] =
	"SELECT h.id, h.participant_id, h.statement_id, h.vote, p.excluded FROM vote_history h "
	"JOIN dialogue_participant p ON p.id = h.participant_id "
	"WHERE h.conversation_id = ? AND h.id > ? ORDER BY h.id";

/* The full analysis of cid at the caller's snapshot (revision rev).
 * NULL on a failed read or analysis (logged). */
static struct kept *kept_full(struct db *db, int64_t cid, int64_t rev)
{
	int64_t t0 = mono_ms();
	struct kept *k = xcalloc(1, sizeof(*k));
	k->cid = cid;
	k->rev = k->full_rev = rev;
	dataset_init(&k->d);
	if ((k->cursor = db_int_of(db, SQL_CURSOR, cid)) < 0 || load_dataset(db, cid, &k->d) < 0) {
		k->empty = 1;
		kept_free(k);
		return NULL;
	}
	if (k->d.log.n == 0) {
		k->empty = 1;
		k->full_ms = mono_ms();
		return k;
	}
	struct vote_csr m;
	struct analysis_opts ao;
	uint8_t *mod_out = dataset_mod_out(&k->d);
	vote_csr_build(&m, k->d.n_ptpts, k->d.n_stmts, k->d.log.v, k->d.log.n);
	k->full_votes = k->d.log.n;
	vote_log_free(&k->d.log);
	memset(&k->d.log, 0, sizeof(k->d.log));
	analysis_opts_default(&ao, ANALYSIS_COMPAT);
	/* the first tick of a live analysis is a run from a fresh state:
	 * what harmony analyze computes */
	enum hm_err e = analysis_live_init(&k->lv, &m, mod_out, k->d.stmt_meta, &ao);
	free(mod_out);
	if (e != HM_OK) {
		log_error("conversation %lld: analysis failed: %s", (long long)cid, hm_err_str(e));
		kept_free(k);
		return NULL;
	}
	const struct analysis_result *r = &k->lv.res;
	k->full_col = xmalloc((size_t)r->n_stmts + 1);
	memcpy(k->full_col, r->use_col, r->n_stmts);
	struct bridging_params bp;
	bridging_params_default(&bp);
	k->have_br = bridging_fit(&k->lv.m, &bp, NULL, &k->br) == HM_OK;
	/* the declared groups (sector, country) of the participants known from
	 * registration, where there are any */
	if (load_declared(db, cid, &k->d, &k->attrs) < 0) {
		kept_free(k);
		return NULL;
	}
	for (uint32_t a = 0; a < k->attrs.n_attrs; a++)
		k->any_declared |= k->attrs.n_values[a] > 0;
	if (k->any_declared) {
		struct declared_params dp;
		declared_params_default(&dp);
		dp.excluded = r->mod_out;
		for (uint32_t a = 0; a < k->attrs.n_attrs; a++, k->n_dres++) {
			struct declared_groups dg = {
				.n_groups = k->attrs.n_values[a],
				.names = (const char *const *)k->attrs.value_name[a],
				.group_of = k->attrs.group + (size_t)a * k->attrs.n_ptpts,
				.n_participants = k->attrs.n_ptpts,
			};
			if (declared_analyze(&k->lv.m, &dg, &dp, &k->dres[a]) != HM_OK) {
				log_error("conversation %lld: the declared groups failed", (long long)cid);
				kept_free(k);
				return NULL;
			}
		}
	}
	k->full_ms = mono_ms();
	k->full_took_ms = k->full_ms - t0;
	return k;
}

/* What the live update cannot apply (a change that is not votes alone,
 * or a vote it cannot place exactly). */
#define KEPT_STALE 1

/* Applies the votes since k's cursor, at the caller's snapshot
 * (revision rev): 0, KEPT_STALE (k unchanged: a full analysis is
 * needed) or -1 on a failed read. */
static int kept_live(struct db *db, struct kept *k, int64_t rev)
{
	if (k->empty)
		return KEPT_STALE;
	struct db_stmt *st = db_prepare(db, SQL_HISTORY_SINCE);
	if (!st)
		return -1;
	db_bind_int(st, 1, k->cid);
	db_bind_int(st, 2, k->cursor);
	struct row { int64_t id, pid, sid; int vote, excluded; } *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(st)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		rows[n++] = (struct row){db_col_int(st, 0), db_col_int(st, 1), db_col_int(st, 2),
					 (int)db_col_int(st, 3), db_col_int(st, 4) != 0};
	}
	db_done(st);
	if (rc < 0) {
		free(rows);
		return -1;
	}
	/* each vote raises the revision by one and adds one history row in
	 * the same transaction (dlg_vote_tx); any other change raises the
	 * revision alone */
	int stale = rev - k->rev != (int64_t)n;
	for (size_t i = 0; i < n && !stale; i++) {
		if (rows[i].excluded)
			continue; /* out of the analysis */
		uint32_t t = dataset_find_stmt(&k->d, rows[i].sid);
		/* a statement without votes at the full analysis has no
		 * component or centre yet */
		stale = t == UINT32_MAX || !k->full_col[t];
	}
	if (stale) {
		free(rows);
		return KEPT_STALE;
	}
	struct vote *v = xmalloc((n + 1) * sizeof(*v));
	size_t nv = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].excluded)
			continue;
		uint32_t p = dataset_find_ptpt(&k->d, rows[i].pid);
		if (p == UINT32_MAX)
			p = dataset_ptpt(&k->d, rows[i].pid); /* a new voter: the next index */
		v[nv++] = (struct vote){.pid = p, .tid = dataset_find_stmt(&k->d, rows[i].sid),
					 .value = (int8_t)rows[i].vote, .ts = rows[i].id};
	}
	enum hm_err e = nv ? analysis_live_add(&k->lv, v, nv) : HM_OK;
	free(v);
	if (n)
		k->cursor = rows[n - 1].id;
	free(rows);
	if (e != HM_OK)
		return -1;
	k->rev = rev;
	k->live_votes += nv;
	atomic_fetch_add_explicit(&votes_applied_live, nv, memory_order_relaxed);
	return 0;
}

/* The stored JSON of k: the engine's report, "too-few-participants" and
 * "live-votes". */
static void kept_json(const struct kept *k, struct buf *out)
{
	if (k->empty) {
		buf_puts(out, "{\"too-few-participants\":true,\"n\":0,\"n-cmts\":0,\"live-votes\":0}");
		return;
	}
	const struct analysis_result *r = &k->lv.res;
	struct report_declared rd = {.attrs = &k->attrs, .res = k->dres};
	struct report_in ri = {.d = &k->d, .r = r, .bridging = k->have_br ? &k->br : NULL,
			       .declared = k->any_declared ? &rd : NULL};
	report_json(out, &ri);
	/* the object's end, to add keys */
	while (out->len && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == '}'))
		if (out->data[--out->len] == '}')
			break;
	buf_printf(out, ",\"too-few-participants\":%s,\"live-votes\":%llu}",
		   r->n_in_conv < DLG_REPORT_MIN_PARTICIPANTS || r->groups.n < 2 ? "true" : "false",
		   (unsigned long long)k->live_votes);
}

/* ------------------------------------------------- the stored analysis */

static const char SQL_ANALYSIS_PUT[] =
	"INSERT INTO dialogue_analysis (conversation_id, revision, computed_at, took_ms, report) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET "
	"revision = excluded.revision, computed_at = excluded.computed_at, "
	"took_ms = excluded.took_ms, report = excluded.report "
	"WHERE dialogue_analysis.revision < excluded.revision";
/* A full analysis replacing a live one of the same votes takes a
 * revision of its own (what a report read's cache tells apart), unless
 * a change came meanwhile. */
static const char SQL_REVISION_NEXT[] =
	"UPDATE conversation SET revision = revision + 1 WHERE id = ? AND revision = ?";
static const char SQL_PRIORITY[] = "UPDATE statement SET priority = ? WHERE id = ? "
				   "AND conversation_id = ?";
static const char SQL_ANALYSIS_HEAD[] =
	"SELECT a.revision, a.computed_at, a.took_ms, c.revision FROM conversation c "
	"LEFT JOIN dialogue_analysis a ON a.conversation_id = c.id WHERE c.id = ?";
static const char SQL_ANALYSIS_TEXT[] =
	"SELECT report, computed_at FROM dialogue_analysis WHERE conversation_id = ? AND revision = ?";
static const char SQL_STALE[] =
	"SELECT c.id FROM conversation c LEFT JOIN dialogue_analysis a "
	"ON a.conversation_id = c.id WHERE c.status <> 'archived' "
	"AND c.revision > coalesce(a.revision, 0) ORDER BY c.id";

json_t *dlg_stale_conversations(struct db *db)
{
	struct db_stmt *st = db_prepare(db, SQL_STALE);
	return st ? db_rows_json(st) : NULL;
}

static void cache_text(struct db *db, int64_t cid, int64_t rev, const char *at, const char *data,
		       size_t len);

/* Stores k's JSON for its revision, and the statements' routing
 * weights. Its own transaction. renew: k replaces a stored analysis of
 * the same revision (dlg_kept_refresh): the revision goes up by one
 * with it, or nothing is stored when a change has come since. */
static enum hm_err kept_store(struct db *db, struct kept *k, int renew, int64_t now,
			      int64_t took_ms)
{
	struct buf text;
	buf_init(&text);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	enum hm_err e = db_begin(db);
	struct db_stmt *st = NULL;
	if (e == HM_OK && renew) {
		if (!(st = db_prepare(db, SQL_REVISION_NEXT))) {
			e = HM_EDB;
		} else {
			db_bind_int(st, 1, k->cid);
			db_bind_int(st, 2, k->rev);
			e = db_run(st);
		}
		if (e == HM_OK && db_changes(db) != 1) {
			/* changed meanwhile: its own analysis follows */
			db_rollback(db);
			buf_free(&text);
			return HM_OK;
		}
		if (e == HM_OK)
			k->rev++;
	}
	kept_json(k, &text);
	buf_putc(&text, 0);
	text.len--; /* a C string, the NUL not counted */
	if (e == HM_OK && !(st = db_prepare(db, SQL_ANALYSIS_PUT)))
		e = HM_EDB;
	if (e == HM_OK) {
		db_bind_int(st, 1, k->cid);
		db_bind_int(st, 2, k->rev);
		db_bind_text(st, 3, ts);
		db_bind_int(st, 4, took_ms);
		db_bind_text(st, 5, text.data);
		e = db_run(st);
	}
	int written = e == HM_OK && db_changes(db) == 1;
	/* the routing weights the next statement is drawn by (those of the
	 * JSON's comment-priorities: none read null) */
	const struct analysis_result *r = k->empty ? NULL : &k->lv.res;
	for (uint32_t t = 0; r && e == HM_OK && t < r->n_stmts; t++) {
		if (!r->use_col[t])
			continue;
		if (!(st = db_prepare(db, SQL_PRIORITY))) {
			e = HM_EDB;
			break;
		}
		db_bind_double(st, 1, isfinite(r->priority[t]) ? r->priority[t] : 0);
		db_bind_int(st, 2, k->d.stmt_id[t]);
		db_bind_int(st, 3, k->cid);
		e = db_run(st);
	}
	if (e != HM_OK) {
		buf_free(&text);
		db_rollback(db);
		return HM_EDB;
	}
	/* (the priorities reach the next statements' draw within a second:
	 * dlg_state keeps them that long, as they change with every run) */
	e = db_commit(db);
	/* this instance's report reads need not read it back */
	if (e == HM_OK && written)
		cache_text(db, k->cid, k->rev, ts, text.data, text.len);
	buf_free(&text);
	return e;
}

/* The revision of cid in the snapshot just begun: > 0, 0 (never
 * changed), or an error with the snapshot rolled back. */
static enum hm_err snapshot_revision(struct db *db, int64_t cid, int64_t *rev)
{
	enum hm_err e = db_begin_read(db);
	if (e != HM_OK)
		return e;
	struct db_stmt *st = db_prepare(db, SQL_REVISION);
	if (!st) {
		db_rollback(db);
		return HM_EDB;
	}
	db_bind_int(st, 1, cid);
	int rc = db_step(st);
	*rev = rc == 1 ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != 1) {
		db_rollback(db);
		return rc == 0 ? HM_ENOTFOUND : HM_EDB;
	}
	return HM_OK;
}

enum hm_err dlg_analyse(struct db *db, int64_t cid, int64_t now)
{
	int64_t t0 = mono_ms(), rev;
	enum hm_err e = snapshot_revision(db, cid, &rev);
	if (e != HM_OK)
		return e;
	struct kept *k = kept_full(db, cid, rev);
	db_rollback(db); /* a read: nothing to keep */
	if (!k)
		return HM_EDB;
	e = kept_store(db, k, 0, now, mono_ms() - t0);
	kept_free(k);
	return e;
}

/* ---------------------------------------- the analyses kept in memory */

/* How many conversations' analyses one instance keeps (the least
 * recently used goes). */
#define KEPT_MAX 4

struct dlg_kept {
	struct kept *k[KEPT_MAX];
	double max_share;     /* live votes, as a share of the full analysis's */
	int64_t max_age_ms;   /* age of the full analysis with live votes on it */
	int64_t min_gap;      /* times its duration: the least time between two */
	int64_t inline_ms;    /* a full analysis quicker than this is simply run again */
	int64_t clock;
	/* The full analyses the policy wants run on a thread of their own
	 * (one at a time, its own connection to path) while votes go on
	 * being applied live; without a path, in the caller's thread. */
	char *path;
	void (*wake)(void);
	pthread_mutex_t mu;
	pthread_t job;
	int job_running;      /* started and not yet joined */
	int job_finished;     /* under mu */
	int64_t job_cid;
	struct kept *job_out; /* under mu; NULL when it failed */
};

struct dlg_kept *dlg_kept_new(const char *db_path, void (*wake)(void))
{
	struct dlg_kept *s = xcalloc(1, sizeof(*s));
	s->max_share = DLG_LIVE_MAX_SHARE;
	s->max_age_ms = DLG_LIVE_MAX_AGE_MS;
	s->min_gap = DLG_LIVE_MIN_GAP;
	s->inline_ms = DLG_FULL_INLINE_MS;
	s->path = db_path ? xstrdup(db_path) : NULL;
	s->wake = wake;
	pthread_mutex_init(&s->mu, NULL);
	return s;
}

void dlg_kept_policy(struct dlg_kept *s, double max_share, int64_t max_age_ms)
{
	s->max_share = max_share;
	s->max_age_ms = max_age_ms;
	s->min_gap = 0;
	s->inline_ms = 0;
}

void dlg_kept_free(struct dlg_kept *s)
{
	if (!s)
		return;
	if (s->job_running) {
		pthread_join(s->job, NULL);
		kept_free(s->job_out);
	}
	for (int i = 0; i < KEPT_MAX; i++)
		kept_free(s->k[i]);
	pthread_mutex_destroy(&s->mu);
	free(s->path);
	free(s);
}

static struct kept **slot_of(struct dlg_kept *s, int64_t cid)
{
	for (int i = 0; i < KEPT_MAX; i++)
		if (s->k[i] && s->k[i]->cid == cid)
			return &s->k[i];
	return NULL;
}

static void keep(struct dlg_kept *s, struct kept *k)
{
	struct kept **at = slot_of(s, k->cid);
	if (!at) {
		at = &s->k[0];
		for (int i = 0; i < KEPT_MAX; i++) {
			if (!s->k[i]) {
				at = &s->k[i];
				break;
			}
			if (s->k[i]->used < (*at)->used)
				at = &s->k[i];
		}
	}
	if (*at != k)
		kept_free(*at);
	k->used = ++s->clock;
	*at = k;
}

/* 1 when the policy wants k analysed in full again, now: its live
 * votes have grown past a share of those it read, or it is older than
 * the age with live votes on it; never sooner than min_gap times the
 * time it took after it. */
static int full_due(const struct dlg_kept *s, const struct kept *k, int64_t pending)
{
	uint64_t live = k->live_votes + (uint64_t)(pending > 0 ? pending : 0);
	if (!live)
		return 0;
	int64_t age = mono_ms() - k->full_ms;
	if (age < s->min_gap * k->full_took_ms)
		return 0;
	return (double)live > s->max_share * (double)k->full_votes || age >= s->max_age_ms;
}

/* A full analysis of cid at a new snapshot, kept and stored (renew:
 * as kept_store's). */
static enum hm_err full_kept(struct db *db, struct dlg_kept *s, int64_t cid, int64_t now,
			     int renew)
{
	int64_t t0 = mono_ms(), rev;
	enum hm_err e = snapshot_revision(db, cid, &rev);
	if (e != HM_OK) {
		struct kept **at = slot_of(s, cid);
		if (e == HM_ENOTFOUND && at) { /* gone */
			kept_free(*at);
			*at = NULL;
		}
		return e;
	}
	struct kept *k = kept_full(db, cid, rev);
	db_rollback(db);
	if (!k)
		return HM_EDB;
	keep(s, k);
	/* a renewal reads the revision the live analysis had: nothing new */
	return kept_store(db, k, renew, now, mono_ms() - t0);
}

/* The background full analysis of s->job_cid. */
static void *job_main(void *arg)
{
	struct dlg_kept *s = arg;
	struct db *db = NULL;
	struct kept *k = NULL;
	char err[512];
	int64_t rev;
	if (db_open(s->path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)) != HM_OK) {
		log_error("dialogue analysis: %s", err);
	} else {
		if (snapshot_revision(db, s->job_cid, &rev) == HM_OK) {
			k = kept_full(db, s->job_cid, rev);
			db_rollback(db);
		}
		db_close(db);
	}
	pthread_mutex_lock(&s->mu);
	s->job_out = k;
	s->job_finished = 1;
	pthread_mutex_unlock(&s->mu);
	if (s->wake)
		s->wake();
	return NULL;
}

/* Starts the full analysis of cid in the background unless one runs. */
static void job_start(struct dlg_kept *s, int64_t cid)
{
	if (s->job_running)
		return;
	s->job_cid = cid;
	s->job_finished = 0;
	s->job_out = NULL;
	/* (this thread blocks every signal; the job inherits that) */
	s->job_running = pthread_create(&s->job, NULL, job_main, s) == 0;
	if (!s->job_running)
		log_error("conversation %lld: no thread for the analysis", (long long)cid);
}

/* The background full analysis, once done, replaces the kept one (unless
 * a newer full one was made meanwhile), catches up with the votes since
 * and is stored with a revision of its own. */
static enum hm_err job_collect(struct db *db, struct dlg_kept *s, int64_t now)
{
	if (!s->job_running)
		return HM_OK;
	pthread_mutex_lock(&s->mu);
	int done = s->job_finished;
	struct kept *k = s->job_out;
	pthread_mutex_unlock(&s->mu);
	if (!done)
		return HM_OK;
	pthread_join(s->job, NULL);
	s->job_running = 0;
	s->job_out = NULL;
	if (!k)
		return HM_EDB;
	struct kept **at = slot_of(s, k->cid);
	if (at && (*at)->full_rev > k->full_rev) {
		kept_free(k);
		return HM_OK;
	}
	keep(s, k);
	int64_t t0 = mono_ms(), rev;
	enum hm_err e = snapshot_revision(db, k->cid, &rev);
	if (e != HM_OK)
		return e;
	int rc = kept_live(db, k, rev);
	db_rollback(db);
	if (rc < 0) { /* perhaps half applied: the next run is a full one */
		struct kept **in = slot_of(s, k->cid);
		kept_free(k);
		*in = NULL;
		return HM_EDB;
	}
	if (rc == KEPT_STALE)
		return full_kept(db, s, k->cid, now, 0);
	return kept_store(db, k, 1, now, k->full_took_ms + mono_ms() - t0);
}

static void collect_logged(struct db *db, struct dlg_kept *s, int64_t now)
{
	int64_t cid = s->job_cid;
	enum hm_err e = job_collect(db, s, now);
	if (e != HM_OK)
		log_error("conversation %lld: analysis not stored: %s", (long long)cid, hm_err_str(e));
}

enum hm_err dlg_analyse_kept(struct db *db, struct dlg_kept *s, int64_t cid, int64_t now)
{
	collect_logged(db, s, now);
	struct kept **at = slot_of(s, cid);
	int64_t t0 = mono_ms(), rev;
	if (!at)
		return full_kept(db, s, cid, now, 0);
	struct kept *k = *at;
	enum hm_err e = snapshot_revision(db, cid, &rev);
	if (e != HM_OK) {
		if (e == HM_ENOTFOUND) { /* gone */
			kept_free(k);
			*at = NULL;
		}
		return e;
	}
	/* A small conversation is analysed in full each time: exact at once,
	 * and no later full run that would raise the revision by itself. */
	if (k->full_took_ms < s->inline_ms && k->live_votes == 0) {
		db_rollback(db);
		return full_kept(db, s, cid, now, 0);
	}
	int due = full_due(s, k, rev - k->rev);
	if (due && s->path) {
		/* in the background; the votes meanwhile are applied live */
		job_start(s, cid);
		due = 0;
	}
	int rc = due ? KEPT_STALE : kept_live(db, k, rev);
	db_rollback(db);
	if (rc < 0) { /* perhaps half applied: the next run is a full one */
		kept_free(k);
		*at = NULL;
		return HM_EDB;
	}
	if (rc == KEPT_STALE)
		return full_kept(db, s, cid, now, 0);
	k->used = ++s->clock;
	return kept_store(db, k, 0, now, mono_ms() - t0);
}

void dlg_kept_refresh(struct db *db, struct dlg_kept *s, int64_t now, int (*stop)(void))
{
	collect_logged(db, s, now);
	for (int i = 0; i < KEPT_MAX; i++) {
		if (stop && stop())
			return;
		struct kept *k = s->k[i];
		if (!k || !full_due(s, k, 0))
			continue;
		if (s->path) {
			job_start(s, k->cid);
			continue;
		}
		int64_t cid = k->cid;
		enum hm_err e = full_kept(db, s, cid, now, 1);
		if (e != HM_OK)
			log_error("conversation %lld: analysis not stored: %s", (long long)cid,
				  hm_err_str(e));
	}
}

/* ------------------------------------------------------- the reports */

/* The stored analyses last read, by (conversation, revision, when
 * computed): a report read then costs a look at the revisions, not the
 * stored JSON (megabytes for a large conversation) read and parsed
 * again. Another instance's newer analysis has another revision. */
#define READ_CACHE 4

struct text {
	_Atomic int refs;
	size_t len;
	char data[];
};

static struct {
	pthread_mutex_t mu;
	struct {
		char *db;             /* db_path: which database (tests open many) */
		int64_t cid, rev;
		char at[DLG_TS_SIZE];
		struct text *t;
		int64_t used;
	} e[READ_CACHE];
	int64_t clock;
} rc = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void text_unref(struct text *t)
{
	if (t && atomic_fetch_sub(&t->refs, 1) == 1)
		free(t);
}

static struct text *cache_get(const char *db, int64_t cid, int64_t rev, const char *at)
{
	struct text *t = NULL;
	pthread_mutex_lock(&rc.mu);
	for (int i = 0; i < READ_CACHE; i++)
		if (rc.e[i].t && rc.e[i].cid == cid && rc.e[i].rev == rev && str_eq(rc.e[i].at, at) &&
		    str_eq(rc.e[i].db, db)) {
			t = rc.e[i].t;
			atomic_fetch_add(&t->refs, 1);
			rc.e[i].used = ++rc.clock;
			break;
		}
	pthread_mutex_unlock(&rc.mu);
	return t;
}

static void cache_put(const char *db, int64_t cid, int64_t rev, const char *at, struct text *t)
{
	pthread_mutex_lock(&rc.mu);
	int at_i = 0;
	for (int i = 0; i < READ_CACHE; i++) {
		if (rc.e[i].t && rc.e[i].cid == cid && str_eq(rc.e[i].db, db)) {
			/* one revision per conversation */
			at_i = i;
			break;
		}
		if (!rc.e[i].t || rc.e[i].used < rc.e[at_i].used)
			at_i = i;
		if (!rc.e[i].t)
			break;
	}
	text_unref(rc.e[at_i].t);
	atomic_fetch_add(&t->refs, 1);
	rc.e[at_i].t = t;
	free(rc.e[at_i].db);
	rc.e[at_i].db = xstrdup(db ? db : "");
	rc.e[at_i].cid = cid;
	rc.e[at_i].rev = rev;
	snprintf(rc.e[at_i].at, sizeof(rc.e[at_i].at), "%s", at);
	rc.e[at_i].used = ++rc.clock;
	pthread_mutex_unlock(&rc.mu);
}

static struct text *text_new(const char *s, size_t n)
{
	struct text *t = xmalloc(sizeof(*t) + n + 1);
	atomic_init(&t->refs, 1);
	t->len = n;
	memcpy(t->data, s, n);
	t->data[n] = 0;
	return t;
}

/* What this instance has just stored, for its report reads. */
static void cache_text(struct db *db, int64_t cid, int64_t rev, const char *at, const char *data,
		       size_t len)
{
	struct text *t = text_new(data, len);
	cache_put(db_path(db), cid, rev, at, t);
	text_unref(t);
}

/* The stored JSON of cid's analysis of revision rev computed at `at`:
 * from the cache, or read and cached. NULL when it is no longer stored
 * (replaced meanwhile) or on a failed read. */
static struct text *stored_text(struct db *db, int64_t cid, int64_t rev, const char *at)
{
	struct text *t = cache_get(db_path(db), cid, rev, at);
	if (t)
		return t;
	struct db_stmt *st = db_prepare(db, SQL_ANALYSIS_TEXT);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	db_bind_int(st, 2, rev);
	if (db_step(st) == 1 && str_eq(db_col_text(st, 1), at)) {
		const char *s = db_col_text(st, 0);
		t = text_new(s ? s : "", s ? strlen(s) : 0);
	}
	db_done(st);
	if (t)
		cache_put(db_path(db), cid, rev, at, t);
	return t;
}

enum hm_err dlg_report_text(struct db *db, int64_t cid, struct buf *out)
{
	for (int tries = 0; tries < 3; tries++) {
		struct db_stmt *st = db_prepare(db, SQL_ANALYSIS_HEAD);
		if (!st)
			return HM_EDB;
		db_bind_int(st, 1, cid);
		int r = db_step(st);
		if (r != 1) {
			db_done(st);
			return r == 0 ? HM_ENOTFOUND : HM_EDB;
		}
		int64_t current = db_col_int(st, 3);
		if (db_col_is_null(st, 0)) {
			db_done(st);
			buf_printf(out,
				   "{\"too-few-participants\":true,\"n\":0,\"n-cmts\":0,"
				   "\"conversation\":%lld,\"computed-at\":null,\"took-ms\":null,"
				   "\"pending\":%s}",
				   (long long)cid, current > 0 ? "true" : "false");
			return HM_OK;
		}
		int64_t rev = db_col_int(st, 0), took = db_col_int(st, 2);
		char at[DLG_TS_SIZE];
		snprintf(at, sizeof(at), "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
		db_done(st);
		struct text *t = stored_text(db, cid, rev, at);
		if (!t) {
			if (db_failed(db) != HM_OK)
				return HM_EDB;
			continue; /* replaced since: read the new one */
		}
		/* the stored object, its end opened to add the stored analysis's
		 * keys */
		size_t n = t->len;
		while (n && t->data[n - 1] != '}')
			n--;
		if (n < 2) {
			text_unref(t);
			log_error("conversation %lld: the stored analysis is not JSON", (long long)cid);
			return HM_EDB;
		}
		buf_append(out, t->data, n - 1);
		text_unref(t);
		buf_printf(out, ",\"conversation\":%lld,\"computed-at\":\"%s\",\"took-ms\":%lld,"
			   "\"pending\":%s}",
			   (long long)cid, at, (long long)took, current > rev ? "true" : "false");
		return HM_OK;
	}
	return HM_EDB;
}

json_t *dlg_report(struct db *db, int64_t cid)
{
	struct buf b;
	buf_init(&b);
	json_t *j = NULL;
	if (dlg_report_text(db, cid, &b) == HM_OK) {
		j = json_loadb(b.data, b.len, 0, NULL);
		if (!j)
			log_error("conversation %lld: the stored analysis is not JSON", (long long)cid);
	}
	buf_free(&b);
	return j;
}

json_t *dlg_report_now(struct db *db, int64_t cid)
{
	struct kept *k = kept_full(db, cid, 0);
	if (!k)
		return NULL;
	struct buf b;
	buf_init(&b);
	kept_json(k, &b);
	kept_free(k);
	json_t *j = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	if (j) {
		json_object_del(j, "live-votes");
		json_object_set_new(j, "conversation", json_integer(cid));
		json_object_set_new(j, "computed-at", json_null());
		json_object_set_new(j, "took-ms", json_null());
		json_object_set_new(j, "pending", json_false());
	}
	return j;
}
