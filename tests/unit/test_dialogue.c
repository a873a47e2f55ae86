/*
 * test_dialogue.c — the dialogue store on a real SQLite file and, with
 * HM_TEST_PG (scripts/with-pg), on PostgreSQL: who may create and
 * moderate, the rules of a seed paste, participants' statements under
 * strict and permissive moderation, one current vote per participant and
 * statement with its history, a closed conversation that writes nothing,
 * who may take part, and the report on a small conversation and on a
 * Pol.is export loaded into the store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "features/dialogue/dialogue.h"
#include "features/registration/registration.h"
#include "dialogue/analysis/analysis.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/import.h"
#include "dialogue/analysis/report.h"
#include "test_analysis_util.h"
#include "test_shared.h"
#include "test_backend.h"

/* 2030-01-01T00:00:00Z: the event is in the future, registration open */
#define NOW ((int64_t)1893456000)

static char dir[64];
static int ndb;

static struct backend sqlite_be = {DB_SQLITE}, pg_be = {DB_POSTGRESQL};

/* A fresh empty database: a file, or a schema of its own in PostgreSQL. */
static char *fresh(const struct backend *b)
{
	return tb_fresh(b, dir, "dlg", ++ndb);
}

struct world {
	struct db *db;
	struct principal admin, organiser, other, visitor, read_only, alice, bob;
	json_t *ev;
};

static void world_open(struct world *w, const struct backend *b)
{
	struct tb_people pp;
	memset(w, 0, sizeof(*w));
	w->db = tb_open_world(fresh(b), NOW, &pp);
	w->admin = pp.admin;
	w->organiser = pp.organiser;
	w->other = pp.other;
	w->visitor = pp.visitor;
	w->read_only = pp.read_only;
	tb_person(w->db, "alice@example.org", NULL, NOW, &w->alice);
	tb_person(w->db, "bob@example.org", NULL, NOW, &w->bob);
	w->ev = reg_event(w->db, "meet");
	assert_non_null(w->ev);
}

static void world_close(struct world *w)
{
	json_decref(w->ev);
	db_close(w->db);
}

static int64_t count(struct db *db, const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
	assert_non_null(st);
	int64_t n = db_step(st) == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	return n;
}

/* A conversation of the meeting made by the organiser from json. */
static int64_t conv(struct world *w, const char *json)
{
	json_t *in = json_loads(json, 0, NULL);
	assert_non_null(in);
	struct field_errors errs = {0};
	int64_t id = 0;
	enum hm_err e = dlg_create(w->db, &w->organiser, w->ev, in, NOW, &errs, &id);
	if (e != HM_OK)
		fail_msg("create %s: %d (%s)", json, e, errs.n ? errs.items[0].field : "");
	json_decref(in);
	return id;
}

static json_t *seed_ids(struct world *w, int64_t cid, const char *paste)
{
	json_t *texts = json_pack("[s]", paste), *ids = NULL;
	struct field_errors errs = {0};
	enum hm_err e = dlg_seed(w->db, &w->organiser, cid, texts, NOW, &errs, &ids);
	json_decref(texts);
	if (e != HM_OK)
		fail_msg("seed: %d (%s)", e, errs.n ? errs.items[0].msgid : "");
	return ids;
}

static enum hm_err vote(struct world *w, int64_t cid, const struct principal *p, const char *anon,
			int64_t sid, int v, int *created)
{
	struct dlg_who who = {.p = p, .anon_token = anon};
	json_t *out = NULL;
	enum hm_err e = dlg_vote(w->db, cid, &who, sid, v, NOW, &out);
	if (created)
		*created = e == HM_OK && json_is_true(json_object_get(out, "created"));
	json_decref(out);
	return e;
}

#define ANON1 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define ANON2 "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

/* ------------------------------------------------------------ tests */

static void t_rights_to_create_and_change(void **state)
{
	struct world w;
	world_open(&w, *state);
	struct field_errors errs = {0};
	int64_t id = 0;
	json_t *in = json_pack("{s:s}", "topic", "Water");
	/* an organiser of another event, a participant, a read-only token */
	assert_int_equal(dlg_create(w.db, &w.other, w.ev, in, NOW, &errs, &id), HM_EFORBIDDEN);
	assert_int_equal(dlg_create(w.db, &w.alice, w.ev, in, NOW, &errs, &id), HM_EFORBIDDEN);
	assert_int_equal(dlg_create(w.db, &w.read_only, w.ev, in, NOW, &errs, &id), HM_EFORBIDDEN);
	assert_int_equal(count(w.db, "SELECT count(*) FROM conversation"), 0);
	json_decref(in);
	/* refused field by field */
	in = json_pack("{s:s, s:s, s:i, s:s}", "topic", " ", "status", "live", "max_length", 5,
		       "participation", "everyone");
	assert_int_equal(dlg_create(w.db, &w.organiser, w.ev, in, NOW, &errs, &id), HM_EINVAL);
	assert_non_null(field_error_get(&errs, "topic"));
	assert_non_null(field_error_get(&errs, "status"));
	assert_non_null(field_error_get(&errs, "max_length"));
	assert_non_null(field_error_get(&errs, "participation"));
	json_decref(in);
	int64_t cid = conv(&w, "{\"topic\": \"Water\"}");
	json_t *c = dlg_conversation(w.db, cid);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "draft");
	assert_int_equal(json_integer_value(json_object_get(c, "max_length")), 140);
	assert_true(json_is_true(json_object_get(c, "participants_submit")));
	/* a draft is seen by its organisers alone */
	assert_true(dlg_may_see(&w.organiser, c));
	assert_false(dlg_may_see(&w.alice, c));
	json_decref(c);
	memset(&errs, 0, sizeof(errs));
	in = json_pack("{s:s, s:s}", "status", "open", "moderation", "permissive");
	assert_int_equal(dlg_update(w.db, &w.alice, cid, in, NOW, &errs), HM_EFORBIDDEN);
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	assert_int_equal(dlg_update(w.db, &w.organiser, cid + 99, in, NOW, &errs), HM_ENOTFOUND);
	json_decref(in);
	c = dlg_conversation(w.db, cid);
	assert_string_equal(json_string_value(json_object_get(c, "moderation")), "permissive");
	assert_string_equal(json_string_value(json_object_get(c, "topic")), "Water");
	assert_true(dlg_may_see(&w.alice, c));
	json_decref(c);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action LIKE 'conversation.%'"), 2);
	world_close(&w);
}

static void t_seed_rules(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Water\", \"max_length\": 30}");
	struct field_errors errs = {0};
	json_t *ids = NULL;
	/* the same statement twice in one paste (case and spaces aside) */
	json_t *t = json_pack("[s]", "Rivers are shared\n\n  rivers  ARE shared.\n");
	assert_int_equal(dlg_seed(w.db, &w.organiser, cid, t, NOW, &errs, &ids), HM_EINVAL);
	json_decref(t);
	/* longer than the conversation allows */
	memset(&errs, 0, sizeof(errs));
	t = json_pack("[s]", "Short\nThis one is far longer than thirty characters");
	assert_int_equal(dlg_seed(w.db, &w.organiser, cid, t, NOW, &errs, &ids), HM_EINVAL);
	json_decref(t);
	/* a participant may not seed */
	memset(&errs, 0, sizeof(errs));
	t = json_pack("[s]", "Fine");
	assert_int_equal(dlg_seed(w.db, &w.alice, cid, t, NOW, &errs, &ids), HM_EFORBIDDEN);
	json_decref(t);
	assert_int_equal(count(w.db, "SELECT count(*) FROM statement"), 0);
	/* one per line, trimmed, empty lines left out; accepted, by organisers */
	ids = seed_ids(&w, cid, "  Rivers are shared \n\n\tDams need consent\r\nFish matter\n");
	assert_int_equal(json_array_size(ids), 3);
	json_t *s = dlg_statement(w.db, json_integer_value(json_array_get(ids, 0)));
	assert_string_equal(json_string_value(json_object_get(s, "text")), "Rivers are shared");
	assert_string_equal(json_string_value(json_object_get(s, "status")), "accepted");
	assert_true(json_is_true(json_object_get(s, "by_organiser")));
	json_decref(s);
	/* what is there already is refused too */
	memset(&errs, 0, sizeof(errs));
	json_t *more = NULL;
	t = json_pack("[s]", "FISH MATTER!");
	assert_int_equal(dlg_seed(w.db, &w.organiser, cid, t, NOW, &errs, &more), HM_EINVAL);
	json_decref(t);
	/* editable until voted on */
	int64_t s0 = json_integer_value(json_array_get(ids, 0));
	memset(&errs, 0, sizeof(errs));
	assert_int_equal(dlg_seed_edit(w.db, &w.organiser, s0, "Rivers are common goods", NOW, &errs),
			 HM_OK);
	json_t *open = json_pack("{s:s}", "status", "open");
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, open, NOW, &errs), HM_OK);
	json_decref(open);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s0, 1, NULL), HM_OK);
	assert_int_equal(dlg_seed_edit(w.db, &w.organiser, s0, "Rivers again", NOW, &errs),
			 HM_ECONFLICT);
	json_decref(ids);
	world_close(&w);
}

static void t_participants_statements_and_moderation(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Water\", \"status\": \"open\"}");
	json_decref(seed_ids(&w, cid, "Rivers are shared"));
	struct dlg_who alice = {.p = &w.alice};
	struct field_errors errs = {0};
	json_t *out = NULL;
	/* strict: pending, not shown to vote on */
	assert_int_equal(dlg_submit(w.db, cid, &alice, "Wells first", "fr", NOW, &errs, &out), HM_OK);
	int64_t mine = json_integer_value(json_object_get(out, "id"));
	assert_string_equal(json_string_value(json_object_get(out, "status")), "pending");
	json_decref(out);
	assert_int_equal(vote(&w, cid, &w.bob, NULL, mine, 1, NULL), HM_ECONFLICT);
	/* near-duplicate refused */
	memset(&errs, 0, sizeof(errs));
	assert_int_equal(dlg_submit(w.db, cid, &alice, " wells   FIRST ", NULL, NOW, &errs, &out),
			 HM_EINVAL);
	assert_non_null(field_error_get(&errs, "text"));
	/* moderation: organisers only, a real decision */
	assert_int_equal(dlg_moderate(w.db, &w.alice, mine, "accepted", NULL, NOW), HM_EFORBIDDEN);
	assert_int_equal(dlg_moderate(w.db, &w.organiser, mine, "maybe", NULL, NOW), HM_EINVAL);
	assert_int_equal(dlg_moderate(w.db, &w.organiser, mine, "accepted", "", NOW), HM_OK);
	assert_int_equal(vote(&w, cid, &w.bob, NULL, mine, 1, NULL), HM_OK);
	assert_int_equal(dlg_moderate(w.db, &w.organiser, mine, "rejected", "off topic", NOW), HM_OK);
	json_t *s = dlg_statement(w.db, mine);
	assert_string_equal(json_string_value(json_object_get(s, "reason")), "off topic");
	json_decref(s);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = 'statement.moderate'"), 2);
	/* permissive: accepted at once; participants_submit off: refused */
	memset(&errs, 0, sizeof(errs));
	json_t *in = json_pack("{s:s}", "moderation", "permissive");
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	json_decref(in);
	memset(&errs, 0, sizeof(errs));
	assert_int_equal(dlg_submit(w.db, cid, &alice, "Pay for water", NULL, NOW, &errs, &out), HM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "status")), "accepted");
	json_decref(out);
	in = json_pack("{s:b}", "participants_submit", 0);
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(dlg_submit(w.db, cid, &alice, "Another", NULL, NOW, &errs, &out),
			 HM_EFORBIDDEN);
	world_close(&w);
}

static void t_one_current_vote_with_history(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Water\", \"status\": \"open\"}");
	json_t *ids = seed_ids(&w, cid, "One\nTwo\nThree");
	int64_t s1 = json_integer_value(json_array_get(ids, 0));
	int created;
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, 1, &created), HM_OK);
	assert_true(created);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, -1, &created), HM_OK);
	assert_false(created);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, 0, &created), HM_OK);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, 2, NULL), HM_EINVAL);
	assert_int_equal(count(w.db, "SELECT count(*) FROM vote"), 1);
	assert_int_equal(count(w.db, "SELECT vote FROM vote"), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM vote_history"), 3);
	assert_int_equal(count(w.db, "SELECT count(*) FROM dialogue_participant"), 1);
	/* a statement of another conversation */
	int64_t other = conv(&w, "{\"topic\": \"Air\", \"status\": \"open\"}");
	assert_int_equal(vote(&w, other, &w.alice, NULL, s1, 1, NULL), HM_ENOTFOUND);
	/* the next statement is one not voted on; progress counts */
	struct dlg_who alice = {.p = &w.alice};
	int64_t pid = dlg_participant_of(w.db, cid, &alice);
	assert_true(pid > 0);
	for (int i = 0; i < 2; i++) {
		json_t *next = dlg_next(w.db, cid, pid);
		assert_true(json_is_object(next));
		assert_int_not_equal(json_integer_value(json_object_get(next, "id")), s1);
		assert_int_equal(vote(&w, cid, &w.alice, NULL, json_integer_value(json_object_get(next, "id")),
				      1, NULL),
				 HM_OK);
		json_decref(next);
	}
	json_t *next = dlg_next(w.db, cid, pid);
	assert_true(json_is_null(next));
	json_decref(next);
	json_t *prog = dlg_progress(w.db, cid, pid);
	assert_int_equal(json_integer_value(json_object_get(prog, "voted")), 3);
	assert_int_equal(json_integer_value(json_object_get(prog, "total")), 3);
	json_decref(prog);
	/* bob sees none of alice's votes as his */
	struct dlg_who bob = {.p = &w.bob};
	assert_int_equal(dlg_participant_of(w.db, cid, &bob), 0);
	json_t *mine = dlg_votes_of(w.db, cid, pid);
	assert_int_equal(json_array_size(mine), 3);
	json_decref(mine);
	json_decref(ids);
	world_close(&w);
}

static void t_closed_refuses_and_writes_nothing(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Water\", \"status\": \"open\", \"participation\": \"anyone\"}");
	json_t *ids = seed_ids(&w, cid, "One");
	int64_t s1 = json_integer_value(json_array_get(ids, 0));
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, 1, NULL), HM_OK);
	struct field_errors errs = {0};
	json_t *in = json_pack("{s:s}", "status", "closed");
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, -1, NULL), HM_ECONFLICT);
	assert_int_equal(vote(&w, cid, &w.visitor, ANON1, s1, -1, NULL), HM_ECONFLICT);
	struct dlg_who anon = {.p = &w.visitor, .anon_token = ANON1};
	json_t *out = NULL;
	assert_int_equal(dlg_submit(w.db, cid, &anon, "New", NULL, NOW, &errs, &out), HM_ECONFLICT);
	assert_int_equal(count(w.db, "SELECT count(*) FROM vote_history"), 1);
	assert_int_equal(count(w.db, "SELECT vote FROM vote"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM dialogue_participant"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM statement"), 1);
	/* a draft too */
	in = json_pack("{s:s}", "status", "draft");
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(vote(&w, cid, &w.organiser, NULL, s1, -1, NULL), HM_ECONFLICT);
	json_decref(ids);
	world_close(&w);
}

static void t_who_may_take_part(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Water\", \"status\": \"open\"}");
	json_t *ids = seed_ids(&w, cid, "One");
	int64_t s1 = json_integer_value(json_array_get(ids, 0));
	/* signed-in: a visitor (even with a cookie) must sign in; a read-only token may not */
	assert_int_equal(vote(&w, cid, &w.visitor, ANON1, s1, 1, NULL), HM_EUNAUTH);
	assert_int_equal(vote(&w, cid, &w.read_only, NULL, s1, 1, NULL), HM_EFORBIDDEN);
	/* anyone: the cookie's identity, kept hashed, one per token */
	struct field_errors errs = {0};
	json_t *in = json_pack("{s:s}", "participation", "anyone");
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(vote(&w, cid, &w.visitor, ANON1, s1, 1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.visitor, ANON1, s1, -1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.visitor, ANON2, s1, 1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.visitor, "short", s1, 1, NULL), HM_EUNAUTH);
	assert_int_equal(count(w.db, "SELECT count(*) FROM dialogue_participant"), 2);
	assert_int_equal(count(w.db, "SELECT count(*) FROM dialogue_participant WHERE anon_key LIKE 'AAAA%'"), 0);
	/* registered: an approved registration of the event */
	in = json_pack("{s:s}", "participation", "registered");
	assert_int_equal(dlg_update(w.db, &w.organiser, cid, in, NOW, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, 1, NULL), HM_EFORBIDDEN);
	char err[256];
	assert_int_equal(db_exec_script(w.db,
					"INSERT INTO registration (event_id, email, email_key, name, status, "
					"manage_salt, created_at, updated_at, status_at) VALUES (1, "
					"'alice@example.org', 'alice@example.org', 'Alice', 'approved', 's1', "
					"'x', 'x', 'x'), (1, 'bob@example.org', 'bob@example.org', 'Bob', "
					"'pending', 's2', 'x', 'x', 'x')",
					err, sizeof(err)),
			 HM_OK);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, s1, 1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.bob, NULL, s1, 1, NULL), HM_EFORBIDDEN);
	assert_int_equal(vote(&w, cid, &w.organiser, NULL, s1, 1, NULL), HM_OK);
	json_decref(ids);
	world_close(&w);
}

/* Two camps of four on six statements: the report runs in compat mode
 * and says groups are not meaningful at this size; an excluded
 * participant leaves the analysis. */
static void t_report_small_conversation(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Water\", \"status\": \"open\", \"participation\": \"anyone\"}");
	json_t *empty = dlg_report(w.db, cid);
	assert_non_null(empty);
	assert_true(json_is_true(json_object_get(empty, "too-few-participants")));
	assert_int_equal(json_integer_value(json_object_get(empty, "n")), 0);
	json_decref(empty);
	json_t *ids = seed_ids(&w, cid, "A\nB\nC\nD\nE\nF\nMeta question");
	int64_t meta = json_integer_value(json_array_get(ids, 6));
	assert_int_equal(dlg_moderate(w.db, &w.organiser, meta, "meta", NULL, NOW), HM_OK);
	char tok[8][DLG_ANON_TOKEN_LEN + 1];
	for (int p = 0; p < 8; p++) {
		memset(tok[p], 'a' + p, DLG_ANON_TOKEN_LEN);
		tok[p][DLG_ANON_TOKEN_LEN] = '\0';
		for (int s = 0; s < 6; s++) {
			int v = (p < 4) == (s < 3) ? 1 : -1;
			assert_int_equal(vote(&w, cid, &w.visitor, tok[p],
					      json_integer_value(json_array_get(ids, s)), v, NULL),
					 HM_OK);
		}
	}
	/* the analysis runs off the request path: until it has, the report
	 * is the last one stored, marked pending */
	json_t *r = dlg_report(w.db, cid);
	assert_true(json_is_true(json_object_get(r, "pending")));
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 0);
	json_decref(r);
	assert_int_equal(dlg_analyse(w.db, cid, NOW), HM_OK);
	r = dlg_report(w.db, cid);
	assert_non_null(r);
	assert_true(json_is_false(json_object_get(r, "pending")));
	assert_string_equal(json_string_value(json_object_get(r, "computed-at")),
			    "2030-01-01T00:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 8);
	assert_int_equal(json_integer_value(json_object_get(r, "n-cmts")), 6);
	assert_true(json_is_boolean(json_object_get(r, "too-few-participants")));
	const char *keys[] = {"harmony", "tids", "mod-out", "in-conv", "pca", "group-clusters",
			      "group-votes", "repness", "consensus", "group-aware-consensus",
			      "comment-priorities", "participants", "groups", "bridging"};
	for (size_t i = 0; i < HM_ARRAY_LEN(keys); i++)
		if (!json_object_get(r, keys[i]))
			fail_msg("report without %s", keys[i]);
	json_decref(r);
	/* exclude one participant: seven left */
	struct dlg_who first = {.p = &w.visitor, .anon_token = tok[0]};
	int64_t pid = dlg_participant_of(w.db, cid, &first);
	assert_int_equal(dlg_exclude(w.db, &w.alice, pid, 1, NOW), HM_EFORBIDDEN);
	assert_int_equal(dlg_exclude(w.db, &w.organiser, pid, 1, NOW), HM_OK);
	json_t *stale = dlg_stale_conversations(w.db);
	assert_int_equal(json_array_size(stale), 1);
	json_decref(stale);
	assert_int_equal(dlg_analyse(w.db, cid, NOW), HM_OK);
	stale = dlg_stale_conversations(w.db);
	assert_int_equal(json_array_size(stale), 0);
	json_decref(stale);
	r = dlg_report(w.db, cid);
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 7);
	json_decref(r);
	json_decref(ids);
	world_close(&w);
}

/* A Pol.is export loaded into the store under its own ids (statements,
 * participants, current votes, moderation): the report is the engine's
 * analysis of the same export — the same in-conv, groups, repness and
 * consensus. */
static const char SQL_ADD_STMT[] =
	"INSERT INTO statement (id, conversation_id, by_organiser, text, text_key, status, "
	"created_at) VALUES (?, ?, 0, ?, ?, ?, 'x')";
static const char SQL_ADD_PTPT[] =
	"INSERT INTO dialogue_participant (id, conversation_id, xid, created_at) VALUES (?, ?, ?, 'x')";
static const char SQL_ADD_VOTE[] =
	"INSERT INTO vote (statement_id, participant_id, conversation_id, vote, created_at) "
	"VALUES (?, ?, ?, ?, 'x') ON CONFLICT (statement_id, participant_id) DO UPDATE SET "
	"vote = excluded.vote";

static void t_report_matches_engine_on_polis_export(void **state)
{
	const char *dirp = ts_data_path("polis/london.youth.policing");
	if (!dirp) {
		ts_missing("polis/london.youth.policing");
		return;
	}
	char path[1100];
	snprintf(path, sizeof(path), "%s", dirp);
	struct dataset d;
	dataset_init(&d);
	assert_int_equal(tu_load_folder(path, &d), 0);
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Policing\", \"status\": \"open\"}");
	assert_int_equal(db_begin(w.db), HM_OK);
	for (uint32_t t = 0; t < d.n_stmts; t++) {
		struct db_stmt *st = db_prepare(w.db, SQL_ADD_STMT);
		char key[32];
		snprintf(key, sizeof(key), "k%lld", (long long)d.stmt_id[t]);
		db_bind_int(st, 1, d.stmt_id[t]);
		db_bind_int(st, 2, cid);
		db_bind_text(st, 3, d.stmt_text[t] ? d.stmt_text[t] : "");
		db_bind_text(st, 4, key);
		db_bind_text(st, 5, d.stmt_meta[t] ? "meta" : d.stmt_mod[t] < 0 ? "rejected"
						   : d.stmt_mod[t] > 0 ? "accepted" : "pending");
		assert_int_equal(db_run(st), HM_OK);
	}
	for (uint32_t p = 0; p < d.n_ptpts; p++) {
		struct db_stmt *st = db_prepare(w.db, SQL_ADD_PTPT);
		char xid[32];
		snprintf(xid, sizeof(xid), "%lld", (long long)d.ptpt_id[p]);
		db_bind_int(st, 1, d.ptpt_id[p]);
		db_bind_int(st, 2, cid);
		db_bind_text(st, 3, xid);
		assert_int_equal(db_run(st), HM_OK);
	}
	/* the current vote of each pair: the log's latest */
	struct vote_csr m;
	vote_csr_build(&m, d.n_ptpts, d.n_stmts, d.log.v, d.log.n);
	for (uint32_t p = 0; p < m.n_rows; p++)
		for (uint64_t k = m.row_ptr[p]; k < m.row_ptr[p + 1]; k++) {
			struct db_stmt *st = db_prepare(w.db, SQL_ADD_VOTE);
			db_bind_int(st, 1, d.stmt_id[m.col[k]]);
			db_bind_int(st, 2, d.ptpt_id[p]);
			db_bind_int(st, 3, cid);
			db_bind_int(st, 4, m.val[k]);
			assert_int_equal(db_run(st), HM_OK);
		}
	assert_int_equal(db_commit(w.db), HM_OK);
	/* the engine on the export itself */
	struct analysis_opts ao;
	struct analysis_state ast;
	struct analysis_result res;
	analysis_opts_default(&ao, ANALYSIS_COMPAT);
	analysis_state_init(&ast);
	uint8_t *mod_out = dataset_mod_out(&d);
	struct analysis_input in = {.m = &m, .mod_out = mod_out, .is_meta = d.stmt_meta};
	assert_int_equal(analysis_run(&in, &ao, &ast, NULL, &res), HM_OK);
	struct report_in ri = {.d = &d, .r = &res};
	struct buf out;
	buf_init(&out);
	report_json(&out, &ri);
	json_t *direct = json_loadb(out.data, out.len, 0, NULL);
	assert_non_null(direct);
	assert_int_equal(dlg_analyse(w.db, cid, NOW), HM_OK);
	json_t *r = dlg_report(w.db, cid);
	assert_non_null(r);
	const char *same[] = {"n", "n-cmts", "tids", "mod-out", "in-conv", "group-clusters",
			      "group-votes", "repness", "consensus", "group-aware-consensus", "groups"};
	for (size_t i = 0; i < HM_ARRAY_LEN(same); i++)
		if (!json_equal(json_object_get(direct, same[i]), json_object_get(r, same[i])))
			fail_msg("%s differs between the store's report and the export's", same[i]);
	assert_true(json_array_size(json_object_get(r, "groups")) >= 2);
	assert_false(json_is_true(json_object_get(r, "too-few-participants")));
	json_decref(direct);
	json_decref(r);
	buf_free(&out);
	free(mod_out);
	analysis_result_free(&res);
	analysis_state_free(&ast);
	vote_csr_free(&m);
	dataset_free(&d);
	world_close(&w);
}

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-dlg-XXXXXX");
	if (!mkdtemp(dir) || auth_init() != HM_OK || sodium_init() < 0)
		return -1;
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	log_min_level = LOG_ERROR;
	return 0;
}

/* One vote inside the caller's transaction, as the committer runs it. */
static enum hm_err vote_at(struct world *w, int64_t cid, const struct principal *p,
			   const char *anon, int64_t sid, int v, const char *addr)
{
	struct dlg_who who = {.p = p, .anon_token = anon};
	json_t *out = NULL;
	assert_int_equal(db_begin(w->db), HM_OK);
	enum hm_err e = dlg_vote_tx(w->db, cid, &who, sid, v, NOW, addr, NULL, &out);
	if (e == HM_OK)
		assert_int_equal(db_commit(w->db), HM_OK);
	else
		db_rollback(w->db);
	json_decref(out);
	return e;
}

/* The limits: an anonymous identity gets a burst of DLG_ANON_BURST votes
 * and then about one a second; an address dlg_vote_limit() a second after
 * five seconds' worth; a refused vote writes nothing; 0 lifts the
 * address's limit. (The refill over the test's own run time is at most a
 * vote or two: the bounds allow it.) */
static void t_vote_limits(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Limits\", \"status\": \"open\", \"participation\": \"anyone\"}");
	json_t *ids = seed_ids(&w, cid, "A\nB\nC");
	int64_t sid = json_integer_value(json_array_get(ids, 0));
	int ok = 0;
	enum hm_err e = HM_OK;
	while (ok < 100 && (e = vote_at(&w, cid, &w.visitor, ANON1, sid, ok % 2 ? 1 : -1, NULL)) == HM_OK)
		ok++;
	assert_int_equal(e, HM_ETOOBIG);
	/* the first vote makes the participant, then the burst */
	if (ok < 1 + (int)DLG_ANON_BURST || ok > 3 + (int)DLG_ANON_BURST)
		fail_msg("%d anonymous votes before the limit", ok);
	struct dlg_who anon = {.p = &w.visitor, .anon_token = ANON1};
	int64_t pid = dlg_participant_of(w.db, cid, &anon);
	json_t *prog = dlg_progress(w.db, cid, pid);
	assert_int_equal(json_integer_value(json_object_get(prog, "voted")), 1);
	json_decref(prog);
	json_t *c = dlg_counts(w.db, cid);
	assert_int_equal(json_integer_value(json_object_get(c, "votes")), 1);
	json_decref(c);

	/* an account is limited by its address only */
	dlg_vote_limit_set(2);
	int n = 0;
	while (n < 100 && (e = vote_at(&w, cid, &w.alice, NULL, sid, n % 2 ? 1 : 0, "192.0.2.1")) == HM_OK)
		n++;
	assert_int_equal(e, HM_ETOOBIG);
	if (n < 2 * DLG_ADDR_BURST_S || n > 2 * DLG_ADDR_BURST_S + 2)
		fail_msg("%d votes from one address before the limit", n);
	/* another address, another conversation's count */
	assert_int_equal(vote_at(&w, cid, &w.alice, NULL, sid, 1, "192.0.2.2"), HM_OK);
	dlg_vote_limit_set(0);
	for (int i = 0; i < 30; i++)
		assert_int_equal(vote_at(&w, cid, &w.alice, NULL, sid, i % 2, "192.0.2.1"), HM_OK);
	dlg_vote_limit_set(DLG_VOTE_LIMIT_DEFAULT);
	json_decref(ids);
	world_close(&w);
}

/* The next statement follows the analysis's routing priorities: after an
 * analysis every accepted statement has one, and a participant is never
 * shown a statement they voted on. */
static void t_next_by_priority(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Next\", \"status\": \"open\", \"participation\": \"anyone\"}");
	json_t *ids = seed_ids(&w, cid, "A\nB\nC\nD");
	char tok[9][DLG_ANON_TOKEN_LEN + 1];
	for (int p = 0; p < 9; p++) {
		memset(tok[p], 'k' + p, DLG_ANON_TOKEN_LEN);
		tok[p][DLG_ANON_TOKEN_LEN] = '\0';
		for (int s = 0; s < 3; s++)
			assert_int_equal(vote(&w, cid, &w.visitor, tok[p],
					      json_integer_value(json_array_get(ids, s)),
					      (p + s) % 3 - 1, NULL),
					 HM_OK);
	}
	assert_int_equal(dlg_analyse(w.db, cid, NOW), HM_OK);
	struct db_stmt *st = db_prepare(w.db, "SELECT count(*) FROM statement WHERE "
					      "conversation_id = ? AND priority IS NOT NULL");
	db_bind_int(st, 1, cid);
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int(st, 0), 3); /* the voted ones; D has no votes yet */
	db_done(st);
	struct dlg_who who = {.p = &w.visitor, .anon_token = tok[0]};
	int64_t pid = dlg_participant_of(w.db, cid, &who);
	for (int i = 0; i < 20; i++) {
		json_t *n = dlg_next(w.db, cid, pid);
		assert_int_equal(json_integer_value(json_object_get(n, "id")),
				 json_integer_value(json_array_get(ids, 3)));
		json_decref(n);
	}
	json_decref(ids);
	world_close(&w);
}

/* The organisers' list of participants: by id, a page at a time, each
 * with kind, display name (accounts only), current votes and written
 * statements; the excluded alone on asking; exclusion refused through
 * another conversation and to anyone but its organisers, idempotent. */
static void t_participants_page_and_exclude(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Who\", \"status\": \"open\", \"participation\": \"anyone\", "
			       "\"moderation\": \"permissive\"}");
	int64_t other = conv(&w, "{\"topic\": \"Else\", \"status\": \"open\", \"participation\": \"anyone\"}");
	json_t *ids = seed_ids(&w, cid, "A\nB\nC");
	json_t *oids = seed_ids(&w, other, "X");
	for (int s = 0; s < 3; s++)
		assert_int_equal(vote(&w, cid, &w.visitor, ANON1,
				      json_integer_value(json_array_get(ids, s)), 1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.alice, NULL, json_integer_value(json_array_get(ids, 0)), -1,
			      NULL), HM_OK);
	assert_int_equal(vote(&w, other, &w.bob, NULL, json_integer_value(json_array_get(oids, 0)), 1,
			      NULL), HM_OK);
	struct dlg_who alice = {.p = &w.alice};
	struct field_errors errs = {0};
	json_t *out = NULL;
	assert_int_equal(dlg_submit(w.db, cid, &alice, "D, said Alice", "en", NOW, &errs, &out), HM_OK);
	json_decref(out);
	struct dlg_who anon = {.p = &w.visitor, .anon_token = ANON1}, bob = {.p = &w.bob};
	int64_t pa = dlg_participant_of(w.db, cid, &anon), pb = dlg_participant_of(w.db, cid, &alice);
	int64_t po = dlg_participant_of(w.db, other, &bob);
	assert_true(pa > 0 && pb > pa && po > 0);

	int64_t total = -1;
	json_t *page = dlg_participants_page(w.db, cid, 0, 0, 50, &total);
	assert_non_null(page);
	assert_int_equal(total, 2);
	assert_int_equal(json_array_size(page), 2);
	json_t *want = json_pack("[{s:I, s:s, s:n, s:i, s:i, s:b}, {s:I, s:s, s:s, s:i, s:i, s:b}]",
				 "id", (json_int_t)pa, "kind", "anonymous", "name", "votes", 3,
				 "statements", 0, "excluded", 0, "id", (json_int_t)pb, "kind", "account",
				 "name", "Test Person", "votes", 1, "statements", 1, "excluded", 0);
	for (size_t i = 0; i < 2; i++) {
		json_t *got = json_array_get(page, i);
		assert_true(json_is_string(json_object_get(got, "created_at")));
		json_object_del(got, "created_at");
		assert_true(json_equal(got, json_array_get(want, i)));
	}
	json_decref(want);
	json_decref(page);
	/* a page past the first */
	page = dlg_participants_page(w.db, cid, 0, 1, 1, &total);
	assert_int_equal(json_array_size(page), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(page, 0), "id")), pb);
	json_decref(page);

	/* through another conversation, by another event's organiser: nothing */
	int64_t rev = count(w.db, "SELECT sum(revision) FROM conversation");
	assert_int_equal(dlg_exclude_in(w.db, &w.organiser, other, pa, 1, NOW), HM_ENOTFOUND);
	assert_int_equal(dlg_exclude_in(w.db, &w.organiser, cid, po, 1, NOW), HM_ENOTFOUND);
	assert_int_equal(dlg_exclude_in(w.db, &w.organiser, cid, 999999, 1, NOW), HM_ENOTFOUND);
	assert_int_equal(dlg_exclude_in(w.db, &w.other, cid, pa, 1, NOW), HM_EFORBIDDEN);
	assert_int_equal(dlg_exclude_in(w.db, &w.alice, cid, pa, 1, NOW), HM_EFORBIDDEN);
	assert_int_equal(dlg_exclude_in(w.db, &w.read_only, cid, pa, 1, NOW), HM_EFORBIDDEN);
	assert_int_equal(count(w.db, "SELECT count(*) FROM dialogue_participant WHERE excluded = 1"), 0);
	assert_int_equal(count(w.db, "SELECT sum(revision) FROM conversation"), rev);

	/* excluded: listed on asking, the analysis to run again, audited once */
	assert_int_equal(dlg_exclude_in(w.db, &w.organiser, cid, pa, 1, NOW), HM_OK);
	assert_int_equal(count(w.db, "SELECT sum(revision) FROM conversation"), rev + 1);
	assert_int_equal(dlg_exclude_in(w.db, &w.organiser, cid, pa, 1, NOW), HM_OK);
	assert_int_equal(count(w.db, "SELECT sum(revision) FROM conversation"), rev + 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = 'dialogue.exclude'"), 1);
	page = dlg_participants_page(w.db, cid, 1, 0, 50, &total);
	assert_int_equal(total, 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(page, 0), "id")), pa);
	assert_true(json_is_true(json_object_get(json_array_get(page, 0), "excluded")));
	json_decref(page);
	int64_t all, excluded;
	assert_int_equal(dlg_participant_tally(w.db, cid, &all, &excluded), HM_OK);
	assert_true(all == 2 && excluded == 1);
	json_t *one = dlg_participant(w.db, cid, pa);
	assert_true(json_is_true(json_object_get(one, "excluded")));
	json_decref(one);
	assert_null(dlg_participant(w.db, other, pa));
	/* the votes are kept */
	assert_int_equal(count(w.db, "SELECT count(*) FROM vote"), 5);

	/* readmitted */
	assert_int_equal(dlg_exclude_in(w.db, &w.admin, cid, pa, 0, NOW), HM_OK);
	page = dlg_participants_page(w.db, cid, 1, 0, 50, &total);
	assert_int_equal(total, 0);
	assert_int_equal(json_array_size(page), 0);
	json_decref(page);
	json_decref(ids);
	json_decref(oids);
	world_close(&w);
}

/* ---------------------------------------------- the analysis kept live */

/* The keys of the live analysis that equal a fresh full one: the counts
 * and what is computed from them alone. */
static void same_as_fresh(struct world *w, int64_t cid, int64_t live_votes)
{
	json_t *r = dlg_report(w->db, cid), *fresh = dlg_report_now(w->db, cid);
	assert_non_null(r);
	assert_non_null(fresh);
	assert_true(json_is_false(json_object_get(r, "pending")));
	if (json_integer_value(json_object_get(r, "live-votes")) != live_votes)
		fail_msg("live-votes %lld, not %lld",
			 (long long)json_integer_value(json_object_get(r, "live-votes")),
			 (long long)live_votes);
	const char *same[] = {"n", "n-cmts", "tids", "mod-out", "meta-tids", "user-vote-counts",
			      "in-conv", "consensus", "too-few-participants"};
	for (size_t i = 0; i < HM_ARRAY_LEN(same); i++)
		if (!json_equal(json_object_get(fresh, same[i]), json_object_get(r, same[i])))
			fail_msg("%s differs between the live analysis and a fresh one", same[i]);
	json_t *hl = json_object_get(r, "harmony"), *hf = json_object_get(fresh, "harmony");
	assert_true(json_equal(json_object_get(hl, "votes"), json_object_get(hf, "votes")));
	assert_true(json_equal(json_object_get(hl, "participants"), json_object_get(hf, "participants")));
	/* the same opinion groups (their ids aside), and the same counts in
	 * each */
	json_t *pl = json_object_get(r, "participants"), *pf = json_object_get(fresh, "participants");
	assert_int_equal(json_object_size(pl), json_object_size(pf));
	json_t *map = json_object();
	const char *pid;
	json_t *v;
	json_object_foreach(pf, pid, v) {
		json_t *g = json_object_get(json_object_get(pl, pid), "group");
		json_t *gf = json_object_get(v, "group");
		assert_non_null(g);
		char key[24];
		snprintf(key, sizeof(key), "%lld", json_is_integer(gf) ? (long long)json_integer_value(gf) : -1);
		json_t *was = json_object_get(map, key);
		if (!was)
			json_object_set(map, key, g);
		else if (!json_equal(was, g))
			fail_msg("participant %s: group %s live, other members of its fresh group in another",
				 pid, key);
	}
	json_t *gl = json_object_get(r, "group-votes"), *gvf = json_object_get(fresh, "group-votes");
	assert_int_equal(json_object_size(gl), json_object_size(gvf));
	const char *gid;
	json_object_foreach(gvf, gid, v) {
		json_t *to = json_object_get(map, gid);
		assert_non_null(to);
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(to));
		if (!json_equal(v, json_object_get(gl, key)))
			fail_msg("group %s: the votes differ from the fresh group %s", key, gid);
	}
	json_decref(map);
	json_decref(r);
	json_decref(fresh);
}

static void camp_votes(struct world *w, int64_t cid, json_t *ids, char tok[][DLG_ANON_TOKEN_LEN + 1],
		       int from, int to, int n_stmts)
{
	for (int p = from; p < to; p++)
		for (int s = 0; s < n_stmts; s++) {
			/* two camps: each agrees with its half and disagrees
			 * with the other's, both pass on the last */
			int v = s == n_stmts - 1 ? 0 : (p % 2) == (s * 2 < n_stmts - 1) ? 1 : -1;
			assert_int_equal(vote(w, cid, &w->visitor, tok[p],
					      json_integer_value(json_array_get(ids, s)), v, NULL),
					 HM_OK);
		}
}

/* Votes arrive in bursts between which the kept analysis applies them
 * live; a moderation, a new statement and an exclusion between bursts
 * make it run in full. After each step the stored analysis equals a
 * fresh full one of the same votes in its groups, consensus and counts. */
static void t_live_analysis_matches_full(void **state)
{
	struct world w;
	world_open(&w, *state);
	int64_t cid = conv(&w, "{\"topic\": \"Rivers\", \"status\": \"open\", \"participation\": \"anyone\"}");
	json_t *ids = seed_ids(&w, cid, "S1\nS2\nS3\nS4\nS5\nS6\nS7\nS8\nS9");
	enum { N = 45 };
	char tok[N][DLG_ANON_TOKEN_LEN + 1];
	for (int p = 0; p < N; p++) {
		snprintf(tok[p], sizeof(tok[p]), "%043d", p + 1);
	}
	struct dlg_kept *kept = dlg_kept_new(NULL, NULL);
	dlg_kept_policy(kept, INFINITY, INT64_MAX);
	/* a first burst: a full analysis */
	camp_votes(&w, cid, ids, tok, 0, 30, 9);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	/* new voters and changed votes: applied live */
	camp_votes(&w, cid, ids, tok, 30, 36, 9);
	int64_t s0 = json_integer_value(json_array_get(ids, 0));
	assert_int_equal(vote(&w, cid, &w.visitor, tok[3], s0, -1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.visitor, tok[3], s0, 1, NULL), HM_OK);
	assert_int_equal(vote(&w, cid, &w.visitor, tok[4], s0, 0, NULL), HM_OK);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 6 * 9 + 3);
	/* a moderation: in full again, then live */
	int64_t s8 = json_integer_value(json_array_get(ids, 8));
	assert_int_equal(dlg_moderate(w.db, &w.organiser, s8, "rejected", "off topic", NOW), HM_OK);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	camp_votes(&w, cid, ids, tok, 36, 39, 8);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 3 * 8);
	/* an exclusion: in full; the excluded participant's later votes are
	 * left out of the live analysis too */
	struct dlg_who first = {.p = &w.visitor, .anon_token = tok[0]};
	int64_t pid = dlg_participant_of(w.db, cid, &first);
	assert_int_equal(dlg_exclude(w.db, &w.organiser, pid, 1, NOW), HM_OK);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	assert_int_equal(vote(&w, cid, &w.visitor, tok[0], s0, -1, NULL), HM_OK);
	camp_votes(&w, cid, ids, tok, 39, 42, 8);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 3 * 8);
	/* a new statement, then the first votes on it: in full both times
	 * (it has no place in the components yet) */
	json_t *more = seed_ids(&w, cid, "S10");
	int64_t s10 = json_integer_value(json_array_get(more, 0));
	json_decref(more);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	assert_int_equal(vote(&w, cid, &w.visitor, tok[5], s10, 1, NULL), HM_OK);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	/* nothing new: nothing changes */
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	camp_votes(&w, cid, ids, tok, 42, 45, 8);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 3 * 8);
	/* the policy: past its share of live votes, a full analysis comes
	 * with the next change; and one that is due replaces the live one of
	 * the same revision */
	dlg_kept_policy(kept, 0.0, INT64_MAX);
	dlg_kept_refresh(w.db, kept, NOW, NULL);
	same_as_fresh(&w, cid, 0);
	assert_int_equal(vote(&w, cid, &w.visitor, tok[6], s10, -1, NULL), HM_OK);
	assert_int_equal(dlg_analyse_kept(w.db, kept, cid, NOW), HM_OK);
	same_as_fresh(&w, cid, 0);
	dlg_kept_free(kept);
	json_decref(ids);
	world_close(&w);
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

#define BOTH(t)                                                                          \
	cmocka_unit_test_prestate(t, &sqlite_be), cmocka_unit_test_prestate(t, &pg_be)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(t_rights_to_create_and_change),
		BOTH(t_seed_rules),
		BOTH(t_participants_statements_and_moderation),
		BOTH(t_one_current_vote_with_history),
		BOTH(t_closed_refuses_and_writes_nothing),
		BOTH(t_who_may_take_part),
		BOTH(t_report_small_conversation),
		BOTH(t_report_matches_engine_on_polis_export),
		BOTH(t_vote_limits),
		BOTH(t_next_by_priority),
		BOTH(t_participants_page_and_exclude),
		BOTH(t_live_analysis_matches_full),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
