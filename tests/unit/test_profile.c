/*
 * test_profile.c — what people change about their own account, on real
 * temporary SQLite files: profile updates (rights, fields kept when not
 * given, validation leaving everything as it was, an audit entry with only
 * the changed fields) and password changes (the current password proved
 * under the sign-in throttle, the new one checked first, every session
 * ended and a fresh one made). Time is injected; Argon2 at MIN costs.
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
#include <unistd.h>

#include "auth/auth.h"
#include "db/db.h"

#define T0 ((int64_t)1700000000)
#define PW "correct horse battery"
#define PW2 "another long passphrase"

static char dir[64];
static int ndb;

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hm-test-profile-XXXXXX");
	if (!mkdtemp(dir) || auth_init() != HM_OK)
		return -1;
	auth_pwhash_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	log_min_level = LOG_ERROR + 1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

struct fixture {
	struct db *db;
	int64_t ana, bob;
	struct principal cli, p_ana, p_bob, visitor;
};

/* Ana and Bob, participants with the password PW. */
static void fixture_open(struct fixture *f)
{
	char err[256];
	char *path = xasprintf("%s/profile-%d.db", dir, ++ndb);
	memset(f, 0, sizeof(*f));
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1, &f->db, err, sizeof(err)), HM_OK);
	free(path);
	auth_principal_cli(&f->cli);
	auth_principal_visitor(&f->visitor);
	struct account_new a = {.email = "ana@example.org", .name = "Ana", .organisation = "UNESCO",
				.lang = "fr", .password = PW};
	struct account_new b = {.email = "bob@example.org", .name = "Bob", .password = PW};
	assert_int_equal(auth_account_create(f->db, &f->cli, &a, T0, &f->ana, NULL, 0), HM_OK);
	assert_int_equal(auth_account_create(f->db, &f->cli, &b, T0, &f->bob, NULL, 0), HM_OK);
	assert_int_equal(auth_principal_load(f->db, f->ana, AUTH_VIA_SESSION, &f->p_ana), HM_OK);
	assert_int_equal(auth_principal_load(f->db, f->bob, AUTH_VIA_SESSION, &f->p_bob), HM_OK);
}

static const char *field(struct db *db, int64_t id, const char *key, char *out, size_t n)
{
	json_t *a = auth_account_get(db, id);
	const char *v = json_string_value(json_object_get(a, key));
	snprintf(out, n, "%s", v ? v : "(null)");
	json_decref(a);
	return out;
}

static size_t audit_count(struct db *db, int64_t id, const char *action)
{
	json_t *log = audit_list(db, "account", id, 100);
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(log, i, e)
		n += str_eq(json_string_value(json_object_get(e, "action")), action);
	json_decref(log);
	return n;
}

/* --------------------------------------------------------------- profile */

static void test_profile_update_rights(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	struct account_profile pr = {.name = "Ana María"};
	static const struct {
		const char *id;
		int who; /* 0 visitor, 1 bob, 2 ana, 3 cli */
		enum hm_err want;
	} rows[] = {
		{"visitor", 0, HM_EFORBIDDEN},
		{"another participant", 1, HM_EFORBIDDEN},
		{"herself", 2, HM_OK},
		{"an administrator", 3, HM_OK},
	};
	const struct principal *who[] = {&f.visitor, &f.p_bob, &f.p_ana, &f.cli};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char msg[128] = "";
		enum hm_err e = auth_account_update(f.db, who[rows[i].who], f.ana, &pr, T0, msg, sizeof(msg));
		if (e != rows[i].want)
			fail_msg("%s: got %s (%s)", rows[i].id, hm_err_str(e), msg);
		if (e != HM_OK && !msg[0])
			fail_msg("%s: no reason given", rows[i].id);
	}
	assert_int_equal(auth_account_update(f.db, &f.cli, 9999, &pr, T0, NULL, 0), HM_ENOTFOUND);
	db_close(f.db);
}

static void test_profile_update_refuses_bad_fields_and_changes_nothing(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char longname[AUTH_NAME_MAX + 2];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	static const struct {
		const char *id;
		struct account_profile pr;
		enum hm_err want;
	} rows[] = {
		{"empty name", {.name = ""}, HM_EINVAL},
		{"spaces for a name", {.name = "   "}, HM_EINVAL},
		{"name with a line break", {.name = "Ana\nMaría"}, HM_EINVAL},
		{"name not UTF-8", {.name = "Ana\xff"}, HM_EINVAL},
		{"organisation with a control", {.organisation = "UN\x01"}, HM_EINVAL},
		{"language not a tag", {.lang = "french!"}, HM_EINVAL},
		{"language too short", {.lang = "f"}, HM_EINVAL},
		{"name too long", {.name = NULL}, HM_ETOOBIG},
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		struct account_profile pr = rows[i].pr;
		if (rows[i].want == HM_ETOOBIG)
			pr.name = longname;
		char msg[128] = "";
		enum hm_err e = auth_account_update(f.db, &f.p_ana, f.ana, &pr, T0, msg, sizeof(msg));
		if (e != rows[i].want)
			fail_msg("%s: got %s", rows[i].id, hm_err_str(e));
		if (!msg[0])
			fail_msg("%s: no reason given", rows[i].id);
	}
	char s[256];
	assert_string_equal(field(f.db, f.ana, "name", s, sizeof(s)), "Ana");
	assert_string_equal(field(f.db, f.ana, "organisation", s, sizeof(s)), "UNESCO");
	assert_string_equal(field(f.db, f.ana, "lang", s, sizeof(s)), "fr");
	assert_int_equal(audit_count(f.db, f.ana, "account.update"), 0);
	db_close(f.db);
}

static void test_profile_update_keeps_missing_fields_and_audits_changes(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char s[256];
	struct account_profile pr = {.organisation = "", .lang = "zh-Hans"};
	assert_int_equal(auth_account_update(f.db, &f.p_ana, f.ana, &pr, T0 + 5, NULL, 0), HM_OK);
	assert_string_equal(field(f.db, f.ana, "name", s, sizeof(s)), "Ana");
	assert_string_equal(field(f.db, f.ana, "organisation", s, sizeof(s)), "");
	assert_string_equal(field(f.db, f.ana, "lang", s, sizeof(s)), "zh-Hans");
	assert_string_equal(field(f.db, f.ana, "updated_at", s, sizeof(s)), "2023-11-14T22:13:25Z");
	json_t *log = audit_list(f.db, "account", f.ana, 1);
	json_t *e = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "account.update");
	assert_string_equal(json_string_value(json_object_get(e, "actor")), "ana@example.org");
	json_t *want_before = json_pack("{s:s, s:s}", "organisation", "UNESCO", "lang", "fr");
	json_t *want_after = json_pack("{s:s, s:s}", "organisation", "", "lang", "zh-Hans");
	assert_true(json_equal(json_object_get(e, "before"), want_before));
	assert_true(json_equal(json_object_get(e, "after"), want_after));
	json_decref(want_before);
	json_decref(want_after);
	json_decref(log);
	/* The same values again: nothing written, nothing recorded. */
	assert_int_equal(auth_account_update(f.db, &f.p_ana, f.ana, &pr, T0 + 9, NULL, 0), HM_OK);
	assert_int_equal(audit_count(f.db, f.ana, "account.update"), 1);
	assert_string_equal(field(f.db, f.ana, "updated_at", s, sizeof(s)), "2023-11-14T22:13:25Z");
	/* Other accounts are untouched. */
	assert_string_equal(field(f.db, f.bob, "lang", s, sizeof(s)), "en");
	db_close(f.db);
}

/* --------------------------------------------------------------- password */

static void test_password_change_checks_the_new_one_first(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	static const struct {
		const char *id, *current, *new_pw;
		enum hm_err want;
	} rows[] = {
		{"too short", PW, "short", HM_EINVAL},
		{"not UTF-8", PW, "\xff\xfe long enough here", HM_EINVAL},
		{"same as current", PW, PW, HM_EINVAL},
	};
	/* Many refusals of the new password cost no sign-in attempt... */
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
			char msg[128] = "";
			int64_t retry = -1;
			enum hm_err e = auth_password_change(f.db, &f.p_ana, rows[i].current, rows[i].new_pw,
							     "192.0.2.1", T0, NULL, &retry, msg, sizeof(msg));
			if (e != rows[i].want || !msg[0] || retry != 0)
				fail_msg("%s: got %s (%s)", rows[i].id, hm_err_str(e), msg);
		}
	/* ...so a good change still goes through at once. */
	assert_int_equal(auth_password_change(f.db, &f.p_ana, PW, PW2, "192.0.2.1", T0, NULL, NULL,
					      NULL, 0),
			 HM_OK);
	db_close(f.db);
}

static void test_password_change_is_throttled_like_sign_in(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	int64_t retry = 0;
	char msg[128];
	for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++) {
		enum hm_err e = auth_password_change(f.db, &f.p_ana, "wrong wrong wrong", PW2,
						     "192.0.2.1", T0, NULL, &retry, msg, sizeof(msg));
		if (e != HM_EUNAUTH)
			fail_msg("attempt %d: got %s", i + 1, hm_err_str(e));
	}
	/* Now even the right password waits, as at sign-in. */
	assert_int_equal(auth_password_change(f.db, &f.p_ana, PW, PW2, "192.0.2.1", T0, NULL, &retry,
					      msg, sizeof(msg)),
			 HM_EFORBIDDEN);
	/* The fifth failure, as at sign-in, asks for 2^0 = 1 second. */
	assert_int_equal(retry, 1);
	char token[AUTH_TOKEN_SIZE];
	assert_int_equal(auth_sign_in(f.db, "ana@example.org", PW, NULL, NULL, T0, token, NULL, &retry),
			 HM_EFORBIDDEN);
	/* After the wait the right one works. */
	assert_int_equal(auth_password_change(f.db, &f.p_ana, PW, PW2, "192.0.2.1", T0 + retry, NULL,
					      NULL, NULL, 0),
			 HM_OK);
	/* Bob was never throttled. */
	assert_int_equal(auth_sign_in(f.db, "bob@example.org", PW, NULL, NULL, T0, token, NULL, NULL),
			 HM_OK);
	db_close(f.db);
}

static void test_password_change_ends_sessions_and_makes_a_fresh_one(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char t1[AUTH_TOKEN_SIZE], t2[AUTH_TOKEN_SIZE], fresh[AUTH_TOKEN_SIZE], bobs[AUTH_TOKEN_SIZE];
	struct principal p, me;
	assert_int_equal(auth_sign_in(f.db, "ana@example.org", PW, NULL, NULL, T0, t1, &me, NULL), HM_OK);
	assert_int_equal(auth_sign_in(f.db, "ana@example.org", PW, NULL, NULL, T0, t2, NULL, NULL), HM_OK);
	assert_int_equal(auth_sign_in(f.db, "bob@example.org", PW, NULL, NULL, T0, bobs, NULL, NULL), HM_OK);
	assert_int_equal(auth_password_change(f.db, &me, PW, PW2, NULL, T0 + 10, fresh, NULL, NULL, 0),
			 HM_OK);
	assert_int_equal(strlen(fresh), AUTH_TOKEN_LEN);
	assert_int_equal(auth_session_lookup(f.db, t1, T0 + 11, &p), HM_EUNAUTH);
	assert_int_equal(auth_session_lookup(f.db, t2, T0 + 11, &p), HM_EUNAUTH);
	assert_int_equal(auth_session_lookup(f.db, fresh, T0 + 11, &p), HM_OK);
	assert_int_equal(p.account_id, f.ana);
	assert_int_equal(auth_session_lookup(f.db, bobs, T0 + 11, &p), HM_OK);
	assert_int_equal(auth_sign_in(f.db, "ana@example.org", PW, NULL, NULL, T0 + 12, t1, NULL, NULL),
			 HM_EUNAUTH);
	assert_int_equal(auth_sign_in(f.db, "ana@example.org", PW2, NULL, NULL, T0 + 12, t1, NULL, NULL),
			 HM_OK);
	assert_int_equal(audit_count(f.db, f.ana, "account.password"), 1);
	db_close(f.db);
}

static void test_password_change_needs_an_account(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f);
	char msg[128] = "";
	assert_int_equal(auth_password_change(f.db, &f.visitor, PW, PW2, NULL, T0, NULL, NULL, msg,
					      sizeof(msg)),
			 HM_EFORBIDDEN);
	assert_true(msg[0] != '\0');
	assert_int_equal(auth_password_change(f.db, NULL, PW, PW2, NULL, T0, NULL, NULL, NULL, 0),
			 HM_EFORBIDDEN);
	/* The command line has no account and no password to prove. */
	assert_int_equal(auth_password_change(f.db, &f.cli, PW, PW2, NULL, T0, NULL, NULL, NULL, 0),
			 HM_EFORBIDDEN);
	/* A read-only token may not change anything. */
	struct principal ro = f.p_ana;
	ro.via = AUTH_VIA_API_TOKEN;
	ro.read_only = 1;
	assert_int_equal(auth_password_change(f.db, &ro, PW, PW2, NULL, T0, NULL, NULL, NULL, 0),
			 HM_EFORBIDDEN);
	struct account_profile pr = {.name = "X"};
	assert_int_equal(auth_account_update(f.db, &ro, f.ana, &pr, T0, NULL, 0), HM_EFORBIDDEN);
	db_close(f.db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_update_rights),
		cmocka_unit_test(test_profile_update_refuses_bad_fields_and_changes_nothing),
		cmocka_unit_test(test_profile_update_keeps_missing_fields_and_audits_changes),
		cmocka_unit_test(test_password_change_checks_the_new_one_first),
		cmocka_unit_test(test_password_change_is_throttled_like_sign_in),
		cmocka_unit_test(test_password_change_ends_sessions_and_makes_a_fresh_one),
		cmocka_unit_test(test_password_change_needs_an_account),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
