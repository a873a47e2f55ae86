/*
 * test_registration.c — the registration store on a real SQLite file and,
 * with HM_TEST_PG (scripts/with-pg), on PostgreSQL: settings refused
 * field by field, the first status by mode and rules, one registration per
 * address, organisers held to capacity and caps, a freed seat offered to
 * the waiting person who best restores the balance, confirmation and
 * lapse, the person's link, check-in by nonce, and erasure after the
 * event. Each test runs once per backend on a fresh database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "features/registration/reg_internal.h"
#include "features/registration/registration.h"
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
	return tb_fresh(b, dir, "reg", ++ndb);
}

struct world {
	struct db *db;
	struct principal admin, organiser, other, visitor, read_only;
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
	w->ev = reg_event(w->db, "meet");
	assert_non_null(w->ev);
}

static void world_reload(struct world *w)
{
	json_decref(w->ev);
	w->ev = reg_event(w->db, "meet");
	assert_non_null(w->ev);
}

static void world_close(struct world *w)
{
	json_decref(w->ev);
	db_close(w->db);
}

static void settings(struct world *w, const char *json)
{
	json_t *in = json_loads(json, 0, NULL);
	assert_non_null(in);
	struct field_errors errs = {0};
	enum hm_err e = reg_settings_save(w->db, &w->organiser, w->ev, in, NOW, &errs);
	if (e != HM_OK)
		fail_msg("settings %s: %d (%s: %s)", json, e, errs.n ? errs.items[0].field : "",
			 errs.n ? errs.items[0].msgid : "");
	json_decref(in);
	world_reload(w);
}

/* Registers a person; returns the status ("409" for a duplicate, "400"
 * for a refusal) and the id in *id. */
static const char *reg(struct world *w, const char *email, const char *sector,
		       const char *country, const char *gender, int64_t now, int64_t *id,
		       char token[REG_TOKEN_SIZE])
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "Person", "email", email, "sector",
			       sector, "country", country);
	if (gender)
		json_object_set_new(in, "gender", json_string(gender));
	struct field_errors errs = {0};
	json_t *out = NULL;
	enum hm_err e = reg_register(w->db, &w->visitor, w->ev, in, "fr", now, &errs, &out);
	json_decref(in);
	static char status[32];
	if (e == HM_EEXIST)
		return "409";
	if (e != HM_OK)
		return e == HM_EINVAL ? "400" : "other";
	snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(out, "status")));
	if (id)
		*id = json_integer_value(json_object_get(out, "id"));
	if (token)
		snprintf(token, REG_TOKEN_SIZE, "%s", json_string_value(json_object_get(out, "token")));
	json_decref(out);
	return status;
}

static const char *status_of(struct world *w, int64_t id)
{
	static char s[32];
	json_t *r = reg_get(w->db, id);
	assert_non_null(r);
	snprintf(s, sizeof(s), "%s", json_string_value(json_object_get(r, "status")));
	json_decref(r);
	return s;
}

static int64_t count(struct db *db, const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
	assert_non_null(st);
	int64_t n = db_step(st) == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	return n;
}

/* ------------------------------------------------------------ tests */

static void t_settings_refused_by_field(void **state)
{
	struct world w;
	world_open(&w, *state);
	static const struct {
		const char *json, *field;
	} rows[] = {
		{"{\"mode\": \"lottery\"}", "mode"},
		{"{\"capacity\": -1}", "capacity"},
		{"{\"capacity\": \"ten\"}", "capacity"},
		{"{\"confirm_hours\": 0}", "confirm_hours"},
		{"{\"opens_at\": \"tomorrow\"}", "opens_at"},
		{"{\"opens_at\": \"2030-05-02T00:00:00Z\", \"closes_at\": \"2030-05-01T00:00:00Z\"}",
		 "closes_at"},
		{"{\"quotas\": [{\"attribute\": \"sector\", \"value\": \"ngo\", \"max_share\": 0.3}]}",
		 "quotas"}, /* a share without a capacity */
		{"{\"capacity\": 10, \"quotas\": [{\"attribute\": \"religion\", \"value\": \"x\", "
		 "\"max\": 1}]}",
		 "quotas"},
		{"{\"capacity\": 10, \"quotas\": [{\"attribute\": \"sector\", \"value\": \"pirates\", "
		 "\"max\": 1}]}",
		 "quotas"},
		{"{\"capacity\": 10, \"quotas\": [{\"attribute\": \"gender\", \"value\": \"female\"}]}",
		 "quotas"},
		{"{\"capacity\": 10, \"quotas\": [{\"attribute\": \"gender\", \"value\": \"female\", "
		 "\"min_share\": 1.5}]}",
		 "quotas"},
		{"{\"questions\": [{\"label\": \"Q\", \"kind\": \"essay\"}]}", "questions"},
		{"{\"questions\": [{\"label\": \"Q\", \"kind\": \"choice\", \"options\": []}]}",
		 "questions"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		json_t *in = json_loads(rows[i].json, 0, NULL);
		struct field_errors errs = {0};
		enum hm_err e = reg_settings_save(w.db, &w.organiser, w.ev, in, NOW, &errs);
		json_decref(in);
		if (e != HM_EINVAL || !field_error_get(&errs, rows[i].field))
			fail_msg("%s: %d, no error on %s", rows[i].json, e, rows[i].field);
	}
	/* nothing was stored */
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_setting"), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_quota"), 0);
	/* the organiser of another event, a read-only token, a visitor: refused */
	json_t *in = json_pack("{s:s}", "mode", "open");
	struct field_errors errs = {0};
	assert_int_equal(reg_settings_save(w.db, &w.other, w.ev, in, NOW, &errs), HM_EFORBIDDEN);
	assert_int_equal(reg_settings_save(w.db, &w.read_only, w.ev, in, NOW, &errs), HM_EFORBIDDEN);
	assert_int_equal(reg_settings_save(w.db, &w.visitor, w.ev, in, NOW, &errs), HM_EFORBIDDEN);
	json_decref(in);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_setting"), 0);
	world_close(&w);
}

/* capacity 4, at most one NGO, seats kept for 50 % women */
#define ROOM                                                                              \
	"{\"mode\": \"open\", \"capacity\": 4, \"quotas\": ["                              \
	"{\"attribute\": \"sector\", \"value\": \"ngo\", \"max\": 1},"                      \
	"{\"attribute\": \"gender\", \"value\": \"female\", \"min_share\": 0.5}]}"

struct people {
	int64_t a, b, c, d, e, f, g;
	char tb[REG_TOKEN_SIZE], tg[REG_TOKEN_SIZE], ta[REG_TOKEN_SIZE];
};

/* Fills the room of ROOM: a c e f seated, b d g waiting (see each line). */
static void fill_room(struct world *w, struct people *p)
{
	settings(w, ROOM);
	assert_string_equal(reg_window(w->ev, NOW), "open");
	/* seated 1, 3 free, 2 women short */
	assert_string_equal(reg(w, "a@example.org", "ngo", "CN", "male", NOW, &p->a, p->ta), "approved");
	/* the NGO cap */
	assert_string_equal(reg(w, "b@example.org", "ngo", "CN", "female", NOW + 1, &p->b, p->tb), "waitlisted");
	/* 2 free after, 2 women short: still fits */
	assert_string_equal(reg(w, "c@example.org", "academia", "CN", "male", NOW + 2, &p->c, NULL), "approved");
	/* 1 free after, 2 women short: the seat is kept */
	assert_string_equal(reg(w, "d@example.org", "business", "CN", "male", NOW + 3, &p->d, NULL), "waitlisted");
	assert_string_equal(reg(w, "e@example.org", "government", "CN", "female", NOW + 4, &p->e, NULL), "approved");
	assert_string_equal(reg(w, "f@example.org", "cultural", "MY", "female", NOW + 5, &p->f, NULL), "approved");
	/* full */
	assert_string_equal(reg(w, "g@example.org", "academia", "TH", "female", NOW + 6, &p->g, p->tg), "waitlisted");
}

static void t_open_mode_caps_targets_and_duplicates(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	assert_string_equal(reg_window(w.ev, NOW), "none");
	fill_room(&w, &p);
	/* the same address in other case: refused, nothing written */
	int64_t before = count(w.db, "SELECT count(*) FROM registration");
	int64_t mails = count(w.db, "SELECT count(*) FROM mail_outbox");
	assert_string_equal(reg(&w, "A@Example.ORG", "academia", "CN", NULL, NOW, NULL, NULL), "409");
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration"), before);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), mails);
	/* every field checked */
	assert_string_equal(reg(&w, "h@example.org", "pirates", "CN", NULL, NOW, NULL, NULL), "400");
	assert_string_equal(reg(&w, "h@example.org", "ngo", "XX", NULL, NOW, NULL, NULL), "400");
	assert_string_equal(reg(&w, "not-an-address", "ngo", "CN", NULL, NOW, NULL, NULL), "400");
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE status IN "
				     "('approved', 'offered')"),
			 4);
	/* one e-mail per registration, each with the event's calendar file */
	assert_int_equal(mails, 7);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox WHERE attachment_name = "
				     "'meet.ics' AND attachment LIKE 'BEGIN:VCALENDAR%'"),
			 7);
	world_close(&w);
}

static void t_freed_seat_goes_to_who_restores_balance(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	fill_room(&w, &p);
	/* e (a woman) cancels: one woman short again. d (a man) waited longer,
	 * b is held by the NGO cap: the seat goes to g */
	const char *why = NULL;
	assert_int_equal(reg_decide(w.db, &w.organiser, p.e, "cancelled", NULL, NOW + 10, &why),
			 HM_OK);
	assert_string_equal(status_of(&w, p.g), "offered");
	assert_string_equal(status_of(&w, p.d), "waitlisted");
	assert_string_equal(status_of(&w, p.b), "waitlisted");
	json_t *g = reg_get(w.db, p.g);
	char until[REG_TS_SIZE];
	reg_ts(NOW + 10 + 72 * 3600, until);
	assert_string_equal(json_string_value(json_object_get(g, "offer_expires_at")), until);
	json_decref(g);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox WHERE recipient = "
				     "'g@example.org'"),
			 2);
	/* g confirms through the link of the e-mail; once */
	assert_int_equal(reg_self_confirm(w.db, p.tg, NOW + 20), HM_OK);
	assert_string_equal(status_of(&w, p.g), "approved");
	assert_int_equal(reg_self_confirm(w.db, p.tg, NOW + 21), HM_ECONFLICT);
	world_close(&w);
}

static void t_offer_lapses(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	fill_room(&w, &p);
	const char *why;
	assert_int_equal(reg_decide(w.db, &w.admin, p.e, "cancelled", NULL, NOW + 10, &why), HM_OK);
	assert_string_equal(status_of(&w, p.g), "offered");
	/* before its time nothing lapses */
	assert_int_equal(reg_fill_seats(w.db, w.ev, NOW + 3600), HM_OK);
	assert_string_equal(status_of(&w, p.g), "offered");
	/* after it, the offer lapses; the seat stays kept for a woman: d
	 * (a man) and b (the NGO cap) are not offered it */
	assert_int_equal(reg_fill_seats(w.db, w.ev, NOW + 73 * 3600), HM_OK);
	assert_string_equal(status_of(&w, p.g), "expired");
	assert_string_equal(status_of(&w, p.d), "waitlisted");
	assert_string_equal(status_of(&w, p.b), "waitlisted");
	assert_int_equal(reg_self_confirm(w.db, p.tg, NOW + 74 * 3600), HM_ECONFLICT);
	world_close(&w);
}

static void t_organisers_held_to_caps_and_rights(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	fill_room(&w, &p);
	const char *why = NULL;
	/* full: refused with the reason */
	assert_int_equal(reg_decide(w.db, &w.organiser, p.d, "approved", NULL, NOW, &why),
			 HM_ECONFLICT);
	assert_string_equal(why, "The event is full.");
	/* c (a man) is declined: women are not short (e, f); b is held by
	 * the NGO cap (a); of d and g, g's values are the least present
	 * (academia now 0, Thailand 0, her region 1) though d came first */
	assert_int_equal(reg_decide(w.db, &w.organiser, p.c, "declined", "Sorry", NOW, &why), HM_OK);
	assert_string_equal(status_of(&w, p.b), "waitlisted");
	assert_string_equal(status_of(&w, p.d), "waitlisted");
	assert_string_equal(status_of(&w, p.g), "offered");
	int64_t offered = count(w.db, "SELECT count(*) FROM registration WHERE status = 'offered'");
	assert_int_equal(offered, 1);
	/* an organiser approving past the cap is refused (b is an NGO, a holds it) */
	assert_int_equal(reg_decide(w.db, &w.organiser, p.b, "approved", NULL, NOW, &why),
			 HM_ECONFLICT);
	/* others may not decide */
	assert_int_equal(reg_decide(w.db, &w.other, p.b, "declined", NULL, NOW, &why), HM_EFORBIDDEN);
	assert_int_equal(reg_decide(w.db, &w.read_only, p.b, "declined", NULL, NOW, &why),
			 HM_EFORBIDDEN);
	assert_int_equal(reg_decide(w.db, &w.visitor, p.b, "declined", NULL, NOW, &why), HM_EFORBIDDEN);
	assert_int_equal(reg_decide(w.db, &w.organiser, p.b, "nonsense", NULL, NOW, &why), HM_EINVAL);
	assert_string_equal(status_of(&w, p.b), "waitlisted");
	/* the settings cannot go below who is seated */
	static const struct {
		const char *json, *field;
	} lower[] = {
		{"{\"capacity\": 3}", "capacity"},
		{"{\"quotas\": [{\"attribute\": \"sector\", \"value\": \"ngo\", \"max\": 0}]}", "quotas"},
		{"{\"quotas\": [{\"attribute\": \"country\", \"value\": \"CN\", \"max_share\": 0.25}]}",
		 "quotas"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(lower); i++) {
		json_t *in = json_loads(lower[i].json, 0, NULL);
		struct field_errors errs = {0};
		if (reg_settings_save(w.db, &w.organiser, w.ev, in, NOW, &errs) != HM_EINVAL ||
		    !field_error_get(&errs, lower[i].field))
			fail_msg("%s was taken below the room", lower[i].json);
		json_decref(in);
	}
	world_reload(&w);
	assert_int_equal(json_integer_value(json_object_get(w.ev, "capacity")), 4);
	/* never more seated than the capacity, never past the cap */
	assert_true(count(w.db, "SELECT count(*) FROM registration WHERE status IN ('approved', "
				"'offered')") <= 4);
	assert_true(count(w.db, "SELECT count(*) FROM registration WHERE sector = 'ngo' AND status "
				"IN ('approved', 'offered')") <= 1);
	world_close(&w);
}

static void t_the_link_names_one_registration(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	fill_room(&w, &p);
	json_t *r = reg_by_token(w.db, p.ta);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), p.a);
	assert_null(json_object_get(r, "manage_salt"));
	json_decref(r);
	char bad[REG_TOKEN_SIZE];
	snprintf(bad, sizeof(bad), "%s", p.ta);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
	assert_null(reg_by_token(w.db, bad));
	/* a's mac with b's id */
	char *swapped = xasprintf("%lld%s", (long long)p.b, strchr(p.ta, '.'));
	assert_null(reg_by_token(w.db, swapped));
	free(swapped);
	assert_null(reg_by_token(w.db, ""));
	assert_null(reg_by_token(w.db, "1."));
	/* the person changes their answers; the cap holds for them too */
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", "张伟", "sector", "academia", "country", "CN");
	struct field_errors errs = {0};
	assert_int_equal(reg_self_update(w.db, p.ta, in, NOW, &errs), HM_OK);
	json_decref(in);
	r = reg_get(w.db, p.a);
	assert_string_equal(json_string_value(json_object_get(r, "name")), "张伟");
	json_decref(r);
	/* cancelling through the link frees the seat */
	assert_int_equal(reg_self_cancel(w.db, p.ta, NOW), HM_OK);
	assert_string_equal(status_of(&w, p.a), "cancelled");
	assert_int_equal(reg_self_cancel(w.db, p.ta, NOW), HM_ECONFLICT);
	world_close(&w);
}

static void t_checkin_by_nonce(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	fill_room(&w, &p);
	char code[64];
	assert_int_equal(reg_checkin_code(w.db, p.a, code), HM_OK);
	/* the list's codes are the same, each row its own */
	json_t *list = reg_list(w.db, 1, NULL, NULL);
	assert_int_equal(reg_checkin_codes(w.db, list), HM_OK);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *r = json_array_get(list, i);
		char one[64];
		assert_int_equal(reg_checkin_code(w.db, json_integer_value(json_object_get(r, "id")), one),
				 HM_OK);
		assert_string_equal(json_string_value(json_object_get(r, "checkin_code")), one);
	}
	json_decref(list);
	json_t *out = NULL;
	assert_int_equal(reg_checkin(w.db, &w.organiser, w.ev, code, "n1", "desk 1", NOW, &out), HM_OK);
	assert_true(json_is_true(json_object_get(out, "first")));
	json_decref(out);
	/* the same attempt again: the same answer, nothing new recorded */
	assert_int_equal(reg_checkin(w.db, &w.organiser, w.ev, code, "n1", "desk 1", NOW + 5, &out),
			 HM_OK);
	assert_true(json_is_true(json_object_get(out, "first")));
	json_decref(out);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_checkin"), 1);
	/* another scan: who and when */
	assert_int_equal(reg_checkin(w.db, &w.admin, w.ev, code, "n2", "desk 2", NOW + 60, &out), HM_OK);
	assert_false(json_is_true(json_object_get(out, "first")));
	assert_string_equal(json_string_value(json_object_get(out, "checked_in_by")), "o@example.org");
	char at[REG_TS_SIZE];
	reg_ts(NOW, at);
	assert_string_equal(json_string_value(json_object_get(out, "checked_in_at")), at);
	json_decref(out);
	/* made-up codes, a waiting person, another event's organiser */
	char forged[64];
	snprintf(forged, sizeof(forged), "HM1-%lld-0123456789abcdef", (long long)p.a);
	assert_int_equal(reg_checkin(w.db, &w.organiser, w.ev, forged, "n3", "", NOW, &out),
			 HM_ENOTFOUND);
	assert_int_equal(reg_checkin(w.db, &w.organiser, w.ev, "nonsense", "n3", "", NOW, &out),
			 HM_ENOTFOUND);
	assert_int_equal(reg_checkin_code(w.db, p.b, code), HM_OK);
	assert_int_equal(reg_checkin(w.db, &w.organiser, w.ev, code, "n4", "", NOW, &out), HM_ECONFLICT);
	json_decref(out);
	out = NULL;
	assert_int_equal(reg_checkin(w.db, &w.other, w.ev, code, "n5", "", NOW, &out), HM_EFORBIDDEN);
	json_t *other = reg_event(w.db, "other");
	assert_int_equal(reg_checkin_code(w.db, p.a, code), HM_OK);
	struct principal *adm = &w.admin;
	assert_int_equal(reg_checkin(w.db, adm, other, code, "n6", "", NOW, &out), HM_ENOTFOUND);
	json_decref(other);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE checked_in_at IS NOT NULL"),
			 1);
	world_close(&w);
}

static void t_erased_after_the_event(void **state)
{
	struct world w;
	struct people p;
	world_open(&w, *state);
	fill_room(&w, &p);
	/* kept: no delay set */
	settings(&w, "{\"retention_days\": null}");
	reg_erase_due(w.db, NOW + 3000 * 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE erased_at IS NULL"), 7);
	settings(&w, "{\"retention_days\": 30}");
	/* the event ends 2030-06-02; 30 days later, not yet */
	reg_erase_due(w.db, NOW + 100 * 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE erased_at IS NULL"), 7);
	reg_erase_due(w.db, NOW + 190 * 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE erased_at IS NULL"), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE name <> '' OR email "
				     "LIKE '%@%'"),
			 0);
	/* the counts stay */
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE status = 'approved' "
				     "AND sector IS NOT NULL AND gender IS NOT NULL"),
			 4);
	/* the link no longer works */
	assert_null(reg_by_token(w.db, p.ta));
	assert_int_equal(reg_self_cancel(w.db, p.ta, NOW), HM_ENOTFOUND);
	world_close(&w);
}

static void t_approval_mode_waits_for_organisers(void **state)
{
	struct world w;
	world_open(&w, *state);
	settings(&w, "{\"mode\": \"approval\", \"capacity\": 1}");
	int64_t a, b;
	assert_string_equal(reg(&w, "a@example.org", "ngo", "CN", NULL, NOW, &a, NULL), "pending");
	assert_string_equal(reg(&w, "b@example.org", "ngo", "CN", NULL, NOW, &b, NULL), "pending");
	const char *why;
	assert_int_equal(reg_decide(w.db, &w.organiser, a, "approved", "Welcome", NOW, &why), HM_OK);
	assert_int_equal(reg_decide(w.db, &w.organiser, b, "approved", NULL, NOW, &why), HM_ECONFLICT);
	assert_int_equal(reg_decide(w.db, &w.organiser, b, "waitlisted", NULL, NOW, &why), HM_OK);
	/* the organisers' words reach the person */
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox WHERE recipient = "
				     "'a@example.org' AND body LIKE '%Welcome%'"),
			 1);
	/* invitation mode: without an invitation, refused */
	settings(&w, "{\"mode\": \"invitation\"}");
	assert_string_equal(reg(&w, "c@example.org", "ngo", "CN", NULL, NOW, NULL, NULL), "400");
	world_close(&w);
}

static void t_delegation_all_or_nothing(void **state)
{
	struct world w;
	world_open(&w, *state);
	settings(&w, "{\"mode\": \"open\", \"capacity\": 10}");
	int64_t a;
	assert_string_equal(reg(&w, "taken@example.org", "ngo", "CN", NULL, NOW, &a, NULL), "approved");
	static const char pdf[] = "%PDF-1.4\n% a letter\n";
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s, s:s}]}", "name",
			       "Ministry", "focal_name", "Siti", "focal_email", "siti@example.org",
			       "sector", "government", "country", "MY", "delegates", "name", "Ahmad",
			       "email", "ahmad@example.org", "name", "李明", "email",
			       "TAKEN@example.org", "position", "Adviser");
	struct field_errors errs = {0};
	json_t *out = NULL;
	int64_t mails = count(w.db, "SELECT count(*) FROM mail_outbox");
	/* the second delegate is registered already: nothing of it stays */
	assert_int_equal(reg_delegation_create(w.db, &w.visitor, w.ev, in, pdf, sizeof(pdf) - 1, "en",
					       NOW, &errs, &out),
			 HM_EINVAL);
	assert_non_null(field_error_get(&errs, "email_2"));
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_delegation"), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), mails);
	/* not a PDF */
	json_object_set_new(json_array_get(json_object_get(in, "delegates"), 1), "email",
			    json_string("li@example.org"));
	struct field_errors e2 = {0};
	assert_int_equal(reg_delegation_create(w.db, &w.visitor, w.ev, in, "hello", 5, "en", NOW,
					       &e2, &out),
			 HM_EINVAL);
	assert_non_null(field_error_get(&e2, "letter"));
	/* whole: both pending (organisers decide), the delegation's sector and country */
	struct field_errors e3 = {0};
	assert_int_equal(reg_delegation_create(w.db, &w.visitor, w.ev, in, pdf, sizeof(pdf) - 1, "en",
					       NOW, &e3, &out),
			 HM_OK);
	json_decref(in);
	int64_t did = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration WHERE status = 'pending' AND "
				     "sector = 'government' AND country = 'MY' AND delegation_id IS NOT "
				     "NULL"),
			 2);
	/* two delegates and the focal point are told */
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), mails + 3);
	char *letter;
	size_t len;
	assert_int_equal(reg_delegation_letter(w.db, 1, did, &letter, &len), HM_OK);
	assert_int_equal(len, sizeof(pdf) - 1);
	assert_memory_equal(letter, pdf, len);
	free(letter);
	assert_int_equal(reg_delegation_letter(w.db, 2, did, &letter, &len), HM_ENOTFOUND);
	json_t *list = reg_delegations(w.db, 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(list, 0), "members")), 2);
	json_decref(list);
	world_close(&w);
}

static void t_invitations_single_use_and_reminded(void **state)
{
	struct world w;
	world_open(&w, *state);
	settings(&w, "{\"mode\": \"invitation\", \"capacity\": 10}");
	json_t *people = json_pack("[{s:s, s:s}, {s:s}]", "email", "inv@example.org", "name", "Inv",
				   "email", "two@example.org");
	int added, skipped;
	assert_int_equal(reg_invite(w.db, &w.other, w.ev, people, NOW, &added, &skipped), HM_EFORBIDDEN);
	assert_int_equal(reg_invite(w.db, &w.organiser, w.ev, people, NOW, &added, &skipped), HM_OK);
	assert_int_equal(added, 2);
	/* again: both skipped */
	assert_int_equal(reg_invite(w.db, &w.organiser, w.ev, people, NOW, &added, &skipped), HM_OK);
	assert_int_equal(added, 0);
	assert_int_equal(skipped, 2);
	json_decref(people);
	/* the link is in the e-mail; the store keeps its hash only */
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox WHERE body LIKE "
				     "'%/events/meet/register?invitation=%'"),
			 2);
	/* not yet due: no reminder */
	reg_remind_invitations(w.db, NOW + 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_invitation WHERE reminded_at "
				     "IS NOT NULL"),
			 0);
	reg_remind_invitations(w.db, NOW + 6 * 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM registration_invitation WHERE reminded_at "
				     "IS NOT NULL"),
			 2);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), 4);
	/* once only */
	reg_remind_invitations(w.db, NOW + 12 * 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), 4);
	/* approved participants: one reminder three days before the event
	 * (2030-06-01), none before, none twice */
	int64_t a;
	settings(&w, "{\"mode\": \"open\"}");
	assert_string_equal(reg(&w, "p@example.org", "ngo", "CN", NULL, NOW, &a, NULL), "approved");
	int64_t mails = count(w.db, "SELECT count(*) FROM mail_outbox");
	reg_remind_participants(w.db, NOW + 100 * 86400); /* 2030-04-11 */
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), mails);
	reg_remind_participants(w.db, NOW + 149 * 86400); /* 2030-05-30 */
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), mails + 1);
	reg_remind_participants(w.db, NOW + 150 * 86400);
	assert_int_equal(count(w.db, "SELECT count(*) FROM mail_outbox"), mails + 1);
	world_close(&w);
}

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-reg-XXXXXX");
	if (!mkdtemp(dir) || auth_init() != HM_OK || sodium_init() < 0)
		return -1;
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	log_min_level = LOG_ERROR;
	reg_site_url_set("https://harmony.example");
	return 0;
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
		BOTH(t_settings_refused_by_field),
		BOTH(t_open_mode_caps_targets_and_duplicates),
		BOTH(t_freed_seat_goes_to_who_restores_balance),
		BOTH(t_offer_lapses),
		BOTH(t_organisers_held_to_caps_and_rights),
		BOTH(t_the_link_names_one_registration),
		BOTH(t_checkin_by_nonce),
		BOTH(t_erased_after_the_event),
		BOTH(t_approval_mode_waits_for_organisers),
		BOTH(t_delegation_all_or_nothing),
		BOTH(t_invitations_single_use_and_reminded),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
