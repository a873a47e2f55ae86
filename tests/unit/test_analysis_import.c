/*
 * test_analysis_import.c — the export readers: RFC 4180 quoting, header
 * driven columns, later votes winning, and for every kind of bad input an
 * error naming the file and the line (table-driven, one row per case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dialogue/analysis/import.h"
#include "test_analysis_util.h"

static const char comments_ok[] =
	"timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
	"1,x,10,1,0,0,1,\"Plain, with a comma\"\n"
	"2,x,11,1,0,0,-1,\"Two\nlines and \"\"quotes\"\"\"\n"
	"3,x,12,2,0,0,0,Third\n";

static void load_comments(struct dataset *d)
{
	struct import_err err;
	dataset_init(d);
	assert_int_equal(import_comments_csv(d, comments_ok, strlen(comments_ok), "comments.csv", &err), HM_OK);
}

static void test_import_comments_quoting_and_moderation(void **state)
{
	(void)state;
	struct dataset d;
	load_comments(&d);
	assert_int_equal(d.n_stmts, 3);
	uint32_t t = dataset_find_stmt(&d, 11);
	assert_int_equal(d.stmt_mod[t], -1);
	assert_string_equal(d.stmt_text[t], "Two\nlines and \"quotes\"");
	assert_string_equal(d.stmt_text[dataset_find_stmt(&d, 10)], "Plain, with a comma");
	assert_int_equal(d.stmt_mod[dataset_find_stmt(&d, 12)], 0);
	dataset_free(&d);
}

static void test_import_votes_later_vote_wins_and_sign(void **state)
{
	(void)state;
	static const char votes[] = "\xEF\xBB\xBFtimestamp,datetime,comment-id,voter-id,vote\r\n"
				    "5,x,10,7,1\r\n"
				    "9,x,10,7,-1\r\n"
				    "7,x,10,7,0\r\n"
				    "1,x,12,3,1\r\n";
	struct dataset d;
	struct import_err err;
	struct vote_csr m;
	load_comments(&d);
	assert_int_equal(import_votes_csv(&d, votes, strlen(votes), "votes.csv", 1, &err), HM_OK);
	dataset_finish(&d);
	assert_int_equal(d.n_ptpts, 2);
	assert_true(d.ptpt_id[0] == 3 && d.ptpt_id[1] == 7); /* ascending ids */
	vote_csr_build(&m, d.n_ptpts, d.n_stmts, d.log.v, d.log.n);
	assert_int_equal(vote_csr_nnz(&m), 2);
	/* participant 7: timestamp 9 (disagree) is the latest */
	assert_int_equal(m.val[m.row_ptr[1]], VOTE_DISAGREE);
	/* "1" in the file is agree = +1 */
	assert_int_equal(m.val[m.row_ptr[0]], VOTE_AGREE);
	vote_csr_free(&m);
	dataset_free(&d);
}

static void test_import_participants_votes_matrix(void **state)
{
	(void)state;
	static const char pv[] = "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,10,11,12\n"
				 "4,,1,0,2,1,1,1,,-1\n"
				 "2,,,0,1,0,0,,0,\n";
	struct dataset d;
	struct import_err err;
	load_comments(&d);
	assert_int_equal(import_participants_votes_csv(&d, pv, strlen(pv), "pv.csv", 1, &err), HM_OK);
	dataset_finish(&d);
	assert_int_equal(d.log.n, 3);
	assert_int_equal(d.polis_group[dataset_find_ptpt(&d, 4)], 1);
	assert_int_equal(d.polis_group[dataset_find_ptpt(&d, 2)], -1);
	dataset_free(&d);
}

enum kind { K_COMMENTS, K_VOTES, K_PV, K_CJSON, K_VJSON, K_GROUPS, K_MEMBERSHIP };

static const struct bad_case {
	const char *id;
	enum kind kind;
	const char *data;
	uint64_t line;
	const char *msg;
} bad[] = {
	{ "comments: empty", K_COMMENTS, "", 1, "empty file" },
	{ "comments: no id column", K_COMMENTS, "a,b\n1,2\n", 1, "comment-id" },
	{ "comments: field count", K_COMMENTS, "comment-id,moderated\n1,1\n2\n", 3, "expected 2 fields" },
	{ "comments: duplicate id", K_COMMENTS, "comment-id\n1\n2\n1\n", 4, "duplicate comment-id 1" },
	{ "comments: id not integer", K_COMMENTS, "comment-id\nabc\n", 2, "not an integer" },
	{ "comments: bad moderation", K_COMMENTS, "comment-id,moderated\n1,2\n", 2, "moderated" },
	{ "comments: unterminated quote", K_COMMENTS, "comment-id,comment-body\n1,\"open\n", 2, "malformed" },
	{ "comments: text after quote", K_COMMENTS, "comment-id,comment-body\n1,\"a\"b\n", 2, "malformed" },
	{ "votes: no vote column", K_VOTES, "comment-id,voter-id\n10,1\n", 1, "vote" },
	{ "votes: unknown vote value", K_VOTES, "comment-id,voter-id,vote\n10,1,1\n10,2,yes\n", 3,
	  "unknown vote value \"yes\"" },
	{ "votes: vote 2", K_VOTES, "comment-id,voter-id,vote\n10,1,2\n", 2, "unknown vote value" },
	{ "votes: unknown comment", K_VOTES, "comment-id,voter-id,vote\n99,1,1\n", 2, "comment 99" },
	{ "votes: bad voter", K_VOTES, "comment-id,voter-id,vote\n10,x1,1\n", 2, "voter-id" },
	{ "votes: bad timestamp", K_VOTES, "timestamp,comment-id,voter-id,vote\nnow,10,1,1\n", 2, "timestamp" },
	{ "votes: short line", K_VOTES, "comment-id,voter-id,vote\n10,1\n", 2, "expected 3 fields" },
	{ "pv: duplicate participant", K_PV, "participant,group-id,10\n1,0,1\n1,0,-1\n", 3,
	  "duplicate participant 1" },
	{ "pv: bad cell", K_PV, "participant,group-id,10\n1,0,x\n", 2, "unknown vote value" },
	{ "pv: unknown column", K_PV, "participant,color\n1,red\n", 1, "color" },
	{ "pv: comment not listed", K_PV, "participant,99\n1,1\n", 1, "comment 99" },
	{ "comments.json: not an array", K_CJSON, "{}", 1, "array" },
	{ "comments.json: invalid", K_CJSON, "[\n{\"tid\": 1,\n}", 3, "invalid JSON" },
	{ "comments.json: no tid", K_CJSON, "[{\"txt\": \"a\"}]", 0, "tid" },
	{ "comments.json: duplicate", K_CJSON, "[{\"tid\": 1}, {\"tid\": 1}]", 0, "duplicate" },
	{ "votes.json: bad vote", K_VJSON, "[{\"pid\": 1, \"tid\": 10, \"vote\": 3}]", 0, "unknown vote value" },
	{ "votes.json: no pid", K_VJSON, "[{\"tid\": 10, \"vote\": 1}]", 0, "pid" },
	{ "votes.json: pid beyond int64", K_VJSON, "[{\"pid\": 1.5e46, \"tid\": 10, \"vote\": 1}]", 0, "pid" },
	{ "votes.json: unknown statement", K_VJSON, "[{\"pid\": 1, \"tid\": 77, \"vote\": 1}]", 0, "comment 77" },
	{ "groups: one column", K_GROUPS, "participant\n1\n", 1, "attribute" },
	{ "groups: duplicate participant", K_GROUPS, "participant,sector\n7,ngo\n7,gov\n", 3, "duplicate participant 7" },
	{ "groups: bad id", K_GROUPS, "participant,sector\nseven,ngo\n", 2, "not an integer" },
	{ "membership: no in-conv", K_MEMBERSHIP, "{}", 0, "in-conv" },
	{ "membership: bad base", K_MEMBERSHIP, "{\"in-conv\": [7], \"base-clusters\": {\"id\": [0], \"members\": []}}", 0,
	  "base-clusters" },
	{ "membership: unknown participant", K_MEMBERSHIP,
	  "{\"in-conv\": [8], \"base-clusters\": {\"id\": [0], \"members\": [[8]]}, \"group-clusters\": "
	  "[{\"id\": 0, \"members\": [0]}]}",
	  0, "participant 8" },
	{ "membership: unknown base", K_MEMBERSHIP,
	  "{\"in-conv\": [7], \"base-clusters\": {\"id\": [0], \"members\": [[7]]}, \"group-clusters\": "
	  "[{\"id\": 0, \"members\": [3]}]}",
	  0, "base cluster 3" },
};

static void test_import_rejects_bad_input_with_file_and_line(void **state)
{
	(void)state;
	static const char votes[] = "comment-id,voter-id,vote\n10,7,1\n";
	for (size_t i = 0; i < HM_ARRAY_LEN(bad); i++) {
		const struct bad_case *c = &bad[i];
		struct dataset d;
		struct import_err err;
		struct declared_attrs g;
		struct membership mb;
		struct membership_dense md;
		enum hm_err rc = HM_OK;
		size_t len = strlen(c->data);
		memset(&err, 0, sizeof(err));
		load_comments(&d);
		switch (c->kind) {
		case K_COMMENTS: {
			struct dataset e;
			dataset_init(&e);
			rc = import_comments_csv(&e, c->data, len, "c.csv", &err);
			dataset_free(&e);
			break;
		}
		case K_VOTES:
			rc = import_votes_csv(&d, c->data, len, "c.csv", 1, &err);
			break;
		case K_PV:
			rc = import_participants_votes_csv(&d, c->data, len, "c.csv", 1, &err);
			break;
		case K_CJSON: {
			struct dataset e;
			dataset_init(&e);
			rc = import_comments_json(&e, c->data, len, "c.csv", &err);
			dataset_free(&e);
			break;
		}
		case K_VJSON:
			rc = import_votes_json(&d, c->data, len, "c.csv", 1, &err);
			break;
		case K_GROUPS:
			assert_int_equal(import_votes_csv(&d, votes, strlen(votes), "v.csv", 1, &err), HM_OK);
			dataset_finish(&d);
			rc = import_groups_csv(&g, &d, c->data, len, "c.csv", &err);
			if (!rc)
				declared_attrs_free(&g);
			break;
		case K_MEMBERSHIP:
			assert_int_equal(import_votes_csv(&d, votes, strlen(votes), "v.csv", 1, &err), HM_OK);
			dataset_finish(&d);
			rc = import_membership_json(&mb, c->data, len, "c.csv", &err);
			if (!rc) {
				rc = membership_resolve(&mb, &d, &md, "c.csv", &err);
				membership_free(&mb);
				if (!rc)
					membership_dense_free(&md);
			}
			break;
		}
		dataset_free(&d);
		if (rc != HM_EINVAL)
			fail_msg("%s: expected HM_EINVAL, got %d", c->id, rc);
		if (strcmp(err.file, "c.csv"))
			fail_msg("%s: error names file \"%s\"", c->id, err.file);
		if (err.line != c->line)
			fail_msg("%s: error on line %llu, want %llu (%s)", c->id, (unsigned long long)err.line,
				 (unsigned long long)c->line, err.msg);
		if (!strstr(err.msg, c->msg))
			fail_msg("%s: message \"%s\" lacks \"%s\"", c->id, err.msg, c->msg);
	}
}

/* The chunked votes.csv reader (scale mode) and the full reader accept
 * the same files: the same vote spellings, the same refusals, the same
 * line in the error. */
static void test_import_both_vote_readers_agree(void **state)
{
	(void)state;
#define HEAD "timestamp,datetime,comment-id,voter-id,vote\n1,x,3,7,1\n"
#define ROW(id, body, ok, line) { id, HEAD body, sizeof(HEAD body) - 1, ok, line }
	static const struct {
		const char *id;
		const char *data;
		size_t len;
		int ok;
		uint64_t line;
	} cases[] = {
		ROW("agree", "2,x,4,7,1\n", 1, 0),
		ROW("disagree", "2,x,4,7,-1\n", 1, 0),
		ROW("pass", "2,x,4,7,0\n", 1, 0),
		ROW("plus-one", "2,x,4,7,+1\n", 1, 0),
		ROW("minus-one-point-zero", "2,x,4,7,-1.0\n", 1, 0),
		ROW("minus-zero", "2,x,4,7,-0\n", 1, 0),
		ROW("crlf", "2,x,4,7,1\r\n", 1, 0),
		ROW("minus-one-point", "2,x,4,7,-1.\n", 0, 3),
		ROW("double-zero", "2,x,4,7,00\n", 0, 3),
		ROW("two", "2,x,4,7,2\n", 0, 3),
		ROW("nul-in-skipped-column", "2,x\0y,4,7,1\n", 0, 3),
		ROW("nul-after-number", "2,x,4\0z,7,1\n", 0, 3),
		ROW("cr-inside-line", "2,x\ry,4,7,1\n", 0, 3),
		ROW("cr-ending-the-file", "2,x,4,7,1\r", 0, 3),
		ROW("twenty-digit-id", "2,x,4,99999999999999999999,1\n", 0, 3),
	};
#undef ROW
#undef HEAD
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		struct import_err e_full, e_stream;
		struct dataset dl, ds;
		struct vote_csr m;
		memset(&e_full, 0, sizeof(e_full));
		memset(&e_stream, 0, sizeof(e_stream));
		dataset_init(&dl);
		enum hm_err rl = import_votes_csv(&dl, cases[i].data, cases[i].len, "v.csv", 0, &e_full);
		dataset_free(&dl);
		/* one byte at a time: every split point of every line */
		dataset_init(&ds);
		struct vote_stream *vs = vote_stream_new(&ds, "v.csv", 0);
		enum hm_err rs = HM_OK;
		for (size_t k = 0; !rs && k < cases[i].len; k++)
			rs = vote_stream_feed(vs, cases[i].data + k, 1, &e_stream);
		if (!rs) {
			rs = vote_stream_finish(vs, &m, &e_stream);
			if (!rs)
				vote_csr_free(&m);
		}
		vote_stream_free(vs);
		dataset_free(&ds);
		if ((rl == HM_OK) != cases[i].ok || (rs == HM_OK) != cases[i].ok)
			fail_msg("%s: full reader %d (%s), stream %d (%s), want %s", cases[i].id, rl, e_full.msg, rs,
				 e_stream.msg, cases[i].ok ? "accepted" : "refused");
		if (!cases[i].ok && (e_full.line != cases[i].line || e_stream.line != cases[i].line))
			fail_msg("%s: lines %llu and %llu, want %llu", cases[i].id, (unsigned long long)e_full.line,
				 (unsigned long long)e_stream.line, (unsigned long long)cases[i].line);
		/* in one piece, blank lines after it: the line is read with room
		 * to look ahead (the fast paths) and must be judged the same */
		if (cases[i].data[cases[i].len - 1] != '\n')
			continue;
		char padded[256];
		assert_true(cases[i].len + 64 <= sizeof(padded));
		memcpy(padded, cases[i].data, cases[i].len);
		memset(padded + cases[i].len, '\n', 64);
		memset(&e_stream, 0, sizeof(e_stream));
		dataset_init(&ds);
		vs = vote_stream_new(&ds, "v.csv", 0);
		rs = vote_stream_feed(vs, padded, cases[i].len + 64, &e_stream);
		if (!rs) {
			rs = vote_stream_finish(vs, &m, &e_stream);
			if (!rs)
				vote_csr_free(&m);
		}
		vote_stream_free(vs);
		dataset_free(&ds);
		if ((rs == HM_OK) != cases[i].ok || (!cases[i].ok && e_stream.line != cases[i].line))
			fail_msg("%s, in one piece: stream %d (%s) line %llu", cases[i].id, rs, e_stream.msg,
				 (unsigned long long)e_stream.line);
	}
}

/* Reads data in one stream and in parts cut at each given offset (a
 * participant's first line is searched from there); returns the join's
 * code and, when it accepted, checks the result against one stream's. */
static enum hm_err read_in_parts(const char *id, const char *data, const size_t *at, unsigned n_cuts)
{
	struct import_err err;
	struct dataset d1, dp;
	struct vote_csr m1, mp;
	load_comments(&d1);
	load_comments(&dp);
	size_t len = strlen(data);
	struct vote_stream *s1 = vote_stream_new(&d1, "v.csv", 1);
	enum hm_err r1 = vote_stream_feed(s1, data, len, &err);
	if (!r1)
		r1 = vote_stream_finish(s1, &m1, &err);
	vote_stream_free(s1);

	struct vote_stream *s = vote_stream_new(&dp, "v.csv", 1), *parts[8];
	const char *nl = strchr(data, '\n');
	assert_non_null(nl);
	assert_int_equal(vote_stream_feed(s, data, (size_t)(nl - data + 1), &err), HM_OK);
	size_t start[9];
	start[0] = (size_t)(nl - data + 1);
	start[n_cuts + 1] = len;
	enum hm_err rc = HM_OK;
	for (unsigned i = 1; i <= n_cuts && !rc; i++) {
		size_t off = vote_stream_part_start(s, data + at[i - 1], len - at[i - 1]);
		if (off == SIZE_MAX)
			rc = HM_EBUSY;
		else
			start[i] = at[i - 1] + off;
	}
	if (!rc) {
		for (unsigned i = 0; i <= n_cuts; i++) {
			parts[i] = vote_stream_part(s, start[i + 1] - start[i]);
			if (vote_stream_feed(parts[i], data + start[i], start[i + 1] - start[i], &err))
				rc = HM_EBUSY;
		}
		if (!rc)
			rc = vote_stream_join(s, parts, n_cuts + 1, &err);
		else
			for (unsigned i = 0; i <= n_cuts; i++)
				vote_stream_free(parts[i]);
		if (!rc)
			rc = vote_stream_finish(s, &mp, &err);
	}
	vote_stream_free(s);
	if (!rc) {
		if (r1)
			fail_msg("%s: parts accepted what one stream refuses (%d)", id, r1);
		if (d1.n_ptpts != dp.n_ptpts || memcmp(d1.ptpt_id, dp.ptpt_id, d1.n_ptpts * sizeof(int64_t)) ||
		    m1.row_ptr[m1.n_rows] != mp.row_ptr[mp.n_rows] ||
		    memcmp(m1.row_ptr, mp.row_ptr, ((size_t)m1.n_rows + 1) * sizeof(uint64_t)) ||
		    memcmp(m1.col, mp.col, m1.row_ptr[m1.n_rows] * sizeof(uint32_t)) ||
		    memcmp(m1.val, mp.val, m1.row_ptr[m1.n_rows]))
			fail_msg("%s: parts and one stream differ", id);
		vote_csr_free(&mp);
	}
	if (!r1)
		vote_csr_free(&m1);
	dataset_free(&d1);
	dataset_free(&dp);
	return rc;
}

static void test_import_vote_stream_in_parts(void **state)
{
	(void)state;
#define HEAD "timestamp,datetime,comment-id,voter-id,vote\n"
	/* participants 7, 3, 9 grouped */
	static const char grouped[] = HEAD "1,x,10,7,1\n2,x,12,7,-1\n3,x,11,3,1\n4,x,10,3,0\n"
					    "5,x,12,3,-1\n6,x,12,9,1\n7,x,10,9,1";
	/* the same, 3 voting twice on 11: one stream orders repeats by time */
	static const char repeat[] = HEAD "1,x,10,7,1\n2,x,12,7,-1\n3,x,11,3,1\n4,x,10,3,0\n"
					   "5,x,11,3,-1\n6,x,12,9,1\n7,x,10,9,1";
	static const char back[] = HEAD "1,x,10,7,1\n2,x,12,3,-1\n3,x,11,3,1\n4,x,10,7,0\n";
	static const char bad_vote[] = HEAD "1,x,10,7,1\n2,x,12,3,-1\n3,x,11,3,2\n4,x,10,9,0\n";
	static const char unknown[] = HEAD "1,x,10,7,1\n2,x,12,3,-1\n3,x,99,3,1\n4,x,10,9,0\n";
#undef HEAD
	const size_t h = 44; /* the header's length */
	static const struct {
		const char *id, *data;
		size_t at[2];
		unsigned n_cuts;
		enum hm_err want;
	} cases[] = {
		{ "two-parts", grouped, { 44 + 3 }, 1, HM_OK },
		{ "cut-inside-a-participant", grouped, { 44 + 25 }, 1, HM_OK },
		{ "three-parts", grouped, { 44 + 3, 44 + 40 }, 2, HM_OK },
		{ "no-later-participant", grouped, { 44 + 60 }, 1, HM_EBUSY },
		{ "repeated-vote", repeat, { 44 + 3 }, 1, HM_EBUSY },
		{ "participant-comes-back", back, { 44 + 3 }, 1, HM_EBUSY },
		{ "bad-vote-in-a-part", bad_vote, { 44 + 3 }, 1, HM_EBUSY },
		{ "unknown-statement-in-a-part", unknown, { 44 + 3 }, 1, HM_EBUSY },
	};
	for (size_t i = 0; i < HM_ARRAY_LEN(cases); i++) {
		assert_true(cases[i].at[0] >= h);
		enum hm_err rc = read_in_parts(cases[i].id, cases[i].data, cases[i].at, cases[i].n_cuts);
		if (rc != cases[i].want)
			fail_msg("%s: join %d, want %d", cases[i].id, rc, cases[i].want);
	}
}

static void test_import_json_both_schemas(void **state)
{
	(void)state;
	static const char c1[] = "[{\"tid\": 0, \"mod\": 1, \"is_meta\": false, \"txt\": \"a\"},"
				 " {\"tid\": 1, \"mod\": -1, \"is_meta\": true}]";
	static const char v1[] = "[{\"pid\": 5, \"tid\": 0, \"vote\": -1, \"modified\": \"1714782753431\"},"
				 " {\"pid\": 5, \"tid\": 1, \"vote\": 1, \"modified\": \"1714782753432\"}]";
	static const char c2[] = "[{\"statement_id\": 3, \"moderated\": 0, \"is_meta\": false}]";
	static const char v2[] = "[{\"participant_id\": 9, \"statement_id\": 3, \"vote\": 0,"
				 " \"modified\": 1594984322740.0}]";
	struct dataset d;
	struct import_err err;
	dataset_init(&d);
	assert_int_equal(import_comments_json(&d, c1, strlen(c1), "c", &err), HM_OK);
	assert_int_equal(import_votes_json(&d, v1, strlen(v1), "v", 1, &err), HM_OK);
	assert_int_equal(d.stmt_meta[dataset_find_stmt(&d, 1)], 1);
	assert_int_equal(d.log.v[0].value, VOTE_DISAGREE);
	assert_true(d.log.v[0].ts == 1714782753431LL);
	dataset_free(&d);
	dataset_init(&d);
	assert_int_equal(import_comments_json(&d, c2, strlen(c2), "c", &err), HM_OK);
	assert_int_equal(import_votes_json(&d, v2, strlen(v2), "v", 1, &err), HM_OK);
	assert_int_equal(d.log.n, 1);
	assert_true(d.log.v[0].ts == 1594984322740LL);
	dataset_free(&d);
}

static void test_import_groups_attributes(void **state)
{
	(void)state;
	static const char votes[] = "comment-id,voter-id,vote\n10,7,1\n11,8,-1\n12,9,0\n";
	static const char groups[] = "participant,sector,country\n7,ngo,FR\n8,gov,\n9,ngo,\"Côte d'Ivoire\"\n42,x,y\n";
	struct dataset d;
	struct import_err err;
	struct declared_attrs g;
	load_comments(&d);
	assert_int_equal(import_votes_csv(&d, votes, strlen(votes), "v", 1, &err), HM_OK);
	dataset_finish(&d);
	assert_int_equal(import_groups_csv(&g, &d, groups, strlen(groups), "g", &err), HM_OK);
	assert_int_equal(g.n_attrs, 2);
	assert_string_equal(g.attr_name[1], "country");
	assert_int_equal(g.n_values[0], 2);
	assert_int_equal(g.n_unknown, 1);
	uint32_t p8 = dataset_find_ptpt(&d, 8), p9 = dataset_find_ptpt(&d, 9);
	assert_int_equal(g.group[g.n_ptpts + p8], -1); /* empty cell: not declared */
	assert_string_equal(g.value_name[1][g.group[g.n_ptpts + p9]], "Côte d'Ivoire");
	assert_int_equal(g.group[p9], g.group[dataset_find_ptpt(&d, 7)]);
	declared_attrs_free(&g);
	dataset_free(&d);
}

static void test_import_err_format(void **state)
{
	(void)state;
	struct import_err e = { .file = "votes.csv", .line = 12, .msg = "bad" };
	char out[64];
	import_err_format(&e, out, sizeof(out));
	assert_string_equal(out, "votes.csv:12: bad");
	e.line = 0;
	import_err_format(&e, out, sizeof(out));
	assert_string_equal(out, "votes.csv: bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_comments_quoting_and_moderation),
		cmocka_unit_test(test_import_votes_later_vote_wins_and_sign),
		cmocka_unit_test(test_import_participants_votes_matrix),
		cmocka_unit_test(test_import_rejects_bad_input_with_file_and_line),
		cmocka_unit_test(test_import_both_vote_readers_agree),
		cmocka_unit_test(test_import_vote_stream_in_parts),
		cmocka_unit_test(test_import_json_both_schemas),
		cmocka_unit_test(test_import_groups_attributes),
		cmocka_unit_test(test_import_err_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
