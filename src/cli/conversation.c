/*
 * conversation.c — `harmony conversation import --db DB --event SLUG PATH`:
 * reads a Pol.is export folder with the engine's readers
 * (src/dialogue/analysis/import.c: comments.csv, then votes.csv or else
 * participants-votes.csv) and core/csv.h for the columns they do not keep
 * (comments.csv's timestamp and author-id, summary.csv's topic and
 * description), then makes the conversation in one transaction
 * (dlg_import) and prints its id. A bad folder writes nothing and exits 2.
 */
#include "cli/conversation.h"

#include "auth/auth.h"
#include "core/csv.h"
#include "db/db.h"
#include "dialogue/analysis/dataset.h"
#include "dialogue/analysis/import.h"
#include "features/dialogue/dialogue.h"
#include "features/registration/registration.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
	"usage: harmony conversation import [--db DB] --event SLUG PATH\n"
	"Makes a new (closed) conversation of event SLUG from the Pol.is export\n"
	"folder PATH (comments.csv, and votes.csv or participants-votes.csv;\n"
	"summary.csv for the topic) and prints its id.\n";

static int fail_usage(const char *what)
{
	fprintf(stderr, "harmony conversation: %s\n%s", what, usage);
	return 2;
}

static int bad(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "harmony conversation import: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 2;
}

/* dir/name read whole (NUL-terminated); NULL when absent (*missing) or
 * unreadable. */
static char *read_whole(const char *dir, const char *name, size_t *len, int *missing)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	free(path);
	*missing = !f && errno == ENOENT;
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	int err = ferror(f);
	fclose(f);
	if (err) {
		buf_free(&b);
		return NULL;
	}
	buf_putc(&b, 0);
	*len = b.len - 1;
	return buf_steal(&b);
}

struct extra {
	int64_t id, at, author;
};

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct extra *)a)->id, y = ((const struct extra *)b)->id;
	return x < y ? -1 : x > y;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

/* comments.csv's timestamp (ms) and author-id per comment-id, sorted by
 * id; -1 on a bad value (reported). Absent columns: at -1, author -1. */
static int read_extra(const char *data, size_t len, struct extra **out, size_t *n)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len, 0, 0);
	static const char *const names[] = {"comment-id", "timestamp", "author-id"};
	int idx[3];
	int rc = csv_next(&r);
	*out = NULL;
	*n = 0;
	if (rc != CSV_ROW) {
		csv_reader_free(&r);
		return bad("comments.csv: %s%s", "no header", "");
	}
	csv_header_map(&r, names, 3, idx);
	size_t cap = 0;
	while ((rc = csv_next(&r)) != CSV_END) {
		if (rc == CSV_ERROR) {
			char line[32];
			snprintf(line, sizeof(line), "%zu", r.error_line);
			const char *why = r.error; /* a static message */
			csv_reader_free(&r);
			return bad("comments.csv:%s: %s", line, why);
		}
		struct extra e = {.at = -1, .author = -1};
		if (parse_int(csv_get(&r, (size_t)idx[0]), &e.id) < 0)
			continue; /* the engine's reader has refused it already */
		const char *ts = idx[1] >= 0 ? csv_get(&r, (size_t)idx[1]) : "";
		const char *au = idx[2] >= 0 ? csv_get(&r, (size_t)idx[2]) : "";
		if ((*ts && parse_int(ts, &e.at) < 0) || (*au && parse_int(au, &e.author) < 0)) {
			char line[32];
			snprintf(line, sizeof(line), "%zu", r.line);
			csv_reader_free(&r);
			return bad("comments.csv:%s: %s", line,
				   "timestamp or author-id is not an integer");
		}
		if (e.at >= 0)
			e.at /= 1000;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = e;
	}
	csv_reader_free(&r);
	qsort(*out, *n, sizeof(**out), by_id);
	return 0;
}

/* summary.csv's rows topic and conversation-description (malloc'd). */
static void read_summary(const char *data, size_t len, char **topic, char **desc)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len, 0, 0);
	int rc;
	while ((rc = csv_next(&r)) != CSV_END)
		if (rc == CSV_ROW && r.nfields >= 2) {
			if (!strcmp(r.fields[0], "topic") && !*topic)
				*topic = xstrdup(r.fields[1]);
			else if (!strcmp(r.fields[0], "conversation-description") && !*desc)
				*desc = xstrdup(r.fields[1]);
		}
	csv_reader_free(&r);
}

struct ord {
	size_t i;
	int64_t ts;
};

static int by_time(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Reads engine file name of dir into d; 2 on error (reported), 1 absent. */
static int load(const char *dir, const char *name, struct dataset *d, int kind)
{
	size_t len = 0;
	int missing;
	char *data = read_whole(dir, name, &len, &missing);
	if (!data) {
		if (missing)
			return 1;
		return bad("%s/%s: cannot be read", dir, name);
	}
	struct import_err err;
	memset(&err, 0, sizeof(err));
	enum hm_err e = kind == 0   ? import_comments_csv(d, data, len, name, &err)
			: kind == 1 ? import_votes_csv(d, data, len, name, 1, &err)
				    : import_participants_votes_csv(d, data, len, name, 1, &err);
	free(data);
	if (e != HM_OK) {
		char msg[512];
		import_err_format(&err, msg, sizeof(msg));
		return bad("%s%s", msg, "");
	}
	return 0;
}

static int do_import(const char *db_path, const char *slug, const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return bad("%s: not a folder%s", dir, "");
	struct dataset d;
	dataset_init(&d);
	struct extra *ex = NULL;
	size_t n_ex = 0;
	char *topic = NULL, *desc = NULL;
	struct dlg_import_stmt *stmts = NULL;
	struct dlg_import_vote *votes = NULL;
	int64_t *ptpts = NULL;
	struct ord *ord = NULL;
	struct db *db = NULL;
	json_t *ev = NULL;
	int rc = load(dir, "comments.csv", &d, 0);
	if (rc == 1)
		rc = bad("%s: no comments.csv%s", dir, "");
	if (rc)
		goto out;
	if ((rc = load(dir, "votes.csv", &d, 1)) == 1 &&
	    (rc = load(dir, "participants-votes.csv", &d, 2)) == 1)
		rc = bad("%s: neither votes.csv nor participants-votes.csv%s", dir, "");
	if (rc)
		goto out;
	if (!d.n_stmts) {
		rc = bad("%s/comments.csv: no statements%s", dir, "");
		goto out;
	}
	size_t len;
	int missing;
	char *data = read_whole(dir, "comments.csv", &len, &missing);
	rc = data ? read_extra(data, len, &ex, &n_ex) : bad("%s/comments.csv: cannot be read%s", dir, "");
	free(data);
	if (rc)
		goto out;
	if ((data = read_whole(dir, "summary.csv", &len, &missing))) {
		read_summary(data, len, &topic, &desc);
		free(data);
	}
	if (!topic || !*topic) {
		/* no summary: the folder's name */
		free(topic);
		const char *base = strrchr(dir, '/');
		topic = xstrdup(base && base[1] ? base + 1 : dir);
	}
	dataset_finish(&d);
	int64_t now = (int64_t)time(NULL);

	/* statements in ascending id (dataset_finish's order) */
	stmts = xmalloc((d.n_stmts + 1) * sizeof(*stmts));
	size_t n_auth = 0;
	ptpts = xmalloc((d.n_ptpts + d.n_stmts + 1) * sizeof(*ptpts));
	for (uint32_t i = 0; i < d.n_ptpts; i++)
		ptpts[n_auth++] = d.ptpt_id[i];
	for (uint32_t i = 0; i < d.n_stmts; i++) {
		struct extra key = {.id = d.stmt_id[i]};
		const struct extra *x = bsearch(&key, ex, n_ex, sizeof(*ex), by_id);
		stmts[i] = (struct dlg_import_stmt){
			.ext = d.stmt_id[i],
			.author = x ? x->author : -1,
			.at = x && x->at >= 0 ? x->at : now,
			.text = d.stmt_text[i] ? d.stmt_text[i] : "",
			.status = d.stmt_meta[i]	 ? "meta"
				  : d.stmt_mod[i] > 0	 ? "accepted"
				  : d.stmt_mod[i] < 0	 ? "rejected"
							 : "pending",
		};
		if (stmts[i].author >= 0)
			ptpts[n_auth++] = stmts[i].author;
	}
	/* participants: voters and authors, each once, ascending */
	qsort(ptpts, n_auth, sizeof(*ptpts), cmp_i64);
	size_t np = 0;
	for (size_t i = 0; i < n_auth; i++)
		if (!np || ptpts[np - 1] != ptpts[i])
			ptpts[np++] = ptpts[i];
	/* votes in the order they were cast (the file's order among equal
	 * times): the last one is the current vote */
	ord = xmalloc((d.log.n + 1) * sizeof(*ord));
	for (size_t i = 0; i < d.log.n; i++)
		ord[i] = (struct ord){.i = i, .ts = d.log.v[i].ts};
	qsort(ord, d.log.n, sizeof(*ord), by_time);
	votes = xmalloc((d.log.n + 1) * sizeof(*votes));
	for (size_t k = 0; k < d.log.n; k++) {
		const struct vote *v = &d.log.v[ord[k].i];
		votes[k] = (struct dlg_import_vote){
			.stmt = d.stmt_id[v->tid],
			.ptpt = d.ptpt_id[v->pid],
			.vote = v->value,
			.at = v->ts > 0 ? v->ts / 1000 : now,
		};
	}

	char err[512];
	enum hm_err e = db_open(db_path, DB_OPEN_EXISTING, 0, &db, err, sizeof(err));
	if (e != HM_OK) {
		fprintf(stderr, "harmony conversation import: %s\n", err);
		rc = hm_err_exit_code(e);
		goto out;
	}
	if (!(ev = reg_event(db, slug))) {
		rc = db_failed(db) ? hm_err_exit_code(HM_EDB)
				   : bad("there is no event %s%s", slug, "");
		goto out;
	}
	struct principal cli;
	auth_principal_cli(&cli);
	struct dlg_import in = {
		.topic = topic,
		.description = desc,
		.n_stmts = d.n_stmts,
		.n_ptpts = np,
		.n_votes = d.log.n,
		.stmts = stmts,
		.ptpts = ptpts,
		.votes = votes,
	};
	int64_t cid;
	e = dlg_import(db, &cli, ev, &in, now, &cid);
	if (e == HM_EINVAL) {
		rc = bad("%s: a vote or an author names no participant or statement%s", dir, "");
		goto out;
	}
	if (e != HM_OK) {
		fprintf(stderr, "harmony conversation import: the database refused: %s\n",
			hm_err_str(e));
		rc = hm_err_exit_code(e);
		goto out;
	}
	printf("%lld\n", (long long)cid);
	rc = 0;
out:
	json_decref(ev);
	if (db)
		db_close(db);
	free(ord);
	free(votes);
	free(ptpts);
	free(stmts);
	free(topic);
	free(desc);
	free(ex);
	dataset_free(&d);
	return rc;
}

int cli_conversation(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "import"))
		return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
			       ? (fputs(usage, stdout), 0)
			       : fail_usage("the command is import");
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"event", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db_path = "harmony.db", *slug = NULL;
	int c;
	optind = 0;
	opterr = 0;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 'e': slug = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: {
			char what[160];
			snprintf(what, sizeof(what), "unknown or incomplete option '%s'",
				 argv[optind - 1]);
			return fail_usage(what);
		}
		}
	}
	if (!slug)
		return fail_usage("--event SLUG is needed");
	if (optind != argc - 1)
		return fail_usage("one PATH: the export folder");
	return do_import(db_path, slug, argv[optind]);
}
