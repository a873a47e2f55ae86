/*
 * test_auth.c — the security core on real temporary SQLite files:
 * password rules, hashing and rehash, accounts and grants with their
 * audit entries, sessions (lookup, idle and absolute expiry, sliding
 * last-seen, rotation, sign-out), CSRF, cookies, throttling, password
 * reset, API tokens, demo access, and the `harmony user` command. Time is injected, never slept on.
 * Argon2 runs at libsodium's MIN costs except where production costs are
 * the point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/wait.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/auth_impl.h"
#include "cli/user.h"
#include "db/db.h"

#define T0 ((int64_t)1700000000) /* 2023-11-14T22:13:20Z */
#define PW "correct horse battery"
#define PW2 "another long passphrase"

static char dir[64];
static int ndb;

static void test_limits(void)
{
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
}

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-auth-XXXXXX");
	if (!mkdtemp(dir) || auth_init() != HM_OK)
		return -1;
	test_limits();
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

/* Series S (1) holds events A (1) and B (2); series T (2) holds C (3). */
static const char fixture[] =
	"INSERT INTO series (id, slug, title, created_at, updated_at) VALUES "
	" (1, 'series-s', 'S', 'x', 'x'), (2, 'series-t', 'T', 'x', 'x');"
	"INSERT INTO event (id, series_id, slug, title, starts_on, ends_on, created_at, "
	"updated_at) VALUES "
	" (1, 1, 'event-a', 'A', '2012-11-29', '2012-11-30', 'x', 'x'),"
	" (2, 1, 'event-b', 'B', '2013-11-29', '2013-11-30', 'x', 'x'),"
	" (3, 2, 'event-c', 'C', '2014-11-29', '2014-11-30', 'x', 'x');";

/* A fresh database with the fixture, in its own file. */
static struct db *fresh_db(void)
{
	char err[256];
	struct db *db = NULL;
	char *path = xasprintf("%s/auth-%d.db", dir, ++ndb);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(db_exec_script(db, fixture, err, sizeof(err)), HM_OK);
	free(path);
	return db;
}

static int64_t add_account(struct db *db, const char *email, const char *password,
			   const struct auth_grant *g)
{
	struct principal cli;
	struct account_new a = {.email = email, .name = "Test Person", .password = password,
				.grant = g};
	int64_t id = 0;
	char msg[128];
	auth_principal_cli(&cli);
	enum hm_err e = auth_account_create(db, &cli, &a, T0, &id, msg, sizeof(msg));
	if (e != HM_OK)
		fail_msg("creating %s: %s (%s)", email, hm_err_str(e), msg);
	return id;
}

/* One text column of one row, copied (caller frees), NULL for none. */
static char *query_text(struct db *db, const char *sql, int64_t id)
{
	struct db_stmt *st = db_prepare(db, sql);
	char *out = NULL;
	assert_non_null(st);
	db_bind_int(st, 1, id);
	if (db_step(st) == 1 && db_col_text(st, 0))
		out = xstrdup(db_col_text(st, 0));
	db_done(st);
	return out;
}

static int64_t query_int(struct db *db, const char *sql)
{
	struct db_stmt *st = db_prepare(db, sql);
	int64_t v = -1;
	assert_non_null(st);
	if (db_step(st) == 1)
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

static enum hm_err sign_in(struct db *db, const char *email, const char *pw, const char *addr,
			   int64_t now, char token[AUTH_TOKEN_SIZE], int64_t *retry)
{
	int64_t r = 0;
	return auth_sign_in(db, email, pw, addr, NULL, now, token, NULL, retry ? retry : &r);
}

/* ================================================================ passwords */

static void test_pwhash_production_costs_are_argon2id_interactive(void **state)
{
	(void)state;
	unsigned long long ops;
	size_t mem;
	char hash[crypto_pwhash_STRBYTES];
	assert_int_equal(AUTH_PWHASH_OPSLIMIT, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	assert_int_equal(AUTH_PWHASH_MEMLIMIT, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	auth_pwhash_reset();
	auth_pwhash_limits(&ops, &mem);
	assert_int_equal(ops, AUTH_PWHASH_OPSLIMIT);
	assert_int_equal(mem, AUTH_PWHASH_MEMLIMIT);
	assert_int_equal(auth_password_hash(PW, hash), HM_OK);
	assert_true(str_starts_with(hash, "$argon2id$v=19$m=65536,t=2,p=1$"));
	assert_false(auth_password_needs_rehash(hash));
	/* The dummy hash for unknown e-mails carries the same costs. */
	assert_true(str_starts_with(auth_password_dummy(), "$argon2id$v=19$m=65536,t=2,p=1$"));
	assert_false(auth_password_needs_rehash(auth_password_dummy()));
	test_limits();
	assert_true(auth_password_needs_rehash(hash));
}

static void test_password_check_rules(void **state)
{
	(void)state;
	char big[AUTH_PASSWORD_MAX + 2];
	char max[AUTH_PASSWORD_MAX + 1];
	char rep[AUTH_PASSWORD_MAX + 1];
	/* Varied text that never repeats: letters from a xorshift sequence. */
	uint32_t x = 2463534242u;
	for (size_t i = 0; i + 1 < sizeof(max); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		max[i] = big[i] = (char)('a' + x % 26);
	}
	big[sizeof(big) - 2] = 'z';
	big[sizeof(big) - 1] = '\0';
	max[sizeof(max) - 1] = '\0';
	memset(rep, 'a', sizeof(rep) - 1);
	rep[sizeof(rep) - 1] = '\0';
	static struct {
		const char *id;
		const char *pw;
		const char *email, *name;
		enum hm_err want;
		enum auth_pw_problem why;
	} rows[] = {
		{"N1 null", NULL, NULL, NULL, HM_EINVAL, AUTH_PW_INVALID},
		{"N2 empty", "", NULL, NULL, HM_EINVAL, AUTH_PW_SHORT},
		{"N3 eleven ASCII", "vq9#Lm2@xR7", NULL, NULL, HM_EINVAL, AUTH_PW_SHORT},
		{"N4 eleven CJK (33 bytes)", "\u548c\u5e73\u5bf9\u8bdd\u591a\u6837\u6587\u5316\u5171"
					     "\u540c\u672a",
		 NULL, NULL, HM_EINVAL, AUTH_PW_SHORT},
		{"N5 invalid UTF-8", "vq9#Lm2@xR7k\xff", NULL, NULL, HM_EINVAL, AUTH_PW_INVALID},
		{"N6 overlong NUL", "vq9#Lm2@xR7k\xc0\x80", NULL, NULL, HM_EINVAL, AUTH_PW_INVALID},
		{"N7 1025 bytes", NULL, NULL, NULL, HM_ETOOBIG, AUTH_PW_LONG},
		{"N8 one letter again", "aaaaaaaaaaaa", NULL, NULL, HM_EINVAL, AUTH_PW_REPEATED},
		{"N9 digits", "123456789012", NULL, NULL, HM_EINVAL, AUTH_PW_DIGITS},
		{"N10 a word twice", "passwordpassword", NULL, NULL, HM_EINVAL, AUTH_PW_REPEATED},
		{"N11 a syllable again", "abcabcabcabc", NULL, NULL, HM_EINVAL, AUTH_PW_REPEATED},
		{"N12 the e-mail's name", "xx-ann.lee-2024!", "ann.lee@example.org", "Someone", HM_EINVAL,
		 AUTH_PW_PERSONAL},
		{"N13 a word of the name", "my name is Perez ok", "ap@example.org", "Ana Perez",
		 HM_EINVAL, AUTH_PW_PERSONAL},
		{"N14 common", "iloveyou1234", NULL, NULL, HM_EINVAL, AUTH_PW_COMMON},
		{"N15 keyboard walk", "qwertyuiop12", NULL, NULL, HM_EINVAL, AUTH_PW_COMMON},
		{"N16 common with digits", "monkey123456", NULL, NULL, HM_EINVAL, AUTH_PW_COMMON},
		{"N17 a sequence", "abcdefghijkl", NULL, NULL, HM_EINVAL, AUTH_PW_COMMON},
		{"N18 1024 times a", NULL, NULL, NULL, HM_EINVAL, AUTH_PW_REPEATED},
		{"P1 twelve ASCII", "vq9#Lm2@xR7k", NULL, NULL, HM_OK, AUTH_PW_OK},
		{"P2 twelve CJK", "\u548c\u5e73\u5bf9\u8bdd\u591a\u6837\u6587\u5316\u5171"
				  "\u540c\u672a\u6765",
		 NULL, NULL, HM_OK, AUTH_PW_OK},
		{"P3 1024 bytes", NULL, NULL, NULL, HM_OK, AUTH_PW_OK},
		{"P4 four words", "correct horse battery staple", "ann@example.org", "Ann Lee", HM_OK,
		 AUTH_PW_OK},
		{"P5 short parts of a name do not count", "al ok tea kettle spoon", "al@example.org",
		 "Al Ok", HM_OK, AUTH_PW_OK},
	};
	rows[6].pw = big;
	rows[17].pw = rep;
	rows[20].pw = max;
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char msg[160] = "";
		enum hm_err e = auth_password_check(rows[i].pw, rows[i].email, rows[i].name, msg,
						    sizeof(msg));
		if (e != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].id, hm_err_str(e), hm_err_str(rows[i].want));
		if (e != HM_OK && !msg[0])
			fail_msg("%s: no message", rows[i].id);
		enum auth_pw_problem why = auth_password_quality(rows[i].pw, rows[i].email, rows[i].name);
		if (why != rows[i].why)
			fail_msg("%s: problem %d, want %d", rows[i].id, (int)why, (int)rows[i].why);
	}
}

static void test_password_hash_verify_and_rehash(void **state)
{
	(void)state;
	char hash[crypto_pwhash_STRBYTES];
	assert_int_equal(auth_password_hash(PW, hash), HM_OK);
	assert_true(str_starts_with(hash, "$argon2id$"));
	assert_null(strstr(hash, PW));
	assert_false(auth_password_verify(hash, PW2));
	assert_false(auth_password_verify(hash, ""));
	assert_false(auth_password_verify(hash, NULL));
	assert_false(auth_password_verify(NULL, PW));
	assert_false(auth_password_verify("not a hash", PW));
	assert_true(auth_password_verify(hash, PW));
	assert_false(auth_password_needs_rehash(hash));
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN + 1, crypto_pwhash_MEMLIMIT_MIN);
	assert_true(auth_password_needs_rehash(hash));
	assert_true(auth_password_verify(hash, PW)); /* old hashes still verify */
	assert_false(auth_password_needs_rehash(auth_password_dummy()));
	test_limits();
}

static void test_sign_in_rehashes_when_costs_change(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	char *before = query_text(db, "SELECT password_hash FROM account WHERE id = ?", id);
	assert_non_null(strstr(before, "t=1,"));

	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN + 2, crypto_pwhash_MEMLIMIT_MIN);
	/* A wrong password rehashes nothing. */
	assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, T0, token, NULL), HM_EUNAUTH);
	char *same = query_text(db, "SELECT password_hash FROM account WHERE id = ?", id);
	assert_string_equal(before, same);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, token, NULL), HM_OK);
	char *after = query_text(db, "SELECT password_hash FROM account WHERE id = ?", id);
	assert_non_null(strstr(after, "t=3,"));
	assert_string_not_equal(before, after);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, token, NULL), HM_OK);
	test_limits();
	free(before);
	free(same);
	free(after);
	db_close(db);
}

/* ================================================================ accounts */

static void test_email_normalise_rows(void **state)
{
	(void)state;
	static const struct {
		const char *id, *in, *out; /* out NULL: refused */
	} rows[] = {
		{"N01 empty", "", NULL},
		{"N02 no at", "ann.example.org", NULL},
		{"N03 two ats", "ann@b@example.org", NULL},
		{"N04 no domain dot", "ann@localhost", NULL},
		{"N05 empty local", "@example.org", NULL},
		{"N06 inner space", "ann smith@example.org", NULL},
		{"N07 angle brackets", "<ann@example.org>", NULL},
		{"N08 domain dot first", "ann@.example.org", NULL},
		{"N09 domain dot last", "ann@example.org.", NULL},
		{"N10 double dot", "ann@example..org", NULL},
		{"N11 control", "ann\x01@example.org", NULL},
		{"N12 invalid UTF-8", "ann\xff@example.org", NULL},
		{"N13 comma", "ann,bob@example.org", NULL},
		{"N14 local over 64",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org", NULL},
		{"P01 plain", "ann@example.org", "ann@example.org"},
		{"P02 lowercased", "Ann.Lee@Example.ORG", "ann.lee@example.org"},
		{"P03 trimmed", "  ann@example.org\t", "ann@example.org"},
		{"P04 plus", "ann+harmony@example.org", "ann+harmony@example.org"},
		{"P05 non-ASCII kept", "\u674e@\u4f8b\u5b50.\u4e2d\u56fd",
		 "\u674e@\u4f8b\u5b50.\u4e2d\u56fd"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char out[AUTH_EMAIL_MAX + 1];
		enum hm_err e = auth_email_normalise(rows[i].in, out);
		if (!rows[i].out && e != HM_EINVAL)
			fail_msg("%s: accepted as '%s'", rows[i].id, out);
		if (rows[i].out && (e != HM_OK || strcmp(out, rows[i].out) != 0))
			fail_msg("%s: %s '%s'", rows[i].id, hm_err_str(e), out);
	}
}

static void test_account_create_refusals(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct principal cli, visitor, participant;
	struct auth_grant nowhere = {AUTH_ROLE_ORGANISER, 0, 0};
	struct auth_grant ghost = {AUTH_ROLE_ORGANISER, 999, 0};
	struct auth_grant both = {AUTH_ROLE_ORGANISER, 1, 1};
	char longname[AUTH_NAME_MAX + 2];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	auth_principal_cli(&cli);
	auth_principal_visitor(&visitor);
	int64_t pid = add_account(db, "Part@Example.org", PW, NULL);
	assert_int_equal(auth_principal_load(db, pid, AUTH_VIA_SESSION, &participant), HM_OK);

	struct {
		const char *id;
		const struct principal *actor;
		struct account_new a;
		enum hm_err want;
	} rows[] = {
		{"N1 visitor creates", &visitor, {"x@example.org", "X", NULL, NULL, PW, NULL},
		 HM_EFORBIDDEN},
		{"N2 participant creates", &participant,
		 {"x@example.org", "X", NULL, NULL, PW, NULL}, HM_EFORBIDDEN},
		{"N3 taken, other case", &cli, {"PART@example.ORG", "X", NULL, NULL, PW, NULL},
		 HM_EEXIST},
		{"N4 bad e-mail", &cli, {"nobody", "X", NULL, NULL, PW, NULL}, HM_EINVAL},
		{"N5 no name", &cli, {"x@example.org", "  ", NULL, NULL, PW, NULL}, HM_EINVAL},
		{"N6 long name", &cli, {"x@example.org", longname, NULL, NULL, PW, NULL}, HM_ETOOBIG},
		{"N7 bad language", &cli, {"x@example.org", "X", NULL, "english!", PW, NULL},
		 HM_EINVAL},
		{"N8 short password", &cli, {"x@example.org", "X", NULL, NULL, "short", NULL},
		 HM_EINVAL},
		{"N9 organiser of nothing", &cli, {"x@example.org", "X", NULL, NULL, PW, &nowhere},
		 HM_EINVAL},
		{"N10 organiser of event and series", &cli,
		 {"x@example.org", "X", NULL, NULL, PW, &both}, HM_EINVAL},
		{"N11 organiser of a missing event", &cli,
		 {"x@example.org", "X", NULL, NULL, PW, &ghost}, HM_EINVAL},
		{"N12 control in organisation", &cli,
		 {"x@example.org", "X", "Org\nInjected", NULL, PW, NULL}, HM_EINVAL},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char msg[160] = "";
		int64_t id = -1;
		enum hm_err e = auth_account_create(db, rows[i].actor, &rows[i].a, T0, &id, msg,
						    sizeof(msg));
		if (e != rows[i].want)
			fail_msg("%s: %s, want %s (%s)", rows[i].id, hm_err_str(e),
				 hm_err_str(rows[i].want), msg);
		if (id != 0 || !msg[0])
			fail_msg("%s: id %lld, message '%s'", rows[i].id, (long long)id, msg);
	}
	/* Nothing of the refused ones was stored (N11 failed after its insert). */
	assert_int_equal(query_int(db, "SELECT count(*) FROM account"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log"), 1);
	db_close(db);
}

static void test_account_create_stores_lowercase_and_audits(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct auth_grant g = {AUTH_ROLE_ORGANISER, 1, 0};
	int64_t id = add_account(db, "Li.Wei@Example.CN", PW, &g);
	json_t *a = auth_account_get(db, id);
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "email")), "li.wei@example.cn");
	assert_string_equal(json_string_value(json_object_get(a, "lang")), "en");
	assert_null(json_object_get(a, "password_hash"));
	json_t *roles = json_object_get(a, "roles");
	assert_int_equal(json_array_size(roles), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")),
			    "organiser");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(roles, 0), "event_slug")),
		"event-a");
	json_decref(a);

	int64_t found;
	assert_int_equal(auth_account_find(db, " LI.WEI@example.cn", &found), HM_OK);
	assert_int_equal(found, id);
	assert_int_equal(auth_account_find(db, "wei.li@example.cn", &found), HM_ENOTFOUND);

	json_t *log = audit_list(db, "account", id, 10);
	assert_int_equal(json_array_size(log), 2); /* newest first: grant, create */
	json_t *create = json_array_get(log, 1), *grant = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(create, "action")), "account.create");
	assert_string_equal(json_string_value(json_object_get(create, "actor")), "cli");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(create, "after"), "email")),
		"li.wei@example.cn");
	assert_true(json_is_null(json_object_get(create, "before")));
	assert_string_equal(json_string_value(json_object_get(grant, "action")),
			    "account.role_grant");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(grant, "after"),
							    "event_id")),
			 1);
	char *dump = json_dumps(log, 0);
	assert_null(strstr(dump, "argon2"));
	free(dump);
	json_decref(log);
	db_close(db);
}

static void test_role_grant_and_revoke(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct principal cli, p, org;
	struct auth_scope a, b, c, s;
	struct auth_grant series_s = {AUTH_ROLE_ORGANISER, 0, 1};
	auth_principal_cli(&cli);
	int64_t id = add_account(db, "org@example.org", PW, NULL);
	int64_t other = add_account(db, "other@example.org", PW, NULL);
	assert_int_equal(auth_scope_event(db, "event-a", &a), HM_OK);
	assert_int_equal(auth_scope_event(db, "event-b", &b), HM_OK);
	assert_int_equal(auth_scope_event(db, "event-c", &c), HM_OK);
	assert_int_equal(auth_scope_series(db, "series-s", &s), HM_OK);
	assert_int_equal(auth_scope_event(db, "no-such-event", &c), HM_ENOTFOUND);
	assert_int_equal(auth_scope_event(db, "event-c", &c), HM_OK);
	assert_int_equal(a.series_id, 1);

	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, &org), HM_OK);
	/* Refusals first: a non-admin grants, malformed grants, no account. */
	assert_int_equal(auth_role_grant(db, &org, id, &series_s, T0), HM_EFORBIDDEN);
	assert_int_equal(auth_role_grant(db, &org, other, &series_s, T0), HM_EFORBIDDEN);
	struct auth_grant bad = {AUTH_ROLE_PARTICIPANT, 0, 0};
	assert_int_equal(auth_role_grant(db, &cli, id, &bad, T0), HM_EINVAL);
	struct auth_grant admin_of_event = {AUTH_ROLE_ADMIN, 1, 0};
	assert_int_equal(auth_role_grant(db, &cli, id, &admin_of_event, T0), HM_EINVAL);
	assert_int_equal(auth_role_grant(db, &cli, 9999, &series_s, T0), HM_ENOTFOUND);
	assert_int_equal(auth_role_revoke(db, &cli, id, &series_s, T0), HM_ENOTFOUND);
	assert_false(auth_can(&org, AUTH_EVENT_EDIT, &b));

	assert_int_equal(auth_role_grant(db, &cli, id, &series_s, T0), HM_OK);
	assert_int_equal(auth_role_grant(db, &cli, id, &series_s, T0), HM_EEXIST);
	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, &p), HM_OK);
	assert_int_equal(p.ngrants, 1);
	assert_true(auth_can(&p, AUTH_EVENT_EDIT, &a));
	assert_true(auth_can(&p, AUTH_EVENT_EDIT, &b));
	assert_true(auth_can(&p, AUTH_SERIES_EDIT, &s));
	assert_false(auth_can(&p, AUTH_EVENT_EDIT, &c));
	/* A participant cannot revoke either. */
	struct principal part;
	assert_int_equal(auth_principal_load(db, other, AUTH_VIA_SESSION, &part), HM_OK);
	assert_int_equal(auth_role_revoke(db, &part, id, &series_s, T0), HM_EFORBIDDEN);

	assert_int_equal(auth_role_revoke(db, &cli, id, &series_s, T0 + 5), HM_OK);
	assert_int_equal(auth_role_revoke(db, &cli, id, &series_s, T0 + 5), HM_ENOTFOUND);
	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, &p), HM_OK);
	assert_int_equal(p.ngrants, 0);
	assert_false(auth_can(&p, AUTH_EVENT_EDIT, &a));

	json_t *log = audit_list(db, "account", id, 10);
	assert_int_equal(json_array_size(log), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 0), "action")),
			    "account.role_revoke");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(log, 0), "before"), "series_id")),
			 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 1), "action")),
			    "account.role_grant");
	json_decref(log);
	db_close(db);
}

/* ================================================================ sessions */

static void test_session_sign_in_lookup_sign_out(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	struct principal p, q;
	int64_t retry = -1;
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(auth_sign_in(db, "  ANN@example.org", PW, "192.0.2.1", NULL, T0, token, &p,
				      &retry),
			 HM_OK);
	assert_int_equal(retry, 0);
	assert_int_equal(strlen(token), AUTH_TOKEN_LEN);
	assert_int_equal(p.account_id, id);
	assert_int_equal(p.via, AUTH_VIA_SESSION);
	assert_string_equal(p.email, "ann@example.org");
	assert_int_not_equal(p.session.id, 0);
	assert_int_equal(p.session.expires_at, T0 + AUTH_SESSION_LIFETIME);

	/* Stored as a digest only. */
	char digest[AUTH_DIGEST_HEX];
	assert_true(auth_token_digest(token, digest));
	char *stored = query_text(db, "SELECT token_hash FROM session WHERE id = ?", p.session.id);
	assert_string_equal(stored, digest);
	assert_null(strstr(stored, token));
	free(stored);

	assert_int_equal(auth_session_lookup(db, token, T0 + 10, &q), HM_OK);
	assert_int_equal(q.account_id, id);
	assert_int_equal(q.session.id, p.session.id);
	assert_string_equal(q.session.csrf_secret, p.session.csrf_secret);

	assert_int_equal(auth_sign_out(db, token), HM_OK);
	assert_int_equal(auth_session_lookup(db, token, T0 + 11, &q), HM_EUNAUTH);
	assert_int_equal(q.account_id, 0);
	assert_int_equal(auth_sign_out(db, token), HM_OK);
	assert_int_equal(auth_sign_out(db, "garbage"), HM_OK);
	db_close(db);
}

static void test_session_lookup_refuses_malformed_and_unknown(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE], unknown[AUTH_TOKEN_SIZE], longer[AUTH_TOKEN_SIZE + 1];
	struct principal p;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, token, NULL), HM_OK);
	auth_token_new(unknown);
	snprintf(longer, sizeof(longer), "%sA", token);
	char bad_char[AUTH_TOKEN_SIZE];
	memcpy(bad_char, token, sizeof(bad_char));
	bad_char[5] = '*';
	char shorter[AUTH_TOKEN_SIZE];
	memcpy(shorter, token, sizeof(shorter));
	shorter[AUTH_TOKEN_LEN - 1] = '\0';
	const char *rows[] = {NULL, "", "abc", longer, bad_char, shorter, unknown};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		p.account_id = 42;
		if (auth_session_lookup(db, rows[i], T0 + 1, &p) != HM_EUNAUTH || p.account_id != 0)
			fail_msg("row %zu accepted", i);
	}
	assert_int_equal(auth_session_lookup(db, token, T0 + 1, &p), HM_OK);
	db_close(db);
}

static void test_session_idle_expiry_slides(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	struct principal p;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, token, NULL), HM_OK);
	int64_t t = T0 + AUTH_SESSION_IDLE - 1;
	assert_int_equal(auth_session_lookup(db, token, t, &p), HM_OK);
	assert_int_equal(p.session.last_seen_at, t);
	t += AUTH_SESSION_IDLE - 1; /* still alive: last seen moved */
	assert_int_equal(auth_session_lookup(db, token, t, &p), HM_OK);
	t += AUTH_SESSION_IDLE; /* idle exactly the limit */
	assert_int_equal(auth_session_lookup(db, token, t, &p), HM_EUNAUTH);
	/* and it is gone, not merely refused at that time */
	assert_int_equal(query_int(db, "SELECT count(*) FROM session"), 0);
	assert_int_equal(auth_session_lookup(db, token, T0 + 1, &p), HM_EUNAUTH);
	db_close(db);
}

static void test_session_absolute_expiry(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	struct principal p;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, token, NULL), HM_OK);
	int64_t t = T0;
	/* Used a minute before it would fall idle, again and again, it lives
	 * to its lifetime and not a second more. */
	const int64_t step = AUTH_SESSION_IDLE - 60;
	while (t + step < T0 + AUTH_SESSION_LIFETIME) {
		t += step;
		if (auth_session_lookup(db, token, t, &p) != HM_OK)
			fail_msg("ended early, %lld s after sign-in", (long long)(t - T0));
	}
	assert_int_equal(auth_session_lookup(db, token, T0 + AUTH_SESSION_LIFETIME - 1, &p), HM_OK);
	assert_int_equal(auth_session_lookup(db, token, T0 + AUTH_SESSION_LIFETIME, &p),
			 HM_EUNAUTH);
	db_close(db);
}

static void test_session_last_seen_written_at_most_once_a_minute(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE], ts[AUTH_TS_SIZE];
	struct principal p;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, token, NULL), HM_OK);
	static const struct {
		int64_t at, stored;
	} steps[] = {
		{T0 + 1, T0},       {T0 + 59, T0},       {T0 + 60, T0 + 60},
		{T0 + 100, T0 + 60}, {T0 + 119, T0 + 60}, {T0 + 120, T0 + 120},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(steps); i++) {
		assert_int_equal(auth_session_lookup(db, token, steps[i].at, &p), HM_OK);
		char *seen = query_text(db, "SELECT last_seen_at FROM session WHERE id = ?",
					p.session.id);
		auth_ts(steps[i].stored, ts);
		if (strcmp(seen, ts) != 0)
			fail_msg("step %zu: last seen %s, want %s", i, seen, ts);
		free(seen);
	}
	db_close(db);
}

static void test_sign_in_rotates_session(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char first[AUTH_TOKEN_SIZE], second[AUTH_TOKEN_SIZE], planted[AUTH_TOKEN_SIZE];
	char third[AUTH_TOKEN_SIZE];
	struct principal p;
	int64_t retry;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, first, NULL), HM_OK);
	assert_int_equal(auth_sign_in(db, "ann@example.org", PW, NULL, first, T0 + 5, second, NULL,
				      &retry),
			 HM_OK);
	assert_string_not_equal(first, second);
	assert_int_equal(auth_session_lookup(db, first, T0 + 6, &p), HM_EUNAUTH);
	assert_int_equal(auth_session_lookup(db, second, T0 + 6, &p), HM_OK);

	/* A token an attacker planted in the browser before sign-in is not
	 * what the browser gets after it. */
	auth_token_new(planted);
	assert_int_equal(auth_sign_in(db, "ann@example.org", PW, NULL, planted, T0 + 7, third, NULL,
				      &retry),
			 HM_OK);
	assert_string_not_equal(third, planted);
	assert_int_equal(auth_session_lookup(db, planted, T0 + 8, &p), HM_EUNAUTH);
	assert_int_equal(auth_session_lookup(db, third, T0 + 8, &p), HM_OK);
	/* A failed sign-in leaves the old session alone and hands out nothing. */
	strcpy(first, "untouched");
	assert_int_equal(auth_sign_in(db, "ann@example.org", PW2, NULL, third, T0 + 9, first, NULL,
				      &retry),
			 HM_EUNAUTH);
	assert_string_equal(first, "");
	assert_int_equal(auth_session_lookup(db, third, T0 + 10, &p), HM_OK);
	db_close(db);
}

static void test_password_change_ends_sessions(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char t1[AUTH_TOKEN_SIZE], t2[AUTH_TOKEN_SIZE], t3[AUTH_TOKEN_SIZE];
	struct principal p, other;
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	int64_t bob = add_account(db, "bob@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, t1, NULL), HM_OK);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, t2, NULL), HM_OK);
	assert_int_equal(sign_in(db, "bob@example.org", PW, NULL, T0, t3, NULL), HM_OK);
	assert_int_equal(auth_session_lookup(db, t1, T0 + 1, &p), HM_OK);
	assert_int_equal(auth_principal_load(db, bob, AUTH_VIA_SESSION, &other), HM_OK);
	/* Refused: another participant, a too-short password. */
	assert_int_equal(auth_password_set(db, &other, id, PW2, T0 + 2, NULL, 0), HM_EFORBIDDEN);
	assert_int_equal(auth_password_set(db, &p, id, "short", T0 + 2, NULL, 0), HM_EINVAL);
	assert_int_equal(auth_session_lookup(db, t1, T0 + 2, &p), HM_OK);

	assert_int_equal(auth_password_set(db, &p, id, PW2, T0 + 3, NULL, 0), HM_OK);
	assert_int_equal(auth_session_lookup(db, t1, T0 + 4, &p), HM_EUNAUTH);
	assert_int_equal(auth_session_lookup(db, t2, T0 + 4, &p), HM_EUNAUTH);
	assert_int_equal(auth_session_lookup(db, t3, T0 + 4, &p), HM_OK);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0 + 5, t1, NULL), HM_EUNAUTH);
	assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, T0 + 5, t1, NULL), HM_OK);
	json_t *log = audit_list(db, "account", id, 1);
	json_t *e = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "account.password");
	assert_string_equal(json_string_value(json_object_get(e, "actor")), "ann@example.org");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "after"),
							    "sessions_ended")),
			 2);
	json_decref(log);
	db_close(db);
}

static void test_purge_drops_only_dead_rows(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char old[AUTH_TOKEN_SIZE], live[AUTH_TOKEN_SIZE], reset[AUTH_TOKEN_SIZE];
	struct principal p;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, old, NULL), HM_OK);
	assert_int_equal(auth_reset_request(db, "ann@example.org", T0, reset), HM_OK);
	assert_int_equal(sign_in(db, "nobody@example.org", PW, "192.0.2.9", T0, live, NULL),
			 HM_EUNAUTH);
	int64_t later = T0 + AUTH_SESSION_IDLE + AUTH_THROTTLE_WINDOW;
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, later, live, NULL), HM_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM session"), 2);
	assert_int_equal(auth_purge(db, later + 1), HM_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM session"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM password_reset"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM auth_throttle"), 0);
	assert_int_equal(auth_session_lookup(db, live, later + 2, &p), HM_OK);
	db_close(db);
}

/* ==================================================================== CSRF */

static void test_csrf_accepts_own_token_only(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char t1[AUTH_TOKEN_SIZE], t2[AUTH_TOKEN_SIZE], c1[AUTH_TOKEN_SIZE], c2[AUTH_TOKEN_SIZE];
	struct principal p1, p2;
	int64_t retry;
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(auth_sign_in(db, "ann@example.org", PW, NULL, NULL, T0, t1, &p1, &retry),
			 HM_OK);
	assert_int_equal(auth_sign_in(db, "ann@example.org", PW, NULL, NULL, T0, t2, &p2, &retry),
			 HM_OK);
	auth_csrf_token(&p1.session, c1);
	auth_csrf_token(&p2.session, c2);
	assert_int_equal(strlen(c1), AUTH_TOKEN_LEN);
	assert_string_not_equal(c1, c2);
	assert_string_not_equal(c1, t1); /* not the session token */

	char flipped[AUTH_TOKEN_SIZE], shorter[AUTH_TOKEN_SIZE], longer[AUTH_TOKEN_SIZE + 1];
	memcpy(flipped, c1, sizeof(flipped));
	flipped[AUTH_TOKEN_LEN - 1] = flipped[AUTH_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	memcpy(shorter, c1, sizeof(shorter));
	shorter[AUTH_TOKEN_LEN - 1] = '\0';
	snprintf(longer, sizeof(longer), "%sA", c1);
	const struct {
		const char *id;
		const struct auth_session *s;
		const char *token;
	} refused[] = {
		{"N1 other session's token", &p1.session, c2},
		{"N2 empty", &p1.session, ""},
		{"N3 NULL token", &p1.session, NULL},
		{"N4 NULL session", NULL, c1},
		{"N5 one character changed", &p1.session, flipped},
		{"N6 prefix", &p1.session, shorter},
		{"N7 extended", &p1.session, longer},
		{"N8 the session token itself", &p1.session, t1},
		{"N9 visitor (no session)", &(struct auth_session){0}, ""},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(refused); i++)
		if (auth_csrf_check(refused[i].s, refused[i].token))
			fail_msg("%s: accepted", refused[i].id);
	assert_true(auth_csrf_check(&p1.session, c1));
	assert_true(auth_csrf_check(&p2.session, c2));
	/* The same secret comes back with the session on the next request. */
	struct principal again;
	assert_int_equal(auth_session_lookup(db, t1, T0 + 1, &again), HM_OK);
	assert_true(auth_csrf_check(&again.session, c1));
	db_close(db);
}

static void test_anon_csrf_double_submit(void **state)
{
	(void)state;
	char err[256];
	char *path = xasprintf("%s/anon.db", dir);
	struct db *db;
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &db, err, sizeof(err)), HM_OK);
	char pre1[AUTH_TOKEN_SIZE], pre2[AUTH_TOKEN_SIZE], f1[AUTH_TOKEN_SIZE], f2[AUTH_TOKEN_SIZE];
	char again[AUTH_TOKEN_SIZE];
	auth_presession_new(pre1);
	auth_presession_new(pre2);
	assert_int_equal(strlen(pre1), AUTH_TOKEN_LEN);
	assert_int_equal(auth_anon_csrf_token(db, pre1, f1), HM_OK);
	assert_int_equal(auth_anon_csrf_token(db, pre2, f2), HM_OK);
	assert_string_not_equal(f1, f2);
	assert_string_not_equal(f1, pre1); /* a MAC of the cookie, not the cookie */

	assert_false(auth_anon_csrf_check(db, pre1, f2));
	assert_false(auth_anon_csrf_check(db, pre2, f1));
	assert_false(auth_anon_csrf_check(db, pre1, pre1));
	assert_false(auth_anon_csrf_check(db, pre1, ""));
	assert_false(auth_anon_csrf_check(db, pre1, NULL));
	assert_false(auth_anon_csrf_check(db, NULL, f1));
	assert_false(auth_anon_csrf_check(db, "", f1));
	assert_int_equal(auth_anon_csrf_token(db, "not a token", again), HM_EINVAL);
	assert_string_equal(again, "");
	assert_true(auth_anon_csrf_check(db, pre1, f1));
	assert_int_equal(query_int(db, "SELECT count(*) FROM auth_key"), 1);

	/* The key is kept: another connection (another instance) agrees. */
	db_close(db);
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err)), HM_OK);
	assert_int_equal(auth_anon_csrf_token(db, pre1, again), HM_OK);
	assert_string_equal(again, f1);
	assert_true(auth_anon_csrf_check(db, pre2, f2));
	/* A database with another key refuses the first one's tokens. */
	struct db *other = fresh_db();
	assert_false(auth_anon_csrf_check(other, pre1, f1));
	db_close(other);
	db_close(db);
	free(path);
}

static void test_cookie_headers(void **state)
{
	(void)state;
	char out[AUTH_COOKIE_SIZE], token[AUTH_TOKEN_SIZE], want[AUTH_COOKIE_SIZE];
	auth_token_new(token);
	snprintf(want, sizeof(want), "session=%s; Path=/; HttpOnly; SameSite=Lax", token);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_SESSION, token, 0, out), want);
	snprintf(want, sizeof(want), "session=%s; Path=/; HttpOnly; SameSite=Lax; Secure", token);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_SESSION, token, 1, out), want);
	snprintf(want, sizeof(want), "presession=%s; Path=/; HttpOnly; SameSite=Lax", token);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_PRESESSION, token, 0, out), want);

	static const char clear[] = "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
	const char *clearing[] = {NULL, "", "abc; Domain=evil.example", "a\r\nSet-Cookie: x=y",
				  "with space"};
	for (size_t i = 0; i < HM_ARRAY_LEN(clearing); i++)
		if (strcmp(auth_cookie_header(AUTH_COOKIE_SESSION, clearing[i], 0, out), clear) != 0)
			fail_msg("row %zu: %s", i, out);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_SESSION, NULL, 1, out),
			    "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
	assert_string_equal(auth_cookie_name(AUTH_COOKIE_SESSION), "session");
	assert_string_equal(auth_cookie_name(AUTH_COOKIE_PRESESSION), "presession");

	/* An https site: __Host- names, always Secure, whatever the request says. */
	auth_cookie_https(1);
	snprintf(want, sizeof(want), "__Host-session=%s; Path=/; HttpOnly; SameSite=Lax; Secure",
		 token);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_SESSION, token, 0, out), want);
	snprintf(want, sizeof(want),
		 "__Host-presession=%s; Path=/; HttpOnly; SameSite=Lax; Secure", token);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_PRESESSION, token, 1, out), want);
	assert_string_equal(auth_cookie_header(AUTH_COOKIE_SESSION, NULL, 0, out),
			    "__Host-session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
	assert_string_equal(auth_cookie_name(AUTH_COOKIE_SESSION), "__Host-session");
	assert_string_equal(auth_cookie_name(AUTH_COOKIE_PRESESSION), "__Host-presession");
	auth_cookie_https(0);
	assert_string_equal(auth_cookie_name(AUTH_COOKIE_SESSION), "session");
}

/* ============================================================== throttling */

static void test_throttle_delays_double(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	int64_t retry, t = T0;
	add_account(db, "ann@example.org", PW, NULL);
	for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, t, token, &retry),
				 HM_EUNAUTH);
	static const int64_t waits[] = {1, 2, 4, 8, 16, 32};
	for (size_t i = 0; i < HM_ARRAY_LEN(waits); i++) {
		/* Throttled even with the right password: it is not checked. */
		if (sign_in(db, "ann@example.org", PW, NULL, t, token, &retry) != HM_EFORBIDDEN ||
		    retry != waits[i] || token[0])
			fail_msg("step %zu: retry %lld, want %lld", i, (long long)retry,
				 (long long)waits[i]);
		assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, t + waits[i] - 1, token,
					 &retry),
				 HM_EFORBIDDEN);
		assert_int_equal(retry, 1);
		t += waits[i];
		assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, t, token, &retry),
				 HM_EUNAUTH);
	}
	/* Waiting long enough, the right password gets in and the count
	 * starts again: one more failure costs nothing. */
	t += 64;
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, t, token, &retry), HM_OK);
	assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, t, token, &retry), HM_EUNAUTH);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, t, token, &retry), HM_OK);
	db_close(db);
}

static void test_throttle_delay_is_capped(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	int64_t retry = 0, t = T0;
	/* Keep failing as soon as allowed; the wait never passes the cap. */
	for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE + 14; i++) {
		if (sign_in(db, "ann@example.org", PW2, NULL, t, token, &retry) == HM_EFORBIDDEN) {
			assert_in_range(retry, 1, AUTH_THROTTLE_DELAY_MAX);
			t += retry;
			i--;
		}
	}
	assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, t, token, &retry),
			 HM_EFORBIDDEN);
	assert_int_equal(retry, AUTH_THROTTLE_DELAY_MAX);
	db_close(db);
}

/* Runs the same attempts against an e-mail; records what came back. */
static void attempt_series(struct db *db, const char *email, enum hm_err *rc, int64_t *retry,
			   int *token_given, int64_t *who, int n)
{
	int64_t t = T0;
	for (int i = 0; i < n; i++) {
		char token[AUTH_TOKEN_SIZE] = "x";
		struct principal p;
		rc[i] = auth_sign_in(db, email, PW2, NULL, NULL, t, token, &p, &retry[i]);
		token_given[i] = token[0] != '\0';
		who[i] = p.account_id;
		t += i % 3 == 2 ? 5 : 0;
	}
}

static void test_unknown_email_and_wrong_password_look_the_same(void **state)
{
	(void)state;
	enum { N = 16 };
	struct db *db = fresh_db();
	enum hm_err rc_known[N], rc_unknown[N], rc_nopw[N];
	int64_t r_known[N], r_unknown[N], r_nopw[N], w1[N], w2[N], w3[N];
	int g1[N], g2[N], g3[N];
	struct principal cli;
	auth_principal_cli(&cli);
	add_account(db, "ann@example.org", PW, NULL);
	struct account_new nopw = {.email = "nopw@example.org", .name = "No Password"};
	assert_int_equal(auth_account_create(db, &cli, &nopw, T0, NULL, NULL, 0), HM_OK);
	attempt_series(db, "ann@example.org", rc_known, r_known, g1, w1, N);
	attempt_series(db, "nobody@example.org", rc_unknown, r_unknown, g2, w2, N);
	attempt_series(db, "nopw@example.org", rc_nopw, r_nopw, g3, w3, N);
	int throttled = 0;
	for (int i = 0; i < N; i++) {
		if (rc_known[i] != rc_unknown[i] || r_known[i] != r_unknown[i] ||
		    rc_known[i] != rc_nopw[i] || r_known[i] != r_nopw[i])
			fail_msg("attempt %d: known %s/%lld, unknown %s/%lld, no password %s/%lld", i,
				 hm_err_str(rc_known[i]), (long long)r_known[i],
				 hm_err_str(rc_unknown[i]), (long long)r_unknown[i],
				 hm_err_str(rc_nopw[i]), (long long)r_nopw[i]);
		assert_false(g1[i] || g2[i] || g3[i]);
		assert_true(w1[i] == 0 && w2[i] == 0 && w3[i] == 0);
		assert_true(rc_known[i] == HM_EUNAUTH || rc_known[i] == HM_EFORBIDDEN);
		throttled += rc_known[i] == HM_EFORBIDDEN;
	}
	assert_true(throttled > 0); /* the series did reach the throttle */
	db_close(db);
}

static void test_throttle_per_address(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE], email[64], addr[64];
	int64_t retry;
	add_account(db, "ann@example.org", PW, NULL);
	/* Many people behind one address, each mistyping once: free. */
	for (int i = 0; i < AUTH_THROTTLE_ADDRESS_FREE; i++) {
		snprintf(email, sizeof(email), "person%d@example.org", i);
		assert_int_equal(sign_in(db, email, PW, "198.51.100.7", T0, token, &retry),
				 HM_EUNAUTH);
	}
	/* Then the address waits, whoever signs in from it. */
	assert_int_equal(sign_in(db, "ann@example.org", PW, "198.51.100.7", T0, token, &retry),
			 HM_EFORBIDDEN);
	assert_int_equal(retry, 1);
	assert_int_equal(sign_in(db, "ann@example.org", PW, "::ffff:198.51.100.7", T0, token, &retry),
			 HM_EFORBIDDEN);
	assert_int_equal(sign_in(db, "ann@example.org", PW, "198.51.100.8", T0, token, &retry),
			 HM_OK);
	/* IPv6: one /64 is one client. */
	for (int i = 0; i < AUTH_THROTTLE_ADDRESS_FREE; i++) {
		snprintf(email, sizeof(email), "v6person%d@example.org", i);
		snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i + 1);
		assert_int_equal(sign_in(db, email, PW, addr, T0, token, &retry), HM_EUNAUTH);
	}
	assert_int_equal(sign_in(db, "ann@example.org", PW, "2001:db8:1:2:ffff::1", T0, token,
				 &retry),
			 HM_EFORBIDDEN);
	assert_int_equal(sign_in(db, "ann@example.org", PW, "2001:db8:1:3::1", T0, token, &retry),
			 HM_OK);
	db_close(db);
}

static void test_throttle_forgets_after_window(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char token[AUTH_TOKEN_SIZE];
	int64_t retry;
	add_account(db, "ann@example.org", PW, NULL);
	for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE - 1; i++)
		assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, T0, token, &retry),
				 HM_EUNAUTH);
	int64_t later = T0 + AUTH_THROTTLE_WINDOW;
	for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE - 1; i++)
		assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, later, token, &retry),
				 HM_EUNAUTH);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, later, token, &retry), HM_OK);
	/* Without the window the same eight failures would have throttled. */
	struct db *db2 = fresh_db();
	add_account(db2, "ann@example.org", PW, NULL);
	for (int i = 0; i < 2 * (AUTH_THROTTLE_ACCOUNT_FREE - 1); i++)
		sign_in(db2, "ann@example.org", PW2, NULL, T0 + i, token, &retry);
	assert_int_equal(sign_in(db2, "ann@example.org", PW, NULL, T0 + 8, token, &retry),
			 HM_EFORBIDDEN);
	db_close(db2);
	db_close(db);
}

/* ========================================================== password reset */

static void test_reset_is_single_use(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char reset[AUTH_TOKEN_SIZE], session[AUTH_TOKEN_SIZE], msg[128];
	struct principal p;
	int64_t retry, who = 0;
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, session, NULL), HM_OK);
	/* A throttled account... */
	for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++)
		sign_in(db, "ann@example.org", PW2, NULL, T0, reset, &retry);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, reset, &retry),
			 HM_EFORBIDDEN);

	assert_int_equal(auth_reset_request(db, "nobody@example.org", T0, reset), HM_ENOTFOUND);
	assert_string_equal(reset, "");
	assert_int_equal(auth_reset_request(db, "ANN@example.org", T0, reset), HM_OK);
	assert_int_equal(strlen(reset), AUTH_TOKEN_LEN);
	char digest[AUTH_DIGEST_HEX];
	auth_token_digest(reset, digest);
	char *stored = query_text(db, "SELECT token_hash FROM password_reset WHERE account_id = ?",
				  id);
	assert_string_equal(stored, digest);
	free(stored);

	/* A refused password leaves the link usable. */
	assert_int_equal(auth_reset_complete(db, reset, "short", T0 + 60, &who, msg, sizeof(msg)),
			 HM_EINVAL);
	assert_true(msg[0] != '\0');
	assert_int_equal(auth_reset_complete(db, "bogus", PW2, T0 + 60, &who, msg, sizeof(msg)),
			 HM_ENOTFOUND);
	assert_int_equal(auth_reset_complete(db, reset, PW2, T0 + 60, &who, msg, sizeof(msg)),
			 HM_OK);
	assert_int_equal(who, id);
	/* Used once: never again. */
	assert_int_equal(auth_reset_complete(db, reset, "yet another passphrase", T0 + 61, &who,
					     msg, sizeof(msg)),
			 HM_ENOTFOUND);
	assert_int_equal(who, 0);
	/* Sessions ended, throttle forgiven, new password in force. */
	assert_int_equal(auth_session_lookup(db, session, T0 + 62, &p), HM_EUNAUTH);
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0 + 62, session, &retry),
			 HM_EUNAUTH);
	assert_int_equal(sign_in(db, "ann@example.org", PW2, NULL, T0 + 62, session, &retry), HM_OK);
	json_t *log = audit_list(db, "account", id, 1);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(log, 0), "action")),
		"account.password_reset");
	json_decref(log);
	db_close(db);
}

static void test_reset_expires_and_is_replaced(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char r1[AUTH_TOKEN_SIZE], r2[AUTH_TOKEN_SIZE], r3[AUTH_TOKEN_SIZE];
	add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(auth_reset_request(db, "ann@example.org", T0, r1), HM_OK);
	assert_int_equal(auth_reset_complete(db, r1, PW2, T0 + AUTH_RESET_LIFETIME, NULL, NULL, 0),
			 HM_ENOTFOUND);
	/* A newer request replaces an older, still-live link. */
	assert_int_equal(auth_reset_request(db, "ann@example.org", T0 + 10, r2), HM_OK);
	assert_int_equal(auth_reset_request(db, "ann@example.org", T0 + 20, r3), HM_OK);
	assert_string_not_equal(r2, r3);
	assert_int_equal(auth_reset_complete(db, r2, PW2, T0 + 30, NULL, NULL, 0), HM_ENOTFOUND);
	assert_int_equal(auth_reset_complete(db, r3, PW2, T0 + 20 + AUTH_RESET_LIFETIME - 1, NULL,
					     NULL, 0),
			 HM_OK);
	db_close(db);
}

/* ============================================================== API tokens */

#define DAYS AUTH_API_TOKEN_DAYS_DEFAULT

static void test_api_token_scopes_and_revocation(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char rtok[AUTH_API_TOKEN_SIZE], wtok[AUTH_API_TOKEN_SIZE], stok[AUTH_TOKEN_SIZE];
	struct principal owner, other, p;
	struct auth_scope a;
	struct auth_grant g = {AUTH_ROLE_ORGANISER, 1, 0};
	int64_t rid, wid;
	int64_t id = add_account(db, "ann@example.org", PW, &g);
	int64_t bob = add_account(db, "bob@example.org", PW, NULL);
	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, &owner), HM_OK);
	assert_int_equal(auth_principal_load(db, bob, AUTH_VIA_SESSION, &other), HM_OK);
	assert_int_equal(auth_scope_event(db, "event-a", &a), HM_OK);

	/* Refusals first. */
	assert_int_equal(auth_api_token_create(db, &other, id, AUTH_TOKEN_WRITE, "x", DAYS, T0, wtok,
					       &wid),
			 HM_EFORBIDDEN);
	assert_string_equal(wtok, "");
	assert_int_equal(auth_api_token_create(db, &owner, id, (enum auth_token_scope)7, "x", DAYS,
					       T0, wtok, &wid),
			 HM_EINVAL);
	assert_int_equal(auth_api_token_create(db, &owner, id, AUTH_TOKEN_READ, "bad\nlabel", DAYS,
					       T0, wtok, &wid),
			 HM_EINVAL);

	assert_int_equal(auth_api_token_create(db, &owner, id, AUTH_TOKEN_READ, "feeds", DAYS, T0,
					       rtok, &rid),
			 HM_OK);
	assert_int_equal(auth_api_token_create(db, &owner, id, AUTH_TOKEN_WRITE, "sync", DAYS, T0,
					       wtok, &wid),
			 HM_OK);
	assert_true(str_starts_with(rtok, AUTH_API_TOKEN_PREFIX));
	assert_int_equal(strlen(rtok), AUTH_API_TOKEN_SIZE - 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM api_token WHERE token_hash LIKE 'hm_%'"),
			 0);

	assert_int_equal(auth_api_token_lookup(db, rtok, T0 + 1, &p), HM_OK);
	assert_int_equal(p.via, AUTH_VIA_API_TOKEN);
	assert_int_equal(p.account_id, id);
	assert_true(p.read_only);
	assert_true(auth_can(&p, AUTH_DRAFT_READ, &a));
	assert_false(auth_can(&p, AUTH_EVENT_EDIT, &a));
	assert_false(auth_can(&p, AUTH_DIALOGUE_PARTICIPATE, &a));
	assert_int_equal(auth_api_token_lookup(db, wtok, T0 + 1, &p), HM_OK);
	assert_false(p.read_only);
	assert_true(auth_can(&p, AUTH_EVENT_EDIT, &a));

	/* Malformed or foreign tokens find nobody. */
	assert_int_equal(sign_in(db, "ann@example.org", PW, NULL, T0, stok, NULL), HM_OK);
	const char *bad[] = {NULL, "", "hm_", wtok + 3, stok, "hm_short"};
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		p.account_id = 99;
		if (auth_api_token_lookup(db, bad[i], T0 + 2, &p) != HM_EUNAUTH || p.account_id)
			fail_msg("bad token %zu accepted", i);
	}
	/* ...and an API token is no session token. */
	assert_int_equal(auth_session_lookup(db, wtok + 3, T0 + 2, &p), HM_EUNAUTH);

	/* Revocation: only the owner's, only once. */
	assert_int_equal(auth_api_token_revoke(db, &other, id, wid, T0 + 3), HM_EFORBIDDEN);
	assert_int_equal(auth_api_token_revoke(db, &other, bob, wid, T0 + 3), HM_ENOTFOUND);
	assert_int_equal(auth_api_token_lookup(db, wtok, T0 + 3, &p), HM_OK);
	assert_int_equal(auth_api_token_revoke(db, &owner, id, wid, T0 + 4), HM_OK);
	assert_int_equal(auth_api_token_revoke(db, &owner, id, wid, T0 + 4), HM_ENOTFOUND);
	assert_int_equal(auth_api_token_lookup(db, wtok, T0 + 5, &p), HM_EUNAUTH);
	assert_int_equal(auth_api_token_lookup(db, rtok, T0 + 5, &p), HM_OK);

	json_t *list = auth_api_token_list(db, id);
	assert_int_equal(json_array_size(list), 2);
	json_t *newest = json_array_get(list, 0), *oldest = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(newest, "scope")), "write");
	assert_false(json_is_null(json_object_get(newest, "revoked_at")));
	assert_true(json_is_null(json_object_get(oldest, "revoked_at")));
	assert_false(json_is_null(json_object_get(oldest, "last_used_at")));
	assert_null(json_object_get(oldest, "token_hash"));
	json_decref(list);
	db_close(db);
}

/* Each lifetime on offer: valid up to the last second before expires_at,
 * refused at it and after it, as an unknown token is. */
static void test_api_token_expires_after_its_days(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct principal owner, p;
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, &owner), HM_OK);
	static const struct {
		int days;
		const char *expires_at; /* T0 + days */
	} rows[] = {
		{30, "2023-12-14T22:13:20Z"},
		{90, "2024-02-12T22:13:20Z"},
		{365, "2024-11-13T22:13:20Z"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char tok[AUTH_API_TOKEN_SIZE];
		int64_t tid = 0, end = T0 + (int64_t)rows[i].days * 86400;
		if (auth_api_token_create(db, &owner, id, AUTH_TOKEN_WRITE, "ci", rows[i].days, T0,
					  tok, &tid) != HM_OK)
			fail_msg("row %zu: not created", i);
		char *stored = query_text(db, "SELECT expires_at FROM api_token WHERE id = ?", tid);
		if (!stored || strcmp(stored, rows[i].expires_at) != 0)
			fail_msg("row %zu: expires_at %s", i, stored ? stored : "NULL");
		free(stored);
		char *after = query_text(db,
					 "SELECT json_extract(after_json, '$.expires_at') FROM audit_log "
					 "WHERE action = 'api_token.create' AND entity_id = ?",
					 tid);
		if (!after || strcmp(after, rows[i].expires_at) != 0)
			fail_msg("row %zu: audited expires_at %s", i, after ? after : "NULL");
		free(after);
		static const struct {
			int64_t dt; /* from the expiry */
			enum hm_err want;
		} at[] = {{-(int64_t)30 * 86400, HM_OK}, {-61, HM_OK}, {-1, HM_OK},
			  {0, HM_EUNAUTH},          {1, HM_EUNAUTH},  {86400 * 400, HM_EUNAUTH}};
		for (size_t j = 0; j < HM_ARRAY_LEN(at); j++) {
			p.account_id = 99;
			enum hm_err e = auth_api_token_lookup(db, tok, end + at[j].dt, &p);
			if (e != at[j].want || p.account_id != (e == HM_OK ? id : 0))
				fail_msg("row %zu, %+lld s from expiry: %s, account %lld", i,
					 (long long)at[j].dt, hm_err_str(e), (long long)p.account_id);
		}
	}
	db_close(db);
}

/* A token made before tokens expired (expires_at NULL, inserted as the old
 * schema did) stays valid; a stored expiry that does not parse counts as
 * past. */
static void test_api_token_without_expiry_never_expires(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct principal p;
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	static const struct {
		const char *expires_at; /* NULL: the old schema's row */
		enum hm_err want;
	} rows[] = {{NULL, HM_OK}, {"soon", HM_EUNAUTH}, {"", HM_EUNAUTH}};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char raw[AUTH_TOKEN_SIZE], digest[AUTH_DIGEST_HEX], tok[AUTH_API_TOKEN_SIZE];
		auth_token_new(raw);
		assert_true(auth_token_digest(raw, digest));
		snprintf(tok, sizeof(tok), "%s%s", AUTH_API_TOKEN_PREFIX, raw);
		struct db_stmt *st = db_prepare(
			db, "INSERT INTO api_token (token_hash, account_id, label, scope, created_at) "
			    "VALUES (?, ?, 'old', 'read', '2020-01-01T00:00:00Z')");
		assert_non_null(st);
		db_bind_text(st, 1, digest);
		db_bind_int(st, 2, id);
		assert_int_equal(db_run(st), HM_OK);
		if (rows[i].expires_at) {
			st = db_prepare(db, "UPDATE api_token SET expires_at = ? WHERE token_hash = ?");
			assert_non_null(st);
			db_bind_text(st, 1, rows[i].expires_at);
			db_bind_text(st, 2, digest);
			assert_int_equal(db_run(st), HM_OK);
		}
		const int64_t when[] = {T0, T0 + (int64_t)100 * 365 * 86400};
		for (size_t j = 0; j < HM_ARRAY_LEN(when); j++) {
			enum hm_err e = auth_api_token_lookup(db, tok, when[j], &p);
			if (e != rows[i].want)
				fail_msg("row %zu at %zu: %s", i, j, hm_err_str(e));
			if (e == HM_OK && (p.account_id != id || !p.read_only))
				fail_msg("row %zu at %zu: wrong principal", i, j);
		}
	}
	json_t *list = auth_api_token_list(db, id);
	assert_int_equal(json_array_size(list), 3);
	assert_true(json_is_null(json_object_get(json_array_get(list, 2), "expires_at")));
	json_decref(list);
	db_close(db);
}

/* Only 30, 90 and 365 days: anything else makes no token and no audit
 * entry. */
/* RFC 6238's test vectors for HMAC-SHA1 (secret "12345678901234567890"),
 * cut to the six digits authenticator apps show; a code is taken once. */
static void test_two_factor_rfc6238_vectors_and_no_replay(void **state)
{
	(void)state;
	char err[256];
	struct db *db = fresh_db();
	int64_t id = add_account(db, "otp@example.org", PW, NULL);
	assert_int_equal(auth_two_factor_check(db, id, "", 59), HM_OK); /* none: nothing asked */
	char *sql = xasprintf("INSERT INTO two_factor (account_id, secret, created_at, confirmed_at) "
			      "VALUES (%lld, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'x', 'x')",
			      (long long)id);
	assert_int_equal(db_exec_script(db, sql, err, sizeof(err)), HM_OK);
	free(sql);
	assert_int_equal(auth_two_factor_state(db, id), 2);
	static const struct {
		int64_t t;
		const char *code;
	} rows[] = {
		{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		if (auth_two_factor_check(db, id, rows[i].code, rows[i].t) != HM_OK)
			fail_msg("t=%lld: %s refused", (long long)rows[i].t, rows[i].code);
		if (auth_two_factor_check(db, id, rows[i].code, rows[i].t) != HM_EUNAUTH)
			fail_msg("t=%lld: %s taken twice", (long long)rows[i].t, rows[i].code);
	}
	/* The step before the last one taken is refused too, and a wrong code,
	 * and an empty one. */
	assert_int_equal(auth_two_factor_check(db, id, "287082", 59), HM_EUNAUTH);
	assert_int_equal(auth_two_factor_check(db, id, "000000", 2000000030), HM_EUNAUTH);
	assert_int_equal(auth_two_factor_check(db, id, NULL, 2000000030), HM_EUNAUTH);
	db_close(db);
}

static void test_api_token_refuses_other_lifetimes(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	struct principal owner;
	int64_t id = add_account(db, "ann@example.org", PW, NULL);
	assert_int_equal(auth_principal_load(db, id, AUTH_VIA_SESSION, &owner), HM_OK);
	const int bad[] = {0, -90, 1, 29, 31, 89, 91, 364, 366, 3650, INT_MAX, INT_MIN};
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		char tok[AUTH_API_TOKEN_SIZE] = "x";
		int64_t tid = 7;
		enum hm_err e = auth_api_token_create(db, &owner, id, AUTH_TOKEN_READ, "ci", bad[i],
						      T0, tok, &tid);
		if (e != HM_EINVAL || tok[0] || tid)
			fail_msg("%d days: %s", bad[i], hm_err_str(e));
		assert_false(auth_api_token_days_ok(bad[i]));
	}
	for (size_t i = 0; i < HM_ARRAY_LEN(auth_api_token_days); i++)
		assert_true(auth_api_token_days_ok(auth_api_token_days[i]));
	assert_true(auth_api_token_days_ok(AUTH_API_TOKEN_DAYS_DEFAULT));
	assert_int_equal(query_int(db, "SELECT count(*) FROM api_token"), 0);
	assert_int_equal(
		query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'api_token.create'"), 0);
	db_close(db);
}

/* ==================================================================== demo */

static void test_demo_organiser(void **state)
{
	(void)state;
	struct db *db = fresh_db();
	char email[AUTH_EMAIL_MAX + 1], pw[AUTH_DEMO_PASSWORD_SIZE], pw2[AUTH_DEMO_PASSWORD_SIZE];
	char token[AUTH_TOKEN_SIZE];
	struct principal p;
	struct auth_scope a, b;
	int64_t retry;
	assert_int_equal(auth_demo_organiser(db, "no-such-event", email, pw), HM_ENOTFOUND);
	assert_int_equal(auth_demo_organiser(db, "event-a", email, pw), HM_OK);
	assert_string_equal(email, "organiser@demo.harmony.example");
	assert_int_equal(strlen(pw), 23);
	for (int i = 0; i < 23; i++) {
		if (i % 6 == 5)
			assert_int_equal(pw[i], '-');
		else
			assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", pw[i]));
	}
	assert_int_equal(auth_sign_in(db, email, pw, NULL, NULL, T0, token, &p, &retry), HM_OK);
	assert_int_equal(auth_scope_event(db, "event-a", &a), HM_OK);
	assert_int_equal(auth_scope_event(db, "event-b", &b), HM_OK);
	assert_true(auth_can(&p, AUTH_EVENT_EDIT, &a));
	assert_false(auth_can(&p, AUTH_EVENT_EDIT, &b));
	assert_false(auth_is_admin(&p));
	assert_int_equal(auth_demo_organiser(db, "event-a", email, pw2), HM_EEXIST);
	assert_string_equal(pw2, "");

	struct db *db2 = fresh_db();
	assert_int_equal(auth_demo_organiser(db2, "event-a", email, pw2), HM_OK);
	assert_string_not_equal(pw, pw2); /* fresh each time */
	db_close(db2);
	db_close(db);
}

/* ===================================================================== CLI */

/* Runs `harmony user ARGS…` with stdin_text on standard input; what it
 * printed is left in out and err (caller frees). Returns the exit code. */
static int run_user(const char *stdin_text, char **out, char **err, const char *const *args)
{
	char *paths[3];
	int saved[3], rc;
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)(uintptr_t) "user";
	for (; args[argc - 1] && argc < 31; argc++)
		argv[argc] = (char *)(uintptr_t)args[argc - 1];
	argv[argc] = NULL;
	for (int i = 0; i < 3; i++)
		paths[i] = xasprintf("%s/cli-%d", dir, i);
	FILE *f = fopen(paths[0], "wb");
	assert_non_null(f);
	fputs(stdin_text, f);
	fclose(f);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 3; i++) {
		saved[i] = dup(i);
		int fd = i == 0 ? open(paths[0], O_RDONLY) : open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		dup2(fd, i);
		close(fd);
	}
	rc = cli_user(argc, argv);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	char **dst[2] = {out, err};
	for (int i = 1; i < 3; i++) {
		struct buf b;
		char tmp[4096];
		size_t n;
		buf_init(&b);
		buf_puts(&b, "");
		f = fopen(paths[i], "rb");
		assert_non_null(f);
		while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
			buf_append(&b, tmp, n);
		fclose(f);
		*dst[i - 1] = buf_steal(&b);
	}
	for (int i = 0; i < 3; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	return rc;
}

/* A fresh database file with the fixture, closed, for the CLI to open. */
static char *fresh_db_path(void)
{
	struct db *db = fresh_db();
	char *path = xstrdup(db_path(db));
	db_close(db);
	return path;
}

static void test_cli_user_add_list_passwd(void **state)
{
	(void)state;
	char *path = fresh_db_path(), *out, *err, token[AUTH_TOKEN_SIZE];
	struct db *db;
	char dberr[256];
	int64_t retry;

	const char *add_admin[] = {"add", "--db", path, "--email", "Root@Example.org", "--name",
				   "Root Admin", "--role", "admin", NULL};
	assert_int_equal(run_user(PW "\n", &out, &err, add_admin), 0);
	assert_non_null(strstr(out, "root@example.org, admin"));
	assert_null(strstr(out, PW));
	free(out);
	free(err);
	const char *add_org[] = {"add", "--db", path, "--email", "org@example.org", "--name",
				 "\u5f20\u4f1f", "--organisation", "SASS", "--lang", "zh-Hans",
				 "--role", "organiser", "--event", "event-a", NULL};
	assert_int_equal(run_user(PW2 "\r\n", &out, &err, add_org), 0);
	assert_non_null(strstr(out, "organiser of event event-a"));
	free(out);
	free(err);
	const char *add_part[] = {"add", "--db", path, "--email", "p@example.org", "--name", "P",
				  NULL};
	assert_int_equal(run_user(PW, &out, &err, add_part), 0); /* no final newline */
	free(out);
	free(err);

	const char *list[] = {"list", "--db", path, NULL};
	assert_int_equal(run_user("", &out, &err, list), 0);
	assert_non_null(strstr(out, "root@example.org\tRoot Admin\tadmin\n"));
	assert_non_null(strstr(out, "org@example.org\t\u5f20\u4f1f\torganiser of event event-a\n"));
	assert_non_null(strstr(out, "p@example.org\tP\tparticipant\n"));
	free(out);
	free(err);
	const char *list_json[] = {"list", "--db", path, "--format", "json", NULL};
	assert_int_equal(run_user("", &out, &err, list_json), 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_int_equal(json_array_size(j), 3);
	assert_null(strstr(out, "argon2"));
	json_decref(j);
	free(out);
	free(err);

	const char *passwd[] = {"passwd", "--db", path, "--email", "ORG@example.org", NULL};
	assert_int_equal(run_user("a brand new passphrase\n", &out, &err, passwd), 0);
	free(out);
	free(err);
	const char *grant[] = {"grant", "--db", path, "--email", "p@example.org", "--role",
			       "organiser", "--series", "series-t", NULL};
	assert_int_equal(run_user("", &out, &err, grant), 0);
	assert_non_null(strstr(out, "organiser of series series-t"));
	free(out);
	free(err);
	const char *revoke[] = {"revoke", "--db", path, "--email", "p@example.org", "--role",
				"organiser", "--series", "series-t", NULL};
	assert_int_equal(run_user("", &out, &err, revoke), 0);
	free(out);
	free(err);

	assert_int_equal(db_open(path, DB_OPEN_EXISTING, 0, &db, dberr, sizeof(dberr)), HM_OK);
	assert_int_equal(sign_in(db, "root@example.org", PW, NULL, T0, token, &retry), HM_OK);
	assert_int_equal(sign_in(db, "org@example.org", PW2, NULL, T0, token, &retry), HM_EUNAUTH);
	assert_int_equal(sign_in(db, "org@example.org", "a brand new passphrase", NULL, T0, token,
				 &retry),
			 HM_OK);
	assert_int_equal(sign_in(db, "p@example.org", PW, NULL, T0, token, &retry), HM_OK);
	json_t *log = audit_list(db, NULL, 0, 100);
	/* 3 creates, 2 grants, passwd, grant, revoke by the command; the four
	 * sign-ins above are authentication events (entity "auth"). */
	size_t i, changes = 0, signins = 0;
	json_t *entry, *newest = NULL;
	json_array_foreach(log, i, entry) {
		if (str_eq(json_string_value(json_object_get(entry, "entity")), "auth")) {
			signins++;
			continue;
		}
		if (!newest)
			newest = entry;
		changes++;
	}
	assert_int_equal(changes, 8);
	assert_int_equal(signins, 4);
	assert_string_equal(json_string_value(json_object_get(newest, "actor")), "cli");
	json_decref(log);
	db_close(db);
	free(path);
}

static void test_cli_user_refusals(void **state)
{
	(void)state;
	char *path = fresh_db_path(), *out, *err;
	char big[AUTH_PASSWORD_MAX + 3];
	memset(big, 'x', AUTH_PASSWORD_MAX + 1);
	strcpy(big + AUTH_PASSWORD_MAX + 1, "\n");
	const char *first[] = {"add", "--db", path, "--email", "ann@example.org", "--name", "Ann",
			       NULL};
	assert_int_equal(run_user(PW "\n", &out, &err, first), 0);
	free(out);
	free(err);
	char *missing = xasprintf("%s/none.db", dir);
	const struct {
		const char *id;
		const char *in;
		const char *args[16];
		int code;
		const char *says;
	} rows[] = {
		{"N01 password on the command line", PW "\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B", "--password", PW},
		 2, "never taken from the command line"},
		{"N02 password= form", PW "\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B", "--password=" PW},
		 2, "never taken"},
		{"N03 no e-mail", PW "\n", {"add", "--db", path, "--name", "B"}, 2, "--email"},
		{"N04 bad e-mail", PW "\n", {"add", "--db", path, "--email", "b", "--name", "B"}, 2,
		 "not a valid e-mail"},
		{"N05 organiser without event", PW "\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B", "--role",
		  "organiser"},
		 2, "needs one --event"},
		{"N06 organiser of a missing event", PW "\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B", "--role",
		  "organiser", "--event", "nope"},
		 3, "no event 'nope'"},
		{"N07 admin of an event", PW "\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B", "--role", "admin",
		  "--event", "event-a"},
		 2, "whole site"},
		{"N08 unknown role", PW "\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B", "--role", "king"},
		 2, "--role is"},
		{"N09 short password", "short\n",
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B"}, 2,
		 "at least 12 characters"},
		{"N10 no password", "", {"add", "--db", path, "--email", "b@example.org", "--name", "B"},
		 2, "no password"},
		{"N11 password too long", big,
		 {"add", "--db", path, "--email", "b@example.org", "--name", "B"}, 2, "longer than"},
		{"N12 e-mail taken, other case", PW "\n",
		 {"add", "--db", path, "--email", "ANN@example.org", "--name", "Ann"}, 4, "exists"},
		{"N13 no such database", PW "\n",
		 {"add", "--db", missing, "--email", "b@example.org", "--name", "B"}, 3,
		 "no such database"},
		{"N14 unknown subcommand", "", {"remove", "--db", path}, 2, "unknown command"},
		{"N15 unknown flag", "", {"list", "--db", path, "--verbose"}, 2, "--verbose"},
		{"N16 flag of another subcommand", "", {"list", "--db", path, "--email", "x@y.org"}, 2,
		 "--email"},
		{"N17 passwd of nobody", PW "\n",
		 {"passwd", "--db", path, "--email", "nobody@example.org"}, 3, "no account"},
		{"N18 grant a participant", "",
		 {"grant", "--db", path, "--email", "ann@example.org", "--role", "participant"}, 2,
		 "admin or organiser"},
		{"N19 revoke what is not held", "",
		 {"revoke", "--db", path, "--email", "ann@example.org", "--role", "organiser",
		  "--event", "event-a"},
		 3,
		 "does not have"},
		{"N20 bad format", "", {"list", "--db", path, "--format", "xml"}, 2, "text or json"},
		{"N21 stray argument", "", {"list", "--db", path, "extra"}, 2, "unexpected"},
		{"N22 grant twice", "",
		 {"grant", "--db", path, "--email", "ann@example.org", "--role", "admin"}, 4,
		 "already has"},
	};
	const char *grant[] = {"grant", "--db", path, "--email", "ann@example.org", "--role",
			       "admin", NULL};
	assert_int_equal(run_user("", &out, &err, grant), 0);
	free(out);
	free(err);
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		int rc = run_user(rows[i].in, &out, &err, rows[i].args);
		if (rc != rows[i].code || !strstr(err, rows[i].says))
			fail_msg("%s: exit %d (want %d), said: %s", rows[i].id, rc, rows[i].code, err);
		if (strstr(out, PW) || strstr(err, PW))
			fail_msg("%s: the password was printed", rows[i].id);
		free(out);
		free(err);
	}
	/* Nothing but the first account was made. */
	struct db *db;
	char dberr[256];
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, 0, &db, dberr, sizeof(dberr)), HM_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM account"), 1);
	db_close(db);
	free(missing);
	free(path);
}

/* Reads from the pty master until want appears in all (or 10 s pass). */
static int pty_wait_for(int master, struct buf *all, const char *want)
{
	for (int i = 0; i < 100 && !strstr(all->data, want); i++) {
		struct pollfd pfd = {.fd = master, .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0) {
			char tmp[512];
			ssize_t n = read(master, tmp, sizeof(tmp));
			if (n <= 0)
				break;
			buf_append(all, tmp, (size_t)n);
		}
	}
	return strstr(all->data, want) != NULL;
}

static void test_cli_user_asks_twice_on_a_terminal_without_echo(void **state)
{
	(void)state;
	char *path = fresh_db_path();
	const char *const cases[][2] = {
		{PW, PW},                  /* matching: the account is made */
		{PW, "something else entirely"}, /* differing: refused, exit 2 */
	};
	for (size_t c = 0; c < HM_ARRAY_LEN(cases); c++) {
		int master = posix_openpt(O_RDWR | O_NOCTTY);
		assert_true(master >= 0);
		assert_int_equal(grantpt(master), 0);
		assert_int_equal(unlockpt(master), 0);
		char *slave_name = xstrdup(ptsname(master));
		char *email = xasprintf("tty%zu@example.org", c);
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int slave = open(slave_name, O_RDWR);
			int null = open("/dev/null", O_WRONLY);
			if (slave < 0 || null < 0)
				_exit(100);
			dup2(slave, 0);
			dup2(slave, 2);
			dup2(null, 1);
			char *argv[] = {(char *)(uintptr_t) "user", (char *)(uintptr_t) "add",
					(char *)(uintptr_t) "--db", path,
					(char *)(uintptr_t) "--email", email,
					(char *)(uintptr_t) "--name", (char *)(uintptr_t) "Tty", NULL};
			_exit(cli_user(8, argv));
		}
		struct buf all;
		buf_init(&all);
		buf_puts(&all, "");
		assert_true(pty_wait_for(master, &all, "characters): "));
		assert_true(write(master, cases[c][0], strlen(cases[c][0])) > 0);
		assert_true(write(master, "\n", 1) == 1);
		assert_true(pty_wait_for(master, &all, "Once more: "));
		assert_true(write(master, cases[c][1], strlen(cases[c][1])) > 0);
		assert_true(write(master, "\n", 1) == 1);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		pty_wait_for(master, &all, "\n\n"); /* drain what is left */
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), c == 0 ? 0 : 2);
		/* Nothing typed was echoed. */
		assert_null(strstr(all.data, cases[c][0]));
		assert_null(strstr(all.data, cases[c][1]));
		if (c == 1)
			assert_non_null(strstr(all.data, "differ"));
		buf_free(&all);
		close(master);
		free(slave_name);
		free(email);
	}
	struct db *db;
	char dberr[256], token[AUTH_TOKEN_SIZE];
	int64_t id;
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, 0, &db, dberr, sizeof(dberr)), HM_OK);
	assert_int_equal(sign_in(db, "tty0@example.org", PW, NULL, T0, token, NULL), HM_OK);
	assert_int_equal(auth_account_find(db, "tty1@example.org", &id), HM_ENOTFOUND);
	db_close(db);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pwhash_production_costs_are_argon2id_interactive),
		cmocka_unit_test(test_password_check_rules),
		cmocka_unit_test(test_password_hash_verify_and_rehash),
		cmocka_unit_test(test_sign_in_rehashes_when_costs_change),
		cmocka_unit_test(test_email_normalise_rows),
		cmocka_unit_test(test_account_create_refusals),
		cmocka_unit_test(test_account_create_stores_lowercase_and_audits),
		cmocka_unit_test(test_role_grant_and_revoke),
		cmocka_unit_test(test_session_sign_in_lookup_sign_out),
		cmocka_unit_test(test_session_lookup_refuses_malformed_and_unknown),
		cmocka_unit_test(test_session_idle_expiry_slides),
		cmocka_unit_test(test_session_absolute_expiry),
		cmocka_unit_test(test_session_last_seen_written_at_most_once_a_minute),
		cmocka_unit_test(test_sign_in_rotates_session),
		cmocka_unit_test(test_password_change_ends_sessions),
		cmocka_unit_test(test_purge_drops_only_dead_rows),
		cmocka_unit_test(test_csrf_accepts_own_token_only),
		cmocka_unit_test(test_anon_csrf_double_submit),
		cmocka_unit_test(test_cookie_headers),
		cmocka_unit_test(test_throttle_delays_double),
		cmocka_unit_test(test_throttle_delay_is_capped),
		cmocka_unit_test(test_unknown_email_and_wrong_password_look_the_same),
		cmocka_unit_test(test_throttle_per_address),
		cmocka_unit_test(test_throttle_forgets_after_window),
		cmocka_unit_test(test_reset_is_single_use),
		cmocka_unit_test(test_reset_expires_and_is_replaced),
		cmocka_unit_test(test_api_token_scopes_and_revocation),
		cmocka_unit_test(test_api_token_expires_after_its_days),
		cmocka_unit_test(test_api_token_without_expiry_never_expires),
		cmocka_unit_test(test_api_token_refuses_other_lifetimes),
		cmocka_unit_test(test_two_factor_rfc6238_vectors_and_no_replay),
		cmocka_unit_test(test_demo_organiser),
		cmocka_unit_test(test_cli_user_add_list_passwd),
		cmocka_unit_test(test_cli_user_refusals),
		cmocka_unit_test(test_cli_user_asks_twice_on_a_terminal_without_echo),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
