/*
 * test_events_admin.c — the write side of series, events and
 * organisations (src/events/events_admin.c): validators as tables with
 * row ids, then the writes on real temporary SQLite files — who may do
 * what, slugs, partial updates, status changes, sectors, organisations'
 * roles and order, organisers, audit entries, deleting (admins only, and
 * only what nothing keeps), and that a refused write leaves nothing
 * behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "core/text.h"
#include "features/events/events_admin.h"
#include "site/old_address.h"

#define T0 ((int64_t)1700000000)

static char dir[64];
static int ndb;

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-evadm-XXXXXX");
	if (!mkdtemp(dir) || auth_init() != HM_OK)
		return -1;
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	log_min_level = LOG_ERROR;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* ============================================================ validators */

static void test_date_valid_table(void **state)
{
	(void)state;
	static const struct {
		const char *id, *s;
		int ok;
	} rows[] = {
		{"N1 null", NULL, 0},
		{"N2 empty", "", 0},
		{"N3 slashes", "2012/11/29", 0},
		{"N4 one-digit month", "2012-1-01", 0},
		{"N5 month 13", "2012-13-01", 0},
		{"N6 day 31 in November", "2012-11-31", 0},
		{"N7 29 Feb of a common year", "2013-02-29", 0},
		{"N8 29 Feb 1900 (not leap)", "1900-02-29", 0},
		{"N9 before 1900", "1899-12-31", 0},
		{"N10 trailing text", "2012-11-29x", 0},
		{"N11 letters", "abcd-ef-gh", 0},
		{"N12 day zero", "2012-11-00", 0},
		{"N13 signs", "+012-11-29", 0},
		{"P1 plain", "2012-11-29", 1},
		{"P2 29 Feb of a leap year", "2012-02-29", 1},
		{"P3 29 Feb 2000", "2000-02-29", 1},
		{"P4 last day of the year", "9999-12-31", 1},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++)
		if (text_date_valid(rows[i].s) != rows[i].ok)
			fail_msg("%s: text_date_valid(%s) != %d", rows[i].id,
				 rows[i].s ? rows[i].s : "NULL", rows[i].ok);
}

static void test_country_and_url_valid_tables(void **state)
{
	(void)state;
	static const struct {
		const char *id, *s;
		int ok;
	} countries[] = {
		{"N1 null", NULL, 0},   {"N2 empty", "", 0},     {"N3 lower case", "cn", 0},
		{"N4 one letter", "C", 0}, {"N5 alpha-3", "CHN", 0}, {"N6 unknown", "ZZ", 0},
		{"N7 digits", "12", 0}, {"P1 China", "CN", 1},   {"P2 New Zealand", "NZ", 1},
		{"P3 Malaysia", "MY", 1},
	}, urls[] = {
		{"N1 null", NULL, 0},
		{"N2 javascript", "javascript:alert(1)", 0},
		{"N3 no host", "https://", 0},
		{"N4 ftp", "ftp://example.org", 0},
		{"N5 space", "https://exa mple.org", 0},
		{"N6 quote", "https://example.org/\"onmouseover=x", 0},
		{"N7 angle", "https://example.org/<script>", 0},
		{"N8 empty host", "https:///path", 0},
		{"N9 relative", "//example.org", 0},
		{"P1 https", "https://www.unaoc.org", 1},
		{"P2 http with path and query", "http://example.org/a?b=c&d=e", 1},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(countries); i++)
		if (admin_country_valid(countries[i].s) != countries[i].ok)
			fail_msg("country %s", countries[i].id);
	for (size_t i = 0; i < HM_ARRAY_LEN(urls); i++)
		if (admin_url_valid(urls[i].s) != urls[i].ok)
			fail_msg("url %s", urls[i].id);
}

/* A valid event; each row of the table below changes one key. */
static json_t *valid_event(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s]}", "title",
			 "Regional Consultations", "kind", "consultation", "starts_on", "2012-11-29",
			 "ends_on", "2012-11-30", "date_precision", "day", "timezone",
			 "Asia/Shanghai", "status", "draft", "country", "CN", "contact_email",
			 "basj@un.org", "sectors", "government", "academia");
}

static void test_event_check_table(void **state)
{
	(void)state;
	char long_title[202];
	memset(long_title, 'a', sizeof(long_title) - 1);
	long_title[sizeof(long_title) - 1] = '\0';
	static struct {
		const char *id, *key, *value; /* value NULL: delete key */
		const char *json;             /* or a JSON value for key */
		const char *bad_field;        /* NULL: valid */
	} rows[] = {
		{"N1 no title", "title", NULL, NULL, "title"},
		{"N2 empty title", "title", "", NULL, "title"},
		{"N3 line break in title", "title", "a\nb", NULL, "title"},
		{"N4 title of 201 bytes", "title", NULL, NULL, "title"}, /* set below */
		{"N5 slug with capitals", "slug", "Bad-Slug", NULL, "slug"},
		{"N6 slug with double hyphen", "slug", "a--b", NULL, "slug"},
		{"N7 ends before it starts", "ends_on", "2012-11-28", NULL, "ends_on"},
		{"N8 impossible date", "starts_on", "2012-02-30", NULL, "starts_on"},
		{"N9 unknown zone", "timezone", "Mars/Olympus_Mons", NULL, "timezone"},
		{"N10 offset zone", "timezone", "GMT+8", NULL, "timezone"},
		{"N11 unknown country", "country", "ZZ", NULL, "country"},
		{"N12 bad e-mail", "contact_email", "basj at un.org", NULL, "contact_email"},
		{"N13 negative capacity", "capacity", "-1", NULL, "capacity"},
		{"N14 capacity with letters", "capacity", "12a", NULL, "capacity"},
		{"N15 capacity too large", "capacity", NULL, "10000001", "capacity"},
		{"N16 unknown kind", "kind", "party", NULL, "kind"},
		{"N17 unknown precision", "date_precision", "year", NULL, "date_precision"},
		{"N18 unknown status", "status", "archived", NULL, "status"},
		{"N19 unknown sector", "sectors", NULL, "[\"government\", \"army\"]", "sectors"},
		{"N20 sector twice", "sectors", NULL, "[\"ngo\", \"ngo\"]", "sectors"},
		{"N21 sectors not a list", "sectors", NULL, "\"ngo\"", "sectors"},
		{"N22 title not text", "title", NULL, "12", "title"},
		{"N23 control character in summary", "summary", "a\x01z", NULL, "summary"},
		{"P1 as is", NULL, NULL, NULL, NULL},
		{"P2 one-day event", "ends_on", "2012-11-29", NULL, NULL},
		{"P3 capacity as a JSON number", "capacity", NULL, "150", NULL},
		{"P4 no sectors", "sectors", NULL, "[]", NULL},
		{"P5 line breaks in the summary", "summary", "one\ntwo", NULL, NULL},
		{"P6 Chinese title", "title", "和谐 · 对话", NULL, NULL},
		{"P7 no country", "country", "", NULL, NULL},
	};
	rows[3].value = long_title;
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		json_t *ev = valid_event();
		struct field_errors errs = {0};
		if (rows[i].key) {
			if (rows[i].json)
				json_object_set_new(ev, rows[i].key,
						    json_loads(rows[i].json, JSON_DECODE_ANY, NULL));
			else if (rows[i].value)
				json_object_set_new(ev, rows[i].key, json_string(rows[i].value));
			else
				json_object_del(ev, rows[i].key);
		}
		int n = admin_event_check(ev, &errs);
		json_decref(ev);
		if (!rows[i].bad_field && n)
			fail_msg("%s: %d errors, first on %s: %s", rows[i].id, n, errs.items[0].field,
				 errs.items[0].msgid);
		if (rows[i].bad_field && !field_error_get(&errs, rows[i].bad_field))
			fail_msg("%s: no error on %s", rows[i].id, rows[i].bad_field);
		if (rows[i].bad_field && n != 1)
			fail_msg("%s: %d errors, want 1", rows[i].id, n);
	}
}

static void test_org_and_series_check_tables(void **state)
{
	(void)state;
	static const struct {
		const char *id, *json, *bad_field;
		int is_org;
	} rows[] = {
		{"N1 org without name", "{\"kind\": \"ngo\"}", "name", 1},
		{"N2 org unknown kind", "{\"name\": \"X\", \"kind\": \"club\"}", "kind", 1},
		{"N3 org website javascript", "{\"name\": \"X\", \"kind\": \"ngo\", \"website\": \"javascript:x\"}", "website", 1},
		{"N4 org acronym too long", "{\"name\": \"X\", \"kind\": \"ngo\", \"acronym\": \"ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJX\"}", "acronym", 1},
		{"N5 series without title", "{\"status\": \"draft\"}", "title", 0},
		{"N6 series cancelled", "{\"title\": \"S\", \"status\": \"cancelled\"}", "status", 0},
		{"N8 org logo not a stored name", "{\"name\": \"X\", \"kind\": \"ngo\", \"logo\": \"../h.db\"}", "logo", 1},
		{"N9 org logo of a thumbnail", "{\"name\": \"X\", \"kind\": \"ngo\", \"logo\": \"0000000000000000000000000000000000000000000000000000000000000000-w640.webp\"}", "logo", 1},
		{"N10 org logo never uploaded", "{\"name\": \"X\", \"kind\": \"ngo\", \"logo\": \"0000000000000000000000000000000000000000000000000000000000000000.png\"}", "logo", 1},
		{"N7 series organisation not a slug", "{\"title\": \"S\", \"status\": \"draft\", \"organisation\": \"UN AOC\"}", "organisation", 0},
		{"P1 org", "{\"name\": \"Fudan University\", \"kind\": \"academia\", \"country\": \"CN\", \"website\": \"https://www.fudan.edu.cn\"}", NULL, 1},
		{"P2 series", "{\"title\": \"S\", \"status\": \"published\", \"organisation\": \"unaoc\"}", NULL, 0},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		json_t *in = json_loads(rows[i].json, 0, NULL);
		struct field_errors errs = {0};
		assert_non_null(in);
		int n = rows[i].is_org ? admin_org_check(in, &errs) : admin_series_check(in, &errs);
		json_decref(in);
		if (!rows[i].bad_field && n)
			fail_msg("%s: error on %s", rows[i].id, errs.items[0].field);
		if (rows[i].bad_field && (n != 1 || !field_error_get(&errs, rows[i].bad_field)))
			fail_msg("%s: want one error on %s, got %d", rows[i].id, rows[i].bad_field, n);
	}
}

static void test_errors_keep_first_message_and_copy_names(void **state)
{
	(void)state;
	struct field_errors errs = {0};
	char name[16] = "organisations.3";
	field_error_add(&errs, name, "first");
	field_error_add(&errs, "organisations.3", "second");
	name[0] = 'X'; /* the stored name is a copy */
	assert_int_equal(errs.n, 1);
	assert_string_equal(field_error_get(&errs, "organisations.3"), "first");
	assert_null(field_error_get(&errs, "organisations"));
	for (int i = 0; i < FIELD_ERRORS_MAX + 5; i++) {
		char f[16];
		snprintf(f, sizeof(f), "f%d", i);
		field_error_add(&errs, f, "m");
	}
	assert_int_equal(errs.n, FIELD_ERRORS_MAX);
}

/* ================================================================ writes */

/* Series S (published) holds events A (published) and B (draft); series T
 * (draft) holds C (draft). Organisation 1 takes part in A, 2 in A and C. */
static const char fixture[] =
	"INSERT INTO organisation (id, slug, name, kind, created_at, updated_at) VALUES "
	" (1, 'org-one', 'One', 'ngo', 'x', 'x'), (2, 'org-two', 'Two', 'academia', 'x', 'x'),"
	" (3, 'org-three', 'Three', 'media', 'x', 'x');"
	"INSERT INTO series (id, slug, title, status, created_at, updated_at) VALUES "
	" (1, 'series-s', 'S', 'published', 'x', 'x'), (2, 'series-t', 'T', 'draft', 'x', 'x');"
	"INSERT INTO event (id, series_id, slug, title, starts_on, ends_on, status, created_at, "
	"updated_at) VALUES "
	" (1, 1, 'event-a', 'A', '2012-11-29', '2012-11-30', 'published', 'x', 'x'),"
	" (2, 1, 'event-b', 'B', '2013-11-29', '2013-11-30', 'draft', 'x', 'x'),"
	" (3, 2, 'event-c', 'C', '2014-11-29', '2014-11-30', 'draft', 'x', 'x');"
	"INSERT INTO event_organisation (event_id, organisation_id, role, position) VALUES "
	" (1, 1, 'convener', 1), (1, 2, 'partner', 2), (3, 2, 'partner', 1);";

enum who { ADMIN, ORG_A, ORG_S, ORG_T, PARTICIPANT, ADMIN_RO, WHO__MAX };

struct world {
	struct db *db;
	struct principal p[WHO__MAX];
};

static int64_t add_account(struct db *db, const char *email, const struct auth_grant *g)
{
	struct principal cli;
	struct account_new a = {.email = email, .name = "Test Person", .grant = g};
	int64_t id = 0;
	char msg[128];
	auth_principal_cli(&cli);
	if (auth_account_create(db, &cli, &a, T0, &id, msg, sizeof(msg)) != HM_OK)
		fail_msg("creating %s: %s", email, msg);
	return id;
}

static void world_open(struct world *w)
{
	char err[256];
	char *path = xasprintf("%s/evadm-%d.db", dir, ++ndb);
	memset(w, 0, sizeof(*w));
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &w->db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(w->db, fixture, err, sizeof(err)), HM_OK);
	free(path);
	static const struct {
		const char *email;
		struct auth_grant g;
		int has;
	} people[WHO__MAX] = {
		[ADMIN] = {"admin@example.org", {AUTH_ROLE_ADMIN, 0, 0}, 1},
		[ORG_A] = {"org-a@example.org", {AUTH_ROLE_ORGANISER, 1, 0}, 1},
		[ORG_S] = {"org-s@example.org", {AUTH_ROLE_ORGANISER, 0, 1}, 1},
		[ORG_T] = {"org-t@example.org", {AUTH_ROLE_ORGANISER, 0, 2}, 1},
		[PARTICIPANT] = {"someone@example.org", {0, 0, 0}, 0},
	};
	for (int i = 0; i < ADMIN_RO; i++) {
		int64_t id = add_account(w->db, people[i].email, people[i].has ? &people[i].g : NULL);
		assert_int_equal(auth_principal_load(w->db, id, AUTH_VIA_SESSION, &w->p[i]), HM_OK);
	}
	w->p[ADMIN_RO] = w->p[ADMIN];
	w->p[ADMIN_RO].via = AUTH_VIA_API_TOKEN;
	w->p[ADMIN_RO].read_only = 1;
}

static void world_close(struct world *w)
{
	db_close(w->db);
}

static int64_t count(struct db *db, const char *sql, const char *arg)
{
	struct db_stmt *st = db_prepare(db, sql);
	int64_t n = -1;
	assert_non_null(st);
	if (arg)
		db_bind_text(st, 1, arg);
	if (db_step(st) == 1)
		n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static int64_t audits(struct db *db, const char *action)
{
	return count(db, "SELECT count(*) FROM audit_log WHERE action = ?", action);
}

static void test_event_create_derives_unique_slugs_and_audits(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "title", "Café Über Dialogue", "series",
			       "series-s", "starts_on", "2015-05-01", "ends_on", "2015-05-02");
	json_t *a = NULL, *b = NULL;
	struct field_errors errs = {0};
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, in, T0, &a, &errs), HM_OK);
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, in, T0, &b, &errs), HM_OK);
	assert_string_equal(json_string_value(json_object_get(a, "slug")), "cafe-uber-dialogue");
	assert_string_equal(json_string_value(json_object_get(b, "slug")), "cafe-uber-dialogue-2");
	/* Defaults: a draft consultation with exact dates in UTC. */
	assert_string_equal(json_string_value(json_object_get(a, "status")), "draft");
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "consultation");
	assert_string_equal(json_string_value(json_object_get(a, "timezone")), "UTC");
	assert_string_equal(json_string_value(json_object_get(a, "series")), "series-s");
	assert_string_equal(json_string_value(json_object_get(a, "created_at")),
			    "2023-11-14T22:13:20Z");
	assert_int_equal(audits(w.db, "event.create"), 2);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = 'event.create' "
				     "AND before_json IS NULL AND after_json LIKE ? AND actor = 'admin@example.org'",
			       "%\"slug\":\"cafe-uber-dialogue-2\"%"),
			 1);
	json_decref(a);
	json_decref(b);
	json_decref(in);
	world_close(&w);
}

static void test_event_create_chosen_slug_taken_is_eexist(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "title", "X", "slug", "event-a", "starts_on",
			       "2015-05-01", "ends_on", "2015-05-02");
	struct field_errors errs = {0};
	json_t *out = (json_t *)1;
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, in, T0, &out, &errs), HM_EEXIST);
	assert_null(out);
	assert_non_null(field_error_get(&errs, "slug"));
	assert_int_equal(count(w.db, "SELECT count(*) FROM event", NULL), 3);
	assert_int_equal(audits(w.db, "event.create"), 0);
	json_decref(in);
	world_close(&w);
}

static void test_event_create_rights_table(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	static const struct {
		const char *id;
		enum who who;
		const char *series; /* NULL: none */
		enum hm_err want;
	} rows[] = {
		{"N1 participant", PARTICIPANT, "series-s", HM_EFORBIDDEN},
		{"N2 event organiser in its series", ORG_A, "series-s", HM_EFORBIDDEN},
		{"N3 series organiser in another series", ORG_S, "series-t", HM_EFORBIDDEN},
		{"N4 series organiser without series", ORG_S, NULL, HM_EFORBIDDEN},
		{"N5 read-only admin token", ADMIN_RO, "series-s", HM_EFORBIDDEN},
		{"N6 unknown series", ADMIN, "series-x", HM_EINVAL},
		{"P1 series organiser in own series", ORG_S, "series-s", HM_OK},
		{"P2 admin without series", ADMIN, NULL, HM_OK},
		{"P3 organiser of draft series T", ORG_T, "series-t", HM_OK},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		json_t *in = json_pack("{s:s, s:s, s:s}", "title", rows[i].id, "starts_on", "2015-05-01",
				       "ends_on", "2015-05-02");
		if (rows[i].series)
			json_object_set_new(in, "series", json_string(rows[i].series));
		struct field_errors errs = {0};
		enum hm_err e = kind_save(&event_kind, w.db, &w.p[rows[i].who], NULL, in, T0, NULL, &errs);
		json_decref(in);
		if (e != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].id, hm_err_str(e), hm_err_str(rows[i].want));
	}
	assert_int_equal(count(w.db, "SELECT count(*) FROM event", NULL), 6);
	world_close(&w);
}

static void test_event_update_changes_only_keys_sent(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	struct field_errors errs = {0};
	json_t *in = json_pack("{s:s, s:s, s:[s,s], s:i, s:s}", "city", "Shanghai", "country", "CN",
			       "sectors", "ngo", "government", "capacity", 150, "ignored", "x");
	json_t *out = NULL;
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ORG_A], "event-a", in, T0, &out, &errs),
			 HM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "title")), "A");
	assert_string_equal(json_string_value(json_object_get(out, "city")), "Shanghai");
	assert_int_equal(json_integer_value(json_object_get(out, "capacity")), 150);
	/* Sectors keep the order given. */
	json_t *sectors = json_object_get(out, "sectors");
	assert_int_equal(json_array_size(sectors), 2);
	assert_string_equal(json_string_value(json_array_get(sectors, 0)), "ngo");
	assert_string_equal(json_string_value(json_array_get(sectors, 1)), "government");
	json_decref(out);
	json_decref(in);

	/* null clears an optional field; the status stays. */
	in = json_pack("{s:n, s:[]}", "city", "sectors");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ORG_A], "event-a", in, T0, &out, &errs),
			 HM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "city")), "");
	assert_int_equal(json_array_size(json_object_get(out, "sectors")), 0);
	assert_string_equal(json_string_value(json_object_get(out, "status")), "published");
	json_decref(out);
	json_decref(in);

	/* A required field cannot be cleared. */
	in = json_pack("{s:s}", "title", "");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ORG_A], "event-a", in, T0, &out, &errs),
			 HM_EINVAL);
	assert_non_null(field_error_get(&errs, "title"));
	json_decref(in);
	assert_int_equal(audits(w.db, "event.update"), 2);
	world_close(&w);
}

static void test_event_update_rights_table(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	static const struct {
		const char *id;
		enum who who;
		const char *event, *series; /* series: move it there (NULL: stay) */
		enum hm_err want;
	} rows[] = {
		{"N1 participant", PARTICIPANT, "event-a", NULL, HM_EFORBIDDEN},
		{"N2 organiser of A edits B", ORG_A, "event-b", NULL, HM_EFORBIDDEN},
		{"N3 organiser of T edits A", ORG_T, "event-a", NULL, HM_EFORBIDDEN},
		{"N4 organiser of A moves it to T", ORG_A, "event-a", "series-t", HM_EFORBIDDEN},
		{"N5 organiser of S moves B to T", ORG_S, "event-b", "series-t", HM_EFORBIDDEN},
		{"N6 read-only admin", ADMIN_RO, "event-a", NULL, HM_EFORBIDDEN},
		{"N7 no such event", ADMIN, "event-x", NULL, HM_ENOTFOUND},
		{"P1 organiser of A", ORG_A, "event-a", NULL, HM_OK},
		{"P2 organiser of S edits B", ORG_S, "event-b", NULL, HM_OK},
		{"P3 admin moves C to S", ADMIN, "event-c", "series-s", HM_OK},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		json_t *in = json_pack("{s:s}", "theme", rows[i].id);
		if (rows[i].series)
			json_object_set_new(in, "series", json_string(rows[i].series));
		struct field_errors errs = {0};
		enum hm_err e = kind_save(&event_kind, w.db, &w.p[rows[i].who], rows[i].event, in, T0,
						   NULL, &errs);
		json_decref(in);
		if (e != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].id, hm_err_str(e), hm_err_str(rows[i].want));
	}
	assert_int_equal(count(w.db, "SELECT series_id FROM event WHERE slug = ?", "event-c"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event WHERE theme LIKE 'N%'", NULL), 0);
	world_close(&w);
}

static void test_event_status_changes_are_audited_by_name(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	static const struct {
		const char *status, *action;
	} steps[] = {
		{"published", "event.publish"},
		{"cancelled", "event.cancel"},
		{"draft", "event.unpublish"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(steps); i++) {
		assert_int_equal(kind_set_status(&event_kind, w.db, &w.p[ORG_S], "event-b", steps[i].status,
							T0),
				 HM_OK);
		assert_int_equal(audits(w.db, steps[i].action), 1);
		assert_int_equal(count(w.db, "SELECT count(*) FROM event WHERE status = ?",
				       steps[i].status),
				 steps[i].status[0] == 'p' ? 2 : steps[i].status[0] == 'd' ? 2 : 1);
	}
	assert_int_equal(kind_set_status(&event_kind, w.db, &w.p[ADMIN], "event-b", "archived", T0),
			 HM_EINVAL);
	assert_int_equal(kind_set_status(&event_kind, w.db, &w.p[ORG_A], "event-b", "published", T0),
			 HM_EFORBIDDEN);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action LIKE 'event.%'", NULL),
			 3);
	world_close(&w);
}

/* A draft was never public: it is not cancelled into public view, by a
 * status change, an update or a creation; a published event is. */
static void test_event_draft_is_never_cancelled(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	struct field_errors errs = {0};
	const char *why = kind_status_refused(&event_kind, "draft", "cancelled");
	assert_non_null(why);
	assert_null(kind_status_refused(&event_kind, "published", "cancelled"));
	assert_null(kind_status_refused(&event_kind, "cancelled", "draft"));
	assert_null(kind_status_refused(&event_kind, "draft", "draft"));
	assert_null(kind_status_refused(&series_kind, "draft", "published"));

	assert_int_equal(kind_set_status(&event_kind, w.db, &w.p[ADMIN], "event-b", "cancelled", T0),
			 HM_ECONFLICT);
	json_t *in = json_pack("{s:s, s:s}", "status", "cancelled", "venue", "Hall");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-b", in, T0, NULL, &errs),
			 HM_ECONFLICT);
	assert_string_equal(field_error_get(&errs, "status"), why);
	json_decref(in);
	memset(&errs, 0, sizeof(errs));
	in = json_pack("{s:s, s:s, s:s, s:s}", "title", "Born cancelled", "starts_on", "2020-01-01",
		       "ends_on", "2020-01-02", "status", "cancelled");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, in, T0, NULL, &errs),
			 HM_ECONFLICT);
	assert_string_equal(field_error_get(&errs, "status"), why);
	json_decref(in);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event WHERE status = ?", "cancelled"), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event WHERE slug = ?", "born-cancelled"), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action LIKE 'event.%'", NULL),
			 0);
	/* Published first, it may be cancelled. */
	assert_int_equal(kind_set_status(&event_kind, w.db, &w.p[ADMIN], "event-a", "cancelled", T0),
			 HM_OK);
	assert_int_equal(audits(w.db, "event.cancel"), 1);
	world_close(&w);
}

/* Changing a slug keeps the old one as an old address of the thing; a
 * thing that takes it claims it; deleting forgets them; a refused write
 * keeps none. */
static void test_old_addresses_kept_claimed_forgotten(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	struct field_errors errs = {0};
	static const char n_sql[] = "SELECT count(*) FROM old_address WHERE address = ?";
	json_t *in = json_pack("{s:s}", "slug", "event-a2");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-a", in, T0, NULL, &errs),
			 HM_OK);
	json_decref(in);
	assert_int_equal(old_address_find(w.db, "event", "event-a"), 1);
	assert_int_equal(old_address_find(w.db, "series", "event-a"), 0);
	/* An update that keeps the slug records nothing. */
	in = json_pack("{s:s}", "venue", "Hall");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-a2", in, T0, NULL, &errs),
			 HM_OK);
	json_decref(in);
	assert_int_equal(count(w.db, "SELECT count(*) FROM old_address", NULL), 1);
	/* A refused write (a draft cancelled) keeps no old address. */
	in = json_pack("{s:s, s:s}", "slug", "event-b2", "status", "cancelled");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-b", in, T0, NULL, &errs),
			 HM_ECONFLICT);
	json_decref(in);
	assert_int_equal(count(w.db, n_sql, "event-b"), 0);
	/* A new event takes the freed slug: the redirect is dropped. */
	memset(&errs, 0, sizeof(errs));
	in = json_pack("{s:s, s:s, s:s, s:s}", "title", "New A", "slug", "event-a", "starts_on",
		       "2020-01-01", "ends_on", "2020-01-02");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, in, T0, NULL, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(count(w.db, n_sql, "event-a"), 0);
	/* Renamed again, then deleted: its addresses go with it. */
	in = json_pack("{s:s}", "slug", "event-c2");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-c", in, T0, NULL, &errs),
			 HM_OK);
	json_decref(in);
	assert_int_equal(old_address_find(w.db, "event", "event-c"), 3);
	struct kind_keep_why why;
	assert_int_equal(kind_delete(&event_kind, w.db, &w.p[ADMIN], "event-c2", T0, &why), HM_OK);
	assert_int_equal(old_address_find(w.db, "event", "event-c"), 0);
	assert_int_equal(old_address_find(w.db, "event", "event-a"), 0);
	world_close(&w);
}

/* The slugs and roles of an event's organisations, as "slug:role,…". */
static char *orgs_of(struct db *db, const char *event)
{
	json_t *ev = admin_event_get(db, event);
	static char out[512];
	out[0] = '\0';
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ev, "organisations"), i, o) {
		size_t n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%s:%s", i ? "," : "",
			 json_string_value(json_object_get(o, "slug")),
			 json_string_value(json_object_get(o, "role")));
	}
	json_decref(ev);
	return out;
}

static void test_event_orgs_add_move_remove(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	const struct principal *p = &w.p[ORG_A];
	assert_string_equal(orgs_of(w.db, "event-a"), "org-one:convener,org-two:partner");
	/* A second partner goes last among partners; a sponsor after them. */
	assert_int_equal(admin_event_org_add(w.db, p, "event-a", "org-three", "sponsor", T0), HM_OK);
	assert_int_equal(admin_event_org_add(w.db, p, "event-a", "org-three", "partner", T0), HM_OK);
	assert_string_equal(orgs_of(w.db, "event-a"),
			    "org-one:convener,org-two:partner,org-three:partner,org-three:sponsor");
	/* The same organisation in the same role twice, an unknown one, a bad role. */
	assert_int_equal(admin_event_org_add(w.db, p, "event-a", "org-two", "partner", T0), HM_EEXIST);
	assert_int_equal(admin_event_org_add(w.db, p, "event-a", "org-nine", "partner", T0),
			 HM_ENOTFOUND);
	assert_int_equal(admin_event_org_add(w.db, p, "event-a", "org-two", "host", T0), HM_EINVAL);
	/* Moving stays within a role. */
	assert_int_equal(admin_event_org_move(w.db, p, "event-a", "org-three", "partner", -1, T0),
			 HM_OK);
	assert_string_equal(orgs_of(w.db, "event-a"),
			    "org-one:convener,org-three:partner,org-two:partner,org-three:sponsor");
	assert_int_equal(admin_event_org_move(w.db, p, "event-a", "org-three", "partner", -1, T0),
			 HM_ECONFLICT);
	assert_int_equal(admin_event_org_move(w.db, p, "event-a", "org-two", "partner", 1, T0),
			 HM_ECONFLICT);
	assert_int_equal(admin_event_org_move(w.db, p, "event-a", "org-one", "partner", 1, T0),
			 HM_ENOTFOUND);
	/* Positions are dense: 1…4 in display order. */
	assert_int_equal(count(w.db, "SELECT count(DISTINCT position) FROM event_organisation "
				     "WHERE event_id = 1 AND position BETWEEN 1 AND 4",
			       NULL),
			 4);
	assert_int_equal(count(w.db, "SELECT position FROM event_organisation eo JOIN organisation o "
				     "ON o.id = eo.organisation_id WHERE event_id = 1 AND o.slug = ? "
				     "AND role = 'partner'",
			       "org-two"),
			 3);
	assert_int_equal(admin_event_org_remove(w.db, p, "event-a", "org-three", "sponsor", T0), HM_OK);
	assert_int_equal(admin_event_org_remove(w.db, p, "event-a", "org-three", "sponsor", T0),
			 HM_ENOTFOUND);
	assert_string_equal(orgs_of(w.db, "event-a"),
			    "org-one:convener,org-three:partner,org-two:partner");
	/* Other events' organisers may not touch the list. */
	assert_int_equal(admin_event_org_add(w.db, &w.p[ORG_T], "event-a", "org-three", "sponsor", T0),
			 HM_EFORBIDDEN);
	assert_int_equal(admin_event_org_remove(w.db, &w.p[PARTICIPANT], "event-a", "org-one",
						"convener", T0),
			 HM_EFORBIDDEN);
	assert_int_equal(audits(w.db, "event.organisations"), 4);
	world_close(&w);
}

static void test_event_org_set_checks_every_entry(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	struct field_errors errs = {0};
	json_t *bad = json_loads("[{\"organisation\": \"org-two\", \"role\": \"partner\"},"
				 " {\"organisation\": \"org-nine\", \"role\": \"partner\"},"
				 " {\"organisation\": \"org-two\", \"role\": \"partner\"},"
				 " {\"organisation\": \"org-one\", \"role\": \"host\"}]",
				 0, NULL);
	assert_int_equal(admin_event_org_set(w.db, &w.p[ADMIN], "event-a", bad, T0, &errs), HM_EINVAL);
	assert_null(field_error_get(&errs, "organisations.0"));
	assert_non_null(field_error_get(&errs, "organisations.1"));
	assert_non_null(field_error_get(&errs, "organisations.2"));
	assert_non_null(field_error_get(&errs, "organisations.3"));
	assert_string_equal(orgs_of(w.db, "event-a"), "org-one:convener,org-two:partner");
	json_decref(bad);
	/* Roles are shown convener first whatever order they come in. */
	json_t *good = json_loads("[{\"organisation\": \"org-three\", \"role\": \"sponsor\"},"
				  " {\"organisation\": \"org-two\", \"role\": \"partner\"},"
				  " {\"organisation\": \"org-one\", \"role\": \"partner\"},"
				  " {\"organisation\": \"org-one\", \"role\": \"convener\"}]",
				  0, NULL);
	memset(&errs, 0, sizeof(errs));
	assert_int_equal(admin_event_org_set(w.db, &w.p[ORG_A], "event-a", good, T0, &errs), HM_OK);
	assert_string_equal(orgs_of(w.db, "event-a"),
			    "org-one:convener,org-two:partner,org-one:partner,org-three:sponsor");
	json_decref(good);
	world_close(&w);
}

static void test_series_create_update_publish(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	struct field_errors errs = {0};
	json_t *in = json_pack("{s:s, s:s, s:s}", "title", "Regional Consultations 2013", "summary",
			       "Next round.", "organisation", "org-one");
	json_t *out = NULL;
	assert_int_equal(kind_save(&series_kind, w.db, &w.p[ORG_S], NULL, in, T0, &out, &errs), HM_EFORBIDDEN);
	assert_int_equal(kind_save(&series_kind, w.db, &w.p[ADMIN], NULL, in, T0, &out, &errs), HM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "slug")),
			    "regional-consultations-2013");
	assert_string_equal(json_string_value(json_object_get(out, "status")), "draft");
	assert_string_equal(json_string_value(json_object_get(out, "organisation")), "org-one");
	json_decref(out);
	json_decref(in);

	in = json_pack("{s:s}", "organisation", "org-nine");
	assert_int_equal(kind_save(&series_kind, w.db, &w.p[ORG_S], "series-s", in, T0, NULL, &errs),
			 HM_EINVAL);
	assert_non_null(field_error_get(&errs, "organisation"));
	json_decref(in);
	in = json_pack("{s:s}", "slug", "series-t");
	memset(&errs, 0, sizeof(errs));
	assert_int_equal(kind_save(&series_kind, w.db, &w.p[ORG_S], "series-s", in, T0, NULL, &errs),
			 HM_EEXIST);
	json_decref(in);
	assert_int_equal(kind_set_status(&series_kind, w.db, &w.p[ORG_S], "series-t", "published", T0),
			 HM_EFORBIDDEN);
	assert_int_equal(kind_set_status(&series_kind, w.db, &w.p[ORG_T], "series-t", "published", T0),
			 HM_OK);
	assert_int_equal(kind_set_status(&series_kind, w.db, &w.p[ORG_T], "series-t", "cancelled", T0),
			 HM_EINVAL);
	assert_int_equal(audits(w.db, "series.create"), 1);
	assert_int_equal(audits(w.db, "series.publish"), 1);
	assert_int_equal(audits(w.db, "series.update"), 0);
	world_close(&w);
}

static void test_org_rights_follow_the_events_it_is_in(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	struct field_errors errs = {0};
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", "Fudan University", "kind", "academia",
			       "website", "https://www.fudan.edu.cn");
	json_t *out = NULL;
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[PARTICIPANT], NULL, in, T0, &out, &errs),
			 HM_EFORBIDDEN);
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[ORG_A], NULL, in, T0, &out, &errs), HM_OK);
	assert_string_equal(json_string_value(json_object_get(out, "slug")), "fudan-university");
	assert_string_equal(json_string_value(json_object_get(out, "website")),
			    "https://www.fudan.edu.cn");
	json_decref(out);
	json_decref(in);

	in = json_pack("{s:s}", "acronym", "X");
	/* org-one is only in A; org-two is in A and C. */
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[ORG_A], "org-one", in, T0, NULL, &errs), HM_OK);
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[ORG_A], "org-two", in, T0, NULL, &errs),
			 HM_EFORBIDDEN);
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[ORG_T], "org-one", in, T0, NULL, &errs),
			 HM_EFORBIDDEN);
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[ADMIN], "org-two", in, T0, NULL, &errs), HM_OK);
	assert_int_equal(kind_save(&org_kind, w.db, &w.p[ADMIN], "org-nine", in, T0, NULL, &errs),
			 HM_ENOTFOUND);
	json_decref(in);
	assert_int_equal(audits(w.db, "organisation.create"), 1);
	assert_int_equal(audits(w.db, "organisation.update"), 2);
	world_close(&w);
}

static void test_organisers_named_by_admins_and_series_organisers(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	int64_t someone = w.p[PARTICIPANT].account_id;
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ORG_A], "event-a",
						     "someone@example.org", T0),
			 HM_EFORBIDDEN);
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ORG_T], "event-a",
						     "someone@example.org", T0),
			 HM_EFORBIDDEN);
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ORG_S], "event-a",
						     "nobody@example.org", T0),
			 HM_ENOTFOUND);
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ORG_S], "event-a",
						     "Someone@Example.org", T0),
			 HM_OK);
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ADMIN], "event-a",
						     "someone@example.org", T0),
			 HM_EEXIST);
	/* The audit entry names the series organiser, not an admin. */
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = "
				     "'account.role_grant' AND actor = ?",
			       "org-s@example.org"),
			 1);
	json_t *list = admin_event_organisers(w.db, 1, 1);
	assert_int_equal(json_array_size(list), 3); /* org-a, someone (event), org-s (series) */
	json_decref(list);
	struct principal now_org;
	assert_int_equal(auth_principal_load(w.db, someone, AUTH_VIA_SESSION, &now_org), HM_OK);
	struct auth_scope a = {.event_id = 1, .series_id = 1};
	assert_true(auth_can(&now_org, AUTH_EVENT_EDIT, &a));

	assert_int_equal(admin_event_organiser_revoke(w.db, &w.p[ORG_A], "event-a", someone, T0),
			 HM_EFORBIDDEN);
	assert_int_equal(admin_event_organiser_revoke(w.db, &w.p[ORG_S], "event-a", someone, T0),
			 HM_OK);
	assert_int_equal(admin_event_organiser_revoke(w.db, &w.p[ORG_S], "event-a", someone, T0),
			 HM_ENOTFOUND);
	/* A series grant is not revoked through an event. */
	assert_int_equal(admin_event_organiser_revoke(w.db, &w.p[ADMIN], "event-a",
						      w.p[ORG_S].account_id, T0),
			 HM_ENOTFOUND);
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ADMIN], "event-x",
						     "someone@example.org", T0),
			 HM_ENOTFOUND);
	world_close(&w);
}

static void test_refused_writes_leave_nothing(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	int64_t audit0 = count(w.db, "SELECT count(*) FROM audit_log", NULL);
	struct field_errors errs = {0};
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "title", "Bad dates", "starts_on",
			       "2015-05-02", "ends_on", "2015-05-01", "series", "series-s");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, in, T0, NULL, &errs), HM_EINVAL);
	assert_non_null(field_error_get(&errs, "ends_on"));
	json_decref(in);
	in = json_pack("{s:s, s:[s]}", "title", "New title", "sectors", "army");
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-a", in, T0, NULL, &errs),
			 HM_EINVAL);
	json_decref(in);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event", NULL), 3);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event WHERE title = ?", "A"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log", NULL), audit0);
	/* Not an object at all. */
	json_t *arr = json_array();
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], NULL, arr, T0, NULL, &errs), HM_EINVAL);
	json_decref(arr);
	/* And the connection is usable afterwards (no transaction left open). */
	assert_int_equal(db_begin(w.db), HM_OK);
	db_rollback(w.db);
	world_close(&w);
}

static void test_visibility_of_drafts(void **state)
{
	(void)state;
	struct world w;
	world_open(&w);
	json_t *b = admin_event_get(w.db, "event-b"), *c = admin_event_get(w.db, "event-c");
	json_t *a = admin_event_get(w.db, "event-a");
	struct principal visitor;
	auth_principal_visitor(&visitor);
	assert_true(admin_event_visible(&visitor, a));
	assert_false(admin_event_visible(&visitor, b));
	assert_false(admin_event_visible(&w.p[PARTICIPANT], b));
	assert_false(admin_event_visible(&w.p[ORG_A], b)); /* another event of the series */
	assert_true(admin_event_visible(&w.p[ORG_S], b));
	assert_false(admin_event_visible(&w.p[ORG_S], c));
	assert_true(admin_event_visible(&w.p[ORG_T], c));
	assert_true(admin_event_visible(&w.p[ADMIN], c));
	json_t *t = admin_series_get(w.db, "series-t");
	assert_false(admin_series_visible(&visitor, t));
	assert_false(admin_series_visible(&w.p[ORG_S], t));
	assert_true(admin_series_visible(&w.p[ORG_T], t));
	assert_true(auth_is_staff(&w.p[ORG_A]));
	assert_false(auth_is_staff(&w.p[PARTICIPANT]));
	assert_false(admin_may_create_event(&w.p[ORG_A]));
	assert_true(admin_may_create_event(&w.p[ORG_S]));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(t);
	world_close(&w);
}

/* ============================================================== deletes */

enum thing { K_SERIES, K_EVENT, K_ORG };

static const struct {
	const char *name;
	json_t *(*get)(struct db *db, const char *slug);
	const struct kind *kind;
} kinds[] = {
	[K_SERIES] = {"series", admin_series_get, &series_kind},
	[K_EVENT] = {"event", admin_event_get, &event_kind},
	[K_ORG] = {"organisation", admin_org_get, &org_kind},
};

/* The feature's reason a keep rule gives, ADMIN_KEEP_NONE for none. */
static int why_of(const struct kind_keep_why *w)
{
	return w->rule ? w->rule->why : ADMIN_KEEP_NONE;
}

/* Beyond the fixture: event D (cancelled, in S), two posts of draft B,
 * org-three runs series T, org-four is on nothing; B has a sector and an
 * organiser grant, T a series organiser (ORG_T, from world_open). */
static const char delete_fixture[] =
	"INSERT INTO event (id, series_id, slug, title, starts_on, ends_on, status, created_at, "
	"updated_at) VALUES (4, 1, 'event-d', 'D', '2015-11-29', '2015-11-30', 'cancelled', 'x', 'x');"
	"INSERT INTO post (slug, title, status, event_id, created_at, updated_at) VALUES "
	" ('p1', 'P1', 'draft', 2, 'x', 'x'), ('p2', 'P2', 'published', 2, 'x', 'x');"
	"UPDATE series SET organiser_id = 3 WHERE id = 2;"
	"INSERT INTO organisation (id, slug, name, kind, created_at, updated_at) VALUES "
	" (4, 'org-four', 'Four', 'other', 'x', 'x');"
	"INSERT INTO event_sector (event_id, sector, position) VALUES (2, 'ngo', 1);";

/* Every row the deletes could touch, as one string. */
static void fingerprint(struct db *db, char *out, size_t len)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM series",       "SELECT count(*) FROM event",
		"SELECT count(*) FROM organisation", "SELECT count(*) FROM event_organisation",
		"SELECT count(*) FROM event_sector", "SELECT count(*) FROM account_role",
		"SELECT count(*) FROM post",         "SELECT count(*) FROM audit_log",
	};
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < HM_ARRAY_LEN(sql); i++)
		n += (size_t)snprintf(out + n, len - n, "%lld ", (long long)count(db, sql[i], NULL));
}

static void test_delete_refusals_table_change_nothing(void **state)
{
	(void)state;
	struct world w;
	char err[256], before[512], after[512];
	world_open(&w);
	assert_int_equal(db_exec_script(w.db, delete_fixture, err, sizeof(err)), HM_OK);
	static const struct {
		const char *id;
		enum who who;
		enum thing kind;
		const char *slug;
		enum hm_err want;
		enum admin_keep why;
		int64_t n;
	} rows[] = {
		{"N1 organiser of the series deletes draft event C", ORG_T, K_EVENT, "event-c",
		 HM_EFORBIDDEN, ADMIN_KEEP_NONE, 0},
		{"N2 organiser of series S deletes draft event B", ORG_S, K_EVENT, "event-b",
		 HM_EFORBIDDEN, ADMIN_KEEP_NONE, 0},
		{"N3 organiser of T deletes series T", ORG_T, K_SERIES, "series-t", HM_EFORBIDDEN,
		 ADMIN_KEEP_NONE, 0},
		{"N4 organiser of A deletes org-four", ORG_A, K_ORG, "org-four", HM_EFORBIDDEN,
		 ADMIN_KEEP_NONE, 0},
		{"N5 participant deletes event C", PARTICIPANT, K_EVENT, "event-c", HM_EFORBIDDEN,
		 ADMIN_KEEP_NONE, 0},
		{"N6 read-only admin token deletes event C", ADMIN_RO, K_EVENT, "event-c",
		 HM_EFORBIDDEN, ADMIN_KEEP_NONE, 0},
		{"N7 no such event", ADMIN, K_EVENT, "event-x", HM_ENOTFOUND, ADMIN_KEEP_NONE, 0},
		{"N8 no such series", ADMIN, K_SERIES, "series-x", HM_ENOTFOUND, ADMIN_KEEP_NONE, 0},
		{"N9 no such organisation", ADMIN, K_ORG, "org-x", HM_ENOTFOUND, ADMIN_KEEP_NONE, 0},
		{"N10 published event A", ADMIN, K_EVENT, "event-a", HM_ECONFLICT,
		 ADMIN_KEEP_EVENT_PUBLISHED, 1},
		{"N11 cancelled event D", ADMIN, K_EVENT, "event-d", HM_ECONFLICT,
		 ADMIN_KEEP_EVENT_CANCELLED, 1},
		{"N12 draft event B with two posts", ADMIN, K_EVENT, "event-b", HM_ECONFLICT,
		 ADMIN_KEEP_EVENT_POSTS, 2},
		{"N13 published series S", ADMIN, K_SERIES, "series-s", HM_ECONFLICT,
		 ADMIN_KEEP_SERIES_PUBLISHED, 1},
		{"N14 draft series T with event C", ADMIN, K_SERIES, "series-t", HM_ECONFLICT,
		 ADMIN_KEEP_SERIES_EVENTS, 1},
		{"N15 org-one on event A", ADMIN, K_ORG, "org-one", HM_ECONFLICT,
		 ADMIN_KEEP_ORG_EVENTS, 1},
		{"N16 org-two on events A and C", ADMIN, K_ORG, "org-two", HM_ECONFLICT,
		 ADMIN_KEEP_ORG_EVENTS, 2},
		{"N17 org-three runs series T", ADMIN, K_ORG, "org-three", HM_ECONFLICT,
		 ADMIN_KEEP_ORG_SERIES, 1},
	};
	fingerprint(w.db, before, sizeof(before));
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct kind_keep_why why = {NULL, -1};
		enum hm_err e = kind_delete(kinds[rows[i].kind].kind, w.db, &w.p[rows[i].who],
					    rows[i].slug, T0, &why);
		if (e != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].id, hm_err_str(e), hm_err_str(rows[i].want));
		if (e == HM_ECONFLICT && (why_of(&why) != (int)rows[i].why || why.n != rows[i].n))
			fail_msg("%s: why %d n %lld, want %d n %lld", rows[i].id, why_of(&why),
				 (long long)why.n, (int)rows[i].why, (long long)rows[i].n);
		if (e == HM_ECONFLICT && !why.rule->one)
			fail_msg("%s: no sentence says why", rows[i].id);
		/* What the edit page asks gives the same answer. */
		json_t *t = kinds[rows[i].kind].get(w.db, rows[i].slug);
		if (t && rows[i].want == HM_ECONFLICT) {
			struct kind_keep_why k = {NULL, -1};
			assert_int_equal(kind_keep(kinds[rows[i].kind].kind, w.db, t, &k), HM_OK);
			if (why_of(&k) != (int)rows[i].why)
				fail_msg("%s: keep says %d, want %d", rows[i].id, why_of(&k),
					 (int)rows[i].why);
		}
		json_decref(t);
		fingerprint(w.db, after, sizeof(after));
		if (strcmp(before, after) != 0)
			fail_msg("%s: changed %s → %s", rows[i].id, before, after);
	}
	/* No transaction left open. */
	assert_int_equal(db_begin(w.db), HM_OK);
	db_rollback(w.db);
	world_close(&w);
}

static void test_delete_takes_the_cascaded_rows_and_audits(void **state)
{
	(void)state;
	struct world w;
	char err[256];
	world_open(&w);
	assert_int_equal(db_exec_script(w.db, delete_fixture, err, sizeof(err)), HM_OK);
	/* Draft event C (series T) gets a sector and an organiser of its own. */
	json_t *in = json_pack("{s:[s]}", "sectors", "media");
	struct field_errors errs = {0};
	assert_int_equal(kind_save(&event_kind, w.db, &w.p[ADMIN], "event-c", in, T0, NULL, &errs), HM_OK);
	json_decref(in);
	assert_int_equal(admin_event_organiser_grant(w.db, &w.p[ADMIN], "event-c",
						     "someone@example.org", T0),
			 HM_OK);
	assert_int_equal(count(w.db, "SELECT count(*) FROM account_role WHERE event_id = 3", NULL), 1);

	struct kind_keep_why why = {NULL, -1};
	assert_int_equal(kind_delete(&event_kind, w.db, &w.p[ADMIN], "event-c", T0, &why), HM_OK);
	assert_int_equal(why_of(&why), ADMIN_KEEP_NONE);
	assert_null(admin_event_get(w.db, "event-c"));
	assert_int_equal(count(w.db, "SELECT count(*) FROM event_organisation WHERE event_id = 3", NULL), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event_sector WHERE event_id = 3", NULL), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM account_role WHERE event_id = 3", NULL), 0);
	/* Nothing else changed: the organisation, its other entry, the account. */
	assert_int_equal(count(w.db, "SELECT count(*) FROM event_organisation WHERE organisation_id = 2", NULL), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM account WHERE email = ?", "someone@example.org"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM event", NULL), 3);
	/* The audit entry keeps the event as it was, with what went with it. */
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = 'event.delete' "
				     "AND entity = 'event' AND entity_id = 3 AND after_json IS NULL "
				     "AND actor = 'admin@example.org' "
				     "AND json_extract(before_json, '$.slug') = ? "
				     "AND json_extract(before_json, '$.organisations[0].slug') = 'org-two' "
				     "AND json_extract(before_json, '$.sectors[0]') = 'media' "
				     "AND json_extract(before_json, '$.organisers[0].email') = 'someone@example.org'",
			       "event-c"),
			 1);

	/* Series T is now a draft without events; its organiser grant goes with it. */
	assert_int_equal(count(w.db, "SELECT count(*) FROM account_role WHERE series_id = 2", NULL), 1);
	assert_int_equal(kind_delete(&series_kind, w.db, &w.p[ORG_T], "series-t", T0, NULL), HM_EFORBIDDEN);
	assert_int_equal(kind_delete(&series_kind, w.db, &w.p[ADMIN], "series-t", T0, NULL), HM_OK);
	assert_null(admin_series_get(w.db, "series-t"));
	assert_int_equal(count(w.db, "SELECT count(*) FROM account_role WHERE series_id = 2", NULL), 0);
	assert_int_equal(count(w.db, "SELECT count(*) FROM account WHERE email = ?", "org-t@example.org"), 1);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = 'series.delete' "
				     "AND json_extract(before_json, '$.organisers[0].email') = ?",
			       "org-t@example.org"),
			 1);

	/* org-three ran series T only: now it may go; org-four never was anywhere. */
	assert_int_equal(kind_delete(&org_kind, w.db, &w.p[ADMIN], "org-three", T0, NULL), HM_OK);
	assert_int_equal(kind_delete(&org_kind, w.db, &w.p[ADMIN], "org-four", T0, NULL), HM_OK);
	assert_int_equal(kind_delete(&org_kind, w.db, &w.p[ADMIN], "org-four", T0, NULL), HM_ENOTFOUND);
	assert_null(admin_org_get(w.db, "org-four"));
	assert_int_equal(count(w.db, "SELECT count(*) FROM organisation", NULL), 2);
	assert_int_equal(audits(w.db, "organisation.delete"), 2);
	assert_int_equal(count(w.db, "SELECT count(*) FROM audit_log WHERE action = 'organisation.delete' "
				     "AND json_extract(before_json, '$.name') = 'Four'", NULL),
			 1);
	world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_valid_table),
		cmocka_unit_test(test_country_and_url_valid_tables),
		cmocka_unit_test(test_event_check_table),
		cmocka_unit_test(test_org_and_series_check_tables),
		cmocka_unit_test(test_errors_keep_first_message_and_copy_names),
		cmocka_unit_test(test_event_create_derives_unique_slugs_and_audits),
		cmocka_unit_test(test_event_create_chosen_slug_taken_is_eexist),
		cmocka_unit_test(test_event_create_rights_table),
		cmocka_unit_test(test_event_update_changes_only_keys_sent),
		cmocka_unit_test(test_event_update_rights_table),
		cmocka_unit_test(test_event_status_changes_are_audited_by_name),
		cmocka_unit_test(test_event_draft_is_never_cancelled),
		cmocka_unit_test(test_old_addresses_kept_claimed_forgotten),
		cmocka_unit_test(test_event_orgs_add_move_remove),
		cmocka_unit_test(test_event_org_set_checks_every_entry),
		cmocka_unit_test(test_series_create_update_publish),
		cmocka_unit_test(test_org_rights_follow_the_events_it_is_in),
		cmocka_unit_test(test_organisers_named_by_admins_and_series_organisers),
		cmocka_unit_test(test_refused_writes_leave_nothing),
		cmocka_unit_test(test_visibility_of_drafts),
		cmocka_unit_test(test_delete_refusals_table_change_nothing),
		cmocka_unit_test(test_delete_takes_the_cascaded_rows_and_audits),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
