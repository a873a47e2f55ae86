/*
 * test_analysis_cli.c — `harmony analyze` end to end on small folders
 * written by the test: exit codes and messages for bad input (missing
 * files, malformed lines, unknown votes, duplicate ids, bad options),
 * byte-identical JSON across runs, the sign of agree at the boundary, text
 * output, declared groups, replay and scale mode.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli/analyze.h"
#include "test_analysis_util.h"

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void remove_file(const char *name)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	unlink(p);
	free(p);
}

/* A small conversation: statement 1 everyone agrees with, statements
 * 2–5 split two camps, statement 6 everyone disagrees with. */
static void write_conversation(void)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
	for (int t = 1; t <= 6; t++)
		buf_printf(&b, "%d,x,%d,1,0,0,1,Statement %d\n", t, t, t);
	write_file("comments.csv", b.data);
	buf_reset(&b);
	buf_puts(&b, "timestamp,datetime,comment-id,voter-id,vote\n");
	int ts = 100;
	for (int p = 1; p <= 40; p++) {
		int camp = p % 2 ? 1 : -1;
		buf_printf(&b, "%d,x,1,%d,1\n", ts++, p);
		for (int t = 2; t <= 5; t++)
			buf_printf(&b, "%d,x,%d,%d,%d\n", ts++, t, p, (t % 2 ? camp : -camp));
		buf_printf(&b, "%d,x,6,%d,-1\n", ts++, p);
	}
	write_file("votes.csv", b.data);
	buf_free(&b);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hm-analyze-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_conversation();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = { "comments.csv", "votes.csv", "out.json", "out2.json", "out.txt",
				"groups.csv", "err.txt", "participants-votes.csv" };
	for (size_t i = 0; i < HM_ARRAY_LEN(names); i++)
		remove_file(names[i]);
	rmdir(tmpdir);
	return 0;
}

/* Runs cli_analyze with stderr captured; returns the exit code and
 * leaves stderr's text in *err (caller frees). */
static int run_v(char **err, const char *const *in)
{
	char *argv[16] = { xstrdup("analyze") };
	int argc = 1;
	for (size_t i = 0; in[i] && argc < 15; i++)
		argv[argc++] = xstrdup(in[i]);
	char *errpath = xasprintf("%s/err.txt", tmpdir);
	fflush(stderr);
	int saved = dup(2);
	int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	int rc = cli_analyze(argc, argv);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size_t len;
	*err = tu_read(errpath, &len);
	free(errpath);
	return rc;
}

#define run(err, ...) run_v(err, (const char *const[]){ __VA_ARGS__, NULL })

static char *out_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void test_cli_rejects_bad_input_with_file_and_line(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		const char *file, *text; /* written over the good one, NULL: removed */
		const char *want;        /* in the message */
	} rows[] = {
		{ "missing votes", "votes.csv", NULL, "no votes.csv" },
		{ "malformed line", "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,1,1\n2,x,1\n",
		  "votes.csv:3: expected 5 fields" },
		{ "unknown vote", "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,1,agree\n",
		  "votes.csv:2: unknown vote value" },
		{ "duplicate comment", "comments.csv", "comment-id,moderated\n1,1\n1,1\n",
		  "comments.csv:3: duplicate comment-id 1" },
		{ "vote on unknown comment", "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1,x,99,1,1\n",
		  "votes.csv:2: vote on comment 99" },
		{ "no votes at all", "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n", "no votes" },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(rows); i++) {
		char *err = NULL;
		if (rows[i].text)
			write_file(rows[i].file, rows[i].text);
		else
			remove_file(rows[i].file);
		int rc = run(&err, tmpdir, "--format", "json");
		if (rc == 0)
			fail_msg("%s: exit code 0", rows[i].id);
		if (!err || !strstr(err, rows[i].want))
			fail_msg("%s: stderr \"%s\" lacks \"%s\"", rows[i].id, err ? err : "", rows[i].want);
		free(err);
		write_conversation();
	}
}

static void test_cli_rejects_bad_options(void **state)
{
	(void)state;
	static const char *const bad[][3] = {
		{ "--format", "xml", NULL }, { "--mode", "fast", NULL }, { "--tick", "0", NULL },
		{ "--bogus", NULL, NULL },   { "--membership", NULL, NULL },
	};
	char *err;
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		int rc = run(&err, tmpdir, bad[i][0], bad[i][1]);
		if (rc == 0 || !strstr(err, "usage:"))
			fail_msg("row %zu (%s): rc %d, stderr %s", i, bad[i][0], rc, err);
		free(err);
	}
	int rc = run(&err, "/nonexistent/folder");
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err, "/nonexistent/folder"));
	free(err);
	rc = run(&err, tmpdir, "--meta", "1-3,x");
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err, "ranges such as"));
	free(err);
	rc = run(&err, tmpdir, "--meta", "2,77");
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err, "no statement 77"));
	free(err);
	char *groups = out_path("groups.csv");
	write_file("groups.csv", "participant,sector\n1,ngo\n1,gov\n");
	rc = run(&err, tmpdir, "--groups-from", groups);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(err, "groups.csv:3: duplicate participant 1"));
	free(err);
	free(groups);
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("%s: %s", path, je.text);
	return j;
}

static void test_cli_json_is_deterministic_and_agree_is_plus_one(void **state)
{
	(void)state;
	char *err, *o1 = out_path("out.json"), *o2 = out_path("out2.json");
	assert_int_equal(run(&err, tmpdir, "--format", "json", "--output", o1), 0);
	free(err);
	assert_int_equal(run(&err, tmpdir, "--format", "json", "--output", o2), 0);
	free(err);
	size_t l1, l2;
	char *a = tu_read(o1, &l1), *b = tu_read(o2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(a);
	free(b);
	json_t *j = load_json(o1);
	/* everyone agreed with statement 1 and disagreed with 6 */
	json_t *agree = json_object_get(json_object_get(j, "consensus"), "agree");
	json_t *disagree = json_object_get(json_object_get(j, "consensus"), "disagree");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(agree, 0), "tid")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(disagree, 0), "tid")), 6);
	assert_true(json_number_value(json_array_get(json_object_get(json_object_get(j, "pca"), "center"), 0)) == 1.0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "harmony"), "sign")), "agree=+1");
	/* two camps: two groups of 20 */
	json_t *groups = json_object_get(j, "groups");
	assert_int_equal(json_array_size(groups), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(groups, 0), "size")), 20);
	/* each camp's representative statements are its own side: the side
	 * each is representative for is the side most of the group voted, and
	 * a statement representative of both camps is so for opposite sides
	 * (Pol.is's "best-agree" entry keeps the side its test gave, so it is
	 * left out) */
	json_t *repness = json_object_get(j, "repness");
	assert_int_equal(json_object_size(repness), 2);
	const char *gid;
	json_t *list;
	json_object_foreach(repness, gid, list) {
		assert_true(json_array_size(list) > 0);
		json_t *votes = json_object_get(json_object_get(json_object_get(j, "group-votes"), gid),
						"votes");
		size_t i;
		json_t *it;
		json_array_foreach(list, i, it) {
			if (json_is_true(json_object_get(it, "best-agree")))
				continue;
			char tid[16];
			snprintf(tid, sizeof(tid), "%lld",
				 (long long)json_integer_value(json_object_get(it, "tid")));
			json_t *v = json_object_get(votes, tid);
			json_int_t na = json_integer_value(json_object_get(v, "A"));
			json_int_t nd = json_integer_value(json_object_get(v, "D"));
			const char *side = json_string_value(json_object_get(it, "repful-for"));
			assert_non_null(side);
			if (strcmp(side, "agree") == 0)
				assert_true(na > nd);
			else
				assert_true(strcmp(side, "disagree") == 0 && nd > na);
		}
	}
	json_t *r0 = json_object_get(repness, "0"), *r1 = json_object_get(repness, "1");
	size_t i0, i1;
	json_t *x0, *x1;
	int shared = 0;
	json_array_foreach(r0, i0, x0) json_array_foreach(r1, i1, x1) {
		if (!json_is_true(json_object_get(x0, "best-agree")) &&
		    !json_is_true(json_object_get(x1, "best-agree")) &&
		    json_equal(json_object_get(x0, "tid"), json_object_get(x1, "tid"))) {
			shared++;
			assert_false(json_equal(json_object_get(x0, "repful-for"),
						json_object_get(x1, "repful-for")));
		}
	}
	assert_true(shared > 0);
	json_decref(j);
	/* --meta: statement 2 leaves the maths (mod-out, centre 0, priority 49) */
	assert_int_equal(run(&err, tmpdir, "--format", "json", "--meta", "2", "--output", o1), 0);
	free(err);
	j = load_json(o1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "meta-tids"), 0)), 2);
	assert_true(json_number_value(json_object_get(json_object_get(j, "comment-priorities"), "2")) == 49.0);
	json_decref(j);
	free(o1);
	free(o2);
}

static void test_cli_text_groups_replay_scale(void **state)
{
	(void)state;
	char *err, *o = out_path("out.txt"), *g = out_path("groups.csv");
	size_t len;
	assert_int_equal(run(&err, tmpdir, "--output", o), 0);
	free(err);
	char *text = tu_read(o, &len);
	assert_non_null(strstr(text, "participants 40, statements 6, votes 240"));
	assert_non_null(strstr(text, "Majority consensus, agree:"));
	free(text);

	struct buf b;
	buf_init(&b);
	buf_puts(&b, "participant,sector\n");
	for (int p = 1; p <= 40; p++)
		buf_printf(&b, "%d,%s\n", p, p == 40 ? "solo" : p % 2 ? "ngo" : "gov");
	write_file("groups.csv", b.data);
	buf_free(&b);
	assert_int_equal(run(&err, tmpdir, "--format", "json", "--groups-from", g, "--output", o), 0);
	free(err);
	json_t *j = load_json(o);
	json_t *sector = json_object_get(json_object_get(j, "declared"), "sector");
	assert_non_null(sector);
	json_t *grs = json_object_get(sector, "groups");
	assert_int_equal(json_array_size(grs), 3);
	int insufficient = 0;
	for (size_t i = 0; i < json_array_size(grs); i++)
		if (json_is_true(json_object_get(json_array_get(grs, i), "insufficient")))
			insufficient++;
	assert_int_equal(insufficient, 1); /* "solo" */
	assert_non_null(json_object_get(json_object_get(sector, "consensus"), "1"));
	json_decref(j);

	assert_int_equal(run(&err, tmpdir, "--format", "json", "--replay", "--tick", "7", "--output", o), 0);
	free(err);
	j = load_json(o);
	assert_int_equal(json_array_size(json_object_get(j, "groups")), 2);
	json_decref(j);

	assert_int_equal(run(&err, tmpdir, "--format", "json", "--mode", "scale", "--output", o), 0);
	free(err);
	j = load_json(o);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "harmony"), "mode")), "scale");
	assert_int_equal(json_array_size(json_object_get(j, "groups")), 2);
	json_decref(j);
	free(o);
	free(g);
}

/* Names from the groups file that are not UTF-8 still give valid JSON. */
static void test_cli_json_stays_valid_utf8(void **state)
{
	(void)state;
	char *err, *o = out_path("out.json"), *g = out_path("groups.csv");
	write_file("groups.csv", "participant,sect\xffor\n1,ng\xc3o\n2,\"a\"\"b\\\"\n3,\xe2\x82\xac\n");
	assert_int_equal(run(&err, tmpdir, "--format", "json", "--groups-from", g, "--no-bridging", "--output", o), 0);
	free(err);
	json_t *j = load_json(o); /* jansson rejects invalid UTF-8 */
	json_t *attr = json_object_get(json_object_get(j, "declared"), "sect\xef\xbf\xbdor");
	assert_non_null(attr);
	json_t *grs = json_object_get(attr, "groups");
	assert_string_equal(json_string_value(json_object_get(json_array_get(grs, 0), "name")), "ng\xef\xbf\xbdo");
	assert_string_equal(json_string_value(json_object_get(json_array_get(grs, 1), "name")), "a\"b\\");
	assert_string_equal(json_string_value(json_object_get(json_array_get(grs, 2), "name")), "\xe2\x82\xac");
	json_decref(j);
	free(o);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cli_rejects_bad_input_with_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_rejects_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_json_is_deterministic_and_agree_is_plus_one, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cli_text_groups_replay_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_json_stays_valid_utf8, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
