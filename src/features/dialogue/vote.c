/*
 * vote.c — the store of votes and what is read from them: a vote (the
 * current one replaced, the history appended, in one transaction), the
 * next statement for a participant, their progress and own votes, and the
 * report: the analysis engine on the conversation's current votes.
 */
#include "features/dialogue/dlg_internal.h"

#include "core/text.h"
#include "db/db.h"
#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/bridging.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/declared.h"
#include "dialogue/analysis/import.h"
#include "features/registration/registration.h"
#include "dialogue/analysis/report.h"

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
static const char SQL_REPORT_STMTS[] =
	"SELECT id, status, text FROM statement WHERE conversation_id = ? ORDER BY id";
static const char SQL_REPORT_VOTES[] =
	"SELECT v.participant_id, v.statement_id, v.vote FROM vote v "
	"JOIN dialogue_participant p ON p.id = v.participant_id "
	"WHERE v.conversation_id = ? AND p.excluded = 0 ORDER BY v.participant_id, v.statement_id";

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
	if (db_run(st) != HM_OK || dlg_touch(db, cid) != HM_OK)
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

static const char SQL_NEXT_TEXT[] = "SELECT text, by_organiser, lang FROM statement WHERE id = ?";

static const char SQL_ACCEPTED[] = "SELECT id, priority FROM statement WHERE conversation_id = ? "
				   "AND status = 'accepted' ORDER BY id";
static const char SQL_VOTED[] = "SELECT statement_id FROM vote WHERE participant_id = ? "
				"ORDER BY statement_id";

enum hm_err dlg_state(struct db *db, int64_t cid, int64_t pid, json_t **next, json_t **progress)
{
	*next = *progress = NULL;
	/* Two range scans merged here (the accepted statements in id order,
	 * the participant's votes in statement order) rather than a probe
	 * per statement: this runs for every vote answered. */
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
	if (rc < 0 || !(st = db_prepare(db, SQL_ACCEPTED))) {
		free(voted);
		return HM_EDB;
	}
	db_bind_int(st, 1, cid);
	size_t total = 0, k = 0;
	while ((rc = db_step(st)) == 1) {
		int64_t id = db_col_int(st, 0);
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
		}
		ids[n] = id;
		/* The engine's routing priority (Pol.is's comment priorities:
		 * statements that tell the groups apart, and new ones, come
		 * sooner); one the last analysis has not seen yet weighs as the
		 * heaviest one known, so new statements get votes. */
		w[n] = db_col_is_null(st, 1) ? -1 : db_col_double(st, 1);
		if (w[n] > top)
			top = w[n];
		n++;
	}
	db_done(st);
	free(voted);
	enum hm_err e = rc < 0 ? HM_EDB : HM_OK;
	if (e == HM_OK && n == 0)
		*next = json_null();
	else if (e == HM_OK) {
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
		if ((st = db_prepare(db, SQL_NEXT_TEXT))) {
			db_bind_int(st, 1, ids[i]);
			if (db_step(st) == 1)
				*next = json_pack("{s:I, s:s, s:b, s:s?}", "id", (json_int_t)ids[i],
						  "text", db_col_text(st, 0), "by_organiser",
						  (int)db_col_int(st, 1), "lang", db_col_text(st, 2));
			db_done(st);
		}
		/* its translations, for the reader's language (the web's) */
		json_t *trs = *next ? dlg_translations(db, ids[i]) : NULL;
		if (trs)
			json_object_set_new(*next, "translations", trs);
		else
			e = HM_EDB;
	}
	free(w);
	free(ids);
	if (e == HM_OK)
		*progress = json_pack("{s:I, s:I}", "voted", (json_int_t)done, "total", (json_int_t)total);
	else {
		json_decref(*next);
		*next = NULL;
	}
	return e;
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

/* The engine on the conversation's current votes, as dlg_report's JSON
 * without the stored analysis's keys. NULL on a failed read or analysis
 * (logged). */
static json_t *analyse(struct db *db, int64_t cid)
{
	struct dataset d;
	struct vote_csr m;
	struct analysis_opts ao;
	struct analysis_state ast;
	struct analysis_result res;
	struct bridging_params bp;
	struct bridging_result br;
	struct declared_attrs attrs;
	struct declared_result dres[2];
	struct report_declared rd;
	struct buf out;
	json_t *j = NULL;
	int have_res = 0, have_br = 0, n_dres = 0;

	dataset_init(&d);
	memset(&attrs, 0, sizeof(attrs));
	memset(dres, 0, sizeof(dres));
	memset(&m, 0, sizeof(m));
	memset(&res, 0, sizeof(res));
	memset(&br, 0, sizeof(br));
	analysis_state_init(&ast);
	buf_init(&out);
	if (load_dataset(db, cid, &d) < 0)
		goto out;
	if (d.log.n == 0) {
		/* nothing to analyse: the counts alone */
		j = json_pack("{s:b, s:i, s:i}", "too-few-participants", 1, "n", 0, "n-cmts", 0);
		goto out;
	}
	uint8_t *mod_out = dataset_mod_out(&d);
	vote_csr_build(&m, d.n_ptpts, d.n_stmts, d.log.v, d.log.n);
	analysis_opts_default(&ao, ANALYSIS_COMPAT);
	struct analysis_input in = {.m = &m, .mod_out = mod_out, .is_meta = d.stmt_meta};
	enum hm_err e = analysis_run(&in, &ao, &ast, NULL, &res);
	free(mod_out);
	if (e != HM_OK) {
		log_error("conversation %lld: analysis failed: %s", (long long)cid, hm_err_str(e));
		goto out;
	}
	have_res = 1;
	bridging_params_default(&bp);
	if (bridging_fit(&m, &bp, NULL, &br) == HM_OK)
		have_br = 1;
	/* the declared groups (sector, country) of the participants known from
	 * registration, where there are any */
	if (load_declared(db, cid, &d, &attrs) < 0)
		goto out;
	int any = 0;
	for (uint32_t a = 0; a < attrs.n_attrs; a++)
		any |= attrs.n_values[a] > 0;
	if (any) {
		struct declared_params dp;
		declared_params_default(&dp);
		dp.excluded = res.mod_out;
		for (uint32_t a = 0; a < attrs.n_attrs; a++, n_dres++) {
			struct declared_groups dg = {
				.n_groups = attrs.n_values[a],
				.names = (const char *const *)attrs.value_name[a],
				.group_of = attrs.group + (size_t)a * attrs.n_ptpts,
				.n_participants = attrs.n_ptpts,
			};
			if (declared_analyze(&m, &dg, &dp, &dres[a]) != HM_OK) {
				log_error("conversation %lld: the declared groups failed", (long long)cid);
				goto out;
			}
		}
		rd.attrs = &attrs;
		rd.res = dres;
	}
	struct report_in ri = {.d = &d, .r = &res, .bridging = have_br ? &br : NULL,
			       .declared = any ? &rd : NULL};
	report_json(&out, &ri);
	j = json_loadb(out.data, out.len, 0, NULL);
	if (!j) {
		log_error("conversation %lld: the report is not JSON", (long long)cid);
		goto out;
	}
	json_object_set_new(j, "too-few-participants",
			    json_boolean(res.n_in_conv < DLG_REPORT_MIN_PARTICIPANTS ||
					 res.groups.n < 2));
out:
	for (int a = 0; a < n_dres; a++)
		declared_result_free(&dres[a]);
	declared_attrs_free(&attrs);
	if (have_br)
		bridging_result_free(&br);
	if (have_res)
		analysis_result_free(&res);
	analysis_state_free(&ast);
	vote_csr_free(&m);
	dataset_free(&d);
	buf_free(&out);
	return j;
}

/* ------------------------------------------------- the stored analysis */

static const char SQL_REVISION[] = "SELECT revision FROM conversation WHERE id = ?";
static const char SQL_ANALYSIS_PUT[] =
	"INSERT INTO dialogue_analysis (conversation_id, revision, computed_at, took_ms, report) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET "
	"revision = excluded.revision, computed_at = excluded.computed_at, "
	"took_ms = excluded.took_ms, report = excluded.report "
	"WHERE dialogue_analysis.revision < excluded.revision";
static const char SQL_PRIORITY[] = "UPDATE statement SET priority = ? WHERE id = ? "
				   "AND conversation_id = ?";
static const char SQL_ANALYSIS_GET[] =
	"SELECT a.revision, a.computed_at, a.took_ms, a.report, c.revision FROM conversation c "
	"LEFT JOIN dialogue_analysis a ON a.conversation_id = c.id WHERE c.id = ?";
static const char SQL_STALE[] =
	"SELECT c.id FROM conversation c LEFT JOIN dialogue_analysis a "
	"ON a.conversation_id = c.id WHERE c.status <> 'archived' "
	"AND c.revision > coalesce(a.revision, 0) ORDER BY c.id";

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

json_t *dlg_stale_conversations(struct db *db)
{
	struct db_stmt *st = db_prepare(db, SQL_STALE);
	return st ? db_rows_json(st) : NULL;
}

enum hm_err dlg_analyse(struct db *db, int64_t cid, int64_t now)
{
	int64_t t0 = mono_ms();
	/* one snapshot: the revision and the votes it counts */
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
	int64_t rev = rc == 1 ? db_col_int(st, 0) : 0;
	db_done(st);
	if (rc != 1) {
		db_rollback(db);
		return rc == 0 ? HM_ENOTFOUND : HM_EDB;
	}
	json_t *r = analyse(db, cid);
	db_rollback(db); /* a read: nothing to keep */
	if (!r)
		return HM_EDB;
	char *text = json_dumps(r, JSON_COMPACT);
	char ts[DLG_TS_SIZE];
	dlg_ts(now, ts);
	e = text ? db_begin(db) : HM_EINTERNAL;
	if (e == HM_OK && !(st = db_prepare(db, SQL_ANALYSIS_PUT)))
		e = HM_EDB;
	if (e == HM_OK) {
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, rev);
		db_bind_text(st, 3, ts);
		db_bind_int(st, 4, mono_ms() - t0);
		db_bind_text(st, 5, text);
		e = db_run(st);
	}
	/* the routing weights the next statement is drawn by */
	const char *tid;
	json_t *w;
	json_object_foreach(json_object_get(r, "comment-priorities"), tid, w) {
		if (e != HM_OK)
			break;
		int64_t sid;
		if (!text_int_parse(tid, &sid) || !(st = db_prepare(db, SQL_PRIORITY))) {
			e = HM_EDB;
			break;
		}
		db_bind_double(st, 1, json_number_value(w));
		db_bind_int(st, 2, sid);
		db_bind_int(st, 3, cid);
		e = db_run(st);
	}
	free(text);
	json_decref(r);
	if (e != HM_OK) {
		if (e != HM_EINTERNAL)
			db_rollback(db);
		return e == HM_EINTERNAL ? e : HM_EDB;
	}
	return db_commit(db);
}

/* Adds the keys of the stored analysis: when it was computed, how long it
 * took, and whether changes have come since ("pending"). */
static void stamp(json_t *j, int64_t cid, const char *at, int64_t took, int pending)
{
	json_object_set_new(j, "conversation", json_integer(cid));
	json_object_set_new(j, "computed-at", at ? json_string(at) : json_null());
	json_object_set_new(j, "took-ms", at ? json_integer(took) : json_null());
	json_object_set_new(j, "pending", json_boolean(pending));
}

json_t *dlg_report(struct db *db, int64_t cid)
{
	struct db_stmt *st = db_prepare(db, SQL_ANALYSIS_GET);
	if (!st)
		return NULL;
	db_bind_int(st, 1, cid);
	int rc = db_step(st);
	if (rc != 1) {
		db_done(st);
		return NULL;
	}
	int64_t current = db_col_int(st, 4);
	json_t *j = NULL;
	if (db_col_is_null(st, 0)) {
		j = json_pack("{s:b, s:i, s:i}", "too-few-participants", 1, "n", 0, "n-cmts", 0);
		stamp(j, cid, NULL, 0, current > 0);
	} else {
		const char *text = db_col_text(st, 3);
		j = json_loads(text, 0, NULL);
		if (j)
			stamp(j, cid, db_col_text(st, 1), db_col_int(st, 2),
			      current > db_col_int(st, 0));
		else
			log_error("conversation %lld: the stored analysis is not JSON", (long long)cid);
	}
	db_done(st);
	return j;
}

json_t *dlg_report_now(struct db *db, int64_t cid)
{
	json_t *j = analyse(db, cid);
	if (j)
		stamp(j, cid, NULL, 0, 0);
	return j;
}
