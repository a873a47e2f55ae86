/*
 * conversation.c — `harmony conversation import --db DB --event SLUG PATH`:
 * reads the files of a Pol.is export folder and hands them to the
 * dialogue's reader (dlg_polis_read: comments.csv, then votes.csv or else
 * participants-votes.csv, summary.csv for the topic), then makes the
 * conversation in one transaction (dlg_import) and prints its id. A bad
 * folder writes nothing and exits 2.
 */
#include "cli/conversation.h"

#include "auth/auth.h"
#include "db/db.h"
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

static int do_import(const char *db_path, const char *slug, const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return bad("%s: not a folder%s", dir, "");
	static const char *const names[] = {"comments.csv", "votes.csv", "participants-votes.csv",
					    "summary.csv"};
	char *data[4] = {NULL};
	size_t lens[4] = {0};
	int rc = 0;
	for (size_t i = 0; i < 4 && !rc; i++) {
		int missing;
		data[i] = read_whole(dir, names[i], &lens[i], &missing);
		if (!data[i] && !missing)
			rc = bad("%s/%s: cannot be read", dir, names[i]);
	}
	struct dlg_polis_files f = {
		.comments = data[0], .comments_len = lens[0],
		.votes = data[1], .votes_len = lens[1],
		.participants_votes = data[2], .participants_votes_len = lens[2],
		.summary = data[3], .summary_len = lens[3],
	};
	/* no summary: the folder's name */
	const char *base = strrchr(dir, '/');
	f.name = base && base[1] ? base + 1 : dir;
	struct dlg_polis_read pr;
	memset(&pr, 0, sizeof(pr));
	struct db *db = NULL;
	json_t *ev = NULL;
	char err[512];
	int64_t now = (int64_t)time(NULL);
	if (!rc && dlg_polis_read(&f, now, &pr, err, sizeof(err)) != HM_OK)
		rc = bad("%s: %s", dir, err);
	if (rc)
		goto out;
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
	int64_t cid;
	e = dlg_import(db, &cli, ev, &pr.in, now, &cid);
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
	dlg_polis_read_free(&pr);
	for (size_t i = 0; i < 4; i++)
		free(data[i]);
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
