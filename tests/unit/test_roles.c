/*
 * test_roles.c — the role × action table through auth_can: who may do
 * what where, negative cases first; default deny for visitors and for
 * anything out of range; admins allowed everything; read-only tokens
 * refused every write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"

/* Series S holds events A and B; series T holds event C. */
enum { SERIES_S = 1, SERIES_T = 2, EVENT_A = 10, EVENT_B = 11, EVENT_C = 20 };
enum { ACC_PARTICIPANT = 100, ACC_ORG_A = 101, ACC_ORG_S = 102, ACC_ADMIN = 103, ACC_OTHER = 199 };

enum who {
	VISITOR,
	PARTICIPANT,
	ORG_A,     /* organiser of event A */
	ORG_S,     /* organiser of series S */
	ADMIN,
	ADMIN_RO,  /* an admin's read-only API token */
	ORG_A_RO,  /* organiser of A through a read-only API token */
	CLI,
	FAKE,      /* an account whose grant list holds nonsense roles */
	NOBODY,    /* NULL principal */
	WHO__MAX
};

static struct principal people[WHO__MAX];

static void person(enum who w, int64_t account, enum auth_via via)
{
	auth_principal_visitor(&people[w]);
	people[w].account_id = account;
	people[w].via = via;
}

static void grant(enum who w, enum auth_role role, int64_t event, int64_t series)
{
	struct principal *p = &people[w];
	p->grants[p->ngrants++] = (struct auth_grant){role, event, series};
}

static int setup(void **state)
{
	(void)state;
	person(VISITOR, 0, AUTH_VIA_NONE);
	person(PARTICIPANT, ACC_PARTICIPANT, AUTH_VIA_SESSION);
	person(ORG_A, ACC_ORG_A, AUTH_VIA_SESSION);
	grant(ORG_A, AUTH_ROLE_ORGANISER, EVENT_A, 0);
	person(ORG_S, ACC_ORG_S, AUTH_VIA_SESSION);
	grant(ORG_S, AUTH_ROLE_ORGANISER, 0, SERIES_S);
	person(ADMIN, ACC_ADMIN, AUTH_VIA_SESSION);
	grant(ADMIN, AUTH_ROLE_ADMIN, 0, 0);
	person(ADMIN_RO, ACC_ADMIN, AUTH_VIA_API_TOKEN);
	grant(ADMIN_RO, AUTH_ROLE_ADMIN, 0, 0);
	people[ADMIN_RO].read_only = 1;
	person(ORG_A_RO, ACC_ORG_A, AUTH_VIA_API_TOKEN);
	grant(ORG_A_RO, AUTH_ROLE_ORGANISER, EVENT_A, 0);
	people[ORG_A_RO].read_only = 1;
	auth_principal_cli(&people[CLI]);
	person(FAKE, ACC_OTHER, AUTH_VIA_SESSION);
	grant(FAKE, AUTH_ROLE_VISITOR, EVENT_A, SERIES_S);
	grant(FAKE, AUTH_ROLE_PARTICIPANT, EVENT_A, SERIES_S);
	grant(FAKE, (enum auth_role)77, EVENT_A, SERIES_S);
	grant(FAKE, AUTH_ROLE_ORGANISER, 0, 0); /* organiser of nothing */
	return 0;
}

enum where { SITE, IN_A, IN_B, IN_C, ONLY_S, ONLY_T, EVENT_A_NO_SERIES, OWN_REG_A,
	     OTHERS_REG_A, VISITOR_OWNED, OWN_PROFILE, OTHERS_PROFILE, WHERE__MAX };

static const struct auth_scope scopes[WHERE__MAX] = {
	[SITE] = {0, 0, 0},
	[IN_A] = {EVENT_A, SERIES_S, 0},
	[IN_B] = {EVENT_B, SERIES_S, 0},
	[IN_C] = {EVENT_C, SERIES_T, 0},
	[ONLY_S] = {0, SERIES_S, 0},
	[ONLY_T] = {0, SERIES_T, 0},
	[EVENT_A_NO_SERIES] = {EVENT_A, 0, 0},
	[OWN_REG_A] = {EVENT_A, SERIES_S, ACC_PARTICIPANT},
	[OTHERS_REG_A] = {EVENT_A, SERIES_S, ACC_OTHER},
	[VISITOR_OWNED] = {EVENT_A, SERIES_S, 0},
	[OWN_PROFILE] = {0, 0, ACC_PARTICIPANT},
	[OTHERS_PROFILE] = {0, 0, ACC_OTHER},
};

struct row {
	const char *id;
	enum who who;
	enum auth_action action;
	int where; /* enum where, or -1 for a NULL scope */
	int allowed;
};

static const struct row rows[] = {
	/* ---- refused */
	{"N01 participant edits an event", PARTICIPANT, AUTH_EVENT_EDIT, IN_A, 0},
	{"N02 participant reads a draft", PARTICIPANT, AUTH_DRAFT_READ, IN_A, 0},
	{"N03 participant manages registrations", PARTICIPANT, AUTH_REGISTRATION_MANAGE, IN_A, 0},
	{"N04 participant edits another's registration", PARTICIPANT, AUTH_REGISTRATION_OWN,
	 OTHERS_REG_A, 0},
	{"N05 participant edits another's profile", PARTICIPANT, AUTH_ACCOUNT_SELF, OTHERS_PROFILE,
	 0},
	{"N05b participant reads another's profile", PARTICIPANT, AUTH_ACCOUNT_VIEW,
	 OTHERS_PROFILE, 0},
	{"N06 participant moderates dialogue", PARTICIPANT, AUTH_DIALOGUE_MODERATE, IN_A, 0},
	{"N07 participant creates a series", PARTICIPANT, AUTH_SERIES_CREATE, -1, 0},
	{"N08 organiser of A edits event B", ORG_A, AUTH_EVENT_EDIT, IN_B, 0},
	{"N09 organiser of A edits event C", ORG_A, AUTH_EVENT_EDIT, IN_C, 0},
	{"N10 organiser of A edits B's programme", ORG_A, AUTH_PROGRAMME_EDIT, IN_B, 0},
	{"N11 organiser of A reads B's drafts", ORG_A, AUTH_DRAFT_READ, IN_B, 0},
	{"N12 organiser of A edits series S", ORG_A, AUTH_SERIES_EDIT, ONLY_S, 0},
	{"N13 organiser of A edits series S given A too", ORG_A, AUTH_SERIES_EDIT, IN_A, 0},
	{"N14 organiser of A creates an event in S", ORG_A, AUTH_EVENT_CREATE, ONLY_S, 0},
	{"N15 organiser of A edits site news", ORG_A, AUTH_NEWS_EDIT, SITE, 0},
	{"N16 organiser of A edits with no scope", ORG_A, AUTH_EVENT_EDIT, -1, 0},
	{"N17 organiser of A manages accounts", ORG_A, AUTH_ACCOUNT_MANAGE, -1, 0},
	{"N18 organiser of A reads the audit log", ORG_A, AUTH_AUDIT_READ, -1, 0},
	{"N19 organiser of A changes site settings", ORG_A, AUTH_SITE_ADMIN, -1, 0},
	{"N20 organiser of S edits event C", ORG_S, AUTH_EVENT_EDIT, IN_C, 0},
	{"N21 organiser of S edits series T", ORG_S, AUTH_SERIES_EDIT, ONLY_T, 0},
	{"N22 organiser of S creates an event in T", ORG_S, AUTH_EVENT_CREATE, ONLY_T, 0},
	{"N23 organiser of S creates a series", ORG_S, AUTH_SERIES_CREATE, -1, 0},
	{"N24 visitor reads a draft", VISITOR, AUTH_DRAFT_READ, IN_A, 0},
	{"N25 visitor votes", VISITOR, AUTH_DIALOGUE_PARTICIPATE, IN_A, 0},
	{"N26 visitor edits a visitor-owned registration", VISITOR, AUTH_REGISTRATION_OWN,
	 VISITOR_OWNED, 0},
	{"N27 visitor edits a profile", VISITOR, AUTH_ACCOUNT_SELF, SITE, 0},
	{"N28 NULL principal edits an event", NOBODY, AUTH_EVENT_EDIT, IN_A, 0},
	{"N29 NULL principal reads a draft", NOBODY, AUTH_DRAFT_READ, IN_A, 0},
	{"N30 admin read-only token edits an event", ADMIN_RO, AUTH_EVENT_EDIT, IN_A, 0},
	{"N31 admin read-only token manages accounts", ADMIN_RO, AUTH_ACCOUNT_MANAGE, -1, 0},
	{"N32 read-only token edits own profile", ORG_A_RO, AUTH_ACCOUNT_SELF, SITE, 0},
	{"N33 organiser read-only token edits programme", ORG_A_RO, AUTH_PROGRAMME_EDIT, IN_A, 0},
	{"N34 nonsense grants edit an event", FAKE, AUTH_EVENT_EDIT, IN_A, 0},
	{"N35 nonsense grants read a draft", FAKE, AUTH_DRAFT_READ, IN_A, 0},
	{"N36 organiser of nothing edits a site-wide thing", FAKE, AUTH_NEWS_EDIT, SITE, 0},
	{"N37 admin, action out of range", ADMIN, AUTH_ACTION__MAX, -1, 0},
	{"N38 cli, action out of range", CLI, (enum auth_action)-1, -1, 0},
	{"N39 organiser of A deletes event A", ORG_A, AUTH_RECORD_DELETE, IN_A, 0},
	{"N40 organiser of S deletes series S", ORG_S, AUTH_RECORD_DELETE, ONLY_S, 0},
	{"N41 admin read-only token deletes", ADMIN_RO, AUTH_RECORD_DELETE, IN_A, 0},
	/* ---- allowed */
	{"P01 visitor reads published pages", VISITOR, AUTH_PUBLIC_READ, IN_A, 1},
	{"P02 NULL principal reads published pages", NOBODY, AUTH_PUBLIC_READ, -1, 1},
	{"P03 participant edits own registration", PARTICIPANT, AUTH_REGISTRATION_OWN, OWN_REG_A,
	 1},
	{"P04 participant votes", PARTICIPANT, AUTH_DIALOGUE_PARTICIPATE, IN_C, 1},
	{"P05 participant edits own profile", PARTICIPANT, AUTH_ACCOUNT_SELF, OWN_PROFILE, 1},
	{"P05b participant reads own profile", PARTICIPANT, AUTH_ACCOUNT_VIEW, OWN_PROFILE, 1},
	{"P06 organiser of A edits event A", ORG_A, AUTH_EVENT_EDIT, IN_A, 1},
	{"P07 organiser of A edits A given without series", ORG_A, AUTH_EVENT_EDIT,
	 EVENT_A_NO_SERIES, 1},
	{"P08 organiser of A edits A's programme", ORG_A, AUTH_PROGRAMME_EDIT, IN_A, 1},
	{"P09 organiser of A reads A's drafts", ORG_A, AUTH_DRAFT_READ, IN_A, 1},
	{"P10 organiser of A manages A's registrations", ORG_A, AUTH_REGISTRATION_MANAGE, IN_A, 1},
	{"P11 organiser of A edits another's registration in A", ORG_A, AUTH_REGISTRATION_OWN,
	 OTHERS_REG_A, 1},
	{"P12 organiser of A moderates A's dialogue", ORG_A, AUTH_DIALOGUE_MODERATE, IN_A, 1},
	{"P13 organiser of A edits A's outcomes", ORG_A, AUTH_OUTCOME_EDIT, IN_A, 1},
	{"P14 organiser of A edits A's news", ORG_A, AUTH_NEWS_EDIT, IN_A, 1},
	{"P15 organiser of A votes like any participant", ORG_A, AUTH_DIALOGUE_PARTICIPATE, IN_B,
	 1},
	{"P16 organiser of S edits event A", ORG_S, AUTH_EVENT_EDIT, IN_A, 1},
	{"P17 organiser of S edits event B", ORG_S, AUTH_EVENT_EDIT, IN_B, 1},
	{"P18 organiser of S edits B's outcomes", ORG_S, AUTH_OUTCOME_EDIT, IN_B, 1},
	{"P19 organiser of S edits series S", ORG_S, AUTH_SERIES_EDIT, ONLY_S, 1},
	{"P20 organiser of S creates an event in S", ORG_S, AUTH_EVENT_CREATE, ONLY_S, 1},
	{"P21 admin read-only token reads drafts", ADMIN_RO, AUTH_DRAFT_READ, IN_C, 1},
	{"P22 admin read-only token reads the audit log", ADMIN_RO, AUTH_AUDIT_READ, -1, 1},
	{"P23 organiser read-only token reads A's drafts", ORG_A_RO, AUTH_DRAFT_READ, IN_A, 1},
	{"P24 cli manages accounts", CLI, AUTH_ACCOUNT_MANAGE, -1, 1},
	{"P25 nonsense grants still read published pages", FAKE, AUTH_PUBLIC_READ, IN_A, 1},
	{"P26 admin deletes without scope", ADMIN, AUTH_RECORD_DELETE, -1, 1},
};

static void test_roles_table_rows(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		const struct principal *p = r->who == NOBODY ? NULL : &people[r->who];
		const struct auth_scope *s = r->where < 0 ? NULL : &scopes[r->where];
		int got = auth_can(p, r->action, s);
		if (got != r->allowed) {
			print_error("%s: auth_can gave %d, want %d\n", r->id, got, r->allowed);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_roles_admin_may_do_everything_everywhere(void **state)
{
	(void)state;
	static const enum who admins[] = {ADMIN, CLI};
	for (size_t w = 0; w < HM_ARRAY_LEN(admins); w++)
		for (int a = 0; a < AUTH_ACTION__MAX; a++) {
			for (int s = 0; s < WHERE__MAX; s++)
				if (!auth_can(&people[admins[w]], (enum auth_action)a, &scopes[s]))
					fail_msg("who %d denied %s in scope %d", (int)admins[w],
						 auth_action_name((enum auth_action)a), s);
			if (!auth_can(&people[admins[w]], (enum auth_action)a, NULL))
				fail_msg("who %d denied %s without scope", (int)admins[w],
					 auth_action_name((enum auth_action)a));
		}
}

static void test_roles_visitor_may_only_read_published(void **state)
{
	(void)state;
	for (int a = 0; a < AUTH_ACTION__MAX; a++)
		for (int s = -1; s < WHERE__MAX; s++) {
			int got = auth_can(&people[VISITOR], (enum auth_action)a,
					   s < 0 ? NULL : &scopes[s]);
			int want = a == AUTH_PUBLIC_READ;
			if (got != want)
				fail_msg("visitor %s in scope %d: %d, want %d",
					 auth_action_name((enum auth_action)a), s, got, want);
		}
}

static void test_roles_read_only_tokens_never_write(void **state)
{
	(void)state;
	/* Whatever a read-only admin token may do, a read-only organiser
	 * token may do no more, and neither may do anything that the
	 * read-write admin can only do as a write. */
	static const enum auth_action reads[] = {AUTH_PUBLIC_READ, AUTH_DRAFT_READ,
						 AUTH_AUDIT_READ, AUTH_ACCOUNT_VIEW};
	for (int a = 0; a < AUTH_ACTION__MAX; a++) {
		int is_read = 0;
		for (size_t i = 0; i < HM_ARRAY_LEN(reads); i++)
			is_read |= reads[i] == (enum auth_action)a;
		/* In every scope, and without one. */
		for (int s = -1; s < WHERE__MAX; s++) {
			const struct auth_scope *sc = s < 0 ? NULL : &scopes[s];
			const char *name = auth_action_name((enum auth_action)a);
			int admin = auth_can(&people[ADMIN_RO], (enum auth_action)a, sc);
			if (admin != is_read)
				fail_msg("read-only admin token, %s in scope %d: %d, want %d", name, s,
					 admin, is_read);
			int org = auth_can(&people[ORG_A_RO], (enum auth_action)a, sc);
			if (org && !admin)
				fail_msg("read-only organiser token, %s in scope %d: allowed beyond the "
					 "read-only admin token",
					 name, s);
			if (org && !is_read)
				fail_msg("read-only organiser token, %s in scope %d: a write", name, s);
		}
	}
}

static void test_roles_every_action_has_a_distinct_name(void **state)
{
	(void)state;
	for (int a = 0; a < AUTH_ACTION__MAX; a++) {
		const char *n = auth_action_name((enum auth_action)a);
		assert_non_null(strchr(n, '.'));
		for (int b = 0; b < a; b++)
			assert_string_not_equal(n, auth_action_name((enum auth_action)b));
	}
	assert_string_equal(auth_action_name(AUTH_ACTION__MAX), "?");
	assert_string_equal(auth_action_name((enum auth_action)-5), "?");
}

static void test_roles_cli_principal_is_admin_without_account(void **state)
{
	(void)state;
	struct principal p;
	auth_principal_cli(&p);
	assert_int_equal(p.via, AUTH_VIA_CLI);
	assert_int_equal(p.account_id, 0);
	assert_true(auth_is_admin(&p));
	assert_false(auth_is_admin(&people[ORG_S]));
	assert_false(auth_is_admin(NULL));
	/* "own" actions need an account: the CLI has none, but is admin. */
	struct auth_scope none = {0, 0, 0};
	assert_false(auth_can(&people[PARTICIPANT], AUTH_ACCOUNT_SELF, &none));
	assert_true(auth_can(&p, AUTH_ACCOUNT_SELF, &none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_table_rows),
		cmocka_unit_test(test_roles_admin_may_do_everything_everywhere),
		cmocka_unit_test(test_roles_visitor_may_only_read_published),
		cmocka_unit_test(test_roles_read_only_tokens_never_write),
		cmocka_unit_test(test_roles_every_action_has_a_distinct_name),
		cmocka_unit_test(test_roles_cli_principal_is_admin_without_account),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
