/*
 * test_news_admin.c — the write side of news on real SQLite files: who may
 * write which post (refusals first), slugs made unique, field refusals,
 * publication times and scheduling, what each role may list, categories
 * kept while in use, one audit entry per change; and wall-clock times in a
 * zone, daylight-saving gaps and overlaps included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "features/news/news_admin.h"
#include "view/i18n.h"

/* 2012-11-12T12:00:30Z: "now" in these tests. */
#define NOW 1352721630

static char dir[64];
static int ndb;

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-news-XXXXXX");
	log_min_level = LOG_ERROR;
	return mkdtemp(dir) && auth_init() == HM_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Series S (1) holds events A (1) and B (2); event C (3) has no series. */
static const char fixture[] =
	"INSERT INTO series (id, slug, title, created_at, updated_at) VALUES "
	" (1, 'series-s', 'S', 'x', 'x');"
	"INSERT INTO event (id, series_id, slug, title, starts_on, ends_on, created_at, "
	"updated_at) VALUES "
	" (1, 1, 'event-a', 'A', '2012-11-29', '2012-11-30', 'x', 'x'),"
	" (2, 1, 'event-b', 'B', '2013-11-29', '2013-11-30', 'x', 'x'),"
	" (3, NULL, 'event-c', 'C', '2014-11-29', '2014-11-30', 'x', 'x');"
	"INSERT INTO category (id, slug, name) VALUES (1, 'press', 'Press'), (2, 'photos', 'Photos');"
	/* The accounts behind the principals below (the audit log refers to them). */
	"INSERT INTO account (id, email, name, created_at, updated_at) VALUES "
	" (101, 'p1@example.org', 'P', 'x', 'x'), (102, 'p2@example.org', 'O', 'x', 'x'),"
	" (103, 'p3@example.org', 'S', 'x', 'x'), (104, 'p4@example.org', 'A', 'x', 'x'),"
	" (105, 'p5@example.org', 'R', 'x', 'x');";

static struct db *fresh_db(void)
{
	char err[256];
	struct db *db = NULL;
	char *path = xasprintf("%s/news-%d.db", dir, ++ndb);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(db, fixture, err, sizeof(err)), HM_OK);
	free(path);
	return db;
}

enum who { VISITOR, PARTICIPANT, ORG_A, ORG_S, ADMIN, ADMIN_RO, WHO__MAX };
static struct principal people[WHO__MAX];

static void people_setup(void)
{
	for (int i = 0; i < WHO__MAX; i++) {
		auth_principal_visitor(&people[i]);
		people[i].via = AUTH_VIA_SESSION;
		people[i].account_id = i ? 100 + i : 0;
		snprintf(people[i].email, sizeof(people[i].email), "p%d@example.org", i);
	}
	people[VISITOR].via = AUTH_VIA_NONE;
	people[ORG_A].grants[people[ORG_A].ngrants++] = (struct auth_grant){AUTH_ROLE_ORGANISER, 1, 0};
	people[ORG_S].grants[people[ORG_S].ngrants++] = (struct auth_grant){AUTH_ROLE_ORGANISER, 0, 1};
	people[ADMIN].grants[people[ADMIN].ngrants++] = (struct auth_grant){AUTH_ROLE_ADMIN, 0, 0};
	people[ADMIN_RO] = people[ADMIN];
	people[ADMIN_RO].read_only = 1;
}

static int count(struct db *db, const char *sql_text)
{
	struct db_stmt *st = db_prepare(db, sql_text);
	int n = st && db_step(st) == 1 ? (int)db_col_int(st, 0) : -1;
	db_done(st);
	return n;
}

static int has_error(const struct field_errors *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->items[i].field, field) == 0)
			return 1;
	return 0;
}

/* ----------------------------------------------- posts through their kind */

/* A post as these tests write it: every field, as the form sends them
 * (NULL: empty). */
struct post_input {
	const char *title, *slug, *summary, *body_md;
	int publish;
	const char *published_at;
	int featured;
	const char *event_slug, *image, *image_alt, *image_credit;
	const char *const *categories;
	size_t ncategories;
};

static json_t *opt_string(const char *s)
{
	/* nocheck: a malformed string must reach the rules, which refuse it. */
	return s ? json_string_nocheck(s) : json_null();
}

/* Saves every field of in as post id (0: a new one) through post_kind. */
static enum hm_err post_save(struct db *db, const struct principal *p, int64_t id,
			     const struct post_input *in, int64_t now, int64_t *id_out,
			     struct field_errors *errs)
{
	struct field_errors scratch;
	char key[24];
	json_t *out = NULL, *cats = json_array();
	if (!errs)
		errs = &scratch;
	memset(errs, 0, sizeof(*errs));
	for (size_t i = 0; i < in->ncategories; i++)
		json_array_append_new(cats, json_string(in->categories[i]));
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:o}",
			      "title", opt_string(in->title), "slug", opt_string(in->slug),
			      "summary", opt_string(in->summary), "body_md", opt_string(in->body_md),
			      "status", in->publish ? "published" : "draft", "published_at",
			      opt_string(in->published_at), "is_featured", in->featured,
			      "event_slug", opt_string(in->event_slug), "image",
			      opt_string(in->image), "image_alt", opt_string(in->image_alt),
			      "image_credit", opt_string(in->image_credit), "categories", cats);
	snprintf(key, sizeof(key), "%lld", (long long)id);
	enum hm_err e = kind_save(&post_kind, db, p, id ? key : NULL, o, now, &out, errs);
	if (e == HM_OK && id_out)
		*id_out = json_integer_value(json_object_get(out, "id"));
	json_decref(o);
	json_decref(out);
	return e;
}

static enum hm_err post_create(struct db *db, const struct principal *p,
			       const struct post_input *in, int64_t now, int64_t *id_out,
			       struct field_errors *errs)
{
	return post_save(db, p, 0, in, now, id_out, errs);
}

static enum hm_err post_update(struct db *db, const struct principal *p, int64_t id,
			       const struct post_input *in, int64_t now, struct field_errors *errs)
{
	return post_save(db, p, id, in, now, NULL, errs);
}

static enum hm_err post_set_published(struct db *db, const struct principal *p, int64_t id,
				      int publish, int64_t now)
{
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)id);
	return kind_set_status(&post_kind, db, p, key, publish ? "published" : "draft", now);
}

static enum hm_err post_delete(struct db *db, const struct principal *p, int64_t id, int64_t now)
{
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)id);
	return kind_delete(&post_kind, db, p, key, now, NULL);
}

/* ---------------------------------------------------------------- rights */

static void test_post_create_refused_outside_ones_rights(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	struct {
		const char *id;
		enum who who;
		const char *event;
		enum hm_err want;
	} rows[] = {
		{"visitor-site", VISITOR, NULL, HM_EFORBIDDEN},
		{"visitor-event", VISITOR, "event-a", HM_EFORBIDDEN},
		{"visitor-unknown-event", VISITOR, "no-such", HM_EFORBIDDEN},
		{"participant-site", PARTICIPANT, NULL, HM_EFORBIDDEN},
		{"participant-event", PARTICIPANT, "event-a", HM_EFORBIDDEN},
		{"participant-unknown-event", PARTICIPANT, "no-such", HM_EFORBIDDEN},
		{"org-a-site", ORG_A, NULL, HM_EFORBIDDEN},
		{"org-a-event-b", ORG_A, "event-b", HM_EFORBIDDEN},
		{"org-a-event-c", ORG_A, "event-c", HM_EFORBIDDEN},
		{"org-s-event-c", ORG_S, "event-c", HM_EFORBIDDEN},
		{"org-s-site", ORG_S, NULL, HM_EFORBIDDEN},
		{"admin-read-only", ADMIN_RO, NULL, HM_EFORBIDDEN},
		{"org-a-unknown-event", ORG_A, "no-such", HM_EINVAL},
		{"org-a-event-a", ORG_A, "event-a", HM_OK},
		{"org-s-event-a", ORG_S, "event-a", HM_OK},
		{"org-s-event-b", ORG_S, "event-b", HM_OK},
		{"admin-site", ADMIN, NULL, HM_OK},
		{"admin-event-c", ADMIN, "event-c", HM_OK},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct post_input in = {.title = rows[i].id, .event_slug = rows[i].event};
		struct field_errors errs;
		int64_t id = 0;
		int before = count(db, "SELECT count(*) FROM post");
		enum hm_err e = post_create(db, &people[rows[i].who], &in, NOW, &id, &errs);
		if (e != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].id, hm_err_str(e), hm_err_str(rows[i].want));
		int after = count(db, "SELECT count(*) FROM post");
		if (after != before + (e == HM_OK))
			fail_msg("%s: %d posts after, %d before", rows[i].id, after, before);
		if (e == HM_OK && id <= 0)
			fail_msg("%s: no id", rows[i].id);
	}
	db_close(db);
}

static void test_post_update_needs_rights_in_both_events(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	int64_t id;
	struct post_input in = {.title = "About A", .event_slug = "event-a"};
	assert_int_equal(post_create(db, &people[ORG_A], &in, NOW, &id, NULL), HM_OK);

	struct post_input to_b = {.title = "Now about B", .event_slug = "event-b"};
	assert_int_equal(post_update(db, &people[ORG_A], id, &to_b, NOW, NULL), HM_EFORBIDDEN);
	struct post_input to_site = {.title = "Site"};
	assert_int_equal(post_update(db, &people[ORG_A], id, &to_site, NOW, NULL), HM_EFORBIDDEN);
	assert_int_equal(post_update(db, &people[PARTICIPANT], id, &in, NOW, NULL), HM_EFORBIDDEN);
	assert_int_equal(post_set_published(db, &people[PARTICIPANT], id, 1, NOW), HM_EFORBIDDEN);
	assert_int_equal(post_delete(db, &people[VISITOR], id, NOW), HM_EFORBIDDEN);
	assert_int_equal(post_update(db, &people[ORG_A], id + 100, &in, NOW, NULL), HM_ENOTFOUND);
	/* The series organiser holds both. */
	assert_int_equal(post_update(db, &people[ORG_S], id, &to_b, NOW, NULL), HM_OK);
	json_t *p = post_admin_get(db, id, NOW);
	assert_string_equal(json_string_value(json_object_get(p, "event_slug")), "event-b");
	json_decref(p);
	/* …and now organiser A has lost it. */
	assert_int_equal(post_set_published(db, &people[ORG_A], id, 1, NOW), HM_EFORBIDDEN);
	assert_int_equal(post_delete(db, &people[ORG_A], id, NOW), HM_EFORBIDDEN);
	assert_int_equal(post_delete(db, &people[ORG_S], id, NOW), HM_OK);
	assert_null(post_admin_get(db, id, NOW));
	db_close(db);
}

/* ---------------------------------------------------------------- fields */

static void test_post_fields_refused(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	char long_title[POST_TITLE_MAX + 2];
	memset(long_title, 'x', sizeof(long_title) - 1);
	long_title[sizeof(long_title) - 1] = '\0';
	static const char bad_utf8[] = "caf\xC3";
	const char *cats_unknown[] = {"press", "no-such"};
	int64_t id;
	struct post_input taken = {.title = "First", .slug = "taken"};
	assert_int_equal(post_create(db, &people[ADMIN], &taken, NOW, &id, NULL), HM_OK);

	struct {
		const char *id;
		struct post_input in;
		const char *field;
	} rows[] = {
		{"no-title", {.title = NULL}, "title"},
		{"empty-title", {.title = ""}, "title"},
		{"long-title", {.title = long_title}, "title"},
		{"bad-utf8", {.title = bad_utf8}, "title"},
		{"bad-slug", {.title = "T", .slug = "Not a slug"}, "slug"},
		{"slug-hyphen-end", {.title = "T", .slug = "slug-"}, "slug"},
		{"slug-taken", {.title = "T", .slug = "taken"}, "slug"},
		{"unknown-category", {.title = "T", .categories = cats_unknown, .ncategories = 2},
		 "categories"},
		{"image-unknown", {.title = "T", .image = "0000000000000000000000000000000000000000000000000000000000000000.jpg", .image_alt = "x"}, "image"},
		{"image-not-a-name", {.title = "T", .image = "../h.db", .image_alt = "x"}, "image"},
		{"image-without-alt", {.title = "T", .image = "0000000000000000000000000000000000000000000000000000000000000000.jpg"}, "image_alt"},
		{"bad-time", {.title = "T", .published_at = "2012-11-29 10:00"}, "published_at"},
		{"event-unknown", {.title = "T", .event_slug = "no-such"}, "event_slug"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct field_errors errs;
		int64_t nid;
		enum hm_err e = post_create(db, &people[ADMIN], &rows[i].in, NOW, &nid, &errs);
		/* A taken address is a conflict, not a malformed field. */
		enum hm_err want = strcmp(rows[i].id, "slug-taken") == 0 ? HM_EEXIST : HM_EINVAL;
		if (e != want)
			fail_msg("%s: %s, want %s", rows[i].id, hm_err_str(e), hm_err_str(want));
		if (!has_error(&errs, rows[i].field))
			fail_msg("%s: no error on %s", rows[i].id, rows[i].field);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM post"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM post_category"), 0);
	db_close(db);
}

static void test_post_slugs_made_unique(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	static const char *const want[] = {"harmony-2012", "harmony-2012-2", "harmony-2012-3"};
	for (size_t i = 0; i < HM_ARRAY_LEN(want); i++) {
		struct post_input in = {.title = "Harmony 2012!"};
		int64_t id;
		assert_int_equal(post_create(db, &people[ADMIN], &in, NOW, &id, NULL), HM_OK);
		json_t *p = post_admin_get(db, id, NOW);
		if (strcmp(json_string_value(json_object_get(p, "slug")), want[i]) != 0)
			fail_msg("post %zu: slug %s", i, json_string_value(json_object_get(p, "slug")));
		/* Saving again under its own slug is no clash. */
		struct post_input same = {.title = "Harmony 2012!", .slug = want[i]};
		assert_int_equal(post_update(db, &people[ADMIN], id, &same, NOW, NULL), HM_OK);
		json_decref(p);
	}
	/* A long title: the suffix fits within SLUG_MAX. */
	char title[200];
	memset(title, 'a', 120);
	title[120] = '\0';
	for (int i = 0; i < 2; i++) {
		struct post_input in = {.title = title};
		int64_t id;
		assert_int_equal(post_create(db, &people[ADMIN], &in, NOW, &id, NULL), HM_OK);
		json_t *p = post_admin_get(db, id, NOW);
		const char *slug = json_string_value(json_object_get(p, "slug"));
		assert_true(strlen(slug) <= 80);
		if (i)
			assert_true(str_ends_with(slug, "-2"));
		json_decref(p);
	}
	db_close(db);
}

/* ------------------------------------------------------------- publishing */

static const char *state_of(struct db *db, int64_t id, int64_t now)
{
	static char buf[32];
	json_t *p = post_admin_get(db, id, now);
	snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(p, "state")));
	json_decref(p);
	return buf;
}

static void test_publication_times(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	int64_t draft, now_post, later;
	struct post_input d = {.title = "Draft"};
	struct post_input n = {.title = "Now", .publish = 1};
	struct post_input l = {.title = "Later", .publish = 1,
			       .published_at = "2012-11-29T09:30:00+08:00"};
	assert_int_equal(post_create(db, &people[ADMIN], &d, NOW, &draft, NULL), HM_OK);
	assert_int_equal(post_create(db, &people[ADMIN], &n, NOW, &now_post, NULL), HM_OK);
	assert_int_equal(post_create(db, &people[ADMIN], &l, NOW, &later, NULL), HM_OK);
	assert_string_equal(state_of(db, draft, NOW), "draft");
	assert_string_equal(state_of(db, now_post, NOW), "published");
	assert_string_equal(state_of(db, later, NOW), "scheduled");
	assert_string_equal(state_of(db, later, NOW + 30 * 86400), "published");

	json_t *p = post_admin_get(db, now_post, NOW);
	/* Truncated to the minute, as the public pages compare. */
	assert_string_equal(json_string_value(json_object_get(p, "published_at")),
			    "2012-11-12T12:00:00Z");
	json_decref(p);
	p = post_admin_get(db, later, NOW);
	assert_string_equal(json_string_value(json_object_get(p, "published_at")),
			    "2012-11-29T01:30:00Z");
	json_decref(p);
	p = post_admin_get(db, draft, NOW);
	assert_true(json_is_null(json_object_get(p, "published_at")));
	json_decref(p);

	/* Publish: now; unpublish keeps the date; publish again keeps it. */
	assert_int_equal(post_set_published(db, &people[ADMIN], draft, 1, NOW + 3600), HM_OK);
	p = post_admin_get(db, draft, NOW + 3600);
	assert_string_equal(json_string_value(json_object_get(p, "published_at")),
			    "2012-11-12T13:00:00Z");
	json_decref(p);
	int audits = count(db, "SELECT count(*) FROM audit_log");
	assert_int_equal(post_set_published(db, &people[ADMIN], draft, 1, NOW + 7200), HM_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log"), audits); /* nothing to do */
	assert_int_equal(post_set_published(db, &people[ADMIN], draft, 0, NOW + 7200), HM_OK);
	assert_string_equal(state_of(db, draft, NOW + 7200), "draft");
	assert_int_equal(post_set_published(db, &people[ADMIN], draft, 1, NOW + 9999), HM_OK);
	p = post_admin_get(db, draft, NOW + 9999);
	assert_string_equal(json_string_value(json_object_get(p, "published_at")),
			    "2012-11-12T13:00:00Z");
	json_decref(p);
	assert_int_equal(post_set_published(db, &people[ADMIN], 999, 1, NOW), HM_ENOTFOUND);
	db_close(db);
}

/* A scheduled post (or a draft) published now appears at this minute,
 * whatever time it had; only its editors may. */
static void test_publish_now(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	int64_t later, draft;
	char key[24];
	struct post_input l = {.title = "Later", .publish = 1, .event_slug = "event-a",
			       .published_at = "2099-01-01T00:00:00Z"};
	struct post_input d = {.title = "Draft", .event_slug = "event-a"};
	assert_int_equal(post_create(db, &people[ORG_A], &l, NOW, &later, NULL), HM_OK);
	assert_int_equal(post_create(db, &people[ORG_A], &d, NOW, &draft, NULL), HM_OK);
	assert_string_equal(state_of(db, later, NOW + 100), "scheduled");

	snprintf(key, sizeof(key), "%lld", (long long)later);
	assert_int_equal(kind_publish_now(&post_kind, db, &people[PARTICIPANT], key, NOW + 100),
			 HM_EFORBIDDEN);
	assert_string_equal(state_of(db, later, NOW + 100), "scheduled");
	assert_int_equal(kind_publish_now(&post_kind, db, &people[ORG_A], key, NOW + 100), HM_OK);
	assert_string_equal(state_of(db, later, NOW + 100), "published");
	json_t *p = post_admin_get(db, later, NOW + 100);
	assert_string_equal(json_string_value(json_object_get(p, "published_at")),
			    "2012-11-12T12:02:00Z");
	json_decref(p);

	snprintf(key, sizeof(key), "%lld", (long long)draft);
	assert_int_equal(kind_publish_now(&post_kind, db, &people[ORG_A], key, NOW), HM_OK);
	assert_string_equal(state_of(db, draft, NOW), "published");
	assert_int_equal(kind_publish_now(&post_kind, db, &people[ORG_A], "999", NOW), HM_ENOTFOUND);

	/* Recorded as what it is: an update of a published post, a
	 * publication of a draft. */
	json_t *log = audit_list(db, NULL, 0, 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 0), "action")),
			    "post.publish");
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 1), "action")),
			    "post.update");
	json_decref(log);
	db_close(db);
}

static int listed(json_t *list, int64_t id)
{
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p)
		if (json_integer_value(json_object_get(p, "id")) == id)
			return 1;
	return 0;
}

static void test_list_shows_what_each_may_see(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	int64_t site_draft, a_draft, b_draft, a_pub, a_later;
	struct post_input in[] = {
		{.title = "Site draft"},
		{.title = "A draft", .event_slug = "event-a"},
		{.title = "B draft", .event_slug = "event-b"},
		{.title = "A published", .event_slug = "event-a", .publish = 1},
		{.title = "A later", .event_slug = "event-a", .publish = 1,
		 .published_at = "2099-01-01T00:00:00Z"},
	};
	int64_t *ids[] = {&site_draft, &a_draft, &b_draft, &a_pub, &a_later};
	for (size_t i = 0; i < HM_ARRAY_LEN(in); i++)
		assert_int_equal(post_create(db, &people[ADMIN], &in[i], NOW, ids[i], NULL), HM_OK);
	people[ORG_S].grants[0] = (struct auth_grant){AUTH_ROLE_ORGANISER, 2, 0}; /* event B only */
	struct {
		enum who who;
		int editable_only;
		int sees[5];
	} rows[] = {
		{VISITOR, 0, {0, 0, 0, 1, 0}},
		{PARTICIPANT, 0, {0, 0, 0, 1, 0}},
		{ORG_A, 0, {0, 1, 0, 1, 1}},
		{ORG_A, 1, {0, 1, 0, 1, 1}},
		{ORG_S, 1, {0, 0, 1, 0, 0}},
		{ADMIN, 0, {1, 1, 1, 1, 1}},
	};
	for (size_t r = 0; r < HM_ARRAY_LEN(rows); r++) {
		struct post_filter f = {.editable_only = rows[r].editable_only};
		json_t *list = post_admin_list(db, &people[rows[r].who], NOW, &f);
		for (size_t i = 0; i < 5; i++)
			if (listed(list, *ids[i]) != rows[r].sees[i])
				fail_msg("row %zu: post %zu listed %d", r, i, !rows[r].sees[i]);
		json_decref(list);
	}
	struct post_filter sched = {.state = "scheduled"};
	json_t *list = post_admin_list(db, &people[ADMIN], NOW, &sched);
	assert_int_equal(json_array_size(list), 1);
	assert_true(listed(list, a_later));
	json_decref(list);
	struct post_filter by_event = {.event_slug = "event-b"};
	list = post_admin_list(db, &people[ADMIN], NOW, &by_event);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	json_t *choices = news_event_choices(db, &people[ORG_A]);
	assert_int_equal(json_array_size(choices), 1);
	json_decref(choices);
	choices = news_event_choices(db, &people[ADMIN]);
	assert_int_equal(json_array_size(choices), 3);
	json_decref(choices);
	assert_false(news_can_edit_any(&people[PARTICIPANT]));
	assert_false(news_can_edit_any(&people[ADMIN_RO]));
	assert_true(news_can_edit_any(&people[ORG_A]));
	db_close(db);
}

/* ------------------------------------------------------------ categories */

/* A category saved through its kind: created (id 0) or updated; *id_out
 * (optional) is its id. */
static enum hm_err cat_save(struct db *db, const struct principal *p, int64_t id,
			    const char *name, const char *slug, int64_t *id_out,
			    struct field_errors *errs)
{
	struct field_errors scratch;
	char key[24];
	json_t *out = NULL;
	if (!errs)
		errs = &scratch;
	memset(errs, 0, sizeof(*errs));
	snprintf(key, sizeof(key), "%lld", (long long)id);
	json_t *in = json_pack("{s:s?, s:s?}", "name", name, "slug", slug);
	enum hm_err e = kind_save(&category_kind, db, p, id ? key : NULL, in, NOW, &out, errs);
	if (e == HM_OK && id_out)
		*id_out = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return e;
}

static enum hm_err cat_delete(struct db *db, const struct principal *p, int64_t id)
{
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)id);
	return kind_delete(&category_kind, db, p, key, NOW, NULL);
}

static void test_categories(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	int64_t id;
	struct field_errors errs;
	assert_int_equal(cat_save(db, &people[ORG_A], 0, "Nope", NULL, &id, &errs),
			 HM_EFORBIDDEN);
	assert_int_equal(cat_save(db, &people[ADMIN_RO], 0, "Nope", NULL, &id, &errs),
			 HM_EFORBIDDEN);
	assert_int_equal(cat_save(db, &people[ADMIN], 0, "", NULL, &id, &errs), HM_EINVAL);
	assert_true(has_error(&errs, "name"));
	/* A taken address is a conflict. */
	assert_int_equal(cat_save(db, &people[ADMIN], 0, "X", "press", &id, &errs),
			 HM_EEXIST);
	assert_true(has_error(&errs, "slug"));
	assert_int_equal(cat_save(db, &people[ADMIN], 0, "Press", NULL, &id, &errs), HM_OK);
	json_t *c = category_admin_get(db, id);
	assert_string_equal(json_string_value(json_object_get(c, "slug")), "press-2");
	json_decref(c);
	assert_int_equal(cat_save(db, &people[ADMIN], id, "Press again", "photos", NULL, &errs),
			 HM_EEXIST);
	assert_int_equal(cat_save(db, &people[ADMIN], 999, "X", NULL, NULL, &errs),
			 HM_ENOTFOUND);
	assert_int_equal(cat_save(db, &people[ADMIN], id, "Newsroom", "newsroom", NULL, &errs),
			 HM_OK);

	/* In use: kept. */
	const char *cats[] = {"newsroom", "photos", "newsroom"};
	int64_t post;
	struct post_input in = {.title = "Tagged", .categories = cats, .ncategories = 3};
	assert_int_equal(post_create(db, &people[ADMIN], &in, NOW, &post, NULL), HM_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM post_category"), 2);
	assert_int_equal(cat_delete(db, &people[ORG_A], id), HM_EFORBIDDEN);
	assert_int_equal(cat_delete(db, &people[ADMIN], id), HM_ECONFLICT);
	c = category_admin_get(db, id);
	assert_int_equal(json_integer_value(json_object_get(c, "posts")), 1);
	json_decref(c);
	/* Unused: gone. */
	struct post_input none = {.title = "Tagged"};
	assert_int_equal(post_update(db, &people[ADMIN], post, &none, NOW, NULL), HM_OK);
	assert_int_equal(cat_delete(db, &people[ADMIN], id), HM_OK);
	assert_null(category_admin_get(db, id));
	assert_int_equal(cat_delete(db, &people[ADMIN], id), HM_ENOTFOUND);
	db_close(db);
}

static void test_audit_records_every_change(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	people_setup();
	int64_t id, cat;
	struct post_input in = {.title = "Audited", .event_slug = "event-a"};
	assert_int_equal(post_create(db, &people[ORG_A], &in, NOW, &id, NULL), HM_OK);
	struct post_input in2 = {.title = "Audited twice", .event_slug = "event-a"};
	assert_int_equal(post_update(db, &people[ORG_A], id, &in2, NOW, NULL), HM_OK);
	assert_int_equal(post_set_published(db, &people[ORG_A], id, 1, NOW), HM_OK);
	assert_int_equal(post_set_published(db, &people[ORG_A], id, 0, NOW), HM_OK);
	assert_int_equal(post_delete(db, &people[ORG_A], id, NOW), HM_OK);
	assert_int_equal(cat_save(db, &people[ADMIN], 0, "C", NULL, &cat, NULL), HM_OK);
	assert_int_equal(cat_delete(db, &people[ADMIN], cat), HM_OK);
	/* Refusals leave no trace. */
	assert_int_equal(post_create(db, &people[ORG_A], &(struct post_input){.title = "x"}, NOW, &id,
				     NULL),
			 HM_EFORBIDDEN);

	json_t *log = audit_list(db, NULL, 0, 100);
	static const char *const want[] = {"category.delete", "category.create", "post.delete",
					   "post.unpublish", "post.publish", "post.update",
					   "post.create"};
	assert_int_equal(json_array_size(log), HM_ARRAY_LEN(want));
	for (size_t i = 0; i < HM_ARRAY_LEN(want); i++) {
		json_t *e = json_array_get(log, i);
		assert_string_equal(json_string_value(json_object_get(e, "action")), want[i]);
	}
	json_t *upd = json_array_get(log, 5);
	assert_string_equal(json_string_value(json_object_get(upd, "actor")), "p2@example.org");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(upd, "before"), "title")), "Audited");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(upd, "after"), "title")),
		"Audited twice");
	assert_true(json_is_null(json_object_get(json_array_get(log, 2), "after")));
	json_decref(log);
	db_close(db);
}

/* ----------------------------------------------------------------- time */

static void test_local_times(void **state)
{
	(void)state;
	static const struct {
		const char *local, *tz, *utc; /* utc NULL: refused */
	} rows[] = {
		{"2012-11-29T09:30", "UTC", "2012-11-29T09:30:00Z"},
		{"2012-11-29T09:30", "Asia/Shanghai", "2012-11-29T01:30:00Z"},
		{"2012-11-29T09:30", "Asia/Kolkata", "2012-11-29T04:00:00Z"},
		{"2012-11-29T09:30", "Pacific/Auckland", "2012-11-28T20:30:00Z"},
		{"2012-02-29T12:00", "UTC", "2012-02-29T12:00:00Z"},
		/* 02:30 does not exist that night: the first valid time after it. */
		{"2021-03-14T02:30", "America/New_York", "2021-03-14T07:00:00Z"},
		/* 01:30 happens twice: the first (still daylight time). */
		{"2021-11-07T01:30", "America/New_York", "2021-11-07T05:30:00Z"},
		{"2013-02-29T12:00", "UTC", NULL},
		{"2012-04-31T12:00", "UTC", NULL},
		{"2012-11-29T24:00", "UTC", NULL},
		{"2012-11-29T09:60", "UTC", NULL},
		{"2012-11-29 09:30", "UTC", NULL},
		{"2012-11-29T09:30Z", "UTC", NULL},
		{"2012-11-29T9:30", "UTC", NULL},
		{"1969-12-31T23:00", "UTC", NULL},
		{"", "UTC", NULL},
		{"2012-11-29T09:30", "Mars/Olympus", NULL},
		{"2012-11-29T09:30", "GMT+8", NULL},
		{"2012-11-29T09:30", "", NULL},
	};
	struct arena a;
	arena_init(&a);
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		int64_t t = -1;
		enum hm_err e = tz_local_to_utc(rows[i].local, rows[i].tz, &t);
		if (!rows[i].utc) {
			if (e != HM_EINVAL)
				fail_msg("row %zu (%s %s): accepted", i, rows[i].local, rows[i].tz);
			continue;
		}
		if (e != HM_OK || strcmp(time_format_rfc3339(&a, t), rows[i].utc) != 0)
			fail_msg("row %zu (%s %s): %s", i, rows[i].local, rows[i].tz,
				 e == HM_OK ? time_format_rfc3339(&a, t) : hm_err_str(e));
		/* Back again, except where the wall clock skipped. */
		const char *back = tz_utc_to_local(&a, rows[i].tz, t);
		if (i != 5 && strcmp(back, rows[i].local) != 0)
			fail_msg("row %zu: back as %s", i, back);
	}
	int64_t t;
	assert_int_equal(tz_local_to_utc(NULL, "UTC", &t), HM_EINVAL);
	assert_null(tz_utc_to_local(&a, "Mars/Olympus", 0));
	arena_free(&a);
}

static void test_site_timezone(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct arena a;
	char err[128];
	arena_init(&a);
	assert_string_equal(news_site_timezone(db, &a), "UTC");
	assert_int_equal(db_exec_script(db, "INSERT INTO site_setting VALUES ('timezone', 'Nowhere/Else')", err, sizeof(err)), HM_OK);
	assert_string_equal(news_site_timezone(db, &a), "UTC");
	assert_int_equal(db_exec_script(db, "UPDATE site_setting SET value = 'Europe/Paris' WHERE key = 'timezone'", err, sizeof(err)), HM_OK);
	assert_string_equal(news_site_timezone(db, &a), "Europe/Paris");
	arena_free(&a);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_create_refused_outside_ones_rights),
		cmocka_unit_test(test_post_update_needs_rights_in_both_events),
		cmocka_unit_test(test_post_fields_refused),
		cmocka_unit_test(test_post_slugs_made_unique),
		cmocka_unit_test(test_publication_times),
		cmocka_unit_test(test_publish_now),
		cmocka_unit_test(test_list_shows_what_each_may_see),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_audit_records_every_change),
		cmocka_unit_test(test_local_times),
		cmocka_unit_test(test_site_timezone),
	};
	return cmocka_run_group_tests_name("news admin", tests, group_setup, group_teardown);
}
